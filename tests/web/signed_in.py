"""One signed-in browser page shared by a test module (the plugin pages' browser tests): signing in once per module
keeps the browser suite short. A module does ``admin = signed_in_page("admin")`` and ``page = failure_screenshots()``
at its top level; its tests then take ``page`` (the shared page, screenshot under var/test-artifacts/ on failure)."""

from __future__ import annotations

import contextlib
import re

import pytest
from playwright.sync_api import expect

from .conftest import ARTIFACTS, screenshot_path


def signed_in_page(username: str):
    """A module-scoped fixture: a new context (zh-CN, 1400x900, downloads accepted) signed in as ``username``."""

    @pytest.fixture(scope="module")
    def fixture(browser, console):
        context = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 900},
                                      accept_downloads=True)
        context.set_default_timeout(15_000)
        tab = context.new_page()
        tab.goto(f"{console.url}/login")
        tab.locator("[data-test=login-tenant]").fill(console.tenant)
        tab.locator("[data-test=login-username]").fill(username)
        tab.locator("[data-test=login-password]").fill(console.password)
        tab.locator("[data-test=login-submit]").click()
        expect(tab).to_have_url(re.compile(r"/inbox$"))
        yield tab
        context.close()

    return fixture


def failure_screenshots(fixture_name: str = "admin"):
    """A test-scoped ``page`` fixture: the module's shared page, screenshotted when the test fails."""

    @pytest.fixture
    def page(request):
        tab = request.getfixturevalue(fixture_name)
        yield tab
        failed = getattr(request.node, "rep_call", None)
        if failed is not None and failed.failed:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            with contextlib.suppress(Exception):
                tab.screenshot(path=str(screenshot_path(request.node.nodeid)), full_page=True)

    return page
