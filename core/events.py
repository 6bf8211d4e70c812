"""Domain events: raised by services, dispatched to the tenant's enabled plugins inside the writing transaction,
and kept in the outbox for asynchronous consumers."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from decimal import Decimal
from typing import Any, ClassVar

from sqlalchemy.orm import Session

from surety.core.db.session import session_tenant
from surety.core.errors import TenantNotBound
from surety.core.events_models import OutboxEvent
from surety.core.plugins import get_registry
from surety.tenants.models import Tenant


@dataclasses.dataclass(frozen=True, kw_only=True)
class DomainEvent:
    """Base of every domain event. Name subclasses in the past tense (``GuaranteeFeeReceived``)."""

    name: ClassVar[str] = ""
    tenant_id: uuid.UUID | None = None
    occurred_at: dt.datetime = dataclasses.field(default_factory=lambda: dt.datetime.now(dt.UTC))

    @property
    def event_type(self) -> str:
        return self.name or type(self).__name__

    def payload(self) -> dict[str, Any]:
        return {
            f.name: jsonable(getattr(self, f.name))
            for f in dataclasses.fields(self)
            if f.name not in ("tenant_id", "occurred_at")
        }


def jsonable(value: Any) -> Any:
    """``value`` with Decimals, UUIDs and dates as strings, recursively: ready for a JSON column."""
    if isinstance(value, (Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    return value


def enabled_plugins(session: Session, tenant_id: uuid.UUID) -> list[str]:
    """Plugins enabled for ``tenant_id`` (cached on the session)."""
    cache = session.info.setdefault("enabled_plugins", {})
    if tenant_id not in cache:
        tenant = session.get(Tenant, tenant_id)
        cache[tenant_id] = list(tenant.enabled_plugins) if tenant else []
    return cache[tenant_id]


def raise_event(session: Session, event: DomainEvent) -> DomainEvent:
    """Dispatch ``event`` to the enabled plugins' ``surety_handle_event`` and append it to the outbox, all in the
    session's current transaction: the business fact and every reaction to it commit or fail together."""

    tenant = session_tenant(session)
    if not isinstance(tenant, uuid.UUID):
        raise TenantNotBound("domain events are raised in a tenant session")
    if event.tenant_id is None:
        event = dataclasses.replace(event, tenant_id=tenant)
    elif event.tenant_id != tenant:
        raise TenantNotBound("event tenant differs from the session's tenant")
    # The enabled plugins first: reading them (once per session) may flush, and the outbox row should still be
    # pending when the handlers run, so a handler that wants it finds it in the session without a query.
    caller = get_registry().hook_for("surety_handle_event", enabled_plugins(session, tenant))
    session.add(OutboxEvent(event_type=event.event_type, payload=event.payload(), occurred_at=event.occurred_at))
    caller(session=session, event=event)
    return event
