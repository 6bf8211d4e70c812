"""Month-end rows (plugins/guarantee/ledger/month_end.py) and the report batch read from them
(regulatory_batch.py): the day-end writes a month end's per-project stock, the figures for that month end read it, a
backdated ledger entry rewrites the months it reaches, and on any ledger the figures and exposures read from the
month-end rows, and the batch's figures and bands, equal those rebuilt from the ledger (hypothesis)."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event, select
from sqlalchemy.dialects import postgresql

from surety.core.ports.regulatory import bands_of, total
from surety.plugins.customers.records import create_customer
from surety.plugins.customers.testing import corporate
from surety.plugins.guarantee import plugin as guarantee_plugin
from surety.plugins.guarantee.ledger import month_end, regulatory_batch
from surety.plugins.guarantee.ledger import regulatory_figures as rf
from surety.plugins.guarantee.ledger.models import GuaranteeLedgerEntry
from surety.plugins.guarantee.testing import make_bank, make_product, make_project

D = dt.date
Y = Decimal
JUNE, MARCH, DECEMBER = D(2026, 6, 30), D(2026, 3, 31), D(2025, 12, 31)
M = month_end.GuaranteeMonthEndBalance
IN_FORCE = "guarantee.in_force_balance"


def entry(s, project_id, kind: str, amount: str | Decimal, day: dt.date, detail: str = "", **parts) -> None:
    s.add(GuaranteeLedgerEntry(project_id=project_id, kind=kind, amount=Y(amount), entry_date=day, source_type="test",
                               source_id=uuid.uuid4(), detail=detail, **{k: Y(v) for k, v in parts.items()}))
    s.flush()


@pytest.fixture
def projects(gw):
    """Four projects without entries: a small enterprise's loan on a 20 % line, a person's housing loan on a 10 %
    line, the small enterprise's performance letter, a large company's loan without a line."""
    with gw.acting("mgr") as (s, a):
        big = create_customer(s, a, "corporate", corporate(3, name="宏大集团有限公司", size="large")).id
        corp, person = gw.customers["corp"], gw.customers["person"]
        loan, letter = make_product(s), make_product(s, kind="performance")
        bank_a, line_a = make_bank(s, risk_share_ratio="0.20")
        bank_b, line_b = make_bank(s, risk_share_ratio="0.10")

        def project(customer, product, category, **extra):
            p = make_project(s, a, customer, product=product, status="effective",
                             customer_kind="individual" if customer == person else "corporate", **extra)
            p.loan_category = category
            s.flush()
            return p.id

        return [project(corp, loan, "small_micro", bank=bank_a, credit_line_id=line_a.id, amount="1000000.00"),
                project(person, loan, "housing", bank=bank_b, credit_line_id=line_b.id, amount="500000.00"),
                project(corp, letter, "other", amount="300000.00"),
                project(big, loan, "other", amount="800000.00")]


def stored(s, day: dt.date) -> dict:
    return {r.project_id: (r.balance, r.released, r.effective)
            for r in s.scalars(select(M).where(M.month_end == day))}


def both_ways(s, day: dt.date, start: dt.date):
    """(figures, exposures) read the default way (the month-end rows when written) and rebuilt from the ledger."""
    rf._forget(s)
    fast = rf.report_figures(s, day, start), sorted(rf.exposures(s, day), key=repr)
    rf._forget(s)
    full = rf.report_figures(s, day, start, from_ledger=True), sorted(rf.exposures(s, day, from_ledger=True), key=repr)
    return fast, full


def test_month_ends_between_and_is_month_end():
    assert month_end.month_ends_between(D(2025, 11, 30), D(2026, 3, 30)) == [D(2025, 11, 30), D(2025, 12, 31),
                                                                            D(2026, 1, 31), D(2026, 2, 28)]
    assert month_end.month_ends_between(D(2026, 7, 1), D(2026, 7, 30)) == []
    assert month_end.is_month_end(D(2028, 2, 29)) and not month_end.is_month_end(D(2028, 2, 28))
    assert month_end.is_month_end(D(2026, 12, 31)) and not month_end.is_month_end(D(2026, 6, 29))


def test_the_day_end_job_writes_a_month_end_only(gw, projects):
    pa, pb, pc, pd = projects
    with gw.acting("mgr") as (s, _a):
        entry(s, pa, "loan", "1000000.00", D(2026, 1, 10))
        entry(s, pa, "repayment", "200000.00", D(2026, 3, 5))
        entry(s, pb, "loan", "500000.00", D(2025, 11, 1))
        entry(s, pb, "release", "500000.00", D(2026, 6, 30), "full")
        entry(s, pc, "loan", "300000.00", D(2026, 7, 1))
        jobs = {j.name: j for j in guarantee_plugin.surety_scheduled_jobs()}
        job = jobs[month_end.JOB]
        assert job.run(s, D(2026, 6, 29)) == {"written": 0}
        assert stored(s, D(2026, 6, 29)) == {} and not month_end.written(s, JUNE)
        assert job.run(s, JUNE) == {"written": 2}  # C's letter is dated after; D has no entry
        assert stored(s, JUNE) == {pa: (Y("800000.00"), 0, 1), pb: (Y("500000.00"), 1, 1)}
        assert job.run(s, JUNE) == {"written": 2}  # rewritten whole: idempotent
        assert len(stored(s, JUNE)) == 2


def test_a_month_end_written_is_what_the_figures_read(gw, projects):
    pa = projects[0]
    with gw.acting("mgr") as (s, _a):
        entry(s, pa, "loan", "1000000.00", D(2026, 1, 10))
        compiled = str(rf._per_project(s, JUNE).element.compile(dialect=postgresql.dialect()))
        assert "guarantee_ledger_entries" in compiled and "guarantee_month_end_balances" not in compiled
        month_end.write(s, JUNE)
        compiled = str(rf._per_project(s, JUNE).element.compile(dialect=postgresql.dialect()))
        assert "guarantee_month_end_balances" in compiled and "guarantee_ledger_entries" not in compiled
        # another date, or asked for the ledger: rebuilt
        assert "guarantee_ledger_entries" in str(rf._per_project(s, D(2026, 6, 29)).element.compile())
        assert "guarantee_ledger_entries" in str(rf._per_project(s, JUNE, from_ledger=True).element.compile())
        # the stored row is the answer: altered by hand, the figures follow it (so they do read it)
        s.execute(M.__table__.update().where(M.month_end == JUNE).values(balance=Y("123.00")))
        rf._forget(s)
        assert total(rf.report_figures(s, JUNE, D(2026, 1, 1)), IN_FORCE) == Y("123.00")


def test_a_backdated_entry_rewrites_the_month_ends_it_reaches(gw, projects):
    pa, pb, pc, _pd = projects
    with gw.acting("mgr") as (s, _a):
        entry(s, pc, "loan", "300000.00", D(2026, 4, 1))
        entry(s, pa, "loan", "1000000.00", D(2026, 1, 10))
        month_end.write(s, MARCH)
        month_end.write(s, JUNE)
        assert stored(s, MARCH) == {pa: (Y("1000000.00"), 0, 1)}
        # a repayment on C dated 05-15, recorded now: June's row of C is rewritten, March (before it) untouched
        entry(s, pc, "repayment", "50000.00", D(2026, 5, 15))
        assert stored(s, JUNE)[pc] == (Y("250000.00"), 0, 1)
        assert stored(s, MARCH) == {pa: (Y("1000000.00"), 0, 1)}
        assert total(rf.report_figures(s, JUNE, D(2026, 1, 1)), IN_FORCE, business_type="performance") == Y("250000.00")
        # a loan of B dated in February reaches both written month ends (a project new to them); May was never
        # written and stays so
        entry(s, pb, "loan", "500000.00", D(2026, 2, 1))
        assert stored(s, MARCH)[pb] == stored(s, JUNE)[pb] == (Y("500000.00"), 0, 1)
        assert stored(s, D(2026, 5, 31)) == {}
        # an entry dated after every written month end changes none
        entry(s, pa, "repayment", "100000.00", D(2026, 7, 3))
        assert stored(s, JUNE)[pa] == (Y("1000000.00"), 0, 1)
        fast, full = both_ways(s, JUNE, D(2026, 1, 1))
        assert fast == full


_DAYS = st.dates(min_value=D(2025, 10, 1), max_value=D(2026, 8, 31))
_AMOUNTS = st.integers(min_value=1, max_value=50_000).map(lambda n: Y(n) * 100)
_ENTRY = st.tuples(st.integers(min_value=0, max_value=3),
                   st.sampled_from(["loan", "repayment", "partial", "full", "compensation", "recovery", "write_off"]),
                   _AMOUNTS, _DAYS, st.booleans())


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(_ENTRY, min_size=1, max_size=16))
def test_month_end_rows_give_the_figures_rebuilt_from_the_ledger(gw, projects, entries):
    """Random entries, some recorded before the month ends are written and some after (backdated corrections):
    at every written month end the figures and exposures equal the ledger's rebuild."""
    with gw.acting("mgr") as (s, _a):
        nested = s.begin_nested()
        try:
            later = []
            for index, kind, amount, day, after in entries:
                if after:
                    later.append((index, kind, amount, day))
                else:
                    _record(s, projects[index], kind, amount, day)
            for day in (DECEMBER, MARCH, JUNE):
                month_end.write(s, day)
            for index, kind, amount, day in later:
                _record(s, projects[index], kind, amount, day)
            for day, start in ((DECEMBER, D(2025, 1, 1)), (MARCH, D(2026, 1, 1)), (JUNE, D(2026, 1, 1))):
                assert month_end.written(s, day) == bool(stored(s, day))
                fast, full = both_ways(s, day, start)
                assert fast == full
            for basis in ("gross", "own"):
                assert_batch_is_the_ledger(s, basis)
        finally:
            nested.rollback()


#: Cut points of the bands in the batch tests (an amount of the strategies may sit exactly on one: inclusive).
CUTS = [Y("1000000.00"), Y("2500000.00")]
#: Periods of the batch tests: the monthly form's three (month ends from 1 January, read from the rows), a month
#: end never written, a day that is not a month end and a quarter (all three rebuilt from the ledger).
BATCH_PERIODS = [(JUNE, D(2026, 1, 1)), (DECEMBER, D(2025, 1, 1)), (MARCH, D(2026, 1, 1)), (D(2026, 5, 31), D(2026, 1, 1)),
                 (D(2026, 5, 15), D(2026, 1, 1)), (JUNE, D(2026, 4, 1))]


def assert_batch_is_the_ledger(s, basis: str) -> None:
    """The batch answers every period as the per-date answers rebuilt from the ledger: the same figures, and bands
    equal to the ledger's exposures banded by core.ports.regulatory.bands_of."""
    got = regulatory_batch.report_batch(s, BATCH_PERIODS, CUTS, basis)
    assert [(r.as_of, r.period_start) for r in got] == BATCH_PERIODS
    for report, (as_of, start) in zip(got, BATCH_PERIODS, strict=True):
        rf._forget(s)
        assert report.figures == tuple(rf.report_figures(s, as_of, start, from_ledger=True)), (as_of, start)
        assert report.bands == tuple(bands_of(rf.exposures(s, as_of, from_ledger=True), CUTS, basis)), (as_of, basis)


def _ledger_statements(s, call) -> list[str]:
    seen: list[str] = []

    def listen(_conn, _cursor, statement, *_args):
        seen.append(statement)

    engine = s.get_bind()
    event.listen(engine, "before_cursor_execute", listen)
    try:
        call()
    finally:
        event.remove(engine, "before_cursor_execute", listen)
    return [st for st in seen if "guarantee_ledger_entries" in st]


def test_the_batch_reads_written_month_ends_from_the_rows_and_the_rest_from_the_ledger(gw, projects):
    pa, pb, pc, pd = projects
    with gw.acting("mgr") as (s, _a):
        entry(s, pa, "loan", "1000000.00", D(2025, 11, 10))
        entry(s, pa, "repayment", "200000.00", D(2026, 3, 5))
        entry(s, pb, "loan", "500000.00", D(2026, 2, 1))
        entry(s, pc, "loan", "300000.00", D(2026, 4, 1))
        entry(s, pd, "loan", "800000.00", D(2026, 1, 20))
        entry(s, pd, "compensation", "100000.00", D(2026, 5, 20), principal="80000.00")
        for day in (DECEMBER, JUNE):
            month_end.write(s, day)
        monthly = [(JUNE, D(2026, 1, 1)), (DECEMBER, D(2025, 1, 1))]
        assert _ledger_statements(s, lambda: regulatory_batch.report_batch(s, monthly, CUTS, "gross")) == []
        # March was never written, and a quarter does not start on 1 January: rebuilt from the ledger
        assert _ledger_statements(s, lambda: regulatory_batch.report_batch(s, [(MARCH, D(2026, 1, 1))], CUTS, "own"))
        assert _ledger_statements(s, lambda: regulatory_batch.report_batch(s, [(JUNE, D(2026, 4, 1))], CUTS, "own"))
        june = regulatory_batch.report_batch(s, monthly, CUTS, "gross")[0]
        assert total(june.figures, IN_FORCE) == Y("1000000.00") + Y("800000.00") + Y("220000.00") + Y("300000.00")
        assert total(june.figures, "guarantee.in_force_households") == 4
        assert total(june.figures, "guarantee.compensation_amount") == Y("100000.00")
        # the small enterprise's 800,000 loan on the 20 % line: gross aggregate 800,000 (band 0), bank share 160,000
        small = [b for b in june.bands if b.customer_type == "small_micro" and b.business_type == "loan"]
        assert [(b.band, b.gross, b.bank_share, b.count) for b in small] == [(0, Y("800000.00"), Y("160000.00"), 1)]
        for basis in ("gross", "own"):
            assert_batch_is_the_ledger(s, basis)


def test_a_group_share_is_rounded_once_and_exact_for_large_balances(gw):
    """Two loans of one customer on one line: the bank share is their sum x the ratio rounded half-up once (carried by
    one row), exact for balances whose fen times the ratio overflow 64 bits (SQLite's integer arithmetic)."""
    with gw.acting("mgr") as (s, a):
        customer = create_customer(s, a, "corporate", corporate(5, name="巨额集团有限公司", size="large")).id
        bank, line = make_bank(s, total="90000000000.00", risk_share_ratio="0.33333333")
        product = make_product(s)
        amounts = (Y("60000000000.05"), Y("25000000000.10"))
        for amount in amounts:
            p = make_project(s, a, customer, product=product, bank=bank, credit_line_id=line.id, amount=amount,
                             status="effective")
            entry(s, p.id, "loan", amount, D(2026, 2, 1))
        month_end.write(s, JUNE)
        rows = s.scalars(select(M).where(M.month_end == JUNE, M.customer_id == customer)).all()
        assert sorted(r.bank_share for r in rows) == [Y("0.00"), rf.bank_share(sum(amounts), line.risk_share_ratio)]
        assert rf.bank_share(sum(amounts), line.risk_share_ratio) == Y("28333333050.05")
        assert {r.aggregate_gross for r in rows} == {sum(amounts)}
        assert {r.aggregate_own for r in rows} == {sum(amounts) - Y("28333333050.05")}
        assert sorted(r.households for r in rows) == [0, 1]


def _record(s, project_id, kind: str, amount: Decimal, day: dt.date) -> None:
    if kind == "partial":
        entry(s, project_id, "release", amount, day, "partial")
    elif kind == "full":
        entry(s, project_id, "release", amount, day, "full")
    elif kind == "compensation":
        entry(s, project_id, "compensation", amount, day, principal=amount / 2)
    else:
        entry(s, project_id, kind, amount, day)
