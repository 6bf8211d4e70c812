"""Per-process cache of each tenant's enabled plugins, read on every API request."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable

from sqlalchemy.orm import Session

from surety.core.db.session import Database
from surety.tenants.models import Tenant

TTL_SECONDS = 5.0
_cache: dict[uuid.UUID, tuple[float, tuple[str, ...]]] = {}
_epoch = 0  # bumped by every forget(): a read that started before a change is not cached
_lock = threading.Lock()


def enabled_plugins(db: Database, tenant_id: uuid.UUID, *,
                    session_for: Callable[[uuid.UUID], Session] | None = None) -> tuple[str, ...]:
    """The tenant's enabled plugin keys; cached for a few seconds (other processes see a change within the TTL,
    this process at once: :func:`forget` is called by every change). ``session_for(tenant_id)``, when given,
    supplies the begun session of the tenant to read the row in (the request's own, core/web.py) instead of a
    transaction of its own; it is not called when the cache answers."""
    now = time.monotonic()
    hit = _cache.get(tenant_id)
    if hit and now - hit[0] < TTL_SECONDS:
        return hit[1]
    started = _epoch
    if session_for is None:
        with db.platform_session() as s:
            value = _plugins_of(s, tenant_id)
    else:
        value = _plugins_of(session_for(tenant_id), tenant_id)
    with _lock:
        if _epoch == started:
            _cache[tenant_id] = (now, value)
    return value


def _plugins_of(session: Session, tenant_id: uuid.UUID) -> tuple[str, ...]:
    tenant = session.get(Tenant, tenant_id)
    return tuple(tenant.enabled_plugins) if tenant else ()


def forget(tenant_id: uuid.UUID | None = None) -> None:
    global _epoch
    with _lock:
        _epoch += 1
        if tenant_id is None:
            _cache.clear()
        else:
            _cache.pop(tenant_id, None)
