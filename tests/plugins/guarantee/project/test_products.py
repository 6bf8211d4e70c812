"""Guarantee products: kinds and derived category, ranges, unique code, retiring, permissions, audit."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from surety.core.audit.models import AuditRecord
from surety.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from surety.plugins.guarantee.project import products as pr

LOAN = {"code": "LOAN-1", "name": "流贷担保", "kind": "loan", "min_amount": "100000", "max_amount": "30000000",
        "min_term_months": 3, "max_term_months": 36, "default_fee_rate": "0.015"}


def test_create_derives_category_and_keeps_exact_figures(gw):
    with gw.acting("admin") as (s, a):
        loan = pr.create_product(s, a, LOAN)
        pr.create_product(s, a, {"code": "BID-1", "name": "投标保函", "kind": "bid",
                          "requires_counter_guarantee": False})
    with gw.acting("viewer") as (s, a):
        rows = {p.code: p for p in pr.list_products(s, a)}
        audited = s.scalars(select(AuditRecord.action).where(AuditRecord.entity_id == str(loan.id))).all()
    assert (rows["LOAN-1"].category, rows["BID-1"].category) == ("financing", "non_financing")
    assert rows["LOAN-1"].min_amount == Decimal("100000.00") and rows["LOAN-1"].max_amount == Decimal("30000000.00")
    assert rows["LOAN-1"].default_fee_rate == Decimal("0.015") and rows["BID-1"].requires_counter_guarantee is False
    assert rows["BID-1"].max_amount is None and rows["BID-1"].min_term_months == 1
    assert audited == ["guarantee.product.created"]


@pytest.mark.parametrize("change, field, words", [
    ({"kind": "lease"}, "kind", "kind is one of"),
    ({"min_amount": "-1"}, "min_amount", "zero or more"),
    ({"max_amount": "0"}, "max_amount", "above zero"),
    ({"min_amount": "40000000"}, "min_amount", "above the maximum"),
    ({"min_term_months": 40}, "min_term_months", "above the maximum"),
    ({"max_term_months": 0}, "max_term_months", "between 1 and 360"),
    ({"max_amount": 1.5}, "max_amount", "exact decimal number"),
    ({"min_amount": "1.001"}, "min_amount", "two decimal places"),
    ({"default_fee_rate": "1.5"}, "default_fee_rate", "between 0 and 1"),
    ({"code": ""}, "code", "Give code"),
    ({"colour": "red"}, "colour", "Unknown product field"),
])
def test_bad_products_are_refused_naming_the_field(gw, change, field, words):
    with gw.acting("admin") as (s, a):
        with pytest.raises(ValidationFailed, match=words) as err:
            pr.create_product(s, a, {**LOAN, **change})
    assert err.value.field == field


def test_code_is_unique_and_update_rederives_category(gw):
    with gw.acting("admin") as (s, a):
        loan = pr.create_product(s, a, LOAN)
        other = pr.create_product(s, a, {**LOAN, "code": "PERF-1", "kind": "performance"})
        with pytest.raises(Conflict, match="already exists") as err:
            pr.create_product(s, a, {**LOAN, "name": "again"})
        assert err.value.field == "code"
        with pytest.raises(Conflict):
            pr.update_product(s, a, other.id, {"code": "LOAN-1"})
        changed = pr.update_product(s, a, loan.id, {"kind": "litigation", "max_term_months": 12})
        assert (changed.category, changed.max_term_months, changed.min_amount) == ("non_financing", 12,
                                                                                     Decimal("100000.00"))
        with pytest.raises(ValidationFailed, match="above the maximum"):
            pr.update_product(s, a, loan.id, {"max_term_months": 2})  # below the minimum of 3


def test_retired_products_are_hidden_and_refused_again(gw):
    with gw.acting("admin") as (s, a):
        loan = pr.create_product(s, a, LOAN)
        pr.retire_product(s, a, loan.id)
        assert pr.list_products(s, a) == []
        assert [p.code for p in pr.list_products(s, a, include_retired=True)] == ["LOAN-1"]
        with pytest.raises(Conflict, match="already retired"):
            pr.retire_product(s, a, loan.id)


def test_only_product_managers_change_products(gw):
    with gw.acting("admin") as (s, a):
        loan = pr.create_product(s, a, LOAN)
    with gw.acting("mgr") as (s, a):
        with pytest.raises(PermissionDenied):
            pr.create_product(s, a, {**LOAN, "code": "X"})
        with pytest.raises(PermissionDenied):
            pr.update_product(s, a, loan.id, {"name": "mine"})
        with pytest.raises(NotFound):
            pr.get_product(s, a, __import__("uuid").uuid4())
        assert pr.get_product(s, a, loan.id).code == "LOAN-1"
