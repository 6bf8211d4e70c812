"""core/inputs.py: one Decimal policy for services (exact numbers only, core's limits, places, bounds) and the
other input checks plugins share."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from surety.core import inputs
from surety.core.errors import ValidationFailed
from surety.core.workflow.engine import business_today


def refused(fn, *args, **kw) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as err:
        fn(*args, **kw)
    return err.value


def test_number_takes_exact_values_and_refuses_floats_unless_told():
    assert inputs.number("1,234.50", field="x") == Decimal("1234.50")
    assert inputs.number(7, field="x") == Decimal(7)
    assert "exact decimal number" in refused(inputs.number, 0.1, field="x").message
    assert "not bool" in refused(inputs.number, True, field="x").message
    assert "not nothing" in refused(inputs.number, "  ", field="x").message
    assert inputs.number(0.1, field="x", floats=True) == Decimal("0.1")  # shortest text, not 0.1000000000000000055
    assert str(inputs.number(0.1, field="x", floats=True)) == "0.1"
    assert refused(inputs.number, True, field="x", floats=True).field == "x"  # a bool is never a number
    assert refused(inputs.number, "abc", field="amount").field == "amount"
    assert "finite" in refused(inputs.number, "NaN", field="x").message
    assert "finite" in refused(inputs.number, float("inf"), field="x", floats=True).message


def test_number_applies_core_limits_places_and_bounds():
    assert "1,000,000,000,000,000" in refused(inputs.number, "1e28", field="x").message  # limits.MAX_DECIMAL
    assert refused(inputs.number, 1e30, field="income", floats=True).field == "income"
    assert "more than two decimal places" in refused(inputs.number, "1.005", field="x", places=2).message
    assert "more than 8 decimal places" in refused(inputs.number, "0.123456789", field="x", places=8).message
    assert "zero or more" in refused(inputs.number, "-1", field="x", low=Decimal(0)).message
    assert "above zero" in refused(inputs.number, "0", field="x", low=Decimal(0), low_open=True).message
    message = refused(inputs.number, "2", field="x", what="The ratio", low=Decimal(0), high=Decimal(1)).message
    assert message == "The ratio must be at most 1 (between 0 and 1), not 2."
    assert inputs.number("1", field="x", low=Decimal(0), high=Decimal(1)) == Decimal(1)


def test_money_rate_whole_months_text():
    assert str(inputs.money("1000.5", "amount")) == "1000.50"  # quantized to fen
    assert inputs.money("", "amount", required=False) is None
    assert refused(inputs.money, None, "amount").message == "Give amount (yuan)."
    assert "above zero" in refused(inputs.money, "0", "amount", positive=True).message
    assert inputs.rate("0.015", "fee_rate") == Decimal("0.015")
    assert inputs.rate(None, "fee_rate", required=False) is None
    assert "at most 1" in refused(inputs.rate, "1.5", "fee_rate").message
    assert inputs.whole(3, "n", 1, 5, "days") == 3
    assert "whole number of days" in refused(inputs.whole, True, "n", 1, 5, "days").message
    assert "between 1 and 5 days" in refused(inputs.whole, 6, "n", 1, 5, "days").message
    assert inputs.months(360, "term") == 360
    assert refused(inputs.months, 361, "term").field == "term"
    assert inputs.text("  a \n b ", "note") == "a b"
    assert refused(inputs.text, " ", "note", required=True).message == "Give note."
    assert "at most 3 characters" in refused(inputs.text, "abcd", "note", 3).message


def test_day_defaults_to_the_business_date_and_refuses_the_future():
    today = business_today()
    assert inputs.day(None, "on") == today
    assert "in the future" in refused(inputs.day, today + dt.timedelta(days=1), "on").message
    before = refused(inputs.day, today - dt.timedelta(days=2), "on", not_before=today, since="the loan date")
    assert "before the loan date" in before.message
    assert refused(inputs.day, "2024-01-01", "on").message == "on is a date."


def test_yuan():
    assert inputs.yuan(Decimal("1234567.891")) == "1,234,567.89"
