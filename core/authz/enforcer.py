"""One cached Casbin enforcer per tenant, holding only that tenant's rules.

Cache: an LRU of at most ``max_tenants`` enforcers per process. A Casbin ``enforce()`` costs 100-300 microseconds in
Python (its matcher is re-parsed and evaluated against every rule), so each enforcer memoises, per subject, the set
of ``(obj, act)`` pairs Casbin derives for it (``get_implicit_permissions_for_user``: its own rules and those of all
its roles in the tenant's domain), at most ``MAX_SUBJECTS`` subjects, cleared when full. A cached check is then two
dict look-ups and a set membership test. This is exact for the model below (equality matcher, allow-only effect);
a test compares it with ``casbin.enforce`` on every subject and permission.

Invalidation: every write in :mod:`surety.core.authz` calls :func:`invalidate` (at once, and again when the writing
transaction commits or rolls back) and bumps the tenant's ``AuthzState.policy_version``. Other processes notice the
bump: a cached enforcer compares its version with the database at most once per session (one session serves one
request) and no more often than every ``recheck_seconds`` per tenant and process, so a change made elsewhere is
seen after at most ``recheck_seconds`` (set 0 to check once per request).
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import OrderedDict

import casbin
from casbin.model import Model
from sqlalchemy import select
from sqlalchemy.orm import Session

from surety.core.authz.adapter import TenantRuleAdapter
from surety.core.authz.models import AuthzState
from surety.core.db.session import session_tenant
from surety.core.errors import TenantNotBound

MODEL_TEXT = """
[request_definition]
r = sub, dom, obj, act

[policy_definition]
p = sub, dom, obj, act

[role_definition]
g = _, _, _

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = g(r.sub, p.sub, r.dom) && r.dom == p.dom && r.obj == p.obj && r.act == p.act
"""

MAX_SUBJECTS = 4096
_CHECKED = "surety.authz.checked"


def new_model() -> Model:
    model = Model()
    model.load_model_from_text(MODEL_TEXT)
    return model


def read_version(session: Session) -> int:
    """The tenant's policy version (0 before any rule was written)."""
    return session.scalar(select(AuthzState.policy_version)) or 0


class TenantEnforcer:
    """A Casbin enforcer loaded with one tenant's rules, with a memo of each subject's permissions."""

    __slots__ = ("tenant_id", "domain", "version", "checked_at", "casbin", "_subjects", "_lock", "scopes")

    def __init__(self, session: Session, tenant_id: uuid.UUID, version: int):
        self.tenant_id = tenant_id
        self.domain = str(tenant_id)
        self.version = version
        self.checked_at = time.monotonic()
        self.casbin = casbin.Enforcer(new_model(), TenantRuleAdapter(session, tenant_id))
        self._subjects: dict[str, frozenset[tuple[str, str]]] = {}
        self._lock = threading.Lock()
        #: The widest data scope of each set of roles (core/authz/scopes.py): a role's scope is set when the role is
        #: provisioned and never changed, and a new role reaches a user only through a rule, which makes a new
        #: policy version (so a new enforcer, with an empty memo).
        self.scopes: dict[frozenset[str], str] = {}

    def enforce(self, subject: str, obj: str, act: str) -> bool:
        """Whether ``subject`` holds ``obj:act`` in this tenant."""
        perms = self._subjects.get(subject)
        if perms is None:
            perms = self.permissions_of(subject)
        return (obj, act) in perms

    def permissions_of(self, subject: str) -> frozenset[tuple[str, str]]:
        """Every ``(obj, act)`` that ``subject`` holds, directly or through its roles (memoised)."""
        perms = self._subjects.get(subject)
        if perms is None:
            with self._lock:  # Casbin's model and role manager are not documented as thread-safe
                rules = self.casbin.get_implicit_permissions_for_user(subject, self.domain)
            perms = frozenset((r[2], r[3]) for r in rules if r[1] == self.domain)
            if len(self._subjects) >= MAX_SUBJECTS:
                self._subjects.clear()
            self._subjects[subject] = perms
        return perms

    def roles_for(self, subject: str) -> list[str]:
        """Role keys ``subject`` holds directly or through role inheritance."""
        with self._lock:
            roles = self.casbin.get_implicit_roles_for_user(subject, self.domain)
        return sorted(r.removeprefix("role:") for r in roles if r.startswith("role:"))


class EnforcerCache:
    """An LRU of :class:`TenantEnforcer`, safe to share between threads."""

    def __init__(self, max_tenants: int = 2048, recheck_seconds: float = 1.0):
        self.max_tenants = max_tenants
        self.recheck_seconds = recheck_seconds
        self._entries: OrderedDict[uuid.UUID, TenantEnforcer] = OrderedDict()
        self._loading: dict[uuid.UUID, object] = {}
        self._lock = threading.Lock()
        self.loads = 0

    def get(self, session: Session) -> TenantEnforcer:
        tenant = session_tenant(session)
        if not isinstance(tenant, uuid.UUID):
            raise TenantNotBound("permission checks need a session bound to a tenant")
        with self._lock:
            entry = self._entries.get(tenant)
            if entry is not None:
                self._entries.move_to_end(tenant)
        if entry is not None:
            checked = session.info.get(_CHECKED)
            if checked is not None and tenant in checked:
                return entry  # this session (request) has compared the version already
            if time.monotonic() - entry.checked_at < self.recheck_seconds:
                return entry
        version = read_version(session)
        session.info.setdefault(_CHECKED, set()).add(tenant)
        if entry is not None and entry.version == version:
            entry.checked_at = time.monotonic()
            return entry
        return self._load(session, tenant, version)

    def _load(self, session: Session, tenant: uuid.UUID, version: int) -> TenantEnforcer:
        token = object()
        with self._lock:
            self._loading[tenant] = token
        entry = TenantEnforcer(session, tenant, version)
        with self._lock:
            self.loads += 1
            if self._loading.get(tenant) is token:  # not invalidated while loading
                del self._loading[tenant]
                self._entries[tenant] = entry
                self._entries.move_to_end(tenant)
                while len(self._entries) > self.max_tenants:
                    self._entries.popitem(last=False)
        return entry

    def invalidate(self, tenant_id: uuid.UUID) -> None:
        with self._lock:
            self._entries.pop(tenant_id, None)
            self._loading.pop(tenant_id, None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._loading.clear()

    def __contains__(self, tenant_id: uuid.UUID) -> bool:
        return tenant_id in self._entries

    def __len__(self) -> int:
        return len(self._entries)


_cache = EnforcerCache()


def get_enforcer(session: Session) -> TenantEnforcer:
    """The enforcer of the session's tenant, loaded on first use and reloaded when its rules changed."""
    return _cache.get(session)


def invalidate(tenant_id: uuid.UUID) -> None:
    """Drop the cached enforcer of ``tenant_id`` in this process (the next check reloads it)."""
    _cache.invalidate(tenant_id)


def get_cache() -> EnforcerCache:
    return _cache


def configure(*, max_tenants: int | None = None, recheck_seconds: float | None = None) -> EnforcerCache:
    """Replace the process cache with one of the given bounds (start-up, tests)."""
    global _cache
    _cache = EnforcerCache(
        max_tenants=_cache.max_tenants if max_tenants is None else max_tenants,
        recheck_seconds=_cache.recheck_seconds if recheck_seconds is None else recheck_seconds,
    )
    return _cache
