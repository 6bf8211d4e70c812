"""Post-guarantee inspections (保后检查): each effective guarantee's inspection plan, the inspections recorded against
it, and the list of inspections due or late.

* Plan: created when the guarantee takes effect (GuaranteeTookEffect): the first inspection is due
  ``settings.first_inspection_days`` after the effective date, then every ``settings.inspection_interval_days``. One
  plan per project (creating it again changes nothing). It is deactivated when the project is fully released
  (GuaranteeReleased with ``balance_after`` 0) or compensation brings its in-force balance to 0
  (GuaranteeCompensationPaid with ``in_force_balance`` 0). :func:`update_plan` changes the interval (1..366 days)
  and/or the next due date (not in the past) of an active plan.
* :func:`record_inspection` -- on an effective project in the actor's data scope: dated neither in the future nor
  before the effective date; ``first`` when the project has no first/periodic inspection yet, else ``periodic``,
  or ``ad_hoc`` when asked. A first/periodic inspection satisfies the plan's current due date (kept as ``due_on``)
  and moves the next one to ``inspected_on + interval_days``; it cannot be dated before the last first/periodic
  one. An ad-hoc inspection leaves the plan alone. Findings are required unless the conclusion is ``normal``.
  Audited; raises GuaranteeInspectionRecorded. Files attach through the core attachments service to entity
  ``guarantee:inspection`` (the inspection id); :func:`attachment_guard` lets in whoever may read the inspection.
* :func:`due_statement` / :func:`due_list` -- active plans due within N days or late, across the actor's data scope.

Locks: the project row, then the plan row (the order release and compensation follow through their events), so
an inspection and a release of one project are serialised.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Iterable

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from surety.core import inputs
from surety.core.attachments.service import entity_uuid
from surety.core.audit.log import audit
from surety.core.authz.check import allowed, require
from surety.core.context import Actor
from surety.core.db.locking import lock_by_id
from surety.core.db.types import utcnow
from surety.core.errors import Conflict, NotFound, ValidationFailed
from surety.core.events import raise_event
from surety.core.i18n import N_
from surety.core.identity.models import User
from surety.core.words import Words
from surety.core.workflow.engine import business_today
from surety.plugins.guarantee.compensation.events import GuaranteeCompensationPaid
from surety.plugins.guarantee.finance.events import GuaranteeTookEffect
from surety.plugins.guarantee.monitoring.events import GuaranteeInspectionRecorded
from surety.plugins.guarantee.monitoring.models import (
    INSPECTION_CONCLUSIONS,
    GuaranteeInspection,
    GuaranteeInspectionPlan,
)
from surety.plugins.guarantee.permissions import INSPECTION
from surety.plugins.guarantee.project.models import STATUS_EFFECTIVE, GuaranteeProject
from surety.plugins.guarantee.project.projects import get_project, scoped
from surety.plugins.guarantee.project.words import project_status
from surety.plugins.guarantee.release.events import GuaranteeReleased
from surety.plugins.guarantee.release.releases import ProjectNotEffective
from surety.plugins.guarantee.settings import get_settings

#: Entity types: of the audit records of plans, and of inspections (audit and attachments).
PLAN_ENTITY = "guarantee:inspection_plan"
ENTITY = "guarantee:inspection"
KIND_FIRST, KIND_PERIODIC, KIND_AD_HOC = "first", "periodic", "ad_hoc"
CONCLUSION_NORMAL = "normal"
#: Bounds of a plan's interval and of the "due within N days" window.
MIN_INTERVAL_DAYS, MAX_INTERVAL_DAYS = 1, 366
MAX_WITHIN_DAYS = 366
#: Most rows :func:`due_list` returns at once.
MAX_LIST = 200
FINDINGS_LIMIT = 4000


class InspectionPlanInactive(Conflict):
    """The plan ended (the project was released or its balance compensated to 0): nothing is due any more."""

    code = "GUARANTEE_INSPECTION_PLAN_INACTIVE"


def _today() -> dt.date:
    return business_today()


def _plan_image(p: GuaranteeInspectionPlan) -> dict:
    return {"project_id": str(p.project_id), "first_due": p.first_due.isoformat(), "interval_days": p.interval_days,
            "next_due": p.next_due.isoformat(), "active": p.active}


def _image(i: GuaranteeInspection) -> dict:
    return {"project_id": str(i.project_id), "kind": i.kind, "inspected_on": i.inspected_on.isoformat(),
            "conclusion": i.conclusion, "findings_length": len(i.findings),
            "due_on": i.due_on.isoformat() if i.due_on else None}



# ---------------------------------------------------------------- plans --------------------------------------------


def find_plan(session: Session, project_id: uuid.UUID) -> GuaranteeInspectionPlan | None:
    """The project's plan (no permission check: for services and event handlers)."""
    return session.scalar(select(GuaranteeInspectionPlan).where(GuaranteeInspectionPlan.project_id == project_id))


def ensure_plan(session: Session, project_id: uuid.UUID, effective_date: dt.date) -> GuaranteeInspectionPlan:
    """The project's plan, created from the tenant's settings when it has none (first inspection due
    ``first_inspection_days`` after ``effective_date``, then every ``inspection_interval_days``). Idempotent."""
    plan = find_plan(session, project_id)
    if plan is not None:
        return plan
    settings = get_settings(session)
    first = effective_date + dt.timedelta(days=settings.first_inspection_days)
    plan = GuaranteeInspectionPlan(project_id=project_id, first_due=first, next_due=first,
                                   interval_days=settings.inspection_interval_days, active=True)
    session.add(plan)
    session.flush()
    audit(session, "guarantee.inspection_plan.created", entity_type=PLAN_ENTITY, entity_id=plan.id,
          after=_plan_image(plan))
    return plan


def deactivate_plan(session: Session, project_id: uuid.UUID, reason: str) -> GuaranteeInspectionPlan | None:
    """End the project's plan (no more inspections due); None when it has none. Idempotent."""
    found = find_plan(session, project_id)
    if found is None or not found.active:
        return found
    plan = lock_by_id(session, GuaranteeInspectionPlan, found.id, "active", "inspection plan", "project_id")
    if not plan.active:
        return plan
    before = _plan_image(plan)
    plan.active = False
    plan.updated_at = utcnow()
    session.flush()
    audit(session, "guarantee.inspection_plan.deactivated", entity_type=PLAN_ENTITY, entity_id=plan.id,
          before=before, after={**_plan_image(plan), "reason": reason})
    return plan


def on_event(session: Session, event) -> None:
    """Create the plan when a guarantee takes effect; end it on a full release or a balance compensated to 0."""
    if isinstance(event, GuaranteeTookEffect):
        ensure_plan(session, event.project_id, event.effective_date)
    elif isinstance(event, GuaranteeReleased):
        if event.balance_after == 0:
            deactivate_plan(session, event.project_id, "released")
    elif isinstance(event, GuaranteeCompensationPaid):
        if event.in_force_balance == 0:
            deactivate_plan(session, event.project_id, "compensated")


def plan_of(session: Session, actor: Actor, project_id: uuid.UUID) -> GuaranteeInspectionPlan | None:
    """The project's plan (needs guarantee:inspection:read and the project in the data scope); None before the
    guarantee takes effect."""
    require(session, actor, INSPECTION, "read")
    get_project(session, actor, project_id)
    return find_plan(session, project_id)


def update_plan(session: Session, actor: Actor, project_id: uuid.UUID, *, interval_days: int | None = None,
                next_due: dt.date | None = None) -> GuaranteeInspectionPlan:
    """Change an active plan (needs guarantee:inspection:record, the project in the data scope): ``interval_days``
    (1..366, used from the next first/periodic inspection on) and/or ``next_due`` (not before the business date).
    At least one of them. Audited."""
    require(session, actor, INSPECTION, "record")
    if interval_days is None and next_due is None:
        raise ValidationFailed("Give the new interval or the next due date.", field="interval_days")
    if interval_days is not None:
        interval_days = inputs.whole(interval_days, "interval_days", MIN_INTERVAL_DAYS, MAX_INTERVAL_DAYS, "days",
                                     what=Words(N_("The inspection interval")))
    if next_due is not None:
        if not isinstance(next_due, dt.date) or isinstance(next_due, dt.datetime):
            raise ValidationFailed("next_due is a date.", field="next_due")
        today = _today()
        if next_due < today:
            raise ValidationFailed("next_due cannot be in the past (before today, {today}).",
                                   field="next_due", today=today.isoformat())
    project = get_project(session, actor, project_id)
    found = find_plan(session, project.id)
    if found is None:
        raise NotFound("The project has no inspection plan (the guarantee has not taken effect).",
                       field="project_id")
    plan = lock_by_id(session, GuaranteeInspectionPlan, found.id, "next_due", "inspection plan", "project_id")
    if not plan.active:
        raise InspectionPlanInactive("The inspection plan has ended (the guarantee was released or compensated); "
                                     "it cannot be changed.", field="project_id")
    before = _plan_image(plan)
    if interval_days is not None:
        plan.interval_days = interval_days
    if next_due is not None:
        plan.next_due = next_due
    plan.updated_at = utcnow()
    session.flush()
    audit(session, "guarantee.inspection_plan.updated", entity_type=PLAN_ENTITY, entity_id=plan.id, before=before,
          after=_plan_image(plan), actor=actor)
    return plan


# ---------------------------------------------------------------- inspections --------------------------------------


def record_inspection(session: Session, actor: Actor, project_id: uuid.UUID, *, conclusion: str,
                      findings: str = "", inspected_on: dt.date | None = None,
                      ad_hoc: bool = False) -> GuaranteeInspection:
    """Record an inspection of an effective guarantee (needs guarantee:inspection:record, the project in the data
    scope). ``inspected_on`` (the business date by default) is not in the future nor before the effective date;
    ``conclusion`` is normal, attention or risk; ``findings`` (at most 4000 characters) are required unless the
    conclusion is normal. The kind is ``ad_hoc`` when asked, else ``first`` (none yet) or ``periodic``; a
    first/periodic one satisfies the plan's due date and moves it to ``inspected_on + interval_days``. Raises
    GuaranteeInspectionRecorded."""
    require(session, actor, INSPECTION, "record")
    if conclusion not in INSPECTION_CONCLUSIONS:
        raise ValidationFailed("The conclusion is one of {conclusions}.", field="conclusion",
                               conclusions=", ".join(INSPECTION_CONCLUSIONS))
    findings = str(findings or "").strip()
    if len(findings) > FINDINGS_LIMIT:
        raise ValidationFailed("findings is at most {limit} characters.", field="findings", limit=FINDINGS_LIMIT)
    if conclusion != CONCLUSION_NORMAL and not findings:
        raise ValidationFailed("Describe the findings: the conclusion is {conclusion}.", field="findings",
                               conclusion=conclusion)
    get_project(session, actor, project_id)  # data scope: NotFound outside it
    project = lock_by_id(session, GuaranteeProject, project_id, "status", "guarantee project", "project_id")
    if project.status != STATUS_EFFECTIVE:
        raise ProjectNotEffective("An inspection is for an effective guarantee; project {project_no} is {status}.",
                                  field="project_id", project_no=project.project_no,
                                  status=project_status(project.status))
    day = inputs.day(inspected_on, "inspected_on", not_before=project.effective_date,
                     since=Words(N_("the guarantee took effect")))
    plan = ensure_plan(session, project.id, project.effective_date)
    plan = lock_by_id(session, GuaranteeInspectionPlan, plan.id, "next_due", "inspection plan", "project_id")
    last = session.scalar(select(GuaranteeInspection.inspected_on)
                          .where(GuaranteeInspection.project_id == project.id,
                                 GuaranteeInspection.kind != KIND_AD_HOC)
                          .order_by(GuaranteeInspection.inspected_on.desc()).limit(1))
    if ad_hoc:
        kind = KIND_AD_HOC
    else:
        kind = KIND_FIRST if last is None else KIND_PERIODIC
        if last is not None and day < last:
            raise ValidationFailed("inspected_on cannot be before the last regular inspection ({last}); record an "
                                   "earlier visit as ad hoc.", field="inspected_on", last=last.isoformat())
    plan_before = _plan_image(plan)
    due_on = None
    if kind != KIND_AD_HOC and plan.active:
        due_on = plan.next_due
        plan.next_due = day + dt.timedelta(days=plan.interval_days)
        plan.updated_at = utcnow()
    row = GuaranteeInspection(project_id=project.id, kind=kind, inspected_on=day, findings=findings,
                              conclusion=conclusion, inspector_id=actor.id_uuid, due_on=due_on)
    session.add(row)
    session.flush()
    audit(session, "guarantee.inspection.recorded", entity_type=ENTITY, entity_id=row.id,
          before={"plan": plan_before}, after={**_image(row), "plan": _plan_image(plan)}, actor=actor)
    raise_event(session, GuaranteeInspectionRecorded(project_id=project.id, inspection_id=row.id,
                                                     conclusion=conclusion, inspected_on=day))
    return row


def inspections_of(session: Session, actor: Actor, project_id: uuid.UUID) -> list[GuaranteeInspection]:
    """A project's inspections, oldest first (needs guarantee:inspection:read and the project in the data scope)."""
    require(session, actor, INSPECTION, "read")
    get_project(session, actor, project_id)
    return list(session.scalars(select(GuaranteeInspection).where(GuaranteeInspection.project_id == project_id)
                                .order_by(GuaranteeInspection.inspected_on, GuaranteeInspection.created_at,
                                          GuaranteeInspection.id)))


def get_inspection(session: Session, actor: Actor, inspection_id: uuid.UUID) -> GuaranteeInspection:
    """One inspection (needs guarantee:inspection:read and its project in the data scope); NotFound otherwise."""
    require(session, actor, INSPECTION, "read")
    row = session.scalar(select(GuaranteeInspection).where(GuaranteeInspection.id == inspection_id))
    if row is None:
        raise NotFound("No inspection with that id.", field="id")
    get_project(session, actor, row.project_id)
    return row


def attachment_guard(session: Session, actor: Actor, entity_id: str) -> None:
    """Files of an inspection (entity ``guarantee:inspection``, id = the inspection id) are for those who may read
    it: guarantee:inspection:read and its project in the data scope. Anyone else gets NotFound."""
    inspection_id = entity_uuid(entity_id)
    if not allowed(session, actor, INSPECTION, "read"):
        raise NotFound("No inspection with that id.", field="entity_id")
    row = session.scalar(select(GuaranteeInspection).where(GuaranteeInspection.id == inspection_id))
    if row is None:
        raise NotFound("No inspection with that id.", field="entity_id")
    try:
        get_project(session, actor, row.project_id)
    except NotFound:
        raise NotFound("No inspection with that id.", field="entity_id") from None


# ---------------------------------------------------------------- due and late -------------------------------------


@dataclasses.dataclass
class DueInspection:
    """An inspection due (or late) on one project: who manages it and by how much it is late."""

    plan: GuaranteeInspectionPlan
    project_id: uuid.UUID
    project_no: str | None
    org_unit_id: uuid.UUID | None
    manager_a_id: uuid.UUID
    manager_b_id: uuid.UUID | None
    manager_a_name: str
    manager_b_name: str | None
    next_due: dt.date
    #: Days since the due date (0 when not late yet).
    days_late: int

    @property
    def late(self) -> bool:
        return self.days_late > 0


#: Listing order of the due list: earliest due date (the most late) first, then the plan id.
DUE_ORDER = (GuaranteeInspectionPlan.next_due, GuaranteeInspectionPlan.id)


def due_statement(session: Session, actor: Actor, *, within_days: int = 7, late_only: bool = False,
                  today: dt.date | None = None) -> Select:
    """A SELECT of the active plans of effective projects in the actor's data scope whose next inspection is due
    within ``within_days`` (0..366) of the business date, or already late (``late_only``: late ones only). Needs
    guarantee:inspection:read and guarantee:project:read."""
    require(session, actor, INSPECTION, "read")
    within = inputs.whole(within_days, "within_days", 0, MAX_WITHIN_DAYS, "days", what=Words(N_("The window")))
    today = today or _today()
    stmt = (select(GuaranteeInspectionPlan)
            .join(GuaranteeProject, GuaranteeProject.id == GuaranteeInspectionPlan.project_id)
            .where(GuaranteeInspectionPlan.active.is_(True), GuaranteeProject.status == STATUS_EFFECTIVE))
    if late_only:
        stmt = stmt.where(GuaranteeInspectionPlan.next_due < today)
    else:
        stmt = stmt.where(GuaranteeInspectionPlan.next_due <= today + dt.timedelta(days=within))
    return scoped(session, actor, stmt)


def describe_due(session: Session, plans: Iterable[GuaranteeInspectionPlan],
                 today: dt.date | None = None) -> list[DueInspection]:
    """The plans with their project and managers (one query for the projects and one for the users)."""

    plans = list(plans)
    today = today or _today()
    ids = list(dict.fromkeys(p.project_id for p in plans))
    projects = {p.id: p for p in session.scalars(select(GuaranteeProject).where(GuaranteeProject.id.in_(ids)))} \
        if ids else {}
    user_ids = list(dict.fromkeys(u for p in projects.values() for u in (p.manager_a_id, p.manager_b_id) if u))
    names = dict(session.execute(select(User.id, User.display_name).where(User.id.in_(user_ids))).all()) \
        if user_ids else {}
    out = []
    for plan in plans:
        project = projects[plan.project_id]
        out.append(DueInspection(
            plan=plan, project_id=project.id, project_no=project.project_no, org_unit_id=project.org_unit_id,
            manager_a_id=project.manager_a_id, manager_b_id=project.manager_b_id,
            manager_a_name=names.get(project.manager_a_id, ""),
            manager_b_name=names.get(project.manager_b_id) if project.manager_b_id else None,
            next_due=plan.next_due, days_late=max(0, (today - plan.next_due).days)))
    return out


def due_list(session: Session, actor: Actor, *, within_days: int = 7, late_only: bool = False,
             limit: int = 50) -> list[DueInspection]:
    """The first ``limit`` (1..200) inspections due within ``within_days`` or late, earliest due date first (GraphQL pages
    further with keyset cursors)."""
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIST:
        raise ValidationFailed("limit is a whole number between 1 and {max_list}.", field="limit",
                               max_list=MAX_LIST)
    today = _today()
    stmt = due_statement(session, actor, within_days=within_days, late_only=late_only, today=today)
    plans = session.scalars(stmt.order_by(*DUE_ORDER).limit(limit))
    return describe_due(session, plans, today)
