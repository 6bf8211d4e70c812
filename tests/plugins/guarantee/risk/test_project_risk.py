"""Project risk: the documented formula, tenant weights (validated, defaults), stored results kept current."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from surety.core.audit.models import AuditRecord
from surety.core.errors import PermissionDenied, ValidationFailed
from surety.plugins.guarantee.project.models import GuaranteeProject
from surety.plugins.guarantee.risk.counter_guarantees import add_counter_guarantee
from surety.plugins.guarantee.risk.project_risk import (
    DEFAULT_WEIGHTS,
    effective_weights,
    project_risk,
    recompute_risk,
    update_risk_weights,
)
from surety.plugins.guarantee.testing import make_project

D = dt.date(2025, 1, 15)


def _pledge(value, rate="1"):
    return {"kind": "pledge", "valuation": value, "valuation_date": D, "discount_rate": rate,
            "collateral": {"pledged_item": "存单"}}


def _row(s, pid) -> GuaranteeProject:
    return s.scalar(select(GuaranteeProject).where(GuaranteeProject.id == pid))


def test_defaults_and_the_formula_strongest_cover_first(gw):
    with gw.acting("mgr") as (s, a):
        assert effective_weights(s) == DEFAULT_WEIGHTS
        pid = make_project(s, a, gw.customers["corp"], amount="1000000.00").id
        assert project_risk(s, a, pid).risk_amount == Decimal("1000000.00")  # nothing covered: all at risk
        add_counter_guarantee(s, a, pid, {"kind": "third_party", "owner_name": "担保人甲", "valuation": "800000",
                                          "valuation_date": D})  # weight 0.7
        add_counter_guarantee(s, a, pid, _pledge("600000", "0.5"))  # covers 300 000 at weight 0.4
        risk = project_risk(s, a, pid)
        # The pledge (0.4) is applied first: 300 000; the third party fills the remaining 700 000 of its 800 000.
        assert [(line.kind, line.covered, line.counted) for line in risk.lines] == [
            ("pledge", Decimal("300000.00"), Decimal("300000.00")),
            ("third_party", Decimal("800000.00"), Decimal("700000.00"))]
        assert risk.covered_amount == Decimal("1100000.00") and risk.coverage_ratio == Decimal("1.100000")
        assert risk.uncovered_amount == Decimal("0.00")
        # 1.0 x (0 + 300 000 x 0.4 + 700 000 x 0.7) = 610 000
        assert risk.risk_amount == Decimal("610000.00") and risk.risk_degree == Decimal("0.610000")
        assert (_row(s, pid).risk_amount, _row(s, pid).risk_degree) == (risk.risk_amount, Decimal("0.61"))


def test_individual_weight_rounding_and_recompute_after_amount_change(gw):
    with gw.acting("mgr") as (s, a):
        p = make_project(s, a, gw.customers["person"], customer_kind="individual", amount="333333.33")
        add_counter_guarantee(s, a, p.id, _pledge("100000.01"))
        # 0.8 x (233 333.32 + 100 000.01 x 0.4) = 0.8 x 273 333.324 = 218 666.6592 -> 218 666.66
        assert p.risk_amount == Decimal("218666.66") and p.risk_degree == Decimal("0.656000")
        p.amount = Decimal("100000.00")  # area A changes the amount, then recomputes
        result = recompute_risk(s, p)
        assert result.risk_amount == Decimal("32000.00") == p.risk_amount  # fully covered by the pledge


def test_weights_update_validates_merges_audits_and_recomputes_open_projects(gw):
    with gw.acting("mgr") as (s, a):
        open_p = make_project(s, a, gw.customers["corp"], amount="1000000.00")
        add_counter_guarantee(s, a, open_p.id, _pledge("500000"))
        approved = make_project(s, a, gw.customers["corp"], amount="1000000.00", status="approved",
                                risk_amount=Decimal("123.00"))
        open_id, approved_id = open_p.id, approved.id
        assert open_p.risk_amount == Decimal("700000.00")  # 500 000 + 500 000 x 0.4
        with pytest.raises(PermissionDenied) as exc:
            update_risk_weights(s, a, {"counter": {"pledge": "0.2"}})
        assert "guarantee:settings:manage" in exc.value.message
    with gw.acting("admin") as (s, a):
        for bad, words in [({"counter": {"pledge": "1.5"}}, "at most 1"), ({"counter": {"gold": "0.1"}}, "'gold'"),
                           ({"customers": {}}, "Unknown risk-weight group"),
                           ({"customer": {"corporate": "-0.1"}}, "at least 0"), ([], "an object"),
                           ({"customer": {"corporate": 0.9}}, "decimal number")]:
            with pytest.raises(ValidationFailed) as exc:
                update_risk_weights(s, a, bad)
            assert exc.value.field == "weights" and words in exc.value.message
        weights = update_risk_weights(s, a, {"counter": {"pledge": "0.2"}})
        weights = update_risk_weights(s, a, {"customer": {"corporate": "0.9"}})
        assert weights["counter"]["pledge"] == Decimal("0.2") and weights["customer"]["corporate"] == Decimal("0.9")
        assert weights["counter"]["mortgage"] == Decimal("0.5")  # untouched keys keep their default
    with gw.session() as s:
        assert _row(s, open_id).risk_amount == Decimal("540000.00")  # 0.9 x (500 000 + 100 000)
        assert _row(s, approved_id).risk_amount == Decimal("123.00")  # decided projects keep their risk
        last = s.scalars(select(AuditRecord).where(AuditRecord.action == "guarantee.risk_weights.update")
                         .order_by(AuditRecord.seq.desc())).first()
        assert last.before == {"counter": {"pledge": "0.2"}}
        assert last.after == {"counter": {"pledge": "0.2"}, "customer": {"corporate": "0.9"}}
