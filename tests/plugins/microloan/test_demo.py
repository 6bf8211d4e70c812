"""The microloan demo data (``surety demo``): two products, two customer managers and twelve loans across statuses
and classes (current, overdue 15/100/300/400 days in the class the tenant's class days give, settled, written off),
which the dashboard reads, the overdue ones in collection at their stage; a second run adds nothing."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from sqlalchemy import func, select

from surety.core.identity.models import User
from surety.core.workflow.engine import business_today
from surety.plugins.microloan.collection.models import MicroloanCollectionCase
from surety.plugins.microloan.demo import BUSINESS_CODE, CONSUMER_CODE, LOANS, add_demo_microloans
from surety.plugins.microloan.loan.models import MicroloanInstallment, MicroloanLoan
from surety.plugins.microloan.product.models import MicroloanProduct
from surety.plugins.microloan.reports.dashboard import dashboard

COUNTED = (User, MicroloanProduct, MicroloanLoan, MicroloanInstallment, MicroloanCollectionCase)


def _counts(s) -> dict:
    return {m.__name__: s.scalar(select(func.count()).select_from(m)) for m in COUNTED}


def test_the_demo_book_and_a_second_run_adds_nothing(mw):
    with mw.session() as s:
        add_demo_microloans(s, mw.tenant)
        s.commit()
    with mw.session() as s:
        codes = set(s.scalars(select(MicroloanProduct.code)))
        assert {CONSUMER_CODE, BUSINESS_CODE} <= codes
        loans = list(s.scalars(select(MicroloanLoan)))
        assert len(loans) == len(LOANS) == 12
        assert Counter(loan.status for loan in loans) == {"active": 9, "settled": 2, "written_off": 1}
        overdue = {loan.days_past_due: loan.risk_class for loan in loans if loan.status == "active"
                   and loan.days_past_due}
        assert [overdue[d] for d in sorted(overdue)] == ["special_mention", "substandard", "doubtful", "loss"]
        assert [abs(d - want) <= 3 for d, want in zip(sorted(overdue), (15, 100, 300, 400), strict=True)] == [True] * 4
        assert all(loan.provision > 0 for loan in loans if loan.status == "active")
        assert all(loan.principal_balance == 0 for loan in loans if loan.status != "active")
        cases = dict(s.execute(select(MicroloanCollectionCase.loan_id, MicroloanCollectionCase.stage)).all())
        stage_of = {loan.days_past_due: cases.get(loan.id) for loan in loans if loan.status == "active"}
        assert [stage_of[d] for d in sorted(overdue)] == ["M1", "M3+", "M3+", "M3+"]
        assert len(cases) == 4 + sum(1 for loan in loans if loan.status == "written_off" and loan.id in cases)
        managers = {u.username for u in s.scalars(select(User).where(User.id.in_({lo.manager_id for lo in loans})))}
        assert managers == {"zhoujie", "wuhui"}
        before = _counts(s)
    with mw.session() as s:
        add_demo_microloans(s, mw.tenant)
        s.commit()
    with mw.session() as s:
        assert _counts(s) == before
    with mw.acting("admin") as (s, admin):
        d = dashboard(s, admin)
    written = business_today() - dt.timedelta(days=60)
    assert d.active_loans == 9 and d.npl_balance > 0
    assert d.written_off_loans == (1 if written.year == business_today().year else 0)
    assert d.recovered_after_write_off == 30000
