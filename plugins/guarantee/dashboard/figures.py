"""The leaders' dashboard of the guarantee business (docs/guarantee/dashboard.md): what is in force, new business,
releases, compensation and recovery over a period, cycle time, workload per person and department, and breakdowns
by industry, region, customer type and bank.

Every figure is one aggregate query (GROUP BY and conditional sums), never a loop over projects; amounts are exact
``Decimal`` sums of ``Money`` columns, rates are quotients rounded half-up to ``RATE_PLACES`` places. The figures
cover the projects in the actor's data scope (``projects.scoped``: the whole tenant for tenant-scoped roles, the
org unit, subtree or own projects otherwise); movements (releases, repayments, compensation, recovery, write-offs)
count when their project is in scope; workflow tasks count when their assignee is in the actor's data scope.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import Date, Integer, and_, case, cast, func, or_, select
from sqlalchemy.orm import Session

from surety.core.authz.check import require
from surety.core.authz.scopes import apply_scope
from surety.core.context import Actor
from surety.core.errors import ValidationFailed
from surety.core.identity.models import OrgUnit, User
from surety.core.ports import customers as door
from surety.core.workflow.engine import business_today
from surety.core.workflow.models import TASK_OPEN, WorkflowInstance, WorkflowTask, WorkflowTaskCandidate
from surety.plugins.guarantee.compensation.models import (
    GuaranteeCompensation,
    GuaranteeCompensationReceivable,
    GuaranteeRecoveryAction,
)
from surety.plugins.guarantee.permissions import DASHBOARD
from surety.plugins.guarantee.project.exposure import net_amount
from surety.plugins.guarantee.project.models import (
    STATUS_EFFECTIVE,
    STATUS_IN_APPROVAL,
    GuaranteeBank,
    GuaranteeCreditLine,
    GuaranteeProject,
)
from surety.plugins.guarantee.project.projects import in_force, scoped
from surety.plugins.guarantee.release.models import RELEASE_FULL, GuaranteeRelease, GuaranteeRepayment

ZERO = Decimal("0.00")
#: Places of the compensation and recovery rates (0.123457 is 12.3457 %).
RATE_PLACES = 6
#: Places of the average cycle time in days.
DAY_PLACES = 2
#: Workflow tasks counted in the workload: those of processes about guarantee subjects.
SUBJECT_PREFIX = "guarantee:"
#: Breakdown dimensions, in the order they are shown.
DIMENSIONS = ("industry", "region", "customer_kind", "bank")


# ---------------------------------------------------------------- results ------------------------------------------


@dataclass(frozen=True)
class InForce:
    """Effective projects now: how many and their in-force balance, gross (``balance``: as the banks report it) and
    net of the banks' risk shares (``net_balance``: the company's own risk; docs/guarantee/dashboard.md)."""

    count: int
    balance: Decimal
    net_balance: Decimal = ZERO


@dataclass(frozen=True)
class NewBusiness:
    """Projects that took effect in the period (whatever their status now): how many and their loan amount."""

    count: int
    loan_amount: Decimal


@dataclass(frozen=True)
class Releases:
    """Releases (解保) in the period, and all the in-force liability that ended in it."""

    full_count: int
    partial_count: int
    #: Sum of the release rows' amounts (the balance a release took off).
    released_amount: Decimal
    #: Repayments reported by the bank in the period (they lower the balance before the release).
    repaid_amount: Decimal
    #: The principal of the compensation claims paid in the period (a payment ends that much in-force balance too).
    compensated_amount: Decimal

    @property
    def guarantee_released(self) -> Decimal:
        """The guarantees released in the period (解除担保额): repaid + released + compensated."""
        return self.released_amount + self.repaid_amount + self.compensated_amount


@dataclass(frozen=True)
class Compensation:
    count: int
    #: What the company paid (the claims less the banks' risk shares).
    paid_amount: Decimal
    #: 代偿率 = paid_amount / guarantees released in the period; None when nothing was released.
    rate: Decimal | None
    #: The claims paid in the period, gross (principal + interest + penalty), and the banks' share of them.
    claimed_amount: Decimal = ZERO
    bank_share: Decimal = ZERO


@dataclass(frozen=True)
class Recovery:
    #: Recovered in the period (recovery actions dated in it).
    recovered: Decimal
    #: Up to the end of the period: recovered and compensation paid.
    cumulative_recovered: Decimal
    cumulative_compensation: Decimal
    #: cumulative_recovered / cumulative_compensation; None when no compensation was paid.
    rate: Decimal | None
    #: Losses written off in the period.
    written_off: Decimal


@dataclass(frozen=True)
class CycleTime:
    #: Projects effective in the period with a submission time not after their effective date (rows whose effective
    #: date is before their submission, entered before loan dates were checked, are left out: never a negative cycle).
    projects: int
    #: Average days from the submission date (UTC) to the effective date; None when ``projects`` is 0.
    average_days: Decimal | None


@dataclass(frozen=True)
class PersonLoad:
    """One person's workload: as lead manager (A角) of projects in scope, and their open guarantee tasks."""

    user_id: uuid.UUID
    name: str
    in_approval: int = 0
    effective: int = 0
    in_force_balance: Decimal = ZERO
    #: Open tasks assigned to (claimed by) the person.
    open_tasks: int = 0
    #: Open tasks nobody has claimed yet that the person may claim.
    claimable_tasks: int = 0
    #: Open tasks assigned to the person and due before ``as_of``.
    overdue_tasks: int = 0


@dataclass(frozen=True)
class UnitLoad:
    """One org unit's workload: its projects (the project's org unit), and the open tasks of its people."""

    org_unit_id: uuid.UUID | None
    name: str
    in_approval: int = 0
    effective: int = 0
    in_force_balance: Decimal = ZERO
    open_tasks: int = 0


@dataclass(frozen=True)
class Slice:
    """One value of a breakdown: effective projects now and their balance, new business in the period."""

    key: str | None
    label: str
    in_force_count: int
    in_force_balance: Decimal
    new_count: int
    new_amount: Decimal
    #: The in-force balance net of the banks' risk shares.
    in_force_net_balance: Decimal = ZERO


@dataclass(frozen=True)
class Dashboard:
    date_from: dt.date
    date_to: dt.date
    as_of: dt.date
    in_force: InForce
    new_business: NewBusiness
    releases: Releases
    compensation: Compensation
    recovery: Recovery
    cycle_time: CycleTime
    people: list[PersonLoad]
    units: list[UnitLoad]
    #: dimension (one of DIMENSIONS) -> slices, largest in-force balance first.
    breakdowns: dict[str, list[Slice]] = field(default_factory=dict)


# ---------------------------------------------------------------- helpers ------------------------------------------


def _money(value: Any) -> Decimal:
    return ZERO if value is None else value


def _net(balance: Decimal, ratio: Decimal | None) -> Decimal:
    """The company's part of ``balance`` (the bank's share, balance x ratio, rounded once per group)."""
    return net_amount(balance, ratio) if balance else ZERO


def _int(value: Any) -> int:
    return int(value or 0)


def ratio(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    """``numerator / denominator`` rounded half-up to RATE_PLACES places; None when the denominator is 0."""
    if not denominator:
        return None
    return (numerator / denominator).quantize(Decimal(1).scaleb(-RATE_PLACES), rounding=ROUND_HALF_UP)


def _between(column, date_from: dt.date, date_to: dt.date):
    return and_(column >= date_from, column <= date_to)


def _count_if(condition):
    return func.count(case((condition, 1)))


def _sum_if(condition, column):
    return func.sum(case((condition, column), else_=0))


class _Scope:
    """The actor's data scope, computed once: ``criteria`` over projects is None for the whole tenant, otherwise the
    WHERE clause ``projects.scoped`` builds (own / org unit / subtree); ``user_criteria`` the same over users
    (``core.authz.scopes.apply_scope`` with the user's own id as owner)."""

    def __init__(self, session: Session, actor: Actor):
        self.criteria = scoped(session, actor, select(GuaranteeProject.id)).whereclause
        self.user_criteria = apply_scope(select(User.id), User, session, actor, owner_column="id").whereclause

    def projects(self, stmt):
        return stmt if self.criteria is None else stmt.where(self.criteria)

    def movements(self, stmt, model):
        """``stmt`` over a table with ``project_id``, restricted to the movements of projects in scope (no join for
        the whole tenant)."""
        if self.criteria is None:
            return stmt
        return stmt.join(GuaranteeProject, and_(GuaranteeProject.tenant_id == model.tenant_id,
                                                GuaranteeProject.id == model.project_id)).where(self.criteria)

    def people(self, stmt):
        """``stmt`` (joined to ``User``) restricted to the users in the actor's data scope."""
        return stmt if self.user_criteria is None else stmt.where(self.user_criteria)


def _days_expr(session: Session):
    """Whole days from the submission date (UTC) to the effective date, in the database's dialect."""
    p = GuaranteeProject
    if session.get_bind().dialect.name == "postgresql":
        return p.effective_date - cast(func.timezone("UTC", p.submitted_at), Date)
    return cast(func.round(func.julianday(p.effective_date) - func.julianday(func.date(p.submitted_at))), Integer)


# ---------------------------------------------------------------- figures -------------------------------------------


def _cube(session: Session, scope: _Scope, date_from: dt.date, date_to: dt.date):
    """One pass over the projects in force now or new in the period, grouped by customer kind, industry, region and
    bank: each row carries the in-force count and balance, the new business count and loan amount, and the cycle
    time's project count and day total, grouped by the bank risk-share ratio of the project's credit line too (the
    net balance takes the bank's share off each row). The totals and the four breakdowns are exact sums of these
    rows."""
    p, line = GuaranteeProject, GuaranteeCreditLine
    c = door.columns(session)
    effective = in_force(p)
    new = _between(p.effective_date, date_from, date_to)
    # Old rows whose effective date is before their submission (entered before loan dates were checked) would give
    # a negative cycle: they are left out of the cycle time (still counted as new business).
    timed = and_(new, p.submitted_at.is_not(None), _days_expr(session) >= 0)
    keys = (p.customer_kind, c.industry, c.region, p.bank_id, line.risk_share_ratio)
    stmt = (select(*keys, _count_if(effective), _sum_if(effective, p.in_force_balance), _count_if(new),
                   _sum_if(new, p.loan_amount), _count_if(timed), func.sum(case((timed, _days_expr(session)), else_=0)))
            .select_from(p)
            .outerjoin(c.entity, and_(c.tenant_id == p.tenant_id, c.id == p.customer_id))
            .outerjoin(line, and_(line.tenant_id == p.tenant_id, line.id == p.credit_line_id))
            .where(or_(effective, new)).group_by(*keys))
    return session.execute(scope.projects(stmt)).all()


def _totals_and_breakdowns(session: Session, cube) -> tuple[InForce, NewBusiness, CycleTime, dict[str, list[Slice]]]:
    totals = [0, ZERO, 0, ZERO, ZERO, 0, 0]
    slices: dict[str, dict[Any, list]] = {d: {} for d in DIMENSIONS}
    for kind, industry, region, bank_id, ratio, n, balance, new_n, new_amount, timed, days in cube:
        figures = (_int(n), _money(balance), _int(new_n), _money(new_amount), _net(_money(balance), ratio))
        for i, value in enumerate((*figures, _int(timed), _int(days))):
            totals[i] += value
        for dimension, key in zip(DIMENSIONS, (industry, region, kind, bank_id)):
            acc = slices[dimension].setdefault(key, [0, ZERO, 0, ZERO, ZERO])
            for i, value in enumerate(figures):
                acc[i] += value
    banks = [k for k in slices["bank"] if k is not None]
    names = dict(session.execute(select(GuaranteeBank.id, GuaranteeBank.name).where(GuaranteeBank.id.in_(banks)))
                 .all()) if banks else {}
    breakdowns = {}
    for dimension, acc in slices.items():
        rows = [Slice(key=None if k is None else str(k),
                      label=(names.get(k, "") if dimension == "bank" else k) or "", in_force_count=v[0],
                      in_force_balance=v[1], new_count=v[2], new_amount=v[3], in_force_net_balance=v[4])
                for k, v in acc.items()]
        breakdowns[dimension] = sorted(rows, key=lambda x: (-x.in_force_balance, -x.new_amount, x.key is None,
                                                            x.key or ""))
    timed, days = totals[5], totals[6]
    average = None if not timed else (Decimal(days) / timed).quantize(Decimal(1).scaleb(-DAY_PLACES),
                                                                      rounding=ROUND_HALF_UP)
    return (InForce(totals[0], totals[1], totals[4]), NewBusiness(totals[2], totals[3]), CycleTime(timed, average),
            breakdowns)


def _releases(session: Session, scope: _Scope, date_from: dt.date, date_to: dt.date, compensated: Decimal
              ) -> Releases:
    r = GuaranteeRelease
    full = r.kind == RELEASE_FULL
    row = session.execute(scope.movements(
        select(_count_if(full), _count_if(~full), func.sum(r.amount)).select_from(r)
        .where(_between(r.released_on, date_from, date_to)), r)).one()
    rp = GuaranteeRepayment
    repaid = session.scalar(scope.movements(select(func.sum(rp.amount)).select_from(rp)
                                            .where(_between(rp.repaid_on, date_from, date_to)), rp))
    return Releases(_int(row[0]), _int(row[1]), _money(row[2]), _money(repaid), compensated)


def _compensation(session: Session, scope: _Scope, date_from: dt.date, date_to: dt.date):
    """(count, amount paid, principal, claimed and bank share of the claims paid in the period; amount paid up to
    date_to)."""
    c = GuaranteeCompensation
    in_period = _between(c.paid_on, date_from, date_to)
    row = session.execute(scope.movements(
        select(_count_if(in_period), _sum_if(in_period, c.paid_amount), _sum_if(in_period, c.principal),
               _sum_if(in_period, c.claimed_amount), _sum_if(in_period, c.bank_share), func.sum(c.paid_amount))
        .select_from(c).where(c.paid_on.is_not(None), c.paid_on <= date_to), c)).one()
    return _int(row[0]), _money(row[1]), _money(row[2]), _money(row[3]), _money(row[4]), _money(row[5])


def _recovery(session: Session, scope: _Scope, date_from: dt.date, date_to: dt.date, cumulative_paid: Decimal
              ) -> Recovery:
    a = GuaranteeRecoveryAction
    in_period = _between(a.action_date, date_from, date_to)
    row = session.execute(scope.movements(
        select(_sum_if(in_period, a.amount), func.sum(a.amount)).select_from(a).where(a.action_date <= date_to),
        a)).one()
    rec = GuaranteeCompensationReceivable
    written = session.scalar(scope.movements(
        select(func.sum(rec.written_off)).select_from(rec).where(_between(rec.written_off_on, date_from, date_to)),
        rec))
    cumulative = _money(row[1])
    return Recovery(recovered=_money(row[0]), cumulative_recovered=cumulative,
                    cumulative_compensation=cumulative_paid, rate=ratio(cumulative, cumulative_paid),
                    written_off=_money(written))


def _open_guarantee_tasks(stmt):
    t = WorkflowTask
    return (stmt.join(WorkflowInstance, and_(WorkflowInstance.tenant_id == t.tenant_id,
                                             WorkflowInstance.id == t.instance_id))
            .where(t.status == TASK_OPEN, WorkflowInstance.subject_type.startswith(SUBJECT_PREFIX)))


def _workload(session: Session, scope: _Scope, as_of: dt.date) -> tuple[list[PersonLoad], list[UnitLoad]]:
    """Per lead manager and per project org unit (one query grouped by both), open tasks per assignee (with the
    assignee's org unit) and claimable tasks per candidate; then the names of the people and units found."""
    p, t, c = GuaranteeProject, WorkflowTask, WorkflowTaskCandidate
    effective = in_force(p)
    people: dict[uuid.UUID, dict] = {}
    units: dict[uuid.UUID | None, dict] = {}

    def add(target: dict, key, **figures) -> None:
        row = target.setdefault(key, {})
        for name, value in figures.items():
            row[name] = row.get(name, 0) + value

    projects = scope.projects(
        select(p.manager_a_id, p.org_unit_id, _count_if(p.status == STATUS_IN_APPROVAL), _count_if(effective),
               _sum_if(effective, p.in_force_balance))
        .where(p.status.in_((STATUS_IN_APPROVAL, STATUS_EFFECTIVE))).group_by(p.manager_a_id, p.org_unit_id))
    for manager, unit, in_approval, n, balance in session.execute(projects):
        figures = dict(in_approval=_int(in_approval), effective=_int(n), in_force_balance=_money(balance))
        add(people, manager, **figures)
        add(units, unit, **figures)
    assigned = scope.people(_open_guarantee_tasks(
        select(t.assignee_id, User.org_unit_id, func.count(), _count_if(and_(t.due_date.is_not(None),
                                                                             t.due_date < as_of)))
        .select_from(t).join(User, and_(User.tenant_id == t.tenant_id, User.id == t.assignee_id)))
        .group_by(t.assignee_id, User.org_unit_id))
    for user, unit, count, overdue in session.execute(assigned):
        add(people, user, open_tasks=_int(count), overdue_tasks=_int(overdue))
        add(units, unit, open_tasks=_int(count))
    claimable = scope.people(_open_guarantee_tasks(
        select(c.user_id, func.count()).select_from(t)
        .join(c, and_(c.tenant_id == t.tenant_id, c.task_id == t.id))
        .join(User, and_(User.tenant_id == c.tenant_id, User.id == c.user_id)))
        .where(t.assignee_id.is_(None), c.active.is_(True)).group_by(c.user_id))
    for user, count in session.execute(claimable):
        add(people, user, claimable_tasks=_int(count))
    user_names = {uid: display or username for uid, display, username in session.execute(
        select(User.id, User.display_name, User.username).where(User.id.in_(list(people))))} if people else {}
    unit_ids = [u for u in units if u is not None]
    unit_names = dict(session.execute(select(OrgUnit.id, OrgUnit.name).where(OrgUnit.id.in_(unit_ids))).all()) \
        if unit_ids else {}
    person_rows = [PersonLoad(user_id=uid, name=user_names.get(uid, ""), **figures) for uid, figures in people.items()]
    unit_rows = [UnitLoad(org_unit_id=uid, name=unit_names.get(uid, ""), **figures) for uid, figures in units.items()]
    return (sorted(person_rows, key=lambda x: (-x.in_force_balance, -x.open_tasks, x.name, str(x.user_id))),
            sorted(unit_rows, key=lambda x: (-x.in_force_balance, -x.open_tasks, x.name, str(x.org_unit_id))))


# ---------------------------------------------------------------- the dashboard ------------------------------------


def dashboard(session: Session, actor: Actor, *, date_from: dt.date, date_to: dt.date,
              as_of: dt.date | None = None) -> Dashboard:
    """The dashboard for the period ``[date_from, date_to]`` (both inclusive) over the projects in the actor's data
    scope (needs guarantee:dashboard:read, and guarantee:project:read for the scope). ``as_of`` (default: today,
    the business date) is the date overdue tasks are counted against. In-force figures are the balances now."""

    require(session, actor, DASHBOARD, "read")
    for name, value in (("date_from", date_from), ("date_to", date_to), ("as_of", as_of)):
        if value is not None and (not isinstance(value, dt.date) or isinstance(value, dt.datetime)):
            raise ValidationFailed("{name} is a date.", field=name, name=name)
    if date_from is None:
        raise ValidationFailed("Give the first day of the period.", field="date_from")
    if date_to is None:
        raise ValidationFailed("Give the last day of the period.", field="date_to")
    if date_to < date_from:
        raise ValidationFailed("The period ends before it starts.", field="date_to")
    as_of = as_of or business_today()
    scope = _Scope(session, actor)
    in_force, new_business, cycle, breakdowns = _totals_and_breakdowns(
        session, _cube(session, scope, date_from, date_to))
    paid_count, paid, principal, claimed, bank_share, cumulative_paid = _compensation(session, scope, date_from,
                                                                                      date_to)
    releases = _releases(session, scope, date_from, date_to, principal)
    people, units = _workload(session, scope, as_of)
    return Dashboard(
        date_from=date_from, date_to=date_to, as_of=as_of, in_force=in_force, new_business=new_business,
        releases=releases,
        compensation=Compensation(count=paid_count, paid_amount=paid, rate=ratio(paid, releases.guarantee_released),
                                  claimed_amount=claimed, bank_share=bank_share),
        recovery=_recovery(session, scope, date_from, date_to, cumulative_paid), cycle_time=cycle,
        people=people, units=units, breakdowns=breakdowns)
