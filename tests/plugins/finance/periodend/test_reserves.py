"""Year-end reserves booked as vouchers: 未到期责任准备金 at 50 % of the year's fee income (Dr 6511 / Cr 2601),
担保赔偿准备金 from the guarantee plugin's liability balance (the ``finance_liability_balance`` hook; Dr 6501 /
Cr 2602), each once a year; the legacy chart's codes; the hook's balance rebuilt from guarantee's ledger as of a
date, equal to the dashboard's in-force balance today."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from surety.core.errors import PermissionDenied, ValidationFailed
from surety.core.workflow.engine import business_today
from surety.plugins.customers.records import create_customer
from surety.plugins.customers.testing import corporate
from surety.plugins.finance.periodend import jobs
from surety.plugins.finance.rules import services as rules
from surety.plugins.finance.vouchers import services as vouchers
from surety.plugins.finance.vouchers.models import FinanceVoucher
from surety.plugins.guarantee.project.models import GuaranteeProject
from surety.plugins.guarantee.project.projects import in_force
from surety.plugins.guarantee.release.releases import record_repayment
from surety.plugins.guarantee.testing import make_effective

YEAR = 2025


def _lines(s, number):
    v = s.scalar(select(FinanceVoucher).where(FinanceVoucher.number == number, FinanceVoucher.period == "2025-12"))
    return [(x.account_code, x.debit, x.credit) for x in vouchers.lines_of(s, [v.id])[v.id]]


def _income(s, amount):
    """Fee income of 2025 as a manual voucher (as the amortisation would book it)."""
    project = uuid.uuid4()
    vouchers.create_voucher(s, None, voucher_date=dt.date(YEAR, 6, 30), word="转", summary="担保费收入确认", lines=[
        {"account": "2401", "debit": amount, "project_id": project},
        {"account": "6031", "credit": amount, "project_id": project}])


def test_the_unearned_premium_reserve_once_a_year_and_no_balance_without_guarantee(fw):
    with fw.acting("fin") as (s, a):
        _income(s, "300000.00")
        unearned, compensation = jobs.year_end_reserves(s, a, YEAR)
        assert (unearned.outcome, unearned.amount, unearned.voucher_number) == ("booked", Decimal("150000.00"),
                                                                              "转-0001")
        assert unearned.basis[0].startswith("当年担保费收入 300,000.00 元 × 50%")
        assert _lines(s, "转-0001") == [("6511", Decimal("150000.00"), 0), ("2601", 0, Decimal("150000.00"))]
        assert compensation.outcome == "no_balance"  # guarantee is not enabled for this tenant
        assert [r.outcome for r in jobs.year_end_reserves(s, a, YEAR)] == ["done", "no_balance"]
        # the next year carries 150,000 and earns less: the difference is released (sides swapped)
        vouchers.create_voucher(s, None, voucher_date=dt.date(YEAR + 1, 3, 31), word="转", summary="担保费收入确认",
                                lines=[{"account": "2401", "debit": "100000", "project_id": uuid.uuid4()},
                                       {"account": "6031", "credit": "100000", "project_id": uuid.uuid4()}])
        (released, _) = jobs.year_end_reserves(s, a, YEAR + 1)
        assert released.amount == Decimal("-100000.00")
        v = s.scalar(select(FinanceVoucher).where(FinanceVoucher.period == "2026-12"))
        assert [(x.account_code, x.debit, x.credit) for x in vouchers.lines_of(s, [v.id])[v.id]] == [
            ("2601", Decimal("100000.00"), 0), ("6511", 0, Decimal("100000.00"))]


def test_reserves_need_the_close_permission_and_a_year(fw):
    with fw.acting("viewer") as (s, a), pytest.raises(PermissionDenied):
        jobs.year_end_reserves(s, a, YEAR)
    with fw.acting("fin") as (s, a), pytest.raises(ValidationFailed) as refused:
        jobs.year_end_reserves(s, a, 99)
    assert refused.value.field == "year"


def test_the_legacy_chart_books_on_its_own_codes(fw):
    with fw.acting("admin") as (s, a):
        rules.install_chart(s, a, "guarantee_legacy")
        project = uuid.uuid4()
        vouchers.create_voucher(s, None, voucher_date=dt.date(YEAR, 6, 30), word="转", summary="担保费收入确认",
                                lines=[{"account": "2191", "debit": "1000", "project_id": project},
                                       {"account": "4101", "credit": "1000", "project_id": project}])
        jobs.year_end_reserves(s, None, YEAR)
        assert _lines(s, "转-0001") == [("5102", Decimal("500.00"), 0), ("2192", 0, Decimal("500.00"))]


def test_the_compensation_reserve_from_the_guarantee_liability_balance(fgw):
    with fgw.acting("admin") as (s, a):
        customer = create_customer(s, a, "corporate", corporate(3)).id
    with fgw.acting("fin") as (s, a):
        p = make_effective(s, a, customer, amount="3000000.00", loan="2800000.00", start=dt.date(YEAR, 3, 1),
                           end=dt.date(YEAR + 1, 2, 28))
        record_repayment(s, a, p.id, "800000", repaid_on=dt.date(YEAR, 9, 30))
        assert jobs.liability_balance(s, dt.date(YEAR, 2, 28)) == Decimal("0.00")
        assert jobs.liability_balance(s, dt.date(YEAR, 6, 30)) == Decimal("2800000.00")
        assert jobs.liability_balance(s, dt.date(YEAR, 12, 31)) == Decimal("2000000.00")
        now = s.scalar(select(func.sum(GuaranteeProject.in_force_balance)).where(in_force()))
        assert jobs.liability_balance(s, business_today()) == now
        _, compensation = jobs.year_end_reserves(s, a, YEAR)
        assert (compensation.outcome, compensation.amount) == ("booked", Decimal("20000.00"))
        assert _lines(s, compensation.voucher_number) == [("6501", Decimal("20000.00"), 0),
                                                          ("2602", 0, Decimal("20000.00"))]


def test_the_day_end_job_books_the_reserves_on_the_first_day_end_of_the_year(fw):
    with fw.acting("fin") as (s, a):
        _income(s, "1000.00")
        assert jobs.day_end(s, dt.date(YEAR + 1, 1, 1)) == {"vouchers": 1}  # the unearned reserve
        assert jobs.day_end(s, dt.date(YEAR + 1, 1, 2)) == {"vouchers": 0}
        assert s.scalar(select(func.count()).select_from(FinanceVoucher).where(
            FinanceVoucher.period == "2025-12")) == 1
