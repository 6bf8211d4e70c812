"""Browser tests of the microloan pages (marker ``browser``; `make test-web`): the demo admin lists the loans (the
demo's twelve, filtered to those being repaid), opens one and sees its schedule and balances, and sees the
dashboard's figures and two charts; with English chosen, the plugin pages and menu entries are in English. One
signed-in page is shared by the module."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .signed_in import failure_screenshots, signed_in_page

pytestmark = pytest.mark.browser

admin = signed_in_page("admin")
page = failure_screenshots("admin")


def test_loans_list_filter_and_a_loans_schedule(page, console):
    page.locator("[data-test=menu-ml-loans]").click()
    rows = page.locator("[data-test=ml-loan-list][data-loaded=true] .el-table__body tr")
    expect(rows.first).to_be_visible()
    assert rows.count() >= 12  # the demo book
    page.locator("[data-test=ml-status-filter]").click()
    page.locator(".el-select-dropdown__item:visible", has_text="还款中").click()
    page.locator("[data-test=ml-search]").click()
    active = page.locator("[data-test=ml-loan-list][data-loaded=true][data-status=active] .el-table__body tr")
    expect(active.first).to_contain_text("还款中")
    for text in active.all_inner_texts():
        assert "还款中" in text, text
    loan_no = active.first.locator(".ml-loan-link").inner_text()
    active.first.locator(".ml-loan-link").click()
    expect(page).to_have_url(re.compile(r"/loans/[^/]+$"))
    expect(page.locator("[data-test=ml-loan-title]")).to_contain_text(loan_no)
    expect(page.locator("[data-test=ml-loan-status]")).to_have_text("还款中")
    expect(page.locator("[data-test=ml-loan-principal]")).to_have_text(re.compile(r"^[\d,]+\.\d\d$"))
    schedule = page.locator("[data-test=ml-schedule] .el-table__body tr")
    expect(schedule.first).to_be_visible()
    first = schedule.first.locator("td").all_inner_texts()
    assert first[0] == "1" and re.fullmatch(r"\d{4}-\d\d-\d\d", first[1]), first
    expect(page.locator("[data-test=ml-repayments]")).to_be_visible()


def test_dashboard_figures_and_charts(page, console):
    page.locator("[data-test=menu-ml-dashboard]").click()
    expect(page.locator("[data-test=ml-active-loans]")).to_have_text(re.compile(r"^[1-9]\d*$"))
    expect(page.locator("[data-test=ml-chart-classes] canvas")).to_be_visible()
    expect(page.locator("[data-test=ml-chart-stages] canvas")).to_be_visible()
    expect(page.locator("[data-test=ml-managers] .el-table__body tr").first).to_be_visible()


def test_the_plugin_pages_speak_english_when_chosen(page, console):
    page.goto(f"{console.url}/loans")
    page.locator("[data-test=locale]").first.click()
    page.locator(".el-select-dropdown__item:visible", has_text="English").click()
    try:
        expect(page.locator(".page-title")).to_have_text("Microloans")
        expect(page.locator("[data-test=menu-rg-partners]")).to_have_text("Re-guarantee partners")
        expect(page.locator("[data-test=menu-reg-reports]")).to_have_text("Regulatory reports")
        expect(page.locator("[data-test=menu-fin-trial-balance]")).to_have_text("Trial balance")
        expect(page.locator("[data-test=ml-loan-list] .el-table__header")).to_contain_text("Days past due")
    finally:
        page.locator("[data-test=locale]").first.click()
        page.locator(".el-select-dropdown__item:visible", has_text="简体中文").click()
    expect(page.locator(".page-title")).to_have_text("小额贷款")
