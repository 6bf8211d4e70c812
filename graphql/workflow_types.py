"""GraphQL types of the workflow engine and the notification inbox (resolvers stay thin: services do the work)."""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from typing import Any

import strawberry
from sqlalchemy import select
from strawberry import relay
from strawberry.dataloader import DataLoader
from strawberry.scalars import JSON

from surety.core.errors import DomainError
from surety.core.notifications.models import Notification as Row
from surety.core.workflow.models import WorkflowDefinition as DefinitionRow
from surety.core.workflow.models import WorkflowEvent as EventRow
from surety.core.workflow.models import WorkflowInstance as InstanceRow
from surety.core.workflow.models import WorkflowStepRun as StepRunRow
from surety.core.workflow.models import WorkflowTask as TaskRow
from surety.core.workflow.queries import (
    candidates_of,
    current_steps,
    get_instance,
    graph,
    open_tasks_of,
    step_runs_of,
    task_instance,
    timelines,
)
from surety.graphql.errors import UserError
from surety.graphql.loaders import load
from surety.graphql.nodes import load_nodes


def _by_id_loader(model):
    """A per-request DataLoader of ``model`` rows by id (tenant criteria apply through the session)."""

    def factory(ctx):
        async def load(ids):
            rows = ctx.session.scalars(select(model).where(model.id.in_(list(ids))))
            by_id = {r.id: r for r in rows}
            return [by_id.get(i) for i in ids]

        return DataLoader(load_fn=load)

    return factory


def _user_global_id(user_id: uuid.UUID | str | None) -> strawberry.ID | None:
    return relay.to_base64("User", user_id) if user_id else None


@strawberry.enum(description="Text format of a process definition document.")
class DefinitionFormat(enum.Enum):
    JSON = strawberry.enum_value("json", description="JSON 格式 (JSON)")
    YAML = strawberry.enum_value("yaml", description="YAML 格式 (YAML)")


@strawberry.type(description="One version of a process definition (docs/workflow.md describes the document).")
class WorkflowDefinition(relay.Node):
    id: relay.NodeID[str]
    key: str
    version: int
    name: str
    subject_type: str
    status: str = strawberry.field(description="draft, published or retired.")
    source: str = strawberry.field(description="'tenant', or the plugin that shipped it as a default.")
    created_at: dt.datetime
    published_at: dt.datetime | None
    document: JSON

    @classmethod
    def from_row(cls, row: DefinitionRow) -> WorkflowDefinition:
        return cls(id=str(row.id), key=row.key, version=row.version, name=row.name, subject_type=row.subject_type,
                   status=row.status, source=row.source, created_at=row.created_at, published_at=row.published_at,
                   document=row.document)

    @classmethod
    def resolve_nodes(cls, *, info, node_ids, required=False):
        return load_nodes(info, DefinitionRow, cls.from_row, node_ids, "core:workflow:read")


@strawberry.type(description="An entry of an instance's timeline: who did what, when, with what comment.")
class WorkflowTimelineEntry:
    seq: int
    action: str
    step_key: str | None
    actor_type: str
    actor_id: strawberry.ID | None = strawberry.field(description="Global id of the user who acted, if a user.")
    comment: str | None
    details: JSON
    occurred_at: dt.datetime

    @classmethod
    def from_row(cls, row: EventRow) -> WorkflowTimelineEntry:
        return cls(seq=row.seq, action=row.action, step_key=row.step_key, actor_type=row.actor_type,
                   actor_id=_user_global_id(row.actor_id) if row.actor_type == "user" else None, comment=row.comment,
                   details=row.details, occurred_at=row.occurred_at)


@strawberry.type(description="A visit of the instance to a step; committees keep their resolution here.")
class WorkflowStepRun:
    step_key: str
    kind: str
    mode: str
    status: str
    decision: str | None
    resolution: JSON | None
    started_at: dt.datetime
    ended_at: dt.datetime | None

    @classmethod
    def from_row(cls, row: StepRunRow) -> WorkflowStepRun:
        return cls(step_key=row.step_key, kind=row.kind, mode=row.mode, status=row.status, decision=row.decision,
                   resolution=row.resolution, started_at=row.started_at, ended_at=row.ended_at)


@strawberry.type
class WorkflowGraphNode:
    key: str
    name: str
    kind: str
    state: str = strawberry.field(description="current, done or pending.")


@strawberry.type
class WorkflowGraphEdge:
    source: str
    target: str
    on: str
    when: str | None
    taken: bool


@strawberry.type(description="The definition graph of an instance with its current position.")
class WorkflowGraph:
    nodes: list[WorkflowGraphNode]
    edges: list[WorkflowGraphEdge]
    current: str | None


def _timelines(ctx, ids):
    return timelines(ctx.session, ids)


def _step_runs(ctx, ids):
    return step_runs_of(ctx.session, ids)


def _open_tasks(ctx, ids):
    return open_tasks_of(ctx.session, ids)


def _candidates(ctx, ids):
    return candidates_of(ctx.session, ids)


@strawberry.type(description="A running or ended approval process about one subject.")
class WorkflowInstance(relay.Node):
    id: relay.NodeID[str]
    definition_key: str
    definition_version: int
    subject_type: str
    subject_id: str
    title: str
    status: str = strawberry.field(description="running, approved, rejected or withdrawn.")
    current_step: str | None
    started_at: dt.datetime
    ended_at: dt.datetime | None
    initiator_id: strawberry.ID | None
    row: strawberry.Private[Any]

    @classmethod
    def from_row(cls, row: InstanceRow) -> WorkflowInstance:
        return cls(id=str(row.id), definition_key=row.definition_key, definition_version=row.definition_version,
                   subject_type=row.subject_type, subject_id=row.subject_id, title=row.title, status=row.status,
                   current_step=row.current_step, started_at=row.started_at, ended_at=row.ended_at,
                   initiator_id=_user_global_id(row.initiator_id), row=row)

    @classmethod
    def resolve_nodes(cls, *, info, node_ids, required=False):
        out = []
        for raw in node_ids:
            try:
                out.append(cls.from_row(get_instance(info.context.session, info.context.require_actor(),
                                                     uuid.UUID(str(raw)))))
            except (DomainError, ValueError):
                out.append(None)
        return out

    # The fields below read what a page of instances needs with one query per field and request (DataLoaders).

    @strawberry.field(description="Who did what, when, with what comment; oldest first.")
    async def timeline(self, info: strawberry.Info) -> list[WorkflowTimelineEntry]:
        rows = await load(info, "workflow.timeline", _timelines, self.row.id, default=list)
        return [WorkflowTimelineEntry.from_row(e) for e in rows]

    @strawberry.field(description="The steps visited, in order.")
    async def steps(self, info: strawberry.Info) -> list[WorkflowStepRun]:
        rows = await load(info, "workflow.step_runs", _step_runs, self.row.id, default=list)
        return [WorkflowStepRun.from_row(r) for r in rows]

    @strawberry.field(description="The definition's graph, marked with the current step and the path taken.")
    async def graph(self, info: strawberry.Info) -> WorkflowGraph:
        runs = await load(info, "workflow.step_runs", _step_runs, self.row.id, default=list)
        nodes, edges = graph(info.context.session, self.row, runs)
        return WorkflowGraph(
            nodes=[WorkflowGraphNode(key=n.key, name=n.name, kind=n.kind, state=n.state) for n in nodes],
            edges=[WorkflowGraphEdge(source=e.source, target=e.target, on=e.on, when=e.when, taken=e.taken)
                   for e in edges],
            current=self.current_step if self.status == "running" else None)

    @strawberry.field(description="The instance's open tasks.")
    async def open_tasks(self, info: strawberry.Info) -> list[WorkflowTask]:
        rows = await load(info, "workflow.open_tasks", _open_tasks, self.row.id, default=list)
        return [WorkflowTask.from_row(r) for r in rows]


@strawberry.type(description="A piece of work for one person: a task, a countersign, a committee convening or vote.")
class WorkflowTask(relay.Node):
    id: relay.NodeID[str]
    instance_id: strawberry.Private[uuid.UUID]
    step_key: str
    kind: str = strawberry.field(description="task, convene or vote.")
    title: str
    status: str = strawberry.field(description="open, done or cancelled.")
    assignee_id: strawberry.ID | None
    decision: str | None
    comment: str | None
    due_date: dt.date | None
    created_at: dt.datetime
    completed_at: dt.datetime | None

    @classmethod
    def from_row(cls, row: TaskRow) -> WorkflowTask:
        return cls(id=str(row.id), instance_id=row.instance_id, step_key=row.step_key, kind=row.kind,
                   title=row.title, status=row.status, assignee_id=_user_global_id(row.assignee_id),
                   decision=row.decision, comment=row.comment, due_date=row.due_date, created_at=row.created_at,
                   completed_at=row.completed_at)

    @classmethod
    def resolve_nodes(cls, *, info, node_ids, required=False):
        out = []
        for raw in node_ids:
            try:
                out.append(cls.from_row(task_instance(info.context.session, info.context.require_actor(),
                                                      uuid.UUID(str(raw)))))
            except (DomainError, ValueError):
                out.append(None)
        return out

    @strawberry.field(description="The instance this task belongs to.")
    async def instance(self, info: strawberry.Info) -> WorkflowInstance:
        row = await info.context.loader("workflow_instance", _by_id_loader(InstanceRow)).load(self.instance_id)
        return WorkflowInstance.from_row(row)

    @strawberry.field(description="Global ids of the users the task is offered to while nobody has claimed it "
                                  "(empty once assigned or closed).")
    async def candidate_ids(self, info: strawberry.Info) -> list[strawberry.ID]:
        if self.assignee_id is not None or self.status != "open":
            return []
        users = await load(info, "workflow.candidates", _candidates, uuid.UUID(self.id), default=list)
        return [_user_global_id(u) for u in users]


@strawberry.type(description="Where a subject's running process stands: its current step and the step's open "
                             "tasks (who holds them or may claim them, and when they are due).")
class WorkflowCurrentTask:
    instance: WorkflowInstance
    step_key: str
    step_name: str
    due_date: dt.date | None = strawberry.field(description="The earliest due date of the step's open tasks.")
    assignee_ids: list[strawberry.ID] = strawberry.field(description="Users holding an open task of the step.")
    candidate_ids: list[strawberry.ID] = strawberry.field(
        description="Users who may claim an open task of the step nobody holds yet.")
    tasks: list[WorkflowTask] = strawberry.field(description="The step's open tasks, oldest first.")

    @classmethod
    def of(cls, step) -> WorkflowCurrentTask:
        """From :class:`surety.core.workflow.queries.CurrentStep`."""
        dues = [t.due_date for t in step.tasks if t.due_date is not None]
        assignees = list(dict.fromkeys(t.assignee_id for t in step.tasks if t.assignee_id is not None))
        offered = list(dict.fromkeys(u for t in step.tasks if t.assignee_id is None for u in step.candidates[t.id]))
        return cls(instance=WorkflowInstance.from_row(step.instance), step_key=step.step_key,
                   step_name=step.step_name, due_date=min(dues) if dues else None,
                   assignee_ids=[_user_global_id(u) for u in assignees],
                   candidate_ids=[_user_global_id(u) for u in offered],
                   tasks=[WorkflowTask.from_row(t) for t in step.tasks])


def _current_steps(ctx, keys):
    return current_steps(ctx.session, ctx.require_actor(), keys)


def current_task_field(subject_type: str, *, subject_id=lambda obj: obj.id, description: str | None = None):
    """A ``currentTask`` field for the GraphQL type of a workflow subject: one line in the type's class body, e.g.
    ``current_task = current_task_field("guarantee:project")``. ``subject_id(obj)`` gives the id the subject's
    instances are started with (default: the object's ``id``).

    It resolves to the current step of the subject's running instance (:func:`surety.core.workflow.queries.
    current_steps`), null when none runs or the caller may not see the instance (the rule of ``workflowInstance``:
    core:workflow:read and initiator, participant or core:workflow:monitor). Every subject of a page (of any type)
    loads together: three queries per request at most."""

    async def resolve(self, info: strawberry.Info) -> WorkflowCurrentTask | None:
        found = await load(info, "workflow.current_steps", _current_steps, (subject_type, str(subject_id(self))))
        return WorkflowCurrentTask.of(found) if found is not None else None

    return strawberry.field(resolver=resolve, description=description or (
        "The current step of this record's running approval process (who holds it, when it is due); null when "
        "none runs or you may not see it."))


@strawberry.type
class WorkflowDefinitionPayload:
    definition: WorkflowDefinition | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class WorkflowValidationPayload:
    valid: bool = False
    problems: list[str] = strawberry.field(default_factory=list)
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class WorkflowInstancePayload:
    instance: WorkflowInstance | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class WorkflowInstanceStartInput:
    definition_key: str
    subject_type: str
    subject_id: str
    title: str = ""
    subject: JSON | None = strawberry.field(default=None, description="The subject's fields for conditions and "
                                            "assignee rules, when no plugin supplies them.")
    client_key: str | None = strawberry.field(default=None, description="Send the same key again to retry safely.")


@strawberry.input(description="What a task action needs; each mutation documents the fields it reads.")
class WorkflowTaskActionInput:
    task_id: strawberry.ID
    comment: str | None = None
    client_key: str | None = strawberry.field(default=None, description="Send the same key again to retry safely.")
    attachment_ids: list[strawberry.ID] = strawberry.field(
        default_factory=list, description="Files already uploaded to the instance (entity workflow:instance).")
    to_step: str | None = strawberry.field(default=None, description="Return: the earlier step to go back to.")
    to_user: strawberry.ID | None = strawberry.field(default=None, description="Transfer, add signer: the user.")
    members: list[strawberry.ID] = strawberry.field(default_factory=list, description="Convene: the members.")
    chair: strawberry.ID | None = strawberry.field(default=None, description="Convene: the chair (a member).")
    vote: str | None = strawberry.field(
        default=None, description="Vote: approve, reject, approve_with_conditions (conditions in the comment) or "
                                  "recuse (reason in the comment).")


@strawberry.input
class WorkflowInstanceActionInput:
    instance_id: strawberry.ID
    comment: str | None = None
    client_key: str | None = None
    attachment_ids: list[strawberry.ID] = strawberry.field(default_factory=list)


@strawberry.type(description="An entry of the caller's in-app inbox.")
class Notification(relay.Node):
    id: relay.NodeID[str]
    kind: str = strawberry.field(description="task_assigned, task_returned, task_due_soon, task_overdue, "
                                             "task_escalated, instance_decided, ...")
    title: str
    body: str
    entity_type: str | None
    entity_id: str | None
    created_at: dt.datetime
    read_at: dt.datetime | None

    @classmethod
    def from_row(cls, row) -> Notification:
        return cls(id=str(row.id), kind=row.kind, title=row.title, body=row.body, entity_type=row.entity_type,
                   entity_id=row.entity_id, created_at=row.created_at, read_at=row.read_at)

    @classmethod
    def resolve_nodes(cls, *, info, node_ids, required=False):
        actor = info.context.require_actor()
        nodes = load_nodes(info, Row, lambda r: r, node_ids, None)
        return [cls.from_row(r) if r is not None and r.user_id == actor.id_uuid else None for r in nodes]


@strawberry.type
class NotificationsMarkReadPayload:
    count: int = 0
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="A correction of the PRC work calendar for this tenant.")
class WorkdayOverride:
    day: dt.date
    working: bool
    note: str


@strawberry.type
class WorkdayOverridePayload:
    override: WorkdayOverride | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)
