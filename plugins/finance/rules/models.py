"""Table of voucher rules (凭证模板): per event type, the lines of the voucher written for it."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from surety.core.db.base import Base, TenantScoped
from surety.core.db.types import UTCDateTime, utcnow


class FinanceVoucherRule(TenantScoped, Base):
    """The tenant's rule for one domain event type: voucher word, summary template, the payload field holding the
    voucher date, and its lines (a list of line specs, rules/spec.py)."""

    __tablename__ = "finance_voucher_rules"
    __table_args__ = (UniqueConstraint("tenant_id", "event_type"),)

    event_type: Mapped[str] = mapped_column(String(80))
    name: Mapped[str] = mapped_column(String(100))
    word: Mapped[str] = mapped_column(String(2), default="记")
    summary: Mapped[str] = mapped_column(String(200))
    date_field: Mapped[str] = mapped_column(String(40))
    lines: Mapped[list] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
