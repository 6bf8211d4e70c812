"""Domain events of repayments and release (解保) of guarantees (past tense; ids, kinds and Decimal amounts, never
personal data). Finance (vouchers: margin refund, in-force balance) and regulatory reports consume them."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from decimal import Decimal

from surety.core.events import DomainEvent


@dataclasses.dataclass(frozen=True, kw_only=True)
class GuaranteeRepaymentRecorded(DomainEvent):
    """The bank reported a repayment: the in-force balance went down by ``amount`` to ``balance_after``."""

    project_id: uuid.UUID
    repayment_id: uuid.UUID
    amount: Decimal
    balance_after: Decimal
    repaid_on: dt.date


@dataclasses.dataclass(frozen=True, kw_only=True)
class GuaranteeReleased(DomainEvent):
    """The guarantee was released: ``kind`` full (project ``released``) or partial; ``released_amount`` the released
    amount (解保金额: the guaranteed amount discharged, for a full release the balance plus what repayments paid off
    before it), ``balance_released`` what came off the in-force balance (to ``balance_after``), ``line_released``
    given back to the bank's credit line, ``margin_refunded`` paid back."""

    project_id: uuid.UUID
    project_no: str
    release_id: uuid.UUID
    kind: str
    released_amount: Decimal
    balance_released: Decimal
    balance_after: Decimal
    line_released: Decimal
    margin_refunded: Decimal
    released_on: dt.date
