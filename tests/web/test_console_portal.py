"""Browser test of the customer portal pages (marker ``browser``; `make test-web`): the demo's portal user
``huaxin`` (北京华信精密机械有限公司, whose demo project waits at due diligence) sees its customer's project with the
customer-facing progress and current step, opens it and sees its milestones (submitted reached, the decision not
yet), and no guarantee letter is offered before the guarantee is effective. The side menu shows a user only the
entries whose permission it holds: the portal user gets its portal and inbox, not the staff pages."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_a_portal_user_follows_its_project(page, console, log_in):
    log_in("huaxin")
    page.wait_for_url("**/inbox")
    entries = page.locator("[data-test^=menu-]")
    expect(page.locator("[data-test=menu-portal]")).to_have_count(1)
    shown = entries.evaluate_all("els => els.map(e => e.dataset.test)")
    assert "menu-portal" in shown and not {"menu-projects", "menu-customers", "menu-permissions"} & set(shown), shown
    page.locator("[data-test=menu-portal]").click()
    rows = page.locator("[data-test=portal-projects][data-loaded=true] .el-table__body tr")
    # The demo's project of this customer (other browser tests may have added projects of it: find it by its amount)
    in_approval = rows.filter(has_text="审批中").filter(has_text="3,000,000.00")
    expect(in_approval.first).to_contain_text("3,000,000.00")
    expect(in_approval.first).to_contain_text("购买原材料")
    project_no = in_approval.first.locator(".portal-project-link").inner_text()
    assert re.search(r"\d", project_no), project_no
    in_approval.first.locator(".portal-project-link").click()
    expect(page.locator("[data-test=portal-project-title]")).to_have_text(project_no)
    expect(page.locator("[data-test=portal-progress]")).to_have_text("审批中")
    steps = page.locator("[data-test=portal-milestones] [data-key]")
    expect(steps).to_have_count(4)
    assert steps.evaluate_all("els => els.map(e => e.dataset.key)") == ["submitted", "decided", "effective",
                                                                         "released"]
    expect(page.locator("[data-test=portal-milestones] [data-key=submitted]")).to_have_attribute("data-reached",
                                                                                                 "true")
    expect(page.locator("[data-test=portal-milestones] [data-key=decided]")).to_have_attribute("data-reached",
                                                                                               "false")
    expect(page.locator("[data-test=portal-letter]")).to_have_count(0)
