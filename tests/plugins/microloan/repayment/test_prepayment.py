"""Early repayment (提前还款, repayment/posting.prepay and reschedule.py): everything due and the current period's
interest first, the rest off the principal, the schedule rebuilt as the next revision in either mode; the worked
tables of docs/microloan/repayments.md are these schedules; full prepayment settles the loan."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from surety.core.errors import Conflict, ValidationFailed
from surety.core.events_models import OutboxEvent
from surety.plugins.microloan.loan.book import installments
from surety.plugins.microloan.loan.models import MicroloanInstallment
from surety.plugins.microloan.repayment import posting
from surety.plugins.microloan.testing import make_loan, make_product

DOC = Path(__file__).resolve().parents[4] / "docs" / "microloan" / "repayments.md"
D = Decimal
JAN15, APR1 = dt.date(2026, 1, 15), dt.date(2026, 4, 1)
#: 84,151.39 left after two installments x 12 % x 17 days (15 March to 1 April) / 360
BROKEN = D("476.86")


def table(rows) -> str:
    """Installments as the page's Markdown table."""
    lines = ["| 期 | 版本 | 应还日 | 本金 | 利息 | 应还合计 | 已还本金 | 已还利息 |", "|" + "---:|" * 8]
    for r in rows:
        lines.append(f"| {r.period} | {r.revision} | {r.due_date} | {r.principal:,.2f} | {r.interest:,.2f} | "
                     f"{r.principal + r.interest + r.fee:,.2f} | {r.paid_principal:,.2f} | {r.paid_interest:,.2f} |")
    lines.append(f"| 合计 | | | {sum(r.principal for r in rows):,.2f} | {sum(r.interest for r in rows):,.2f} | "
                 f"{sum(r.principal + r.interest + r.fee for r in rows):,.2f} | | |")
    return "\n".join(lines)


def _prepaid(s, a, mode, extra="30000.00", **product_terms):
    """The loan of the doc: 100,000 at 12 % over 12 months from 2026-01-15, two installments paid on time, then
    ``extra`` principal prepaid on 2026-04-01."""
    loan = make_loan(s, make_product(s, **product_terms), amount="100000.00", term_months=12, disbursed_on=JAN15)
    first = installments(s, loan)
    for row in first[:2]:
        posting.post(s, a, loan.id, row.principal + row.interest, row.due_date)
    rep = posting.prepay(s, a, loan.id, D(extra) + BROKEN, APR1, mode)
    return loan, rep


def _effective(s, loan):
    """The rows of every period as they stand: the settled periods of earlier revisions and the current ones."""
    current = installments(s, loan)
    older = s.scalars(select(MicroloanInstallment).where(
        MicroloanInstallment.loan_id == loan.id, MicroloanInstallment.revision < loan.schedule_revision,
        MicroloanInstallment.period < current[0].period).order_by(MicroloanInstallment.period))
    return [*older, *current]


@pytest.mark.parametrize("mode, periods, level", [("lower_installment", 12, D("5717.42")),
                                                  ("shorten_term", 9, D("8048.43"))])
def test_a_prepayment_rebuilds_the_schedule_as_the_next_revision(rw, mode, periods, level):
    with rw.acting("cashier") as (s, a):
        loan, rep = _prepaid(s, a, mode)
        assert (rep.kind, rep.prepay_mode, rep.revision_before, rep.revision_after) == ("prepayment", mode, 0, 1)
        assert (rep.principal, rep.interest, rep.held) == (D("30000.00"), BROKEN, 0)
        assert loan.schedule_revision == 1 and loan.principal_balance == D("54151.39")
        rows = _effective(s, loan)
        assert [r.period for r in rows] == list(range(1, periods + 1))
        assert sum(r.principal for r in rows) == D("100000.00")  # across revisions
        third = rows[2]
        assert (third.revision, third.due_date, third.paid_principal, third.paid_interest) == (
            1, dt.date(2026, 4, 15), D("30000.00"), BROKEN)
        assert rows[3].principal + rows[3].interest == level
        assert loan.maturity_date == rows[-1].due_date
        assert table(rows) in DOC.read_text(encoding="utf-8"), table(rows)
        assert rows[2].principal + rows[2].interest - rows[2].paid_principal - rows[2].paid_interest < level


def test_a_full_prepayment_settles_the_loan_and_holds_the_rest(rw):
    with rw.acting("cashier") as (s, a):
        loan, rep = _prepaid(s, a, "lower_installment", extra=D("84151.39") + D("10.00"))
        assert loan.status == "settled" and loan.settled_on == APR1 and rep.settled_loan
        assert (rep.principal, rep.interest, rep.held) == (D("84151.39"), BROKEN, D("10.00"))
        assert loan.maturity_date == APR1 and loan.principal_balance == 0 and loan.held_amount == D("10.00")
        [last] = installments(s, loan)
        assert (last.period, last.due_date, last.settled_on) == (3, APR1, APR1)
        assert sum(r.principal for r in _effective(s, loan)) == D("100000.00")
        payload = s.scalars(select(OutboxEvent.payload).where(OutboxEvent.event_type == "MicroloanRepaid")
                            .order_by(OutboxEvent.occurred_at.desc()).limit(1)).one()
        assert D(payload["principal"]) + D(payload["interest"]) + D(payload["held"]) == D(payload["amount"])


def test_two_prepayments_in_one_period_charge_its_interest_once(rw):
    with rw.acting("cashier") as (s, a):
        loan, _ = _prepaid(s, a, "lower_installment")
        # 54,151.39 x 12 % x 4 days (1 to 5 April) / 360 = 72.20
        second = posting.prepay(s, a, loan.id, D("10072.20"), dt.date(2026, 4, 5), "lower_installment")
        assert (second.principal, second.interest) == (D("10000.00"), D("72.20"))
        third = installments(s, loan)[0]
        assert (third.revision, third.period, third.paid_principal, third.paid_interest) == (
            2, 3, D("40000.00"), BROKEN + D("72.20"))
        assert sum(r.principal for r in _effective(s, loan)) == D("100000.00")


def test_prepayment_refusals(rw):
    with rw.acting("cashier") as (s, a):
        loan = make_loan(s, make_product(s), amount="100000.00", term_months=12, disbursed_on=JAN15)
        with pytest.raises(ValidationFailed, match="at least 9,406.87"):  # 8,884.88 due + 92,115.12 x 12 % x 17 / 360
            posting.prepay(s, a, loan.id, "9000.00", dt.date(2026, 2, 15) + dt.timedelta(days=17),
                           "lower_installment")
        with pytest.raises(ValidationFailed):
            posting.prepay(s, a, loan.id, "9000.00", APR1, "sideways")
        bullet = make_loan(s, make_product(s, repayment_method="bullet"), amount="100000.00", term_months=12)
        with pytest.raises(ValidationFailed, match="lower_installment"):
            posting.prepay(s, a, bullet.id, "50000.00", APR1, "shorten_term")
        short = make_loan(s, make_product(s), amount="30000.00", term_months=3, disbursed_on=JAN15)
        with pytest.raises(Conflict, match="ordinary repayment"):
            posting.prepay(s, a, short.id, "50000.00", dt.date(2026, 4, 15), "lower_installment")


def test_a_bullet_loan_prepays_with_interest_by_the_day_count_to_maturity(rw):
    with rw.acting("cashier") as (s, a):
        loan = make_loan(s, make_product(s, repayment_method="bullet"), amount="100000.00", term_months=12,
                         disbursed_on=JAN15)
        # 100,000 x 12 % x 76 days (15 January to 1 April) / 360 = 2,533.33; then 60,000 from 1 April
        rep = posting.prepay(s, a, loan.id, D("42533.33"), APR1, "lower_installment")
        assert (rep.principal, rep.interest) == (D("40000.00"), D("2533.33"))
        [row] = installments(s, loan)
        # 60,000 x 12 % x 289 days (1 April 2026 to 15 January 2027) / 360 = 5,780.00, due at the same maturity
        assert (row.due_date, row.principal - row.paid_principal, row.interest - row.paid_interest) == (
            dt.date(2027, 1, 15), D("60000.00"), D("5780.00"))
