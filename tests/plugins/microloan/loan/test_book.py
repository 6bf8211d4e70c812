"""Booking a schedule on a loan: installments stored per revision, the loan's dates and balance set from them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy.exc import IntegrityError

from surety.plugins.microloan.loan.book import book_schedule, installments, loan_terms
from surety.plugins.microloan.loan.models import MicroloanInstallment
from surety.plugins.microloan.product.services import schedule_terms
from surety.plugins.microloan.schedule.builder import build
from surety.plugins.microloan.settings import DEFAULT_CLASS_DAYS, get_settings
from surety.plugins.microloan.testing import make_loan, make_product


def test_a_disbursed_loan_books_its_schedule_as_revision_zero(mw):
    with mw.session() as s:
        loan = make_loan(s, make_product(s), amount="100000.00", term_months=12, disbursed_on=dt.date(2026, 1, 15))
        rows = installments(s, loan)
        assert [r.period for r in rows] == list(range(1, 13))
        assert rows[0].principal + rows[0].interest == Decimal("8884.88")
        assert rows[-1].principal + rows[-1].interest == Decimal("8884.85")
        assert sum(r.principal for r in rows) == loan.principal_balance == Decimal("100000.00")
        assert (loan.first_due_date, loan.maturity_date) == (dt.date(2026, 2, 15), dt.date(2027, 1, 15))
        assert loan.schedule_revision == 0
        assert loan_terms(s, loan).annual_rate == Decimal("0.12")


def test_a_reschedule_keeps_earlier_rows_and_continues_the_numbering(mw):
    with mw.session() as s:
        loan = make_loan(s, make_product(s), amount="12000.00", term_months=12)
        before = installments(s, loan)
        later = build(schedule_terms(loan_terms(s, loan), "6000.00", 6, dt.date(2026, 7, 15)))
        book_schedule(s, loan, later, revision=1, first_period=7)
        now = installments(s, loan)
        assert [r.period for r in now] == list(range(7, 13))
        assert loan.maturity_date == dt.date(2027, 1, 15)
        assert loan.principal_balance == Decimal("12000.00")  # moved by repayments, not by booking a revision
        assert s.query(MicroloanInstallment).filter_by(loan_id=loan.id, revision=0).count() == len(before)


def test_one_row_per_loan_revision_and_period(mw):
    with mw.session() as s:
        loan = make_loan(s, make_product(s), term_months=3)
        s.add(MicroloanInstallment(loan_id=loan.id, revision=0, period=1, due_date=dt.date(2026, 2, 15),
                                   principal=Decimal(1), interest=Decimal(0)))
        with pytest.raises(IntegrityError):
            s.flush()


def test_settings_are_created_with_the_defaults_once_per_session(mw):
    with mw.session() as s:
        first = get_settings(s)
        assert first.class_days == DEFAULT_CLASS_DAYS
        assert first.single_borrower_ratio == Decimal("0.10") and first.related_group_ratio == Decimal("0.15")
        assert first.online_consumer_cap == Decimal("200000.00") and first.business_cap == Decimal("10000000.00")
        assert first.prior_year_net_assets is None
        assert get_settings(s) is first
