"""Browser tests of the finance pages (marker ``browser``; `make test-web`): the demo admin lists the vouchers the
demo's money events wrote, opens a draft one (its lines, debit total = credit total), reviews and posts it, and
sees the period's trial balance balanced. One signed-in page is shared by the module."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .signed_in import failure_screenshots, signed_in_page

pytestmark = pytest.mark.browser

admin = signed_in_page("admin")
page = failure_screenshots("admin")


def test_open_a_voucher_review_and_post_it(page, console):
    page.locator("[data-test=menu-fin-vouchers]").click()
    expect(page.locator("[data-test=fin-voucher-list][data-loaded=true] .el-table__body tr").first).to_be_visible()
    page.locator("[data-test=fin-status-filter]").click()
    page.locator(".el-select-dropdown__item:visible", has_text="未审核").click()
    page.locator("[data-test=fin-search]").click()
    drafts = page.locator("[data-test=fin-voucher-list][data-loaded=true][data-status=draft] .el-table__body tr")
    expect(drafts.first).to_contain_text("未审核")
    number = drafts.first.locator(".fin-voucher-link").inner_text()
    drafts.first.locator(".fin-voucher-link").click()
    expect(page.locator("[data-test=fin-voucher-title]")).to_contain_text(number)
    lines = page.locator("[data-test=fin-voucher-lines] .el-table__body tr")
    expect(lines.first).to_be_visible()
    assert lines.count() >= 2
    totals = page.locator("[data-test=fin-voucher-totals]").inner_text()
    debit, credit = re.findall(r"-?[\d,]+\.\d\d", totals)
    assert debit == credit and debit not in ("0.00", "-0.00"), totals
    page.locator("[data-test=fin-voucher-review]").click()
    expect(page.locator("[data-test=fin-voucher-status]")).to_have_attribute("data-status", "reviewed")
    page.locator("[data-test=fin-voucher-post]").click()
    expect(page.locator("[data-test=fin-voucher-status]")).to_have_attribute("data-status", "posted")


def test_trial_balance_balances(page, console):
    page.locator("[data-test=menu-fin-trial-balance]").click()
    expect(page.locator("[data-test=fin-tb-balanced]")).to_have_attribute("data-balanced", "true")
    rows = page.locator("[data-test=fin-tb][data-loaded=true] .el-table__body tr")
    expect(rows.filter(has_text="合计")).to_have_count(1)
    assert rows.count() >= 3
