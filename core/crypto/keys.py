"""Creating and destroying a tenant's keys.

Each tenant has a data key (encrypts fields; versioned, rotated by :mod:`surety.core.crypto.rotate`) and a
blind-index key (HMAC of searchable fields). Both are 32 random bytes stored wrapped by the KEK
(:mod:`surety.core.crypto.envelope`). Deleting a tenant's keys makes its encrypted data unreadable.
"""

from __future__ import annotations

import os
import uuid

from sqlalchemy import delete, event, func, select
from sqlalchemy.orm import Session

from surety.core.crypto.envelope import KEY_BYTES, wrap_key
from surety.core.crypto.keyring import STATUS_ACTIVE, keyring
from surety.core.crypto.models import KEY_DATA, KEY_INDEX, TenantKey
from surety.core.db.session import session_tenant
from surety.core.errors import TenantNotBound
from surety.core.settings import get_settings


def _bound_tenant(session: Session) -> uuid.UUID:
    tenant = session_tenant(session)
    if not isinstance(tenant, uuid.UUID):
        raise TenantNotBound(f"tenant keys need a session bound to a tenant, not {tenant!r}")
    return tenant


def _invalidate_on_rollback(session: Session, tenant_id: uuid.UUID) -> None:
    """Keys cached from this session's uncommitted work are forgotten if it rolls back."""
    event.listen(session, "after_soft_rollback", lambda *_: keyring.invalidate(tenant_id))


def add_key(session: Session, purpose: str, version: int) -> TenantKey:
    """Add a new random key of ``purpose`` and ``version`` to the session's tenant, wrapped with the current KEK."""

    tenant_id = _bound_tenant(session)
    settings = get_settings()
    wrapped = wrap_key(settings.kek, os.urandom(KEY_BYTES), tenant_id=tenant_id, purpose=purpose, version=version)
    row = TenantKey(tenant_id=tenant_id, purpose=purpose, version=version, wrapped_key=wrapped,
                    kek_id=settings.kek_id, status=STATUS_ACTIVE)
    session.add(row)
    return row


def create_tenant_keys(session: Session) -> None:
    """Create the first data key and blind-index key of the session's tenant (idempotent) and cache them."""
    tenant_id = _bound_tenant(session)
    present = set(session.scalars(select(TenantKey.purpose).where(TenantKey.status == STATUS_ACTIVE)))
    for purpose in (KEY_DATA, KEY_INDEX):
        if purpose not in present:
            latest = session.scalar(select(func.max(TenantKey.version)).where(TenantKey.purpose == purpose))
            add_key(session, purpose, (latest or 0) + 1)
    session.flush()
    _invalidate_on_rollback(session, tenant_id)
    keyring.load(session, tenant_id)


def destroy_tenant_keys(session: Session) -> int:
    """Delete every key of the session's tenant (crypto-shredding its encrypted data). Returns keys deleted."""
    tenant_id = _bound_tenant(session)
    count = session.execute(delete(TenantKey)).rowcount
    keyring.invalidate(tenant_id)
    # Another thread may reload the still-committed keys before this commits: forget them again afterwards.
    event.listen(session, "after_commit", lambda *_: keyring.invalidate(tenant_id))
    return count
