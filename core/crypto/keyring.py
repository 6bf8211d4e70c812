"""The in-process keyring: each tenant's unwrapped keys, cached so that encrypting or decrypting a field costs no
database round trip.

A tenant's entry is loaded on first use (through :func:`surety.core.db.session.get_database`, in its own tenant
session) or primed from the caller's session by :func:`surety.core.crypto.keys.create_tenant_keys`. Entries expire
after ``ttl`` seconds so that a rotation done by another process is picked up; a ciphertext naming a key version the
entry lacks forces an immediate reload. Rotation, rewrapping and destruction call :meth:`Keyring.invalidate`.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import select
from sqlalchemy.orm import Session

from surety.core.crypto.envelope import kek_for, unwrap_key
from surety.core.crypto.errors import KeyUnavailable
from surety.core.crypto.models import KEY_DATA, KEY_INDEX, TenantKey
from surety.core.db.session import get_database

STATUS_ACTIVE = "active"
STATUS_RETIRED = "retired"


@dataclass(frozen=True)
class TenantKeys:
    """One tenant's unwrapped keys. ``ciphers`` holds every data-key version still stored (active and retired);
    new ciphertexts use ``active_version``. ``index_mac`` is a keyed HMAC-SHA256 to ``copy()`` per use."""

    tenant_id: uuid.UUID
    ciphers: Mapping[int, AESGCM]
    active_version: int
    index_mac: hmac.HMAC
    loaded_at: float


def build_tenant_keys(tenant_id: uuid.UUID, rows: list[TenantKey]) -> TenantKeys:
    """Unwrap ``rows`` (the tenant's TenantKey rows) into a :class:`TenantKeys`."""
    ciphers: dict[int, AESGCM] = {}
    active: list[int] = []
    index_key: bytes | None = None
    index_version = -1
    for row in rows:
        key = unwrap_key(kek_for(row.kek_id), row.wrapped_key, tenant_id=tenant_id, purpose=row.purpose,
                         version=row.version)
        if row.purpose == KEY_DATA:
            ciphers[row.version] = AESGCM(key)
            if row.status == STATUS_ACTIVE:
                active.append(row.version)
        elif row.purpose == KEY_INDEX and row.status == STATUS_ACTIVE and row.version > index_version:
            index_key, index_version = key, row.version
    if not active or index_key is None:
        raise KeyUnavailable(f"tenant {tenant_id} has no active data and index keys")
    return TenantKeys(tenant_id, ciphers, max(active), hmac.new(index_key, digestmod=hashlib.sha256),
                      time.monotonic())


class Keyring:
    """Per-tenant cache of unwrapped keys (one per process: :data:`keyring`)."""

    def __init__(self, ttl: float = 300.0):
        self.ttl = ttl
        self._cache: dict[uuid.UUID, TenantKeys] = {}
        self._generation = 0  # bumped by every invalidation; a load started before one is not cached
        self._lock = threading.Lock()  # request threads load and invalidate concurrently
        #: Number of loads from the database (tests use it to check that cached lookups cost no round trip).
        self.loads = 0

    def get(self, tenant_id: uuid.UUID) -> TenantKeys:
        keys = self._cache.get(tenant_id)
        if keys is None or time.monotonic() - keys.loaded_at > self.ttl:
            keys = self._load_from_database(tenant_id)
        return keys

    def cipher(self, tenant_id: uuid.UUID, version: int) -> AESGCM:
        """The data-key cipher of ``version``, reloading once when the cached entry does not have it."""
        cipher = self.get(tenant_id).ciphers.get(version)
        if cipher is None:
            cipher = self._load_from_database(tenant_id).ciphers.get(version)
            if cipher is None:
                raise KeyUnavailable(f"tenant {tenant_id} has no data key version {version}")
        return cipher

    def load(self, session: Session, tenant_id: uuid.UUID) -> TenantKeys:
        """Load ``tenant_id``'s keys through ``session`` (bound to that tenant) and cache them."""
        generation = self._generation
        self.loads += 1
        rows = list(session.scalars(select(TenantKey)))
        keys = build_tenant_keys(tenant_id, [r for r in rows if r.tenant_id == tenant_id])
        with self._lock:
            if self._generation == generation:  # not invalidated while loading
                self._cache[tenant_id] = keys
        return keys

    def _load_from_database(self, tenant_id: uuid.UUID) -> TenantKeys:
        with get_database().tenant_session(tenant_id) as session:
            return self.load(session, tenant_id)

    def invalidate(self, tenant_id: uuid.UUID | None = None) -> None:
        """Forget one tenant's keys (or every tenant's): the next use reloads them from the database."""
        with self._lock:
            self._generation += 1
            if tenant_id is None:
                self._cache.clear()
            else:
                self._cache.pop(tenant_id, None)

    def cached(self, tenant_id: uuid.UUID) -> bool:
        return tenant_id in self._cache


#: The process-wide keyring.
keyring = Keyring()
