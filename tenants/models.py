"""Tenant registry (global table) and platform operators."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import JSON, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from surety.core.db.base import Base, GlobalTable, uuid7
from surety.core.db.types import UTCDateTime, utcnow

TENANT_ACTIVE = "active"
TENANT_SUSPENDED = "suspended"


class Tenant(GlobalTable, Base):
    __tablename__ = "tenants"
    __table_args__ = {"info": {"global": True}}

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7)
    slug: Mapped[str] = mapped_column(String(63), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default=TENANT_ACTIVE)
    enabled_plugins: Mapped[list] = mapped_column(JSON, default=list)
    settings: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    suspended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)

    @property
    def active(self) -> bool:
        return self.status == TENANT_ACTIVE


class PlatformOperator(GlobalTable, Base):
    """A platform operator: manages tenants; is not a user of any tenant."""

    __tablename__ = "platform_operators"
    __table_args__ = {"info": {"global": True}}

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    locked_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
