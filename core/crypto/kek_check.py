"""Start-up check that this process holds the KEK every stored tenant key is wrapped with.

A production process configured with the wrong ``SURETY_KEK_ID`` (or the wrong ``SURETY_KEK`` under the right id)
would start, serve, and fail on the first encrypted field of every tenant. :func:`check_kek` makes it refuse to
start instead, naming the ids involved. It reads each tenant's ``tenant_keys`` in that tenant's session (row-level
security lets the application role see no other way): one small query per tenant, once per process start.
"""

from __future__ import annotations

import uuid
from collections import Counter

from sqlalchemy import select

from surety.core.crypto.envelope import _extra_keks, unwrap_key
from surety.core.crypto.errors import KeyUnavailable
from surety.core.crypto.models import TenantKey
from surety.core.db.session import Database, get_database
from surety.core.errors import ConfigurationError
from surety.core.settings import Settings, get_settings
from surety.tenants.models import Tenant


def held_kek_ids(settings: Settings) -> set[str]:
    """The KEK ids this process can unwrap with: the configured one and any added with ``add_kek``."""
    return {settings.kek_id, *_extra_keks}


def stored_kek_ids(db: Database) -> Counter:
    """``{kek id: number of wrapped keys}`` over every tenant."""

    with db.platform_session() as s:
        tenant_ids = list(s.scalars(select(Tenant.id)))
    found: Counter = Counter()
    for tenant_id in tenant_ids:
        with db.tenant_session(tenant_id) as s:
            found.update(s.scalars(select(TenantKey.kek_id)))
    return found


def _sample(db: Database, kek_id: str) -> TenantKey | None:
    """One stored key wrapped under ``kek_id`` (to check that the configured KEK really unwraps it)."""

    with db.platform_session() as s:
        tenant_ids = list(s.scalars(select(Tenant.id)))
    for tenant_id in tenant_ids:
        with db.tenant_session(tenant_id) as s:
            row = s.scalar(select(TenantKey).where(TenantKey.kek_id == kek_id).limit(1))
            if row is not None:
                return row
    return None


def check_kek(settings: Settings | None = None, db: Database | None = None) -> None:
    """In production, raise :class:`ConfigurationError` when a stored tenant key is wrapped with a KEK id this
    process does not hold, or when the configured KEK does not unwrap a key recorded under its own id. Other
    environments are not checked (development keys come and go with ``var/``)."""
    settings = settings or get_settings()
    if not settings.production:
        return
    db = db or get_database()
    stored = stored_kek_ids(db)
    unknown = sorted(set(stored) - held_kek_ids(settings))
    if unknown:
        counts = ", ".join(f"{kek_id!r} ({stored[kek_id]} keys)" for kek_id in unknown)
        raise ConfigurationError(
            f"Refusing to start: SURETY_KEK_ID is {settings.kek_id!r}, but tenant keys in the database are wrapped "
            f"with KEK id {counts}. Configure the KEK those keys were wrapped with (SURETY_KEK and SURETY_KEK_ID), "
            "or finish rewrapping them (docs/encryption.md, Operator steps)."
        )
    row = _sample(db, settings.kek_id) if settings.kek_id in stored else None
    if row is not None:
        try:
            unwrap_key(settings.kek, row.wrapped_key, tenant_id=uuid.UUID(str(row.tenant_id)), purpose=row.purpose,
                       version=row.version)
        except KeyUnavailable as exc:
            raise ConfigurationError(
                f"Refusing to start: the configured SURETY_KEK does not unwrap tenant keys recorded under KEK id "
                f"{settings.kek_id!r} (SURETY_KEK_ID): it is not the key those were wrapped with."
            ) from exc
