"""Browser test of the permission matrix editor (marker ``browser``; `make test-web`): the demo admin filters the
matrix to one plugin, grants a permission to a role, saves, finds it granted after a reload (read back from the
API), then revokes it again and saves (leaving the demo's grants as they were)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

ROLE = "customer_manager"


def open_matrix(page, console) -> None:
    page.goto(f"{console.url}/permissions")
    expect(page.locator("[data-test=pm-matrix]")).to_be_visible()
    page.locator("[data-test=pm-plugin]").click()
    page.locator(".el-select-dropdown__item:visible", has_text="regulatory").click()


def test_toggle_a_grant_and_see_it_saved(page, console, log_in):
    log_in("admin")
    page.wait_for_url("**/inbox")
    page.locator("[data-test=menu-permissions]").click()
    matrix = page.locator("[data-test=pm-matrix]")
    expect(matrix).to_be_visible()
    open_matrix(page, console)
    for key in page.locator("[data-permission]").evaluate_all("rows => rows.map(r => r.dataset.permission)"):
        assert key.startswith("regulatory:"), key
    cell = page.locator(f"input[data-test^='pm-cell-{ROLE}-regulatory:']:not(:checked)").first
    test_id = cell.get_attribute("data-test")
    target = page.locator(f"[data-test='{test_id}']")
    target.check()
    expect(matrix).to_have_attribute("data-changes", "1")
    page.locator("[data-test=pm-save]").click()
    expect(matrix).to_have_attribute("data-changes", "0")
    expect(page.locator("[data-test=pm-error]")).to_have_count(0)

    page.reload()
    open_matrix(page, console)
    expect(target).to_be_checked()
    target.uncheck()
    expect(matrix).to_have_attribute("data-changes", "1")
    page.locator("[data-test=pm-save]").click()
    expect(matrix).to_have_attribute("data-changes", "0")
    page.reload()
    open_matrix(page, console)
    expect(target).not_to_be_checked()
