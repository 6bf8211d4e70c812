"""Tables of the period-end area: each project's guarantee-fee schedule (recorded from the guarantee plugin's
events), the period-end jobs done (one row per kind and period: what makes them idempotent) and the tenant's export
settings."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from sqlalchemy import Date, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from surety.core.db.base import Base, TenantScoped
from surety.core.db.types import Money, UTCDateTime, utcnow

#: Kinds of period-end job: the monthly fee amortisation (period ``YYYY-MM``) and the two year-end reserves
#: (period ``YYYY``).
AMORTISATION, UNEARNED_RESERVE, COMPENSATION_RESERVE = "fee_amortisation", "unearned_reserve", "compensation_reserve"


class FinanceFeeSchedule(TenantScoped, Base):
    """A project's guarantee fee to recognise over its guarantee term: the fee received net of refunds (yuan), the
    term [start_date, end_date] (None until the guarantee took effect) and what is recognised so far (yuan)."""

    __tablename__ = "finance_fee_schedules"
    __table_args__ = (UniqueConstraint("tenant_id", "project_id"),)

    project_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    amount: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    start_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    end_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    recognised: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))


class FinancePeriodJob(TenantScoped, Base):
    """A period-end job done: its kind, period, the voucher it wrote (None: nothing to book) and that amount."""

    __tablename__ = "finance_period_jobs"
    __table_args__ = (UniqueConstraint("tenant_id", "kind", "period"),)

    kind: Mapped[str] = mapped_column(String(30))
    period: Mapped[str] = mapped_column(String(7))
    voucher_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    amount: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    #: When the job finished; None while the claiming transaction runs it.
    done_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)


class FinanceSettings(TenantScoped, Base):
    """The tenant's export settings (one row, core.settings_rows): the text files' encoding and the 金蝶 K/3 Cloud
    account book, accounting organisation and currency codes."""

    __tablename__ = "finance_settings"
    __table_args__ = (UniqueConstraint("tenant_id"),)

    text_encoding: Mapped[str] = mapped_column(String(20), default="gbk")
    cloud_account_book: Mapped[str] = mapped_column(String(40), default="001")
    cloud_organisation: Mapped[str] = mapped_column(String(40), default="100")
    cloud_currency: Mapped[str] = mapped_column(String(20), default="PRE001")
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
