"""What people do with tasks and instances: claim, approve, reject, return (退回), withdraw (撤回), transfer (转办),
add a signer (加签), convene a committee, vote, comment.

Every action checks permission, locks the instance (so of two people acting on one task at once exactly one
succeeds and the other gets CONFLICT), is idempotent under a client key, and lands in the timeline and the audit
log with its comment.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from surety.core.authz.check import require
from surety.core.authz.rules import subject_roles
from surety.core.context import Actor
from surety.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from surety.core.i18n import N_
from surety.core.identity.models import USER_ACTIVE, User
from surety.core.notifications import service as notifications
from surety.core.workflow import definition as d
from surety.core.workflow.committee import VOTE_APPROVE_WITH_CONDITIONS, VOTE_RECUSE, VOTES
from surety.core.workflow.engine import (
    KIND_CONVENE,
    KIND_TASK,
    KIND_VOTE,
    business_today,
    calendar,
    cancel_open_tasks,
    close_task,
    create_task,
    definition_of,
    enter,
    finish,
    guard_domain,
    lock_instance,
    record,
    release_timeline,
    settle,
)
from surety.core.workflow.files import cited
from surety.core.workflow.models import (
    INSTANCE_RUNNING,
    RUN_APPROVED,
    RUN_RETURNED,
    TASK_DONE,
    TASK_OPEN,
    WorkflowEvent,
    WorkflowInstance,
    WorkflowStepRun,
    WorkflowTask,
    WorkflowTaskCandidate,
)
from surety.core.workflow.queries import require_participant

CLAIM = "claim"
APPROVE = "approve"
REJECT = "reject"
RETURN = "return"
TRANSFER = "transfer"
ADD_SIGNER = "add_signer"
CONVENE = "convene"
VOTE = "vote"
ACTIONS = (CLAIM, APPROVE, REJECT, RETURN, TRANSFER, ADD_SIGNER, CONVENE, VOTE)
MAX_COMMENT = 4000


def _comment(comment: str | None) -> str | None:
    comment = (comment or "").strip() or None
    if comment and len(comment) > MAX_COMMENT:
        raise ValidationFailed("A comment is at most {max_length} characters.", field="comment",
                               max_length=MAX_COMMENT)
    return comment


def _replayed(session: Session, instance: WorkflowInstance, client_key: str | None, action: str,
              task_id: uuid.UUID | None = None) -> bool:
    """Whether this action with ``client_key`` already took effect; the key used for anything else: CONFLICT."""
    if not client_key:
        return False
    if len(client_key) > 100:
        raise ValidationFailed("A client key is at most 100 characters.", field="client_key")
    done = session.execute(select(WorkflowEvent.instance_id, WorkflowEvent.action, WorkflowEvent.task_id)
                           .where(WorkflowEvent.client_key == client_key)).first()
    if done is None:
        return False
    if tuple(done) != (instance.id, action, task_id):
        raise Conflict("This client key was already used for another action.", field="client_key")
    return True


def _active_user(session: Session, user_id: uuid.UUID | str | None, field: str) -> uuid.UUID:
    try:
        uid = user_id if isinstance(user_id, uuid.UUID) else uuid.UUID(str(user_id))
    except (TypeError, ValueError):
        raise ValidationFailed("Not a user id.", field=field) from None
    if session.scalar(select(User.id).where(User.id == uid, User.status == USER_ACTIVE)) is None:
        raise NotFound("No such active user.", field=field)
    return uid


def _may_act(session: Session, actor: Actor, task: WorkflowTask) -> bool:
    me = actor.id_uuid
    if task.assignee_id == me:
        return True
    candidate = session.scalar(select(WorkflowTaskCandidate).where(
        WorkflowTaskCandidate.task_id == task.id, WorkflowTaskCandidate.user_id == me,
        WorkflowTaskCandidate.active.is_(True)))
    # Before a claim any candidate may act; after it, only the assignee or a supervisor it was escalated to.
    return candidate is not None and (task.assignee_id is None or candidate.reason == "escalated")


@guard_domain
def act(session: Session, actor: Actor, task_id: uuid.UUID, action: str, *, comment: str | None = None,
        client_key: str | None = None, to_step: str | None = None, to_user: uuid.UUID | str | None = None,
        members: Iterable[uuid.UUID | str] = (), chair: uuid.UUID | str | None = None, vote: str | None = None,
        attachment_ids: Iterable[uuid.UUID] = (), today: dt.date | None = None) -> WorkflowInstance:
    """Do ``action`` on task ``task_id``; the instance as it is afterwards."""
    if action not in ACTIONS:
        raise ValidationFailed("Unknown action {action!r}; one of {actions}.", field="action", action=action,
                               actions=", ".join(ACTIONS))
    require(session, actor, "core:workflow_task", "act")
    comment = _comment(comment)
    today = today or business_today()
    instance = lock_instance(session, task_id=task_id, timeline=1)  # the action's own timeline entry (record below)
    try:  # refused or replayed: the timeline number taken with the lock is given back
        if _replayed(session, instance, client_key, action, task_id):
            release_timeline(session, instance)
            return instance
        task, run = session.execute(
            select(WorkflowTask, WorkflowStepRun).join(WorkflowStepRun, WorkflowStepRun.id == WorkflowTask.step_run_id)
            .where(WorkflowTask.id == task_id).execution_options(populate_existing=True)).one()
        if task.status != TASK_OPEN or instance.status != INSTANCE_RUNNING:
            raise Conflict("This task is no longer open: someone else has already acted on it.", field="task_id")
        if not _may_act(session, actor, task):
            raise PermissionDenied("This task is not yours: only its assignee (or, before it is claimed, one of its "
                                   "candidates) may act on it.", field="task_id")
        members = [str(m) for m in members]
        details = {k: v for k, v in (("to_step", to_step), ("to_user", None if to_user is None else str(to_user)),
                                     ("vote", vote), ("members", members or None),
                                     ("chair", None if chair is None else str(chair))) if v is not None}
        attachments = cited(session, instance, attachment_ids)
        if attachments:
            details["attachments"] = attachments
    except Exception:
        release_timeline(session, instance)
        raise
    # The action goes on the timeline before what it causes (the next step, the end).
    record(session, instance, action, actor=actor, task=task, comment=comment, details=details,
           client_key=client_key)
    handler = {CLAIM: _claim, APPROVE: _decide, REJECT: _decide, RETURN: _return, TRANSFER: _transfer,
               ADD_SIGNER: _add_signer, CONVENE: _convene, VOTE: _vote}[action]
    handler(session, actor, instance, run, task, action=action, comment=comment, to_step=to_step, to_user=to_user,
            members=members, chair=chair, vote=vote, today=today)
    session.flush()
    return instance


def _claim(session, actor, instance, run, task, **_):
    if task.assignee_id is not None:
        raise Conflict("This task is already claimed.", field="task_id")
    task.assignee_id = actor.id_uuid


def _decide(session, actor, instance, run, task, *, action, comment, today, **_):
    if task.kind != KIND_TASK:
        raise ValidationFailed("Committee tasks are convened or voted on, not approved or rejected.", field="action")
    if action == REJECT and not comment:
        raise ValidationFailed("Say why when you reject.", field="comment")
    close_task(session, task, TASK_DONE, actor_id=actor.id_uuid, decision=action, comment=comment)
    settle(session, instance, run, today=today)


def _return(session, actor, instance, run, task, *, to_step, comment, today, **_):
    if not comment:
        raise ValidationFailed("Say why when you return a task.", field="comment")
    definition = definition_of(session, instance)
    if to_step not in definition.steps or not definition.step(to_step).human or to_step == run.step_key:
        raise ValidationFailed("Return to an earlier step of this instance that people worked on.", field="to_step")
    earlier = session.scalar(select(WorkflowStepRun).where(
        WorkflowStepRun.instance_id == instance.id, WorkflowStepRun.step_key == to_step,
        WorkflowStepRun.status == RUN_APPROVED).order_by(WorkflowStepRun.started_at.desc()).limit(1))
    if earlier is None:
        raise ValidationFailed("The instance has not passed step {to_step!r}, so it cannot return there.",
                               field="to_step", to_step=to_step)
    previous = list(dict.fromkeys(session.scalars(select(WorkflowTask.completed_by).where(
        WorkflowTask.step_run_id == earlier.id, WorkflowTask.status == TASK_DONE,
        WorkflowTask.kind != KIND_VOTE, WorkflowTask.completed_by.is_not(None)))))
    close_task(session, task, TASK_DONE, actor_id=actor.id_uuid, decision=RETURN, comment=comment)
    cancel_open_tasks(session, [run.id])
    run.status, run.decision = RUN_RETURNED, RETURN
    if definition.step(to_step).kind == d.COMMITTEE:
        previous = previous[:1]  # the secretary convenes again
    enter(session, instance, to_step, today=today, assign_to=previous or None, returned=True)


def _transfer(session, actor, instance, run, task, *, to_user, **_):
    target = _active_user(session, to_user, "to_user")
    if target == actor.id_uuid:
        raise ValidationFailed("Transfer the task to someone else.", field="to_user")
    _reassign(session, task, target, "transferred")
    notifications.notify(session, [target], notifications.TASK_ASSIGNED, N_("{title} (transferred to you)"),
                         entity_type="workflow_task", entity_id=task.id, params={"title": task.title})


def _reassign(session: Session, task: WorkflowTask, user_id: uuid.UUID, reason: str) -> None:
    candidates = list(session.scalars(select(WorkflowTaskCandidate).where(WorkflowTaskCandidate.task_id == task.id)))
    for c in candidates:
        c.active = c.user_id == user_id
        if c.user_id == user_id:
            c.reason = reason
    if all(c.user_id != user_id for c in candidates):
        session.add(WorkflowTaskCandidate(task_id=task.id, user_id=user_id, reason=reason))
    task.assignee_id = user_id


def _add_signer(session, actor, instance, run, task, *, to_user, today, **_):
    if task.kind != KIND_TASK:
        raise ValidationFailed("Signers are added to tasks and countersigns, not to committee votes.",
                               field="action")
    target = _active_user(session, to_user, "to_user")
    busy = session.scalar(select(WorkflowTask.id).where(
        WorkflowTask.step_run_id == run.id, WorkflowTask.assignee_id == target, WorkflowTask.status == TASK_OPEN))
    if busy is not None or target == actor.id_uuid:
        raise Conflict("That person already signs at this step.", field="to_user")
    create_task(session, instance, run, KIND_TASK, [target], due_date=task.due_date)


def _convene(session, actor, instance, run, task, *, members, chair, today, **_):
    if task.kind != KIND_CONVENE:
        raise ValidationFailed("Only the secretary's convening task convenes the committee.", field="action")
    step = definition_of(session, instance).step(run.step_key)
    ids = list(dict.fromkeys(_active_user(session, m, "members") for m in members))
    if len(ids) < step.quorum:
        raise ValidationFailed("The committee needs at least {quorum} members (its quorum); {chosen} chosen.",
                               field="members", quorum=step.quorum, chosen=len(ids))
    if step.member_role:
        outsiders = [u for u in ids if step.member_role not in subject_roles(session, f"user:{u}")]
        if outsiders:
            raise ValidationFailed("{count} chosen member(s) do not hold the role {role!r}.",
                                   field="members", count=len(outsiders), role=step.member_role)
    chair_id = _active_user(session, chair, "chair") if chair else None
    if chair_id is not None and chair_id not in ids:
        raise ValidationFailed("The chair must be one of the members.", field="chair")
    close_task(session, task, TASK_DONE, actor_id=actor.id_uuid, decision=CONVENE)
    history = (run.resolution or {}).get("history", [])
    run.resolution = {"members": [str(u) for u in ids], "chair": str(chair_id) if chair_id else None,
                      "convened_by": actor.id, "convened_on": today.isoformat(), "history": history}
    due = calendar(session).add_working_days(today, step.timeout.working_days) if step.timeout else None
    votes = [create_task(session, instance, run, KIND_VOTE, [member], due_date=due) for member in ids]
    run.resolution = {**run.resolution, "vote_tasks": [str(t.id) for t in votes]}


def _vote(session, actor, instance, run, task, *, vote, comment, today, **_):
    if task.kind != KIND_VOTE:
        raise ValidationFailed("Only committee members vote.", field="action")
    if vote not in VOTES:
        raise ValidationFailed("A vote is one of {votes}.", field="vote", votes=", ".join(VOTES))
    if vote in (VOTE_APPROVE_WITH_CONDITIONS, VOTE_RECUSE) and not comment:
        what = "the conditions" if vote == VOTE_APPROVE_WITH_CONDITIONS else "the reason for the recusal"
        raise ValidationFailed("State {what} in the comment.", field="comment", what=what)
    close_task(session, task, TASK_DONE, actor_id=actor.id_uuid, decision=vote, comment=comment)
    settle(session, instance, run, today=today)


@guard_domain
def withdraw(session: Session, actor: Actor, instance_id: uuid.UUID, *, comment: str | None = None,
             client_key: str | None = None, today: dt.date | None = None) -> WorkflowInstance:
    """The initiator takes the instance back (撤回): it ends as withdrawn and its open tasks are cancelled."""
    require(session, actor, "core:workflow_task", "act")
    instance = lock_instance(session, instance_id)
    if _replayed(session, instance, client_key, "withdraw"):
        return instance
    if instance.initiator_id != actor.id_uuid:
        raise PermissionDenied("Only the person who started this instance may withdraw it.", field="instance_id")
    if instance.status != INSTANCE_RUNNING:
        raise Conflict("This workflow instance has already ended.", field="instance_id")
    record(session, instance, "withdraw", actor=actor, comment=_comment(comment), client_key=client_key)
    finish(session, instance, "withdrawn", today=today or business_today())
    session.flush()
    return instance


@guard_domain
def comment_on(session: Session, actor: Actor, instance_id: uuid.UUID, comment: str, *,
               attachment_ids: Iterable[uuid.UUID] = (), client_key: str | None = None) -> WorkflowInstance:
    """Add a comment (and cite uploaded files) to the instance's timeline."""
    require(session, actor, "core:workflow", "read")
    comment = _comment(comment)
    if not comment:
        raise ValidationFailed("A comment cannot be empty.", field="comment")
    instance = lock_instance(session, instance_id)
    require_participant(session, actor, instance)
    if _replayed(session, instance, client_key, "comment"):
        return instance
    details = {"attachments": cited(session, instance, attachment_ids)} if attachment_ids else {}
    record(session, instance, "comment", actor=actor, comment=comment, details=details, client_key=client_key)
    session.flush()
    return instance
