"""Step timeouts, run by the day-end batch for a business date: a reminder shortly before a task is due, and
after it is due a notice to the people on it plus escalation to the step's supervisor role (who may then act).

Idempotent for a date: a task is reminded once and escalated once (``reminded_on`` / ``escalated_on``).
"""

from __future__ import annotations

import datetime as dt

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session

from surety.core.context import current
from surety.core.i18n import N_
from surety.core.notifications import service as notifications
from surety.core.workflow import assignees
from surety.core.workflow.engine import calendar, definition_of, lock_instance, record, subject_fields
from surety.core.workflow.models import TASK_OPEN, WorkflowInstance, WorkflowTask, WorkflowTaskCandidate

log = structlog.get_logger(__name__)


def _note(step, task: WorkflowTask) -> dict:
    """The parameters of a reminder's text (its template names the step, the task and the due date)."""
    return {"step": step.name, "title": task.title, "due_date": task.due_date.isoformat() if task.due_date else ""}


def _people(session: Session, task: WorkflowTask) -> list:
    if task.assignee_id is not None:
        return [task.assignee_id]
    return list(session.scalars(select(WorkflowTaskCandidate.user_id).where(
        WorkflowTaskCandidate.task_id == task.id, WorkflowTaskCandidate.active.is_(True))))


def run_timeouts(session: Session, business_date: dt.date) -> dict[str, int]:
    """Remind and escalate the tenant's open tasks for ``business_date``; counts of what was done."""
    cal = calendar(session)
    done = {"reminded": 0, "escalated": 0}
    rows = session.execute(
        select(WorkflowTask, WorkflowInstance)
        .join(WorkflowInstance, WorkflowInstance.id == WorkflowTask.instance_id)
        .where(WorkflowTask.status == TASK_OPEN, WorkflowTask.due_date.is_not(None))
        .order_by(WorkflowTask.due_date)
    ).all()
    for task, instance in rows:
        step = definition_of(session, instance).step(task.step_key)
        if step.timeout is None:
            continue
        if business_date > task.due_date:
            if task.escalated_on is None:
                # Under the instance's lock, and only if no one acted on the task since it was read.
                instance = lock_instance(session, instance.id)
                session.refresh(task)
                if task.status != TASK_OPEN or task.escalated_on is not None:
                    continue
                _escalate(session, task, instance, step, business_date)
                done["escalated"] += 1
        elif task.reminded_on is None and cal.working_days_between(business_date, task.due_date) <= \
                step.timeout.remind_before:
            notifications.notify(session, _people(session, task), notifications.TASK_DUE_SOON,
                                 N_("{step}: {title} is due on {due_date}"), entity_type="workflow_task",
                                 entity_id=task.id, params=_note(step, task))
            task.reminded_on = business_date
            done["reminded"] += 1
    return done


def _escalate(session: Session, task: WorkflowTask, instance: WorkflowInstance, step, business_date: dt.date):
    people = _people(session, task)
    notifications.notify(session, people, notifications.TASK_OVERDUE,
                         N_("{step}: {title} was due on {due_date}"), entity_type="workflow_task", entity_id=task.id,
                         params=_note(step, task))
    supervisors: list = []
    if step.timeout.escalate_to:
        spec = {"role": step.timeout.escalate_to, "org_unit": "subject"}
        try:
            supervisors = assignees.resolve(session, spec, subject_fields(session, instance), step.name)
        except assignees.NoAssignee:
            try:
                supervisors = assignees.resolve(session, {"role": step.timeout.escalate_to}, {}, step.name)
            except assignees.NoAssignee:  # nobody holds the role: still notify and mark, never stop the batch
                log.warning("workflow_escalation_without_supervisor", task_id=str(task.id),
                            role=step.timeout.escalate_to)
        existing = set(session.scalars(select(WorkflowTaskCandidate.user_id).where(
            WorkflowTaskCandidate.task_id == task.id)))
        for user_id in supervisors:
            if user_id not in existing:
                session.add(WorkflowTaskCandidate(task_id=task.id, user_id=user_id, reason="escalated"))
        notifications.notify(session, supervisors, notifications.TASK_ESCALATED,
                             N_("Overdue, escalated to you: {step}: {title}"), entity_type="workflow_task",
                             entity_id=task.id, params=_note(step, task))
    task.escalated_on = business_date
    record(session, instance, "escalate", actor=current().actor, task=task,
           details={"due_date": task.due_date.isoformat(), "to": [str(u) for u in supervisors],
                    "business_date": business_date.isoformat()})
