"""The leaders' dashboard of the microloan business (docs/microloan/reports.md): the loan book, new lending this month
and year, overdue loans, the five-category classes and the NPL ratio, provisions and their coverage, write-offs,
overdue loans by collection stage, and each customer manager's workload.

Every figure comes from three aggregate statements (GROUP BY and conditional sums, never a loop over loans): the
loans grouped by class and collection stage, the on-book loans grouped by customer manager joined to the users for
their names, and the collection results (open cases, actions this month, recoveries this year) as scalar
subqueries. Amounts are exact ``Decimal`` sums of ``Money`` columns in yuan; ratios are quotients rounded half-up to
``RATIO_PLACES`` places, None when the denominator is 0. Balances, days past due, classes and provisions are as the
last day-end and repayments left them; ``as_of`` dates the periods (this month and year: from their first day to
``as_of``). The loans are those in the actor's data scope (``loan.scope.scoped``).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, case, func, literal, select
from sqlalchemy.orm import Session

from surety.core.authz.check import require
from surety.core.context import Actor
from surety.core.errors import ValidationFailed
from surety.core.identity.models import User
from surety.core.workflow.engine import business_today
from surety.plugins.microloan.collection.models import (
    CASE_OPEN,
    MicroloanCollectionAction,
    MicroloanCollectionCase,
    MicroloanRecovery,
)
from surety.plugins.microloan.conventions import NON_PERFORMING_CLASSES, ON_BOOK_STATUSES, RISK_CLASSES
from surety.plugins.microloan.loan.models import MicroloanLoan
from surety.plugins.microloan.loan.scope import scoped
from surety.plugins.microloan.reports.common import ZERO, ratio
from surety.plugins.microloan.reports.permissions import DASHBOARD
from surety.plugins.microloan.settings import get_settings

#: The label of loans not yet in a collection stage (not overdue).
CURRENT_STAGE = ""


@dataclass(frozen=True)
class Lending:
    """Loans disbursed in a period: how many and their amount (yuan)."""

    count: int
    amount: Decimal


@dataclass(frozen=True)
class ClassSlice:
    """On-book loans of one five-category class."""

    risk_class: str
    label: str
    count: int
    balance: Decimal
    provision: Decimal


@dataclass(frozen=True)
class StageSlice:
    """Overdue on-book loans in one collection stage (the tenant's ``collection_stages``, by days past due)."""

    stage: str
    from_days: int
    count: int
    balance: Decimal


@dataclass(frozen=True)
class ManagerLoad:
    """One customer manager's on-book loans: all of them and the overdue ones. ``user_id`` None: no manager."""

    user_id: uuid.UUID | None
    name: str
    active_loans: int
    balance: Decimal
    overdue_loans: int
    overdue_balance: Decimal


@dataclass(frozen=True)
class CollectionResults:
    """What collection achieved: cases open now, actions this month, money recovered on written-off loans this
    year (核销后收回)."""

    open_cases: int
    actions_this_month: int
    recovered_this_year: Decimal


@dataclass(frozen=True)
class Dashboard:
    as_of: dt.date
    month_from: dt.date
    year_from: dt.date
    #: On-book loans (disbursed, neither settled nor written off) and their principal balance (贷款余额).
    active_loans: int
    balance: Decimal
    disbursed_this_month: Lending
    disbursed_this_year: Lending
    #: On-book loans past due (days past due above 0) and their whole principal balance (逾期贷款余额).
    overdue_loans: int
    overdue_balance: Decimal
    #: overdue_balance / balance (逾期率).
    overdue_rate: Decimal | None
    #: Balance of the non-performing classes (次级 + 可疑 + 损失) and its share of the balance (不良贷款率).
    npl_balance: Decimal
    npl_ratio: Decimal | None
    #: Every class, best first (zeros included).
    classes: list[ClassSlice]
    #: Loss provisions held against the on-book loans (贷款损失准备) and provision / NPL balance (拨备覆盖率).
    provision: Decimal
    provision_coverage: Decimal | None
    #: Loans written off this year: how many, principal and interest written off.
    written_off_loans: int
    written_off_principal: Decimal
    written_off_interest: Decimal
    #: Recovered so far on every written-off loan (核销后累计收回).
    recovered_after_write_off: Decimal
    #: Overdue loans by collection stage, earliest stage first.
    stages: list[StageSlice]
    managers: list[ManagerLoad]
    collection: CollectionResults

    @property
    def written_off(self) -> Decimal:
        return self.written_off_principal + self.written_off_interest


def _int(value: Any) -> int:
    return int(value or 0)


def _money(value: Any) -> Decimal:
    return ZERO if value is None else value


def _count_if(condition):
    return func.count(case((condition, 1)))


def _sum_if(condition, column):
    return func.sum(case((condition, column), else_=0))


def _stages(session: Session) -> list[tuple[str, int]]:
    """The tenant's collection stages as (name, first day past due), earliest first."""
    return sorted(((str(k), int(v)) for k, v in get_settings(session).collection_stages.items()),
                  key=lambda s: (s[1], s[0]))


def _stage_expr(stages: list[tuple[str, int]]):
    """The collection stage of a loan by its days past due (``CURRENT_STAGE`` below the first stage)."""
    dpd = MicroloanLoan.days_past_due
    whens = [(dpd >= days, literal(name)) for name, days in reversed(stages)]
    return case(*whens, else_=literal(CURRENT_STAGE)) if whens else literal(CURRENT_STAGE)


def _book(session: Session, actor: Actor, as_of: dt.date, month_from: dt.date, year_from: dt.date,
          stages: list[tuple[str, int]]):
    """One pass over the disbursed loans grouped by status, class and stage, with the figures of each group."""
    loan = MicroloanLoan
    on_book = loan.status.in_(sorted(ON_BOOK_STATUSES))
    overdue = and_(on_book, loan.days_past_due > 0)
    month = and_(loan.disbursed_on >= month_from, loan.disbursed_on <= as_of)
    year = and_(loan.disbursed_on >= year_from, loan.disbursed_on <= as_of)
    written = and_(loan.written_off_on.is_not(None), loan.written_off_on >= year_from, loan.written_off_on <= as_of)
    risk_class = func.coalesce(loan.risk_class_override, loan.risk_class)
    stage = _stage_expr(stages)
    keys = (risk_class.label("risk_class"), stage.label("stage"))
    stmt = (select(*keys, _count_if(on_book), _sum_if(on_book, loan.principal_balance),
                   _sum_if(on_book, loan.provision), _count_if(overdue), _sum_if(overdue, loan.principal_balance),
                   _count_if(month), _sum_if(month, loan.amount), _count_if(year), _sum_if(year, loan.amount),
                   _count_if(written), _sum_if(written, loan.written_off_principal),
                   _sum_if(written, loan.written_off_interest),
                   _sum_if(loan.written_off_on.is_not(None), loan.recovered_amount))
            .where(loan.disbursed_on.is_not(None)).group_by(*keys))
    return session.execute(scoped(session, actor, stmt)).all()


def _managers(session: Session, actor: Actor) -> list[ManagerLoad]:
    """On-book loans per customer manager, with the manager's display name, in one query."""
    loan = MicroloanLoan
    overdue = loan.days_past_due > 0
    stmt = (select(loan.manager_id, User.display_name, User.username, func.count(), func.sum(loan.principal_balance),
                   _count_if(overdue), _sum_if(overdue, loan.principal_balance))
            .outerjoin(User, and_(User.tenant_id == loan.tenant_id, User.id == loan.manager_id))
            .where(loan.status.in_(sorted(ON_BOOK_STATUSES)))
            .group_by(loan.manager_id, User.display_name, User.username))
    rows = [ManagerLoad(user_id=uid, name=(display or username or ""), active_loans=_int(n), balance=_money(b),
                        overdue_loans=_int(on), overdue_balance=_money(ob))
            for uid, display, username, n, b, on, ob in session.execute(scoped(session, actor, stmt))]
    return sorted(rows, key=lambda m: (-m.balance, -m.active_loans, m.user_id is None, m.name, str(m.user_id)))


def collection_results(session: Session, actor: Actor, as_of: dt.date, month_from: dt.date,
                       year_from: dt.date) -> CollectionResults:
    """Collection cases open now, collection actions taken this month and money recovered on written-off loans this
    year (collection area's tables), of the loans in the actor's data scope, in one statement."""
    loans = scoped(session, actor, select(MicroloanLoan.id))

    def of_loans(stmt, model):
        return stmt if loans.whereclause is None else stmt.where(model.loan_id.in_(loans))

    case_, action, recovery = MicroloanCollectionCase, MicroloanCollectionAction, MicroloanRecovery
    open_cases = of_loans(select(func.count(case_.id)).where(case_.status == CASE_OPEN), case_)
    actions = of_loans(select(func.count(action.id)).where(action.happened_on >= month_from,
                                                           action.happened_on <= as_of), action)
    recovered = of_loans(select(func.sum(recovery.amount)).where(recovery.recovered_on >= year_from,
                                                                 recovery.recovered_on <= as_of), recovery)
    row = session.execute(select(open_cases.scalar_subquery(), actions.scalar_subquery(),
                                 recovered.scalar_subquery())).one()
    return CollectionResults(open_cases=_int(row[0]), actions_this_month=_int(row[1]),
                             recovered_this_year=_money(row[2]))


def dashboard(session: Session, actor: Actor, as_of: dt.date | None = None) -> Dashboard:
    """The dashboard as of ``as_of`` (default: today's business date) over the loans in the actor's data scope.
    Needs microloan:dashboard:read."""
    require(session, actor, DASHBOARD, "read")
    if as_of is not None and (not isinstance(as_of, dt.date) or isinstance(as_of, dt.datetime)):
        raise ValidationFailed("{name} is a date.", field="as_of", name="as_of")
    as_of = as_of or business_today()
    month_from, year_from = as_of.replace(day=1), as_of.replace(month=1, day=1)
    stages = _stages(session)
    classes = {k: [0, ZERO, ZERO] for k in RISK_CLASSES}
    by_stage = {name: [0, ZERO] for name, _ in stages}
    t = [0, ZERO, ZERO, 0, ZERO, 0, ZERO, 0, ZERO, 0, ZERO, ZERO, ZERO]
    for risk_class, stage, *figures in _book(session, actor, as_of, month_from, year_from, stages):
        figures = [_int(v) if isinstance(t[i], int) else _money(v) for i, v in enumerate(figures)]
        for i, value in enumerate(figures):
            t[i] += value
        acc = classes.setdefault(risk_class, [0, ZERO, ZERO])
        acc[0], acc[1], acc[2] = acc[0] + figures[0], acc[1] + figures[1], acc[2] + figures[2]
        if stage in by_stage:
            by_stage[stage][0] += figures[3]
            by_stage[stage][1] += figures[4]
    (active, balance, provision, overdue_n, overdue_b, month_n, month_a, year_n, year_a, wo_n, wo_p, wo_i,
     recovered) = t
    npl = sum((v[1] for k, v in classes.items() if k in NON_PERFORMING_CLASSES), ZERO)
    return Dashboard(
        as_of=as_of, month_from=month_from, year_from=year_from, active_loans=active, balance=balance,
        disbursed_this_month=Lending(month_n, month_a), disbursed_this_year=Lending(year_n, year_a),
        overdue_loans=overdue_n, overdue_balance=overdue_b, overdue_rate=ratio(overdue_b, balance),
        npl_balance=npl, npl_ratio=ratio(npl, balance),
        classes=[ClassSlice(k, RISK_CLASSES.get(k, k), v[0], v[1], v[2]) for k, v in classes.items()],
        provision=provision, provision_coverage=ratio(provision, npl), written_off_loans=wo_n,
        written_off_principal=wo_p, written_off_interest=wo_i, recovered_after_write_off=recovered,
        stages=[StageSlice(name, days, *by_stage[name]) for name, days in stages],
        managers=_managers(session, actor),
        collection=collection_results(session, actor, as_of, month_from, year_from))
