"""Appending to a tenant's audit chain, inside the caller's transaction."""

from __future__ import annotations

import uuid
from typing import Any

import structlog
from sqlalchemy import bindparam, event, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from surety.core.audit.canonical import ZERO_HASH, hash_content
from surety.core.audit.keys import record_mac
from surety.core.audit.models import AuditChainHead, AuditRecord
from surety.core.audit.redact import redact
from surety.core.context import Actor, current
from surety.core.db.base import uuid7
from surety.core.db.session import TENANT_KEY, bind_tenant_context, session_tenant
from surety.core.db.types import utcnow
from surety.core.errors import TenantNotBound
from surety.core.settings import get_settings

log = structlog.get_logger(__name__)
_LIMITS = {"action": 100, "entity_type": 100, "entity_id": 64}
_CONTEXT_LIMIT = 64  # request_id and client_addr come from outside: cut, never fail the mutation

# Built once: appending runs three short statements and nothing else, one or two when the transaction already
# appended (see docs/audit.md, "Performance").
# They are Core statements on the session's connection, a deliberate exception to the rule against plain-table
# statements on tenant tables: each one names the bound tenant explicitly (WHERE tenant_id / the inserted
# tenant_id), and RLS still applies on PostgreSQL. Skipping the ORM path (autoflush, execute listeners) halves the
# cost of an append.
_HEADS = AuditChainHead.__table__
_BUMP = (
    update(_HEADS).where(_HEADS.c.tenant_id == bindparam("audit_tenant"))
    .values(last_seq=_HEADS.c.last_seq + 1)
    .returning(_HEADS.c.last_seq, _HEADS.c.last_hash)
)
_SET_HASH = (
    update(_HEADS).where(_HEADS.c.tenant_id == bindparam("audit_tenant"))
    .values(last_seq=bindparam("audit_seq"), last_hash=bindparam("audit_hash"))
)
_INSERT = insert(AuditRecord.__table__)
#: PostgreSQL: the head's new hash and the record in one round trip (a data-modifying CTE; SQLite has none). The
#: record's values are bound under ``r_<column>`` names, so none of them is taken for a column of the heads table.
_INSERT_SETTING_HASH = (
    insert(AuditRecord.__table__)
    .values({c.name: bindparam(f"r_{c.name}") for c in AuditRecord.__table__.columns})
    .add_cte(_SET_HASH.cte("set_hash"))
)


def audit(session: Session, action: str, *, entity_type: str | None = None, entity_id: Any = None,
          before: Any = None, after: Any = None, actor: Actor | None = None) -> AuditRecord:
    """Append a record to the session's tenant chain, in the session's current transaction; return it (as
    written, not attached to the session).

    Actor, request id and client address come from :func:`surety.core.context.current` (``actor`` overrides the
    actor). ``before``/``after`` are stored as plain JSON with sensitive keys redacted. The tenant's chain head is
    row-locked until the transaction ends, so concurrent appends stay linear.
    """
    tenant = session_tenant(session)
    if not isinstance(tenant, uuid.UUID):
        raise TenantNotBound("the audit log is written in a tenant session")
    if entity_id is not None:
        entity_id = str(entity_id)
    for name, value in (("action", action), ("entity_type", entity_type), ("entity_id", entity_id)):
        if value is not None and len(value) > _LIMITS[name]:
            raise ValueError(f"audit {name} longer than {_LIMITS[name]} characters")
    ctx = current()
    who = actor or ctx.actor

    key_id = get_settings().audit_key_id
    key = record_mac(key_id, tenant)  # before the head moves: a missing key fails the append cleanly
    seq, prev_hash = _take_head(session, tenant)
    values = {
        "tenant_id": tenant, "id": uuid7(), "seq": seq, "occurred_at": utcnow(),
        "actor_type": who.type, "actor_id": None if who.id is None else str(who.id)[:64],
        "action": action, "entity_type": entity_type, "entity_id": entity_id,
        "before": redact(before), "after": redact(after),
        "request_id": _cut(ctx.request_id), "client_addr": _cut(ctx.client_addr), "prev_hash": prev_hash,
        "key_id": key_id,
    }
    values["hash"] = hash_content(values, key)
    conn = session.connection()
    head = {"audit_tenant": tenant, "audit_seq": seq, "audit_hash": values["hash"]}
    if conn.dialect.name == "postgresql":
        conn.execute(_INSERT_SETTING_HASH, {**{f"r_{k}": v for k, v in values.items()}, **head})
    else:
        conn.execute(_SET_HASH, head)
        conn.execute(_INSERT, values)
    session.info[_HEAD_HELD] = (tenant, seq, values["hash"])
    return AuditRecord(**values)


def _cut(value: Any) -> str | None:
    return None if value is None else str(value)[:_CONTEXT_LIMIT]


#: ``session.info`` key of the chain head the session's transaction holds locked: ``(tenant, last_seq, last_hash)``
#: as its last append left it. The next append of the same transaction takes its seq and previous hash from here
#: instead of locking and reading the head again (the lock is held until the transaction ends, so nobody else can
#: have moved it). Dropped when the transaction ends and on every rollback, a savepoint's included (which undoes
#: the appends made in it and, on PostgreSQL, releases the row lock taken in it).
_HEAD_HELD = "audit_chain_head"


@event.listens_for(Session, "after_soft_rollback")
def _forget_head_on_rollback(session: Session, _previous) -> None:
    session.info.pop(_HEAD_HELD, None)


@event.listens_for(Session, "after_transaction_end")
def _forget_head_on_end(session: Session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(_HEAD_HELD, None)


def _take_head(session: Session, tenant: uuid.UUID) -> tuple[int, str]:
    """The seq and previous hash of the next record: from the head this transaction already holds, else
    :func:`_advance_head`."""
    held = session.info.get(_HEAD_HELD)
    if held is not None and held[0] == tenant:
        return held[1] + 1, held[2]
    return _advance_head(session, tenant)


def _advance_head(session: Session, tenant: uuid.UUID) -> tuple[int, str]:
    """Increment the head's ``last_seq`` (creating the head on first use); return the new seq and previous hash.

    ``UPDATE ... RETURNING`` takes the row lock on PostgreSQL and SQLite's write lock before the head is read, so
    two transactions can never read the same head.
    """
    conn = session.connection()
    row = conn.execute(_BUMP, {"audit_tenant": tenant}).one_or_none()
    if row is None:
        conn.execute(_insert_head(session, tenant))
        row = conn.execute(_BUMP, {"audit_tenant": tenant}).one()
    return row.last_seq, row.last_hash


def _insert_head(session: Session, tenant: uuid.UUID):
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        dialect_insert = postgresql.insert
    elif dialect == "sqlite":
        dialect_insert = sqlite.insert
    else:  # pragma: no cover - only the two supported databases
        raise RuntimeError(f"unsupported database {dialect!r}")
    return (
        dialect_insert(_HEADS)
        .values(tenant_id=tenant, id=uuid7(), last_seq=0, last_hash=ZERO_HASH)
        .on_conflict_do_nothing(index_elements=[_HEADS.c.tenant_id])
    )


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


def audit_detached(session: Session, action: str, *, entity_type: str | None = None, entity_id: Any = None,
                   before: Any = None, after: Any = None, actor: Actor | None = None) -> None:
    """Audit in a transaction of its own on the same engine and tenant, so the record is kept whatever happens to
    the caller's transaction (permission denials, personal-data reveals).

    When the caller's transaction has already written it may hold locks the append needs (the tenant's chain
    head; SQLite's single write lock), so the record is then written right after that transaction ends instead.
    """
    tenant = session_tenant(session)
    if not isinstance(tenant, uuid.UUID):
        raise TenantNotBound("the audit log is written in a tenant session")
    who = actor or current().actor
    bind = session.get_bind()
    engine = getattr(bind, "engine", bind)

    def write() -> None:
        with bind_tenant_context(tenant), Session(engine, info={TENANT_KEY: tenant}) as own, own.begin():
            audit(own, action, entity_type=entity_type, entity_id=entity_id, before=before, after=after,
                  actor=who)

    if not _has_written(session):
        write()
        return
    root = session.get_transaction()
    done: list[bool] = []

    def after_end(_session: Session, transaction) -> None:
        if transaction is not root or done:
            return
        done.append(True)
        try:
            write()
        except Exception:  # the caller's answer is already on its way; log rather than replace it
            log.exception("audit.detached_write_failed", tenant_id=str(tenant), action=action)

    event.listen(session, "after_transaction_end", after_end)
