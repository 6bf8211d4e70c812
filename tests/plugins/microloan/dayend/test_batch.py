"""The day-end run (dayend/batch.py) on the database: the worked example through the batch, classes at each
boundary day, override and provisions, one event of each kind with the totals, the rerun no-op, an interrupted run
resuming to the clean run's ledger hash, dates refused and caught up, and the job registered with core's batch."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from surety.core.batch import day_end_jobs
from surety.core.errors import ValidationFailed
from surety.core.events_models import OutboxEvent
from surety.plugins.microloan.dayend.batch import Interrupted, day_end_job, run_day, run_through
from surety.plugins.microloan.dayend.models import MicroloanAccrual, MicroloanDayEndRun
from surety.plugins.microloan.loan.book import installments
from surety.plugins.microloan.loan.models import MicroloanLoan
from surety.plugins.microloan.settings import get_settings
from surety.plugins.microloan.testing import make_loan, make_product

D = dt.date


def _loan(s, product=None, **kw):
    return make_loan(s, product or make_product(s), **kw)


def _events(s, name):
    return list(s.scalars(select(OutboxEvent).where(OutboxEvent.event_type == name).order_by(OutboxEvent.id)))


def test_worked_example_through_the_batch(mw):
    """docs/microloan/dayend.md, "Worked example": 100,000.00 at 12 % 等额本息 over 12 months, disbursed
    15 Jan 2026, nothing paid; the first run on 16 Feb, then 17 and 18 Feb."""
    with mw.session() as s:
        loan_id = _loan(s).id
    for day in (D(2026, 2, 16), D(2026, 2, 17), D(2026, 2, 18)):
        run_through(mw.session, day)
    with mw.session() as s:
        loan = s.get(MicroloanLoan, (mw.tenant.id, loan_id))
        first = installments(s, loan)[0]
        assert (first.principal, first.interest) == (Decimal("7884.88"), Decimal("1000.00"))
        assert loan.accrued_interest == Decimal("98.69")  # 32.90 + 32.90 + 32.89 of period 2's 921.15
        assert first.penalty == loan.penalty_balance == Decimal("13.33")  # 3.94 + 3.94 + 3.95 + 3 x 0.50
        assert (loan.days_past_due, loan.overdue_since, loan.accrued_to) == (3, D(2026, 2, 15), D(2026, 2, 18))
        assert (loan.risk_class, loan.provision) == ("special_mention", Decimal("2000.00"))
        run = s.scalar(select(MicroloanDayEndRun).where(MicroloanDayEndRun.business_date == D(2026, 2, 18)))
        assert (run.interest, run.penalty, run.compound) == (Decimal("32.89"), Decimal("3.95"), Decimal("0.50"))


BOUNDARIES = {1: "special_mention", 90: "special_mention", 91: "substandard", 270: "substandard",
              271: "doubtful", 360: "doubtful", 361: "loss"}


def test_class_and_provision_at_each_boundary_day_and_the_override_wins(mw):
    day = D(2027, 6, 30)
    with mw.session() as s:
        product = make_product(s)
        ids = {}
        for dpd in BOUNDARIES:
            due = day - dt.timedelta(days=dpd)
            ids[dpd] = make_loan(s, product, disbursed_on=due - dt.timedelta(days=30), first_due_date=due,
                                 term_months=24).id
        overridden = make_loan(s, product, disbursed_on=day - dt.timedelta(days=10), risk_class_override="loss").id
        current = make_loan(s, product, disbursed_on=day - dt.timedelta(days=10)).id
    summary = run_through(mw.session, day)
    with mw.session() as s:
        rates = get_settings(s).provision_rates
        for dpd, expected in BOUNDARIES.items():
            loan = s.get(MicroloanLoan, (mw.tenant.id, ids[dpd]))
            assert (loan.days_past_due, loan.risk_class) == (dpd, expected), dpd
            assert loan.provision == (loan.principal_balance * Decimal(rates[expected])).quantize(Decimal("0.01"))
        loss = s.get(MicroloanLoan, (mw.tenant.id, overridden))
        assert (loss.days_past_due, loss.risk_class, loss.provision) == (0, "loss", Decimal("100000.00"))
        normal = s.get(MicroloanLoan, (mw.tenant.id, current))
        assert (normal.risk_class, normal.provision) == ("normal", Decimal("1000.00"))
        total = sum(s.scalars(select(MicroloanLoan.provision)))
    assert summary["loans"] == 9 and Decimal(summary["provision"]) == total


def test_events_once_with_the_days_totals_and_a_rerun_is_a_no_op(mw):
    with mw.session() as s:
        product = make_product(s)
        for _ in range(3):
            make_loan(s, product, disbursed_on=D(2026, 1, 10))
    first = run_through(mw.session, D(2026, 2, 9))
    again = run_through(mw.session, D(2026, 2, 9))
    assert again == first
    with mw.session() as s:
        accrued = _events(s, "MicroloanInterestAccrued")
        moved = _events(s, "MicroloanProvisionAdjusted")
        rows = list(s.scalars(select(MicroloanAccrual)))
        assert len(accrued) == 1 and len(moved) == 1
        assert accrued[0].payload["interest"] == first["interest"] == str(
            sum(r.amount for r in rows if r.kind == "interest"))
        assert accrued[0].payload["penalty"] == "0.00"
        assert moved[0].payload["total"] == moved[0].payload["delta"] == "3000.00" == first["provision"]
    run_through(mw.session, D(2026, 2, 10))  # provision unchanged: no second MicroloanProvisionAdjusted
    with mw.session() as s:
        assert len(_events(s, "MicroloanInterestAccrued")) == 2 and len(_events(s, "MicroloanProvisionAdjusted")) == 1


def test_a_write_off_uses_the_provision_so_the_next_day_does_not_report_it_released(mw):
    """Three loans of 100,000.00 (1 % each: 3,000.00 provision). One is written off on 10 Feb: its write-off voucher
    uses the provision for its 100,000.00 principal, so that day's run tops the provision up from 3,000.00 -
    100,000.00 to the 2,000.00 the two loans left need (+99,000.00), instead of reporting -1,000.00 as released."""
    with mw.session() as s:
        product = make_product(s)
        loans = [make_loan(s, product, disbursed_on=D(2026, 1, 10)).id for _ in range(3)]
    run_through(mw.session, D(2026, 2, 9))
    with mw.session() as s:
        gone = s.get(MicroloanLoan, (mw.tenant.id, loans[0]))
        gone.written_off_principal, gone.principal_balance = gone.principal_balance, Decimal(0)
        gone.status, gone.written_off_on = "written_off", D(2026, 2, 10)
        s.commit()
    run_through(mw.session, D(2026, 2, 10))
    with mw.session() as s:
        moved = [e.payload for e in _events(s, "MicroloanProvisionAdjusted")]
        assert [(m["delta"], m["total"]) for m in moved] == [("3000.00", "3000.00"), ("99000.00", "2000.00")]


def _book(open_session, day_count="ACT/365"):
    with open_session() as s:
        product = make_product(s, code="P1", day_count=day_count, annual_rate=Decimal("0.1799"))
        for n in range(7):
            loan = make_loan(s, product, amount=f"{10000 + n * 1234}.56", disbursed_on=D(2026, 1, 1 + n))
            loan.loan_no = f"L-{n}"
        s.flush()


def test_an_interrupted_run_resumes_to_the_clean_runs_ledger_hash(mw, make_tenant):
    other = make_tenant(plugins=["customers", "microloan"])

    def clean_session():
        return mw.db.tenant_session(other.id)

    for open_session in (mw.session, clean_session):
        _book(open_session)
        run_through(open_session, D(2026, 3, 5), chunk_size=3)  # 1 Feb due dates unpaid: penalty with carries
    with pytest.raises(Interrupted):
        run_day(mw.session, D(2026, 3, 6), chunk_size=3, stop_after_chunks=1)
    with mw.session() as s:
        assert s.scalar(select(MicroloanDayEndRun.status).where(
            MicroloanDayEndRun.business_date == D(2026, 3, 6))) == "running"
        assert len(_events(s, "MicroloanInterestAccrued")) == 1
    resumed = run_through(mw.session, D(2026, 3, 6), chunk_size=3)
    clean_run = run_through(clean_session, D(2026, 3, 6), chunk_size=3)
    assert resumed == clean_run and resumed["loans"] == 7 and Decimal(resumed["penalty"]) > 0
    with mw.session() as s:
        assert len(_events(s, "MicroloanInterestAccrued")) == 2


def test_dates_before_a_done_one_are_refused_and_a_gap_is_caught_up_in_order(mw):
    with mw.session() as s:
        loan_id = _loan(s, disbursed_on=D(2026, 1, 10)).id
    run_through(mw.session, D(2026, 1, 20))
    with pytest.raises(ValidationFailed, match="2026-01-20 has already run"):
        run_day(mw.session, D(2026, 1, 18))
    with pytest.raises(ValidationFailed, match="missing days from 2026-01-21"):
        run_day(mw.session, D(2026, 1, 23))
    run_through(mw.session, D(2026, 1, 23))
    with mw.session() as s:
        dates = list(s.scalars(select(MicroloanDayEndRun.business_date).order_by(MicroloanDayEndRun.business_date)))
        assert dates == [D(2026, 1, 20), D(2026, 1, 21), D(2026, 1, 22), D(2026, 1, 23)]
        loan = s.get(MicroloanLoan, (mw.tenant.id, loan_id))
        days = {r.business_date for r in s.scalars(select(MicroloanAccrual))}
        assert days == set(dates) and loan.accrued_to == D(2026, 1, 23)


def test_a_loan_disbursed_after_the_date_is_left_alone(mw):
    with mw.session() as s:
        later = _loan(s, disbursed_on=D(2026, 3, 1)).id
    summary = run_through(mw.session, D(2026, 2, 1))
    with mw.session() as s:
        loan = s.get(MicroloanLoan, (mw.tenant.id, later))
        assert loan.accrued_to is None and loan.provision == 0 and summary["loans"] == 0
        assert list(s.scalars(select(MicroloanAccrual))) == []


def test_registered_as_a_day_end_job_that_runs_through_the_batch_session(mw):
    jobs = {job.name: (key, job) for key, job in day_end_jobs(["customers", "microloan"])}
    key, job = jobs["microloan_day_end"]
    assert key == "microloan" and job.run is day_end_job
    with mw.session() as s:
        _loan(s, disbursed_on=D(2026, 1, 10))
    with mw.session() as s:
        summary = job.run(s, D(2026, 1, 11))
    assert summary["loans"] == 1 and summary["interest"] != "0.00"
