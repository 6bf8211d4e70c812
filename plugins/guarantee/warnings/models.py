"""Early-warning tables of the ``guarantee`` plugin (see project/models.py for the conventions): the bank's overdue
reports, tenant-defined early-warning indicators and the warnings they raise, and changes of the five-category risk
classification."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from sqlalchemy import JSON, Boolean, Date, ForeignKeyConstraint, Index, Integer, String, UniqueConstraint, Uuid
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column

from surety.core.db.base import Base, TenantScoped
from surety.core.db.types import Money, Rate, UTCDateTime, utcnow

#: Warning levels, lowest first, and warning statuses.
WARNING_LEVELS = ("blue", "yellow", "orange", "red")
WARNING_OPEN = "open"
WARNING_HANDLED = "handled"
WARNING_DISMISSED = "dismissed"
#: Classification change statuses.
CHANGE_PROPOSED = "proposed"
CHANGE_APPROVED = "approved"
CHANGE_REJECTED = "rejected"


def _fk(column: str, table: str, ondelete: str | None = None) -> ForeignKeyConstraint:
    return ForeignKeyConstraint(["tenant_id", column], [f"{table}.tenant_id", f"{table}.id"], ondelete=ondelete)


class GuaranteeOverdueReport(TenantScoped, Base):
    """The bank reports the guaranteed loan overdue (principal and/or interest, days past due)."""

    __tablename__ = "guarantee_overdue_reports"
    __table_args__ = (_fk("project_id", "guarantee_projects"),
                      Index("ix_guarantee_overdue_reports_project", "tenant_id", "project_id"))

    project_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    reported_on: Mapped[dt.date] = mapped_column(Date)
    overdue_principal: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    overdue_interest: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    days_past_due: Mapped[int] = mapped_column(Integer, default=0)
    notes: Mapped[str] = mapped_column(String(500), default="")
    #: When and why it was closed: ``cured`` (the bank says the arrears are paid) or ``superseded`` (a later report);
    #: None while it is open.
    closed_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    close_reason: Mapped[str] = mapped_column(String(12), default="")
    created_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    @hybrid_property
    def open(self) -> bool:
        """Not closed yet (``closed_on`` is None); in a query, the matching condition."""
        return self.closed_on is None

    @open.inplace.expression
    @classmethod
    def _open_expression(cls):
        return cls.closed_on.is_(None)


class GuaranteeWarningIndicator(TenantScoped, Base):
    """A tenant-defined early-warning indicator: what it watches (``kind``), its threshold and the level of the
    warning it raises."""

    __tablename__ = "guarantee_warning_indicators"
    __table_args__ = (UniqueConstraint("tenant_id", "code"),)

    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40))
    #: The value at or above which it fires (meaning depends on ``kind``; None: any occurrence).
    threshold: Mapped[Decimal | None] = mapped_column(Rate, nullable=True)
    level: Mapped[str] = mapped_column(String(10), default="yellow")  # one of WARNING_LEVELS
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class GuaranteeWarning(TenantScoped, Base):
    """A warning on a project raised by an indicator (or by hand); it opens a task for the risk officer."""

    __tablename__ = "guarantee_warnings"
    __table_args__ = (_fk("project_id", "guarantee_projects"), _fk("indicator_id", "guarantee_warning_indicators"),
                      Index("ix_guarantee_warnings_project", "tenant_id", "project_id"),
                      Index("ix_guarantee_warnings_status", "tenant_id", "status"))

    project_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    indicator_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    level: Mapped[str] = mapped_column(String(10))
    observed: Mapped[Decimal | None] = mapped_column(Rate, nullable=True)
    details: Mapped[str] = mapped_column(String(1000), default="")
    status: Mapped[str] = mapped_column(String(10), default=WARNING_OPEN)
    raised_on: Mapped[dt.date] = mapped_column(Date)
    #: What the warning was raised on (the overdue report, the statement period, the blacklist entry): an indicator
    #: raises at most one warning per project and basis, so a handled warning is not raised again on the same facts.
    basis: Mapped[str] = mapped_column(String(100), default="")
    raised_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    workflow_instance_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    handled_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    handled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    handling_note: Mapped[str] = mapped_column(String(1000), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class GuaranteeClassificationChange(TenantScoped, Base):
    """A proposed change of a project's risk classification, decided through the workflow engine."""

    __tablename__ = "guarantee_classification_changes"
    __table_args__ = (_fk("project_id", "guarantee_projects"),
                      Index("ix_guarantee_classification_changes_project", "tenant_id", "project_id"))

    project_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    from_class: Mapped[str] = mapped_column(String(20))
    to_class: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(String(1000))
    status: Mapped[str] = mapped_column(String(10), default=CHANGE_PROPOSED)
    workflow_instance_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    proposed_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
