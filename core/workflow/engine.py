"""The engine's moving parts: entering steps, settling them from their tasks' decisions, and following
transitions. User-facing actions are in :mod:`surety.core.workflow.actions`; they all lock the instance first.

Everything here runs in the caller's transaction: a step entered, its tasks, notifications, timeline entries,
audit records and domain events commit or roll back together.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import functools
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import event as sa_event
from sqlalchemy import func, literal, select, union_all, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from surety.core.audit.log import audit
from surety.core.authz.check import require
from surety.core.context import ACTOR_SYSTEM, Actor, current
from surety.core.db.locking import lock_row
from surety.core.db.session import session_tenant
from surety.core.db.types import utcnow
from surety.core.errors import Conflict, NotFound, ValidationFailed
from surety.core.events import DomainEvent, enabled_plugins, jsonable, raise_event
from surety.core.hooks import tenant_hook
from surety.core.hookspecs import WorkflowStepCall
from surety.core.i18n import N_
from surety.core.notifications import service as notifications
from surety.core.plugins import get_registry
from surety.core.workflow import assignees
from surety.core.workflow import definition as d
from surety.core.workflow.calendar import WorkCalendar, merge_overrides
from surety.core.workflow.committee import tally
from surety.core.workflow.expressions import compile_expression
from surety.core.workflow.models import (
    INSTANCE_APPROVED,
    INSTANCE_REJECTED,
    INSTANCE_RUNNING,
    INSTANCE_WITHDRAWN,
    RUN_APPROVED,
    RUN_CANCELLED,
    RUN_OPEN,
    RUN_REJECTED,
    TASK_CANCELLED,
    TASK_OPEN,
    PlatformWorkdayOverride,
    WorkdayOverride,
    WorkflowDefinition,
    WorkflowEvent,
    WorkflowInstance,
    WorkflowStepRun,
    WorkflowTask,
    WorkflowTaskCandidate,
)

CHINA = dt.timezone(dt.timedelta(hours=8))  # business dates are Beijing dates (no daylight saving)
MAX_AUTOMATIC_HOPS = 50
#: What the initiator is told when an instance ends, by result.
_DECIDED = {
    INSTANCE_APPROVED: N_("{title}: approved"),
    INSTANCE_REJECTED: N_("{title}: rejected"),
    INSTANCE_WITHDRAWN: N_("{title}: withdrawn"),
}

# Task kinds: a plain task or a countersign share one shape; a committee has a convening task and vote tasks.
KIND_TASK = "task"
KIND_CONVENE = "convene"
KIND_VOTE = "vote"


@dataclasses.dataclass(frozen=True, kw_only=True)
class WorkflowInstanceStarted(DomainEvent):
    instance_id: uuid.UUID
    definition_key: str
    subject_type: str
    subject_id: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class WorkflowStepEntered(DomainEvent):
    instance_id: uuid.UUID
    definition_key: str
    subject_type: str
    subject_id: str
    step_key: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class WorkflowInstanceEnded(DomainEvent):
    """The instance reached an end: ``result`` is approved, rejected or withdrawn; ``conditions`` lists conditions
    a committee attached to its approval."""

    instance_id: uuid.UUID
    definition_key: str
    subject_type: str
    subject_id: str
    result: str
    conditions: tuple[str, ...] = ()


def business_today() -> dt.date:
    return dt.datetime.now(CHINA).date()


# ---------------------------------------------------------------- definitions and calendar --------------------------

_parsed: dict[tuple[uuid.UUID, uuid.UUID], d.Definition] = {}


def definition_of(session: Session, instance: WorkflowInstance) -> d.Definition:
    """The parsed definition version ``instance`` runs on (versions are immutable once published: cached)."""
    key = (instance.tenant_id, instance.definition_id)
    found = _parsed.get(key)
    if found is None:
        row = session.scalar(select(WorkflowDefinition).where(WorkflowDefinition.id == instance.definition_id))
        found = _parsed[key] = d.parse(row.document)
    return found


def calendar(session: Session):
    """The tenant's work calendar: PRC holidays, platform overrides, then the tenant's own (cached per session)."""

    cached = session.info.get("workflow_calendar")
    if cached is None:
        # Both sets of overrides in one statement; the second column tells them apart (0 platform, 1 tenant).
        rows = session.execute(union_all(
            select(PlatformWorkdayOverride.day, PlatformWorkdayOverride.working, literal(0).label("own")),
            # The tenant filter in plain sight (besides RLS): the session's criteria may not reach into a UNION.
            select(WorkdayOverride.day, WorkdayOverride.working, literal(1).label("own"))
            .where(WorkdayOverride.tenant_id == session_tenant(session)))).all()
        platform = {r.day: r.working for r in rows if not r.own}
        tenant = {r.day: r.working for r in rows if r.own}
        cached = session.info["workflow_calendar"] = WorkCalendar(merge_overrides(platform, tenant))
    return cached


# ---------------------------------------------------------------- locking, timeline, audit --------------------------


#: ``session.info`` key of the timeline numbers taken by :func:`lock_instance` and not used yet: instance id -> the
#: seqs, in order. Dropped on every rollback (a savepoint's included) and when the transaction ends.
_RESERVED = "workflow_reserved_seqs"


@sa_event.listens_for(Session, "after_soft_rollback")
def _forget_reserved_on_rollback(session: Session, _previous) -> None:
    session.info.pop(_RESERVED, None)


@sa_event.listens_for(Session, "after_transaction_end")
def _forget_reserved_on_end(session: Session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(_RESERVED, None)


def lock_instance(session: Session, instance_id: uuid.UUID | None = None, *,
                  task_id: uuid.UUID | None = None, timeline: int = 0) -> WorkflowInstance:
    """Take the instance's row lock and load it fresh, in one statement (an ``UPDATE ... RETURNING``, so the lock is
    taken before anything is read). Give the instance's id, or the id of one of its tasks.

    ``timeline``: how many timeline entries the caller is about to :func:`record` first; their numbers are taken by
    the same statement (so recording them writes no ``last_seq`` of its own). A caller that ends up recording fewer
    gives the rest back with :func:`release_timeline`."""
    if task_id is not None:
        target = select(WorkflowTask.instance_id).where(WorkflowTask.id == task_id).scalar_subquery()
    else:
        target = instance_id
    values: dict[str, Any] = {"lock_version": WorkflowInstance.lock_version + 1}
    if timeline:
        values["last_seq"] = func.coalesce(WorkflowInstance.last_seq, 0) + timeline
    instance = lock_row(session, WorkflowInstance, WorkflowInstance.id == target, values=values)
    if instance is None:
        if task_id is not None:
            raise NotFound("No such task.", field="task_id")
        raise NotFound("No such workflow instance.", field="instance_id")
    if timeline:
        first = instance.last_seq - timeline + 1
        session.info.setdefault(_RESERVED, {})[instance.id] = list(range(first, instance.last_seq + 1))
    return instance


def release_timeline(session: Session, instance: WorkflowInstance) -> None:
    """Give back the timeline numbers :func:`lock_instance` took and :func:`record` did not use (the instance's
    ``last_seq`` moves back to its last entry)."""
    unused = session.info.get(_RESERVED, {}).pop(instance.id, None)
    if unused:
        instance.last_seq -= len(unused)


def record(session: Session, instance: WorkflowInstance, action: str, *, actor: Actor | None = None,
           task: WorkflowTask | None = None, step_key: str | None = None, comment: str | None = None,
           details: Mapping[str, Any] | None = None, client_key: str | None = None) -> WorkflowEvent:
    """A timeline entry and its audit record (``workflow.<action>``, with the comment). The caller holds the
    instance's lock (:func:`lock_instance`) or has just created it."""
    who = actor or current().actor
    # The instance is locked (lock_instance) or new, so no one else is numbering its timeline.
    reserved = session.info.get(_RESERVED, {}).get(instance.id)
    if reserved:  # taken by lock_instance(timeline=...): last_seq already counts it
        seq = reserved.pop(0)
    else:
        seq = instance.last_seq = (instance.last_seq or 0) + 1
    event = WorkflowEvent(
        instance_id=instance.id, seq=seq, task_id=task.id if task else None,
        step_key=step_key or (task.step_key if task else instance.current_step), action=action,
        actor_type=who.type, actor_id=who.id, comment=comment, details=dict(details or {}), client_key=client_key)
    session.add(event)
    audit(session, f"workflow.{action}", entity_type="workflow_instance", entity_id=instance.id, actor=who,
          after={"step": event.step_key, "task": str(task.id) if task else None, "comment": comment,
                 **{k: v for k, v in (details or {}).items() if k != "comment"}})
    return event


def _event(instance: WorkflowInstance, cls, **kw):
    return cls(instance_id=instance.id, definition_key=instance.definition_key, subject_type=instance.subject_type,
               subject_id=instance.subject_id, **kw)


# ---------------------------------------------------------------- subject and conditions ----------------------------


#: ``session.info`` key of the subject fields read in the current transaction: ``(subject_type, subject_id) ->
#: fields``. Dropped at the end of every transaction or savepoint and whenever the session writes a row outside the
#: engine's own bookkeeping tables (:data:`_BOOKKEEPING`), so a read after any change of the subject is fresh.
_SUBJECTS = "workflow_subjects"
#: Tables the engine itself writes while it acts (and the notification, audit and outbox rows beside them). Writes to
#: them keep the cached subject fields: a plugin's ``surety_workflow_subject`` answer must not depend on them (the
#: instance's own variables are merged separately, fresh, by :func:`_variables`).
_BOOKKEEPING = frozenset({
    "workflow_instances", "workflow_step_runs", "workflow_tasks", "workflow_task_candidates", "workflow_events",
    "notifications", "notification_deliveries", "audit_log", "audit_chain_heads", "event_outbox",
})


def _table_of(obj) -> str | None:
    table = getattr(type(obj), "__table__", None)
    return getattr(table, "name", None)


def _foreign_changes(session: Session) -> bool:
    """Whether the session holds new, changed or deleted rows outside :data:`_BOOKKEEPING` (pending, or being
    flushed)."""
    # ``dirty`` also holds rows whose attributes were set to what they were: only a net change counts.
    changed = (o for o in session.dirty if session.is_modified(o, include_collections=False))
    return any(_table_of(o) not in _BOOKKEEPING for o in (*session.new, *session.deleted, *changed))


@sa_event.listens_for(Session, "after_flush")
def _forget_subjects_on_flush(session: Session, _context) -> None:
    if _SUBJECTS in session.info and _foreign_changes(session):
        session.info.pop(_SUBJECTS, None)


@sa_event.listens_for(Session, "do_orm_execute")
def _forget_subjects_on_write(state) -> None:
    session = state.session
    if _SUBJECTS not in session.info or state.is_select:
        return
    table = getattr(getattr(state.statement, "table", None), "name", None)  # INSERT / UPDATE / DELETE
    if table not in _BOOKKEEPING:  # any other statement that is not a SELECT (text(), DDL, ...): forget
        session.info.pop(_SUBJECTS, None)


@sa_event.listens_for(Session, "after_transaction_end")
def _forget_subjects_on_transaction_end(session: Session, transaction) -> None:
    # The transaction or a savepoint (whose rollback may undo what was read): not a flush's own inner transaction.
    if transaction.nested or transaction.parent is None:
        session.info.pop(_SUBJECTS, None)


def subject_fields(session: Session, instance: WorkflowInstance) -> dict[str, Any]:
    """The subject's current fields from the plugin that owns it, else the fields given at start.

    The plugin's hook is asked once per subject while nothing else changes: the answer is kept in the session until
    the transaction (or savepoint) ends or the session writes any row outside the engine's bookkeeping tables (the
    subject, its customer, a setting ...; a flush of pending changes counts), so a step's conditions and assignee
    rules see the subject as it is at that step, and an action that routes and then opens the next step reads it
    once. Pending changes not flushed yet count as writes too. Every caller gets its own copy."""

    key = (instance.subject_type, instance.subject_id)
    cache = session.info.get(_SUBJECTS)
    if cache is not None and key in cache:
        if not _foreign_changes(session):  # pending changes not flushed yet: the plugin's read would flush them
            return copy.deepcopy(cache[key])
        session.info.pop(_SUBJECTS, None)
    caller = get_registry().hook_for("surety_workflow_subject", enabled_plugins(session, session_tenant(session)))
    fresh = caller(session=session, subject_type=instance.subject_type, subject_id=instance.subject_id)
    if fresh is None:
        return dict(instance.subject or {})
    fields = dict(fresh)
    _remember_subject(session, instance, fields)
    return fields


def _remember_subject(session: Session, instance: WorkflowInstance, fields: Mapping[str, Any]) -> None:
    session.info.setdefault(_SUBJECTS, {})[(instance.subject_type, instance.subject_id)] = copy.deepcopy(dict(fields))


def _variables(session: Session, instance: WorkflowInstance) -> dict[str, Any]:
    return {**subject_fields(session, instance), **(instance.variables or {})}


def extra_fields(session: Session, instance: WorkflowInstance, keys: Iterable[str]) -> dict[str, Any]:
    """The fields other plugins add to the instance's subject under ``keys`` (hook ``surety_workflow_subject_extra``,
    docs/workflow-expressions.md "Fields from other plugins"): the first answer for each key, other keys ignored."""
    wanted = frozenset(keys)
    found: dict[str, Any] = {}
    caller = tenant_hook(session, "surety_workflow_subject_extra")
    for answer in caller(session=session, subject_type=instance.subject_type, subject_id=instance.subject_id,
                         keys=wanted):
        for key, value in (answer or {}).items():
            if key in wanted and key not in found:
                found[key] = value
    return found


def _holds(session: Session, instance: WorkflowInstance, source: str, values: dict[str, Any]) -> bool:
    expression = compile_expression(source)
    missing = {name.split(".", 1)[0] for name in expression.names} - values.keys()
    if missing:  # only now, and only for these keys, ask the other plugins (lazy: most conditions never do)
        values.update(dict.fromkeys(missing))
        values.update(extra_fields(session, instance, missing))
    return expression.test(values)


def _route(session: Session, instance: WorkflowInstance, step: d.Step, decision: str) -> d.Transition | None:
    values = _variables(session, instance)
    for t in step.transitions:
        if t.on == decision and (t.when is None or _holds(session, instance, t.when, values)):
            return t
    return None


# ---------------------------------------------------------------- entering steps ------------------------------------


def enter(session: Session, instance: WorkflowInstance, step_key: str, *, today: dt.date,
          assign_to: list[uuid.UUID] | None = None, returned: bool = False) -> None:
    """Move ``instance`` into ``step_key``: create its run and tasks (notifying the people), or run it at once
    (automatic steps, ends), following transitions until a step waits for people or the instance ends."""
    definition = definition_of(session, instance)
    for _ in range(MAX_AUTOMATIC_HOPS):
        step = definition.step(step_key)
        instance.current_step = step.key
        if step.kind == d.END:
            finish(session, instance, step.result, today=today)
            return
        run = WorkflowStepRun(instance_id=instance.id, step_key=step.key, kind=step.kind,
                              mode=step.mode if step.kind == d.COUNTERSIGN else "all",
                              required=step.required if step.kind == d.COUNTERSIGN else 1)
        session.add(run)
        session.flush()
        raise_event(session, _event(instance, WorkflowStepEntered, step_key=step.key))
        if step.kind != d.AUTOMATIC:
            _open_human_step(session, instance, step, run, today=today, assign_to=assign_to, returned=returned)
            return
        outcome = _call_handler(session, instance, step)
        instance.variables = {**(instance.variables or {}), "outcome": outcome}
        run.status, run.decision, run.ended_at = RUN_APPROVED, outcome, utcnow()
        record(session, instance, "automatic", step_key=step.key, details={"handler": step.handler,
                                                                          "outcome": outcome})
        route = _route(session, instance, step, d.DONE)
        if route is None:
            raise ValidationFailed("No transition of step {key!r} matches outcome {outcome!r}.", key=step.key,
                                   outcome=outcome)
        step_key, assign_to, returned = route.to, None, False
    raise ValidationFailed("More than {max_hops} automatic steps in a row: the definition loops.",
                           max_hops=MAX_AUTOMATIC_HOPS)


def _call_handler(session: Session, instance: WorkflowInstance, step: d.Step) -> str:
    handler = handlers(session).get(step.handler)
    if handler is None:
        raise ValidationFailed("Step {key!r} calls the handler {handler!r}, which no enabled plugin provides.",
                               key=step.key, handler=step.handler)
    call = WorkflowStepCall(instance_id=instance.id, definition_key=instance.definition_key, step_key=step.key,
                            subject_type=instance.subject_type, subject_id=instance.subject_id,
                            subject=subject_fields(session, instance), params=dict(step.params))
    return str(handler(session, call))


def handlers(session: Session | None = None) -> dict[str, Any]:
    """Automatic-step handlers by name: every installed plugin's, or the session tenant's enabled plugins'."""

    registry = get_registry()
    if session is None:
        found = registry.hook.surety_workflow_handlers()
    else:
        found = registry.hook_for("surety_workflow_handlers", enabled_plugins(session, session_tenant(session)))()
    return {k: v for group in found for k, v in (group or {}).items()}


def _open_human_step(session: Session, instance: WorkflowInstance, step: d.Step, run: WorkflowStepRun, *,
                     today: dt.date, assign_to: list[uuid.UUID] | None, returned: bool) -> None:
    subject = subject_fields(session, instance)
    if assign_to:
        people = [[u] for u in assign_to] if step.kind == d.COUNTERSIGN else [assign_to]
    elif step.kind == d.COUNTERSIGN:
        found: list[uuid.UUID] = []
        for spec in step.assignees:
            found += assignees.resolve(session, spec, subject, step.name)
        people = [[u] for u in dict.fromkeys(found)]  # one task per signer
    else:  # a task, or the committee secretary's convening task: one task, any candidate may claim it
        people = [assignees.resolve(session, step.assignee, subject, step.name)]
    if step.kind == d.COUNTERSIGN and step.mode == "n_of_m" and step.required > len(people):
        raise assignees.NoAssignee("Step {name!r} needs {required} signers but only {available} people can "
                                   "sign.", name=step.name, required=step.required, available=len(people))
    kind = KIND_CONVENE if step.kind == d.COMMITTEE else KIND_TASK
    due = calendar(session).add_working_days(today, step.timeout.working_days) if step.timeout else None
    for candidates in people:
        create_task(session, instance, run, kind, candidates, due_date=due, returned=returned)


def create_task(session: Session, instance: WorkflowInstance, run: WorkflowStepRun, kind: str,
                candidates: list[uuid.UUID], *, due_date: dt.date | None = None, returned: bool = False,
                reason: str = "assigned") -> WorkflowTask:
    """A task for ``candidates`` (assigned at once when there is one), and their notifications."""
    task = WorkflowTask(id=uuid.uuid4(), instance_id=instance.id, step_run_id=run.id, step_key=run.step_key,
                        kind=kind, title=instance.title, org_unit_id=instance.org_unit_id, due_date=due_date,
                        assignee_id=candidates[0] if len(candidates) == 1 else None)
    session.add(task)
    for user_id in candidates:
        session.add(WorkflowTaskCandidate(task_id=task.id, user_id=user_id, reason=reason))
    step_name = definition_of(session, instance).step(run.step_key).name
    kind_note = notifications.TASK_RETURNED if returned else notifications.TASK_ASSIGNED
    note = N_("{step}: {title} (returned to you)") if returned else N_("{step}: {title} (waiting for you)")
    notifications.notify(session, candidates, kind_note, note, entity_type="workflow_task", entity_id=task.id,
                         params={"step": step_name, "title": instance.title})
    return task


# ---------------------------------------------------------------- settling and finishing ----------------------------


def close_task(session: Session, task: WorkflowTask, status: str, *, actor_id: uuid.UUID | None = None,
               decision: str | None = None, comment: str | None = None) -> None:
    task.status, task.decision, task.comment = status, decision, comment
    task.completed_at = utcnow()
    if actor_id is not None:
        task.completed_by = actor_id
        task.assignee_id = task.assignee_id or actor_id
    session.execute(update(WorkflowTaskCandidate).where(WorkflowTaskCandidate.task_id == task.id)
                    .values(active=False).execution_options(synchronize_session=False))


def cancel_open_tasks(session: Session, run_ids: list[uuid.UUID]) -> None:
    for task in session.scalars(select(WorkflowTask).where(WorkflowTask.step_run_id.in_(run_ids),
                                                           WorkflowTask.status == TASK_OPEN)):
        close_task(session, task, TASK_CANCELLED)


def settle(session: Session, instance: WorkflowInstance, run: WorkflowStepRun, *, today: dt.date) -> None:
    """Decide ``run`` from its tasks when their decisions allow it, then follow the step's transition."""
    tasks = list(session.scalars(select(WorkflowTask).where(WorkflowTask.step_run_id == run.id,
                                                            WorkflowTask.status != TASK_CANCELLED)))
    if run.kind == d.COMMITTEE:
        decision = _settle_committee(session, instance, run, tasks, today=today)
    else:
        approvals = sum(1 for t in tasks if t.decision == d.APPROVE)
        rejections = sum(1 for t in tasks if t.decision == d.REJECT)
        total = len(tasks)
        need = {"all": total, "any": 1, "n_of_m": run.required}[run.mode]
        decision = (d.APPROVE if approvals >= need else
                    d.REJECT if rejections > total - need else None)
    if decision is None:
        return
    if run.kind == d.COMMITTEE:
        cancel_open_tasks(session, [run.id])
    else:  # the run's tasks are loaded above: close those still open without reading them again
        for task in tasks:
            if task.status == TASK_OPEN:
                close_task(session, task, TASK_CANCELLED)
    run.status = RUN_APPROVED if decision == d.APPROVE else RUN_REJECTED
    run.decision, run.ended_at = decision, utcnow()
    step = definition_of(session, instance).step(run.step_key)
    route = _route(session, instance, step, decision)
    if route is not None:
        enter(session, instance, route.to, today=today)
    elif decision == d.REJECT:
        finish(session, instance, "rejected", today=today)
    else:
        raise ValidationFailed("No transition of step {key!r} matches; the definition needs a default route.",
                               key=step.key)


def _settle_committee(session: Session, instance: WorkflowInstance, run: WorkflowStepRun,
                      tasks: list[WorkflowTask], *, today: dt.date) -> str | None:
    meeting = dict(run.resolution or {})
    current_meeting = set(meeting.get("vote_tasks", ()))
    votes = [t for t in tasks if t.kind == KIND_VOTE and str(t.id) in current_meeting]
    if not votes or any(t.status == TASK_OPEN for t in votes):
        return None
    step = definition_of(session, instance).step(run.step_key)
    result = tally({str(t.assignee_id): t.decision for t in votes}, members=meeting["members"], quorum=step.quorum,
                   pass_ratio=step.pass_ratio, chair=meeting.get("chair"), chair_veto=step.chair_veto)
    conditions = [t.comment for t in votes if t.decision == "approve_with_conditions" and t.comment]
    resolution = {**meeting, "votes": {str(t.assignee_id): t.decision for t in votes}, **result.as_dict(),
                  "conditions": conditions, "decided_on": today.isoformat()}
    run.resolution = {**resolution, "history": meeting.get("history", [])}
    record(session, instance, "resolution", step_key=run.step_key, details=result.as_dict())
    if result.result == "no_quorum":
        # Too many recusals: the secretary convenes the committee again (the votes stay in the history).
        run.resolution = {"history": [*meeting.get("history", []), resolution]}
        secretary = next(t for t in tasks if t.kind == KIND_CONVENE)
        create_task(session, instance, run, KIND_CONVENE, [secretary.completed_by], due_date=secretary.due_date)
        return None
    if conditions:
        instance.variables = {**(instance.variables or {}), "conditions": conditions}
    return d.APPROVE if result.result.startswith("approved") else d.REJECT


def finish(session: Session, instance: WorkflowInstance, result: str, *, today: dt.date,
           comment: str | None = None) -> None:
    """End ``instance`` with ``result``: cancel what is open, tell the initiator, raise ``WorkflowInstanceEnded``."""
    if instance.status != INSTANCE_RUNNING:
        raise Conflict("This workflow instance has already ended.")
    open_runs = list(session.scalars(select(WorkflowStepRun.id).where(WorkflowStepRun.instance_id == instance.id,
                                                                       WorkflowStepRun.status == RUN_OPEN)))
    if open_runs:
        cancel_open_tasks(session, open_runs)
        session.execute(update(WorkflowStepRun).where(WorkflowStepRun.id.in_(open_runs))
                        .values(status=RUN_CANCELLED, ended_at=utcnow()).execution_options(synchronize_session=False))
    instance.status, instance.ended_at = result, utcnow()
    record(session, instance, "end", comment=comment, details={"result": result})
    if instance.initiator_id is not None:
        notifications.notify(session, [instance.initiator_id], notifications.INSTANCE_DECIDED,
                             _DECIDED.get(result, N_("{title}: {result}")), entity_type="workflow_instance",
                             entity_id=instance.id, params={"title": instance.title, "result": result})
    conditions = tuple((instance.variables or {}).get("conditions") or ())
    raise_event(session, _event(instance, WorkflowInstanceEnded, result=result, conditions=conditions))


def guard_domain(fn):
    """Turn a lost race into CONFLICT: SQLite's lock timeout (another action on the instance won), or a client
    key that a concurrent duplicate of the same request has just used."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except OperationalError as exc:
            if "locked" in str(exc.orig).lower():
                raise Conflict("Someone else is acting on this instance right now; try again.") from exc
            raise
        except IntegrityError as exc:
            if "client_key" in str(exc.orig):
                raise Conflict("This client key was already used.", field="client_key") from exc
            raise
    return wrapper


@guard_domain
def start(session: Session, actor: Actor, *, definition_key: str, subject_type: str, subject_id: str,
          subject: Mapping[str, Any] | None = None, title: str = "", today: dt.date | None = None,
          client_key: str | None = None, current: Mapping[str, Any] | None = None) -> WorkflowInstance:
    """Start the published version of ``definition_key`` about a subject (permission ``core:workflow:start``).

    ``subject`` is what the instance stores (no personal data); ``current``, when the caller has just computed it,
    is exactly what the owning plugin's ``surety_workflow_subject`` would answer for the subject now: the first
    step's conditions and assignee rules then read it instead of asking the plugin again (:func:`subject_fields`
    keeps it under the same rules as an answer it asked for)."""

    if current is not None and _foreign_changes(session):  # given before changes not flushed yet: not trusted
        current = None
    require(session, actor, "core:workflow", "start")
    return _start(session, actor, definition_key=definition_key, subject_type=subject_type, subject_id=subject_id,
                  subject=subject, title=title, today=today, client_key=client_key, current=current)


def start_as_system(session: Session, by: str, *, definition_key: str, subject_type: str, subject_id: str,
                    subject: Mapping[str, Any] | None = None, title: str = "",
                    today: dt.date | None = None) -> WorkflowInstance:
    """Start a process for plugin code acting on its own (a day-end job, a reaction to an event): no permission
    check and no initiator; the timeline and the audit name the system actor ``by`` (e.g.
    ``guarantee.early_warnings``). Code serving a person's request calls :func:`start` with that person instead."""
    actor = Actor(type=ACTOR_SYSTEM, id=by, tenant_id=session_tenant(session))
    return _start(session, actor, definition_key=definition_key, subject_type=subject_type, subject_id=subject_id,
                  subject=subject, title=title, today=today, client_key=None)


def _start(session: Session, actor: Actor, *, definition_key: str, subject_type: str, subject_id: str,
           subject: Mapping[str, Any] | None, title: str, today: dt.date | None,
           client_key: str | None, current: Mapping[str, Any] | None = None) -> WorkflowInstance:
    if client_key:
        done = session.execute(select(WorkflowEvent.instance_id, WorkflowEvent.action)
                               .where(WorkflowEvent.client_key == client_key)).first()
        if done is not None:
            if done.action != "start":
                raise Conflict("This client key was already used for another action.", field="client_key")
            return session.scalars(select(WorkflowInstance).where(WorkflowInstance.id == done.instance_id)).one()
    version = session.scalar(select(WorkflowDefinition).where(
        WorkflowDefinition.key == definition_key, WorkflowDefinition.status == "published"))
    if version is None:
        raise NotFound("No published process definition {definition_key!r}.", field="definition_key",
                       definition_key=definition_key)
    if version.subject_type and subject_type != version.subject_type:
        raise ValidationFailed("The process {definition_key!r} is for subjects of type {subject_type!r}.",
                               field="subject_type", definition_key=definition_key,
                               subject_type=version.subject_type)
    busy = session.scalar(select(WorkflowInstance.id).where(
        WorkflowInstance.subject_type == subject_type, WorkflowInstance.subject_id == str(subject_id),
        WorkflowInstance.definition_key == definition_key, WorkflowInstance.status == INSTANCE_RUNNING))
    if busy is not None:
        raise Conflict("This subject already has a running instance of that process.", field="subject_id")
    fields = jsonable(dict(subject or {}))
    org_unit = fields.get("org_unit_id") or (str(actor.org_unit_id) if actor.org_unit_id else None)
    fields.setdefault("org_unit_id", org_unit)
    fields.setdefault("initiator_id", actor.id if actor.id_uuid else None)
    instance = WorkflowInstance(
        id=uuid.uuid4(), definition_id=version.id, definition_key=version.key, definition_version=version.version,
        subject_type=subject_type, subject_id=str(subject_id), subject=fields, variables={},
        title=(title or f"{version.name} {subject_id}")[:300], initiator_id=actor.id_uuid,
        org_unit_id=uuid.UUID(str(org_unit)) if org_unit else None)
    session.add(instance)
    session.flush()
    record(session, instance, "start", actor=actor, step_key=None, client_key=client_key,
           details={"definition": version.key, "version": version.version})
    raise_event(session, _event(instance, WorkflowInstanceStarted))
    if current is not None:
        _remember_subject(session, instance, current)
    enter(session, instance, definition_of(session, instance).start, today=today or business_today())
    return instance
