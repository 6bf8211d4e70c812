"""Browser tests of the re-guarantee pages (marker ``browser``; `make test-web`): the demo tenant's admin lists the
partners and opens one (evaluations, agreements with their line usage), lists the agreements, confirms a filing
waiting for confirmation, dry-runs an .xlsx batch (a refused row explained, then a clean file passes) and imports
it, sees the warnings and the statistics chart and exports the statistics as .xlsx. One signed-in page is shared by
the module (the tests run in order and each starts from a menu or a URL)."""

from __future__ import annotations

import datetime as dt
import io
import re
import secrets

import pytest
from openpyxl import Workbook, load_workbook
from playwright.sync_api import expect

from surety.plugins.reguarantee.testing import make_credit_code

from .signed_in import failure_screenshots, signed_in_page

pytestmark = pytest.mark.browser

HEADERS = ["项目编号", "借款合同号", "客户名称", "客户类型", "证件号码", "服务对象", "地区", "行业", "贷款银行",
           "贷款金额(元)", "担保金额(元)", "贷款利率", "起始日", "到期日", "保障比例", "资产负债率"]


admin = signed_in_page("admin")
page = failure_screenshots("admin")


def workbook(rows: list[dict]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(HEADERS)
    for row in rows:
        ws.append([row.get(h) for h in HEADERS])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def filing_row(n: int, tag: str, **over) -> dict:
    start = dt.date.today()
    return {"项目编号": f"WEB-{tag}-{n}", "借款合同号": f"JK-WEB-{tag}-{n}", "客户名称": f"南京浏览器测试企业{tag}{n}",
            "客户类型": "企业", "证件号码": make_credit_code(80_000 + n + secrets.randbelow(9_000) * 10, "91320100"),
            "服务对象": "小微", "地区": "江苏省南京市", "行业": "制造业", "贷款银行": "南京银行",
            "贷款金额(元)": 1_200_000, "担保金额(元)": 1_000_000, "贷款利率": "0.0385", "起始日": start,
            "到期日": start + dt.timedelta(days=365), "保障比例": 1, "资产负债率": 0.6, **over}


def test_partners_list_and_a_partner_page(page, console):
    page.locator("[data-test=menu-rg-partners]").click()
    rows = page.locator("[data-test=rg-partner-list][data-loaded=true] .el-table__body tr")
    expect(rows.filter(has_text="江苏银行股份有限公司南京分行")).to_have_count(1)
    expect(rows.filter(has_text="灌南县融资担保有限公司")).to_contain_text("申请中")
    # the status filter narrows the list to the suspended partner
    page.locator("[data-test=rg-partner-status-filter]").click()
    page.locator(".el-select-dropdown__item:visible", has_text="暂停合作").click()
    page.locator("[data-test=rg-partner-search]").click()
    suspended = page.locator("[data-test=rg-partner-list][data-loaded=true][data-status=suspended] .el-table__body tr")
    expect(suspended).to_have_count(1)
    expect(suspended.first).to_contain_text("泗洪县融资担保有限公司")
    suspended.first.locator(".rg-partner-link").click()
    expect(page.locator("[data-test=rg-partner-title]")).to_have_text("泗洪县融资担保有限公司")
    expect(page.locator("[data-test=rg-partner-status]")).to_have_text("暂停合作")
    expect(page.locator("[data-test=rg-partner-particulars]")).to_contain_text("代偿率超过预警阈值")
    expect(page.locator("[data-test=rg-partner-evaluations] .el-table__body tr").first).to_contain_text("年度评价")
    agreements = page.locator("[data-test=rg-partner-agreements] .el-table__body tr")
    expect(agreements.first).to_contain_text("ZDB-")
    expect(agreements.first).to_contain_text("50,000,000.00")  # a county partner's line


def test_agreements_list(page, console):
    page.goto(f"{console.url}/reguarantee/agreements")
    rows = page.locator("[data-test=rg-agreement-list][data-loaded=true] .el-table__body tr")
    expect(rows.filter(has_text="江苏银行股份有限公司南京分行").first).to_contain_text("150,000,000.00")
    page.locator("[data-test=rg-agreement-status-filter]").click()
    page.locator(".el-select-dropdown__item:visible", has_text="已到期").click()
    page.locator("[data-test=rg-agreement-search]").click()
    expired = page.locator("[data-test=rg-agreement-list][data-loaded=true][data-status=expired] .el-table__body tr")
    expect(expired).to_have_count(1)
    expect(expired.first).to_contain_text(f"ZDB-{dt.date.today().year - 3}-001")


def test_confirm_a_filing_waiting_for_confirmation(page, console):
    page.locator("[data-test=menu-rg-filings]").click()
    expect(page.locator("[data-test=rg-filing-list][data-loaded=true] .el-table__body tr").first).to_be_visible()
    page.locator("[data-test=rg-filing-status-filter]").click()
    page.locator(".el-select-dropdown__item:visible", has_text="待确认").click()
    page.locator("[data-test=rg-filing-search]").click()
    waiting = page.locator("[data-test=rg-filing-list][data-loaded=true][data-status=filed] .el-table__body tr")
    expect(waiting.first).to_be_visible()
    count = waiting.count()
    confirm = waiting.first.locator("[data-test^=rg-confirm-]")
    filing_no = confirm.get_attribute("data-test").removeprefix("rg-confirm-")
    confirm.click()  # filed by qianrui, confirmed by the admin (four eyes)
    expect(page.locator(f"[data-test=rg-filing-status-{filing_no}]")).to_have_count(0)
    expect(waiting).to_have_count(count - 1)
    # the confirmed filing is now in force and can be released
    page.locator("[data-test=rg-filing-status-filter]").click()
    page.locator(".el-select-dropdown__item:visible", has_text="在保").click()
    page.locator("[data-test=rg-filing-search]").click()
    expect(page.locator(f"[data-test=rg-filing-status-{filing_no}]")).to_have_text("在保")
    expect(page.locator(f"[data-test=rg-release-{filing_no}]")).to_be_visible()


def choose_status(page, label: str) -> None:
    page.locator("[data-test=rg-filing-status-filter]").click()
    page.locator(".el-select-dropdown__item:visible", has_text=label).click()
    page.locator("[data-test=rg-filing-search]").click()


def test_reject_a_filing_with_reasons_and_release_one_in_force(page, console):
    page.goto(f"{console.url}/reguarantee/filings")
    expect(page.locator("[data-test=nav-rg-import]")).to_have_text("批量导入")
    choose_status(page, "待确认")
    waiting = page.locator("[data-test=rg-filing-list][data-loaded=true][data-status=filed] .el-table__body tr")
    reject = waiting.first.locator("[data-test^=rg-reject-]")
    filing_no = reject.get_attribute("data-test").removeprefix("rg-reject-")
    reject.click()
    dialog = page.locator("[data-test=rg-filing-dialog]")
    dialog.locator("[data-test=rg-reject-reasons]").fill("借款合同复印件不清晰（浏览器测试）\n缺少资产负债表")
    dialog.locator("[data-test=rg-dialog-submit]").click()
    expect(page.locator(f"[data-test=rg-filing-status-{filing_no}]")).to_have_count(0)
    choose_status(page, "已退回")
    status = page.locator(f"[data-test=rg-filing-status-{filing_no}]")
    expect(status).to_have_text("已退回")
    expect(status).to_have_attribute("title", "借款合同复印件不清晰（浏览器测试）；缺少资产负债表")

    choose_status(page, "在保")
    release = page.locator("[data-test=rg-filing-list][data-loaded=true][data-status=confirmed] "
                           "[data-test^=rg-release-]").first
    released_no = release.get_attribute("data-test").removeprefix("rg-release-")
    release.click()
    dialog.locator("[data-test=rg-dialog-submit]").click()  # normal release, today
    expect(page.locator(f"[data-test=rg-filing-status-{released_no}]")).to_have_count(0)
    choose_status(page, "已解保")
    expect(page.locator(f"[data-test=rg-filing-status-{released_no}]")).to_have_text("已解保")


def test_dry_run_an_import_see_the_report_then_import(page, console, tmp_path):
    page.goto(f"{console.url}/reguarantee/import")
    page.locator("[data-test=rg-import-agreement]").click()
    page.locator(".el-select-dropdown__item:visible", has_text="江苏银行股份有限公司南京分行").click()
    tag = secrets.token_hex(3)
    bad = tmp_path / "filings-bad.xlsx"
    bad.write_bytes(workbook([filing_row(1, tag), filing_row(2, tag, 资产负债率=0.85)]))
    page.locator("[data-test=rg-import-file]").set_input_files(str(bad))
    page.locator("[data-test=rg-import-dry-run]").click()
    summary = page.locator("[data-test=rg-import-summary]")
    expect(summary).to_have_attribute("data-ok", "false")
    expect(summary).to_contain_text("1 行未通过")
    report = page.locator("[data-test=rg-import-report] .el-table__body tr")
    expect(report).to_have_count(2)
    expect(report.nth(0)).to_contain_text("通过")
    expect(report.nth(1).locator(".rg-row-reason")).to_contain_text("资产负债率须不高于 70%")
    expect(page.locator("[data-test=rg-import-run]")).to_be_disabled()

    good = tmp_path / "filings-good.xlsx"
    good.write_bytes(workbook([filing_row(1, tag), filing_row(3, tag)]))
    page.locator("[data-test=rg-import-file]").set_input_files(str(good))
    page.locator("[data-test=rg-import-dry-run]").click()
    expect(summary).to_have_attribute("data-ok", "true")
    expect(summary).to_contain_text("2,000,000.00")
    page.locator("[data-test=rg-import-run]").click()
    expect(summary).to_have_attribute("data-written", "true")
    expect(summary).to_contain_text("已导入 2 笔")
    expect(report.nth(0)).to_contain_text(re.compile(r"\d"))  # the filing numbers now given
    # the template downloads as an .xlsx with the headers
    with page.expect_download() as fetched:
        page.locator("[data-test=rg-import-template]").click()
    template = load_workbook(io.BytesIO(fetched.value.path().read_bytes()))
    assert [c.value for c in template.active[1]][:3] == ["项目编号", "借款合同号", "客户名称"]


def test_warnings_and_statistics_with_chart_and_export(page, console):
    page.goto(f"{console.url}/reguarantee/warnings")
    expect(page.locator("[data-test=rg-warning-list][data-loaded=true]")).to_be_visible()
    page.locator("[data-test=menu-rg-statistics]").click()
    table = page.locator("[data-test=rg-stats-table][data-loaded=true] .el-table__body tr")
    expect(table.filter(has_text="合计")).to_have_count(1)
    expect(table.filter(has_text="江苏银行股份有限公司南京分行")).to_have_count(1)
    expect(page.locator("[data-test=rg-stats-chart] canvas")).to_be_visible()
    with page.expect_download() as fetched:
        page.locator("[data-test=rg-stats-export]").click()
    assert fetched.value.suggested_filename.endswith(".xlsx")
    exported = load_workbook(io.BytesIO(fetched.value.path().read_bytes()))
    text = " ".join(str(c.value) for row in exported.active.iter_rows() for c in row if c.value is not None)
    assert "江苏银行股份有限公司南京分行" in text
