"""Browser tests of the web console (marker ``browser``; `make test-web` runs them, the default run leaves them out):
the real app served by uvicorn on a free local port over this run's fresh database with the demo tenant, the built
console from web/dist, and Debian's chromium driven headless by playwright (``executable_path``; no browser is ever
downloaded). A missing chromium or an unbuilt console FAILS the tests, saying what to do. A failing test leaves a
screenshot under var/test-artifacts/."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from unittest import mock

import pytest
import uvicorn

from surety.core.logging import configure_logging
from surety.core.settings import REPO_ROOT, get_settings

os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")

ROOT = REPO_ROOT or Path.cwd()
#: The built console: SURETY_WEB_DIST (as core/web_console.py reads it) or the checkout's web/dist.
DIST = Path(os.environ.get("SURETY_WEB_DIST") or ROOT / "web" / "dist")
ARTIFACTS = ROOT / "var" / "test-artifacts"
#: Debian's chromium (`apt-get install chromium`; `make test-web` installs it); SURETY_CHROMIUM overrides.
CHROMIUM = Path(os.environ.get("SURETY_CHROMIUM", "/usr/bin/chromium"))
#: The demo staff's password for this run (tenants.demo.password is patched while the demo is built).
PASSWORD = "Browser-Test-Pw-9x"
TENANT = "demo"


@dataclasses.dataclass
class Console:
    url: str
    tenant: str = TENANT
    password: str = PASSWORD


def require_browser_and_build() -> None:
    """Fail (never skip) when the tests cannot run, naming the fix."""
    if not CHROMIUM.exists():
        pytest.fail(f"chromium is not installed at {CHROMIUM}: run `apt-get update && apt-get install -y chromium` "
                    "(`make test-web` does it), or point SURETY_CHROMIUM at a chromium binary.", pytrace=False)
    if not (DIST / "index.html").is_file():
        pytest.fail(f"The web console is not built ({DIST / 'index.html'} is missing): run `make web`.",
                    pytrace=False)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def serve(app) -> Iterator[str]:
    """``app`` served by uvicorn in a thread on a free local port; the base URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


def seed_demo(db) -> None:
    """The demo tenant (every plugin, `surety demo`'s data) with :data:`PASSWORD` for every staff account."""
    from surety.tenants import demo  # noqa: PLC0415 - the demo imports every plugin: only the browser tests need it

    with mock.patch("surety.tenants.demo.password", lambda: PASSWORD), \
            mock.patch("surety.tenants.demo.keep_credentials", lambda *lines, echo=True: None):
        for _line in demo.ensure_demo(db):
            pass


@pytest.fixture(scope="session")
def console(db) -> Iterator[Console]:
    """The whole app (API and console) over HTTP, with the demo tenant."""
    require_browser_and_build()
    from surety.core.web import create_app  # noqa: PLC0415 - heavy (the schema): only when the tests run

    seed_demo(db)
    before = os.environ.get("SURETY_WEB_DIST")
    os.environ["SURETY_WEB_DIST"] = str(DIST)
    try:
        with serve(create_app(get_settings(), db)) as url:
            yield Console(url)
    finally:
        if before is None:
            os.environ.pop("SURETY_WEB_DIST", None)
        else:
            os.environ["SURETY_WEB_DIST"] = before
        configure_logging(get_settings())


@pytest.fixture(scope="session")
def browser():
    require_browser_and_build()
    from playwright.sync_api import sync_playwright  # noqa: PLC0415 - only the browser tests need playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                      args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
        yield chromium
        chromium.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the item (the page fixture screenshots a failed test)."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


def screenshot_path(nodeid: str) -> Path:
    return ARTIFACTS / (re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid).strip("_") + ".png")


@pytest.fixture
def page(browser, console, request):
    """A fresh browser context (no cookies or storage, Chinese like staff in China) and its page; a screenshot is
    saved under var/test-artifacts/ when the test fails."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 900})
    context.set_default_timeout(15_000)
    tab = context.new_page()
    yield tab
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(Exception):
            tab.screenshot(path=str(screenshot_path(request.node.nodeid)), full_page=True)
    context.close()


@pytest.fixture
def log_in(page, console):
    """Sign in through the login page: ``log_in(username, password=None, tenant=None)``."""

    def sign_in(username: str, password: str | None = None, tenant: str | None = None) -> None:
        page.goto(f"{console.url}/login")
        page.locator("[data-test=login-tenant]").fill(tenant or console.tenant)
        page.locator("[data-test=login-username]").fill(username)
        page.locator("[data-test=login-password]").fill(password or console.password)
        page.locator("[data-test=login-submit]").click()

    return sign_in
