"""Per-tenant keys, stored wrapped by the key-encryption key (KEK)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from surety.core.db.base import Base, TenantScoped
from surety.core.db.types import UTCDateTime, utcnow

KEY_DATA = "data"
KEY_INDEX = "index"


class TenantKey(TenantScoped, Base):
    __tablename__ = "tenant_keys"
    __table_args__ = (UniqueConstraint("tenant_id", "purpose", "version"),)

    purpose: Mapped[str] = mapped_column(String(10))  # data | index
    version: Mapped[int] = mapped_column(Integer)
    wrapped_key: Mapped[bytes] = mapped_column(LargeBinary)
    kek_id: Mapped[str] = mapped_column(String(50))
    status: Mapped[str] = mapped_column(String(10), default="active")  # active | retired
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
