"""Test support shared by the suite and the benchmarks: a fresh database per run (PostgreSQL or SQLite), built as
the owner with row-level security, and a non-owner application role for the app's connections."""

from __future__ import annotations

import contextlib
import inspect
import json
import os
import secrets
import tempfile
import threading
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, select, text
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.engine import make_url

from surety.core.db.base import Base, tenant_tables
from surety.core.db.rls import enable_rls, forbid_update_delete, grant_app_role, rls_status
from surety.core.plugins import load_all_models
from surety.tenants.models import Tenant


@dataclass
class TestDatabase:
    owner_url: str
    app_url: str
    dialect: str


def build_schema(owner_url: str) -> None:
    """Create every table from the models, with RLS and the append-only trigger (what the migrations do)."""
    load_all_models()
    engine = create_engine(owner_url)
    with engine.begin() as conn:
        Base.metadata.create_all(conn)
        for table in tenant_tables():
            enable_rls(conn, table)
        forbid_update_delete(conn, "audit_log")
    engine.dispose()


@contextlib.contextmanager
def fresh_database(base_url: str | None, *, build: bool = True) -> Iterator[TestDatabase]:
    """A new, empty database for one test run, dropped afterwards.

    ``base_url`` is a PostgreSQL URL whose server we may create databases on (as superuser), or None for SQLite.
    """
    if not base_url or base_url.startswith("sqlite"):
        with tempfile.TemporaryDirectory(prefix="surety-test-") as tmp:
            url = f"sqlite:///{Path(tmp) / 'test.db'}"
            if build:
                build_schema(url)
            yield TestDatabase(url, url, "sqlite")
        return

    base = make_url(base_url)
    if base.drivername == "postgresql":
        base = base.set(drivername="postgresql+psycopg")
    suffix = secrets.token_hex(4)
    db_name, role = f"surety_test_{suffix}", f"surety_app_{suffix}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        q = conn.dialect.identifier_preparer.quote
        conn.execute(text(f"CREATE DATABASE {q(db_name)}"))
        conn.execute(text(f"CREATE ROLE {q(role)} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE"))
    owner_url = base.set(database=db_name)
    app_url = owner_url.set(username=role, password=None)
    try:
        if build:
            build_schema(owner_url.render_as_string(hide_password=False))
            grant(owner_url.render_as_string(hide_password=False), role)
        yield TestDatabase(
            owner_url.render_as_string(hide_password=False), app_url.render_as_string(hide_password=False),
            "postgresql",
        )
    finally:
        with admin.connect() as conn:
            q = conn.dialect.identifier_preparer.quote
            conn.execute(text(f"DROP DATABASE IF EXISTS {q(db_name)} WITH (FORCE)"))
            conn.execute(text(f"DROP ROLE IF EXISTS {q(role)}"))
        admin.dispose()


def grant(owner_url: str, role: str) -> None:
    engine = create_engine(owner_url)
    with engine.begin() as conn:
        grant_app_role(conn, role)
    engine.dispose()


@contextlib.contextmanager
def migrated(tables: Iterable[str]):
    """A fresh database of the test run's dialect (``SURETY_TEST_DATABASE_URL`` or SQLite) migrated to every head,
    with these checks of a revision's ``tables`` done: each exists, autogenerate finds no difference naming it (the
    migration matches the models) and, on PostgreSQL, row-level security is enabled and forced on it. Yields
    ``(tdb, engine)`` (the owner's engine) to downgrade and look again; both are dropped afterwards."""
    from alembic.autogenerate import compare_metadata  # noqa: PLC0415 - alembic only for the migration tests
    from alembic.migration import MigrationContext  # noqa: PLC0415

    from surety.core.db import migrate  # noqa: PLC0415

    tables = tuple(tables)
    load_all_models()
    with fresh_database(os.environ.get("SURETY_TEST_DATABASE_URL") or None, build=False) as tdb:
        migrate.upgrade(tdb.owner_url)
        engine = create_engine(tdb.owner_url)
        try:
            assert set(tables) <= set(sa_inspect(engine).get_table_names())
            with engine.connect() as conn:
                if tdb.dialect == "postgresql":
                    status = rls_status(conn)
                    assert {t: status[t] for t in tables} == {t: (True, True) for t in tables}
                diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
            assert [d for d in diffs if any(t in repr(d) for t in tables)] == []
            yield tdb, engine
        finally:
            engine.dispose()


def table_names(engine) -> set[str]:
    """The tables the database behind ``engine`` has now (a fresh inspection)."""
    return set(sa_inspect(engine).get_table_names())


#: The admin password the test suite's tenant factory uses.
TEST_PASSWORD = "Correct-Horse-9"


def error_codes(body: dict) -> list[str]:
    """The ``extensions.code`` of each top-level GraphQL error in a response body."""
    return [e.get("extensions", {}).get("code") for e in body.get("errors", [])]


def new_bare_tenant(db, name: str = "Bare"):
    """Register a tenant row with nothing provisioned (no keys, roles or users), for unit tests of one service."""

    with db.platform_session() as s:
        tenant = Tenant(id=uuid.uuid4(), slug=f"bare-{secrets.token_hex(4)}", name=name, enabled_plugins=["core"])
        s.add(tenant)
    return tenant


class GraphQLClient:
    """POST GraphQL to an app under test (a Starlette ``TestClient``): ``api(query, variables, token)`` returns the
    JSON body after checking the status is 200; ``api.post`` returns the raw response; ``api.login`` a token."""

    def __init__(self, client):
        self.client = client

    def post(self, query: str, variables: dict | None = None, token: str | None = None, **kw):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return self.client.post("/graphql", json={"query": query, "variables": variables or {}},
                                headers=headers, **kw)

    def __call__(self, query: str, variables: dict | None = None, token: str | None = None) -> dict:
        response = self.post(query, variables, token)
        assert response.status_code == 200, response.text
        return response.json()

    def login(self, tenant: str, username: str = "admin", password: str = TEST_PASSWORD) -> str:
        body = self("mutation($t:String!,$u:String!,$p:String!){login(tenant:$t,username:$u,password:$p)"
                    "{accessToken refreshToken errors{code message}}}", {"t": tenant, "u": username, "p": password})
        payload = body["data"]["login"]
        assert payload["errors"] == [], payload
        return payload["accessToken"]


def graphql_in_language(api: GraphQLClient, query: str, variables: dict | None, token: str | None,
                        language: str | None) -> dict:
    """The JSON body of a GraphQL request sent with ``Accept-Language: language`` (None: no header at all, the API's
    default; the suite's clients otherwise ask for English, tests/conftest.py), after checking the status is 200."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if language is None:
        api.client.headers.pop("accept-language", None)
    else:
        headers["Accept-Language"] = language
    response = api.client.post("/graphql", json={"query": query, "variables": variables or {}}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


@contextlib.contextmanager
def acting_session(db, tenant_id: uuid.UUID, actor) -> Iterator[tuple]:
    """``with acting_session(db, tenant_id, actor) as (s, a):`` a tenant session with ``actor`` as the request's
    actor (the test worlds' ``acting``)."""
    from surety.core.context import acting  # noqa: PLC0415 - keeps this module's imports to the database layer

    with acting(actor), db.tenant_session(tenant_id) as session:
        yield session, actor


@dataclass
class TenantWorld:
    """A plugin test's tenant and its people by username: ``session()``, ``acting(username)`` (a session with that
    person as the request's actor), ``uid(username)``. ``with_people`` creates them."""

    db: Any
    tenant: Any
    actors: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def with_people(cls, db, tenant, people: dict[str, str]):
        """The world of ``tenant`` with a user per ``username -> role`` of ``people`` (password TEST_PASSWORD) and
        the tenant's ``admin``."""
        from surety.core.identity.auth import user_actor  # noqa: PLC0415 - see acting_session
        from surety.core.identity.models import User  # noqa: PLC0415
        from surety.core.identity.service import create_user  # noqa: PLC0415

        world = cls(db=db, tenant=tenant)
        with db.tenant_session(tenant.id) as s:
            for name, role in people.items():
                user = create_user(s, username=name, password=TEST_PASSWORD, display_name=name.title(), roles=[role],
                                   email=f"{name}@example.com")
                world.actors[name] = user_actor(user)
            world.actors["admin"] = user_actor(s.scalar(select(User).where(User.username == "admin")))
        return world

    def session(self):
        return self.db.tenant_session(self.tenant.id)

    def acting(self, username: str):
        """``with w.acting("admin") as (s, a):`` a tenant session and the actor, with the request context set."""
        return acting_session(self.db, self.tenant.id, self.actors[username])

    def uid(self, username: str):
        return self.actors[username].id_uuid

    def wait_until_blocked(self, what: str = "the other session") -> None:
        """Return once a session of this database waits for a lock (PostgreSQL; polled for up to 30 s): the thread
        a race test started is blocked by then. ``what`` names it in the failure."""
        for _ in range(600):
            with self.session() as s:
                if s.scalar(text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                                 "AND datname = current_database()")):
                    return
            time.sleep(0.05)
        raise AssertionError(f"{what} never waited for the lock")


def in_thread(fn) -> tuple[threading.Thread, dict]:
    """Start ``fn()`` on a thread of its own; the dict gets its ``value`` or the ``error`` it raised (race tests)."""
    out: dict = {}

    def run():
        try:
            out["value"] = fn()
        except Exception as exc:  # noqa: BLE001 - handed to the test
            out["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    return thread, out


def mutation_ok(body: dict, field: str) -> dict:
    """The payload of mutation ``field``, asserting there were neither GraphQL errors nor user errors."""
    assert "errors" not in body, body
    payload = body["data"][field]
    assert payload["errors"] == [], payload["errors"]
    return payload


class GraphQLFlow:
    """People of one tenant calling GraphQL in an end-to-end test: each logs in once (``token``), then ``call``
    (the body), ``query`` (the data, asserting no errors), ``mutate`` (the payload, asserting no errors) and
    ``task`` (their open task at a step of a workflow instance, from their inbox ``myTasks``)."""

    MY_TASKS = """{ myTasks(first: 100) { edges { node { id stepKey kind status assigneeId instance { id } } } } }"""

    def __init__(self, api: GraphQLClient, tenant_slug: str, password: str = TEST_PASSWORD):
        self.api, self.slug, self.password = api, tenant_slug, password
        self.tokens: dict[str, str] = {}

    def token(self, user: str) -> str:
        if user not in self.tokens:
            self.tokens[user] = self.api.login(self.slug, user, self.password)
        return self.tokens[user]

    def call(self, user: str, query: str, variables: dict | None = None) -> dict:
        return self.api(query, variables or {}, token=self.token(user))

    def query(self, user: str, query: str, variables: dict | None = None) -> dict:
        body = self.call(user, query, variables)
        assert "errors" not in body, body
        return body["data"]

    def mutate(self, user: str, query: str, field: str, variables: dict | None = None) -> dict:
        return mutation_ok(self.call(user, query, variables), field)

    def task(self, user: str, instance_id: str, step: str) -> dict:
        """``user``'s one open task at ``step`` of the instance (global id ``instance_id``)."""
        edges = self.query(user, self.MY_TASKS)["myTasks"]["edges"]
        mine = [e["node"] for e in edges if e["node"]["instance"]["id"] == instance_id
                and e["node"]["stepKey"] == step]
        assert len(mine) == 1, (user, step, edges)
        return mine[0]


# ---------------------------------------------------------------- hook signatures as docs/plugins.md shows them ------


class _Source:
    """Text that renders as itself inside an ``inspect.Signature``."""

    def __init__(self, text: str):
        self.text = text

    def __repr__(self) -> str:
        return self.text


def _as_written(annotation) -> object:
    """An annotation as the doc shows it: the source text without quotes (``"Session"`` shows as ``Session``)."""
    if annotation is inspect.Signature.empty:
        return annotation
    text = annotation if isinstance(annotation, str) else inspect.formatannotation(annotation)
    return _Source(text.replace('"', "").replace("'", ""))


def _documented_param(p: inspect.Parameter) -> inspect.Parameter:
    default = p.default
    if default is not inspect.Parameter.empty:
        default = _Source(documented_value(default))
    return p.replace(annotation=_as_written(p.annotation), default=default)


def documented_annotation(annotation) -> str:
    """A type annotation as docs/plugins.md shows it (the source text without quotes)."""
    return repr(_as_written(annotation))


def documented_value(value) -> str:
    """A default value as docs/plugins.md shows it (strings in double quotes)."""
    return json.dumps(value, ensure_ascii=False) if isinstance(value, str) else repr(value)


def documented_signature(fn) -> str:
    """``def name(param: Type, ...) -> Return`` as docs/plugins.md shows a hook (tests/core/test_hook_docs.py and
    test_plugin_docs.py compare the doc with it)."""
    sig = inspect.signature(fn)
    sig = sig.replace(parameters=[_documented_param(p) for p in sig.parameters.values()],
                      return_annotation=_as_written(sig.return_annotation))
    return f"def {fn.__name__}{sig}"
