"""Reversal (冲正, repayment/reversal.py): four eyes, only the latest posting, the exact prior state restored
(loan and installments compared field by field), a rebooked schedule undone, the event with the reversed split."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from surety.core.errors import Conflict
from surety.core.events_models import OutboxEvent
from surety.plugins.microloan.loan.book import installments
from surety.plugins.microloan.loan.models import MicroloanInstallment, MicroloanLoan
from surety.plugins.microloan.repayment import posting
from surety.plugins.microloan.repayment.reversal import FourEyesRefused, reverse
from surety.plugins.microloan.testing import make_loan, make_product

D = Decimal
JAN15 = dt.date(2026, 1, 15)
LOAN_FIELDS = [c.key for c in MicroloanLoan.__table__.columns if c.key != "updated_at"]
ROW_FIELDS = [c.key for c in MicroloanInstallment.__table__.columns]


def snapshot(s, loan_id):
    """Every column of the loan and of all its installments (every revision)."""
    s.expire_all()
    loan = s.scalar(select(MicroloanLoan).where(MicroloanLoan.id == loan_id))
    rows = s.scalars(select(MicroloanInstallment).where(MicroloanInstallment.loan_id == loan_id)
                     .order_by(MicroloanInstallment.revision, MicroloanInstallment.period))
    return {f: getattr(loan, f) for f in LOAN_FIELDS}, [{f: getattr(r, f) for f in ROW_FIELDS} for r in rows]


def _loan(s, **terms):
    loan = make_loan(s, make_product(s, **terms), amount="100000.00", term_months=12, disbursed_on=JAN15)
    installments(s, loan)[0].penalty = D("45.00")
    loan.penalty_balance, loan.costs_balance = D("45.00"), D("300.00")
    s.flush()
    return loan


@pytest.mark.parametrize("amount, day", [("5000.00", dt.date(2026, 2, 20)),  # partial
                                         ("20000.00", dt.date(2026, 3, 20))])  # two periods and held money
def test_a_reversal_restores_the_exact_prior_state(rw, amount, day):
    with rw.acting("cashier") as (s, a):
        loan = _loan(s)
        posting.post(s, a, loan.id, "100.00", dt.date(2026, 2, 1))  # pays 100 of the costs (due on any date), stays
        before = snapshot(s, loan.id)
        rep = posting.post(s, a, loan.id, amount, day, apply_held=True)
        loan_id, rep_id = loan.id, rep.id
        assert snapshot(s, loan_id) != before
        s.commit()
    with rw.acting("checker") as (s, a):
        reversal = reverse(s, a, rep_id, "录入金额错误")
        assert snapshot(s, loan_id) == before
        assert (reversal.kind, reversal.reversal_of, reversal.amount) == ("reversal", rep_id, D(amount))
        original = s.scalar(select(type(reversal)).where(type(reversal).id == rep_id))
        assert (original.status, original.reversed_by_id) == ("reversed", reversal.id)
        payload = s.scalars(select(OutboxEvent.payload)
                            .where(OutboxEvent.event_type == "MicroloanRepaymentReversed")).one()
        assert payload["reversal_of"] == str(rep_id) and payload["repayment_id"] == str(reversal.id)
        parts = sum(D(payload[c]) for c in ("principal", "interest", "fees", "penalty", "costs", "held"))
        assert parts == D(payload["amount"]) == D(amount)
        assert D(payload["costs"]) == D("200.00") and D(payload["penalty"]) == D("45.00")


def test_reversing_a_prepayment_restores_the_schedule_and_a_settled_loan(rw):
    with rw.acting("cashier") as (s, a):
        loan = make_loan(s, make_product(s), amount="30000.00", term_months=3, disbursed_on=JAN15)
        before = snapshot(s, loan.id)
        rep = posting.prepay(s, a, loan.id, "40000.00", dt.date(2026, 2, 1), "lower_installment")
        assert loan.status == "settled" and loan.schedule_revision == 1
        loan_id, rep_id = loan.id, rep.id
        s.commit()
    with rw.acting("checker") as (s, a):
        reverse(s, a, rep_id, "误将他人款项入账")
        assert snapshot(s, loan_id) == before


def test_reversing_a_partial_prepayment_deletes_the_rebooked_revision(rw):
    with rw.acting("cashier") as (s, a):
        loan = make_loan(s, make_product(s), amount="100000.00", term_months=12, disbursed_on=JAN15)
        posting.post(s, a, loan.id, "8884.88", dt.date(2026, 2, 15))
        before = snapshot(s, loan.id)
        rep = posting.prepay(s, a, loan.id, "20000.00", dt.date(2026, 3, 1), "shorten_term")
        loan_id, rep_id = loan.id, rep.id
        s.commit()
    with rw.acting("checker") as (s, a):
        reverse(s, a, rep_id, "提前还款申请已撤回")
        assert snapshot(s, loan_id) == before
    with rw.acting("cashier") as (s, a):  # the next prepayment books revision 1 again
        again = posting.prepay(s, a, loan_id, "20000.00", dt.date(2026, 3, 1), "shorten_term")
        assert again.revision_after == 1


def test_four_eyes_latest_only_and_once(rw):
    with rw.acting("cashier") as (s, a):
        loan = _loan(s)
        first = posting.post(s, a, loan.id, "1000.00", dt.date(2026, 2, 15))
        second = posting.post(s, a, loan.id, "1000.00", dt.date(2026, 2, 16))
        with pytest.raises(FourEyesRefused) as refused:
            reverse(s, a, second.id, "错账")
        assert refused.value.code == "FOUR_EYES"
        ids = first.id, second.id
        s.commit()
    with rw.acting("checker") as (s, a):
        with pytest.raises(Conflict, match="latest repayment") as later:
            reverse(s, a, ids[0], "错账")
        assert "2026-02-16" in str(later.value)
        reversal = reverse(s, a, ids[1], "错账", key="rev-1")
        assert reverse(s, a, ids[1], "错账", key="rev-1").id == reversal.id  # replayed
        with pytest.raises(Conflict, match="already reversed"):
            reverse(s, a, ids[1], "错账")
        with pytest.raises(Conflict, match="cannot be reversed"):
            reverse(s, a, reversal.id, "错账")
        assert reverse(s, a, ids[0], "错账").reversal_of == ids[0]  # now the latest standing
    with rw.acting("viewer") as (s, a):
        with pytest.raises(Exception, match="microloan:repayment:reverse"):
            reverse(s, a, ids[0], "错账")
