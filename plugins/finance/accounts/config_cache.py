"""A process-wide cache of each tenant's finance configuration: its active voucher rules (``rules.services.rule_for``)
and its chart of accounts (``accounts.services.chart``), so a warm money mutation reads neither
(docs/finance/README.md, "Benchmarks").

The pattern is core/authz/enforcer.py's:

- Version: ``FinanceChart.config_version`` (one row per tenant) is bumped by :func:`changed` in the transaction of
  every change of an account or a voucher rule (and of installing a chart).
- Recheck: a cached entry compares its version with the database at most once per session (one session serves one
  request) and no more often than every ``recheck_seconds`` (default 1 s) per tenant and process; a change made by
  another process is therefore seen within ``recheck_seconds`` (``configure(recheck_seconds=0)``: once per request).
- Local changes: a transaction that called :func:`changed` reads its own (uncommitted) configuration into the
  session, never into the process cache; when it ends (commit, rollback or close) the tenant's entry is dropped and
  so are the session's copies: after a commit the next reader loads the new configuration, after a rollback
  nothing the transaction read was cached.
- A tenant without a chart row (no template installed) has no version: its configuration is read once per session,
  as it was before this cache.

Cached values are read-only (``MappingProxyType``, frozen dataclasses): callers never change them.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import event, select, update
from sqlalchemy.orm import Session, SessionTransaction

from surety.core.db.session import session_tenant
from surety.plugins.finance.accounts.models import FinanceChart

T = TypeVar("T")

_CHECKED = "surety.finance.config.checked"  # tenants whose version this session compared
_DIRTY = "surety.finance.config.dirty"  # tenants whose configuration this transaction changed
_LOCAL = "surety.finance.config.local"  # (tenant, part) -> value read in this session, not cached in the process
_HOOKED = "surety.finance.config.hooked"


def read_version(session: Session) -> int | None:
    """The tenant's finance configuration version; None when it has no chart row yet."""
    return session.scalar(select(FinanceChart.config_version))


class _Entry:
    __slots__ = ("version", "checked_at", "parts")

    def __init__(self, version: int):
        self.version = version
        self.checked_at = time.monotonic()
        self.parts: dict[str, Any] = {}


class ConfigCache:
    """An LRU of at most ``max_tenants`` tenants' configurations, safe to share between threads."""

    def __init__(self, max_tenants: int = 2048, recheck_seconds: float = 1.0):
        self.max_tenants = max_tenants
        self.recheck_seconds = recheck_seconds
        self._entries: OrderedDict[uuid.UUID, _Entry] = OrderedDict()
        self._epoch = 0  # bumped by every invalidation: a load begun before one is not kept
        self._lock = threading.Lock()
        self.loads = 0  # parts loaded into the process cache (tests, benchmarks)
        self.version_reads = 0

    def get(self, session: Session, tenant: uuid.UUID, part: str, loader: Callable[[Session], T]) -> T:
        with self._lock:
            entry = self._entries.get(tenant)
            if entry is not None:
                self._entries.move_to_end(tenant)
            epoch = self._epoch
        checked = session.info.get(_CHECKED)
        fresh = entry is not None and ((checked is not None and tenant in checked)
                                       or time.monotonic() - entry.checked_at < self.recheck_seconds)
        if not fresh:
            version = read_version(session)
            self.version_reads += 1
            session.info.setdefault(_CHECKED, set()).add(tenant)
            if version is None:
                return _local(session, tenant, part, loader)
            if entry is not None and entry.version == version:
                entry.checked_at = time.monotonic()
            else:
                entry = _Entry(version)
        assert entry is not None
        if part in entry.parts:
            return entry.parts[part]
        value = loader(session)
        with self._lock:
            if self._epoch == epoch:  # nothing was invalidated while loading
                self.loads += 1
                entry.parts[part] = value
                if self._entries.get(tenant) is not entry:
                    self._entries[tenant] = entry
                    self._entries.move_to_end(tenant)
                    while len(self._entries) > self.max_tenants:
                        self._entries.popitem(last=False)
        return value

    def invalidate(self, tenant_id: uuid.UUID) -> None:
        with self._lock:
            self._epoch += 1
            self._entries.pop(tenant_id, None)

    def clear(self) -> None:
        with self._lock:
            self._epoch += 1
            self._entries.clear()

    def __contains__(self, tenant_id: uuid.UUID) -> bool:
        return tenant_id in self._entries

    def __len__(self) -> int:
        return len(self._entries)


_cache = ConfigCache()


def _local(session: Session, tenant: Any, part: str, loader: Callable[[Session], T]) -> T:
    """``part`` read once per session, outside the process cache."""
    local = session.info.setdefault(_LOCAL, {})
    key = (tenant, part)
    if key not in local:
        local[key] = loader(session)
    return local[key]


def cached(session: Session, part: str, loader: Callable[[Session], T]) -> T:
    """The session tenant's ``part`` of its configuration (``loader(session)`` reads it): from the process cache,
    or from this session when its transaction changed the configuration or it is not bound to one tenant."""
    tenant = session_tenant(session)
    if not isinstance(tenant, uuid.UUID) or tenant in session.info.get(_DIRTY, ()):
        return _local(session, tenant, part, loader)
    return _cache.get(session, tenant, part, loader)


def _transaction_ended(session: Session, transaction: SessionTransaction) -> None:
    session.info.pop(_LOCAL, None)  # a savepoint rolled back may have held what was read
    if transaction.parent is None:  # committed, rolled back or closed
        for tenant in session.info.pop(_DIRTY, set()):
            _cache.invalidate(tenant)


def changed(session: Session) -> None:
    """Record that the session tenant's accounts or voucher rules changed in this transaction: bump
    ``config_version`` (other processes see it within ``recheck_seconds``), read the configuration from this session
    until the transaction ends, and drop this process's entry when it commits (at once, and again at the end)."""
    tenant = session_tenant(session)
    session.execute(update(FinanceChart).values(config_version=FinanceChart.config_version + 1)
                    .execution_options(synchronize_session=False))
    session.info.pop(_LOCAL, None)
    if not isinstance(tenant, uuid.UUID):
        return
    _cache.invalidate(tenant)
    session.info.setdefault(_DIRTY, set()).add(tenant)
    if not session.info.get(_HOOKED):
        session.info[_HOOKED] = True
        event.listen(session, "after_transaction_end", _transaction_ended)


def invalidate(tenant_id: uuid.UUID) -> None:
    """Drop the cached configuration of ``tenant_id`` in this process (the next reader loads it)."""
    _cache.invalidate(tenant_id)


def get_cache() -> ConfigCache:
    return _cache


def configure(*, max_tenants: int | None = None, recheck_seconds: float | None = None) -> ConfigCache:
    """Replace the process cache with one of the given bounds (start-up, tests)."""
    global _cache
    _cache = ConfigCache(
        max_tenants=_cache.max_tenants if max_tenants is None else max_tenants,
        recheck_seconds=_cache.recheck_seconds if recheck_seconds is None else recheck_seconds,
    )
    return _cache
