"""In-app notifications (a per-user inbox) and their deliveries through further channels (email, SMS, ...)."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import ForeignKeyConstraint, Index, Integer, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from surety.core.db.base import Base, TenantScoped
from surety.core.db.types import UTCDateTime, utcnow

DELIVERY_PENDING = "pending"
DELIVERY_SENT = "sent"
DELIVERY_FAILED = "failed"  # gave up after the last attempt


class Notification(TenantScoped, Base):
    __tablename__ = "notifications"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "user_id"], ["users.tenant_id", "users.id"], ondelete="CASCADE"),
        Index("ix_notifications_inbox", "tenant_id", "user_id", "read_at"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    kind: Mapped[str] = mapped_column(String(50))
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    entity_type: Mapped[str | None] = mapped_column(String(100), nullable=True)
    entity_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)


class NotificationDelivery(TenantScoped, Base):
    """One notification through one channel: pending until sent, retried up to a limit."""

    __tablename__ = "notification_deliveries"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "notification_id"], ["notifications.tenant_id", "notifications.id"],
                             ondelete="CASCADE"),
        UniqueConstraint("tenant_id", "notification_id", "channel"),
        Index("ix_notification_deliveries_pending", "tenant_id", "status"),
    )

    notification_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    channel: Mapped[str] = mapped_column(String(50))
    status: Mapped[str] = mapped_column(String(16), default=DELIVERY_PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(500), nullable=True)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
