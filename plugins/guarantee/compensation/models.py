"""Compensation (代偿) and recovery (追偿) tables of the ``guarantee`` plugin (see models.py for the conventions): the
bank's claim on an effective project and its payment, the compensation receivable the payment opens, and the
recovery actions recorded against the receivable. Amounts are ``Money`` (yuan, exact to the fen)."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from sqlalchemy import Date, ForeignKeyConstraint, Index, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from surety.core.db.base import Base, TenantScoped
from surety.core.db.types import Money, Rate, UTCDateTime, utcnow

#: claimed -> approved -> compensated; or claimed -> rejected. ``claimed`` lasts while the claim's approval instance
#: (workflow ``guarantee.compensation``) runs; its end decides approved or rejected.
CLAIM_CLAIMED = "claimed"
CLAIM_APPROVED = "approved"
CLAIM_REJECTED = "rejected"
CLAIM_COMPENSATED = "compensated"
CLAIM_STATUSES = (CLAIM_CLAIMED, CLAIM_APPROVED, CLAIM_REJECTED, CLAIM_COMPENSATED)
#: A claim in one of these blocks another claim on the same project.
CLAIM_OPEN = (CLAIM_CLAIMED, CLAIM_APPROVED)

#: open -> closed (fully recovered, or the remainder written off).
RECEIVABLE_OPEN = "open"
RECEIVABLE_CLOSED = "closed"
#: Kinds of recovery action.
RECOVERY_KINDS = ("negotiation", "lawsuit", "enforcement", "collateral_disposal")


def _claimed(context) -> Decimal:
    """Default of ``principal`` and ``payable_amount`` for a row given only ``claimed_amount``: a principal-only claim
    paid in full (as guarantee_0003 backfills the claims recorded before components)."""
    return context.get_current_parameters()["claimed_amount"]


def _fk(column: str, table: str, ondelete: str | None = None) -> ForeignKeyConstraint:
    return ForeignKeyConstraint(["tenant_id", column], [f"{table}.tenant_id", f"{table}.id"], ondelete=ondelete)


class GuaranteeCompensation(TenantScoped, Base):
    """The bank's claim (代偿申请) on an effective project, its decision (through the workflow instance
    ``workflow_instance_id``) and the payment made to the bank.

    The claim is made of components (``principal``, ``interest``, ``penalty``: 本金, 利息, 罚息) whose sum is
    ``claimed_amount`` (the bank's loss, gross). The bank bears its risk share of it (``bank_share`` =
    ``claimed_amount`` x ``bank_share_ratio``, the ratio of the project's credit line when the claim was recorded,
    rounded half-up to the fen) and the company owes the rest (``payable_amount``): what :func:`claims.pay` pays."""

    __tablename__ = "guarantee_compensations"
    __table_args__ = (_fk("project_id", "guarantee_projects"),
                      Index("ix_guarantee_compensations_project", "tenant_id", "project_id"))

    project_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    #: principal + interest + penalty: the bank's claim, gross.
    claimed_amount: Mapped[Decimal] = mapped_column(Money)
    principal: Mapped[Decimal] = mapped_column(Money, default=_claimed)
    interest: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    penalty: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    #: The bank's risk-share ratio of the project's credit line when the claim was recorded (0 without a line).
    bank_share_ratio: Mapped[Decimal] = mapped_column(Rate, default=Decimal("0"))
    #: The part of the claim the bank bears: claimed_amount x bank_share_ratio, rounded half-up to the fen.
    bank_share: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    #: What the company owes the bank: claimed_amount - bank_share.
    payable_amount: Mapped[Decimal] = mapped_column(Money, default=_claimed)
    claim_date: Mapped[dt.date] = mapped_column(Date)
    #: Who claims (索赔方): the bank of a financing guarantee, the beneficiary (受益人) of a non-financing one, by
    #: name as the project stated it when the claim was recorded ('' for claims recorded before it was kept).
    claimant: Mapped[str] = mapped_column(String(200), default="")
    #: The bank's notice reference or a description of the default.
    notes: Mapped[str] = mapped_column(String(500), default="")
    status: Mapped[str] = mapped_column(String(16), default=CLAIM_CLAIMED)  # one of CLAIM_STATUSES
    claimed_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    #: The approval instance (workflow ``guarantee.compensation``) started with the claim.
    workflow_instance_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    decided_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    decision_comment: Mapped[str] = mapped_column(String(500), default="")
    paid_amount: Mapped[Decimal | None] = mapped_column(Money, nullable=True)
    paid_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    paid_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class GuaranteeCompensationReceivable(TenantScoped, Base):
    """What the customer owes the company after a compensation payment (代偿款应收): paid, recovered, written off;
    ``outstanding = paid - recovered - written_off``. A loss write-off is proposed (reason) and approved through the
    workflow instance ``write_off_instance_id`` (workflow ``guarantee.loss_write_off``)."""

    __tablename__ = "guarantee_compensation_receivables"
    __table_args__ = (UniqueConstraint("tenant_id", "compensation_id"),
                      _fk("compensation_id", "guarantee_compensations"), _fk("project_id", "guarantee_projects"),
                      Index("ix_guarantee_compensation_receivables_project", "tenant_id", "project_id"))

    compensation_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    project_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    paid: Mapped[Decimal] = mapped_column(Money)
    recovered: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    written_off: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    status: Mapped[str] = mapped_column(String(10), default=RECEIVABLE_OPEN)
    opened_on: Mapped[dt.date] = mapped_column(Date)
    closed_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    #: A loss write-off proposal: kept once approved, cleared when rejected or withdrawn.
    write_off_reason: Mapped[str] = mapped_column(String(500), default="")
    write_off_proposed_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    write_off_proposed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    #: The running approval instance of the pending proposal (None when no write-off is pending).
    write_off_instance_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    written_off_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    written_off_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def outstanding(self) -> Decimal:
        return self.paid - self.recovered - self.written_off


class GuaranteeRecoveryAction(TenantScoped, Base):
    """One recovery action (追偿) on a receivable: its kind, date, notes and the amount it recovered (0 for a step
    that recovered nothing yet, e.g. filing a lawsuit)."""

    __tablename__ = "guarantee_recovery_actions"
    __table_args__ = (_fk("receivable_id", "guarantee_compensation_receivables"),
                      _fk("project_id", "guarantee_projects"),
                      Index("ix_guarantee_recovery_actions_receivable", "tenant_id", "receivable_id"))

    receivable_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    project_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    kind: Mapped[str] = mapped_column(String(24))  # one of RECOVERY_KINDS
    action_date: Mapped[dt.date] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(String(1000), default="")
    amount: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    created_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
