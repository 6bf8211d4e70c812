"""Fee bills (filing/fees.py) through the services, with the worked numbers of docs/reguarantee/fees.md: days in
force per period (end and release dates not counted), cumulative rounding (the lines of every period of a filing sum
to its fee exactly), one line per filing and period (billing again adds nothing, a filing confirmed late joins the
partner's issued bill), the period setting and overlap guard, payment, events, permissions and the .xlsx."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from surety.core.errors import Conflict, PermissionDenied, ValidationFailed
from surety.core.events_models import OutboxEvent
from surety.plugins.reguarantee.agreement.models import ReguaranteeAgreement
from surety.plugins.reguarantee.filing import fees
from surety.plugins.reguarantee.filing.models import ReguaranteeFeeBill, ReguaranteeFeeBillLine
from surety.plugins.reguarantee.plugin import SCHEDULED_JOBS
from surety.plugins.reguarantee.settings import get_settings
from surety.plugins.reguarantee.testing import make_agreement, make_filing, make_partner

D = Decimal
#: 1000万 guaranteed under the standard programme (40:20:20:20): our share 200万 at 0.5 % = 10,000.00 a year; the
#: term 2026-03-01 .. 2027-02-28 is 364 days, fee 9,972.60.
START, END = dt.date(2026, 3, 1), dt.date(2027, 2, 28)


def _setup(rw, **filing):
    with rw.session() as s:
        partner = make_partner(s, name="甲县融资担保有限公司")
        agreement = make_agreement(s, partner)
        f = make_filing(s, agreement, amount="10000000.00", start_date=START, end_date=END, **filing)
        return partner.id, agreement.id, f.id


def test_periods_and_days_in_force():
    q3 = fees.parse_period("2026q3")
    assert (q3.code, q3.kind, q3.start, q3.end) == ("2026Q3", "quarter", dt.date(2026, 7, 1), dt.date(2026, 9, 30))
    m2 = fees.parse_period("2028M02")
    assert (m2.start, m2.end) == (dt.date(2028, 2, 1), dt.date(2028, 2, 29))
    for bad in ("2026Q5", "2026M13", "2026", "2026H1", "26Q3"):
        with pytest.raises(ValidationFailed):
            fees.parse_period(bad)
    assert fees.last_ended_period(dt.date(2026, 10, 1), "quarter").code == "2026Q3"
    assert fees.last_ended_period(dt.date(2026, 9, 30), "quarter").code == "2026Q2"
    assert fees.last_ended_period(dt.date(2026, 1, 15), "month").code == "2025M12"
    # start counted, end not: 2026-03-01 .. 2027-02-28 is in force 364 days, its term's days
    days = [fees.days_in_force(START, END, None, p.start, p.end)
            for p in map(fees.parse_period, ("2026Q1", "2026Q2", "2026Q3", "2026Q4", "2027Q1"))]
    assert days == [31, 91, 92, 92, 58] and sum(days) == (END - START).days == 364
    # released on 2026-08-15: last in force on 08-14
    assert fees.days_in_force(START, END, dt.date(2026, 8, 15), dt.date(2026, 7, 1), dt.date(2026, 9, 30)) == 45
    assert fees.days_in_force(START, END, dt.date(2026, 7, 1), dt.date(2026, 7, 1), dt.date(2026, 9, 30)) == 0


def test_the_lines_of_every_period_sum_to_the_fee_exactly():
    share, rate = D("2000000.00"), D("0.005")
    got = [fees.line_figures(share, rate, START, END, None, fees.parse_period(p))
           for p in ("2026Q1", "2026Q2", "2026Q3", "2026Q4", "2027Q1")]
    assert [x.amount for x in got] == [D("849.32"), D("2493.15"), D("2520.54"), D("2520.55"), D("1589.04")]
    assert sum(x.amount for x in got) == D("9972.60") == fees.fee_of_days(share, rate, 364)
    # each line is within a fen of its own rounding (Q3: 92 days -> 2,520.55 directly, 2,520.54 cumulatively)
    assert all(abs(x.amount - fees.fee_of_days(share, rate, x.days)) <= D("0.01") for x in got)
    # months of the same filing sum to the same fee
    months = [fees.line_figures(share, rate, START, END, None, fees.parse_period(f"{y}M{m:02}"))
              for y, m in [(2026, m) for m in range(3, 13)] + [(2027, 1), (2027, 2)]]
    assert sum(x.amount for x in months) == D("9972.60")


def test_billing_a_quarter_twice_adds_nothing_and_a_late_filing_joins_the_issued_bill(rw):
    partner_id, agreement_id, filing_id = _setup(rw)
    with rw.acting("admin") as (s, a):
        done = fees.bill_period(s, a, "2026Q3", on=dt.date(2026, 10, 8))
        (bill,) = done.bills
        assert (done.lines_added, done.amount_added, bill.amount, bill.line_count, bill.status) == (
            1, D("2520.54"), D("2520.54"), 1, "issued")
        assert bill.bill_no.startswith("ZBF-2026Q3-") and (bill.period_start, bill.period_end) == (
            dt.date(2026, 7, 1), dt.date(2026, 9, 30))
        (line,) = fees.bill_lines(s, a, bill.id)
        assert (line.filing_id, line.days, line.share, line.rate, line.amount) == (
            filing_id, 92, D("2000000.00"), D("0.005"), D("2520.54"))
        again = fees.bill_period(s, a, "2026Q3", on=dt.date(2026, 10, 9))
        assert (again.bills, again.lines_added, again.amount_added) == ([], 0, D("0"))
    with rw.session() as s:
        assert s.scalar(select(ReguaranteeFeeBill.partner_id)) == partner_id
    with rw.session() as s:
        # a filing of the same partner confirmed late (released 2026-08-15: 45 days) and a filed one (not billed)
        ag = s.scalar(select(ReguaranteeAgreement).where(ReguaranteeAgreement.id == agreement_id))
        make_filing(s, ag, amount="10000000.00", start_date=START, end_date=END, status="released",
                    released_on=dt.date(2026, 8, 15), release_kind="normal")
        make_filing(s, ag, amount="10000000.00", start_date=START, end_date=END, status="filed")
    with rw.acting("admin") as (s, a):
        more = fees.bill_period(s, a, "2026Q3", on=dt.date(2026, 10, 20))
        # 2,000,000 x 0.005 x 45 / 365 = 1,232.88 (the 122 days before the quarter: 3,342.47; 167 days: 4,575.34)
        assert (more.lines_added, more.amount_added) == (1, D("1232.87"))
        (bill,) = more.bills
        assert (bill.amount, bill.line_count) == (D("3753.41"), 2)
        amounts = [e.payload["amount"] for e in s.scalars(
            select(OutboxEvent).where(OutboxEvent.event_type == "ReguaranteeFeeBilled")
            .order_by(OutboxEvent.occurred_at))]
        assert amounts == ["2520.54", "1232.87"]
        assert len(s.scalars(select(ReguaranteeFeeBillLine)).all()) == 2


def test_paying_a_bill_raises_the_fee_received_and_closes_it(rw):
    _setup(rw)
    with rw.acting("admin") as (s, a):
        (bill,) = fees.bill_period(s, a, "2026Q3", on=dt.date(2026, 10, 8)).bills
        with pytest.raises(ValidationFailed, match="not after the end of the period"):
            fees.mark_paid(s, a, bill.id, dt.date(2026, 9, 30))
        paid = fees.mark_paid(s, a, bill.id, dt.date(2026, 10, 20))
        assert (paid.status, paid.paid_on) == ("paid", dt.date(2026, 10, 20))
        (event,) = s.scalars(select(OutboxEvent).where(OutboxEvent.event_type == "ReguaranteeFeeReceived")).all()
        assert (event.payload["amount"], event.payload["received_on"]) == ("2520.54", "2026-10-20")
        with pytest.raises(Conflict, match="already been paid"):
            fees.mark_paid(s, a, bill.id, dt.date(2026, 10, 21))


def test_a_paid_bill_gets_no_new_line(rw):
    _p, agreement_id, _f = _setup(rw)
    with rw.acting("admin") as (s, a):
        (bill,) = fees.bill_period(s, a, "2026Q3", on=dt.date(2026, 10, 8)).bills
        fees.mark_paid(s, a, bill.id, dt.date(2026, 10, 20))
    with rw.session() as s:
        make_filing(s, s.scalar(select(ReguaranteeAgreement).where(ReguaranteeAgreement.id == agreement_id)),
                    start_date=START, end_date=END)
    with rw.acting("admin") as (s, a):
        assert fees.bill_period(s, a, "2026Q3", on=dt.date(2026, 10, 25)).lines_added == 0
        assert s.scalar(select(ReguaranteeFeeBill.amount).where(ReguaranteeFeeBill.id == bill.id)) == D("2520.54")


def test_the_period_follows_the_setting_has_ended_and_overlaps_no_billed_period(rw):
    _setup(rw)
    with rw.acting("admin") as (s, a):
        with pytest.raises(ValidationFailed, match="has not ended yet"):
            fees.bill_period(s, a, "2026Q3", on=dt.date(2026, 9, 30))
        with pytest.raises(ValidationFailed, match="per quarter"):
            fees.bill_period(s, a, "2026M07", on=dt.date(2026, 10, 8))
        assert fees.bill_period(s, a, on=dt.date(2026, 10, 8)).period.code == "2026Q3"  # the last ended quarter
        get_settings(s).fee_bill_period = "month"
        s.flush()
        with pytest.raises(Conflict, match="overlaps the billed period 2026Q3"):
            fees.bill_period(s, a, "2026M08", on=dt.date(2026, 10, 8))
        done = fees.bill_period(s, a, "2026M10", on=dt.date(2026, 11, 2))
        assert [(x.days, x.amount) for x in fees.bill_lines(s, a, done.bills[0].id)] == [(31, D("849.32"))]


def test_permissions_and_the_xlsx(rw):
    _setup(rw)
    with rw.acting("viewer") as (s, a):
        with pytest.raises(PermissionDenied):
            fees.bill_period(s, a, "2026Q3", on=dt.date(2026, 10, 8))
    with rw.acting("admin") as (s, a):
        (bill,) = fees.bill_period(s, a, "2026Q3", on=dt.date(2026, 10, 8)).bills
        bill_id = bill.id
    with rw.acting("viewer") as (s, a):
        with pytest.raises(PermissionDenied):
            fees.mark_paid(s, a, bill_id, dt.date(2026, 10, 20))
        f = fees.export_bill(s, a, bill_id)
    assert f.filename.endswith(".xlsx")
    ws = load_workbook(io.BytesIO(f.data)).active
    rows = list(ws.iter_rows(values_only=True))
    assert "甲县融资担保有限公司" in rows[0][0] and rows[1][0] == "备案编号"
    assert rows[2][10:12] == (92, 2520.54) and rows[3][0] == "合计" and rows[3][11] == 2520.54


def test_the_day_end_job_bills_the_period_that_ended_once(rw):
    _setup(rw)
    (job,) = [j for j in SCHEDULED_JOBS if j.name == "reguarantee_fee_bills"]
    with rw.session() as s:
        assert job.run(s, dt.date(2026, 9, 29)) == {"period": "2026Q2", "bills": 1, "lines": 1}
        assert job.run(s, dt.date(2026, 9, 30)) == {"period": "2026Q3", "bills": 1, "lines": 1}
        assert job.run(s, dt.date(2026, 10, 1)) == {"period": "2026Q3", "bills": 0, "lines": 0}
        assert s.scalar(select(ReguaranteeFeeBill.created_by).where(ReguaranteeFeeBill.period == "2026Q3")) is None
        get_settings(s).fee_bill_period = "month"
        s.flush()
        assert job.run(s, dt.date(2026, 10, 1)) == {"period": "2026M09", "refused": "overlap"}
