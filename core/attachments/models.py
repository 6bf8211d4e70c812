"""Tables of this core module: one row per attached file (the bytes live in a storage backend)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from surety.core.db.base import Base, TenantScoped
from surety.core.db.types import UTCDateTime, utcnow


class Attachment(TenantScoped, Base):
    """A file attached to any entity, named by ``entity_type`` (``<plugin>:<resource>``) and ``entity_id``.

    ``content_type`` is what the content was sniffed as, never what the client declared. The bytes are in the
    backend ``storage_backend`` under ``storage_key`` (per tenant). Deleting is soft: ``deleted_at`` is set and the
    row is no longer listed or downloadable; the stored bytes are kept (audit retention).
    """

    __tablename__ = "attachments"
    __table_args__ = (Index("ix_attachments_entity", "tenant_id", "entity_type", "entity_id"),)

    entity_type: Mapped[str] = mapped_column(String(100))
    entity_id: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_backend: Mapped[str] = mapped_column(String(50))
    storage_key: Mapped[str] = mapped_column(String(200))
    #: Casbin subject of the uploader (``user:<id>`` or ``apikey:<id>``) and, for display, their username.
    uploaded_by: Mapped[str] = mapped_column(String(80))
    uploaded_by_name: Mapped[str | None] = mapped_column(String(100), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    deleted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    deleted_by: Mapped[str | None] = mapped_column(String(80), nullable=True)

    @property
    def deleted(self) -> bool:
        return self.deleted_at is not None
