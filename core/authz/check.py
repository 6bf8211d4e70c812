"""Permission checks for services: :func:`allowed` answers, :func:`require` raises and audits the denial.

A denial is audited in its own short transaction on the same engine and tenant, so it is kept even though the
request's transaction rolls back after the error. When the request's transaction has already written, it may hold
locks that audit needs (the tenant's audit-chain head; on SQLite the single write lock): the separate transaction
would wait on ourselves, so it runs right after the request's transaction ends (commit, rollback or close) instead.
"""

from __future__ import annotations

import structlog
from sqlalchemy.orm import Session

from surety.core.audit.log import audit_detached
from surety.core.authz.catalog import permission_catalog
from surety.core.authz.enforcer import get_enforcer
from surety.core.context import ACTOR_API_KEY, ACTOR_USER, Actor
from surety.core.db.session import session_tenant
from surety.core.errors import PermissionDenied

log = structlog.get_logger(__name__)
DENIED_ACTION = "authz.denied"


def allowed(session: Session, actor: Actor, obj: str, act: str) -> bool:
    """Whether ``actor`` holds permission ``obj:act`` in the session's tenant. Only users and API keys of that
    tenant hold permissions; any other actor is refused (fail closed)."""
    if actor.type not in (ACTOR_USER, ACTOR_API_KEY) or not actor.id:
        return False
    tenant = session_tenant(session)
    if actor.tenant_id is not None and actor.tenant_id != tenant:
        return False
    return get_enforcer(session).enforce(actor.subject, obj, act)


def require(session: Session, actor: Actor, obj: str, act: str) -> None:
    """Raise :class:`PermissionDenied` naming ``obj:act`` unless ``actor`` holds it; the denial is audited."""
    if allowed(session, actor, obj, act):
        return
    key = f"{obj}:{act}"
    audit_denial(session, actor, key)
    description = _describe(key)
    if description:
        raise PermissionDenied("Permission denied: this action needs the permission {permission!r} ({description}).",
                               permission=key, description=description)
    raise PermissionDenied("Permission denied: this action needs the permission {permission!r}.", permission=key)


def _describe(key: str) -> str:
    for perm in permission_catalog():
        if perm.key == key and perm.description:
            return perm.description
    return ""


def audit_denial(session: Session, actor: Actor, permission: str) -> None:
    """Write the ``authz.denied`` audit record outside the request's transaction, so its rollback keeps it."""

    audit_detached(session, DENIED_ACTION, after={"permission": permission}, actor=actor)
