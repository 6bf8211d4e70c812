"""Tables of the collection area: collection cases and their actions (催收案件、催收记录), proposals to override a
loan's five-category class (分类调整), write-off proposals (核销申请) and recoveries after a write-off (核销后收回)."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from sqlalchemy import Boolean, Date, ForeignKeyConstraint, Index, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from surety.core.crypto.fields import EncryptedString
from surety.core.db.base import Base, TenantScoped
from surety.core.db.types import Money, UTCDateTime, utcnow

ZERO = Decimal("0.00")

CASE_OPEN, CASE_CLOSED = "open", "closed"
#: Why a case closed: the loan was cured (no longer overdue) or settled.
CLOSED_CURED, CLOSED_SETTLED = "cured", "settled"
#: Proposal statuses (class override, write-off).
PROPOSED, APPROVED, REJECTED = "proposed", "approved", "rejected"


def _loan_fk(table: str) -> ForeignKeyConstraint:
    """The (tenant, loan) foreign key, named short (the convention's name would pass PostgreSQL's 63 characters)."""
    return ForeignKeyConstraint(["tenant_id", "loan_id"], ["microloan_loans.tenant_id", "microloan_loans.id"],
                                name=f"fk_{table}_loan")


class MicroloanCollectionCase(TenantScoped, Base):
    """A loan's collection while it is overdue: opened by the day-end when the loan reaches the first stage, moved
    from stage to stage (``stage``: a key of settings.collection_stages, e.g. M1/M2/M3+) as days past due grow, closed
    when the loan is cured or settled. A written-off loan's case stays open: collection goes on (账销案存)."""

    __tablename__ = "microloan_collection_cases"
    __table_args__ = (
        _loan_fk("microloan_collection_cases"),
        Index("ix_microloan_collection_cases_status", "tenant_id", "status", "stage"),
        Index("ix_microloan_collection_cases_loan", "tenant_id", "loan_id"),
    )

    loan_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    #: The loan's number, copied when the case opens (lists show it without reading the loan).
    loan_no: Mapped[str] = mapped_column(String(40))
    stage: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10), default=CASE_OPEN)
    #: Who works the case at its stage (M1 the loan's manager, M2 a collector, M3+ legal); None: nobody holds it.
    assignee_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    #: Days past due when the day-end last looked at the case.
    days_past_due: Mapped[int] = mapped_column(Integer, default=0)
    opened_on: Mapped[dt.date] = mapped_column(Date)
    stage_since: Mapped[dt.date] = mapped_column(Date)
    closed_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    close_reason: Mapped[str | None] = mapped_column(String(10), nullable=True)
    #: Money received on the loan since the case opened (repayments net of reversals, recoveries), yuan.
    recovered: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class MicroloanCollectionAction(TenantScoped, Base):
    """One collection action on a case (``kind``: a key of collection.cases.ACTION_KINDS). A promise to pay
    (``promise``) carries the amount and date promised; ``paid_toward`` counts what was received on the loan from the
    action's day to the promised date, and ``kept`` is set once it is known (True: paid in full by the date; False:
    the date passed first)."""

    __tablename__ = "microloan_collection_actions"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "case_id"],
                             ["microloan_collection_cases.tenant_id", "microloan_collection_cases.id"],
                             name="fk_microloan_collection_actions_case"),
        _loan_fk("microloan_collection_actions"),
        Index("ix_microloan_collection_actions_case", "tenant_id", "case_id", "happened_on"),
        Index("ix_microloan_collection_actions_loan", "tenant_id", "loan_id", "kind"),
    )

    case_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    loan_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    kind: Mapped[str] = mapped_column(String(10))
    happened_on: Mapped[dt.date] = mapped_column(Date)
    #: Free text: it may name people and numbers, so it is encrypted (docs/encryption.md).
    note: Mapped[str | None] = mapped_column(EncryptedString("microloan_collection_actions.note"), nullable=True)
    promised_amount: Mapped[Decimal | None] = mapped_column(Money, nullable=True)
    promised_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    paid_toward: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    kept: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    created_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class MicroloanClassOverride(TenantScoped, Base):
    """A proposal to set (``to_class``) or clear (``to_class`` None) a loan's manual five-category class, decided
    through the workflow ``microloan.classification``."""

    __tablename__ = "microloan_class_overrides"
    __table_args__ = (_loan_fk("microloan_class_overrides"),
                      Index("ix_microloan_class_overrides_loan", "tenant_id", "loan_id", "status"))

    loan_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    from_class: Mapped[str] = mapped_column(String(20))
    to_class: Mapped[str | None] = mapped_column(String(20), nullable=True)
    reason: Mapped[str] = mapped_column(String(1000))
    status: Mapped[str] = mapped_column(String(10), default=PROPOSED)
    proposed_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    workflow_instance_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    decided_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    #: Why an approval did not count (``four_eyes``), else None.
    refusal: Mapped[str | None] = mapped_column(String(20), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class MicroloanWriteOff(TenantScoped, Base):
    """A write-off proposal (核销申请) decided through the workflow ``microloan.writeoff``; once approved it holds
    what was written off and when."""

    __tablename__ = "microloan_write_offs"
    __table_args__ = (_loan_fk("microloan_write_offs"),
                      Index("ix_microloan_write_offs_loan", "tenant_id", "loan_id", "status"))

    loan_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    #: A key of collection.writeoff.GROUNDS.
    ground: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(String(1000))
    status: Mapped[str] = mapped_column(String(10), default=PROPOSED)
    proposed_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    workflow_instance_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    refusal: Mapped[str | None] = mapped_column(String(20), nullable=True)
    principal: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    interest: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    written_off_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class MicroloanRecovery(TenantScoped, Base):
    """Money recovered on a written-off loan (核销后收回)."""

    __tablename__ = "microloan_recoveries"
    __table_args__ = (_loan_fk("microloan_recoveries"),
                      Index("ix_microloan_recoveries_loan", "tenant_id", "loan_id", "recovered_on"))

    loan_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    amount: Mapped[Decimal] = mapped_column(Money)
    recovered_on: Mapped[dt.date] = mapped_column(Date)
    recorded_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
