"""Approval conditions (审保会决议的附加条件): what the review committee attached to its approval of a project, tracked
to fulfilment. docs/guarantee/documents.md, "Approval conditions".

Each condition has a text, a kind (add a counter-guarantee, add a guarantor, a document, other) and a status: open
-> met (with evidence: attachments of the project and a note; who and when) or waived (by the approver, with a
reason). Every change is audited.

* Recorded from the resolution: when a committee step run of the project's approval settles "approved with
  conditions", each member's condition (the comment of an ``approve_with_conditions`` vote) becomes an open
  condition of the project, its kind read from the text (:func:`kind_of`); the committee secretary corrects the
  kind or adds a condition the resolution states (:func:`add_condition`, :func:`update_condition`).
* Counter-guarantees lock at approval; while a condition of kind ``add_counter_guarantee`` (any counter-guarantee)
  or ``add_guarantor`` (a third-party guarantee) is open, the counter-guarantee it requires may still be added
  (:func:`condition_allowing`, risk/counter_guarantees.py).
* Loan confirmation (finance/loans.py) is refused while any condition is open (:func:`refuse_open`).

The module sits in the lowest area (``project``) so that risk, finance and documents all use it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import JSON, ForeignKeyConstraint, Index, Integer, String, Uuid, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from surety.core import inputs
from surety.core.attachments.models import Attachment
from surety.core.audit.log import audit
from surety.core.authz.check import require
from surety.core.context import Actor
from surety.core.db.base import Base, TenantScoped
from surety.core.db.locking import lock_by_id
from surety.core.db.session import tenant_row
from surety.core.db.types import UTCDateTime, utcnow
from surety.core.errors import Conflict, NotFound, ValidationFailed
from surety.core.ids import as_uuid
from surety.core.workflow import definition as d
from surety.core.workflow.engine import KIND_VOTE
from surety.core.workflow.models import RUN_APPROVED, WorkflowStepRun, WorkflowTask
from surety.plugins.guarantee.permissions import CONDITION, MEETING
from surety.plugins.guarantee.project.models import (
    STATUS_APPROVED,
    STATUS_CONTRACTED,
    STATUS_IN_APPROVAL,
    GuaranteeProject,
)
from surety.plugins.guarantee.project.projects import get_project
from surety.plugins.guarantee.project.words import project_status

ENTITY = "guarantee:approval_condition"
PROJECT_ENTITY = "guarantee:project"

KIND_COUNTER_GUARANTEE = "add_counter_guarantee"
KIND_GUARANTOR = "add_guarantor"
KIND_DOCUMENT = "document"
KIND_OTHER = "other"
#: kind -> zh-CN label.
KINDS = {KIND_COUNTER_GUARANTEE: "追加反担保", KIND_GUARANTOR: "追加保证人", KIND_DOCUMENT: "补充资料",
         KIND_OTHER: "其他"}
#: Which counter-guarantee kinds an open condition of a kind allows to add after approval.
ALLOWS_COUNTER = {KIND_COUNTER_GUARANTEE: None, KIND_GUARANTOR: ("third_party",)}  # None: any kind

OPEN, MET, WAIVED = "open", "met", "waived"
STATUSES = {OPEN: "未落实", MET: "已落实", WAIVED: "已豁免"}
#: Project statuses in which conditions are recorded, met and waived (before the loan is confirmed).
LIVE_STATUSES = (STATUS_IN_APPROVAL, STATUS_APPROVED, STATUS_CONTRACTED)
RESULT_WITH_CONDITIONS = "approved_with_conditions"
TEXT_LIMIT, NOTE_LIMIT, MAX_EVIDENCE = 500, 1000, 20

#: Words of a condition's text -> its kind (the first match wins; the secretary corrects a wrong guess).
_KIND_WORDS = (
    (KIND_COUNTER_GUARANTEE, ("反担保", "抵押", "质押", "留置", "保证金", "定金")),
    (KIND_GUARANTOR, ("保证人", "担保人", "连带", "保证")),
    (KIND_DOCUMENT, ("资料", "材料", "文件", "证明", "报表", "报告", "协议", "合同", "决议")),
)


def _fk(column: str, table: str) -> ForeignKeyConstraint:
    return ForeignKeyConstraint(["tenant_id", column], [f"{table}.tenant_id", f"{table}.id"])


class GuaranteeApprovalCondition(TenantScoped, Base):
    """A condition the review committee attached to its approval of a project (the resolution: the committee step
    run), tracked open -> met (evidence) or waived (the approver, a reason)."""

    __tablename__ = "guarantee_approval_conditions"
    __table_args__ = (
        _fk("project_id", "guarantee_projects"), _fk("step_run_id", "workflow_step_runs"),
        _fk("proposed_by", "users"), _fk("met_by", "users"), _fk("waived_by", "users"),
        Index("ix_guarantee_approval_conditions_project", "tenant_id", "project_id", "status"),
    )

    project_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    #: The committee resolution (the committee step run of the project's approval) the condition belongs to.
    step_run_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    text: Mapped[str] = mapped_column(String(TEXT_LIMIT))
    kind: Mapped[str] = mapped_column(String(30), default=KIND_OTHER)
    status: Mapped[str] = mapped_column(String(10), default=OPEN)
    #: The member whose vote stated it (None when the secretary recorded it).
    proposed_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    #: ``vote`` (from a member's vote) or ``secretary``.
    source: Mapped[str] = mapped_column(String(12), default="vote")
    recorded_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    #: Attachment ids (entity ``guarantee:project``) proving the condition met.
    evidence_attachment_ids: Mapped[list] = mapped_column(JSON, default=list)
    evidence_note: Mapped[str] = mapped_column(String(NOTE_LIMIT), default="")
    met_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    met_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    waived_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    waived_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    waive_reason: Mapped[str] = mapped_column(String(NOTE_LIMIT), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


def kind_of(text: str) -> str:
    """The kind a condition's text most likely states (``other`` when no word says)."""
    for kind, words in _KIND_WORDS:
        if any(w in text for w in words):
            return kind
    return KIND_OTHER


def _image(row: GuaranteeApprovalCondition) -> dict[str, Any]:
    return {"project_id": str(row.project_id), "step_run_id": str(row.step_run_id) if row.step_run_id else None,
            "text": row.text, "kind": row.kind, "status": row.status,
            "evidence_attachment_ids": list(row.evidence_attachment_ids or []), "evidence_note": row.evidence_note,
            "met_by": str(row.met_by) if row.met_by else None, "waived_by": str(row.waived_by) if row.waived_by
            else None, "waive_reason": row.waive_reason}


# ---------------------------------------------------------------- reading -------------------------------------------

def _ordered(stmt):
    return stmt.order_by(GuaranteeApprovalCondition.created_at, GuaranteeApprovalCondition.position,
                         GuaranteeApprovalCondition.id)


def conditions_by_project(session: Session, project_ids: Iterable[uuid.UUID]
                          ) -> dict[uuid.UUID, list[GuaranteeApprovalCondition]]:
    """The conditions of each project (oldest first), one query; the caller has checked it may read them."""
    ids = list(set(project_ids))
    out: dict[uuid.UUID, list[GuaranteeApprovalCondition]] = {i: [] for i in ids}
    if ids:
        for row in session.scalars(_ordered(select(GuaranteeApprovalCondition)
                                            .where(GuaranteeApprovalCondition.project_id.in_(ids)))):
            out[row.project_id].append(row)
    return out


def conditions_by_run(session: Session, run_ids: Iterable[uuid.UUID]
                      ) -> dict[uuid.UUID, list[GuaranteeApprovalCondition]]:
    """The conditions recorded on each committee resolution (step run), one query."""
    ids = list(set(run_ids))
    out: dict[uuid.UUID, list[GuaranteeApprovalCondition]] = {i: [] for i in ids}
    if ids:
        for row in session.scalars(_ordered(select(GuaranteeApprovalCondition)
                                            .where(GuaranteeApprovalCondition.step_run_id.in_(ids)))):
            out[row.step_run_id].append(row)
    return out


def list_conditions(session: Session, actor: Actor, project_id: uuid.UUID) -> list[GuaranteeApprovalCondition]:
    """The project's conditions, oldest first (the project within the actor's data scope)."""
    project = get_project(session, actor, project_id)
    return conditions_by_project(session, [project.id])[project.id]


def open_conditions(session: Session, project_id: uuid.UUID) -> list[GuaranteeApprovalCondition]:
    return list(session.scalars(_ordered(select(GuaranteeApprovalCondition).where(
        GuaranteeApprovalCondition.project_id == project_id, GuaranteeApprovalCondition.status == OPEN))))


def refuse_open(session: Session, project: GuaranteeProject) -> None:
    """Conflict ``GUARANTEE_CONDITIONS_OPEN`` listing the project's open conditions, when there are any."""
    found = open_conditions(session, project.id)
    if found:
        listed = "；".join(f"{n}. {c.text}（{KINDS.get(c.kind, c.kind)}）" for n, c in enumerate(found, start=1))
        raise Conflict("Project {project_no} has {count} open condition(s) of the review committee's approval; the "
                       "guarantee takes effect (loan confirmation or issuance of the letter of guarantee) only once "
                       "all are met or waived by an approver: {listed}", code="GUARANTEE_CONDITIONS_OPEN",
                       field="project_id", project_no=project.project_no, count=len(found), listed=listed,
                       conditions=[str(c.id) for c in found])


def condition_allowing(session: Session, project_id: uuid.UUID, counter_kind: str
                       ) -> GuaranteeApprovalCondition | None:
    """The first open condition of the project that requires adding a counter-guarantee of ``counter_kind``."""
    for row in open_conditions(session, project_id):
        allowed = ALLOWS_COUNTER.get(row.kind, ())
        if allowed is None or counter_kind in allowed:
            return row
    return None


# ---------------------------------------------------------------- recording from the resolution ----------------------

def _committee_runs(session: Session, instance_id: uuid.UUID) -> list[WorkflowStepRun]:
    return list(session.scalars(select(WorkflowStepRun).where(
        WorkflowStepRun.instance_id == instance_id, WorkflowStepRun.kind == d.COMMITTEE,
        WorkflowStepRun.status == RUN_APPROVED).order_by(WorkflowStepRun.started_at, WorkflowStepRun.id)
        .execution_options(populate_existing=True)))


def record_from_resolutions(session: Session, project: GuaranteeProject) -> list[GuaranteeApprovalCondition]:
    """Record the conditions of every committee resolution of the project's approval that passed "with conditions"
    and has none recorded yet: one open condition per member's conditional vote (its comment), kind from the text.
    Idempotent (a resolution is recorded once)."""
    if project.workflow_instance_id is None:
        return []
    runs = [r for r in _committee_runs(session, project.workflow_instance_id)
            if (r.resolution or {}).get("result") == RESULT_WITH_CONDITIONS]
    if not runs:
        return []
    done = {r for r in session.scalars(select(GuaranteeApprovalCondition.step_run_id).where(
        GuaranteeApprovalCondition.project_id == project.id,
        GuaranteeApprovalCondition.step_run_id.in_([r.id for r in runs])))}
    made = []
    for run in runs:
        if run.id in done:
            continue
        order = [uuid.UUID(t) for t in (run.resolution or {}).get("vote_tasks", ())]
        tasks = {t.id: t for t in session.scalars(select(WorkflowTask).where(
            WorkflowTask.id.in_(order), WorkflowTask.kind == KIND_VOTE))} if order else {}
        seen: set[str] = set()
        for task in (tasks[i] for i in order if i in tasks):
            text = " ".join((task.comment or "").split())[:TEXT_LIMIT]
            if task.decision != "approve_with_conditions" or not text or text in seen:
                continue
            seen.add(text)
            row = GuaranteeApprovalCondition(project_id=project.id, step_run_id=run.id, position=len(seen),
                                             text=text, kind=kind_of(text), proposed_by=task.assignee_id,
                                             source="vote")
            session.add(row)
            made.append(row)
    if made:
        session.flush()
        for row in made:
            audit(session, "guarantee.condition.recorded", entity_type=ENTITY, entity_id=row.id, after=_image(row))
    return made


def on_event(session: Session, event) -> None:
    """A step of a project's approval was entered (the committee has just settled) or the approval ended approved:
    record the conditions its committee resolutions attached (:func:`record_from_resolutions`)."""
    kind = event.event_type
    if kind == "WorkflowStepEntered":
        if getattr(event, "subject_type", None) != PROJECT_ENTITY:
            return
        project_id = as_uuid(event.subject_id)
    elif kind == "GuaranteeProjectDecided" and event.result == "approved" and event.conditions:
        project_id = event.project_id
    else:
        return
    project = tenant_row(session, GuaranteeProject, project_id)  # from memory when loaded
    if project is None or project.workflow_instance_id is None:
        return
    if kind == "WorkflowStepEntered" and project.workflow_instance_id != event.instance_id:
        return
    record_from_resolutions(session, project)


# ---------------------------------------------------------------- the secretary -----------------------------------

def _live_project(session: Session, actor: Actor, project_id: uuid.UUID) -> GuaranteeProject:
    project = get_project(session, actor, project_id)
    project = lock_by_id(session, GuaranteeProject, project.id, "status", "guarantee project", "project_id")
    if project.status not in LIVE_STATUSES:
        raise Conflict("Project {project_no} is {status}: conditions are recorded and met only while the project is "
                       "in approval, approved or contracted (before the loan is confirmed).", field="project_id",
                       project_no=project.project_no, status=project_status(project.status))
    return project


def _text(value: Any) -> str:
    text = " ".join(inputs.text(value, "text", TEXT_LIMIT).split())
    if not text:
        raise ValidationFailed("Give the text of the condition.", field="text")
    return text


def _kind(value: Any) -> str:
    if value not in KINDS:
        raise ValidationFailed("A condition's kind is one of {kinds} ({labels}).", field="kind",
                               kinds=", ".join(KINDS), labels="、".join(KINDS.values()))
    return value


def add_condition(session: Session, actor: Actor, project_id: uuid.UUID, *, text: Any,
                  kind: Any) -> GuaranteeApprovalCondition:
    """The committee secretary (meeting:manage) records a condition the resolution states, on the project's latest
    committee resolution that approved it (a project without one is refused)."""
    require(session, actor, MEETING, "manage")
    project = _live_project(session, actor, project_id)
    runs = _committee_runs(session, project.workflow_instance_id) if project.workflow_instance_id else []
    if not runs:
        raise Conflict("Project {project_no} has no approving resolution of the review committee: no condition can "
                       "be recorded.", field="project_id", project_no=project.project_no)
    row = GuaranteeApprovalCondition(project_id=project.id, step_run_id=runs[-1].id, text=_text(text),
                                     kind=_kind(kind), source="secretary", recorded_by=actor.id,
                                     position=len(conditions_by_run(session, [runs[-1].id])[runs[-1].id]) + 1)
    session.add(row)
    session.flush()
    audit(session, "guarantee.condition.added", entity_type=ENTITY, entity_id=row.id, after=_image(row), actor=actor)
    return row


def _locked(session: Session, actor: Actor, condition_id: uuid.UUID | str
            ) -> tuple[GuaranteeApprovalCondition, GuaranteeProject]:
    try:
        ident = condition_id if isinstance(condition_id, uuid.UUID) else uuid.UUID(str(condition_id))
    except ValueError:
        raise NotFound("No approval condition with that id.", field="condition_id") from None
    row = session.scalar(select(GuaranteeApprovalCondition).where(GuaranteeApprovalCondition.id == ident))
    if row is None:
        raise NotFound("No approval condition with that id.", field="condition_id")
    try:
        project = _live_project(session, actor, row.project_id)
    except NotFound:
        raise NotFound("No approval condition with that id.", field="condition_id") from None
    row = lock_by_id(session, GuaranteeApprovalCondition, ident, "status", "approval condition", "condition_id")
    if row.status != OPEN:
        raise Conflict("The condition is met already and cannot be changed." if row.status == MET else
                       "The condition is waived already and cannot be changed.", field="condition_id")
    return row, project


def update_condition(session: Session, actor: Actor, condition_id: uuid.UUID | str, *, text: Any = None,
                     kind: Any = None) -> GuaranteeApprovalCondition:
    """The secretary (meeting:manage) corrects an open condition's text or kind."""
    require(session, actor, MEETING, "manage")
    row, _ = _locked(session, actor, condition_id)
    before = _image(row)
    if text is not None:
        row.text = _text(text)
    if kind is not None:
        row.kind = _kind(kind)
    row.updated_at = utcnow()
    session.flush()
    audit(session, "guarantee.condition.updated", entity_type=ENTITY, entity_id=row.id, before=before,
          after=_image(row), actor=actor)
    return row


# ---------------------------------------------------------------- meeting and waiving ------------------------------

def _evidence(session: Session, project: GuaranteeProject, attachment_ids: Iterable[uuid.UUID | str]) -> list[str]:
    ids = []
    for raw in attachment_ids or ():
        try:
            ids.append(raw if isinstance(raw, uuid.UUID) else uuid.UUID(str(raw)))
        except ValueError:
            raise NotFound("No attachment with that id.", field="attachment_ids") from None
    ids = list(dict.fromkeys(ids))
    if not ids:
        raise ValidationFailed("Meeting a condition needs evidence: attachments of the project (upload them to the "
                               "project first).", field="attachment_ids")
    if len(ids) > MAX_EVIDENCE:
        raise ValidationFailed("At most {limit} pieces of evidence.", field="attachment_ids", limit=MAX_EVIDENCE)
    found = set(session.scalars(select(Attachment.id).where(
        Attachment.id.in_(ids), Attachment.deleted_at.is_(None), Attachment.entity_type == PROJECT_ENTITY,
        Attachment.entity_id == str(project.id))))
    missing = [i for i in ids if i not in found]
    if missing:
        raise NotFound("{count} of the evidence files are not attachments of this project (upload them to project "
                       "{project_no} first).", field="attachment_ids", count=len(missing),
                       project_no=project.project_no)
    return [str(i) for i in ids]


def meet_condition(session: Session, actor: Actor, condition_id: uuid.UUID | str, *,
                   attachment_ids: Iterable[uuid.UUID | str], note: Any = None) -> GuaranteeApprovalCondition:
    """Record an open condition as met (condition:meet) with its evidence: attachments of the project (at least
    one) and a note."""
    require(session, actor, CONDITION, "meet")
    row, project = _locked(session, actor, condition_id)
    evidence = _evidence(session, project, attachment_ids)
    before = _image(row)
    row.status, row.evidence_attachment_ids = MET, evidence
    row.evidence_note = inputs.text(note, "note", NOTE_LIMIT)
    row.met_by, row.met_at = actor.id_uuid, utcnow()
    row.updated_at = row.met_at
    session.flush()
    audit(session, "guarantee.condition.met", entity_type=ENTITY, entity_id=row.id, before=before,
          after=_image(row), actor=actor)
    return row


def waive_condition(session: Session, actor: Actor, condition_id: uuid.UUID | str, *,
                    reason: Any) -> GuaranteeApprovalCondition:
    """Waive an open condition (condition:waive, held by the approver) with a reason."""
    require(session, actor, CONDITION, "waive")
    reason_text = inputs.text(reason, "reason", NOTE_LIMIT).strip()
    if not reason_text:
        raise ValidationFailed("Waiving a condition needs a reason.", field="reason")
    row, _ = _locked(session, actor, condition_id)
    before = _image(row)
    row.status, row.waive_reason = WAIVED, reason_text
    row.waived_by, row.waived_at = actor.id_uuid, utcnow()
    row.updated_at = row.waived_at
    session.flush()
    audit(session, "guarantee.condition.waived", entity_type=ENTITY, entity_id=row.id, before=before,
          after=_image(row), actor=actor)
    return row
