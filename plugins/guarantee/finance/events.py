"""Domain events of the finance area (past tense): fees received and refunded, the loan confirmed (the guarantee
took effect). Payloads carry ids, kinds and amounts (Decimal), never personal data. Finance (vouchers) and
regulatory plugins consume them."""

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
    """The bank confirmed the loan: the guarantee is in force from ``effective_date`` for ``in_force_balance``."""

    project_id: uuid.UUID
    project_no: str
    customer_id: uuid.UUID
    bank_id: uuid.UUID | None
    loan_amount: Decimal
    in_force_balance: Decimal
    effective_date: dt.date
    loan_end_date: dt.date
