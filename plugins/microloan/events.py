"""Domain events of the microloan plugin (past tense), one for every money movement, raised with
``surety.core.events.raise_event`` inside the transaction that moves the money: the finance plugin writes its voucher
in the same transaction (a failing voucher rolls the movement back). Below every area; docs/microloan/README.md,
"Events", lists them with their fields. Amounts are yuan (Decimal, to the fen).

Per-loan events: disbursement, repayment (with its split), reversal, write-off, recovery. The day-end batch raises one
event per tenant and business date with the day's totals (accrual, penalty and compound interest; the provision
change): a voucher per loan per day would bury the ledger.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from decimal import Decimal

from surety.core.events import DomainEvent

ZERO = Decimal("0.00")


@dataclasses.dataclass(frozen=True, kw_only=True)
class MicroloanDisbursed(DomainEvent):
    """The loan was paid out: ``amount`` lent, ``upfront_fee`` deducted from it (the borrower receives the rest)."""

    loan_id: uuid.UUID
    loan_no: str
    customer_id: uuid.UUID
    amount: Decimal
    upfront_fee: Decimal
    disbursed_on: dt.date


@dataclasses.dataclass(frozen=True, kw_only=True)
class MicroloanRepaid(DomainEvent):
    """A repayment of ``amount`` was posted and split: ``principal + interest + fees + penalty + costs + held ==
    amount`` (``held``: the overpayment kept for later)."""

    loan_id: uuid.UUID
    loan_no: str
    customer_id: uuid.UUID
    repayment_id: uuid.UUID
    received_on: dt.date
    amount: Decimal
    principal: Decimal = ZERO
    interest: Decimal = ZERO
    fees: Decimal = ZERO
    penalty: Decimal = ZERO
    costs: Decimal = ZERO
    held: Decimal = ZERO


@dataclasses.dataclass(frozen=True, kw_only=True)
class MicroloanRepaymentReversed(MicroloanRepaid):
    """A mistaken repayment was reversed: the fields repeat the reversed repayment's split (positive figures);
    ``reversal_of`` is that repayment, ``repayment_id`` the reversal's own record."""

    reversal_of: uuid.UUID


@dataclasses.dataclass(frozen=True, kw_only=True)
class MicroloanInterestAccrued(DomainEvent):
    """The day-end batch of ``business_date`` accrued, over all the tenant's loans: contract ``interest``, ``penalty``
    interest on overdue principal and ``compound`` interest on overdue interest."""

    business_date: dt.date
    interest: Decimal
    penalty: Decimal
    compound: Decimal


@dataclasses.dataclass(frozen=True, kw_only=True)
class MicroloanProvisionAdjusted(DomainEvent):
    """The loss provision over all the tenant's loans moved by ``delta`` on ``business_date`` (negative: released),
    ``total`` after it."""

    business_date: dt.date
    delta: Decimal
    total: Decimal


@dataclasses.dataclass(frozen=True, kw_only=True)
class MicroloanWrittenOff(DomainEvent):
    """An approved write-off (核销) took the loan's ``principal`` and ``interest`` off the books (still owed)."""

    loan_id: uuid.UUID
    loan_no: str
    customer_id: uuid.UUID
    written_off_on: dt.date
    principal: Decimal
    interest: Decimal


@dataclasses.dataclass(frozen=True, kw_only=True)
class MicroloanRecovered(DomainEvent):
    """Money recovered on a written-off loan (核销后收回)."""

    loan_id: uuid.UUID
    loan_no: str
    customer_id: uuid.UUID
    recovered_on: dt.date
    amount: Decimal
