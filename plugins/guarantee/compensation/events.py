"""Domain events of compensation (代偿) and recovery (追偿), in the style of ``events.py``: ids, kinds, amounts
(Decimal) and dates, never personal data. Finance (vouchers) and regulatory reports consume them."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from decimal import Decimal

from surety.core.events import DomainEvent


@dataclasses.dataclass(frozen=True, kw_only=True)
class GuaranteeCompensationPaid(DomainEvent):
    """The company paid the bank on its claim: ``amount`` is what the company paid (its liability, the claim less
    the bank's risk share ``bank_share``); the claim's components are ``principal``, ``interest`` and ``penalty``
    (summing to ``claimed_amount``). The in-force balance dropped by ``principal`` (now ``in_force_balance``), a
    receivable of ``amount`` was opened, and the project's status is ``project_status`` (``compensated`` once no
    principal remains in force)."""

    project_id: uuid.UUID
    compensation_id: uuid.UUID
    receivable_id: uuid.UUID
    bank_id: uuid.UUID | None
    amount: Decimal
    paid_on: dt.date
    in_force_balance: Decimal
    #: The claim's figures (None when an event is made without them, e.g. by a test of another area).
    claimed_amount: Decimal | None = None
    principal: Decimal | None = None
    interest: Decimal | None = None
    penalty: Decimal | None = None
    bank_share: Decimal | None = None
    project_status: str = ""


@dataclasses.dataclass(frozen=True, kw_only=True)
class GuaranteeRecovered(DomainEvent):
    """Money recovered from the customer or collateral against a compensation receivable."""

    project_id: uuid.UUID
    receivable_id: uuid.UUID
    action_id: uuid.UUID
    kind: str
    amount: Decimal
    recovered_on: dt.date
    outstanding: Decimal


@dataclasses.dataclass(frozen=True, kw_only=True)
class GuaranteeLossWrittenOff(DomainEvent):
    """The remainder of a compensation receivable was written off as a loss; the receivable is closed."""

    project_id: uuid.UUID
    receivable_id: uuid.UUID
    amount: Decimal
    written_off_on: dt.date
