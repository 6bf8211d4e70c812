"""Engines and tenant-bound sessions.

A session is bound to one tenant (``session.info["tenant_id"]``) or explicitly to :data:`PLATFORM`. Isolation is
enforced in the ORM here and, on PostgreSQL, again by row-level security:

* ``do_orm_execute`` adds ``with_loader_criteria(TenantScoped, tenant_id == bound tenant)`` to every ORM SELECT,
  UPDATE and DELETE (including relationship loads and ``Session.get``). A statement touching a tenant table in a
  session bound to no tenant raises :class:`TenantNotBound`: fail closed, never all rows. A platform session sees
  no tenant rows at all on PostgreSQL (RLS) and may not write them anywhere.
* ``before_flush`` stamps ``tenant_id`` on new rows and refuses to write a row of another tenant.
* ``after_begin`` sets ``app.tenant_id`` transaction-locally (``set_config(..., true)``) on PostgreSQL.

Core ``text()`` statements and statements over plain ``Table`` objects (not mapped classes) bypass the ORM
criteria (SQLAlchemy documents this); never use them on tenant tables (the one reviewed exception is the audit
append in core/audit/log.py, whose statements name the tenant explicitly). PostgreSQL RLS still applies there.
"""

from __future__ import annotations

import contextlib
import contextvars
import uuid
from collections.abc import Iterator
from typing import Any, TypeVar

import structlog
from sqlalchemy import Table, create_engine, event, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker, with_loader_criteria
from sqlalchemy.pool import QueuePool
from sqlalchemy.sql import visitors

from surety.core import settings as _settings
from surety.core.db.base import TenantScoped
from surety.core.errors import CrossTenantWrite, TenantNotBound

T = TypeVar("T")

_log = structlog.get_logger("surety.db")


class _Platform:
    def __repr__(self) -> str:
        return "PLATFORM"


#: Bind a session to this to do cross-tenant registry work (tenants, platform operators). It sees no tenant rows.
PLATFORM = _Platform()
TENANT_KEY = "tenant_id"

_current_tenant: contextvars.ContextVar[uuid.UUID | None] = contextvars.ContextVar("surety_tenant", default=None)


def current_tenant_id() -> uuid.UUID | None:
    """The tenant of the innermost active :func:`tenant_session` or request, if any."""
    return _current_tenant.get()


@contextlib.contextmanager
def bind_tenant_context(tenant_id: uuid.UUID | None) -> Iterator[None]:
    token = _current_tenant.set(tenant_id)
    try:
        yield
    finally:
        _current_tenant.reset(token)


def session_tenant(session: Session) -> uuid.UUID | _Platform | None:
    return session.info.get(TENANT_KEY)


#: ``session.info`` key of the rows :func:`tenant_row` keeps referenced until the transaction ends.
_KEPT_ROWS = "surety_kept_rows"


@event.listens_for(Session, "after_transaction_end")
def _drop_kept_rows(session: Session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(_KEPT_ROWS, None)


def tenant_row(session: Session, model: type[T], row_id: Any, *, keep: bool = False) -> T | None:
    """The row of the tenant table ``model`` with id ``row_id`` in the session's tenant, None when there is none:
    from the session's identity map when it is loaded there (no statement; as a SELECT would return it, pending
    changes included), else one SELECT by primary key (tenant filter and RLS apply as to any statement).

    ``keep``: keep the row referenced until the transaction ends. The identity map holds unchanged rows weakly, so
    a row nobody references any more is read again by the next caller; a row several hooks of one action read (a
    workflow subject) is worth keeping."""
    tenant = session_tenant(session)
    if not isinstance(tenant, uuid.UUID):
        raise TenantNotBound("a tenant row is read in a tenant session")
    row = session.get(model, (tenant, row_id)) if row_id is not None else None
    if keep and row is not None:
        session.info.setdefault(_KEPT_ROWS, []).append(row)
    return row


def _touches_tenant_tables(statement) -> bool:
    """Whether any table in the statement (FROM lists, joins, subqueries) is tenant-scoped."""
    for element in visitors.iterate(statement):
        if isinstance(element, Table) and "tenant_id" in element.c and not element.info.get("global"):
            return True
    return False


@event.listens_for(Session, "do_orm_execute")
def _apply_tenant_criteria(state: ORMExecuteState) -> None:
    if not (state.is_select or state.is_update or state.is_delete):
        return
    tenant = session_tenant(state.session)
    if not isinstance(tenant, uuid.UUID):
        # Unbound or platform: refuse any statement that reaches a tenant table (fail closed).
        if _touches_tenant_tables(state.statement):
            where = "a platform session" if tenant is PLATFORM else "a session bound to no tenant"
            raise TenantNotBound(f"tenant-scoped query in {where} (refused, fail closed)")
        return
    # One option object per session and tenant: building it (and tracking its lambda's closure) for every statement
    # was a few percent of a request's CPU. The option is immutable; the tenant is its bound parameter.
    cached = state.session.info.get(_CRITERIA_KEY)
    if cached is None or cached[0] != tenant:
        cached = state.session.info[_CRITERIA_KEY] = (tenant, _tenant_criteria(tenant))
    state.statement = state.statement.options(cached[1])


#: ``session.info`` key of the session's tenant criteria option: (tenant id, option).
_CRITERIA_KEY = "surety_tenant_criteria"


def _tenant_criteria(tenant: uuid.UUID):
    return with_loader_criteria(TenantScoped, lambda cls: cls.tenant_id == tenant, include_aliases=True)


@event.listens_for(Session, "before_flush")
def _stamp_and_check_tenant(session: Session, flush_context, instances) -> None:
    tenant = session_tenant(session)
    for obj in session.new:
        if not isinstance(obj, TenantScoped):
            continue
        if not isinstance(tenant, uuid.UUID):
            raise TenantNotBound(f"cannot write a {type(obj).__name__} in a session bound to {tenant!r}")
        if obj.tenant_id is None:
            obj.tenant_id = tenant
        elif obj.tenant_id != tenant:
            raise CrossTenantWrite(f"{type(obj).__name__} belongs to another tenant")
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, TenantScoped) and obj.tenant_id != tenant:
            raise CrossTenantWrite(f"{type(obj).__name__} belongs to another tenant")


@event.listens_for(Session, "after_begin")
def _set_rls_tenant(session: Session, transaction, connection) -> None:
    # Once per database transaction: a savepoint (nested) runs inside the transaction that already holds the
    # setting, and rolling back to it cannot undo a setting made before it.
    if connection.dialect.name != "postgresql" or transaction.nested:
        return
    tenant = session_tenant(session)
    value = str(tenant) if isinstance(tenant, uuid.UUID) else ""
    if connection.dialect.paramstyle == "pyformat":  # psycopg (and psycopg2)
        # The driver's own SQL with a bound parameter: nothing to build or compile (it runs in every transaction).
        connection.exec_driver_sql(_SET_TENANT_SQL, {"tenant": value})
    else:
        connection.execute(select(func.set_config("app.tenant_id", value, True)))


#: ``app.tenant_id`` for the transaction, in the ``pyformat`` parameter style.
_SET_TENANT_SQL = "SELECT set_config('app.tenant_id', %(tenant)s, true)"


class ConnectionBudget:
    """Connections the current request may hold at once (core/admission.py); ``peak`` is the most it held."""

    def __init__(self, limit: int):
        self.limit = limit
        self.held = 0
        self.peak = 0
        self.exceeded = 0


_budget: contextvars.ContextVar[ConnectionBudget | None] = contextvars.ContextVar("surety_db_budget", default=None)


@contextlib.contextmanager
def connection_budget(limit: int) -> Iterator[ConnectionBudget]:
    """Count the pool connections checked out in this context (a request) against ``limit``."""
    budget = ConnectionBudget(limit)
    token = _budget.set(budget)
    try:
        yield budget
    finally:
        _budget.reset(token)


def _count_checkout(_dbapi_connection, record, _proxy) -> None:
    budget = _budget.get()
    if budget is None:
        return
    record.info["surety_budget"] = budget
    budget.held += 1
    budget.peak = max(budget.peak, budget.held)
    if budget.held > budget.limit:
        budget.exceeded += 1
        _log.warning("db.connection_budget_exceeded", held=budget.held, limit=budget.limit)


def _count_checkin(_dbapi_connection, record) -> None:
    budget = record.info.pop("surety_budget", None)
    if budget is not None:
        budget.held -= 1


def pool_capacity(engine: Engine) -> int | None:
    """How many connections the engine's pool hands out at most (``None``: it opens as many as asked)."""
    pool = engine.pool
    if isinstance(pool, QueuePool):
        return pool.size() + max(pool._max_overflow, 0)  # noqa: SLF001 - QueuePool has no public accessor
    return None  # NullPool opens what is asked; Static/SingletonThreadPool share one connection


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=5000")
    cur.close()


def _sqlite_in_memory(url: str) -> bool:
    return url in ("sqlite://", "sqlite:///") or ":memory:" in url or "mode=memory" in url


def make_engine(url: str, *, pool_size: int = 10, max_overflow: int = 20, pool_timeout: float = 10, **kw) -> Engine:
    """An engine with the house listeners. Pool sizes apply to pooled engines (not NullPool, not in-memory SQLite);
    ``pool_timeout`` bounds a checkout wait, a backstop only: the admission gate keeps checkouts from waiting."""
    if url.startswith("sqlite"):
        if "poolclass" not in kw and not _sqlite_in_memory(url):
            kw.update(pool_size=pool_size, max_overflow=max_overflow, pool_timeout=pool_timeout)
        engine = create_engine(url, **kw)
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        kw.setdefault("pool_pre_ping", True)
        if "poolclass" not in kw:  # NullPool (migrations, scripts) takes no size arguments
            kw.update(pool_size=pool_size, max_overflow=max_overflow, pool_timeout=pool_timeout)
        engine = create_engine(url, **kw)
    event.listen(engine, "checkout", _count_checkout)
    event.listen(engine, "checkin", _count_checkin)
    return engine


class Database:
    """The application's engine (as the non-owner role on PostgreSQL) and its tenant-bound sessions."""

    def __init__(self, url: str, owner_url: str | None = None, **engine_kw):
        self.url = url
        self.owner_url = owner_url or url
        self.engine = make_engine(url, **engine_kw)
        self._factory = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def session(self, tenant: uuid.UUID | _Platform) -> Session:
        if not (tenant is PLATFORM or isinstance(tenant, uuid.UUID)):
            raise TypeError(f"bind a session to a tenant UUID or PLATFORM, not {tenant!r}")
        return self._factory(info={TENANT_KEY: tenant})

    @contextlib.contextmanager
    def tenant_session(self, tenant_id: uuid.UUID) -> Iterator[Session]:
        """A session bound to ``tenant_id`` inside one transaction: committed on success, rolled back on error."""
        with bind_tenant_context(tenant_id), self.session(tenant_id) as session, session.begin():
            yield session

    @contextlib.contextmanager
    def platform_session(self) -> Iterator[Session]:
        with self.session(PLATFORM) as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()


_database: Database | None = None


def get_database() -> Database:
    global _database
    if _database is None:
        s = _settings.get_settings()
        _database = Database(s.app_database_url, owner_url=s.database_url, pool_size=s.db_pool_size,
                             max_overflow=s.db_max_overflow, pool_timeout=s.db_pool_timeout)
    return _database


def set_database(db: Database | None) -> None:
    """Replace the process-wide database (tests, CLI with ``--database-url``)."""
    global _database
    _database = db


def tenant_session(tenant_id: uuid.UUID):
    return get_database().tenant_session(tenant_id)


def platform_session():
    return get_database().platform_session()
