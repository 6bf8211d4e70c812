"""Tables of the documents area of the ``guarantee`` plugin (conventions as in project/models.py).

* Contracts: contract templates (versions of a tenant's .docx per contract type, the bytes kept in the row) and the
  contracts generated for a project (the .docx itself is an attachment of entity ``guarantee:project``).
* Review committee: meetings (审保会), their members and their agenda of projects. Votes and resolutions live in the
  workflow engine (the committee step run of each project's instance); a meeting only groups them.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import (
    JSON,
    Date,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from surety.core.db.base import Base, TenantScoped
from surety.core.db.types import UTCDateTime, utcnow

CONTRACT_GENERATED = "generated"
CONTRACT_SENT = "sent"
CONTRACT_SIGNED = "signed"
#: Replaced by a regenerated contract (kept for the record, no longer counted).
CONTRACT_SUPERSEDED = "superseded"
CONTRACT_STATUSES = (CONTRACT_GENERATED, CONTRACT_SENT, CONTRACT_SIGNED, CONTRACT_SUPERSEDED)
MEETING_SCHEDULED = "scheduled"
MEETING_OPEN = "open"
MEETING_STATUSES = (MEETING_SCHEDULED, MEETING_OPEN)



def _fk(column: str, table: str, ondelete: str | None = None) -> ForeignKeyConstraint:
    return ForeignKeyConstraint(["tenant_id", column], [f"{table}.tenant_id", f"{table}.id"], ondelete=ondelete)


class GuaranteeContractTemplate(TenantScoped, Base):
    """One version of the tenant's template of a contract type. The newest version is the one used; older ones are
    kept so a contract can say which version it was filled from."""

    __tablename__ = "guarantee_contract_templates"
    __table_args__ = (UniqueConstraint("tenant_id", "contract_type", "version"),)

    contract_type: Mapped[str] = mapped_column(String(30))  # templates.fill.CONTRACT_TYPES
    version: Mapped[int] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(String(255))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    #: The placeholders the template uses (checked on upload).
    placeholders: Mapped[list] = mapped_column(JSON, default=list)
    #: ``default`` (shipped, installed on first use) or ``upload``.
    source: Mapped[str] = mapped_column(String(20), default="upload")
    created_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class GuaranteeContract(TenantScoped, Base):
    """A contract generated for a project: guarantee, entrustment, or counter-guarantee (one per counter-guarantee).
    Status: generated -> sent (to an e-signature provider) -> signed; or superseded by a regeneration."""

    __tablename__ = "guarantee_contracts"
    __table_args__ = (
        _fk("project_id", "guarantee_projects"),
        _fk("counter_guarantee_id", "guarantee_counter_guarantees"),
        _fk("template_id", "guarantee_contract_templates"),
        _fk("attachment_id", "attachments"),
        _fk("signed_attachment_id", "attachments"),
        UniqueConstraint("tenant_id", "esign_reference"),
        Index("ix_guarantee_contracts_project", "tenant_id", "project_id", "status"),
    )

    project_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    contract_type: Mapped[str] = mapped_column(String(30))
    contract_no: Mapped[str] = mapped_column(String(80))
    counter_guarantee_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    template_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    template_version: Mapped[int] = mapped_column(Integer)
    #: The generated .docx (attachment of entity ``guarantee:project``).
    attachment_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    status: Mapped[str] = mapped_column(String(16), default=CONTRACT_GENERATED)
    #: The e-signature provider's reference while sent (None when signed by hand).
    esign_reference: Mapped[str | None] = mapped_column(String(200), nullable=True)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    sent_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    signed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    signed_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    #: ``esign`` (the provider's callback) or ``manual`` (recorded by a person).
    signed_via: Mapped[str | None] = mapped_column(String(16), nullable=True)
    #: The signed copy (from the provider, or a scan uploaded by hand), an attachment of the project.
    signed_attachment_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    #: Who signed: ``[{"role": ..., "name": ...}]`` (names are personal data: never logged).
    signers: Mapped[list] = mapped_column(JSON, default=list)
    recorded_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


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
