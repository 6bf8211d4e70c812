"""The day-end reminders of the ``guarantee`` plugin (job ``guarantee_reminders``).

:func:`run_reminders` sends in-app notifications (core ``notify``, delivered later by the notification channels)
for:

* ``fee_due`` -- a fee instalment not fully received, due on or before ``business_date +
  settings.fee_due_within_days``, of a project that is approved, contracted or effective -> the project's managers
  (A and B);
* ``expiring`` -- a guarantee in force (``projects.in_force``: effective with an in-force balance above 0, so not
  one fully compensated) whose term ends on or before ``business_date + settings.expiring_within_days`` (so also one
  whose term ended but is not released yet) -> the managers. The term ends (:func:`term_end`) on the loan end date
  of a financing guarantee and on the expiry date (保函到期日) of a non-financing letter of guarantee;
* ``inspection_due`` -- an active inspection plan whose next inspection is due within INSPECTION_DUE_DAYS (3) days
  (from the business date to 3 days after it) -> the managers;
* ``inspection_late`` -- an active plan whose next inspection is due before the business date -> the managers and
  the department heads of the project's org unit (the nearest unit above it that has one, as workflow assignee
  rules resolve ``{"role": "department_head", "org_unit": "subject"}``);
* ``overdue`` -- an open overdue report of the bank -> the managers and the risk officers of the project's org unit
  (the nearest unit above it that has one: ``{"role": "risk_officer", "org_unit": "subject"}``), so never a risk
  officer whose data scope (their org subtree) does not cover the project.

Each reminder is sent once: a GuaranteeReminder row per (kind, subject, due date) remembers it (subject: the fee
item, the project, the plan, the overdue report; due date: the instalment's due date, the term's end (loan end or
expiry date), the inspection due date, the report date). Running the job again, for the same or a later date, sends
nothing twice; a plan moved to a new due date is reminded again for that date. Only active users are notified.
Titles carry the project number and dates only; bodies add amounts, never the customer. Titles and bodies are
message templates with their parameters (docs/i18n.md): ``notify`` writes them in Chinese (aftercare.po).

Returns ``{kind: reminders sent}`` and logs it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable

import structlog
from sqlalchemy import ColumnElement, case, select
from sqlalchemy.orm import Session

from surety.core import inputs
from surety.core.audit.log import audit
from surety.core.i18n import N_
from surety.core.identity.models import USER_ACTIVE, User
from surety.core.notifications.service import notify
from surety.core.words import Words
from surety.core.workflow.assignees import NoAssignee, resolve
from surety.plugins.guarantee.finance.models import GuaranteeFeeItem
from surety.plugins.guarantee.monitoring.models import GuaranteeInspectionPlan, GuaranteeReminder
from surety.plugins.guarantee.project.models import (
    CATEGORY_NON_FINANCING,
    STATUS_APPROVED,
    STATUS_CONTRACTED,
    STATUS_EFFECTIVE,
    GuaranteeProduct,
    GuaranteeProject,
)
from surety.plugins.guarantee.project.projects import in_force
from surety.plugins.guarantee.settings import get_settings
from surety.plugins.guarantee.warnings.models import GuaranteeOverdueReport

log = structlog.get_logger(__name__)

FEE_DUE, EXPIRING, INSPECTION_DUE, INSPECTION_LATE, OVERDUE = (
    "fee_due", "expiring", "inspection_due", "inspection_late", "overdue")
KINDS = (FEE_DUE, EXPIRING, INSPECTION_DUE, INSPECTION_LATE, OVERDUE)
#: An inspection is reminded as due this many days before its due date (and on the days up to it).
INSPECTION_DUE_DAYS = 3
#: Notification kinds (the inbox and the channels see these).
NOTIFICATION_KINDS = {k: f"guarantee_{k}" for k in KINDS}
#: Project statuses whose unpaid fee instalments are reminded.
FEE_STATUSES = (STATUS_APPROVED, STATUS_CONTRACTED, STATUS_EFFECTIVE)
ENTITY = "guarantee:project"
FEE_NAMES = {"guarantee_fee": N_("guarantee fee"), "review_fee": N_("review fee"), "margin": N_("margin")}


class _Run:
    """One run: the reminders already sent, the recipients resolved so far, the counts."""

    def __init__(self, session: Session, business_date: dt.date):
        self.session, self.day = session, business_date
        self.counts = {k: 0 for k in KINDS}
        self._heads: dict[uuid.UUID | None, list[uuid.UUID]] = {}
        self._risk: dict[uuid.UUID | None, list[uuid.UUID]] = {}
        self._active: dict[uuid.UUID, bool] = {}

    def already_sent(self, kind: str, subject_ids: Iterable[uuid.UUID]) -> set[tuple[uuid.UUID, dt.date]]:
        ids = list(dict.fromkeys(subject_ids))
        if not ids:
            return set()
        rows = self.session.execute(select(GuaranteeReminder.subject_id, GuaranteeReminder.due_on).where(
            GuaranteeReminder.kind == kind, GuaranteeReminder.subject_id.in_(ids)))
        return {(s, d) for s, d in rows}

    def active(self, user_ids: Iterable[uuid.UUID | None]) -> list[uuid.UUID]:
        ids = [u for u in dict.fromkeys(user_ids) if u is not None]
        unknown = [u for u in ids if u not in self._active]
        if unknown:
            found = set(self.session.scalars(select(User.id).where(User.id.in_(unknown),
                                                                  User.status == USER_ACTIVE)))
            self._active.update({u: u in found for u in unknown})
        return [u for u in ids if self._active[u]]

    def department_heads(self, org_unit_id: uuid.UUID | None) -> list[uuid.UUID]:
        if org_unit_id not in self._heads:
            self._heads[org_unit_id] = _role_holders(self.session, {"role": "department_head", "org_unit": "subject"},
                                                     {"org_unit_id": org_unit_id})
        return self._heads[org_unit_id]

    def risk_officers(self, org_unit_id: uuid.UUID | None) -> list[uuid.UUID]:
        if org_unit_id not in self._risk:
            self._risk[org_unit_id] = _role_holders(self.session, {"role": "risk_officer", "org_unit": "subject"},
                                                    {"org_unit_id": org_unit_id})
        return self._risk[org_unit_id]

    def send(self, kind: str, project: GuaranteeProject, subject_id: uuid.UUID, due_on: dt.date, recipients,
             title: str, body: str, **params: object) -> None:
        self.session.add(GuaranteeReminder(kind=kind, subject_id=subject_id, project_id=project.id, due_on=due_on,
                                           sent_on=self.day))
        users = self.active(recipients)
        if users:
            notify(self.session, users, NOTIFICATION_KINDS[kind], title, body, entity_type=ENTITY,
                   entity_id=project.id, params={"project_no": _number(project), **params})
        self.counts[kind] += 1


def _role_holders(session: Session, spec: dict, subject: dict) -> list[uuid.UUID]:
    """Active holders of a role, resolved like a workflow assignee rule (none: an empty list)."""

    try:
        return resolve(session, spec, subject, "reminder")
    except NoAssignee:
        return []


def _managers(project: GuaranteeProject) -> list[uuid.UUID | None]:
    return [project.manager_a_id, project.manager_b_id]


def _number(project: GuaranteeProject) -> str:
    return project.project_no or str(project.id)


def _fees_due(run: _Run, within: int) -> None:
    horizon = run.day + dt.timedelta(days=within)
    rows = run.session.execute(
        select(GuaranteeFeeItem, GuaranteeProject)
        .join(GuaranteeProject, GuaranteeProject.id == GuaranteeFeeItem.project_id)
        .where(GuaranteeFeeItem.due_date <= horizon, GuaranteeFeeItem.received < GuaranteeFeeItem.amount,
               GuaranteeProject.status.in_(FEE_STATUSES))
        .order_by(GuaranteeFeeItem.due_date, GuaranteeFeeItem.id)).all()
    sent = run.already_sent(FEE_DUE, (item.id for item, _ in rows))
    for item, project in rows:
        if (item.id, item.due_date) in sent:
            continue
        fee = Words(FEE_NAMES[item.fee_type]) if item.fee_type in FEE_NAMES else item.fee_type
        unpaid = item.amount - item.received
        run.send(FEE_DUE, project, item.id, item.due_date, _managers(project),
                 N_("Fee due: {project_no} {fee} #{seq} on {due_date}"),
                 N_("Project {project_no}: {fee} instalment {seq} of {amount} yuan is due on {due_date}; {unpaid} "
                    "yuan is not received yet."),
                 fee=fee, seq=item.seq, due_date=item.due_date.isoformat(), amount=inputs.yuan(item.amount),
                 unpaid=inputs.yuan(unpaid))


def term_end() -> ColumnElement:
    """The SQL expression of the day a guarantee's term ends: the expiry date of a non-financing letter of guarantee
    (保函到期日), the loan end date of a financing guarantee (by the category of the project's product, which the
    statement must join)."""
    return case((GuaranteeProduct.category == CATEGORY_NON_FINANCING, GuaranteeProject.expiry_date),
                else_=GuaranteeProject.loan_end_date)


def _expiring(run: _Run, within: int) -> None:
    horizon = run.day + dt.timedelta(days=within)
    end_of = term_end()
    rows = run.session.execute(
        select(GuaranteeProject, end_of, GuaranteeProduct.category)
        .join(GuaranteeProduct, GuaranteeProduct.id == GuaranteeProject.product_id)
        .where(in_force(), end_of.is_not(None), end_of <= horizon)
        .order_by(end_of, GuaranteeProject.id)).all()
    sent = run.already_sent(EXPIRING, (p.id for p, _, _ in rows))
    for project, end, category in rows:
        if (project.id, end) in sent:
            continue
        past = end < run.day
        if category == CATEGORY_NON_FINANCING:
            body = (N_("The letter of guarantee of project {project_no} expired on {end} (in-force balance {balance} "
                       "yuan): no claim is accepted after it; release the guarantee once it has expired.") if past else
                    N_("The letter of guarantee of project {project_no} expires on {end} (in-force balance {balance} "
                       "yuan): no claim is accepted after it; release the guarantee once it has expired."))
        else:
            body = (N_("The loan guaranteed by project {project_no} ended on {end} (in-force balance {balance} yuan): "
                       "follow the repayment and release the guarantee.") if past else
                    N_("The loan guaranteed by project {project_no} ends on {end} (in-force balance {balance} yuan): "
                       "follow the repayment and release the guarantee."))
        run.send(EXPIRING, project, project.id, end, _managers(project),
                 N_("Guarantee expiring: {project_no} on {end}"), body,
                 end=end.isoformat(), balance=inputs.yuan(project.in_force_balance))


def _inspections(run: _Run) -> None:
    horizon = run.day + dt.timedelta(days=INSPECTION_DUE_DAYS)
    rows = run.session.execute(
        select(GuaranteeInspectionPlan, GuaranteeProject)
        .join(GuaranteeProject, GuaranteeProject.id == GuaranteeInspectionPlan.project_id)
        .where(GuaranteeInspectionPlan.active.is_(True), GuaranteeProject.status == STATUS_EFFECTIVE,
               GuaranteeInspectionPlan.next_due <= horizon)
        .order_by(GuaranteeInspectionPlan.next_due, GuaranteeInspectionPlan.id)).all()
    late = [(plan, project) for plan, project in rows if plan.next_due < run.day]
    due = [(plan, project) for plan, project in rows if plan.next_due >= run.day]
    sent_due = run.already_sent(INSPECTION_DUE, (plan.id for plan, _ in due))
    for plan, project in due:
        if (plan.id, plan.next_due) not in sent_due:
            run.send(INSPECTION_DUE, project, plan.id, plan.next_due, _managers(project),
                     N_("Inspection due: {project_no} on {due}"),
                     N_("The post-guarantee inspection of project {project_no} is due on {due}."),
                     due=plan.next_due.isoformat())
    sent_late = run.already_sent(INSPECTION_LATE, (plan.id for plan, _ in late))
    for plan, project in late:
        if (plan.id, plan.next_due) not in sent_late:
            days = (run.day - plan.next_due).days
            run.send(INSPECTION_LATE, project, plan.id, plan.next_due,
                     _managers(project) + run.department_heads(project.org_unit_id),
                     N_("Inspection late: {project_no} due {due}"),
                     N_("The post-guarantee inspection of project {project_no} was due on {due} and is {days} day(s) "
                        "late."), due=plan.next_due.isoformat(), days=days)


def _overdue(run: _Run) -> None:
    rows = run.session.execute(
        select(GuaranteeOverdueReport, GuaranteeProject)
        .join(GuaranteeProject, GuaranteeProject.id == GuaranteeOverdueReport.project_id)
        .where(GuaranteeOverdueReport.open)
        .order_by(GuaranteeOverdueReport.reported_on, GuaranteeOverdueReport.id)).all()
    sent = run.already_sent(OVERDUE, (report.id for report, _ in rows))
    for report, project in rows:
        if (report.id, report.reported_on) in sent:
            continue
        run.send(OVERDUE, project, report.id, report.reported_on,
                 _managers(project) + run.risk_officers(project.org_unit_id),
                 N_("Loan overdue: {project_no} reported {reported_on}"),
                 N_("The bank reported the loan of project {project_no} overdue on {reported_on}: {days} day(s) past "
                    "due, principal {principal} yuan, interest {interest} yuan."),
                 reported_on=report.reported_on.isoformat(), days=report.days_past_due,
                 principal=inputs.yuan(report.overdue_principal), interest=inputs.yuan(report.overdue_interest))


def run_reminders(session: Session, business_date: dt.date) -> dict[str, int]:
    """Send the reminders due on ``business_date`` not sent before; ``{kind: reminders sent}``. Idempotent."""
    settings = get_settings(session)
    run = _Run(session, business_date)
    _fees_due(run, settings.fee_due_within_days)
    _expiring(run, settings.expiring_within_days)
    _inspections(run)
    _overdue(run)
    session.flush()
    if any(run.counts.values()):
        audit(session, "guarantee.reminders.sent", after={"business_date": business_date.isoformat(), **run.counts})
    log.info("guarantee_reminders", business_date=business_date.isoformat(), **run.counts)
    return run.counts
