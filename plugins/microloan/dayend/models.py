"""Tables of the day-end batch: one row per tenant and business date run (``microloan_day_end_runs``), the daily
accrual ledger (``microloan_accruals``: one row per loan, date and kind, whose sha256 proves that a rerun gives the
same result) and the reminders sent (``microloan_reminders``: one per installment, so a reminder never repeats)."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from sqlalchemy import Date, ForeignKeyConstraint, Index, Integer, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from surety.core.db.base import Base, TenantScoped
from surety.core.db.types import Money, Rate, UTCDateTime, utcnow

ZERO = Decimal("0.00")
#: Status of a run: ``running`` until its final transaction, then ``done``.
RUN_RUNNING, RUN_DONE = "running", "done"
#: Kinds of accrual: contract interest (应计利息), penalty interest on overdue principal (罚息), compound interest on
#: overdue interest (复利).
ACCRUAL_KINDS = ("interest", "penalty", "compound")


class MicroloanDayEndRun(TenantScoped, Base):
    """The day-end run of one business date: ``running`` while its chunks commit, ``done`` with the day's totals
    (read back from ``microloan_accruals``) and the ledger hash once the final transaction has raised the events."""

    __tablename__ = "microloan_day_end_runs"
    __table_args__ = (UniqueConstraint("tenant_id", "business_date"),)

    business_date: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default=RUN_RUNNING)
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    #: Loans processed for the date (over every attempt of the run).
    loans_processed: Mapped[int] = mapped_column(Integer, default=0)
    #: The day's totals (yuan) over all loans: contract interest, penalty and compound interest accrued.
    interest: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    penalty: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    compound: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    #: Loss provision over the loans on the books after the run, and its change from the previous run.
    provision_total: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    provision_delta: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    reminders: Mapped[int] = mapped_column(Integer, default=0)
    #: sha256 (hex) over the date's accrual rows sorted by loan and kind (dayend.accrual.ledger_hash).
    ledger_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)


class MicroloanAccrual(TenantScoped, Base):
    """What one loan accrued of one kind on one business date, to the fen; ``carry`` is the part below the fen left
    over after rounding (carried into the next day's amount of the same kind, so no fen is lost)."""

    __tablename__ = "microloan_accruals"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "loan_id"], ["microloan_loans.tenant_id", "microloan_loans.id"]),
        UniqueConstraint("tenant_id", "loan_id", "business_date", "kind"),
        Index("ix_microloan_accruals_date", "tenant_id", "business_date"),
    )

    loan_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    business_date: Mapped[dt.date] = mapped_column(Date)
    #: One of ACCRUAL_KINDS.
    kind: Mapped[str] = mapped_column(String(20))
    amount: Mapped[Decimal] = mapped_column(Money)
    carry: Mapped[Decimal] = mapped_column(Rate, default=Decimal(0))


class MicroloanReminder(TenantScoped, Base):
    """A due-date reminder sent for one installment (one at most per installment: a row of a schedule never changes
    its due date; a reschedule writes new rows)."""

    __tablename__ = "microloan_reminders"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "installment_id"],
                             ["microloan_installments.tenant_id", "microloan_installments.id"]),
        UniqueConstraint("tenant_id", "installment_id"),
    )

    installment_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    loan_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    due_date: Mapped[dt.date] = mapped_column(Date)
    sent_on: Mapped[dt.date] = mapped_column(Date)
