"""Reading workflow state: task lists (SELECTs to paginate), an instance's timeline and its graph with the
current position. Each list is permission-checked; an instance is visible to its participants, its initiator and
holders of ``core:workflow:monitor``."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Select, and_, exists, or_, select
from sqlalchemy.orm import Session

from surety.core.authz.check import allowed, require
from surety.core.context import Actor
from surety.core.errors import NotFound, PermissionDenied
from surety.core.workflow.engine import definition_of
from surety.core.workflow.models import (
    INSTANCE_RUNNING,
    RUN_OPEN,
    TASK_DONE,
    TASK_OPEN,
    WorkflowEvent,
    WorkflowInstance,
    WorkflowStepRun,
    WorkflowTask,
    WorkflowTaskCandidate,
)


def my_open_tasks(session: Session, actor: Actor) -> Select:
    """Open tasks the actor may act on: assigned to them, or unclaimed with them among the candidates."""
    require(session, actor, "core:workflow_task", "act")
    mine = select(WorkflowTaskCandidate.task_id).where(
        WorkflowTaskCandidate.user_id == actor.id_uuid, WorkflowTaskCandidate.active.is_(True))
    return select(WorkflowTask).where(WorkflowTask.id.in_(mine), WorkflowTask.status == TASK_OPEN)


def org_unit_tasks(session: Session, actor: Actor) -> Select:
    """Open tasks about subjects of the actor's org unit."""
    require(session, actor, "core:workflow", "read")
    if actor.org_unit_id is None:
        return select(WorkflowTask).where(WorkflowTask.id.is_(None))
    return select(WorkflowTask).where(WorkflowTask.org_unit_id == actor.org_unit_id,
                                      WorkflowTask.status == TASK_OPEN)


def completed_tasks(session: Session, actor: Actor) -> Select:
    require(session, actor, "core:workflow", "read")
    return select(WorkflowTask).where(WorkflowTask.completed_by == actor.id_uuid, WorkflowTask.status == TASK_DONE)


def overdue_tasks(session: Session, actor: Actor, as_of: dt.date) -> Select:
    """Open tasks past their due date: every such task for monitors, else the actor's own."""
    stmt = select(WorkflowTask).where(WorkflowTask.status == TASK_OPEN, WorkflowTask.due_date < as_of)
    if allowed(session, actor, "core:workflow", "monitor"):
        return stmt
    return stmt.where(WorkflowTask.id.in_(my_open_tasks(session, actor).with_only_columns(WorkflowTask.id)))


def get_instance(session: Session, actor: Actor, instance_id: uuid.UUID) -> WorkflowInstance:
    """The instance, if the actor may see it (else NOT_FOUND, so ids are not confirmed to outsiders)."""
    require(session, actor, "core:workflow", "read")
    instance = session.scalar(select(WorkflowInstance).where(WorkflowInstance.id == instance_id))
    if instance is None or not _may_see(session, actor, instance):
        raise NotFound("No such workflow instance.", field="id")
    return instance


def _may_see(session: Session, actor: Actor, instance: WorkflowInstance) -> bool:
    me = actor.id_uuid
    if instance.initiator_id == me or allowed(session, actor, "core:workflow", "monitor"):
        return True
    took_part = select(WorkflowTask.id).where(
        WorkflowTask.instance_id == instance.id,
        or_(WorkflowTask.assignee_id == me, WorkflowTask.completed_by == me,
            WorkflowTask.id.in_(select(WorkflowTaskCandidate.task_id).where(WorkflowTaskCandidate.user_id == me))))
    return bool(session.scalar(select(exists(took_part))))


def task_instance(session: Session, actor: Actor, task_id: uuid.UUID) -> WorkflowTask:
    task = session.scalar(select(WorkflowTask).where(WorkflowTask.id == task_id))
    if task is None:
        raise NotFound("No such task.", field="id")
    get_instance(session, actor, task.instance_id)
    return task


def timeline(session: Session, instance: WorkflowInstance) -> list[WorkflowEvent]:
    return list(session.scalars(select(WorkflowEvent).where(WorkflowEvent.instance_id == instance.id)
                                .order_by(WorkflowEvent.seq)))


@dataclass(frozen=True)
class GraphNode:
    key: str
    name: str
    kind: str
    state: str  # current, done, pending (never visited or superseded)


@dataclass(frozen=True)
class GraphEdge:
    source: str
    target: str
    on: str
    when: str | None
    taken: bool


def graph(session: Session, instance: WorkflowInstance,
          runs: list[WorkflowStepRun] | None = None) -> tuple[list[GraphNode], list[GraphEdge]]:
    """The definition's steps and transitions, marked with where the instance is and what it went through
    (``runs``: the instance's step runs in visit order, when already loaded, e.g. by :func:`step_runs_of`)."""
    definition = definition_of(session, instance)
    if runs is None:
        runs = step_runs_of(session, [instance.id]).get(instance.id, [])
    visited = [r.step_key for r in runs]
    current = {r.step_key for r in runs if r.status == RUN_OPEN}
    if instance.current_step and instance.status != "running":
        visited.append(instance.current_step)  # the end step reached
    taken = set(zip(visited, visited[1:], strict=False))
    nodes = [GraphNode(s.key, s.name, s.kind,
                       "current" if s.key in current else "done" if s.key in visited else "pending")
             for s in definition.steps.values()]
    edges = [GraphEdge(s.key, t.to, t.on, t.when, (s.key, t.to) in taken)
             for s in definition.steps.values() for t in s.transitions]
    return nodes, edges


def require_participant(session: Session, actor: Actor, instance: WorkflowInstance) -> None:
    if not _may_see(session, actor, instance):
        raise PermissionDenied("Not a participant of this instance.")


# ---------------------------------------------------------------- batches (one query per kind, for list pages) -----


def visible_instance_ids(session: Session, actor: Actor, instances: Iterable[WorkflowInstance]) -> set[uuid.UUID]:
    """Which of ``instances`` the actor may see (:func:`get_instance`'s rule: ``core:workflow:read`` and initiator,
    monitor or participant), in at most one query however many instances."""
    instances = list(instances)
    if not instances or not allowed(session, actor, "core:workflow", "read"):
        return set()
    if allowed(session, actor, "core:workflow", "monitor"):
        return {i.id for i in instances}
    me = actor.id_uuid
    seen = {i.id for i in instances if me is not None and i.initiator_id == me}
    rest = [i.id for i in instances if i.id not in seen]
    if rest and me is not None:
        seen |= set(session.scalars(select(WorkflowTask.instance_id).where(
            WorkflowTask.instance_id.in_(rest),
            or_(WorkflowTask.assignee_id == me, WorkflowTask.completed_by == me,
                WorkflowTask.id.in_(select(WorkflowTaskCandidate.task_id)
                                    .where(WorkflowTaskCandidate.user_id == me)))).distinct()))
    return seen


def _by(rows, key) -> dict:
    out: dict = defaultdict(list)
    for row in rows:
        out[getattr(row, key)].append(row)
    return out


def open_tasks_of(session: Session, instance_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, list[WorkflowTask]]:
    """Open tasks per instance, oldest first (one query)."""
    ids = list(dict.fromkeys(instance_ids))
    if not ids:
        return {}
    return _by(session.scalars(select(WorkflowTask).where(WorkflowTask.instance_id.in_(ids),
                                                          WorkflowTask.status == TASK_OPEN)
                               .order_by(WorkflowTask.created_at, WorkflowTask.id)), "instance_id")


def timelines(session: Session, instance_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, list[WorkflowEvent]]:
    """:func:`timeline` of several instances (one query)."""
    ids = list(dict.fromkeys(instance_ids))
    if not ids:
        return {}
    return _by(session.scalars(select(WorkflowEvent).where(WorkflowEvent.instance_id.in_(ids))
                               .order_by(WorkflowEvent.instance_id, WorkflowEvent.seq)), "instance_id")


def step_runs_of(session: Session, instance_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, list[WorkflowStepRun]]:
    """The step runs of several instances, in the order visited (one query)."""
    ids = list(dict.fromkeys(instance_ids))
    if not ids:
        return {}
    return _by(session.scalars(select(WorkflowStepRun).where(WorkflowStepRun.instance_id.in_(ids))
                               .order_by(WorkflowStepRun.started_at, WorkflowStepRun.id)), "instance_id")


def candidates_of(session: Session, task_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, list[uuid.UUID]]:
    """The users each task is offered to (active candidates), sorted (one query)."""
    ids = list(dict.fromkeys(task_ids))
    if not ids:
        return {}
    out: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    for task_id, user_id in session.execute(
            select(WorkflowTaskCandidate.task_id, WorkflowTaskCandidate.user_id)
            .where(WorkflowTaskCandidate.task_id.in_(ids), WorkflowTaskCandidate.active.is_(True))
            .order_by(WorkflowTaskCandidate.user_id)):
        out[task_id].append(user_id)
    return out


@dataclass(frozen=True)
class CurrentStep:
    """Where a subject's running process stands: the instance, its current step and that step's open tasks with
    the users each is offered to (``candidates``: task id -> user ids; an assigned task keeps its assignee)."""

    instance: WorkflowInstance
    step_key: str
    step_name: str
    tasks: list[WorkflowTask]
    candidates: dict[uuid.UUID, list[uuid.UUID]]


def current_steps(session: Session, actor: Actor,
                  subjects: Iterable[tuple[str, str]]) -> dict[tuple[str, str], CurrentStep]:
    """The current step of each subject's running process, keyed by ``(subject_type, subject_id)``; subjects with
    no running instance, or whose instance the actor may not see (:func:`get_instance`'s rule), are absent. When a
    subject has several running processes, the one started last is current. Three queries at most, whatever the
    number of subjects: instances, participation (unless a monitor or the initiator), open tasks with candidates.
    """
    wanted: dict[str, set[str]] = defaultdict(set)
    for subject_type, subject_id in subjects:
        wanted[subject_type].add(str(subject_id))
    if not wanted or not allowed(session, actor, "core:workflow", "read"):
        return {}
    running = session.scalars(
        select(WorkflowInstance).where(
            WorkflowInstance.status == INSTANCE_RUNNING,
            or_(*(and_(WorkflowInstance.subject_type == t, WorkflowInstance.subject_id.in_(sorted(ids)))
                  for t, ids in sorted(wanted.items()))))
        .order_by(WorkflowInstance.started_at, WorkflowInstance.id))
    latest: dict[tuple[str, str], WorkflowInstance] = {}
    for instance in running:
        latest[(instance.subject_type, instance.subject_id)] = instance
    visible = visible_instance_ids(session, actor, latest.values())
    latest = {k: i for k, i in latest.items() if i.id in visible}
    if not latest:
        return {}
    tasks = open_tasks_of(session, [i.id for i in latest.values()])
    offered = candidates_of(session, [t.id for ts in tasks.values() for t in ts if t.assignee_id is None])
    out = {}
    for key, instance in latest.items():
        step = instance.current_step or ""
        mine = [t for t in tasks.get(instance.id, ()) if t.step_key == step] or list(tasks.get(instance.id, ()))
        defined = definition_of(session, instance).steps.get(step)
        out[key] = CurrentStep(instance=instance, step_key=step, step_name=defined.name if defined else step,
                               tasks=mine, candidates={t.id: offered.get(t.id, []) for t in mine})
    return out
