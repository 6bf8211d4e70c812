"""Tables of the chart of accounts: the tenant's accounts (a copy of the template it installed, then its own) and
which template it installed."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Boolean, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from surety.core.db.base import Base, TenantScoped
from surety.core.db.types import UTCDateTime, utcnow


class FinanceChart(TenantScoped, Base):
    """The chart template a tenant installed (one row per tenant). ``config_version`` is bumped, in the writing
    transaction, by every change of the tenant's accounts or voucher rules (accounts/config_cache.py: the process
    caches of other processes compare it)."""

    __tablename__ = "finance_charts"
    __table_args__ = (UniqueConstraint("tenant_id"),)

    template_key: Mapped[str] = mapped_column(String(40))
    installed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    config_version: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")


class FinanceAccount(TenantScoped, Base):
    """An account of the tenant's chart. ``level`` and ``parent_code`` follow from the code (templates.level_of);
    ``dimensions`` are the auxiliary dimensions a line on it must carry, joined by commas."""

    __tablename__ = "finance_accounts"
    __table_args__ = (UniqueConstraint("tenant_id", "code"),)

    code: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(100))
    #: ``debit`` or ``credit``: the side on which the balance is positive.
    direction: Mapped[str] = mapped_column(String(6))
    category: Mapped[str] = mapped_column(String(20))
    level: Mapped[int] = mapped_column(Integer, default=1)
    parent_code: Mapped[str | None] = mapped_column(String(20), nullable=True)
    dimensions: Mapped[str] = mapped_column(String(60), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    @property
    def dimension_list(self) -> tuple[str, ...]:
        return tuple(d for d in self.dimensions.split(",") if d)
