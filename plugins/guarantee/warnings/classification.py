"""Five-category risk classification (风险分类: 正常/关注/次级/可疑/损失) of guarantees, changed by approval only
(docs/guarantee/warnings.md, "Risk classification").

:func:`propose_change` (guarantee:classification:propose) proposes a new class for a project that still carries
risk: an effective guarantee, or a released one whose compensation receivable is still open (the customer still
owes the company). A project has at most one pending change. The proposal starts ``guarantee.risk_classification``
(subject ``guarantee:classification``, id = the change): review by the department head of the project's org unit,
then approval by an executive. Approved -> the project's ``risk_class`` becomes the proposed class (audited,
GuaranteeRiskClassified); rejected or withdrawn -> the change is ``rejected``.

:func:`suggested_class` derives a class from the open overdue report's days past due (SUGGESTION_THRESHOLDS);
:func:`classification_of` shows it next to the current class.

Compensation is an input: once compensation has been paid on a project (GuaranteeCompensationPaid) its class is at
least RISK_ON_COMPENSATION (次级 substandard). :func:`on_event` raises a lower class to it at once (a change row
recorded ``approved`` with the reason COMPENSATION_REASON, no workflow: the payment itself was approved through the
claim's process; audited, GuaranteeRiskClassified); :func:`floor_class` is that minimum, which a proposal may not go
below and an approved change never takes the project under. A ``compensated`` project carries risk while its
compensation receivable is open.
"""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from surety.core import inputs
from surety.core.audit.log import audit
from surety.core.authz.check import require
from surety.core.context import Actor
from surety.core.db.locking import lock_by_id
from surety.core.db.types import utcnow
from surety.core.errors import Conflict, ValidationFailed
from surety.core.events import raise_event
from surety.core.ids import as_uuid
from surety.core.workflow import helpers
from surety.plugins.guarantee.compensation import words
from surety.plugins.guarantee.compensation.models import (
    CLAIM_COMPENSATED,
    RECEIVABLE_OPEN,
    GuaranteeCompensation,
    GuaranteeCompensationReceivable,
)
from surety.plugins.guarantee.origination.approval import project_basics
from surety.plugins.guarantee.permissions import CLASSIFICATION, WARNING
from surety.plugins.guarantee.project.models import (
    RISK_CLASSES,
    RISK_NORMAL,
    RISK_ON_COMPENSATION,
    STATUS_COMPENSATED,
    STATUS_EFFECTIVE,
    STATUS_RELEASED,
    GuaranteeProject,
    risk_rank,
)
from surety.plugins.guarantee.project.projects import get_project
from surety.plugins.guarantee.project.words import project_status
from surety.plugins.guarantee.warnings.early_warnings import SYSTEM_ID, open_report
from surety.plugins.guarantee.warnings.events import GuaranteeRiskClassified
from surety.plugins.guarantee.warnings.models import (
    CHANGE_APPROVED,
    CHANGE_PROPOSED,
    CHANGE_REJECTED,
    GuaranteeClassificationChange,
)

ENTITY = "guarantee:classification"
SUBJECT_TYPE = "guarantee:classification"
DEFINITION_KEY = "guarantee.risk_classification"

#: Suggested class by the open overdue report's days past due: the first row whose bound the days exceed wins;
#: 0 days (or no open report) is ``normal``. A module constant for now; to become a tenant setting later.
SUGGESTION_THRESHOLDS: tuple[tuple[int, str], ...] = (
    (360, "loss"), (270, "doubtful"), (90, "substandard"), (0, "special_mention"),
)

CLASSIFICATION_PROCESS = {
    "key": DEFINITION_KEY,
    "name": "Risk classification change",
    "subject_type": SUBJECT_TYPE,
    "start": "review",
    "steps": [
        helpers.task_step("review", "部门审核 Department review", {"role": "department_head", "org_unit": "subject"},
                          [{"to": "approval"}, {"to": "rejected", "on": "reject"}], days=3, escalate_to="executive"),
        helpers.task_step("approval", "分管领导审批 Executive approval", {"role": "executive"},
                          [{"to": "approved"}, {"to": "rejected", "on": "reject"}], days=3, escalate_to="admin"),
        helpers.end_step("approved"),
        helpers.end_step("rejected"),
    ],
}


def _image(c: GuaranteeClassificationChange) -> dict:
    return {"project_id": str(c.project_id), "from_class": c.from_class, "to_class": c.to_class, "reason": c.reason,
            "status": c.status, "workflow_instance_id": str(c.workflow_instance_id) if c.workflow_instance_id else None}


def class_for_days(days: int) -> str:
    """The class SUGGESTION_THRESHOLDS gives ``days`` past due."""
    for bound, risk_class in SUGGESTION_THRESHOLDS:
        if days > bound:
            return risk_class
    return "normal"


def suggested_class(session: Session, project: GuaranteeProject) -> str:
    """The class the open overdue report's days past due suggest (``normal`` without an open report)."""

    report = open_report(session, project.id)
    return class_for_days(report.days_past_due if report is not None else 0)


#: The reason of the change recorded when a compensation payment raises a project's class.
COMPENSATION_REASON = "已代偿：风险分类调整为不低于次级 (compensation paid: at least substandard)"


def floor_class(session: Session, project: GuaranteeProject) -> str:
    """The lowest class the project may have: RISK_ON_COMPENSATION once compensation was paid on it, else normal."""
    paid = session.scalar(select(GuaranteeCompensation.id).where(
        GuaranteeCompensation.project_id == project.id, GuaranteeCompensation.status == CLAIM_COMPENSATED).limit(1))
    return RISK_ON_COMPENSATION if paid is not None else RISK_NORMAL


def worse(a: str, b: str) -> str:
    """The worse of two classes."""
    return a if risk_rank(a) >= risk_rank(b) else b


def on_event(session: Session, event) -> GuaranteeClassificationChange | None:
    """``surety_handle_event``: on GuaranteeCompensationPaid, raise the project's class to at least
    RISK_ON_COMPENSATION (see the module's docstring); the change row recorded, or None when nothing changed."""
    if event.event_type != "GuaranteeCompensationPaid":
        return None
    project = lock_by_id(session, GuaranteeProject, event.project_id, "risk_class", "guarantee project", "project_id")
    target = worse(project.risk_class, RISK_ON_COMPENSATION)
    if target == project.risk_class:
        return None
    from_class, now = project.risk_class, utcnow()
    change = GuaranteeClassificationChange(project_id=project.id, from_class=from_class, to_class=target,
                                           reason=COMPENSATION_REASON, status=CHANGE_APPROVED, decided_at=now)
    session.add(change)
    project.risk_class, project.updated_at = target, now
    session.flush()
    audit(session, "guarantee.classification.compensated", entity_type=ENTITY, entity_id=change.id, before=None,
          after={**_image(change), "compensation_id": str(event.compensation_id)})
    audit(session, "guarantee.project.risk_classified", entity_type="guarantee:project", entity_id=project.id,
          before={"risk_class": from_class}, after={"risk_class": target, "change_id": str(change.id)})
    raise_event(session, GuaranteeRiskClassified(project_id=project.id, change_id=change.id, from_class=from_class,
                                                 to_class=target))
    return change


def carries_risk(session: Session, project: GuaranteeProject) -> bool:
    """Whether a project's class may change: effective, or released or compensated with an open compensation
    receivable."""
    if project.status == STATUS_EFFECTIVE:
        return True
    if project.status not in (STATUS_RELEASED, STATUS_COMPENSATED):
        return False
    return session.scalar(select(GuaranteeCompensationReceivable.id).where(
        GuaranteeCompensationReceivable.project_id == project.id,
        GuaranteeCompensationReceivable.status == RECEIVABLE_OPEN)) is not None


def propose_change(session: Session, actor: Actor, project_id: uuid.UUID, *, to_class: str,
                   reason: str) -> GuaranteeClassificationChange:
    """Propose ``to_class`` (a key of RISK_CLASSES, different from the current class) for a project in the actor's
    data scope that carries risk (:func:`carries_risk`), with a reason; one pending change per project. Starts
    ``guarantee.risk_classification`` as the actor (needs core:workflow:start too)."""

    require(session, actor, CLASSIFICATION, "propose")
    if to_class not in RISK_CLASSES:
        raise ValidationFailed("A risk class is one of {classes}.", field="to_class", classes=", ".join(RISK_CLASSES))
    text = inputs.text(reason, "reason", 1000, required=True)
    get_project(session, actor, project_id)
    project = lock_by_id(session, GuaranteeProject, project_id, "status", "guarantee project", "project_id")
    if not carries_risk(session, project):
        raise Conflict("The risk class changes on an effective guarantee, or a released or compensated one with an "
                       "open compensation receivable; project {project_no} is {status}.",
                       field="project_id", project_no=project.project_no, status=project_status(project.status))
    if to_class == project.risk_class:
        raise ValidationFailed("The project is already {to_class} ({label}).", field="to_class", to_class=to_class,
                               label=words.risk_class(to_class))
    floor = floor_class(session, project)
    if risk_rank(to_class) < risk_rank(floor):
        raise ValidationFailed("The project was compensated: its risk class (to_class) cannot be below {floor_label} "
                               "({floor}); {to_label} ({to_class}) was proposed.", field="to_class",
                               floor=floor, floor_label=words.risk_class(floor), to_class=to_class,
                               to_label=words.risk_class(to_class))
    pending = session.scalar(select(GuaranteeClassificationChange.id).where(
        GuaranteeClassificationChange.project_id == project.id,
        GuaranteeClassificationChange.status == CHANGE_PROPOSED))
    if pending is not None:
        raise Conflict("This project already has a classification change awaiting approval.", field="project_id",
                       change_id=str(pending))
    row = GuaranteeClassificationChange(project_id=project.id, from_class=project.risk_class, to_class=to_class,
                                        reason=text, status=CHANGE_PROPOSED, proposed_by=actor.id_uuid)
    session.add(row)
    session.flush()
    instance = helpers.start(session, actor, SYSTEM_ID, definition_key=DEFINITION_KEY, subject_type=SUBJECT_TYPE,
                             subject_id=str(row.id), subject=_fields_of(project, row),
                             title=f"风险分类 {project.project_no} {RISK_CLASSES[row.from_class]}→"
                                   f"{RISK_CLASSES[to_class]}")
    row.workflow_instance_id = instance.id
    session.flush()
    audit(session, "guarantee.classification.proposed", entity_type=ENTITY, entity_id=row.id, before=None,
          after=_image(row), actor=actor)
    return row


def _fields_of(project: GuaranteeProject, change: GuaranteeClassificationChange) -> dict[str, Any]:
    return {**project_basics(project), "change_id": str(change.id), "amount": project.amount,
            "from_class": change.from_class, "to_class": change.to_class, "status": change.status}


def subject_fields(session: Session, subject_id: str) -> dict[str, Any] | None:
    """What the process's conditions and assignee rules read: the change's classes and its project's number, org
    unit, manager, amount and in-force balance."""
    change_id = as_uuid(subject_id)
    change = change_id and session.scalar(select(GuaranteeClassificationChange)
                                          .where(GuaranteeClassificationChange.id == change_id))
    if not change:
        return None
    project = session.scalar(select(GuaranteeProject).where(GuaranteeProject.id == change.project_id))
    return _fields_of(project, change)


def ended(session: Session, event) -> None:
    """The change's process ended: approved -> the project's class becomes ``to_class`` (audited,
    GuaranteeRiskClassified); rejected or withdrawn -> the change is rejected."""
    change_id = as_uuid(event.subject_id)
    change = change_id and session.scalar(select(GuaranteeClassificationChange)
                                          .where(GuaranteeClassificationChange.id == change_id))
    if not change or change.workflow_instance_id != event.instance_id or change.status != CHANGE_PROPOSED:
        return
    before = _image(change)
    change.decided_at = utcnow()
    if event.result != "approved":
        change.status = CHANGE_REJECTED
        session.flush()
        audit(session, "guarantee.classification.rejected", entity_type=ENTITY, entity_id=change.id, before=before,
              after={**_image(change), "result": event.result})
        return
    project = lock_by_id(session, GuaranteeProject, change.project_id, "risk_class", "guarantee project", "project_id")
    from_class = project.risk_class
    # Proposed before a compensation was paid, a change may aim below the floor compensation set: it stops there.
    project.risk_class, project.updated_at = worse(change.to_class, floor_class(session, project)), utcnow()
    change.status = CHANGE_APPROVED
    session.flush()
    audit(session, "guarantee.classification.approved", entity_type=ENTITY, entity_id=change.id, before=before,
          after=_image(change))
    audit(session, "guarantee.project.risk_classified", entity_type="guarantee:project", entity_id=project.id,
          before={"risk_class": from_class}, after={"risk_class": project.risk_class, "change_id": str(change.id)})
    raise_event(session, GuaranteeRiskClassified(project_id=project.id, change_id=change.id, from_class=from_class,
                                                 to_class=project.risk_class))


# ---------------------------------------------------------------- reading -----------------------------------------


def changes_of(session: Session, actor: Actor, project_id: uuid.UUID) -> list[GuaranteeClassificationChange]:
    """A project's classification changes, latest first (guarantee:warning:read, within the data scope)."""
    require(session, actor, WARNING, "read")
    project = get_project(session, actor, project_id)
    return list(session.scalars(select(GuaranteeClassificationChange)
                                .where(GuaranteeClassificationChange.project_id == project.id)
                                .order_by(GuaranteeClassificationChange.created_at.desc(),
                                          GuaranteeClassificationChange.id)))


@dataclasses.dataclass(frozen=True)
class ClassificationView:
    project: GuaranteeProject
    current: str
    suggested: str
    days_past_due: int | None
    pending: GuaranteeClassificationChange | None


def classification_of(session: Session, actor: Actor, project_id: uuid.UUID) -> ClassificationView:
    """A project's current class, the suggested one (from the open overdue report, ``days_past_due`` None without
    one) and the pending change (guarantee:warning:read, within the data scope)."""

    require(session, actor, WARNING, "read")
    project = get_project(session, actor, project_id)
    report = open_report(session, project.id)
    days = report.days_past_due if report is not None else None
    pending = session.scalar(select(GuaranteeClassificationChange).where(
        GuaranteeClassificationChange.project_id == project.id,
        GuaranteeClassificationChange.status == CHANGE_PROPOSED))
    return ClassificationView(project=project, current=project.risk_class, suggested=class_for_days(days or 0),
                              days_past_due=days, pending=pending)


DEFINITIONS: list[dict] = [CLASSIFICATION_PROCESS]
SUBJECTS: dict = {SUBJECT_TYPE: (subject_fields, ended)}
