"""Reading workflow state: task lists (SELECTs to paginate), an instance's timeline and its graph with the
current position. Each list is permission-checked; an instance is visible to its participants, its initiator and
holders of ``core:workflow:monitor``."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import Select, exists, or_, select
from sqlalchemy.orm import Session

from surety.core.authz.check import allowed, require
from surety.core.context import Actor
from surety.core.errors import NotFound, PermissionDenied
from surety.core.workflow.engine import definition_of
from surety.core.workflow.models import (
    RUN_OPEN, TASK_DONE, TASK_OPEN, WorkflowEvent, WorkflowInstance, WorkflowStepRun, WorkflowTask,
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


def graph(session: Session, instance: WorkflowInstance) -> tuple[list[GraphNode], list[GraphEdge]]:
    """The definition's steps and transitions, marked with where the instance is and what it went through."""
    definition = definition_of(session, instance)
    runs = list(session.scalars(select(WorkflowStepRun).where(WorkflowStepRun.instance_id == instance.id)
                                .order_by(WorkflowStepRun.started_at, WorkflowStepRun.id)))
    visited = [r.step_key for r in runs]
    current = {r.step_key for r in runs if r.status == RUN_OPEN}
    if instance.current_step and instance.status != "running":
        visited.append(instance.current_step)  # the end step reached
    taken = set(zip(visited, visited[1:]))
    nodes = [GraphNode(s.key, s.name, s.kind,
                       "current" if s.key in current else "done" if s.key in visited else "pending")
             for s in definition.steps.values()]
    edges = [GraphEdge(s.key, t.to, t.on, t.when, (s.key, t.to) in taken)
             for s in definition.steps.values() for t in s.transitions]
    return nodes, edges


def require_participant(session: Session, actor: Actor, instance: WorkflowInstance) -> None:
    if not _may_see(session, actor, instance):
        raise PermissionDenied("Not a participant of this instance.")
