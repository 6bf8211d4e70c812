"""Workflow tables: definitions (versioned per tenant), instances, step runs, tasks with their candidates, the
timeline, committee resolutions, and work-calendar overrides (platform-wide and per tenant)."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from surety.core.db.base import Base, GlobalTable, TenantScoped, uuid7
from surety.core.db.types import UTCDateTime, utcnow

DEF_DRAFT = "draft"
DEF_PUBLISHED = "published"
DEF_RETIRED = "retired"

INSTANCE_RUNNING = "running"
INSTANCE_APPROVED = "approved"
INSTANCE_REJECTED = "rejected"
INSTANCE_WITHDRAWN = "withdrawn"
END_RESULTS = (INSTANCE_APPROVED, INSTANCE_REJECTED, INSTANCE_WITHDRAWN)

RUN_OPEN = "open"
RUN_APPROVED = "approved"
RUN_REJECTED = "rejected"
RUN_CANCELLED = "cancelled"
RUN_RETURNED = "returned"

TASK_OPEN = "open"
TASK_DONE = "done"
TASK_CANCELLED = "cancelled"


def _instance_fk() -> ForeignKeyConstraint:
    return ForeignKeyConstraint(["tenant_id", "instance_id"],
                                ["workflow_instances.tenant_id", "workflow_instances.id"], ondelete="CASCADE")


class WorkflowDefinition(TenantScoped, Base):
    """One version of a process definition. Drafts are edited in place; publishing freezes a version and retires
    the previously published one. Running instances keep the version they started on."""

    __tablename__ = "workflow_definitions"
    __table_args__ = (UniqueConstraint("tenant_id", "key", "version"),)

    key: Mapped[str] = mapped_column(String(100))
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    subject_type: Mapped[str] = mapped_column(String(100), default="")
    document: Mapped[dict] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default=DEF_DRAFT)
    source: Mapped[str] = mapped_column(String(100), default="tenant")  # "tenant" or the plugin that shipped it
    created_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)


class WorkflowInstance(TenantScoped, Base):
    """A running (or ended) process about one subject (``subject_type`` + ``subject_id``)."""

    __tablename__ = "workflow_instances"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "definition_id"],
                             ["workflow_definitions.tenant_id", "workflow_definitions.id"]),
        Index("ix_workflow_instances_subject", "tenant_id", "subject_type", "subject_id"),
        Index("ix_workflow_instances_initiator", "tenant_id", "initiator_id", "status"),
    )

    definition_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    definition_key: Mapped[str] = mapped_column(String(100))
    definition_version: Mapped[int] = mapped_column(Integer)
    subject_type: Mapped[str] = mapped_column(String(100))
    subject_id: Mapped[str] = mapped_column(String(64))
    subject: Mapped[dict] = mapped_column(JSON, default=dict)
    variables: Mapped[dict] = mapped_column(JSON, default=dict)
    title: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[str] = mapped_column(String(16), default=INSTANCE_RUNNING)
    current_step: Mapped[str | None] = mapped_column(String(100), nullable=True)
    initiator_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    org_unit_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    #: Bumped at the start of every action: the row lock that serialises actions on one instance.
    lock_version: Mapped[int] = mapped_column(Integer, default=0)
    #: The seq of the instance's latest timeline entry (the next one is ``last_seq + 1``; read under the lock).
    last_seq: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)


class WorkflowStepRun(TenantScoped, Base):
    """One visit of an instance to a step. ``mode``/``required`` decide when its tasks settle it: ``all`` (every
    task approves), ``any`` (one approval), ``n_of_m`` (``required`` approvals); committees keep a resolution."""

    __tablename__ = "workflow_step_runs"
    __table_args__ = (_instance_fk(), Index("ix_workflow_step_runs_instance", "tenant_id", "instance_id"))

    instance_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    step_key: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))
    mode: Mapped[str] = mapped_column(String(10), default="all")
    required: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(16), default=RUN_OPEN)
    decision: Mapped[str | None] = mapped_column(String(30), nullable=True)
    #: Committee: {"members": [...], "chair": ..., "votes": {...}, "result": ..., "conditions": [...]}.
    resolution: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)


class WorkflowTask(TenantScoped, Base):
    """A piece of work for one person: a task, a countersign, a committee convening or a committee vote.

    Open tasks are found through their candidates (``WorkflowTaskCandidate``); ``assignee_id`` is set once a
    candidate claims it, or at once when there is one candidate.
    """

    __tablename__ = "workflow_tasks"
    __table_args__ = (
        _instance_fk(),
        ForeignKeyConstraint(["tenant_id", "step_run_id"], ["workflow_step_runs.tenant_id", "workflow_step_runs.id"],
                             ondelete="CASCADE"),
        Index("ix_workflow_tasks_instance", "tenant_id", "instance_id"),
        Index("ix_workflow_tasks_step_run", "tenant_id", "step_run_id"),
        Index("ix_workflow_tasks_open_due", "tenant_id", "status", "due_date"),
        Index("ix_workflow_tasks_org_open", "tenant_id", "org_unit_id", "status"),
        Index("ix_workflow_tasks_completed_by", "tenant_id", "completed_by", "completed_at"),
    )

    instance_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    step_run_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    step_key: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[str] = mapped_column(String(16), default=TASK_OPEN)
    assignee_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    org_unit_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    decision: Mapped[str | None] = mapped_column(String(30), nullable=True)
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    due_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    reminded_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    escalated_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    completed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    completed_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)


class WorkflowTaskCandidate(TenantScoped, Base):
    """Who may act on a task. ``active`` is cleared when the task closes, so a user's inbox reads only open rows."""

    __tablename__ = "workflow_task_candidates"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "task_id"], ["workflow_tasks.tenant_id", "workflow_tasks.id"],
                             ondelete="CASCADE"),
        UniqueConstraint("tenant_id", "task_id", "user_id"),
        Index("ix_workflow_task_candidates_inbox", "tenant_id", "user_id", "active"),
    )

    task_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    reason: Mapped[str] = mapped_column(String(20), default="assigned")  # assigned, escalated, transferred


class WorkflowEvent(TenantScoped, Base):
    """The instance's timeline: who did what, when, with what comment. ``client_key`` makes an action idempotent."""

    __tablename__ = "workflow_events"
    __table_args__ = (
        _instance_fk(),
        Index("ix_workflow_events_instance", "tenant_id", "instance_id", "seq"),
        UniqueConstraint("tenant_id", "client_key"),
    )

    instance_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    seq: Mapped[int] = mapped_column(Integer)
    task_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    step_key: Mapped[str | None] = mapped_column(String(100), nullable=True)
    action: Mapped[str] = mapped_column(String(30))
    actor_type: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    client_key: Mapped[str | None] = mapped_column(String(100), nullable=True)
    occurred_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class WorkdayOverride(TenantScoped, Base):
    """A tenant's own correction of the PRC calendar: ``working`` true or false on ``day``."""

    __tablename__ = "workday_overrides"
    __table_args__ = (UniqueConstraint("tenant_id", "day"),)

    day: Mapped[dt.date] = mapped_column(Date)
    working: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str] = mapped_column(String(200), default="")


class PlatformWorkdayOverride(GlobalTable, Base):
    """A platform-wide correction of the PRC calendar (e.g. a year the calendar package does not know yet)."""

    __tablename__ = "platform_workday_overrides"
    __table_args__ = {"info": {"global": True}}

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7)
    day: Mapped[dt.date] = mapped_column(Date, unique=True)
    working: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str] = mapped_column(String(200), default="")
