"""Domain events of the documents area (past tense): a contract signed. Ids and kinds only, never personal data."""

from __future__ import annotations

import dataclasses
import uuid

from surety.core.events import DomainEvent


@dataclasses.dataclass(frozen=True, kw_only=True)
class GuaranteeContractSigned(DomainEvent):
    project_id: uuid.UUID
    contract_id: uuid.UUID
    contract_type: str
