"""Browser tests of the regulatory pages (marker ``browser``; `make test-web`): the demo admin sees the measures in
万元 (the six limits with value, limit and pass, the liability balance and its breakdown), opens a locked monthly
report in its form's layout (rows x columns with values) and exports it, then fills this month's report from the
reports page; reviewing a report one filled oneself is refused with the API's Chinese message. One signed-in page
is shared by the module."""

from __future__ import annotations

import datetime as dt
import io
import re
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from .signed_in import failure_screenshots, signed_in_page

pytestmark = pytest.mark.browser

admin = signed_in_page("admin")
page = failure_screenshots("admin")


def test_measures_in_wan_with_each_limit(page, console):
    page.locator("[data-test=menu-reg-measures]").click()
    measures = page.locator("[data-test=reg-measures][data-unit=WAN]")
    expect(measures).to_contain_text("金额单位：万元")
    limits = page.locator("[data-test=reg-limits] .el-table__body tr")
    expect(limits).to_have_count(6)
    expect(page.locator("[data-test=reg-limit-value-leverage]")).to_have_text(re.compile(r"^[\d.]+ 倍$|^—$"))
    expect(page.locator("[data-test=reg-limit-passes-single_party]")).to_have_text(re.compile("^(达标|未达标)$"))
    # a multiple without its trailing zeros ("15.00000000" -> "15 倍"), ratios as percentages
    multiple = re.compile(r"^不高于 \d+(\.\d*[1-9])? 倍$")
    expect(page.locator("[data-test=reg-limit-limit-leverage]")).to_have_text(multiple)
    expect(page.locator("[data-test=reg-limit-limit-single_party]")).to_have_text(re.compile(r"^不高于 [\d.]+%$"))
    expect(limits.filter(has_text="不高于").first).to_be_visible()
    expect(page.locator("[data-test=reg-liability-total]")).to_have_text(re.compile(r"^[\d,]+\.\d\d$"))
    expect(page.locator("[data-test=reg-liability-lines] .el-table__body tr").first).to_be_visible()


def test_open_a_locked_report_see_its_cells_and_export_it(page, console):
    page.locator("[data-test=menu-reg-reports]").click()
    expect(page.locator("[data-test=reg-due-dates] .el-table__body tr").first).to_be_visible()
    page.locator("[data-test=reg-report-status-filter]").click()
    page.locator(".el-select-dropdown__item:visible", has_text="已锁定").click()
    page.locator("[data-test=reg-report-search]").click()
    locked = page.locator("[data-test=reg-report-list][data-loaded=true][data-status=locked] .el-table__body tr")
    expect(locked.first).to_be_visible()
    locked.first.locator(".reg-report-link").click()
    expect(page.locator("[data-test=reg-report-status]")).to_have_attribute("data-status", "locked")
    expect(page.locator("[data-test=reg-report-correct]")).to_be_visible()
    rows = page.locator("[data-test=reg-report-cells] .el-table__body tr")
    expect(rows.first).to_be_visible()
    assert rows.count() >= 5
    headers = page.locator("[data-test=reg-report-cells] .el-table__header th").all_inner_texts()
    assert headers[:3] == ["行次", "项目", "单位"] and len(headers) > 3, headers
    values = [v for v in page.locator(".reg-cell").all_inner_texts() if v != "—"]
    assert values and all(re.fullmatch(r"-?[\d,]+(\.\d+)?", v) for v in values), values[:10]
    with page.expect_download() as fetched:
        page.locator("[data-test=reg-report-export]").click()
    assert fetched.value.suggested_filename.endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(fetched.value.path().read_bytes())).active
    assert sheet.max_row >= rows.count()


def test_fill_this_months_report_then_a_self_review_is_refused(page, console):
    this_month = dt.datetime.now(ZoneInfo("Asia/Shanghai")).strftime("%YM%m")
    page.goto(f"{console.url}/regulatory/reports")
    expect(page.locator("[data-test=reg-fill-period]")).to_have_value(this_month)
    page.locator("[data-test=reg-fill-submit]").click()
    expect(page).to_have_url(re.compile(r"/regulatory/reports/[^/]+$"))
    expect(page.locator("[data-test=reg-report-status]")).to_have_attribute("data-status", "draft")
    expect(page.locator("[data-test=reg-report-title]")).to_contain_text(this_month[:4])
    expect(page.locator("[data-test=reg-report-cells] .el-table__body tr").first).to_be_visible()
    page.locator("[data-test=reg-report-review]").click()  # the admin filled it: someone else must review
    error = page.locator("[data-test=reg-report-error]")
    expect(error).to_be_visible()
    assert re.search(r"[\u4e00-\u9fff]", error.inner_text())
    expect(page.locator("[data-test=reg-report-status]")).to_have_attribute("data-status", "draft")
