"""Customer self-service portal table of the ``guarantee`` plugin: which customer a portal user acts for."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import ForeignKeyConstraint, Index, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from surety.core.db.base import Base, TenantScoped
from surety.core.db.types import UTCDateTime, utcnow


class GuaranteePortalLink(TenantScoped, Base):
    """A portal user (role ``customer_portal``) acting for one customer: it sees that customer's projects only."""

    __tablename__ = "guarantee_portal_links"
    __table_args__ = (UniqueConstraint("tenant_id", "user_id"),
                      ForeignKeyConstraint(["tenant_id", "user_id"], ["users.tenant_id", "users.id"]),
                      ForeignKeyConstraint(["tenant_id", "customer_id"], ["customers.tenant_id", "customers.id"]),
                      Index("ix_guarantee_portal_links_customer", "tenant_id", "customer_id"))

    user_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    customer_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    created_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
