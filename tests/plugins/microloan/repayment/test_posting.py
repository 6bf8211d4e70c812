"""Posting repayments on stored loans (repayment/posting.py): what is due as of the date received, the product's
order or the statutory one, oldest period first, partial, exact and overpayment held, idempotent replay, the
refusals, and the MicroloanRepaid event carrying the split."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from surety.core.errors import Conflict, PermissionDenied, ValidationFailed
from surety.core.events_models import OutboxEvent
from surety.core.idempotency import IdempotencyKeyReused
from surety.plugins.microloan.loan.book import installments
from surety.plugins.microloan.repayment import posting
from surety.plugins.microloan.repayment.models import MicroloanRepayment, MicroloanRepaymentLine
from surety.plugins.microloan.testing import make_loan, make_product

D = Decimal
JAN15 = dt.date(2026, 1, 15)


def _loan(s, **product_terms):
    """100,000 at 12 % over 12 months, 等额本息, from 2026-01-15: 8,884.88 a month (docs/microloan-schedules.md)."""
    return make_loan(s, make_product(s, **product_terms), amount="100000.00", term_months=12, disbursed_on=JAN15)


def _events(s, kind="MicroloanRepaid"):
    return [e.payload for e in s.scalars(select(OutboxEvent).where(OutboxEvent.event_type == kind)
                                         .order_by(OutboxEvent.occurred_at))]


def _lines(s, rep):
    """(period, component, amount) of each line (one per period and component: the amounts show the order)."""
    return {(ln.period, ln.component, ln.amount) for ln in s.scalars(
        select(MicroloanRepaymentLine).where(MicroloanRepaymentLine.repayment_id == rep.id))}


def test_an_exact_installment_settles_it_and_raises_the_split(rw):
    with rw.acting("cashier") as (s, a):
        loan = _loan(s)
        rep = posting.post(s, a, loan.id, "8884.88", dt.date(2026, 2, 15), channel="bank", reference="B-1")
        assert (rep.principal, rep.interest, rep.fees, rep.penalty, rep.costs, rep.held) == (
            D("7884.88"), D("1000.00"), 0, 0, 0, 0)
        first = installments(s, loan)[0]
        assert (first.paid_principal, first.paid_interest, first.settled_on) == (
            D("7884.88"), D("1000.00"), dt.date(2026, 2, 15))
        assert loan.principal_balance == D("92115.12") and loan.status == "active"
        [event] = _events(s)
        assert event["repayment_id"] == str(rep.id) and event["amount"] == "8884.88"
        assert event["principal"] == "7884.88" and event["interest"] == "1000.00" and event["held"] == "0.00"


def test_a_partial_payment_stops_where_it_runs_out_oldest_period_first(rw):
    with rw.acting("cashier") as (s, a):
        loan = _loan(s)
        rows = installments(s, loan)
        rows[0].penalty = D("45.00")
        loan.penalty_balance = D("45.00")
        rep = posting.post(s, a, loan.id, "9000.00", dt.date(2026, 3, 15))  # two periods due, 17,769.76 + 45
        assert _lines(s, rep) == {(1, "interest", D("1000.00")), (1, "penalty", D("45.00")),
                                  (1, "principal", D("7884.88")), (2, "interest", D("70.12"))}
        assert rows[0].settled_on == dt.date(2026, 3, 15) and rows[1].settled_on is None
        assert rows[1].paid_interest == D("70.12") and rows[1].paid_principal == 0
        assert loan.penalty_balance == 0 and loan.principal_balance == D("92115.12")
        assert rep.held == 0


def test_the_statutory_order_where_the_product_is_silent_and_the_products_order_otherwise(rw):
    with rw.acting("cashier") as (s, a):
        silent = _loan(s, allocation_order=None, monthly_fee_rate=D("0.002"))
        ordered = _loan(s, monthly_fee_rate=D("0.002"))  # penalty, fees, interest, principal
        for loan in (silent, ordered):
            installments(s, loan)[0].penalty = D("30.00")
            loan.penalty_balance, loan.costs_balance = D("30.00"), D("500.00")
        one = posting.post(s, a, silent.id, "1600.00", dt.date(2026, 2, 15))
        # costs, penalty, interest, then the fee (民法典第五百六十一条); nothing left for principal
        assert _lines(s, one) == {(None, "costs", D("500.00")), (1, "penalty", D("30.00")),
                                  (1, "interest", D("1000.00")), (1, "fees", D("70.00"))}
        two = posting.post(s, a, ordered.id, "1600.00", dt.date(2026, 2, 15))
        assert _lines(s, two) == {(None, "costs", D("500.00")), (1, "penalty", D("30.00")),
                                  (1, "fees", D("200.00")), (1, "interest", D("870.00"))}
        assert silent.costs_balance == ordered.costs_balance == 0
        assert silent.penalty_balance == ordered.penalty_balance == 0


def test_an_overpayment_is_held_and_applied_only_when_asked(rw):
    with rw.acting("cashier") as (s, a):
        loan = _loan(s)
        first = posting.post(s, a, loan.id, "10000.00", dt.date(2026, 2, 15))
        assert (first.principal + first.interest, first.held) == (D("8884.88"), D("1115.12"))
        assert loan.held_amount == D("1115.12")
        second = posting.post(s, a, loan.id, "8000.00", dt.date(2026, 3, 15))  # held money not touched
        assert second.held == D("0.00") and loan.held_amount == D("1115.12")
        assert installments(s, loan)[1].settled_on is None
        third = posting.post(s, a, loan.id, "0", dt.date(2026, 3, 15), apply_held=True)
        assert third.held_applied == D("1115.12") and third.amount == 0
        assert (third.principal + third.interest, third.held) == (D("884.88"), D("-884.88"))
        assert loan.held_amount == D("230.24") and installments(s, loan)[1].settled_on == dt.date(2026, 3, 15)
        for rep, payload in zip((first, second, third), _events(s), strict=True):
            parts = sum(D(payload[c]) for c in ("principal", "interest", "fees", "penalty", "costs", "held"))
            assert parts == D(payload["amount"]) == rep.amount


def test_paying_everything_settles_the_loan(rw):
    with rw.acting("cashier") as (s, a):
        loan = make_loan(s, make_product(s), amount="30000.00", term_months=3, disbursed_on=JAN15)
        total = sum((r.principal + r.interest for r in installments(s, loan)), D(0))
        rep = posting.post(s, a, loan.id, total + D("5.00"), dt.date(2026, 4, 15))
        assert loan.status == "settled" and loan.settled_on == dt.date(2026, 4, 15)
        assert rep.settled_loan and rep.held == D("5.00") and loan.principal_balance == 0
        with pytest.raises(Conflict, match="active loans only"):
            posting.post(s, a, loan.id, "1.00", dt.date(2026, 4, 16))


def test_nothing_due_yet_is_all_held(rw):
    with rw.acting("cashier") as (s, a):
        loan = _loan(s)
        rep = posting.post(s, a, loan.id, "500.00", dt.date(2026, 2, 1))
        assert rep.held == D("500.00") and _lines(s, rep) == set()


def test_the_same_key_replays_and_other_parameters_are_refused(rw):
    with rw.acting("cashier") as (s, a):
        loan = _loan(s)
        one = posting.post(s, a, loan.id, "8884.88", dt.date(2026, 2, 15), key="pay-1")
        again = posting.post(s, a, loan.id, D("8884.880"), dt.date(2026, 2, 15), key="pay-1")
        assert again.id == one.id and one.client_key == "pay-1"
        assert s.query(MicroloanRepayment).filter_by(loan_id=loan.id).count() == 1
        assert len(_events(s)) == 1 and loan.principal_balance == D("92115.12")
        with pytest.raises(IdempotencyKeyReused):
            posting.post(s, a, loan.id, "8884.89", dt.date(2026, 2, 15), key="pay-1")


def test_refusals(rw):
    with rw.acting("cashier") as (s, a):
        loan = _loan(s)
        draft = make_loan(s, make_product(s), status="approved")
        for amount in ("0", "-1.00", "1.001"):
            with pytest.raises(ValidationFailed):
                posting.post(s, a, loan.id, amount, dt.date(2026, 2, 15))
        with pytest.raises(ValidationFailed, match="放款日"):
            posting.post(s, a, loan.id, "100.00", dt.date(2026, 1, 14))
        with pytest.raises(Conflict, match="active loans only"):
            posting.post(s, a, draft.id, "100.00", dt.date(2026, 2, 15))
        posting.post(s, a, loan.id, "100.00", dt.date(2026, 3, 1))
        with pytest.raises(ValidationFailed, match="date order") as refused:
            posting.post(s, a, loan.id, "100.00", dt.date(2026, 2, 28))
        assert refused.value.field == "received_on"
        posting.post(s, a, loan.id, "100.00", dt.date(2026, 3, 1))  # the same day is fine
    with rw.acting("viewer") as (s, a):
        with pytest.raises(PermissionDenied):
            posting.post(s, a, loan.id, "100.00", dt.date(2026, 3, 2))


def test_the_preview_is_what_posting_would_do_and_stores_nothing(rw):
    with rw.acting("cashier") as (s, a):
        loan = _loan(s)
        seen = posting.preview(s, a, loan.id, "10000.00", dt.date(2026, 3, 15))
        assert seen.split["principal"] == D("8078.85") and seen.split["interest"] == D("1921.15")
        assert seen.held == 0 and seen.remaining_due == D("17769.76") - D("10000.00")
        assert seen.due_dates[2] == dt.date(2026, 3, 15)
        assert s.query(MicroloanRepayment).count() == 0 and loan.principal_balance == D("100000.00")
        rep = posting.post(s, a, loan.id, "10000.00", dt.date(2026, 3, 15))
        assert {(ln.period, ln.component, ln.amount) for ln in seen.lines} == _lines(s, rep)
