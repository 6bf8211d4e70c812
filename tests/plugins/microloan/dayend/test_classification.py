"""Five-category class and provision (dayend/classification.py, pure)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from surety.plugins.microloan.dayend.classification import class_for_days, loan_class, provision_for
from surety.plugins.microloan.settings import DEFAULT_CLASS_DAYS, DEFAULT_PROVISION_RATES


@pytest.mark.parametrize(("dpd", "expected"), [(0, "normal"), (1, "special_mention"), (90, "special_mention"),
                                               (91, "substandard"), (270, "substandard"), (271, "doubtful"),
                                               (360, "doubtful"), (361, "loss"), (2000, "loss")])
def test_class_at_each_boundary_day(dpd, expected):
    assert class_for_days(dpd, DEFAULT_CLASS_DAYS) == expected


def test_a_tenant_profile_moves_the_boundaries():
    rural = {"special_mention": 1, "substandard": 91, "doubtful": 181, "loss": 361}
    assert class_for_days(181, rural) == "doubtful" and class_for_days(181, DEFAULT_CLASS_DAYS) == "substandard"


def test_the_override_wins_and_an_unknown_override_is_ignored():
    assert loan_class(0, "doubtful", DEFAULT_CLASS_DAYS) == "doubtful"
    assert loan_class(400, "special_mention", DEFAULT_CLASS_DAYS) == "special_mention"
    assert loan_class(400, "bogus", DEFAULT_CLASS_DAYS) == "loss"


@pytest.mark.parametrize(("risk_class", "expected"), [("normal", "1234.57"), ("special_mention", "2469.14"),
                                                      ("substandard", "30864.20"), ("doubtful", "61728.39"),
                                                      ("loss", "123456.78")])
def test_provision_by_class(risk_class, expected):
    assert provision_for(Decimal("123456.78"), risk_class, DEFAULT_PROVISION_RATES) == Decimal(expected)
