"""The day's figures of a loan (dayend/accrual.py, pure): daily contract interest sums exactly to each installment's
interest under every day count, days past due with grace days, penalty and compound interest with the carried
remainder (the worked example of docs/microloan/dayend.md)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from surety.plugins.microloan.dayend.accrual import (
    Row,
    Terms,
    daily_interest,
    days_past_due,
    loan_day,
    penalty_day_factor,
    round_with_carry,
    split,
)
from surety.plugins.microloan.schedule.builder import Terms as ScheduleTerms
from surety.plugins.microloan.schedule.builder import build

D = dt.date
ONE = dt.timedelta(days=1)


def _days(start: dt.date, end: dt.date):
    day = start + ONE
    while day <= end:
        yield day
        day += ONE


@pytest.mark.parametrize("day_count", ["ACT/360", "ACT/365", "30/360"])
@pytest.mark.parametrize("rounding", ["fen_half_up", "fen_half_even"])
def test_daily_interest_sums_exactly_to_every_installments_interest(day_count, rounding):
    # A broken first period (31 Jan -> 15 Mar), February, months of 30 and 31 days, a period ending on a 31st.
    schedule = build(ScheduleTerms(amount=Decimal("123456.78"), annual_rate=Decimal("0.1499"), term_months=8,
                                   method="equal_principal", start=D(2026, 1, 31),
                                   first_due=D(2026, 3, 15), day_count=day_count, rounding=rounding))
    start = D(2026, 1, 31)
    for row in schedule.rows:
        daily = [daily_interest(row.interest, start, row.due_date, day, day_count, rounding)
                 for day in _days(start, row.due_date)]
        assert sum(daily) == row.interest
        assert all(a >= 0 for a in daily)
        start = row.due_date


def test_thirty_360_accrues_nothing_on_a_31st_and_catches_up_on_1_march():
    interest, start, due = Decimal("300.00"), D(2026, 1, 15), D(2026, 4, 15)  # 90 days of 30E/360
    assert daily_interest(interest, start, due, D(2026, 1, 31), "30/360") == Decimal("0.00")
    assert daily_interest(interest, start, due, D(2026, 3, 1), "30/360") == Decimal("10.00")  # 28 Feb -> 1 Mar
    assert daily_interest(interest, start, due, D(2026, 2, 10), "30/360") == Decimal("3.33")


def test_round_with_carry_keeps_every_fen():
    exact, carry, total = Decimal("3.94244"), Decimal(0), Decimal(0)
    for _ in range(100):
        amount, carry = round_with_carry(exact, carry)
        total += amount
    assert total + carry == exact * 100
    assert abs(carry) <= Decimal("0.005")


def test_split_sums_to_the_total():
    parts = split(Decimal("4.45"), [("a", Decimal("3.94244")), ("b", Decimal("0.5")), ("c", Decimal(0))])
    assert sum(parts.values()) == Decimal("4.45") and parts["c"] == 0
    assert split(Decimal("0.01"), [("a", Decimal(0)), ("b", Decimal(0))]) == {"a": Decimal("0.01"), "b": 0}


def _row(rid, due, principal="7884.88", interest="1000.00", paid_p="0", paid_i="0", settled=None, prev=None):
    return Row(rid, rid, due, Decimal(principal), Decimal(interest), Decimal(paid_p), Decimal(paid_i),
               Decimal("0.00"), settled, prev)


def test_days_past_due_counts_from_the_due_date_once_grace_has_run_out():
    rows = [_row(1, D(2026, 2, 15)), _row(2, D(2026, 3, 15), prev=D(2026, 2, 15))]
    assert days_past_due(rows, D(2026, 2, 15), 0) == (0, None)
    assert days_past_due(rows, D(2026, 2, 16), 0) == (1, D(2026, 2, 15))
    assert days_past_due(rows, D(2026, 2, 18), 3) == (0, None)  # within 3 grace days
    assert days_past_due(rows, D(2026, 2, 19), 3) == (4, D(2026, 2, 15))
    settled = [_row(1, D(2026, 2, 15), settled=D(2026, 2, 20)), _row(2, D(2026, 3, 15), prev=D(2026, 2, 15))]
    assert days_past_due(settled, D(2026, 3, 20), 0) == (5, D(2026, 3, 15))


TERMS = Terms(annual_rate=Decimal("0.12"), penalty_uplift=Decimal("0.5"), day_count="ACT/360",
              rounding="fen_half_up", grace_days=0)


def test_worked_example_penalty_and_compound_with_the_carry():
    """docs/microloan/dayend.md, "Worked example": installment 1 (principal 7,884.88, interest 1,000.00, due
    15 Feb 2026) unpaid; 18 % a year penalty rate (12 % x 1.5), ACT/360: 0.0005 a day."""
    assert penalty_day_factor(Decimal("0.12"), Decimal("0.5"), D(2026, 2, 16), "ACT/360") == Decimal("0.0005")
    rows = [_row(1, D(2026, 2, 15)),
            _row(2, D(2026, 3, 15), principal="7963.73", interest="921.15", prev=D(2026, 2, 15))]
    carries, seen = {}, []
    for day in (D(2026, 2, 16), D(2026, 2, 17), D(2026, 2, 18)):
        out = loan_day(rows, TERMS, disbursed_on=D(2026, 1, 15), revision=0, day=day, carries=carries)
        carries = out.carries
        seen.append((out.amounts["interest"], out.amounts["penalty"], out.amounts["compound"], out.carries["penalty"],
                     out.days_past_due, out.penalty_by_installment[1]))
    assert seen == [
        (Decimal("32.90"), Decimal("3.94"), Decimal("0.50"), Decimal("0.00244"), 1, Decimal("4.44")),
        (Decimal("32.90"), Decimal("3.94"), Decimal("0.50"), Decimal("0.00488"), 2, Decimal("4.44")),
        (Decimal("32.89"), Decimal("3.95"), Decimal("0.50"), Decimal("-0.00268"), 3, Decimal("4.45")),
    ]


def test_grace_days_suppress_penalty_and_a_paid_part_is_not_charged():
    rows = [_row(1, D(2026, 2, 15), paid_p="3884.88", paid_i="1000.00")]
    graced = Terms(**{**TERMS.__dict__, "grace_days": 3})
    assert loan_day(rows, graced, disbursed_on=D(2026, 1, 15), revision=0, day=D(2026, 2, 18)).amounts["penalty"] == 0
    out = loan_day(rows, graced, disbursed_on=D(2026, 1, 15), revision=0, day=D(2026, 2, 19))
    assert out.amounts["penalty"] == Decimal("2.00") and out.amounts["compound"] == 0  # 4,000.00 x 0.0005


def test_nothing_accrues_on_or_before_disbursement():
    rows = [_row(1, D(2026, 2, 15))]
    out = loan_day(rows, TERMS, disbursed_on=D(2026, 1, 15), revision=0, day=D(2026, 1, 15))
    assert out.amounts == {"interest": 0, "penalty": 0, "compound": 0}
