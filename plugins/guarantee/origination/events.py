"""Domain events of origination (past tense): an application submitted, the approval decided. Payloads carry
ids, kinds and amounts (Decimal), never personal data. Finance (vouchers) and regulatory plugins consume them."""

from __future__ import annotations

import dataclasses
import uuid
from decimal import Decimal

from surety.core.events import DomainEvent


@dataclasses.dataclass(frozen=True, kw_only=True)
class GuaranteeApplicationSubmitted(DomainEvent):
    project_id: uuid.UUID
    project_no: str
    customer_id: uuid.UUID
    amount: Decimal


@dataclasses.dataclass(frozen=True, kw_only=True)
class GuaranteeProjectDecided(DomainEvent):
    """The approval ended: ``result`` is approved, rejected or withdrawn."""

    project_id: uuid.UUID
    project_no: str
    result: str
    amount: Decimal
    conditions: tuple[str, ...] = ()
