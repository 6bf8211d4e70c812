"""Suite-wide fixtures. SQLite by default; PostgreSQL when SURETY_TEST_DATABASE_URL points at a server, where each
run gets a fresh database (dropped afterwards) and the app connects as a fresh non-owner role (RLS applies)."""

from __future__ import annotations

import os
import shutil
import tempfile

_VAR = tempfile.mkdtemp(prefix="surety-var-")
os.environ.setdefault("SURETY_ENV", "test")
os.environ["SURETY_VAR_DIR"] = _VAR
# Per-run random keys, so no development key files are generated (and no warnings printed).
os.environ["SURETY_KEK"] = __import__("base64").b64encode(os.urandom(32)).decode()
os.environ["SURETY_JWT_SECRET"] = __import__("secrets").token_urlsafe(48)
os.environ["SURETY_AUDIT_KEY"] = __import__("base64").b64encode(os.urandom(32)).decode()
os.environ.pop("SURETY_DATABASE_URL", None)
os.environ.pop("SURETY_APP_DATABASE_URL", None)

import secrets  # noqa: E402

import pytest  # noqa: E402
from starlette.testclient import TestClient  # noqa: E402

from surety.core.db.session import Database, set_database  # noqa: E402
from surety.core.identity.ratelimit import reset_rate_limits  # noqa: E402
from surety.core.settings import get_settings  # noqa: E402
from surety.core.testing import GraphQLClient, fresh_database, new_bare_tenant  # noqa: E402
from surety.tenants.service import create_tenant  # noqa: E402

PG_URL = os.environ.get("SURETY_TEST_DATABASE_URL", "")


def pytest_report_header(config):
    browser = shutil.which("chromium") or "not installed (browser tests fail: apt-get install chromium)"
    return [f"surety database: {'PostgreSQL ' + PG_URL if PG_URL.startswith('postgresql') else 'SQLite'}",
            f"chromium: {browser}"]


def pytest_collection_modifyitems(config, items):
    # PostgreSQL-only tests are deselected (not skipped) on the SQLite pass; `make test` runs both passes. Browser
    # tests are left out by the default `-m "not browser"` (pyproject addopts); `make test-web` runs them with
    # `-m browser`, and there a missing chromium fails them (tests/web/conftest.py), it never deselects them.
    no_pg = not PG_URL.startswith("postgresql")
    keep, drop = [], []
    for item in items:
        unwanted = no_pg and item.get_closest_marker("postgres")
        (drop if unwanted else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Each test starts with empty login and token rate limits (failures would otherwise carry over)."""
    reset_rate_limits()


@pytest.fixture(scope="session")
def test_db():
    with fresh_database(PG_URL or None) as tdb:
        yield tdb


@pytest.fixture(scope="session")
def db(test_db):
    database = Database(test_db.app_url, owner_url=test_db.owner_url)
    set_database(database)
    yield database
    set_database(None)
    database.dispose()


@pytest.fixture
def make_tenant(db):
    """Create and provision a tenant with a unique slug: ``make_tenant(plugins=[...]) -> Tenant``."""
    def factory(slug: str | None = None, name: str | None = None, plugins=(), admin_password: str | None = None):
        slug = slug or f"t-{secrets.token_hex(4)}"
        return create_tenant(db, slug=slug, name=name or slug.upper(), plugins=list(plugins),
                             admin_username="admin", admin_password=admin_password or "Correct-Horse-9")

    return factory


@pytest.fixture
def bare_tenant(db):
    """A registered tenant with nothing provisioned (no keys, roles or users): for unit tests of one service."""
    return new_bare_tenant(db)


@pytest.fixture(autouse=True, scope="session")
def _english_test_clients():
    """Every test client asks for English (``Accept-Language: en``) unless a test sends its own header: the suite
    checks messages in English, the API's default (zh_CN, no header) is tested in tests/*/test_i18n*.py."""
    original = TestClient.__init__

    def init(self, *args, headers=None, **kwargs):
        original(self, *args, headers={"accept-language": "en", **dict(headers or {})}, **kwargs)

    TestClient.__init__ = init  # type: ignore[method-assign]
    yield
    TestClient.__init__ = original  # type: ignore[method-assign]


@pytest.fixture(scope="session")
def app(db):
    """The whole web application (GraphQL, attachments) on the test database."""
    from surety.core.web import create_app  # noqa: PLC0415 - heavy (strawberry, the schema): only tests using the app

    return create_app(get_settings(), db)


@pytest.fixture
def api(app):
    """A GraphQL client of :func:`app` (``surety.core.testing.GraphQLClient``)."""
    with TestClient(app) as client:
        yield GraphQLClient(client)
