"""Period semantics of report rows (plugins/regulatory/measures/periods.py): each kind's dates for a report as of a
day, the leap day a year back, quarters, and an unknown kind refused."""

from __future__ import annotations

import datetime as dt

import pytest

from surety.core.errors import ValidationFailed
from surety.plugins.regulatory.measures import periods

D = dt.date


@pytest.mark.parametrize(("kind", "as_of", "expected"), [
    ("cumulative_year", D(2026, 6, 30), (D(2026, 1, 1), D(2026, 6, 30))),
    ("balance_end", D(2026, 6, 30), (D(2026, 1, 1), D(2026, 6, 30))),
    ("beginning_of_year", D(2026, 6, 30), (D(2025, 1, 1), D(2025, 12, 31))),
    ("same_period_last_year", D(2026, 6, 30), (D(2025, 1, 1), D(2025, 6, 30))),
    ("same_period_last_year", D(2028, 2, 29), (D(2027, 1, 1), D(2027, 2, 28))),
    ("same_period_last_year", D(2029, 2, 28), (D(2028, 1, 1), D(2028, 2, 28))),
    ("this_month", D(2026, 6, 30), (D(2026, 6, 1), D(2026, 6, 30))),
    ("this_quarter", D(2026, 6, 30), (D(2026, 4, 1), D(2026, 6, 30))),
    ("this_quarter", D(2026, 3, 31), (D(2026, 1, 1), D(2026, 3, 31))),
    ("this_quarter", D(2026, 12, 3), (D(2026, 10, 1), D(2026, 12, 3))),
    ("since_inception", D(2026, 6, 30), (periods.INCEPTION, D(2026, 6, 30))),
])
def test_period_dates(kind, as_of, expected):
    assert periods.period_dates(kind, as_of) == expected
    assert kind in periods.PERIOD_KINDS


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValidationFailed) as err:
        periods.period_dates("fortnight", D(2026, 6, 30))
    assert err.value.field == "period"
