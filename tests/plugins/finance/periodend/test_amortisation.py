"""Guarantee-fee schedules recorded from events (live and backfilled from the outbox) and the monthly amortisation
job: one voucher per period Dr 2401 / Cr 6031 per project, idempotent, caught up after a refund, skipped in a
closed period, run by the day-end job at month end or on the next month's first day-end."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from sqlalchemy import delete, select

from surety.core.events import raise_event
from surety.plugins.finance.periodend import jobs
from surety.plugins.finance.periodend.models import FinanceFeeSchedule, FinancePeriodJob
from surety.plugins.finance.reserves.amortisation import recognised_through
from surety.plugins.finance.rules import services as rules
from surety.plugins.finance.testing import AnyEvent as Event
from surety.plugins.finance.vouchers import services as vouchers
from surety.plugins.finance.vouchers.models import FinanceVoucher

START, END = dt.date(2026, 1, 1), dt.date(2026, 12, 31)


def _fee(s, project, amount, day, *, kind="GuaranteeFeeReceived", fee_type="guarantee_fee"):
    field = "received_on" if kind == "GuaranteeFeeReceived" else "refunded_on"
    raise_event(s, Event(kind=kind, data={"project_id": project, "receipt_id": uuid.uuid4(), "fee_type": fee_type,
                                          "amount": Decimal(amount), field: day}))


def _effect(s, project, start=START, end=END, **extra):
    raise_event(s, Event(kind="GuaranteeTookEffect", data={
        "project_id": project, "project_no": "DB-1", "customer_id": uuid.uuid4(), "bank_id": None,
        "loan_amount": Decimal("1000000"), "in_force_balance": Decimal("1000000"), "effective_date": start,
        "loan_end_date": end, **extra}))


def _amortisation_lines(s, number_period):
    v = s.scalar(select(FinanceVoucher).where(FinanceVoucher.period == number_period,
                                              FinanceVoucher.source_event_type == "finance:fee_amortisation"))
    return v, [(x.account_code, x.debit, x.credit, x.project_id) for x in vouchers.lines_of(s, [v.id])[v.id]]


def test_events_make_a_schedule_and_each_month_books_its_share_once(fw):
    p1, p2 = uuid.uuid4(), uuid.uuid4()
    with fw.acting("fin") as (s, a):
        _fee(s, p1, "12000", dt.date(2025, 12, 20))
        _fee(s, p1, "3000", dt.date(2025, 12, 20), fee_type="review_fee")  # not a guarantee fee
        _effect(s, p1)
        _fee(s, p2, "5000", dt.date(2026, 1, 15))  # no term yet: nothing recognised
        rows = {r.project_id: r for r in s.scalars(select(FinanceFeeSchedule))}
        assert (rows[p1].amount, rows[p1].start_date, rows[p1].end_date) == (Decimal("12000.00"), START, END)
        assert (rows[p2].amount, rows[p2].start_date) == (Decimal("5000.00"), None)

        first = jobs.amortise(s, "2026-01")
        jan = recognised_through(Decimal("12000.00"), START, END, "2026-01")
        assert (first.outcome, first.amount, first.voucher_number) == ("booked", jan, "转-0001")
        voucher, lines = _amortisation_lines(s, "2026-01")
        assert voucher.voucher_date == dt.date(2026, 1, 31) and voucher.status == "draft"
        assert lines == [("2401", jan, 0, p1), ("6031", 0, jan, p1)]
        assert jobs.amortise(s, "2026-01").outcome == "done"
        assert len(s.scalars(select(FinanceVoucher).where(FinanceVoucher.period == "2026-01",
                                                          FinanceVoucher.word == "转")).all()) == 1

        # a refund after January's recognition: February catches up on the smaller fee
        _fee(s, p1, "1200", dt.date(2026, 2, 3), kind="GuaranteeFeeRefunded")
        feb = jobs.amortise(s, "2026-02")
        due = recognised_through(Decimal("10800.00"), START, END, "2026-02")
        assert feb.amount == due - jan
        assert s.scalar(select(FinanceFeeSchedule.recognised).where(FinanceFeeSchedule.project_id == p1)) == due


def test_a_fee_received_after_the_term_is_recognised_at_once_and_a_letter_uses_its_expiry(fw):
    p1, p2 = uuid.uuid4(), uuid.uuid4()
    with fw.acting("fin") as (s, a):
        _effect(s, p1, dt.date(2025, 1, 1), dt.date(2025, 6, 30))
        _fee(s, p1, "600", dt.date(2026, 3, 1))
        _effect(s, p2, dt.date(2026, 3, 1), None, category="non_financing", expiry_date=dt.date(2026, 3, 31))
        _fee(s, p2, "310", dt.date(2026, 3, 1))
        result = jobs.amortise(s, "2026-03")
        assert result.amount == Decimal("910.00")
        _, lines = _amortisation_lines(s, "2026-03")
        assert sorted((x[0], x[1], x[2]) for x in lines) == sorted(
            [("2401", Decimal("600.00"), 0), ("6031", 0, Decimal("600.00")),
             ("2401", Decimal("310.00"), 0), ("6031", 0, Decimal("310.00"))])


def test_nothing_to_book_and_a_closed_period(fw):
    with fw.acting("fin") as (s, a):
        assert jobs.amortise(s, "2026-04").outcome == "nothing"
        assert jobs.amortise(s, "2026-04").outcome == "done"
        vouchers.close_period(s, a, "2026-05")
        _effect(s, uuid.uuid4())
        _fee(s, s.scalar(select(FinanceFeeSchedule.project_id)), "100", dt.date(2026, 6, 1))
        assert jobs.amortise(s, "2026-05").outcome == "closed"
        assert s.scalar(select(FinancePeriodJob).where(FinancePeriodJob.period == "2026-05")) is None


def test_the_day_end_job_books_the_month_on_its_last_day_or_the_next_months_first(fw):
    project = uuid.uuid4()
    with fw.acting("fin") as (s, a):
        _fee(s, project, "36500", dt.date(2026, 1, 1))
        _effect(s, project)
        assert jobs.day_end(s, dt.date(2026, 2, 1)) == {"vouchers": 1}  # January, missed on its last day
        assert jobs.day_end(s, dt.date(2026, 2, 2)) == {"vouchers": 0}
        assert jobs.day_end(s, dt.date(2026, 2, 27)) == {"vouchers": 0}
        assert jobs.day_end(s, dt.date(2026, 2, 28)) == {"vouchers": 1}  # February on its last day
        assert jobs.day_end(s, dt.date(2026, 3, 1)) == {"vouchers": 0}
        booked = s.scalars(select(FinanceVoucher.period).where(FinanceVoucher.word == "转")
                           .order_by(FinanceVoucher.period)).all()
        assert booked == ["2026-01", "2026-02"]
        assert s.scalar(select(FinanceFeeSchedule.recognised)) == Decimal("5900.00")  # 59 days of 100 yuan


def test_the_schedules_are_backfilled_from_the_outbox_once(fw):
    project = uuid.uuid4()
    with fw.acting("fin") as (s, a):
        _fee(s, project, "1000", dt.date(2026, 1, 5))
        _effect(s, project)
        _fee(s, project, "200", dt.date(2026, 1, 6), kind="GuaranteeFeeRefunded")
        s.execute(delete(FinanceFeeSchedule))
        assert jobs.backfill_schedules(s) == 1
        assert jobs.backfill_schedules(s) == 1
        (row,) = s.scalars(select(FinanceFeeSchedule)).all()
        assert (row.amount, row.start_date, row.end_date, row.recognised) == (Decimal("800.00"), START, END, 0)


def test_the_microloan_chart_has_no_fee_amortisation(fw):
    with fw.acting("admin") as (s, a):
        rules.install_chart(s, a, "microloan")
        assert jobs.amortise(s, "2026-01").outcome == "no_chart"


def test_the_plugin_registers_the_day_end_job():
    from surety.core.batch import day_end_jobs  # noqa: PLC0415 - reads the registry built by the conftest

    found = [job for key, job in day_end_jobs(["finance"]) if key == "finance"]
    assert [(job.name, job.run, job.day_end) for job in found] == [("finance_period_end", jobs.day_end, True)]


def test_tenant_sync_backfills_the_schedules(db, fw):
    from surety.tenants.service import sync_tenant  # noqa: PLC0415 - only this test

    project = uuid.uuid4()
    with fw.acting("fin") as (s, a):
        _fee(s, project, "900", dt.date(2026, 1, 5))
        _effect(s, project)
        s.execute(delete(FinanceFeeSchedule))
    sync_tenant(db, fw.tenant.slug)
    with fw.acting("fin") as (s, a):
        (row,) = s.scalars(select(FinanceFeeSchedule)).all()
        assert (row.project_id, row.amount, row.start_date) == (project, Decimal("900.00"), START)
