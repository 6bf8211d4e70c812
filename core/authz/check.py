"""Permission checks for services: :func:`allowed` answers, :func:`require` raises and audits the denial.

A denial is audited in its own short transaction on the same engine and tenant, so it is kept even though the
request's transaction rolls back after the error. When the request's transaction has already written, it may hold
locks that audit needs (the tenant's audit-chain head; on SQLite the single write lock): the separate transaction
would wait on ourselves, so it runs right after the request's transaction ends (commit, rollback or close) instead.
"""

from __future__ import annotations

import uuid

import structlog
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from surety.core.authz.enforcer import get_enforcer
from surety.core.context import ACTOR_API_KEY, ACTOR_USER, Actor
from surety.core.db.session import TENANT_KEY, bind_tenant_context, session_tenant
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
    """Write the ``authz.denied`` audit record in a transaction of its own, so the request's rollback keeps it."""
    tenant = session_tenant(session)
    if not isinstance(tenant, uuid.UUID):
        return
    bind = session.get_bind()
    engine = getattr(bind, "engine", bind)

    def write() -> None:
        from surety.core.audit.log import audit

        with bind_tenant_context(tenant), Session(engine, info={TENANT_KEY: tenant}) as own, own.begin():
            audit(own, DENIED_ACTION, after={"permission": permission}, actor=actor)

    if not _has_written(session):
        write()
        return
    root = session.get_transaction()
    done = []

    def after_end(_session: Session, transaction) -> None:
        if transaction is not root or done:
            return
        done.append(True)
        try:
            write()
        except Exception:  # the denial is already on its way to the caller; do not replace it
            log.exception("authz.denial_audit_failed", tenant_id=str(tenant), permission=permission)

    event.listen(session, "after_transaction_end", after_end)
