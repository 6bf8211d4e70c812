"""Scorecards and credit ratings: template validation and versions, quantitative scores from the customer's
statement through the customers hook, qualitative scores from people, totals, grades and snapshots."""

from __future__ import annotations

import ast
import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

import surety.plugins.guarantee as pkg
from surety.core.audit.models import AuditRecord
from surety.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from surety.plugins.customers.statements import set_statement
from surety.plugins.guarantee.risk.models import GuaranteeScorecardTemplate
from surety.plugins.guarantee.risk.rating import (
    get_rating,
    install_default_templates,
    list_templates,
    save_template,
    score_rating,
)
from surety.plugins.guarantee.testing import make_project

Y2024 = dict(total_assets="1200000.00", total_liabilities="660000.00", current_assets="540000.00",
             current_liabilities="300000.00", inventory="120000.00", equity="540000.00", revenue="1000000.00",
             net_profit="81000.00")  # debt 0.55, current 1.8, quick 1.4, ROE 0.15
QUALITATIVE = {"management": "80", "industry_outlook": "70", "credit_history": "90"}
GRADES = [{"grade": "A", "min": "60"}, {"grade": "B", "min": "0"}]


def _growth_card(weight_growth="0.5", weight_people="0.5"):
    return [{"key": "growth", "name": "营收增长", "kind": "quantitative", "weight": weight_growth,
             "source": "revenue_growth", "bands": [{"max": "0", "points": "0"}, {"min": "0", "points": "100"}]},
            {"key": "people", "name": "管理层", "kind": "qualitative", "weight": weight_people, "max_points": "10"}]


def test_default_templates_and_a_corporate_rating_from_the_statement(gw):
    with gw.session() as s:
        # Provisioning installed the defaults (one per customer kind); installing again adds nothing.
        assert sorted(t.customer_kind for t in s.scalars(select(GuaranteeScorecardTemplate))) == [
            "corporate", "individual"]
        assert install_default_templates(s) == []
    with gw.acting("mgr") as (s, a):
        pid = make_project(s, a, gw.customers["corp"]).id
        with pytest.raises(ValidationFailed) as exc:
            score_rating(s, a, pid, QUALITATIVE)
        assert exc.value.field == "statement" and "no financial statement" in exc.value.message
        assert "debt_ratio, current_ratio, quick_ratio, roe" in exc.value.message
        set_statement(s, a, gw.customers["corp"], dt.date(2024, 12, 31), Y2024)
        rating = score_rating(s, a, pid, QUALITATIVE, comment="经营稳健")
        # 0.25x85 + 0.15x85 + 0.10x100 + 0.15x100 + 0.10x80 + 0.10x70 + 0.15x90 = 87.50
        assert rating.total == Decimal("87.50") and rating.grade == "AA"
        assert rating.statement_period_end == dt.date(2024, 12, 31) and rating.statement_period_type == "annual"
        debt = next(line for line in rating.scores if line["key"] == "debt_ratio")
        assert debt == {"key": "debt_ratio", "name": "资产负债率", "kind": "quantitative", "value": "0.550000",
                        "points": "85", "max_points": "100", "weight": "0.25", "score": "21.2500"}
        assert get_rating(s, a, pid).id == rating.id
        audited = s.scalar(select(AuditRecord).where(AuditRecord.entity_id == str(rating.id)))
        assert audited.action == "guarantee.rating.score" and audited.after["grade"] == "AA"


@pytest.mark.parametrize("scores, words", [
    ({"management": "80", "industry_outlook": "70"}, "'credit_history'"),
    ({**QUALITATIVE, "credit_history": "101"}, "at most 100"),
    ({**QUALITATIVE, "credit_history": "-1"}, "at least 0"),
    ({**QUALITATIVE, "luck": "5"}, "no indicator 'luck'"),
    ({**QUALITATIVE, "roe": "5"}, "computed from the statement"),
])
def test_qualitative_scores_are_checked(gw, scores, words):
    with gw.session() as s:
        install_default_templates(s)
    with gw.acting("mgr") as (s, a):
        set_statement(s, a, gw.customers["corp"], dt.date(2024, 12, 31), Y2024)
        pid = make_project(s, a, gw.customers["corp"]).id
        with pytest.raises(ValidationFailed) as exc:
            score_rating(s, a, pid, scores)
        assert exc.value.field == "scores" and words in exc.value.message


def test_a_ratio_the_statement_cannot_give_is_named(gw):
    with gw.acting("risk") as (s, a):
        card = save_template(s, a, code="growth", customer_kind="corporate", name="增长卡", indicators=_growth_card(),
                             grades=GRADES)
    with gw.acting("mgr") as (s, a):
        set_statement(s, a, gw.customers["corp"], dt.date(2024, 12, 31), Y2024)
        pid = make_project(s, a, gw.customers["corp"]).id
        with pytest.raises(ValidationFailed) as exc:
            score_rating(s, a, pid, {"people": "8"}, template_id=card.id)
        assert exc.value.field == "statement" and "'growth' needs revenue_growth" in exc.value.message
        set_statement(s, a, gw.customers["corp"], dt.date(2023, 12, 31), {**Y2024, "revenue": "800000.00"})
        rating = score_rating(s, a, pid, {"people": "8"}, template_id=card.id)
        assert rating.total == Decimal("90.00") and rating.grade == "A"  # 0.5 x 100 + 0.5 x 8/10 x 100


@pytest.mark.parametrize("indicators, grades, field, words", [
    (_growth_card("0.5", "0.4"), GRADES, "indicators", "sum to 1; they sum to 0.9"),
    (_growth_card()[:1] + [{**_growth_card()[1], "key": "growth"}], GRADES, "indicators", "appears twice"),
    ([{**_growth_card()[0], "source": "profit"}, _growth_card()[1]], GRADES, "indicators", "not 'profit'"),
    ([{**_growth_card()[0], "bands": [{"max": "0.5", "points": "1"}, {"min": "0.2", "points": "2"}]},
      _growth_card()[1]], GRADES, "indicators", "overlap"),
    ([{**_growth_card()[0], "bands": [{"min": "1", "max": "0.5", "points": "1"}]}, _growth_card()[1]], GRADES,
     "indicators", "minimum must be below"),
    ([{**_growth_card()[0], "bands": [{"min": "0", "points": "150"}]}, _growth_card()[1]], GRADES, "indicators",
     "at most 100"),
    ([{**_growth_card()[0], "bands": []}, _growth_card()[1]], GRADES, "indicators", "needs scoring bands"),
    ([_growth_card()[0], {**_growth_card()[1], "kind": "gut"}], GRADES, "indicators", "not 'gut'"),
    ([{**_growth_card()[0], "key": "Growth!"}, _growth_card()[1]], GRADES, "indicators", "lower-case"),
    (_growth_card("1", "0"), GRADES, "indicators", "above 0"),
    ([], GRADES, "indicators", "at least one indicator"),
    (_growth_card(), [{"grade": "A", "min": "60"}], "grades", "start at 0"),
    (_growth_card(), [{"grade": "A", "min": "60"}, {"grade": "A", "min": "0"}], "grades", "distinct name"),
    (_growth_card(), [{"grade": "A", "min": "160"}, {"grade": "B", "min": "0"}], "grades", "at most 100"),
])
def test_template_validation(gw, indicators, grades, field, words):
    with gw.acting("risk") as (s, a):
        with pytest.raises(ValidationFailed) as exc:
            save_template(s, a, code="x", customer_kind="corporate", name="卡", indicators=indicators, grades=grades)
        assert exc.value.field == field and words in exc.value.message


def test_versions_snapshots_active_switch_and_permissions(gw):
    with gw.session() as s:
        install_default_templates(s)
    with gw.acting("mgr") as (s, a):
        with pytest.raises(PermissionDenied) as exc:
            save_template(s, a, code="c", customer_kind="individual", name="卡", indicators=_growth_card(),
                          grades=GRADES)
        assert "guarantee:rating:manage" in exc.value.message
        pid = make_project(s, a, gw.customers["person"], customer_kind="individual").id
        first = score_rating(s, a, pid, {"repayment_capacity": "60", "credit_history": "60", "stability": "60",
                                         "assets": "60"})
        assert (first.total, first.grade, first.template_version) == (Decimal("60.00"), "BBB", 1)
        default_id = first.template_id
    with gw.acting("risk") as (s, a):
        with pytest.raises(Conflict):
            save_template(s, a, code="default-individual", customer_kind="individual", name="重复",
                          indicators=_growth_card(), grades=GRADES)
        with pytest.raises(ValidationFailed) as exc:
            save_template(s, a, template_id=default_id, customer_kind="corporate", name="改",
                          indicators=_growth_card(), grades=GRADES)
        assert exc.value.field == "customer_kind"
        people = [{"key": "character", "name": "品格", "kind": "qualitative", "weight": "1", "max_points": "5"}]
        v2 = save_template(s, a, template_id=default_id, name="个人评级 v2", indicators=people, grades=GRADES)
        assert v2.version == 2 and v2.active
        other = save_template(s, a, code="alt", customer_kind="individual", name="备用", indicators=people,
                              grades=GRADES)
        assert other.active and [t.active for t in list_templates(s, a, "individual") if t.id == default_id] == [False]
        save_template(s, a, template_id=default_id, name="个人评级 v3", indicators=people, grades=GRADES)
        assert not other.active  # saving the default as active switched back
    with gw.acting("mgr") as (s, a):
        again = score_rating(s, a, pid, {"character": "4"})
        assert (again.total, again.grade, again.template_version) == (Decimal("80.00"), "A", 3)
        assert get_rating(s, a, pid).id == again.id
        old = s.get(type(first), (first.tenant_id, first.id))
        # The earlier rating keeps the template it was made with.
        assert old.template["version"] == 1 and len(old.template["indicators"]) == 4 and old.grade == "BBB"
        with pytest.raises(ValidationFailed) as exc:
            score_rating(s, a, pid, {"character": "4"}, template_id=s.scalar(
                select(GuaranteeScorecardTemplate.id).where(GuaranteeScorecardTemplate.code == "default-corporate")))
        assert exc.value.field == "template_id" and "for corporate customers" in exc.value.message
        closed = make_project(s, a, gw.customers["person"], customer_kind="individual", status="rejected").id
        with pytest.raises(Conflict):
            score_rating(s, a, closed, {"character": "4"})
    with gw.acting("viewer") as (s, a):
        with pytest.raises(PermissionDenied):
            score_rating(s, a, pid, {"character": "4"})


def test_no_active_template_is_a_clear_error(gw):
    with gw.acting("mgr") as (s, a):
        for template in s.scalars(select(GuaranteeScorecardTemplate)):  # retire the provisioned defaults
            template.active = False
        pid = make_project(s, a, gw.customers["corp"]).id
        with pytest.raises(NotFound) as exc:
            score_rating(s, a, pid, {})
        assert "No active scorecard template for corporate customers" in exc.value.message


def test_area_b_reaches_the_customers_plugin_only_through_hooks():
    root = Path(pkg.__file__).parent / "risk"
    names = {p.name for p in root.glob("*.py")}
    assert {"counter_guarantees.py", "project_risk.py", "rating.py", "due_diligence.py", "models.py",
            "graphql.py"} <= names
    for name in sorted(names):
        tree = ast.parse((root / name).read_text(encoding="utf-8"))
        imported = [n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module] + \
            [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
        assert not [m for m in imported if m.startswith("surety.plugins.customers")], name
