"""A scorecard's quantitative indicator may read a number or money custom field of the customer (source
``custom.<key>``): checked when the template is saved, read when a rating is scored, named when it holds no value."""

from __future__ import annotations

from decimal import Decimal

import pytest

from surety.core.custom_fields import service as cf
from surety.core.errors import ValidationFailed
from surety.plugins.customers.custom_fields import set_values
from surety.plugins.guarantee.risk.rating import save_template, score_rating
from surety.plugins.guarantee.testing import make_project

GRADES = [{"grade": "A", "min": "60"}, {"grade": "B", "min": "0"}]


def card(source="custom.family_members"):
    return [{"key": "family", "name": "家庭人数", "kind": "quantitative", "weight": "0.6", "source": source,
             "bands": [{"max": "3", "points": "40"}, {"min": "3", "points": "100"}]},
            {"key": "character", "name": "品行", "kind": "qualitative", "weight": "0.4", "max_points": "10"}]


@pytest.fixture
def fields(gw):
    with gw.acting("admin") as (s, a):
        cf.define_field(s, a, "customer_individual", {"key": "family_members", "label_zh": "家庭人数",
                                                      "type": "number"})
        cf.define_field(s, a, "customer_individual", {"key": "hometown", "label_zh": "籍贯", "type": "text"})
        cf.define_field(s, a, "customer_individual", {"key": "savings", "label_zh": "存款", "type": "money",
                                                      "sensitive": True})
    return gw


def test_a_custom_field_scores_a_quantitative_indicator(fields):
    gw = fields
    with gw.acting("risk") as (s, a):
        save_template(s, a, code="family", customer_kind="individual", name="家庭卡", indicators=card(),
                      grades=GRADES)
    with gw.acting("mgr") as (s, a):
        pid = make_project(s, a, gw.customers["person"], customer_kind="individual").id
        with pytest.raises(ValidationFailed) as err:  # the customer holds no value yet
            score_rating(s, a, pid, {"character": "8"})
        assert err.value.field == "custom_fields", err.value.message
        assert err.value.details["source"] == "custom.family_members"
        set_values(s, a, gw.customers["person"], {"family_members": 4})
        rating = score_rating(s, a, pid, {"character": "8"})
    # 0.6 x 100 + 0.4 x 8/10 x 100 = 92.00
    assert rating.total == Decimal("92.00") and rating.grade == "A"
    line = next(x for x in rating.scores if x["key"] == "family")
    assert line["value"] == "4" and line["points"] == "100"


@pytest.mark.parametrize("source", ["custom.hometown", "custom.savings", "custom.nothing", "custom.Bad"])
def test_a_custom_source_must_be_a_plain_number_field_of_the_kind(fields, source):
    with fields.acting("risk") as (s, a), pytest.raises(ValidationFailed) as err:
        save_template(s, a, code="bad", customer_kind="individual", name="坏卡", indicators=card(source),
                      grades=GRADES)
    assert err.value.field == "indicators"


def test_a_field_of_the_other_kind_is_refused(fields):
    with fields.acting("risk") as (s, a), pytest.raises(ValidationFailed):
        save_template(s, a, code="corp", customer_kind="corporate", name="企业卡", indicators=card(), grades=GRADES)
