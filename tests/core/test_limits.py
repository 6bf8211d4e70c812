"""core/limits.py: the input limits every module shares, each refusal a ValidationFailed naming the field."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from surety.core import limits
from surety.core.errors import ValidationFailed
from surety.core.workflow.calendar import WorkCalendar


def refused(fn, *args, **kw) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as caught:
        fn(*args, **kw)
    return caught.value


def test_text_refuses_nul_and_overlong_strings():
    assert limits.text("普通文本", "note") == "普通文本"
    assert refused(limits.text, "a\x00b", "note").field == "note"
    assert limits.text("x" * limits.MAX_TEXT_CHARS, "note")
    assert "at most" in refused(limits.text, "x" * (limits.MAX_TEXT_CHARS + 1), "note").message


def test_strings_and_depth_walk_without_recursion():
    value = {"a": ["x", {"b\x00": "y"}]}
    assert sorted(limits.strings(value, "v")) == [("v.a", "a"), ("v.a.0", "x"), ("v.a.1.b\x00", "b\x00"),
                                                  ("v.a.1.b\x00", "y")]
    deep: list = []
    for _ in range(10_000):  # far deeper than Python's recursion limit
        deep = [deep]
    assert limits.depth(deep) == 10_000


def test_json_value_limits_size_depth_nul_and_nan():
    assert limits.json_value({"a": [1, "二"]}, "d") == {"a": [1, "二"]}
    assert refused(limits.json_value, {"k": "v" * limits.MAX_JSON_BYTES}, "d").field == "d"
    deep: dict = {}
    for _ in range(limits.MAX_JSON_DEPTH + 1):
        deep = {"x": deep}
    assert "nests deeper" in refused(limits.json_value, deep, "d").message
    assert refused(limits.json_value, {"a": ["ok", "no\x00"]}, "d").field == "d.a.1"
    assert refused(limits.json_value, {"a": float("nan")}, "d").field == "d"


@pytest.mark.parametrize("value", ["1e15", "-1e15", "1e28", "NaN", "Infinity", "1e-13"])
def test_decimal_refuses_what_no_column_holds(value):
    assert refused(limits.decimal, Decimal(value), "amount").field == "amount"


@pytest.mark.parametrize("value", ["999999999999999.99", "-0.01", "0.000000000001", "0"])
def test_decimal_keeps_what_columns_hold(value):
    assert limits.decimal(Decimal(value), "amount") == Decimal(value)


def test_years_and_dates_are_bounded():
    assert limits.year(2025) == 2025
    for bad in (0, 1899, 2200, True, "2025"):
        assert refused(limits.year, bad).field == "year"
    assert limits.date(dt.date(1900, 1, 1), "day") == dt.date(1900, 1, 1)
    assert refused(limits.date, dt.date(9999, 12, 31), "day").field == "day"


def test_working_day_arithmetic_is_bounded():
    """A due date is counted day by day: 3,000,000 working days (a definition saved before timeouts were capped)
    is refused at once instead of running past the year 9999."""

    calendar = WorkCalendar()
    assert calendar.add_working_days(dt.date(2025, 1, 6), 5) == dt.date(2025, 1, 13)
    assert refused(calendar.add_working_days, dt.date(2025, 1, 6), 3_000_000).field == "working_days"
    assert refused(calendar.add_working_days, dt.date(2025, 1, 6), -(limits.MAX_WORKING_DAYS + 1))
