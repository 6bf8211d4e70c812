"""Tables of the forms area: the tenant's form definitions (``regulatory_forms``, one row per code and version),
the reports filled from them (``regulatory_reports``, one row per form, period and report version) and the due-date
reminders already sent (``regulatory_report_reminders``). docs/regulatory/forms.md."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import JSON, Boolean, Date, ForeignKeyConstraint, Index, Integer, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from surety.core.db.base import Base, TenantScoped
from surety.core.db.types import UTCDateTime, utcnow

#: Report statuses -> zh-CN label.
REPORT_STATUSES = {"draft": "草稿", "reviewed": "已复核", "locked": "已锁定", "superseded": "已被更正"}


class RegulatoryForm(TenantScoped, Base):
    """One version of a form definition (layout.py: ``rows`` and ``columns`` as data). A change is a new version;
    ``current`` marks the one new reports are filled from, and a report keeps the version it was filled from."""

    __tablename__ = "regulatory_forms"
    __table_args__ = (UniqueConstraint("tenant_id", "code", "version"),
                      Index("ix_regulatory_forms_current", "tenant_id", "code", "current"))

    code: Mapped[str] = mapped_column(String(40))
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(100))
    #: ``month`` or ``quarter`` (layout.CADENCES).
    cadence: Mapped[str] = mapped_column(String(10))
    rows: Mapped[list] = mapped_column(JSON)
    columns: Mapped[list] = mapped_column(JSON)
    current: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class RegulatoryReport(TenantScoped, Base):
    """A form filled for a period (``2026M11``, ``2026Q3``): the cells as filed (``{row code: {column key: value
    as text or null}}``), draft -> reviewed -> locked; a locked report never changes. A correction is a new
    ``version`` of the report for the same period; when it is locked the one before becomes ``superseded``."""

    __tablename__ = "regulatory_reports"
    __table_args__ = (UniqueConstraint("tenant_id", "form_code", "period", "version"),
                      ForeignKeyConstraint(["tenant_id", "form_id"], ["regulatory_forms.tenant_id",
                                                                      "regulatory_forms.id"]),
                      Index("ix_regulatory_reports_period", "tenant_id", "period", "status"))

    form_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    form_code: Mapped[str] = mapped_column(String(40))
    form_version: Mapped[int] = mapped_column(Integer)
    period: Mapped[str] = mapped_column(String(10))
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    #: The business date the figures are as of: the period's last business day.
    as_of: Mapped[dt.date] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(12), default="draft")
    cells: Mapped[dict] = mapped_column(JSON)
    due_date: Mapped[dt.date] = mapped_column(Date)
    filled_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    filled_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    reviewed_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    locked_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    locked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)


class RegulatoryReportReminder(TenantScoped, Base):
    """A due-date reminder sent (``due_soon`` or ``overdue``) for a form's period: each is sent once."""

    __tablename__ = "regulatory_report_reminders"
    __table_args__ = (UniqueConstraint("tenant_id", "form_code", "period", "kind"),)

    form_code: Mapped[str] = mapped_column(String(40))
    period: Mapped[str] = mapped_column(String(10))
    kind: Mapped[str] = mapped_column(String(10))
    due_date: Mapped[dt.date] = mapped_column(Date)
    sent_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
