"""The limit check end to end with the real guarantee and finance plugins: a draft guarantee project's proposed
exposure reaches the check through core.ports.regulatory (guarantee's regulatory_proposed_exposures), the net-asset
base comes from finance's posted ledger, and the workflow field reads the same check."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

from surety.core.workflow.engine import business_today
from surety.plugins.customers.records import create_customer
from surety.plugins.customers.testing import corporate
from surety.plugins.finance.vouchers.services import create_voucher, post_voucher, review_voucher
from surety.plugins.guarantee.testing import make_project
from surety.plugins.regulatory.limits import check


def capital(gw, amount: str) -> None:
    with gw.acting("fin") as (s, fin):
        v = create_voucher(s, fin, voucher_date=business_today() - dt.timedelta(days=1), word="记", summary="实收资本",
                           lines=[{"account": "1002", "debit": amount}, {"account": "4001", "credit": amount}])
        review_voucher(s, gw.actors["admin"], v.id)
        post_voucher(s, gw.actors["admin"], v.id)


def test_a_guarantee_project_checked_against_the_finance_base(gw):
    with gw.acting("admin") as (s, admin):
        customer = create_customer(s, admin, "corporate", corporate(1)).id
        project = make_project(s, admin, customer, amount="3000000.00").id
    with gw.session() as s:
        empty = check.limit_check(s, "guarantee:project", str(project))
    assert empty.known and [(e.customer_id, e.gross) for e in empty.proposed] == [(customer, D("3000000.00"))]
    assert empty.base == 0 and empty.breaches == ["leverage", "single_party", "related_group"]  # no capital: no base
    capital(gw, "20000000.00")
    with gw.session() as s:
        found = check.limit_check(s, "guarantee:project", str(project))
        assert check.subject_fields(s, "guarantee:project", str(project))["breach"] is True
    # 3,000,000 at 75 % (small/micro, under 500万) = 2,250,000 over 20,000,000: 0.1125 > 10 %
    assert found.base == D("20000000.00") and found.liability_before == 0
    assert found.liability_after == D("2250000.00") and found.breaches == ["single_party"]
