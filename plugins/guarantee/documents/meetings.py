"""Review committee meetings (审保会): scheduling a meeting with its members, chair and agenda of projects waiting at
their committee step, opening it (each project's committee is convened through the workflow engine with the
meeting's members and chair), and the meeting as it stands: per project the votes, recusals, outcome and conditions
the engine settled. Members vote through the engine (``core.workflow.actions.act(..., "vote")``)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from surety.core import inputs
from surety.core.audit.log import audit
from surety.core.authz.check import require
from surety.core.context import Actor
from surety.core.db.types import utcnow
from surety.core.errors import Conflict, NotFound, ValidationFailed
from surety.core.identity.models import USER_ACTIVE, User
from surety.core.ports import customers as door
from surety.core.workflow import definition as d
from surety.core.workflow.actions import CONVENE, act
from surety.core.workflow.engine import KIND_CONVENE, KIND_VOTE, business_today, definition_of
from surety.core.workflow.models import INSTANCE_RUNNING, TASK_OPEN, WorkflowInstance, WorkflowStepRun, WorkflowTask
from surety.plugins.guarantee.documents.models import (
    MEETING_OPEN,
    GuaranteeMeeting,
    GuaranteeMeetingItem,
    GuaranteeMeetingMember,
)
from surety.plugins.guarantee.permissions import MEETING
from surety.plugins.guarantee.project.models import GuaranteeProject

ENTITY = "guarantee:meeting"
#: An agenda item's state: waiting for the meeting to open, members voting, settled, or short of a quorum after
#: recusals (the secretary convenes it again: open the meeting again or put it on another meeting).
ITEM_SCHEDULED, ITEM_VOTING, ITEM_DECIDED, ITEM_NO_QUORUM = "scheduled", "voting", "decided", "no_quorum"


# ---------------------------------------------------------------- scheduling ----------------------------------------

def _uuid(value: uuid.UUID | str, field_name: str) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        raise NotFound("No record with that id.", field=field_name) from None


def _members(session: Session, member_ids: Iterable[uuid.UUID | str]) -> list[uuid.UUID]:
    ids = list(dict.fromkeys(_uuid(m, "member_ids") for m in member_ids))
    if not ids:
        raise ValidationFailed("A meeting needs its members.", field="member_ids")
    active = set(session.scalars(select(User.id).where(User.id.in_(ids), User.status == USER_ACTIVE)))
    if len(active) != len(ids):
        raise NotFound("{count} member(s) are not active users of this company.",
                       field="member_ids", count=len(ids) - len(active))
    return ids


def waiting_for_committee(session: Session, project: GuaranteeProject) -> tuple[WorkflowInstance, WorkflowTask]:
    """The project's running approval and its open convening task, when the approval waits at a committee step;
    ValidationFailed naming the project otherwise."""
    instance = session.scalar(select(WorkflowInstance).where(WorkflowInstance.id == project.workflow_instance_id)
                              .execution_options(populate_existing=True)) if project.workflow_instance_id else None
    if instance is None or instance.status != INSTANCE_RUNNING:
        raise ValidationFailed("Project {project_no} has no approval in progress.", field="project_ids",
                               project_no=project.project_no)
    step = definition_of(session, instance).step(instance.current_step) if instance.current_step else None
    task = session.scalar(select(WorkflowTask).where(
        WorkflowTask.instance_id == instance.id, WorkflowTask.step_key == instance.current_step,
        WorkflowTask.kind == KIND_CONVENE, WorkflowTask.status == TASK_OPEN)
        .execution_options(populate_existing=True)) if step is not None and step.kind == d.COMMITTEE else None
    if task is None:
        where = step.name if step is not None else instance.current_step
        raise ValidationFailed("Project {project_no} is not waiting for the review committee (its approval "
                               "is at {where!r}).", field="project_ids", project_no=project.project_no, where=where)
    return instance, task


def _agenda(session: Session,
            project_ids: Iterable[uuid.UUID | str]) -> list[tuple[GuaranteeProject, WorkflowInstance]]:
    ids = list(dict.fromkeys(_uuid(p, "project_ids") for p in project_ids))
    if not ids:
        raise ValidationFailed("Put at least one project on the agenda.", field="project_ids")
    projects = {p.id: p for p in session.scalars(select(GuaranteeProject).where(GuaranteeProject.id.in_(ids)))}
    out = []
    for pid in ids:
        project = projects.get(pid)
        if project is None:
            raise NotFound("No guarantee project with that id.", field="project_ids")
        instance, _ = waiting_for_committee(session, project)
        other = session.execute(select(GuaranteeMeeting.title, GuaranteeMeeting.meeting_date).join(
            GuaranteeMeetingItem, GuaranteeMeetingItem.meeting_id == GuaranteeMeeting.id).where(
            GuaranteeMeetingItem.project_id == pid, GuaranteeMeetingItem.step_run_id.is_(None))).first()
        if other is not None:
            raise Conflict("Project {project_no} is already on the agenda of {title!r} "
                           "({other_date}).", field="project_ids", project_no=project.project_no, title=other.title,
                           other_date=other.meeting_date.isoformat())
        out.append((project, instance))
    return out


def schedule_meeting(session: Session, actor: Actor, *, meeting_date: dt.date, chair_id: uuid.UUID | str,
                     member_ids: Iterable[uuid.UUID | str], project_ids: Iterable[uuid.UUID | str],
                     title: str | None = None, place: str | None = None,
                     quorum_note: str | None = None) -> GuaranteeMeeting:
    """Schedule a review committee meeting (meeting:manage): today or later, its members (active users) with the
    chair among them, and an agenda of projects whose approval waits at a committee step (a project is on one
    pending agenda at a time). Quorum, pass ratio and veto are the committee step's (docs/workflow.md); whether
    the members may sit (their role) is checked when the meeting opens."""
    require(session, actor, MEETING, "manage")
    if not isinstance(meeting_date, dt.date):
        raise ValidationFailed("Give the meeting's date.", field="meeting_date")
    if meeting_date < business_today():
        raise ValidationFailed("A meeting is scheduled for today or a later day.", field="meeting_date")
    members = _members(session, member_ids)
    chair = _uuid(chair_id, "chair_id")
    if chair not in members:
        raise ValidationFailed("The chair must be one of the members.", field="chair_id")
    agenda = _agenda(session, project_ids)
    meeting = GuaranteeMeeting(title=inputs.text(title, "title", 200) or f"审保会 {meeting_date.isoformat()}",
                               meeting_date=meeting_date, place=inputs.text(place, "place", 200), chair_id=chair,
                               quorum_note=inputs.text(quorum_note, "quorum_note", 500), created_by=actor.id)
    session.add(meeting)
    session.flush()
    session.add_all(GuaranteeMeetingMember(meeting_id=meeting.id, user_id=u, position=n) for n, u in enumerate(members))
    session.add_all(GuaranteeMeetingItem(meeting_id=meeting.id, project_id=p.id, position=n,
                                         workflow_instance_id=i.id) for n, (p, i) in enumerate(agenda))
    session.flush()
    audit(session, "guarantee.meeting.scheduled", entity_type=ENTITY, entity_id=meeting.id, actor=actor,
          after={"meeting_date": meeting_date.isoformat(), "chair_id": str(chair),
                 "members": [str(m) for m in members], "projects": [str(p.id) for p, _ in agenda]})
    return meeting


# ---------------------------------------------------------------- opening -------------------------------------------

def get_meeting(session: Session, actor: Actor, meeting_id: uuid.UUID | str, *, act: str = "read",
                lock: bool = False) -> GuaranteeMeeting:
    require(session, actor, MEETING, act)
    stmt = select(GuaranteeMeeting).where(GuaranteeMeeting.id == _uuid(meeting_id, "meeting_id")) \
        .execution_options(populate_existing=True)
    meeting = session.scalar(stmt.with_for_update() if lock else stmt)
    if meeting is None:
        raise NotFound("No review committee meeting with that id.", field="meeting_id")
    return meeting


def _items(session: Session, meeting_id: uuid.UUID) -> list[GuaranteeMeetingItem]:
    return list(session.scalars(select(GuaranteeMeetingItem).where(GuaranteeMeetingItem.meeting_id == meeting_id)
                                .order_by(GuaranteeMeetingItem.position)))


def member_ids(session: Session, meeting_id: uuid.UUID) -> list[uuid.UUID]:
    return list(session.scalars(select(GuaranteeMeetingMember.user_id).where(
        GuaranteeMeetingMember.meeting_id == meeting_id).order_by(GuaranteeMeetingMember.position)))


def open_meeting(session: Session, actor: Actor, meeting_id: uuid.UUID | str, *,
                 today: dt.date | None = None) -> GuaranteeMeeting:
    """Open the meeting (meeting:manage): convene the committee of each agenda project through the workflow engine
    with the meeting's members and chair (the actor must be the committee secretary, a candidate of each convening
    task). Each member then gets a vote task per project. Opening again convenes only what waits to be convened
    (a project left without a quorum by recusals)."""

    meeting = get_meeting(session, actor, meeting_id, act="manage", lock=True)
    members, convened = member_ids(session, meeting.id), []
    for item in _items(session, meeting.id):
        project = session.scalars(select(GuaranteeProject).where(GuaranteeProject.id == item.project_id)).one()
        try:
            _, task = waiting_for_committee(session, project)
        except ValidationFailed:
            if item.step_run_id is not None:
                continue  # convened already: voting or settled
            raise Conflict("Project {project_no} is no longer waiting for the review committee; take it off "
                           "the agenda.", field="meeting_id", project_no=project.project_no) from None
        act(session, actor, task.id, CONVENE, members=members, chair=meeting.chair_id, today=today,
            comment=f"{meeting.title} ({meeting.meeting_date.isoformat()})")
        item.step_run_id, item.convened_at = task.step_run_id, utcnow()
        convened.append(str(project.id))
    if not convened:
        raise Conflict("Nothing to convene: every project on the agenda is already before the committee.",
                       field="meeting_id")
    meeting.status = MEETING_OPEN
    meeting.opened_at = meeting.opened_at or utcnow()
    session.flush()
    audit(session, "guarantee.meeting.opened", entity_type=ENTITY, entity_id=meeting.id, actor=actor,
          after={"convened": convened})
    return meeting


# ---------------------------------------------------------------- the meeting as it stands --------------------------

@dataclass(frozen=True)
class Vote:
    member_id: uuid.UUID
    member_name: str
    vote: str | None  # None while the member has not voted
    comment: str | None
    task_id: uuid.UUID
    voted_at: dt.datetime | None


@dataclass(frozen=True)
class AgendaItem:
    project_id: uuid.UUID
    project_no: str
    customer_name: str
    amount: Decimal
    status: str  # ITEM_*
    result: str | None  # approved, approved_with_conditions, rejected; None until settled
    votes: list[Vote] = field(default_factory=list)
    conditions: list[str] = field(default_factory=list)
    approvals: int = 0
    rejections: int = 0
    recusals: int = 0
    vetoed: bool = False
    decided_on: dt.date | None = None
    #: The committee step run (the resolution) this meeting convened; its tracked conditions hang on it
    #: (project/conditions.py).
    step_run_id: uuid.UUID | None = None

    @property
    def recused(self) -> list[Vote]:
        return [v for v in self.votes if v.vote == "recuse"]


@dataclass(frozen=True)
class MeetingView:
    meeting: GuaranteeMeeting
    members: list[tuple[uuid.UUID, str]]
    chair_name: str
    items: list[AgendaItem]


def _names(session: Session, user_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, str]:
    ids = list(set(user_ids))
    rows = session.execute(select(User.id, User.display_name, User.username).where(User.id.in_(ids))) if ids else []
    return {r.id: r.display_name or r.username for r in rows}


def _resolution(run: WorkflowStepRun | None) -> tuple[dict, str | None]:
    """The committee resolution of a convened item's step run and the item status it implies (None: scheduled)."""
    if run is None:
        return {}, None
    resolution = dict(run.resolution or {})
    status = ITEM_DECIDED if resolution.get("result") else ITEM_VOTING
    if "members" not in resolution and resolution.get("history"):
        resolution, status = dict(resolution["history"][-1]), ITEM_NO_QUORUM
    return resolution, status


def _item_view(item: GuaranteeMeetingItem, project: GuaranteeProject, customer: str, names: dict[uuid.UUID, str],
               run: WorkflowStepRun | None, tasks: dict[uuid.UUID, WorkflowTask]) -> AgendaItem:
    base = dict(project_id=project.id, project_no=project.project_no, customer_name=customer, amount=project.amount,
                step_run_id=item.step_run_id)
    resolution, status = _resolution(run)
    if status is None:
        return AgendaItem(**base, status=ITEM_SCHEDULED, result=None)
    task_ids = [uuid.UUID(t) for t in resolution.get("vote_tasks", ())]
    votes = [Vote(member_id=t.assignee_id, member_name=names.get(t.assignee_id, ""),
                  vote=t.decision if t.kind == KIND_VOTE and t.status != TASK_OPEN else None, comment=t.comment,
                  task_id=t.id, voted_at=t.completed_at) for t in (tasks[i] for i in task_ids if i in tasks)]
    decided_on = resolution.get("decided_on")
    return AgendaItem(**base, status=status, result=resolution.get("result") if status == ITEM_DECIDED else None,
                      votes=votes, conditions=list(resolution.get("conditions") or ()),
                      approvals=resolution.get("approvals", 0), rejections=resolution.get("rejections", 0),
                      recusals=resolution.get("recusals", 0), vetoed=bool(resolution.get("vetoed")),
                      decided_on=dt.date.fromisoformat(decided_on) if decided_on else None)


def meeting_view(session: Session, actor: Actor, meeting_id: uuid.UUID | str) -> MeetingView:
    """The meeting with its members and, per agenda project, the votes, recusals, outcome and conditions as the
    workflow engine settled them (meeting:read)."""
    meeting = get_meeting(session, actor, meeting_id)
    return meeting_views(session, actor, [meeting])[meeting.id]


def meeting_views(session: Session, actor: Actor, meetings: Iterable[GuaranteeMeeting]) -> dict[uuid.UUID, MeetingView]:
    """:func:`meeting_view` of meetings already read (e.g. a page of :func:`meetings_statement`), by meeting id: the
    same number of queries for one meeting or fifty (meeting:read)."""
    require(session, actor, MEETING, "read")
    meetings = list(meetings)
    ids = [m.id for m in meetings]
    if not ids:
        return {}
    items: dict[uuid.UUID, list[GuaranteeMeetingItem]] = {i: [] for i in ids}
    for item in session.scalars(select(GuaranteeMeetingItem).where(GuaranteeMeetingItem.meeting_id.in_(ids))
                                .order_by(GuaranteeMeetingItem.position, GuaranteeMeetingItem.id)):
        items[item.meeting_id].append(item)
    every = [i for rows in items.values() for i in rows]
    projects = {p.id: p for p in session.scalars(select(GuaranteeProject).where(
        GuaranteeProject.id.in_({i.project_id for i in every})))} if every else {}
    customers = door.names(session, {p.customer_id for p in projects.values()})
    members: dict[uuid.UUID, list[uuid.UUID]] = {i: [] for i in ids}
    for meeting_id, user_id in session.execute(
            select(GuaranteeMeetingMember.meeting_id, GuaranteeMeetingMember.user_id)
            .where(GuaranteeMeetingMember.meeting_id.in_(ids)).order_by(GuaranteeMeetingMember.position)):
        members[meeting_id].append(user_id)
    run_ids = list({i.step_run_id for i in every if i.step_run_id})
    runs = {r.id: r for r in session.scalars(select(WorkflowStepRun).where(WorkflowStepRun.id.in_(run_ids))
                                             .execution_options(populate_existing=True))} if run_ids else {}
    task_ids = {uuid.UUID(t) for r in runs.values() for t in _resolution(r)[0].get("vote_tasks", ())}
    tasks = {t.id: t for t in session.scalars(select(WorkflowTask).where(WorkflowTask.id.in_(task_ids))
                                              .execution_options(populate_existing=True))} if task_ids else {}
    voters = session.scalars(select(WorkflowTask.assignee_id).where(
        WorkflowTask.step_run_id.in_(run_ids), WorkflowTask.kind == KIND_VOTE)) if run_ids else []
    names = _names(session, [*(u for us in members.values() for u in us), *(m.chair_id for m in meetings),
                             *voters])
    out = {}
    for meeting in meetings:
        views = []
        for i in items[meeting.id]:
            project = projects[i.project_id]
            views.append(_item_view(i, project, customers.get(project.customer_id, ""), names,
                                    runs.get(i.step_run_id) if i.step_run_id else None, tasks))
        out[meeting.id] = MeetingView(meeting=meeting, members=[(m, names.get(m, "")) for m in members[meeting.id]],
                                      chair_name=names.get(meeting.chair_id, ""), items=views)
    return out


def meetings_statement(session: Session, actor: Actor, status: str | None = None):
    """The tenant's meetings (meeting:read) as a select for pagination, newest meeting date first."""
    require(session, actor, MEETING, "read")
    stmt = select(GuaranteeMeeting)
    return stmt.where(GuaranteeMeeting.status == status) if status else stmt


def meeting_attachment_guard(session: Session, actor: Actor, entity_id: str) -> None:
    """Files of entity ``guarantee:meeting`` (the minutes) are for those who may read the meeting."""
    get_meeting(session, actor, entity_id)
