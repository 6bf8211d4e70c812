"""The figures and exposures gathered for a date through the port (plugins/regulatory/measures/gather.py), and a
report's dates in one batch (a batch plugin asked once, the others per date): both business plugins answer; a second
call with the same dates is served from the session's memo, other dates are not; a write in the session drops the
memo, so a backdated ledger entry shows in the next call; the checked read needs regulatory:report:read and a period
that does not start after its end."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from sqlalchemy import event

from surety.core.errors import PermissionDenied, ValidationFailed
from surety.core.ports.regulatory import bands_of, total
from surety.plugins.customers.records import create_customer
from surety.plugins.customers.testing import corporate
from surety.plugins.guarantee.ledger import regulatory_batch
from surety.plugins.guarantee.ledger.models import GuaranteeLedgerEntry
from surety.plugins.guarantee.testing import make_product, make_project
from surety.plugins.microloan import testing as microloan_testing
from surety.plugins.regulatory.measures import gather

D = dt.date
Y = Decimal
JUNE = D(2026, 6, 30)


def ledger(s, project_id, kind: str, amount: str, day: dt.date) -> None:
    s.add(GuaranteeLedgerEntry(project_id=project_id, kind=kind, amount=Y(amount), entry_date=day,
                               source_type="test", source_id=uuid.uuid4()))
    s.flush()


@pytest.fixture
def book(gw):
    """A loan guarantee of 1,000,000 effective 2026-03-01 and a microloan of 100,000 disbursed 2026-02-01."""
    with gw.acting("mgr") as (s, a):
        customer = create_customer(s, a, "corporate", corporate(7)).id
        project = make_project(s, a, customer, product=make_product(s), amount="1000000.00", status="effective")
        ledger(s, project.id, "loan", "1000000.00", D(2026, 3, 1))
        microloan_testing.make_loan(s, microloan_testing.make_product(s), amount="100000.00",
                                    disbursed_on=D(2026, 2, 1))
        return {"project": project.id, "customer": customer}


def _statements(s) -> list:
    seen: list = []
    event.listen(s.get_bind(), "before_cursor_execute", lambda *args: seen.append(args[2]))
    return seen


def test_both_plugins_answer_and_the_memo_serves_the_same_dates(gw, book):
    with gw.acting("fin") as (s, _):
        first = gather.figures_for(s, JUNE, D(2026, 1, 1))
        seen = _statements(s)
        again = gather.figures_for(s, JUNE, D(2026, 1, 1))
        assert again is first and seen == []
        march = gather.figures_for(s, D(2026, 2, 28), D(2026, 1, 1))
        assert seen  # other dates: asked afresh
    assert total(first, "guarantee.in_force_balance") == Y("1000000.00")
    assert total(first, "guarantee.issued_count") == 1
    assert total(first, "microloan.loan_balance") == Y("100000.00")
    assert total(march, "guarantee.in_force_balance") == 0
    assert total(march, "microloan.disbursed_amount") == Y("100000.00")


def test_exposures_are_memoised_too(gw, book):
    with gw.acting("fin") as (s, _):
        found = gather.exposures_for(s, JUNE)
        assert gather.exposures_for(s, JUNE) is found
        assert gather.exposures_for(s, D(2026, 2, 1)) == ()
    assert [(e.customer_id, e.gross) for e in found] == [(book["customer"], Y("1000000.00"))]


def test_a_write_in_the_session_drops_the_memo(gw, book):
    with gw.session() as s:
        before = gather.figures_for(s, JUNE, D(2026, 1, 1))
        ledger(s, book["project"], "repayment", "300000.00", D(2026, 4, 1))  # backdated: entered now
        after = gather.figures_for(s, JUNE, D(2026, 1, 1))
        exposures = gather.exposures_for(s, JUNE)
    assert total(before, "guarantee.in_force_balance") == Y("1000000.00")
    assert total(after, "guarantee.in_force_balance") == Y("700000.00")
    assert exposures[0].gross == Y("700000.00")


def test_the_checked_read(gw, book):
    with gw.acting("fin") as (s, a):
        got = gather.read_figures(s, a, JUNE)
        assert (got.as_of, got.period_start) == (JUNE, D(2026, 1, 1))
        assert total(got.figures, "guarantee.issued_amount") == Y("1000000.00")
        assert total(gather.read_figures(s, a, JUNE, D(2026, 4, 1)).figures, "guarantee.issued_amount") == 0
        with pytest.raises(ValidationFailed) as err:
            gather.read_figures(s, a, JUNE, D(2026, 7, 1))
        assert err.value.field == "period_start"
    for user in ("risk", "exec", "admin", "viewer"):  # the read-only role reads every area
        with gw.acting(user) as (s, a):
            assert gather.read_figures(s, a, JUNE).figures
    with gw.acting("mgr") as (s, a), pytest.raises(PermissionDenied):
        gather.read_figures(s, a, JUNE)


def test_a_batch_asks_a_batch_plugin_once_and_the_others_per_date(gw, book, monkeypatch):
    """gather.report_for: guarantee answers every period in one regulatory_report_batch call, microloan (no batch
    hook) is asked per date; each period holds what the per-date reads give, exposures as bands; memoised."""
    calls = []
    original = regulatory_batch.report_batch

    def spy(session, periods, cuts, basis):
        calls.append(list(periods))
        return original(session, periods, cuts, basis)

    monkeypatch.setattr(regulatory_batch, "report_batch", spy)
    periods = [(JUNE, D(2026, 1, 1)), (D(2025, 12, 31), D(2025, 1, 1)), (D(2026, 2, 28), D(2026, 1, 1))]
    cuts = [Y("5000000.00")]
    with gw.acting("fin") as (s, _):
        reports = gather.report_for(s, periods, cuts, "gross")
        assert gather.report_for(s, periods, cuts, "gross") is reports
        assert calls == [periods]
        for as_of, start in periods:
            report = reports[(as_of, start)]
            assert sorted(report.figures, key=repr) == sorted(gather.figures_for(s, as_of, start), key=repr)
            assert report.bands == tuple(bands_of(gather.exposures_for(s, as_of), cuts, "gross"))
    june = reports[(JUNE, D(2026, 1, 1))]
    assert total(june.figures, "microloan.loan_balance") == Y("100000.00")
    assert [(b.business_type, b.band, b.gross) for b in june.bands] == [("loan", 0, Y("1000000.00"))]
