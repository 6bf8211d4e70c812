"""Permission checks for services: :func:`allowed` answers, :func:`require` raises and audits the denial.

A denial is audited in its own short transaction on the same engine and tenant, so it is kept even though the
request's transaction rolls back after the error. When the request's transaction has already written (it may hold
locks the audit needs, or on SQLite the single write lock), the separate transaction is not possible without
waiting on ourselves: on SQLite the denial is then audited in the request's session; on PostgreSQL the separate
transaction gets a short ``lock_timeout`` and falls back to the request's session if it expires.
"""

from __future__ import annotations

import uuid

import structlog
from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from surety.core.authz.enforcer import get_enforcer
from surety.core.context import ACTOR_API_KEY, ACTOR_USER, Actor
from surety.core.db.session import TENANT_KEY, bind_tenant_context, session_tenant
from surety.core.errors import PermissionDenied

log = structlog.get_logger(__name__)
DENIED_ACTION = "authz.denied"
SEPARATE_LOCK_TIMEOUT = "2s"


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
    raise PermissionDenied(f"Permission denied: this action needs the permission {key!r}{_describe(key)}.",
                           permission=key)


def _describe(key: str) -> str:
    from surety.core.authz.catalog import permission_catalog

    for perm in permission_catalog():
        if perm.key == key and perm.description:
            return f" ({perm.description})"
    return ""


def _has_written(session: Session) -> bool:
    """Whether the session's open transaction has already written to the database."""
    if not session.in_transaction():
        return False
    conn = session.connection()
    dialect = conn.dialect.name
    if dialect == "sqlite":
        return bool(conn.connection.dbapi_connection.in_transaction)
    if dialect == "postgresql":
        return conn.execute(select(func.txid_current_if_assigned())).scalar() is not None
    return True


def audit_denial(session: Session, actor: Actor, permission: str) -> None:
    """Write the ``authz.denied`` audit record, outliving the request's rollback where the database allows."""
    from surety.core.audit.log import audit

    tenant = session_tenant(session)
    if not isinstance(tenant, uuid.UUID):
        return
    after = {"permission": permission}
    written = _has_written(session)
    if written and session.get_bind().dialect.name != "postgresql":
        audit(session, DENIED_ACTION, after=after, actor=actor)
        return
    bind = session.get_bind()
    engine = getattr(bind, "engine", bind)
    try:
        with bind_tenant_context(tenant), Session(engine, info={TENANT_KEY: tenant}) as own, own.begin():
            if written:
                own.execute(select(func.set_config("lock_timeout", SEPARATE_LOCK_TIMEOUT, True)))
            audit(own, DENIED_ACTION, after=after, actor=actor)
    except DBAPIError:
        if not written:
            raise
        log.warning("authz.denial_audited_in_request", reason="lock timeout in the separate transaction")
        audit(session, DENIED_ACTION, after=after, actor=actor)
