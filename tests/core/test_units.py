"""Units (core/units.py): amounts in yuan or 万元 and rates as a fraction or in percent, converted exactly on the way
in through core/inputs.py's Decimal policy (too many decimals refused, not rounded) and on the way out."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from surety.core import codes, units
from surety.core.errors import ValidationFailed


def _refused(call) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as err:
        call()
    return err.value


@pytest.mark.parametrize("value, unit, yuan", [
    (D("1.2345"), units.WAN, D("12345.00")), (D("1.234567"), units.WAN, D("12345.67")), ("120", units.WAN,
                                                                                          D("1200000.00")),
    (D("12345.6"), units.YUAN, D("12345.60")), ("1,000", units.YUAN, D("1000.00")), (D("0"), units.WAN, D("0.00")),
])
def test_amounts_convert_to_yuan_exactly(value, unit, yuan):
    result = units.to_yuan(value, unit, "valuation")
    assert result == yuan and result.as_tuple().exponent == -2


def test_an_amount_needing_more_than_two_decimals_of_yuan_is_refused_not_rounded():
    err = _refused(lambda: units.to_yuan(D("1.2345678"), units.WAN, "valuation"))
    assert err.field == "valuation"
    assert "12345.678 yuan" in err.message and "not rounded" in err.message
    assert _refused(lambda: units.to_yuan(D("1.005"), units.YUAN, "valuation")).field == "valuation"


@pytest.mark.parametrize("value", [D("-1"), 1.5, None, "abc", D("1e14")])
def test_an_amount_the_decimal_policy_refuses_is_refused_in_any_unit(value):
    assert _refused(lambda: units.to_yuan(value, units.WAN, "valuation")).field == "valuation"


def test_positive_refuses_zero_and_an_unknown_unit_is_refused():
    assert _refused(lambda: units.to_yuan(D("0"), units.YUAN, "amount", positive=True)).field == "amount"
    err = _refused(lambda: units.to_yuan(D("1"), "jiao", "amount"))
    assert "jiao" in err.message and "yuan, wan" in err.message


@pytest.mark.parametrize("value, unit, fraction", [
    (D("1.5"), units.PERCENT, D("0.015")), (D("100"), units.PERCENT, D("1")), (D("0.015"), units.FRACTION,
                                                                             D("0.015")),
    (D("0.000001"), units.PERCENT, D("0.00000001")),
])
def test_rates_convert_to_fractions_exactly(value, unit, fraction):
    assert units.to_fraction(value, unit, "discount_rate") == fraction


def test_rate_bounds_are_checked_in_the_unit_given_and_too_many_places_refused():
    err = _refused(lambda: units.to_fraction(D("150"), units.PERCENT, "discount_rate"))
    assert err.field == "discount_rate" and "at most 100" in err.message
    err = _refused(lambda: units.to_fraction(D("0.0000001"), units.PERCENT, "discount_rate"))
    assert "more than 8 decimal places" in err.message
    assert _refused(lambda: units.to_fraction(D("1.5"), units.FRACTION, "discount_rate")).field == "discount_rate"


def test_output_in_a_unit_is_exact_and_none_stays_none():
    assert units.amount_in(D("12345.67"), units.WAN) == D("1.234567")
    assert units.amount_in(D("12345.67"), units.YUAN) == D("12345.67")
    assert units.amount_in(None, units.WAN) is None
    assert units.rate_in(D("0.01500000"), units.PERCENT) == D("1.5")
    assert units.rate_in(D("0.015"), units.FRACTION) == D("0.015")
    for yuan in (D("0.01"), D("999999999.99"), D("12345.00")):
        assert units.to_yuan(units.amount_in(yuan, units.WAN), units.WAN, "x") == yuan  # round trip


def test_one_of_refuses_a_plain_figure_and_one_with_its_unit_together():
    units.one_of(D("1"), None, "valuation", "valuationWithUnit")
    units.one_of(None, object(), "valuation", "valuationWithUnit")
    err = _refused(lambda: units.one_of(D("1"), object(), "valuation", "valuationWithUnit"))
    assert err.field == "valuationWithUnit" and "not both" in err.message


def test_the_units_are_a_code_list_of_core():
    assert codes.get("core.amount_unit").parse("万元", "unit") == units.WAN
    assert codes.get("core.rate_unit").parse("百分比", "unit") == units.PERCENT
    assert set(codes.get("core.amount_unit").codes) == set(units.AMOUNT_POWERS)
    assert set(codes.get("core.rate_unit").codes) == set(units.RATE_POWERS)
