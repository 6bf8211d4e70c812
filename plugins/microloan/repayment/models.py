"""Tables of repayments: each posting (an ordinary repayment, a prepayment or the reversal of one) with its split by
component, and its lines (which installment got how much of which component), so a reversal undoes exactly what the
posting did (docs/microloan/repayments.md)."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from sqlalchemy import Boolean, Date, ForeignKeyConstraint, Index, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from surety.core.db.base import Base, TenantScoped
from surety.core.db.types import Money, UTCDateTime, utcnow

ZERO = Decimal("0.00")


class MicroloanRepayment(TenantScoped, Base):
    """Money received on a loan and how it was applied. ``kind``: ``repayment``, ``prepayment`` (提前还款, with its
    ``prepay_mode``) or ``reversal`` (冲正: the record of reversing ``reversal_of``). ``status``: ``posted`` or
    ``reversed`` (then ``reversed_by_id`` is the reversal's record).

    The split: ``principal + interest + fees + penalty + costs + held == amount``. ``held`` is the change of the
    loan's held money (overpayment kept for later): positive when this posting kept some, negative when it applied
    ``held_applied`` of the money held before (then the components add up to the amount plus that money).
    """

    __tablename__ = "microloan_repayments"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "loan_id"], ["microloan_loans.tenant_id", "microloan_loans.id"],
                             name="fk_microloan_repayments_loan"),
        ForeignKeyConstraint(["tenant_id", "reversal_of"],
                             ["microloan_repayments.tenant_id", "microloan_repayments.id"],
                             name="fk_microloan_repayments_reversal_of"),
        Index("ix_microloan_repayments_loan", "tenant_id", "loan_id", "received_on"),
    )

    loan_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    kind: Mapped[str] = mapped_column(String(20), default="repayment")
    #: Business date the money was received (a reversal: the reversed posting's date).
    received_on: Mapped[dt.date] = mapped_column(Date)
    #: Money received (yuan).
    amount: Mapped[Decimal] = mapped_column(Money)
    principal: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    interest: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    fees: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    penalty: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    costs: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    #: Change of the loan's held money (negative: held money applied).
    held: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    #: Money held before that this posting applied (0 unless asked for, or a prepayment).
    held_applied: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    #: A prepayment's mode (``shorten_term`` or ``lower_installment``) and the schedule revisions before and after.
    prepay_mode: Mapped[str | None] = mapped_column(String(20), nullable=True)
    revision_before: Mapped[int | None] = mapped_column(Integer, nullable=True)
    revision_after: Mapped[int | None] = mapped_column(Integer, nullable=True)
    #: This posting settled the loan (a reversal reopens it).
    settled_loan: Mapped[bool] = mapped_column(Boolean, default=False)
    #: How the money came (bank transfer, cash, ...) and the bank's reference; free text.
    channel: Mapped[str] = mapped_column(String(20), default="")
    reference: Mapped[str] = mapped_column(String(100), default="")
    #: The client's idempotency key of the request that posted it (None: sent without one).
    client_key: Mapped[str | None] = mapped_column(String(128), nullable=True)
    status: Mapped[str] = mapped_column(String(20), default="posted")
    reversal_of: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    reversed_by_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    #: Why a reversal was made (on the reversal's record).
    reason: Mapped[str] = mapped_column(String(200), default="")
    created_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class MicroloanRepaymentLine(TenantScoped, Base):
    """What a posting paid of one component of one installment (``installment_id`` None: the loan's costs, tied to
    no installment). ``revision`` and ``period`` name the installment as it was: a reversed prepayment deletes the
    installments it booked, so ``installment_id`` has no foreign key."""

    __tablename__ = "microloan_repayment_lines"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "repayment_id"],
                             ["microloan_repayments.tenant_id", "microloan_repayments.id"],
                             name="fk_microloan_repayment_lines_repayment"),
        Index("ix_microloan_repayment_lines_repayment", "tenant_id", "repayment_id"),
    )

    repayment_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    installment_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    revision: Mapped[int | None] = mapped_column(Integer, nullable=True)
    period: Mapped[int | None] = mapped_column(Integer, nullable=True)
    #: A key of conventions.COMPONENTS.
    component: Mapped[str] = mapped_column(String(20))
    amount: Mapped[Decimal] = mapped_column(Money)
