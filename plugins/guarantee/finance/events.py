"""Domain events of the finance area (past tense): fees received and refunded, the guarantee took effect (the loan
confirmed, or a non-financing letter of guarantee issued). Payloads carry ids, kinds and amounts (Decimal), never
personal data. Finance (vouchers) and regulatory plugins consume them."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from decimal import Decimal

from surety.core.events import DomainEvent


@dataclasses.dataclass(frozen=True, kw_only=True)
class GuaranteeFeeReceived(DomainEvent):
    """A receipt: ``fee_type`` is guarantee_fee, review_fee or margin."""

    project_id: uuid.UUID
    receipt_id: uuid.UUID
    fee_type: str
    amount: Decimal
    received_on: dt.date


@dataclasses.dataclass(frozen=True, kw_only=True)
class GuaranteeFeeRefunded(DomainEvent):
    project_id: uuid.UUID
    refund_id: uuid.UUID
    fee_type: str
    amount: Decimal
    refunded_on: dt.date


@dataclasses.dataclass(frozen=True, kw_only=True)
class GuaranteeTookEffect(DomainEvent):
    """The guarantee is in force from ``effective_date`` for ``in_force_balance``: the bank confirmed the loan
    (``category`` financing; ``loan_amount`` the loan, ``loan_end_date`` its end) or a non-financing letter of
    guarantee was issued (``category`` non_financing; ``loan_amount`` then carries the guaranteed sum of the letter,
    the amount the guarantee took effect for, ``loan_end_date`` is None and ``expiry_date`` is the letter's expiry,
    after which no claim is accepted)."""

    project_id: uuid.UUID
    project_no: str
    customer_id: uuid.UUID
    bank_id: uuid.UUID | None
    loan_amount: Decimal
    in_force_balance: Decimal
    effective_date: dt.date
    loan_end_date: dt.date | None
    category: str = "financing"
    expiry_date: dt.date | None = None
