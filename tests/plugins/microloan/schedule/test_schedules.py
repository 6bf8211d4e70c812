"""Schedules (plugins/microloan/schedule): the issue's figures exactly, the worked tables of
docs/microloan-schedules.md, and properties over many random loans (principal sums to the amount, nothing negative,
the last row closes the balance), a 360-month loan, dates and day counts."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pytest

from surety.plugins.microloan.conventions import DAY_COUNTS, REPAYMENT_METHODS, ROUNDINGS
from surety.plugins.microloan.repayment import reschedule
from surety.plugins.microloan.schedule.builder import Terms, build, round_fen
from surety.plugins.microloan.schedule.daycount import add_months, days_between, due_dates

D = Decimal
START = dt.date(2026, 1, 15)


def loan(method: str, amount="100000.00", rate="0.12", months=12, **kw) -> Terms:
    return Terms(amount=D(amount), annual_rate=D(rate), term_months=months, method=method, start=START, **kw)


def test_equal_installment_100k_12pct_12_months():
    s = build(loan("equal_installment"))
    assert [r.installment for r in s.rows[:-1]] == [D("8884.88")] * 11
    assert s.rows[-1].installment == D("8884.85")
    assert s.total_interest == D("6618.53") and s.total_principal == D("100000.00") and s.total == D("106618.53")
    first = s.rows[0]
    assert (first.interest, first.principal, first.closing_balance) == (D("1000.00"), D("7884.88"), D("92115.12"))
    assert s.rows[-1].principal == D("8796.88") and s.rows[-1].interest == D("87.97")


def test_equal_principal_100k_12pct_12_months():
    s = build(loan("equal_principal"))
    assert s.rows[0].installment == D("9333.33") and s.rows[0].principal == D("8333.33")
    assert s.rows[-1].installment == D("8416.70") and s.rows[-1].principal == D("8333.37")
    assert s.rows[-1].interest == D("83.33")
    assert s.total_interest == D("6500.00") and s.total_principal == D("100000.00")
    # each installment is 83.33 or 83.34 less than the one before (interest on the 8,333.33 repaid)
    drops = {a.installment - b.installment for a, b in zip(s.rows[:-2], s.rows[1:-1], strict=True)}
    assert drops <= {D("83.33"), D("83.34")}


def test_interest_first_bullet_and_flat_100k_12pct_12_months():
    s = build(loan("interest_first"))
    assert [r.installment for r in s.rows[:-1]] == [D("1000.00")] * 11
    assert s.rows[-1].installment == D("101000.00") and s.total_interest == D("12000.00")
    assert all(r.principal == 0 for r in s.rows[:-1])

    flat = build(loan("flat"))
    assert [r.installment for r in flat.rows[:-1]] == [D("9333.33")] * 11
    assert flat.rows[-1].installment == D("9333.37") and flat.total_interest == D("12000.00")
    assert {r.interest for r in flat.rows} == {D("1000.00")}  # on the original amount every month

    # bullet: one row at maturity, 2026-01-15 -> 2027-01-15 is 365 days
    assert len(build(loan("bullet")).rows) == 1
    act360 = build(loan("bullet")).rows[0]
    assert (act360.due_date, act360.days, act360.interest) == (dt.date(2027, 1, 15), 365, D("12166.67"))
    assert build(loan("bullet", day_count="ACT/365")).rows[0].interest == D("12000.00")
    assert build(loan("bullet", day_count="30/360")).rows[0].interest == D("12000.00")
    assert build(loan("bullet", day_count="30/360")).rows[0].days == 360


def test_day_count_changes_only_a_broken_first_period_of_monthly_methods():
    regular = {c: build(loan("equal_principal", day_count=c)) for c in DAY_COUNTS}
    assert len({s.total_interest for s in regular.values()}) == 1  # rate/12 on whole periods whatever the count
    # first due on 2026-03-01: 45 calendar days (30/360: 46), charged by the day count
    broken = {c: build(loan("equal_principal", day_count=c, first_due=dt.date(2026, 3, 1))) for c in DAY_COUNTS}
    assert [broken[c].rows[0].days for c in ("ACT/360", "ACT/365", "30/360")] == [45, 45, 46]
    assert broken["ACT/360"].rows[0].interest == D("1500.00")  # 100,000 x 12 % x 45 / 360
    assert broken["ACT/365"].rows[0].interest == D("1479.45")
    assert broken["30/360"].rows[0].interest == D("1533.33")
    assert broken["ACT/360"].rows[1].interest == regular["ACT/360"].rows[1].interest  # later periods: rate/12
    assert [r.due_date for r in broken["ACT/360"].rows[:3]] == [dt.date(2026, 3, 1), dt.date(2026, 4, 1),
                                                                 dt.date(2026, 5, 1)]
    # 等额本息: the broken first period repays a whole period's principal; its extra 15 days' interest (500.00) is
    # added to the first installment and the others stay level
    level = build(loan("equal_installment", months=3))
    ei = build(loan("equal_installment", months=3, first_due=dt.date(2026, 3, 1)))
    assert ei.rows[0].principal == level.rows[0].principal == D("33002.21")
    assert (ei.rows[0].interest, ei.rows[0].installment) == (D("1500.00"), D("34502.21"))
    assert ei.rows[1].installment == D("34002.21") and ei.rows[2].installment == level.rows[2].installment


def test_monthly_fee_is_added_to_every_installment():
    s = build(loan("equal_installment", monthly_fee_rate=D("0.002")))
    assert {r.fee for r in s.rows} == {D("200.00")} and s.total_fees == D("2400.00")
    assert s.rows[0].installment == D("9084.88") and s.total == D("109018.53")


def test_half_even_rounding_differs_from_half_up_on_a_half_fen():
    # 10,000.50 at 1 % a month: the first interest is 100.005
    up = build(loan("interest_first", amount="10000.50", months=2))
    even = build(loan("interest_first", amount="10000.50", months=2, rounding="fen_half_even"))
    assert (up.rows[0].interest, even.rows[0].interest) == (D("100.01"), D("100.00"))


def test_month_end_rule_counts_every_date_from_the_first():
    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2028, 1, 31), 1) == dt.date(2028, 2, 29)
    assert due_dates(dt.date(2026, 1, 31), 4) == [dt.date(2026, 1, 31), dt.date(2026, 2, 28), dt.date(2026, 3, 31),
                                                  dt.date(2026, 4, 30)]
    s = build(Terms(D("30000.00"), D("0.12"), 4, "equal_installment", dt.date(2026, 1, 31)))
    assert [r.due_date for r in s.rows] == [dt.date(2026, 2, 28), dt.date(2026, 3, 31), dt.date(2026, 4, 30),
                                            dt.date(2026, 5, 31)]
    assert [r.days for r in s.rows] == [28, 31, 30, 31] and s.rows[0].interest == D("300.00")  # a whole period
    s = build(Terms(D("1200.00"), D("0.12"), 3, "equal_principal", dt.date(2025, 12, 31)))
    assert [r.due_date for r in s.rows] == [dt.date(2026, 1, 31), dt.date(2026, 2, 28), dt.date(2026, 3, 31)]
    assert add_months(dt.date(2026, 11, 30), 2) == dt.date(2027, 1, 30)


def test_day_counts():
    a, b = dt.date(2026, 1, 31), dt.date(2026, 3, 1)
    assert days_between(a, b, "ACT/360") == days_between(a, b, "ACT/365") == 29
    assert days_between(a, b, "30/360") == 31  # 30E/360: the 31st counts as the 30th
    assert days_between(dt.date(2026, 1, 15), dt.date(2027, 1, 15), "30/360") == 360


def test_360_month_loan():
    s = build(loan("equal_installment", amount="1000000.00", rate="0.049", months=360))
    assert len(s.rows) == 360 and s.total_principal == D("1000000.00")
    assert s.rows[0].installment == D("5307.27")  # 1,000,000 at 4.9 % over 30 years
    # the fen rounding of 359 installments builds up: the last one absorbs 2.08 less
    assert s.rows[-1].installment == D("5305.19") and s.total_interest == D("910615.12")
    assert s.rows[-1].due_date == dt.date(2056, 1, 15) and s.rows[-1].closing_balance == 0
    for method in REPAYMENT_METHODS:
        long = build(loan(method, months=360))
        assert long.total_principal == D("100000.00") and long.rows[-1].closing_balance == 0


def test_zero_rate():
    s = build(loan("equal_installment", rate="0", months=3))
    assert [r.installment for r in s.rows] == [D("33333.33"), D("33333.33"), D("33333.34")]
    assert s.total_interest == 0


@pytest.mark.parametrize("seed", range(5))
def test_properties_over_random_loans(seed):
    rng = random.Random(seed)
    for _ in range(150):
        method = rng.choice(sorted(REPAYMENT_METHODS))
        amount = D(rng.choice([rng.randint(1, 999), rng.randint(1000, 10**8)])) / 100
        months = rng.choice([1, 2, 3, 6, 12, 24, 36, rng.randint(1, 360)])
        rate = D(rng.randint(0, 3600)) / 10000
        start = dt.date(2026, 1, 1) + dt.timedelta(days=rng.randint(0, 800))
        first_due = rng.choice([None, start + dt.timedelta(days=rng.randint(1, 58))])
        terms = Terms(amount=amount, annual_rate=rate, term_months=months, method=method, start=start,
                      day_count=rng.choice(sorted(DAY_COUNTS)), rounding=rng.choice(sorted(ROUNDINGS)),
                      monthly_fee_rate=D(rng.randint(0, 50)) / 10000, first_due=first_due)
        s = build(terms)
        where = (method, amount, months, rate, start, first_due)
        assert s.total_principal == amount, where
        assert len(s.rows) == (1 if method == "bullet" else months), where
        assert s.rows[-1].closing_balance == 0, where
        balance = amount
        for row in s.rows:
            for value in (row.principal, row.interest, row.fee, row.installment, row.closing_balance):
                assert value >= 0 and value == value.quantize(D("0.01")), (where, row)
            assert row.opening_balance == balance and row.closing_balance == balance - row.principal, (where, row)
            assert row.installment == row.principal + row.interest + row.fee, (where, row)
            balance = row.closing_balance
        dates = [r.due_date for r in s.rows]
        assert dates == sorted(dates) and dates[0] > start, where


@pytest.mark.parametrize("change", [
    {"method": "balloon"}, {"day_count": "ACT/ACT"}, {"rounding": "yuan"}, {"amount": D("0")},
    {"amount": D("1.001")}, {"term_months": 0}, {"term_months": 361}, {"annual_rate": D("-0.01")},
    {"first_due": START}, {"first_due": dt.date(2026, 3, 16)},
])
def test_impossible_terms_are_refused(change):
    base = dict(amount=D("1000.00"), annual_rate=D("0.1"), term_months=12, method="equal_installment", start=START)
    with pytest.raises(ValueError):
        build(Terms(**{**base, **change}))


def test_round_fen_is_the_products_rounding_and_the_reschedule_rounds_with_it():
    assert round_fen(Decimal("0.125"), "fen_half_up") == Decimal("0.13")
    assert round_fen(Decimal("0.125"), "fen_half_even") == Decimal("0.12")
    assert reschedule.round_fen is round_fen
    with pytest.raises(KeyError):
        round_fen(Decimal("1"), "fen_down")
