"""Lending limits: the pure lines at their boundaries (equal passes, one fen over fails, naming the limit, figures
and excess), the figures read from the books (active loans only, related parties through the customer pool), the
refusal at submission, the missing net assets, and the read-only limit check."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from surety.core.errors import DomainError
from surety.plugins.customers.related import add_relation
from surety.plugins.microloan.loan import origination as o
from surety.plugins.microloan.loan.limits import Figures, LimitExceeded, NetAssetsMissing, limit_check, lines, refuse
from surety.plugins.microloan.loan.settings_service import update_settings
from surety.plugins.microloan.product.models import MicroloanProduct
from surety.plugins.microloan.testing import make_loan

from .conftest import investigated

D = Decimal


def figures(**over) -> Figures:
    base = dict(amount=D("60000.00"), kind="business", online=False, borrower_balance=D("40000.00"),
                group_balance=D("40000.00"), online_consumer_balance=D(0), business_balance=D("40000.00"),
                net_assets=D("1000000.00"), single_borrower_ratio=D("0.10"), related_group_ratio=D("0.15"),
                online_consumer_cap=D("200000.00"), business_cap=D("10000000.00"))
    return Figures(**{**base, **over})


def test_single_borrower_boundary():
    ok = figures()
    line = lines(ok)[0]
    assert (line.limit, line.ceiling, line.total, line.headroom, line.excess, line.passes) == (
        "single_borrower", D("100000.00"), D("100000.00"), D("60000.00"), D(0), True)
    refuse(ok)
    with pytest.raises(LimitExceeded) as e:
        refuse(figures(amount=D("60000.01")))
    assert e.value.code == "MICROLOAN_LIMIT_EXCEEDED" and e.value.params["limit"] == "single_borrower"
    assert (e.value.params["ceiling"], e.value.params["total"], e.value.params["excess"]) == (
        "100,000.00", "100,000.01", "0.01")
    assert "single-borrower limit" in str(e.value)


def test_related_group_boundary():
    refuse(figures(group_balance=D("90000.00")))  # 150,000.00 = 15 % of 1,000,000
    with pytest.raises(LimitExceeded) as e:
        refuse(figures(group_balance=D("90000.01")))
    assert e.value.params["limit"] == "related_group" and e.value.params["excess"] == "0.01"


def test_online_consumer_cap_applies_only_to_online_consumer_loans():
    online = dict(kind="consumer", online=True, borrower_balance=D(0), group_balance=D(0),
                  net_assets=D("100000000.00"), online_consumer_cap=D("200000.00"))
    refuse(figures(**online, online_consumer_balance=D("140000.00")))
    with pytest.raises(LimitExceeded) as e:
        refuse(figures(**online, online_consumer_balance=D("140000.01")))
    assert e.value.params["limit"] == "online_consumer"
    assert [x.limit for x in lines(figures(**{**online, "online": False}))] == ["single_borrower", "related_group"]


def test_business_cap_boundary():
    big = dict(net_assets=D("1000000000.00"), business_cap=D("100000.00"))
    refuse(figures(**big))
    with pytest.raises(LimitExceeded) as e:
        refuse(figures(**big, business_balance=D("40000.01")))
    assert e.value.params["limit"] == "business"


def test_net_assets_missing_is_refused_and_lines_cannot_tell():
    with pytest.raises(NetAssetsMissing) as e:
        refuse(figures(net_assets=None))
    assert e.value.code == "MICROLOAN_NET_ASSETS_MISSING" and e.value.field == "prior_year_net_assets"
    assert [x.passes for x in lines(figures(net_assets=None))] == [None, None, True]


def test_submission_checks_the_books(lw):
    with lw.acting("admin") as (s, a):
        update_settings(s, a, {"prior_year_net_assets": "1000000.00"})  # single 100,000.00, group 150,000.00
        row = s.scalar(select(MicroloanProduct).where(MicroloanProduct.id == lw.product_id))
        make_loan(s, row, customer_id=lw.company, amount="50000.00")
        make_loan(s, row, customer_id=lw.company, amount="90000.00", status="settled")  # not on the books
    exact = investigated(lw, amount="50000.00")
    over = investigated(lw, amount="50000.01")
    with lw.acting("mgr") as (s, a):
        lines_ = limit_check(s, a, over)
        assert [(x.limit, x.used, x.headroom, x.excess) for x in lines_][:2] == [
            ("single_borrower", D("50000.00"), D("50000.00"), D("0.01")),
            ("related_group", D("50000.00"), D("100000.00"), D(0))]
        with pytest.raises(LimitExceeded) as e:
            o.submit(s, a, over)
        assert e.value.params["limit"] == "single_borrower"
    with lw.acting("mgr") as (s, a):
        assert o.submit(s, a, exact).status == "in_approval"


def test_related_parties_count_together(lw):
    with lw.acting("admin") as (s, a):
        update_settings(s, a, {"prior_year_net_assets": "1000000.00"})
        row = s.scalar(select(MicroloanProduct).where(MicroloanProduct.id == lw.product_id))
        make_loan(s, row, customer_id=lw.company, amount="50000.01")
        add_relation(s, a, lw.person, lw.company, "actual_controller")
    loan_id = investigated(lw, customer_id=lw.person, amount="100000.00")  # single: exactly 100,000.00
    with lw.acting("mgr") as (s, a), pytest.raises(LimitExceeded) as e:
        o.submit(s, a, loan_id)
    assert e.value.params["limit"] == "related_group" and e.value.params["excess"] == "0.01"


def test_submission_without_net_assets_is_refused(lw):
    with lw.acting("admin") as (s, a):
        update_settings(s, a, {"prior_year_net_assets": None})
    loan_id = investigated(lw)
    with lw.acting("mgr") as (s, a), pytest.raises(DomainError) as e:
        o.submit(s, a, loan_id)
    assert e.value.code == "MICROLOAN_NET_ASSETS_MISSING"
    with lw.acting("mgr") as (s, a):
        assert o.get_loan(s, a, loan_id).status == "investigating"
