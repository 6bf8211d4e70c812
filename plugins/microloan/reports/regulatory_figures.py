"""This plugin's answer to the regulatory plugin's ``regulatory_report_figures`` hook (core/ports/regulatory.py;
docs/regulatory/figures.md): the ``microloan.*`` measures for a business date, in three statements (never a loop per
loan).

* ``microloan.loan_balance`` / ``microloan.loan_count`` by ``loan_class`` at the end of ``as_of``: each loan disbursed
  on or before ``as_of`` holds its amount less the principal of its repayments received by then (a reversal, dated
  as the repayment it reverses, takes it back) less the principal written off by then; loans holding more than 0
  count. Rebuilt exactly for a past date, a backdated reversal included. The class is the loan's class **now** (an
  approved override first): the plugin keeps no history of classes, so a past date's split by class uses today's
  classes (the total is exact).
* ``microloan.disbursed_amount`` / ``microloan.disbursed_count``: loans disbursed ``period_start`` .. ``as_of``.
* ``microloan.provision_balance``: the loss provision the last completed day-end run on or before ``as_of`` left
  (its ``provision_total``); 0 before the first run.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import and_, case, func, select, type_coerce
from sqlalchemy.orm import Session

from surety.core.db.types import Money
from surety.core.ports.regulatory import Figure, figure
from surety.plugins.microloan.dayend.models import RUN_DONE, MicroloanDayEndRun
from surety.plugins.microloan.loan.models import MicroloanLoan
from surety.plugins.microloan.repayment.models import MicroloanRepayment
from surety.plugins.microloan.reports.common import ZERO


def _money(value) -> Decimal:
    return ZERO if value is None else Decimal(value).quantize(ZERO)


def loan_book(session: Session, as_of: dt.date) -> dict[str, tuple[Decimal, int]]:
    """``{loan class: (principal balance, loans)}`` at the end of ``as_of`` (module docstring)."""
    r, loan = MicroloanRepayment, MicroloanLoan
    repaid = (select(r.tenant_id, r.loan_id,
                     func.sum(case((r.kind == "reversal", -r.principal), else_=r.principal)).label("principal"))
              .where(r.received_on <= as_of).group_by(r.tenant_id, r.loan_id).subquery())
    written_off = case((loan.written_off_on <= as_of, loan.written_off_principal), else_=0)
    balance = type_coerce(loan.amount - func.coalesce(repaid.c.principal, 0) - written_off, Money)
    per_loan = (select(func.coalesce(loan.risk_class_override, loan.risk_class).label("loan_class"),
                       balance.label("balance"))
                .outerjoin(repaid, and_(repaid.c.tenant_id == loan.tenant_id, repaid.c.loan_id == loan.id))
                .where(loan.disbursed_on.is_not(None), loan.disbursed_on <= as_of).subquery())
    rows = session.execute(select(per_loan.c.loan_class, func.sum(per_loan.c.balance),
                                  func.count()).where(per_loan.c.balance > 0).group_by(per_loan.c.loan_class))
    return {cls: (_money(total), int(n)) for cls, total, n in rows}


def report_figures(session: Session, as_of: dt.date, period_start: dt.date) -> list[Figure]:
    """The ``microloan.*`` figures: balances and counts by class at ``as_of``, the period's disbursements and the
    provision balance (module docstring)."""
    out = []
    for loan_class, (total, n) in sorted(loan_book(session, as_of).items()):
        out += [figure("microloan.loan_balance", total, loan_class=loan_class),
                figure("microloan.loan_count", n, loan_class=loan_class)]
    loan = MicroloanLoan
    amount, n = session.execute(select(func.sum(loan.amount), func.count(loan.id)).where(
        loan.disbursed_on.is_not(None), loan.disbursed_on >= period_start, loan.disbursed_on <= as_of)).one()
    run = MicroloanDayEndRun
    provision = session.scalar(select(run.provision_total).where(run.status == RUN_DONE, run.business_date <= as_of)
                               .order_by(run.business_date.desc()).limit(1))
    return [*out, figure("microloan.disbursed_amount", _money(amount)), figure("microloan.disbursed_count", n),
            figure("microloan.provision_balance", _money(provision))]
