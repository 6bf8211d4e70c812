"""Tables of vouchers: the voucher (header), its lines, the per-period counters that number them and the
accounting periods (open or closed)."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from sqlalchemy import Boolean, Date, ForeignKeyConstraint, Index, Integer, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from surety.core.db.base import Base, TenantScoped
from surety.core.db.types import Money, UTCDateTime, utcnow

DRAFT, REVIEWED, POSTED = "draft", "reviewed", "posted"
STATUSES = {DRAFT: "未审核", REVIEWED: "已审核", POSTED: "已记账"}
#: Voucher words (凭证字): 记账 (general), 收款, 付款, 转账.
WORDS = {"记": "记账凭证", "收": "收款凭证", "付": "付款凭证", "转": "转账凭证"}
OPEN, CLOSED = "open", "closed"


class FinancePeriod(TenantScoped, Base):
    """An accounting period (``YYYY-MM``); a period with no row is open."""

    __tablename__ = "finance_periods"
    __table_args__ = (UniqueConstraint("tenant_id", "period"),)

    period: Mapped[str] = mapped_column(String(7))
    status: Mapped[str] = mapped_column(String(10), default=OPEN)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    closed_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)


class FinanceVoucherCounter(TenantScoped, Base):
    """The last number taken of one period and voucher word (locked by its increment until the transaction ends)."""

    __tablename__ = "finance_voucher_counters"
    __table_args__ = (UniqueConstraint("tenant_id", "period", "word"),)

    period: Mapped[str] = mapped_column(String(7))
    word: Mapped[str] = mapped_column(String(2))
    last_value: Mapped[int] = mapped_column(Integer, default=0)


class FinanceVoucher(TenantScoped, Base):
    """A voucher: numbered ``word-NNNN`` per period and word; draft -> reviewed -> posted; never edited once
    reviewed, corrected by a reversal (``reversal_of``). ``source_event_id`` is the outbox id of the domain event it
    was written for (unique per tenant: one voucher per event)."""

    __tablename__ = "finance_vouchers"
    __table_args__ = (
        UniqueConstraint("tenant_id", "period", "word", "seq"),
        UniqueConstraint("tenant_id", "source_event_id"),
        Index("ix_finance_vouchers_tenant_id_period_status", "tenant_id", "period", "status"),
    )

    voucher_date: Mapped[dt.date] = mapped_column(Date)
    period: Mapped[str] = mapped_column(String(7))
    word: Mapped[str] = mapped_column(String(2))
    seq: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(20))
    summary: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(10), default=DRAFT)
    #: Sum of the debit column (yuan; negative for a red-ink reversal).
    total: Mapped[Decimal] = mapped_column(Money)
    #: The person who made it; None for the system (a voucher written from an event).
    maker_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    reviewer_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    poster_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    posted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    source_event_type: Mapped[str | None] = mapped_column(String(80), nullable=True)
    source_event_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    reversal_of: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    reversed_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class FinanceVoucherLine(TenantScoped, Base):
    """One line (分录) of a voucher: one account, exactly one non-zero side. ``period`` repeats the voucher's and
    ``posted`` whether it is posted (set with the voucher's posting), for the ledgers' aggregation without a join."""

    __tablename__ = "finance_voucher_lines"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "voucher_id"], ["finance_vouchers.tenant_id", "finance_vouchers.id"]),
        Index("ix_finance_voucher_lines_tenant_id_period_account_code", "tenant_id", "period", "account_code"),
        Index("ix_finance_voucher_lines_tenant_id_voucher_id", "tenant_id", "voucher_id"),
    )

    voucher_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    line_no: Mapped[int] = mapped_column(Integer)
    period: Mapped[str] = mapped_column(String(7))
    account_code: Mapped[str] = mapped_column(String(20))
    summary: Mapped[str] = mapped_column(String(200))
    debit: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    credit: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    customer_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    project_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    bank_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    department: Mapped[str | None] = mapped_column(String(40), nullable=True)
    posted: Mapped[bool] = mapped_column(Boolean, default=False)
