"""End-to-end tests of the web console in headless chromium (marker ``browser``; `make test-web`): the demo tenant's
staff sign in, work their inbox, search and create customers, open a project, see the dashboard's charts."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

INBOX_ROWS = "[data-test=inbox-list] .el-table__body tr"


def test_log_in_and_see_the_inbox_with_the_tenant_in_the_header(page, console, log_in):
    log_in("wangqiang")
    expect(page).to_have_url(re.compile(r"/inbox$"))
    expect(page.locator("[data-test=tenant-name]")).to_contain_text("demo")
    expect(page.locator("[data-test=user-name]")).to_contain_text("王强")
    expect(page.locator("[data-test=inbox-list][data-loaded=true]")).to_be_visible()
    expect(page.locator(INBOX_ROWS).first).to_be_visible()
    expect(page.get_by_role("tab", name="待办")).to_be_visible()  # Chinese by default
