"""Income forecast from the fee schedules: worked numbers (12,000.00 over 2026 by days), the months sum to what is
left, a booked month forecasts 0, a refund after recognition shows as the job's negative catch-up, projects without a
term are not forecast, permissions and input checks."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest

from surety.core.errors import PermissionDenied, ValidationFailed
from surety.core.events import raise_event
from surety.plugins.finance.forecast import income
from surety.plugins.finance.periodend import jobs
from surety.plugins.finance.testing import AnyEvent as Event

START, END = dt.date(2026, 1, 1), dt.date(2026, 12, 31)


def _fee(s, project, amount, day, *, kind="GuaranteeFeeReceived"):
    field = "received_on" if kind == "GuaranteeFeeReceived" else "refunded_on"
    raise_event(s, Event(kind=kind, data={"project_id": project, "receipt_id": uuid.uuid4(),
                                          "fee_type": "guarantee_fee", "amount": Decimal(amount), field: day}))


def _effect(s, project, start=START, end=END):
    raise_event(s, Event(kind="GuaranteeTookEffect", data={"project_id": project, "effective_date": start,
                                                           "loan_end_date": end}))


def test_a_year_fee_is_forecast_by_days_and_the_months_sum_to_what_is_left(fw):
    p = uuid.uuid4()
    with fw.acting("fin") as (s, a):
        _fee(s, p, "12000.00", dt.date(2025, 12, 20))
        _effect(s, p)
        f = income.income_forecast(s, a, dt.date(2026, 1, 10))
    assert [m.period for m in f.months] == [f"2026-{m:02d}" for m in range(1, 13)]
    # 12,000.00 x 31/365 = 1,019.18; February 28 days: 12,000 x 59/365 = 1,939.73 cumulative, so 920.55.
    assert f.months[0].amount == Decimal("1019.18") and f.months[1].amount == Decimal("920.55")
    assert all(Decimal("900") < m.amount < Decimal("1030") for m in f.months)
    assert f.total == Decimal("12000.00") and f.later == Decimal("0.00") and f.remaining == Decimal("12000.00")
    assert f.projects == 1 and f.months[0].projects == 1 and f.unscheduled == Decimal("0.00")


def test_a_shorter_horizon_leaves_the_rest_for_later_and_booked_months_are_not_forecast(fw):
    p = uuid.uuid4()
    with fw.acting("fin") as (s, a):
        _fee(s, p, "12000.00", dt.date(2025, 12, 20))
        _effect(s, p)
        assert jobs.amortise(s, "2026-01").outcome == "booked"
        assert jobs.amortise(s, "2026-02").outcome == "booked"
        booked = Decimal("1939.73")
        f = income.income_forecast(s, a, dt.date(2026, 2, 15), months=3)
    assert [(m.period, m.amount) for m in f.months] == [("2026-02", Decimal("0.00")), ("2026-03", Decimal("1019.17")),
                                                        ("2026-04", Decimal("986.31"))]
    assert f.months[0].projects == 0
    assert f.total + f.later == f.remaining == Decimal("12000.00") - booked
    assert f.later == Decimal("12000.00") - Decimal("3945.21")


def test_a_refund_after_recognition_is_the_jobs_negative_catch_up_and_no_term_is_unscheduled(fw):
    p, waiting = uuid.uuid4(), uuid.uuid4()
    with fw.acting("fin") as (s, a):
        _fee(s, p, "12000.00", dt.date(2025, 12, 20))
        _effect(s, p, START, dt.date(2026, 3, 31))  # 90 days
        for period in ("2026-01", "2026-02", "2026-03"):
            jobs.amortise(s, period)
        _fee(s, p, "3000.00", dt.date(2026, 4, 2), kind="GuaranteeFeeRefunded")
        _fee(s, waiting, "5000.00", dt.date(2026, 4, 3))
        f = income.income_forecast(s, a, dt.date(2026, 4, 3), months=2)
        assert [m.amount for m in f.months] == [Decimal("-3000.00"), Decimal("0.00")]
        assert jobs.amortise(s, "2026-04").amount == f.months[0].amount
    assert f.remaining == Decimal("-3000.00") and f.unscheduled == Decimal("5000.00") and f.projects == 1


def test_projects_sum_month_by_month_and_a_finished_project_drops_out(fw):
    p1, p2, old = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    with fw.acting("fin") as (s, a):
        for p, fee, start, end in ((p1, "12000.00", START, END), (p2, "600.00", dt.date(2026, 2, 1),
                                                                 dt.date(2026, 2, 28)),
                                   (old, "100.00", dt.date(2025, 1, 1), dt.date(2025, 1, 31))):
            _fee(s, p, fee, start)
            _effect(s, p, start, end)
        jobs.amortise(s, "2025-01")
        f = income.income_forecast(s, a, dt.date(2026, 1, 1), months=2)
    assert [(m.amount, m.projects) for m in f.months] == [(Decimal("1019.18"), 1), (Decimal("1520.55"), 2)]
    assert f.projects == 2 and f.remaining == Decimal("12600.00")


def test_the_forecast_needs_read_and_a_sensible_horizon(fw):
    with fw.acting("fin") as (s, a):
        with pytest.raises(ValidationFailed) as e:
            income.income_forecast(s, a, dt.date(2026, 1, 1), months=0)
        assert e.value.field == "months"
        with pytest.raises(ValidationFailed):
            income.income_forecast(s, a, dt.date(2026, 1, 1), months=121)
        assert income.income_forecast(s, a, dt.date(2026, 11, 1), months=3).total == Decimal("0.00")
    with fw.acting("viewer") as (s, a), pytest.raises(PermissionDenied):
        income.income_forecast(s, a, dt.date(2026, 1, 1))


def test_periods_cross_the_year():
    assert income.periods_from(dt.date(2026, 11, 30), 3) == ["2026-11", "2026-12", "2027-01"]
