"""End-to-end tests of the web console in headless chromium (marker ``browser``; `make test-web`): the demo tenant's
staff sign in, work their inbox, open a committee meeting and vote, search and create customers, open a project, see
the dashboard's charts and a workflow's graph; errors come back in the chosen language; a tenant without a plugin
sees none of its pages."""

from __future__ import annotations

import re
import secrets

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from surety.core.identity.models import User
from surety.plugins.customers.records import create_customer
from surety.plugins.customers.testing import actor_for
from surety.plugins.customers.validators import uscc_check_char
from surety.tenants.models import Tenant

pytestmark = pytest.mark.browser

TODO_ROWS = "[data-test=inbox-list][data-tab=todo][data-loaded=true] .el-table__body tr"
DONE_ROWS = "[data-test=inbox-list][data-tab=done][data-loaded=true] .el-table__body tr"


def choose_language(page, label: str) -> None:
    page.locator("[data-test=locale]").first.click()
    page.locator(".el-select-dropdown__item:visible", has_text=label).click()


def test_log_in_and_see_the_inbox_with_the_tenant_in_the_header(page, console, log_in):
    log_in("wangqiang")
    expect(page).to_have_url(re.compile(r"/inbox$"))
    expect(page.locator("[data-test=tenant-name]")).to_contain_text("demo")
    expect(page.locator("[data-test=user-name]")).to_contain_text("王强")
    expect(page.locator(TODO_ROWS).first).to_be_visible()
    expect(page.get_by_role("tab", name="待办")).to_be_visible()  # Chinese by default
    # a page reload keeps the session (sessionStorage); logging out goes back to the login page
    page.reload()
    expect(page.locator(TODO_ROWS).first).to_be_visible()
    page.locator("[data-test=logout]").click()
    expect(page).to_have_url(re.compile(r"/login$"))
    page.goto(f"{console.url}/inbox")
    expect(page).to_have_url(re.compile(r"/login\?next=/inbox$"))


def test_a_refused_login_is_explained_in_the_chosen_language(page, console, log_in):
    log_in("wangqiang", password="not-the-password-1")
    error = page.locator("[data-test=login-error]")
    expect(error).to_be_visible()
    chinese = error.inner_text()
    assert re.search(r"[\u4e00-\u9fff]", chinese), chinese
    choose_language(page, "English")
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    page.locator("[data-test=login-submit]").click()
    expect(error).not_to_have_text(chinese)
    english = error.inner_text()
    assert re.search(r"[A-Za-z]{4}", english) and not re.search(r"[\u4e00-\u9fff]", english), english


def test_approve_a_task_from_the_inbox_and_see_it_in_done(page, console, log_in):
    log_in("wangqiang")
    first = page.locator(TODO_ROWS).first.locator(".task-link")
    expect(first).to_be_visible()
    task = first.get_attribute("data-test")
    first.click()
    drawer = page.locator("[data-test=task-drawer]")
    expect(drawer.locator("[data-test=task-timeline]")).to_be_visible()
    drawer.locator("[data-test=task-comment]").fill("资料齐全，同意受理（浏览器测试）")
    drawer.locator("[data-test=task-approve]").click()
    expect(page.locator(f"{TODO_ROWS} [data-test='{task}']")).to_have_count(0)
    page.get_by_role("tab", name="已办").click()
    expect(page.locator(f"{DONE_ROWS} [data-test='{task}']")).to_be_visible()


def test_returning_a_task_needs_a_comment(page, console, log_in):
    log_in("wangqiang")
    page.locator(TODO_ROWS).first.locator(".task-link").click()
    drawer = page.locator("[data-test=task-drawer]")
    drawer.locator("[data-test=task-return]").click()
    expect(drawer.locator("[data-test=task-error]")).to_contain_text("退回时请填写意见")


def credit_code() -> str:
    first17 = "91110105" + "".join(secrets.choice("0123456789") for _ in range(9))
    return first17 + uscc_check_char(first17)


def test_search_and_create_a_customer_after_a_field_level_error(page, console, log_in):
    log_in("zhangwei")
    page.locator("[data-test=menu-customers]").click()
    page.locator("[data-test=customer-search]").fill("华信")
    page.locator("[data-test=customer-search-submit]").click()
    rows = page.locator("[data-test=customer-list][data-loaded=true][data-query=华信] .el-table__body tr")
    expect(rows.first).to_contain_text("北京华信精密机械有限公司")
    for text in rows.all_inner_texts():
        assert "华信" in text, text
    rows.first.locator(".customer-link").click()
    expect(page.locator("[data-test=customer-title]")).to_have_text("北京华信精密机械有限公司")
    expect(page.locator("[data-test=customer-graph] canvas")).to_be_visible()  # the related-party picture
    page.go_back()

    page.locator("[data-test=customer-create]").click()
    form = page.locator("[data-test=customer-form]")
    name = f"北京浏览器测试科技有限公司{secrets.token_hex(2)}"
    form.locator("[data-test=customer-name]").fill(name)
    form.locator("[data-test=customer-idNumber]").fill("91110105ABC")  # too short: refused on its field
    form.locator("[data-test=customer-save]").click()
    field_error = form.locator("[data-test=field-idNumber] .el-form-item__error")
    expect(field_error).to_have_text("统一社会信用代码应为 18 位，当前为 11 位。")
    form.locator("[data-test=customer-idNumber]").fill(credit_code())
    form.locator("[data-test=customer-save]").click()
    expect(page).to_have_url(re.compile(r"/customers/[^/]+$"))
    expect(page.locator("[data-test=customer-title]")).to_have_text(name)
    expect(page.locator("[data-test=customer-history] .el-table__body tr").first).to_be_visible()


def test_a_list_shows_twenty_rows_then_the_next_page_on_more(page, console, log_in, db):
    """Paging of a list page (web/src/api/paging.ts, every list page uses it): 25 customers sharing a name, the first
    20 shown of 25, 加载更多 appends the other 5, none twice, and then no more button."""
    prefix = f"翻页测试{secrets.token_hex(2)}"
    with db.platform_session() as s:
        tenant_id = s.scalar(select(Tenant.id).where(Tenant.slug == console.tenant))
    with db.tenant_session(tenant_id) as s:
        actor = actor_for(s.scalar(select(User).where(User.username == "zhangwei")))
        for n in range(25):
            create_customer(s, actor, "corporate", {"name": f"{prefix}科技有限公司{n:02d}",
                                                    "credit_code": credit_code(), "industry": "C13",
                                                    "region": "110105", "size": "small"})
    log_in("zhangwei")
    page.locator("[data-test=menu-customers]").click()
    page.locator("[data-test=customer-search]").fill(prefix)
    page.locator("[data-test=customer-search-submit]").click()
    rows = page.locator(f"[data-test=customer-list][data-loaded=true][data-query={prefix}] .el-table__body tr")
    expect(rows).to_have_count(20)
    more = page.get_by_role("button", name="加载更多")
    more.click()
    expect(rows).to_have_count(25)
    names = [text.split("\t")[0] for text in rows.all_inner_texts()]
    assert len({n for n in names}) == 25 and all(prefix in n for n in names), names
    expect(more).to_have_count(0)


def test_open_a_project_page_with_its_counter_guarantees_ledger_and_documents(page, console, log_in):
    log_in("zhangwei")
    page.locator("[data-test=menu-projects]").click()
    page.locator("[data-test=project-status-filter]").click()
    page.locator(".el-select-dropdown__item:visible", has_text="已生效").click()
    page.locator("[data-test=project-search]").click()
    rows = page.locator("[data-test=project-list][data-loaded=true][data-status=effective] .el-table__body tr")
    expect(rows.first).to_contain_text("已生效")
    rows.first.locator(".project-link").click()
    expect(page).to_have_url(re.compile(r"/projects/[^/]+$"))
    expect(page.locator("[data-test=project-status]")).to_have_text("已生效")
    expect(page.locator("[data-test=project-timeline] .el-timeline-item").first).to_be_visible()
    page.get_by_role("tab", name="反担保措施").click()
    expect(page.locator("[data-test=project-counters] .el-table__body tr").first).to_be_visible()
    page.get_by_role("tab", name="台账").click()
    expect(page.locator("[data-test=project-ledger] .el-table__body tr").first).to_be_visible()

    # documents: upload a file, then download it back with the same name and bytes
    page.get_by_role("tab", name="文件资料").click()
    content = "保后检查记录（浏览器测试）\n".encode()
    page.locator("[data-test=project-upload]").set_input_files(
        files=[{"name": "保后检查记录.txt", "mimeType": "text/plain", "buffer": content}])
    link = page.locator("[data-test=project-documents] .el-table__body tr").filter(has_text="保后检查记录.txt") \
        .locator(".el-link")
    expect(link).to_be_visible()
    with page.expect_download() as fetched:
        link.click()
    assert fetched.value.suggested_filename == "保后检查记录.txt"
    with open(fetched.value.path(), "rb") as fh:
        assert fh.read() == content


def test_the_dashboard_draws_its_charts(page, console, log_in):
    log_in("liuyang")
    page.locator("[data-test=menu-dashboard]").click()
    expect(page.locator("[data-test=in-force-balance]")).to_have_text(re.compile(r"^[1-9][\d,]*\.\d\d$"))
    for chart in ("chart-industry", "chart-kind", "chart-bank", "chart-people"):
        expect(page.locator(f"[data-test={chart}] canvas")).to_be_visible()


def test_the_workflow_viewer_draws_a_definition(page, console, log_in):
    log_in("admin")
    page.locator("[data-test=menu-workflows]").click()
    expect(page.locator("[data-test=workflow-list] .el-table__body tr").first).to_be_visible()
    expect(page.locator("[data-test=workflow-graph] canvas")).to_be_visible()
    assert int(page.locator("[data-test=workflow-step-count]").inner_text()) > 1


def test_a_tenant_without_the_guarantee_plugin_sees_none_of_its_pages(page, console, log_in, make_tenant):
    tenant = make_tenant(plugins=["customers"], admin_password="Correct-Horse-9")
    log_in("admin", password="Correct-Horse-9", tenant=tenant.slug)
    expect(page.locator("[data-test=menu-customers]")).to_be_visible()
    expect(page.locator("[data-test=menu-projects]")).to_have_count(0)
    expect(page.locator("[data-test=menu-dashboard]")).to_have_count(0)
    page.goto(f"{console.url}/projects")
    expect(page.locator("[data-test=not-enabled]")).to_be_visible()


def test_the_secretary_opens_the_committee_meeting_and_a_member_votes_from_the_inbox(page, console, log_in):
    log_in("zhaolei")
    page.locator(TODO_ROWS).first.locator(".task-link").click()
    expect(page.locator("[data-test=task-convene]")).to_be_visible()  # convening is done on the meetings page
    page.keyboard.press("Escape")
    page.locator("[data-test=menu-meetings]").click()
    meeting = page.locator("[data-test=meeting-list][data-loaded=true] .el-card").filter(
        has=page.locator("[data-test=meeting-open]")).first
    expect(meeting).to_be_visible()
    meeting.locator("[data-test=meeting-open]").click()
    expect(page.locator("[data-test=meeting-error]")).to_have_count(0)
    expect(meeting.locator("[data-test=meeting-open]")).to_have_count(0)
    page.locator("[data-test=logout]").click()
    expect(page).to_have_url(re.compile(r"/login$"))

    log_in("zhoumin")
    first = page.locator(TODO_ROWS).first.locator(".task-link")
    expect(first).to_be_visible()
    task = first.get_attribute("data-test")
    first.click()
    drawer = page.locator("[data-test=task-drawer]")
    expect(drawer.locator("[data-test=task-vote]")).to_be_visible()
    drawer.locator("[data-test=task-vote] .el-radio", has_text="同意").first.click()
    drawer.locator("[data-test=task-comment]").fill("同意担保（浏览器测试）")
    drawer.locator("[data-test=task-vote-submit]").click()
    expect(page.locator(f"{TODO_ROWS} [data-test='{task}']")).to_have_count(0)
    page.get_by_role("tab", name="已办").click()
    expect(page.locator(f"{DONE_ROWS} [data-test='{task}']")).to_be_visible()


def choose(page, select: str, text: str, typed: str | None = None) -> None:
    """Pick the option showing ``text`` of an Element Plus select (typing ``typed`` first into a filterable one)."""
    page.locator(select).first.click()
    if typed:
        page.keyboard.type(typed)
    page.locator(".el-select-dropdown__item:visible", has_text=text).first.click()


def approve_from_inbox(page, log_in, user: str, project_no: str, comment: str) -> None:
    """``user`` signs in, approves the open task of ``project_no`` from the inbox and sees it leave the to-do list."""
    log_in(user)
    row = page.locator(TODO_ROWS).filter(has_text=project_no)
    expect(row).to_have_count(1)
    task = row.locator(".task-link").get_attribute("data-test")
    row.locator(".task-link").click()
    drawer = page.locator("[data-test=task-drawer]")
    drawer.locator("[data-test=task-comment]").fill(comment)
    drawer.locator("[data-test=task-approve]").click()
    expect(page.locator(f"{TODO_ROWS} [data-test='{task}']")).to_have_count(0)


def open_work(page, console, log_in, user: str, project_url: str) -> None:
    log_in(user)
    expect(page).to_have_url(re.compile(r"/inbox$"))
    page.goto(project_url)
    page.get_by_role("tab", name="办理").click()


def test_an_application_goes_from_draft_to_effective(page, console, log_in):
    """The whole way in the browser: drafted (after a field error), submitted, accepted, due diligence, reviews,
    approved, fee plan and receipts, contracts signed, loan confirmed: effective."""
    log_in("zhangwei")
    page.locator("[data-test=menu-projects]").click()
    page.locator("[data-test=application-create]").click()
    expect(page).to_have_url(re.compile(r"/projects/new$"))
    choose(page, "[data-test=application-customer]", "北京华信精密机械有限公司", typed="华信")
    choose(page, "[data-test=application-product]", "流动资金贷款担保")
    choose(page, "[data-test=application-bank]", "北京农村商业银行")
    page.locator("[data-test=application-amount]").fill("1500000.00")
    page.locator("[data-test=application-save]").click()  # no purpose yet: refused on its field
    expect(page.locator("[data-test=field-purpose] .el-form-item__error")).to_be_visible()
    page.locator("[data-test=application-purpose]").fill("购买原材料的流动资金（浏览器测试）")
    choose(page, "[data-test=application-counter-kind]", "保证")
    page.locator("[data-test=application-counter-description]").fill("实际控制人连带责任保证")
    page.locator("[data-test=application-counter-owner]").fill("实际控制人")
    page.locator("[data-test=application-save]").click()
    expect(page).to_have_url(re.compile(r"/projects/(?!new)[^/]+$"))
    project_url = page.url
    expect(page.locator("[data-test=project-status]")).to_have_text("草稿")
    page.locator("[data-test=project-submit]").click()
    expect(page.locator("[data-test=project-status]")).to_have_text("审批中")
    expect(page.locator("[data-test=project-current-step]")).to_be_visible()
    project_no = re.search(r"[A-Z]+-\d{4}-\d+", page.locator("[data-test=project-title]").inner_text()).group(0)

    # acceptance by the branch head, from his inbox; the task opens the project, his comment in its timeline
    approve_from_inbox(page, log_in, "wangqiang", project_no, "资料齐全，同意受理")
    page.get_by_role("tab", name="已办").click()
    page.locator(DONE_ROWS).filter(has_text=project_no).locator(".task-link").click()
    page.locator("[data-test=task-drawer] [data-test=task-subject]").click()
    expect(page.locator("[data-test=project-title]")).to_contain_text(project_no)
    expect(page.locator("[data-test=project-timeline]")).to_contain_text("资料齐全，同意受理")

    # due diligence: manager A rates the customer and submits the report, then closes his task
    open_work(page, console, log_in, "zhangwei", project_url)
    work = page.locator("[data-test=project-work]")
    scores = work.locator("[data-test^=score-]")
    expect(scores.first).to_be_visible()  # the scorecard loads after the tab: .all() alone may find none yet
    assert scores.count() >= 3
    for score in scores.all():
        score.fill("80")
    for field in ("businessOverview", "financialAnalysis", "repaymentSource", "counterGuaranteeAnalysis", "risks",
                  "conclusion"):
        work.locator(f"[data-test=report-{field}]").fill("经营正常，建议同意担保。")
    work.locator("[data-test=work-diligence]").click()
    expect(work.locator("[data-test=work-error]")).to_have_count(0)
    expect(page.locator(".el-message--success")).to_be_visible()
    page.locator("[data-test=logout]").click()
    expect(page).to_have_url(re.compile(r"/login$"))
    approve_from_inbox(page, log_in, "zhangwei", project_no, "尽调完成")
    approve_from_inbox(page, log_in, "chenjing", project_no, "风险可控，同意")
    approve_from_inbox(page, log_in, "liuyang", project_no, "同意")  # re-review (under the committee threshold)
    approve_from_inbox(page, log_in, "liuyang", project_no, "同意批复")  # reply, then the credit-line check
    page.goto(project_url)
    expect(page.locator("[data-test=project-status]")).to_have_text("已批准")

    # finance sets the fee plan and receives what is due; legal generates and signs the contracts
    open_work(page, console, log_in, "sunli", project_url)
    work = page.locator("[data-test=project-work]")
    work.locator("[data-test=work-fee-plan]").click()
    work.locator("[data-test=work-receive]").click()
    expect(work.locator("[data-test=work-receive]")).to_have_count(0)
    expect(work.locator("[data-test=work-error]")).to_have_count(0)
    open_work(page, console, log_in, "zhaolei", project_url)
    work = page.locator("[data-test=project-work]")
    work.locator("[data-test=work-generate]").click()
    work.locator("[data-test=work-sign]").click()
    expect(work.locator("[data-test=work-sign]")).to_have_count(0)
    expect(work.locator("[data-test=work-error]")).to_have_count(0)

    # finance confirms the loan: the guarantee is effective
    open_work(page, console, log_in, "sunli", project_url)
    work = page.locator("[data-test=project-work]")
    work.locator("[data-test=loan-contract-no]").fill(f"JK-{project_no}")
    work.locator("[data-test=work-loan]").click()
    expect(work.locator("[data-test=work-error]")).to_have_count(0)
    expect(page.locator("[data-test=project-status]")).to_have_text("已生效")
