"""Tables of the review committee area of the ``guarantee`` plugin: meetings (审保会), their members and their
agenda of projects. Votes and resolutions live in the workflow engine (the committee step run of each project's
instance); a meeting only groups them. Conventions as in models.py."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Date, ForeignKeyConstraint, Index, Integer, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from surety.core.db.base import Base, TenantScoped
from surety.core.db.types import UTCDateTime, utcnow

MEETING_SCHEDULED = "scheduled"
MEETING_OPEN = "open"
MEETING_STATUSES = (MEETING_SCHEDULED, MEETING_OPEN)


def _fk(column: str, table: str, ondelete: str | None = None) -> ForeignKeyConstraint:
    return ForeignKeyConstraint(["tenant_id", column], [f"{table}.tenant_id", f"{table}.id"], ondelete=ondelete)


class GuaranteeMeeting(TenantScoped, Base):
    """A review committee meeting: when, where, who chairs, the quorum note; opened once its agenda is convened."""

    __tablename__ = "guarantee_meetings"
    __table_args__ = (_fk("chair_id", "users"), _fk("minutes_attachment_id", "attachments"),
                      Index("ix_guarantee_meetings_date", "tenant_id", "meeting_date", "id"))

    title: Mapped[str] = mapped_column(String(200))
    meeting_date: Mapped[dt.date] = mapped_column(Date)
    place: Mapped[str] = mapped_column(String(200), default="")
    chair_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    quorum_note: Mapped[str] = mapped_column(String(500), default="")
    status: Mapped[str] = mapped_column(String(16), default=MEETING_SCHEDULED)
    opened_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    #: The latest exported minutes (.docx, attachment of entity ``guarantee:meeting``).
    minutes_attachment_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    created_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class GuaranteeMeetingMember(TenantScoped, Base):
    __tablename__ = "guarantee_meeting_members"
    __table_args__ = (_fk("meeting_id", "guarantee_meetings", "CASCADE"), _fk("user_id", "users"),
                      UniqueConstraint("tenant_id", "meeting_id", "user_id"))

    meeting_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    position: Mapped[int] = mapped_column(Integer, default=0)


class GuaranteeMeetingItem(TenantScoped, Base):
    """A project on a meeting's agenda, with the workflow instance whose committee step the meeting convenes."""

    __tablename__ = "guarantee_meeting_items"
    __table_args__ = (_fk("meeting_id", "guarantee_meetings", "CASCADE"), _fk("project_id", "guarantee_projects"),
                      UniqueConstraint("tenant_id", "meeting_id", "project_id"),
                      Index("ix_guarantee_meeting_items_project", "tenant_id", "project_id"))

    meeting_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    project_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    position: Mapped[int] = mapped_column(Integer, default=0)
    workflow_instance_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    #: The committee step run convened by this meeting (set when the meeting opens).
    step_run_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    convened_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
