"""Tables of the rating area of the ``guarantee`` plugin: scorecard templates, credit ratings and due-diligence
reports (see models.py for the conventions; docs/guarantee/risk.md for the rules)."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from sqlalchemy import JSON, Boolean, Date, ForeignKeyConstraint, Index, Integer, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from surety.core.db.base import Base, TenantScoped
from surety.core.db.types import Money, Rate, UTCDateTime, utcnow

REPORT_DRAFT = "draft"
REPORT_SUBMITTED = "submitted"


def _fk(column: str, table: str, ondelete: str | None = None) -> ForeignKeyConstraint:
    return ForeignKeyConstraint(["tenant_id", column], [f"{table}.tenant_id", f"{table}.id"], ondelete=ondelete)


class GuaranteeScorecardTemplate(TenantScoped, Base):
    """A tenant's credit-rating scorecard for one customer kind. Saving it again bumps ``version``; ratings keep a
    snapshot of the version they used, so later edits never change them. One active template per kind is used by
    default."""

    __tablename__ = "guarantee_scorecard_templates"
    __table_args__ = (UniqueConstraint("tenant_id", "code"),
                      Index("ix_guarantee_scorecard_templates_kind", "tenant_id", "customer_kind"))

    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    customer_kind: Mapped[str] = mapped_column(String(16))  # individual | corporate
    version: Mapped[int] = mapped_column(Integer, default=1)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: ``[{key, name, kind, weight, max_points, source?, bands?}]`` (validated by rating.clean_template).
    indicators: Mapped[list] = mapped_column(JSON, default=list)
    #: ``[{grade, min}]``, highest first; the last has ``min`` 0.
    grades: Mapped[list] = mapped_column(JSON, default=list)
    updated_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class GuaranteeRating(TenantScoped, Base):
    """A credit rating of a project's customer (资信评级). Each scoring adds a row; the latest is the project's
    rating. ``template`` is the snapshot of the template version used."""

    __tablename__ = "guarantee_ratings"
    __table_args__ = (_fk("project_id", "guarantee_projects", "CASCADE"),
                      _fk("template_id", "guarantee_scorecard_templates"),
                      Index("ix_guarantee_ratings_project", "tenant_id", "project_id", "rated_at"))

    project_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    customer_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    template_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    template_version: Mapped[int] = mapped_column(Integer)
    template: Mapped[dict] = mapped_column(JSON, default=dict)
    #: The statement the quantitative indicators came from (None when the template has none).
    statement_period_type: Mapped[str | None] = mapped_column(String(16), nullable=True)
    statement_period_end: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    #: ``[{key, kind, value?, points, max_points, weight, score}]`` as strings (exact decimals).
    scores: Mapped[list] = mapped_column(JSON, default=list)
    total: Mapped[Decimal] = mapped_column(Rate)
    grade: Mapped[str] = mapped_column(String(10))
    comment: Mapped[str] = mapped_column(String(1000), default="")
    rated_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    rated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class GuaranteeDueDiligenceReport(TenantScoped, Base):
    """The due-diligence report (尽职调查报告) of a project, written by its lead manager (A): saved as a draft, then
    submitted (read-only afterwards), linked to the project's rating."""

    __tablename__ = "guarantee_due_diligence_reports"
    __table_args__ = (UniqueConstraint("tenant_id", "project_id"),
                      _fk("project_id", "guarantee_projects", "CASCADE"),
                      _fk("rating_id", "guarantee_ratings"))

    project_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    status: Mapped[str] = mapped_column(String(16), default=REPORT_DRAFT)
    business_overview: Mapped[str] = mapped_column(Text, default="")
    financial_analysis: Mapped[str] = mapped_column(Text, default="")
    repayment_source: Mapped[str] = mapped_column(Text, default="")
    counter_guarantee_analysis: Mapped[str] = mapped_column(Text, default="")
    risks: Mapped[str] = mapped_column(Text, default="")
    conclusion: Mapped[str] = mapped_column(Text, default="")
    recommended_amount: Mapped[Decimal | None] = mapped_column(Money, nullable=True)
    recommended_term_months: Mapped[int | None] = mapped_column(Integer, nullable=True)
    #: Recommended yearly guarantee-fee rate (e.g. 0.015).
    recommended_rate: Mapped[Decimal | None] = mapped_column(Rate, nullable=True)
    rating_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    author_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    submitted_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
