"""A third-party plugin end to end: examples/hello_plugin is built into a wheel, installed into a
temporary directory and found through its ``surety.plugins`` entry point; its Alembic branch migrates a fresh
database; enabling it checks dependencies and grants its permissions; its GraphQL fields, permission check and event
handler work through the real app, and tenants that did not enable it get PLUGIN_NOT_ENABLED."""

from __future__ import annotations

import importlib
import os
import secrets
import shutil
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, select
from sqlalchemy.engine import make_url
from starlette.testclient import TestClient

from surety.core.authz.matrix import matrix
from surety.core.db.base import Base
from surety.core.db.migrate import alembic_config, upgrade
from surety.core.db.rls import rls_status
from surety.core.db.session import Database
from surety.core.errors import PluginDependencyMissing
from surety.core.events_models import OutboxEvent
from surety.core.hookspecs import PluginManifest
from surety.core.identity.service import create_user
from surety.core.plugins import (
    PluginRegistry,
    build_plugin_manager,
    get_registry,
    hookimpl,
    reset_registry,
)
from surety.core.testing import TEST_PASSWORD, fresh_database, grant
from surety.core.web import create_app
from surety.graphql.schema import build_schema
from surety.tenants.service import create_tenant, enable_plugin, get_tenant_by_slug

pytestmark = pytest.mark.slow

FIXTURE = Path(__file__).resolve().parents[2] / "examples" / "hello_plugin"
DIST_NAME = "surety-hello-plugin"
HELLO_TABLES = ("hello_greetings",)
ADDON_KEY = "hello_addon"

LOGIN = ("mutation($t:String!,$u:String!,$p:String!){login(tenant:$t,username:$u,password:$p)"
         "{accessToken errors{code message}}}")
CREATE = "mutation($m:String!){helloGreetingCreate(message:$m){message errors{code message field}}}"
LIST = "{helloGreetings}"


class HelloAddon:
    """A tiny in-test plugin that depends on ``hello``: enabling it before hello must be refused."""

    @hookimpl
    def surety_manifest(self):
        return PluginManifest(key=ADDON_KEY, version="0.0.1", title="Needs hello", depends_on=("hello",))


def _run(*cmd: str) -> None:
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"{' '.join(cmd)} failed:\n{done.stdout}\n{done.stderr}"


def _forget_plugin_modules() -> None:
    for name in [m for m in sys.modules if m == "surety_hello" or m.startswith("surety_hello.")]:
        del sys.modules[name]


@pytest.fixture(scope="module")
def site_dir(tmp_path_factory):
    """Build the fixture distribution into a wheel, install it into a fresh directory, put that on sys.path.
    Teardown undoes every trace: sys.path, the registry, the plugin's tables in Base.metadata, its modules."""
    work = tmp_path_factory.mktemp("hello-plugin")
    src, dist, site = work / "src", work / "dist", work / "site"
    shutil.copytree(FIXTURE, src, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
    _run(sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(dist), str(src))
    wheel = next(dist.glob("surety_hello_plugin-*.whl"))
    _run(sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "--quiet", "--target", str(site),
         str(wheel))
    sys.path.insert(0, str(site))
    importlib.invalidate_caches()
    reset_registry()
    try:
        yield site
    finally:
        sys.path.remove(str(site))
        importlib.invalidate_caches()
        reset_registry()
        for table in HELLO_TABLES:
            if table in Base.metadata.tables:
                Base.metadata.remove(Base.metadata.tables[table])
        _forget_plugin_modules()


@pytest.fixture(scope="module")
def registry(site_dir):
    """Every installed plugin (entry points, hello included) plus the in-test ``hello_addon``."""
    reg = PluginRegistry(build_plugin_manager(extra=[(ADDON_KEY, HelloAddon())]))
    reset_registry(reg)
    try:
        yield reg
    finally:
        for key in ("hello", ADDON_KEY):
            if reg.pm.get_plugin(key) is not None:
                reg.pm.unregister(name=key)
        reset_registry()


@pytest.fixture(autouse=True)
def _use_registry(request):
    """Keep this module's registry current for each test (other modules may have reset it)."""
    if "registry" in request.fixturenames:
        reset_registry(request.getfixturevalue("registry"))


@dataclass
class HelloWorld:
    db: Database
    owner_url: str
    dialect: str


@pytest.fixture(scope="module")
def world(registry):
    """A fresh database migrated by Alembic (core's branch and hello's), and the app's own Database on it."""

    with fresh_database(os.environ.get("SURETY_TEST_DATABASE_URL") or None, build=False) as tdb:
        upgrade(tdb.owner_url)
        if tdb.dialect == "postgresql":
            grant(tdb.owner_url, make_url(tdb.app_url).username)
        database = Database(tdb.app_url, owner_url=tdb.owner_url)
        try:
            yield HelloWorld(database, tdb.owner_url, tdb.dialect)
        finally:
            database.dispose()


@pytest.fixture(scope="module")
def client(world, registry):
    with TestClient(create_app(db=world.db, schema=build_schema(registry))) as c:
        yield c


def _tenant(world: HelloWorld, plugins=()):
    slug = f"hello-{secrets.token_hex(4)}"
    return create_tenant(world.db, slug=slug, name=slug.upper(), plugins=list(plugins), admin_username="admin",
                         admin_password=TEST_PASSWORD)


def _gql(client: TestClient, query: str, variables: dict | None = None, token: str | None = None) -> dict:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = client.post("/graphql", json={"query": query, "variables": variables or {}}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def _login(client: TestClient, slug: str, username: str = "admin") -> str:
    payload = _gql(client, LOGIN, {"t": slug, "u": username, "p": TEST_PASSWORD})["data"]["login"]
    assert payload["errors"] == [], payload
    return payload["accessToken"]


def _codes(body: dict) -> list[str]:
    return [e.get("extensions", {}).get("code") for e in body.get("errors") or []]


def _greeting_rows(world: HelloWorld, tenant_id: uuid.UUID) -> list:
    from surety_hello.models import HelloGreeting  # noqa: PLC0415 - installed by the site_dir fixture

    with world.db.tenant_session(tenant_id) as s:
        return list(s.scalars(select(HelloGreeting)))


# ---------------------------------------------------------------- discovery ------------------------------------------


def test_plugin_is_loaded_from_its_entry_point(site_dir):
    pm = build_plugin_manager()
    plugin = pm.get_plugin("hello")
    assert plugin is not None
    assert plugin.__name__ == "surety_hello.plugin"
    assert Path(plugin.__file__).resolve().is_relative_to(site_dir.resolve())
    dists = {p.__name__: d.project_name for p, d in pm.list_plugin_distinfo()}
    assert dists["surety_hello.plugin"] == DIST_NAME
    registry = PluginRegistry(pm)
    assert registry.manifests["hello"].key == "hello"
    assert "hello" in get_registry().manifests


# ---------------------------------------------------------------- migration ------------------------------------------


def test_migration_creates_the_plugin_table_on_its_own_branch(world):
    script = ScriptDirectory.from_config(alembic_config(world.owner_url))
    hello = script.get_revision("hello")
    assert (hello.revision, hello.down_revision, hello.dependencies) == ("hello_0001", None, "0001_core")
    assert hello.branch_labels == {"hello"}
    engine = create_engine(world.owner_url)
    try:
        with engine.connect() as conn:
            assert "hello_0001" in MigrationContext.configure(conn).get_current_heads()
        insp = inspect(engine)
        assert "hello_greetings" in insp.get_table_names()
        assert {c["name"] for c in insp.get_columns("hello_greetings")} >= {"tenant_id", "id", "message"}
        assert insp.get_pk_constraint("hello_greetings")["constrained_columns"] == ["tenant_id", "id"]
        fks = insp.get_foreign_keys("hello_greetings")
        assert [(fk["constrained_columns"], fk["referred_table"]) for fk in fks] == [(["tenant_id"], "tenants")]
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_migration_enables_and_forces_row_level_security(world):
    engine = create_engine(world.owner_url)
    try:
        with engine.connect() as conn:
            assert rls_status(conn)["hello_greetings"] == (True, True)
    finally:
        engine.dispose()


# ---------------------------------------------------------------- enabling -------------------------------------------


def test_enabling_is_refused_until_the_dependency_is_enabled(world):
    tenant = _tenant(world)
    with pytest.raises(PluginDependencyMissing) as refused:
        enable_plugin(world.db, tenant.slug, ADDON_KEY)
    assert refused.value.details["missing"] == ["hello"]
    assert "'hello'" in refused.value.message
    assert get_tenant_by_slug(world.db, tenant.slug).enabled_plugins == ["core"]

    enable_plugin(world.db, tenant.slug, "hello")
    enable_plugin(world.db, tenant.slug, ADDON_KEY)
    assert get_tenant_by_slug(world.db, tenant.slug).enabled_plugins == ["core", "hello", ADDON_KEY]


def test_enabling_puts_the_plugin_permissions_in_the_matrix(world):
    tenant = _tenant(world)
    with world.db.tenant_session(tenant.id) as s:
        assert not any(p.key.startswith("hello:") for p in matrix(s).permissions)

    enable_plugin(world.db, tenant.slug, "hello")
    with world.db.tenant_session(tenant.id) as s:
        m = matrix(s)
        assert {"hello:greeting:create", "hello:greeting:read"} <= {p.key for p in m.permissions}
        assert m.granted("admin", "hello:greeting:create")
        assert m.granted("admin", "hello:greeting:read")
        assert not m.granted("read_only", "hello:greeting:create")


# ---------------------------------------------------------------- GraphQL --------------------------------------------


def test_mutation_creates_a_greeting_the_query_lists_it_and_the_handler_runs(world, client):
    from surety_hello.events import HANDLED  # noqa: PLC0415 - installed by the site_dir fixture

    tenant = _tenant(world, plugins=["hello"])
    token = _login(client, tenant.slug)
    handled_before = len(HANDLED)

    body = _gql(client, CREATE, {"m": "你好, world"}, token)
    assert body.get("errors") is None, body
    assert body["data"]["helloGreetingCreate"] == {"message": "你好, world", "errors": []}
    assert _gql(client, LIST, token=token) == {"data": {"helloGreetings": ["你好, world"]}}

    [row] = _greeting_rows(world, tenant.id)
    assert HANDLED[handled_before:] == [(tenant.id, row.id)]
    with world.db.tenant_session(tenant.id) as s:
        outbox = list(s.scalars(select(OutboxEvent).where(OutboxEvent.event_type == "GreetingCreated")))
    assert [e.payload for e in outbox] == [{"greeting_id": str(row.id), "message": "你好, world"}]


def test_greetings_stay_in_their_tenant(world, client):
    first, second = _tenant(world, plugins=["hello"]), _tenant(world, plugins=["hello"])
    token_first, token_second = _login(client, first.slug), _login(client, second.slug)
    _gql(client, CREATE, {"m": "from the first"}, token_first)

    assert _gql(client, LIST, token=token_first)["data"]["helloGreetings"] == ["from the first"]
    assert _gql(client, LIST, token=token_second)["data"]["helloGreetings"] == []
    assert _greeting_rows(world, second.id) == []


def test_mutation_needs_the_create_permission(world, client):
    from surety_hello.events import HANDLED  # noqa: PLC0415 - installed by the site_dir fixture

    tenant = _tenant(world, plugins=["hello"])
    with world.db.tenant_session(tenant.id) as s:
        create_user(s, username="reader", password=TEST_PASSWORD, roles=["read_only"])
    token = _login(client, tenant.slug, "reader")
    handled_before = len(HANDLED)

    payload = _gql(client, CREATE, {"m": "not allowed"}, token)["data"]["helloGreetingCreate"]
    assert payload["message"] is None
    assert [e["code"] for e in payload["errors"]] == ["FORBIDDEN"]
    assert "hello:greeting:create" in payload["errors"][0]["message"]
    assert _greeting_rows(world, tenant.id) == []
    assert len(HANDLED) == handled_before


def test_invalid_message_is_a_typed_error_and_writes_nothing(world, client):
    tenant = _tenant(world, plugins=["hello"])
    token = _login(client, tenant.slug)

    payload = _gql(client, CREATE, {"m": "   "}, token)["data"]["helloGreetingCreate"]
    assert payload == {"message": None, "errors": [
        {"code": "VALIDATION_FAILED", "message": "A greeting needs a message.", "field": "message"}]}
    assert _greeting_rows(world, tenant.id) == []


def test_tenant_without_the_plugin_gets_plugin_not_enabled(world, client):
    tenant = _tenant(world)
    token = _login(client, tenant.slug)

    listed = _gql(client, LIST, token=token)
    assert listed["data"] is None
    assert _codes(listed) == ["PLUGIN_NOT_ENABLED"]
    assert "'hello'" in listed["errors"][0]["message"]

    created = _gql(client, CREATE, {"m": "hi"}, token)
    assert created["data"] is None
    assert _codes(created) == ["PLUGIN_NOT_ENABLED"]
    assert _greeting_rows(world, tenant.id) == []
