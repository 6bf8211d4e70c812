"""Domain events of the ``customers`` plugin (past tense). Payloads carry ids and kinds, never personal data."""

from __future__ import annotations

import dataclasses
import uuid

from surety.core.events import DomainEvent


@dataclasses.dataclass(frozen=True, kw_only=True)
class CustomerCreated(DomainEvent):
    customer_id: uuid.UUID
    kind: str
    owner_id: uuid.UUID | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class CustomerUpdated(DomainEvent):
    customer_id: uuid.UUID
    version: int
    fields: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True, kw_only=True)
class CustomerDeleted(DomainEvent):
    customer_id: uuid.UUID


@dataclasses.dataclass(frozen=True, kw_only=True)
class CustomerBlacklisted(DomainEvent):
    customer_id: uuid.UUID
    entry_id: uuid.UUID
    list_type: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class CustomerListEntryRemoved(DomainEvent):
    customer_id: uuid.UUID
    entry_id: uuid.UUID
    list_type: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class CustomerRelationAdded(DomainEvent):
    from_customer_id: uuid.UUID
    to_customer_id: uuid.UUID
    relation_type: str
    source: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class CustomerCollisionFlagged(DomainEvent):
    customer_id: uuid.UUID
    user_id: uuid.UUID | None
    other_user_id: uuid.UUID | None
    business: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class CustomersImported(DomainEvent):
    count: int
