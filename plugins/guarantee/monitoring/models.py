"""Post-guarantee monitoring tables of the ``guarantee`` plugin (see project/models.py for the conventions):
inspection plans and records (保后检查), and the reminders already sent (one per subject and due date, so the day-end
batch is idempotent)."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Boolean, Date, ForeignKeyConstraint, Index, Integer, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from surety.core.db.base import Base, TenantScoped
from surety.core.db.types import UTCDateTime, utcnow

#: Inspection kinds and conclusions.
INSPECTION_KINDS = ("first", "periodic", "ad_hoc")
INSPECTION_CONCLUSIONS = ("normal", "attention", "risk")


def _fk(column: str, table: str, ondelete: str | None = None) -> ForeignKeyConstraint:
    return ForeignKeyConstraint(["tenant_id", column], [f"{table}.tenant_id", f"{table}.id"], ondelete=ondelete)


class GuaranteeInspectionPlan(TenantScoped, Base):
    """A project's inspection plan: the next inspection is due on ``next_due``, then every ``interval_days``."""

    __tablename__ = "guarantee_inspection_plans"
    __table_args__ = (UniqueConstraint("tenant_id", "project_id"), _fk("project_id", "guarantee_projects"),
                      Index("ix_guarantee_inspection_plans_due", "tenant_id", "active", "next_due"))

    project_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    first_due: Mapped[dt.date] = mapped_column(Date)
    interval_days: Mapped[int] = mapped_column(Integer)
    next_due: Mapped[dt.date] = mapped_column(Date)
    #: False once the project is released or closed (no more inspections due).
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class GuaranteeInspection(TenantScoped, Base):
    """One inspection of a project: when, what kind, what was found and the conclusion; files attach to it."""

    __tablename__ = "guarantee_inspections"
    __table_args__ = (_fk("project_id", "guarantee_projects"),
                      Index("ix_guarantee_inspections_project", "tenant_id", "project_id", "inspected_on"))

    project_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    kind: Mapped[str] = mapped_column(String(12))  # one of INSPECTION_KINDS
    inspected_on: Mapped[dt.date] = mapped_column(Date)
    findings: Mapped[str] = mapped_column(String(4000), default="")
    conclusion: Mapped[str] = mapped_column(String(12), default="normal")  # one of INSPECTION_CONCLUSIONS
    inspector_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    #: The due date this inspection satisfied (None for an ad-hoc one).
    due_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class GuaranteeReminder(TenantScoped, Base):
    """A reminder already sent: one per (kind, subject, due date), so re-running the day-end batch sends none
    twice."""

    __tablename__ = "guarantee_reminders"
    __table_args__ = (UniqueConstraint("tenant_id", "kind", "subject_id", "due_on"),
                      _fk("project_id", "guarantee_projects"))

    kind: Mapped[str] = mapped_column(String(20))  # fee_due | expiring | inspection_due | inspection_late | overdue
    subject_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    project_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    due_on: Mapped[dt.date] = mapped_column(Date)
    sent_on: Mapped[dt.date] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
