"""The tenant's fee standards catalogue (收费标准, docs/finance/forecast.md)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Date, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from surety.core.db.base import Base, TenantScoped
from surety.core.db.types import Money, Rate, UTCDateTime, utcnow


class FinanceFeeStandard(TenantScoped, Base):
    """One fee standard: its ``code`` (unique per tenant), zh-CN ``name``, the ``business_kind`` it prices (a code
    such as ``loan_guarantee``), its ``basis`` (``annual_rate`` on the guaranteed amount per year of term,
    ``one_off_rate`` on the amount once, ``fixed`` amount), the ``rate`` (a fraction; rate bases) or ``amount``
    (yuan; fixed), the ``min_fee`` (yuan, optional) and the days it applies, ``valid_from`` to ``valid_to`` (both
    included; open-ended without ``valid_to``)."""

    __tablename__ = "finance_fee_standards"
    __table_args__ = (UniqueConstraint("tenant_id", "code"),)

    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(100))
    business_kind: Mapped[str] = mapped_column(String(40))
    basis: Mapped[str] = mapped_column(String(20))
    rate: Mapped[Decimal | None] = mapped_column(Rate, nullable=True)
    amount: Mapped[Decimal | None] = mapped_column(Money, nullable=True)
    min_fee: Mapped[Decimal | None] = mapped_column(Money, nullable=True)
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
