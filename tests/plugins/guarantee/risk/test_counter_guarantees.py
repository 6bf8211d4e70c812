"""Counter-guarantees: kind-specific details, valuation rules, coverage, status and permission guards, audit."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from surety.core.audit.models import AuditRecord
from surety.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from surety.plugins.guarantee.project.models import GuaranteeProject
from surety.plugins.guarantee.risk.counter_guarantees import (
    add_counter_guarantee,
    list_counter_guarantees,
    remove_counter_guarantee,
    update_counter_guarantee,
)
from surety.plugins.guarantee.risk.project_risk import project_risk
from surety.plugins.guarantee.testing import make_project

D = dt.date(2025, 6, 30)
MORTGAGE = {"kind": "mortgage", "owner_name": "李四", "valuation": "2000000.00", "valuation_date": D,
            "discount_rate": "0.7", "collateral": {"certificate_no": "京(2024)朝阳区不动产权第0001号",
                                                   "address": "北京市朝阳区建国路1号"}}


def _project(gw, amount="3000000.00", **kw):
    with gw.acting("mgr") as (s, a):
        return make_project(s, a, gw.customers["corp"], amount=amount, **kw).id


def test_add_update_remove_with_coverage_risk_and_audit(gw):
    pid = _project(gw)
    with gw.acting("mgr") as (s, a):
        cg = add_counter_guarantee(s, a, pid, MORTGAGE)
        add_counter_guarantee(s, a, pid, {"kind": "third_party", "owner_name": "王五担保人"})
        project = s.scalar(select(GuaranteeProject).where(GuaranteeProject.id == pid))
        # covered 1 400 000 of 3 000 000
        assert project_risk(s, a, pid).coverage_ratio == Decimal("0.466667")
        # risk amount: 1.0 x (1 600 000 uncovered + 1 400 000 x 0.5) = 2 300 000
        assert project.risk_amount == Decimal("2300000.00")
        assert project.risk_degree == Decimal("0.766667")
        cg_id = cg.id
    with gw.acting("risk") as (s, a):  # the risk officer manages counter-guarantees too
        row = update_counter_guarantee(s, a, cg_id, {"discount_rate": "0.5"})
        assert row.discount_rate == Decimal("0.5") and row.collateral["certificate_no"].startswith("京")
        project = s.scalar(select(GuaranteeProject).where(GuaranteeProject.id == pid))
        assert project.risk_amount == Decimal("2500000.00")  # 2 000 000 + 1 000 000 x 0.5
    with gw.acting("mgr") as (s, a):
        remove_counter_guarantee(s, a, cg_id)
        assert [c.kind for c in list_counter_guarantees(s, a, pid)] == ["third_party"]
        project = s.scalar(select(GuaranteeProject).where(GuaranteeProject.id == pid))
        assert project.risk_amount == Decimal("3000000.00") and project.risk_degree == Decimal("1.000000")
    with gw.session() as s:
        records = s.scalars(select(AuditRecord).where(AuditRecord.entity_id == str(cg_id))
                            .order_by(AuditRecord.seq)).all()
        assert [r.action for r in records] == ["guarantee.counter_guarantee.add", "guarantee.counter_guarantee.update",
                                               "guarantee.counter_guarantee.remove"]
        # Personal data never reaches the audit images.
        assert records[0].after["owner_name"] == "[REDACTED]"
        assert records[0].after["collateral"]["address"] == "[REDACTED]"
        assert records[1].before["discount_rate"] == "0.70000000" and records[1].after["discount_rate"] == "0.50000000"


@pytest.mark.parametrize("data, field, words", [
    ({"kind": "guarantee"}, "kind", "one of pledge"),
    ({**MORTGAGE, "collateral": {"certificate_no": "X1"}}, "collateral", "'address'"),
    ({"kind": "pledge", "valuation": "10", "valuation_date": D, "collateral": {}}, "collateral", "'pledged_item'"),
    ({"kind": "lien", "collateral": {"item": "设备", "colour": "red"}}, "collateral", "Unknown collateral detail"),
    ({"kind": "third_party"}, "owner_name", "guarantor"),
    ({"kind": "deposit", "collateral": {}}, "collateral", "'amount'"),
    ({"kind": "deposit", "collateral": {"amount": "-5"}}, "collateral", "at least 0.01"),
    ({"kind": "deposit", "collateral": {"amount": "100"}, "valuation": "90", "valuation_date": D}, "valuation",
     "valued at its amount"),
    ({"kind": "credit", "valuation": "100", "valuation_date": D}, "valuation", "no collateral to value"),
    ({"kind": "credit", "collateral": {"x": "1"}}, "collateral", "allowed: none"),
    ({**MORTGAGE, "valuation": "-1"}, "valuation", "at least 0"),
    ({**MORTGAGE, "valuation": 1.5}, "valuation", "decimal number"),
    ({**MORTGAGE, "valuation_date": None}, "valuation_date", "date it was made"),
    ({**MORTGAGE, "valuation_date": dt.date(2999, 1, 1)}, "valuation_date", "in the future"),
    ({**MORTGAGE, "discount_rate": "1.2"}, "discount_rate", "at most 1"),
    ({**MORTGAGE, "discount_rate": "-0.1"}, "discount_rate", "at least 0"),
    ({**MORTGAGE, "colour": "red"}, "colour", "Unknown counter-guarantee field"),
])
def test_bad_input_is_a_typed_error_naming_the_field(gw, data, field, words):
    pid = _project(gw)
    with gw.acting("mgr") as (s, a):
        with pytest.raises(ValidationFailed) as exc:
            add_counter_guarantee(s, a, pid, data)
        assert exc.value.field == field and words in exc.value.message


def test_kind_defaults_deposit_and_credit(gw):
    pid = _project(gw, amount="1000000.00")
    with gw.acting("mgr") as (s, a):
        dep = add_counter_guarantee(s, a, pid, {"kind": "deposit", "collateral": {"amount": "100000"}})
        assert dep.valuation == Decimal("100000.00") and dep.discount_rate == Decimal("1")
        assert dep.collateral == {"amount": "100000.00"}
        credit = add_counter_guarantee(s, a, pid, {"kind": "credit", "description": "实际控制人信用反担保"})
        assert credit.valuation == Decimal("0.00") and credit.collateral == {}
        # Changing a deposit's amount revalues it.
        assert update_counter_guarantee(s, a, dep.id, {"collateral": {"amount": "200000"}}).valuation == \
            Decimal("200000.00")
        # A new kind needs its own details.
        with pytest.raises(ValidationFailed) as exc:
            update_counter_guarantee(s, a, dep.id, {"kind": "mortgage"})
        assert exc.value.field == "collateral"


def test_status_scope_and_permission_guards(gw):
    closed = _project(gw, status="approved")
    pid = _project(gw)
    with gw.acting("mgr") as (s, a):
        with pytest.raises(Conflict) as exc:
            add_counter_guarantee(s, a, closed, MORTGAGE)
        assert "it is approved" in exc.value.message
        cg_id = add_counter_guarantee(s, a, pid, MORTGAGE).id
    with gw.acting("viewer") as (s, a):  # read-only: no counter-guarantee permissions at all
        with pytest.raises(PermissionDenied) as exc:
            add_counter_guarantee(s, a, pid, MORTGAGE)
        assert "guarantee:counter_guarantee:manage" in exc.value.message
        with pytest.raises(PermissionDenied):
            list_counter_guarantees(s, a, pid)
    with gw.acting("mgr2") as (s, a):  # same role, not the owner: outside the data scope
        with pytest.raises(NotFound):
            update_counter_guarantee(s, a, cg_id, {"discount_rate": "0.1"})
        with pytest.raises(NotFound):
            list_counter_guarantees(s, a, pid)
    with gw.acting("mgr") as (s, a):
        with pytest.raises(NotFound) as exc:
            remove_counter_guarantee(s, a, closed)  # a project id is no counter-guarantee id
        assert exc.value.field == "id"
        s.scalar(select(GuaranteeProject).where(GuaranteeProject.id == pid)).status = "effective"
        s.flush()
        with pytest.raises(Conflict):
            remove_counter_guarantee(s, a, cg_id)
