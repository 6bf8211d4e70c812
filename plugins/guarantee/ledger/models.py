"""Ledger (台账) tables of the ``guarantee`` plugin (see models.py for the conventions): one entry per business fact
with money in it (fee received or refunded, loan, repayment, release, compensation, recovery, write-off), written from
the plugin's own events, then confirmed by the project manager, the risk officer and finance in turn."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from sqlalchemy import Date, ForeignKeyConstraint, Index, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from surety.core.db.base import Base, TenantScoped
from surety.core.db.types import Money, UTCDateTime, utcnow

#: Confirmation stages in order; ``confirmed`` is the last.
STAGE_MANAGER = "manager"
STAGE_RISK = "risk"
STAGE_FINANCE = "finance"
STAGE_CONFIRMED = "confirmed"
STAGES = (STAGE_MANAGER, STAGE_RISK, STAGE_FINANCE, STAGE_CONFIRMED)
#: The stage each confirmation moves an entry to.
NEXT_STAGE = {STAGE_MANAGER: STAGE_RISK, STAGE_RISK: STAGE_FINANCE, STAGE_FINANCE: STAGE_CONFIRMED}

#: Entry kinds (``kind``), each written from one event (see ledger.py).
KIND_REVIEW_FEE = "review_fee"        # GuaranteeFeeReceived, fee_type review_fee
KIND_GUARANTEE_FEE = "guarantee_fee"  # GuaranteeFeeReceived, fee_type guarantee_fee
KIND_MARGIN_IN = "margin_in"          # GuaranteeFeeReceived, fee_type margin
KIND_FEE_REFUND = "fee_refund"        # GuaranteeFeeRefunded, fee_type review_fee or guarantee_fee (in ``detail``)
KIND_MARGIN_OUT = "margin_out"        # GuaranteeFeeRefunded, fee_type margin
KIND_LOAN = "loan"                    # GuaranteeTookEffect: the loan amount
KIND_REPAYMENT = "repayment"          # GuaranteeRepaymentRecorded
KIND_RELEASE = "release"              # GuaranteeReleased: the released amount (``detail``: full or partial)
KIND_COMPENSATION = "compensation"    # GuaranteeCompensationPaid: the company's payment, with the claim's components
KIND_RECOVERY = "recovery"            # GuaranteeRecovered (``detail``: the recovery kind)
KIND_WRITE_OFF = "write_off"          # GuaranteeLossWrittenOff (source: the receivable)
KINDS = (KIND_REVIEW_FEE, KIND_GUARANTEE_FEE, KIND_MARGIN_IN, KIND_FEE_REFUND, KIND_MARGIN_OUT, KIND_LOAN,
         KIND_REPAYMENT, KIND_RELEASE, KIND_COMPENSATION, KIND_RECOVERY, KIND_WRITE_OFF)


def _fk(column: str, table: str, ondelete: str | None = None) -> ForeignKeyConstraint:
    return ForeignKeyConstraint(["tenant_id", column], [f"{table}.tenant_id", f"{table}.id"], ondelete=ondelete)


class GuaranteeLedgerEntry(TenantScoped, Base):
    """One ledger entry of a project. ``source_type``/``source_id`` name the row the fact came from (a receipt, a
    release...): unique, so an event handled twice writes one entry."""

    __tablename__ = "guarantee_ledger_entries"
    __table_args__ = (UniqueConstraint("tenant_id", "source_type", "source_id"),
                      _fk("project_id", "guarantee_projects"),
                      Index("ix_guarantee_ledger_entries_project", "tenant_id", "project_id", "entry_date"),
                      Index("ix_guarantee_ledger_entries_stage", "tenant_id", "stage"))

    project_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    kind: Mapped[str] = mapped_column(String(24))
    amount: Mapped[Decimal] = mapped_column(Money)
    entry_date: Mapped[dt.date] = mapped_column(Date)
    source_type: Mapped[str] = mapped_column(String(40))
    source_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    #: What further qualifies the kind: the fee type of a fee refund, full/partial of a release, the kind of a
    #: recovery action ("" otherwise).
    detail: Mapped[str] = mapped_column(String(24), default="")
    #: A compensation entry's components (the bank's claim: principal + interest + penalty) and the bank's risk
    #: share of it; ``amount`` is what the company paid (claim - bank share). None on other kinds.
    principal: Mapped[Decimal | None] = mapped_column(Money, nullable=True)
    interest: Mapped[Decimal | None] = mapped_column(Money, nullable=True)
    penalty: Mapped[Decimal | None] = mapped_column(Money, nullable=True)
    bank_share: Mapped[Decimal | None] = mapped_column(Money, nullable=True)
    stage: Mapped[str] = mapped_column(String(10), default=STAGE_MANAGER)  # one of STAGES
    manager_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    manager_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    risk_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    risk_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    finance_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    finance_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
