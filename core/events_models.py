"""Outbox of domain events for asynchronous consumers (webhooks, notifications)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from surety.core.db.base import Base, TenantScoped
from surety.core.db.types import UTCDateTime, utcnow


class OutboxEvent(TenantScoped, Base):
    __tablename__ = "event_outbox"
    __table_args__ = (Index("ix_event_outbox_unpublished", "tenant_id", "published_at"),)

    event_type: Mapped[str] = mapped_column(String(100))
    payload: Mapped[dict] = mapped_column(JSON)
    occurred_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
