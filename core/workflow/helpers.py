"""What a plugin's processes need around the engine: building a definition's steps, starting an instance as the
person acting or as the system, and reading who took an instance's last decision. docs/core-helpers.md.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from surety.core.context import ACTOR_API_KEY, ACTOR_USER, Actor
from surety.core.ids import as_uuid
from surety.core.workflow import engine
from surety.core.workflow.models import WorkflowEvent, WorkflowInstance

#: Timeline actions that are decisions of a person.
DECISIONS = ("approve", "reject", "vote", "withdraw")


def task_step(key: str, name: str, assignee: Mapping[str, Any], transitions: list[dict], *, days: int,
              escalate_to: str, remind_before: int = 1) -> dict:
    """A ``task`` step of a definition document: ``assignee`` (``{"role": ...}``, ``{"field": ...}``, with
    ``"org_unit": "subject"`` ...), due after ``days`` working days, a reminder ``remind_before`` days before, then
    escalated to the holders of role ``escalate_to``. docs/workflow.md describes each key."""
    return {"key": key, "name": name, "kind": "task", "assignee": dict(assignee),
            "timeout": {"working_days": days, "remind_before": remind_before, "escalate_to": escalate_to},
            "transitions": transitions}


def end_step(key: str, result: str | None = None, name: str | None = None) -> dict:
    """An ``end`` step ending the instance with ``result`` (default: the key), named ``name`` (default: the key
    capitalised): ``end_step("approved")``."""
    result = result or key
    return {"key": key, "name": name or key.replace("_", " ").capitalize(), "kind": "end", "result": result}


def start(session: Session, actor: Actor | None, system_id: str, *, definition_key: str, subject_type: str,
          subject_id: str, subject: Mapping[str, Any] | None = None, title: str = "",
          today: dt.date | None = None) -> WorkflowInstance:
    """Start ``definition_key`` about a subject as ``actor`` when it is a user or an API key (``engine.start``,
    which needs core:workflow:start and makes them the initiator), else as the system ``system_id`` (a day-end job,
    a reaction to an event: ``engine.start_as_system``, no permission check)."""
    if actor is not None and actor.type in (ACTOR_USER, ACTOR_API_KEY):
        return engine.start(session, actor, definition_key=definition_key, subject_type=subject_type,
                            subject_id=subject_id, subject=subject, title=title, today=today)
    return engine.start_as_system(session, system_id, definition_key=definition_key, subject_type=subject_type,
                                  subject_id=subject_id, subject=subject, title=title, today=today)


class Decision(NamedTuple):
    """Who took a decision (a user's id; None for the system or an API key) and their comment ("" when none)."""

    user_id: uuid.UUID | None
    comment: str


def last_decision(session: Session, instance_id: uuid.UUID) -> Decision:
    """Who took the instance's last decision (approve, reject, vote, withdraw) and their comment, from the engine's
    timeline; ``(None, "")`` when no person did (an automatic step, the system). Unpacks as a pair."""
    row = session.execute(select(WorkflowEvent.actor_type, WorkflowEvent.actor_id, WorkflowEvent.comment)
                          .where(WorkflowEvent.instance_id == instance_id, WorkflowEvent.action.in_(DECISIONS))
                          .order_by(WorkflowEvent.seq.desc()).limit(1)).first()
    if row is None:
        return Decision(None, "")
    return Decision(as_uuid(row.actor_id) if row.actor_type == ACTOR_USER else None, row.comment or "")
