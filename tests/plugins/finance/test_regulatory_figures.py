"""The finance figures for the regulatory plugin (plugins/finance/ledger/regulatory_figures.py): the finance.*
measures from the posted ledger at a business date, for both guarantee chart templates, with hand-computed numbers
(docs/regulatory/measures.md, "Finance figures")."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal as D

import pytest

from surety.core.ports import regulatory as port
from surety.plugins.finance.accounts.services import add_account
from surety.plugins.finance.ledger import regulatory_figures as rf
from surety.plugins.finance.rules.services import install_chart
from surety.plugins.finance.vouchers.services import create_voucher, post_voucher, review_voucher

PROJECT, BANK = uuid.UUID(int=7), uuid.UUID(int=8)


def book(fw, day: dt.date, *pairs, post: bool = True) -> None:
    """A voucher of (debit account, credit account, amount[, dims]) pairs, reviewed and posted by two people."""
    lines = []
    for dr, cr, amount, *dims in pairs:
        extra = dims[0] if dims else {}
        lines += [{"account": dr, "debit": amount, **extra.get(dr, {})},
                  {"account": cr, "credit": amount, **extra.get(cr, {})}]
    with fw.acting("fin") as (s, fin):
        v = create_voucher(s, fin, voucher_date=day, word="记", summary="测试", lines=lines)
        if post:
            review_voucher(s, fw.actors["fin2"], v.id)
            post_voucher(s, fw.actors["admin"], v.id)


def values(figures) -> dict:
    return {(f.measure, f.dim("asset_class")): f.value for f in figures}


def test_cas_chart_figures_at_a_date(fw):
    with fw.acting("admin") as (s, admin):
        add_account(s, admin, {"code": "1511", "name": "长期股权投资", "direction": "debit", "category": "asset"})
        add_account(s, admin, {"code": "151101", "name": "对某融资担保公司投资"})
    project = {"1221": {"project_id": PROJECT}}
    book(fw, dt.date(2026, 1, 5), ("1002", "4001", D("100000000")))
    book(fw, dt.date(2026, 2, 10), ("1501", "1002", D("30000000")))
    book(fw, dt.date(2026, 2, 15), ("151101", "1002", D("4000000")))
    book(fw, dt.date(2026, 3, 1), ("1221", "1002", D("5000000"), project))
    book(fw, dt.date(2026, 3, 31), ("6501", "2602", D("2000000")), ("6511", "2601", D("1000000")))
    book(fw, dt.date(2026, 4, 1), ("1601", "1002", D("3000000")),
         ("1031", "1002", D("500000"), {"1031": {"bank_id": BANK}}))
    book(fw, dt.date(2026, 3, 15), ("1002", "6031", D("999"), {"6031": {"project_id": PROJECT}}), post=False)
    with fw.session() as s:
        march = values(rf.report_figures(s, dt.date(2026, 3, 31), dt.date(2026, 1, 1)))
        assert march == {
            ("finance.total_assets", None): D("100000000.00"),
            ("finance.net_assets", None): D("97000000.00"),
            ("finance.compensation_receivable", None): D("5000000.00"),
            ("finance.equity_in_guarantee_companies", None): D("4000000.00"),
            ("finance.paid_in_capital", None): D("100000000.00"),
            ("finance.assets_by_class", "I"): D("61000000.00"),
            ("finance.assets_by_class", "II"): D("34000000.00"),
            ("finance.assets_by_class", "III"): D("0.00"),
            ("finance.unearned_premium_reserve", None): D("1000000.00"),
            ("finance.compensation_reserve", None): D("2000000.00"),
        }
        day_before = values(rf.report_figures(s, dt.date(2026, 3, 30), dt.date(2026, 1, 1)))
        assert day_before[("finance.net_assets", None)] == D("100000000.00")
        assert day_before[("finance.compensation_reserve", None)] == D("0.00")
        april = values(rf.report_figures(s, dt.date(2026, 4, 1), dt.date(2026, 1, 1)))
        assert (april[("finance.assets_by_class", "I")], april[("finance.assets_by_class", "III")]) == (
            D("58000000.00"), D("3000000.00"))
    # a voucher dated in March, posted later, shows in a later call for March
    book(fw, dt.date(2026, 3, 20), ("1002", "2241", D("1000000")))
    with fw.session() as s:
        again = values(rf.report_figures(s, dt.date(2026, 3, 31), dt.date(2026, 1, 1)))
        assert again[("finance.total_assets", None)] == D("101000000.00")
        assert again[("finance.net_assets", None)] == D("97000000.00")


def test_legacy_chart_figures_net_the_compensation_allowance(fw):
    with fw.session() as s:
        install_chart(s, None, "guarantee_legacy")
    project = {"1231": {"project_id": PROJECT}}
    book(fw, dt.date(2026, 1, 5), ("1002", "3101", D("10000000")))
    book(fw, dt.date(2026, 2, 1), ("1231", "1002", D("2000000"), project))
    book(fw, dt.date(2026, 3, 1), ("5601", "1232", D("300000")), ("5102", "2192", D("200000")),
         ("5103", "2193", D("100000")))
    with fw.session() as s:
        found = values(rf.report_figures(s, dt.date(2026, 3, 31), dt.date(2026, 1, 1)))
    assert found[("finance.compensation_receivable", None)] == D("1700000.00")
    assert found[("finance.total_assets", None)] == D("9700000.00")
    assert found[("finance.net_assets", None)] == D("9400000.00")
    assert found[("finance.assets_by_class", "I")] == D("8000000.00")
    assert found[("finance.paid_in_capital", None)] == D("10000000.00")
    assert found[("finance.unearned_premium_reserve", None)] == D("200000.00")
    assert found[("finance.compensation_reserve", None)] == D("100000.00")


@pytest.mark.parametrize(("template", "code", "klass"), [
    ("guarantee_cas", "1001", "I"), ("guarantee_cas", "100201", "I"), ("guarantee_cas", "1031", "I"),
    ("guarantee_cas", "1501", "II"), ("guarantee_cas", "1122", "III"), ("guarantee_legacy", "1501", "III"),
    ("microloan", "1303", "III"),
])
def test_asset_class_mapping(template, code, klass):
    assert rf.asset_class(template, code) == klass


def test_the_hook_answers_through_the_port(db, make_tenant):
    tenant = make_tenant(plugins=["finance", "regulatory"])
    with db.tenant_session(tenant.id) as s:
        figures = port.report_figures(s, dt.date(2026, 3, 31), dt.date(2026, 1, 1))
        assert port.total(figures, "finance.net_assets") == D("0.00")
        assert {f.measure for f in figures} >= {"finance.net_assets", "finance.assets_by_class"}
