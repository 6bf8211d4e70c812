"""Tables of the monitoring area: warnings raised on a partner when an indicator crosses a threshold of the tenant's
settings (``reguarantee_settings.warning_thresholds``)."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from sqlalchemy import Date, ForeignKeyConstraint, Index, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from surety.core.db.base import Base, TenantScoped
from surety.core.db.types import Rate, UTCDateTime, utcnow


class ReguaranteeWarning(TenantScoped, Base):
    """A warning on a partner: the indicator, its value and the threshold crossed, as of a business date."""

    __tablename__ = "reguarantee_warnings"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "partner_id"],
                             ["reguarantee_partners.tenant_id", "reguarantee_partners.id"]),
        Index("ix_reguarantee_warnings_partner", "tenant_id", "partner_id", "status"),
    )

    partner_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    as_of: Mapped[dt.date] = mapped_column(Date)
    #: A key of conventions.WARNING_INDICATORS (e.g. compensation_rate).
    indicator: Mapped[str] = mapped_column(String(40))
    value: Mapped[Decimal] = mapped_column(Rate)
    threshold: Mapped[Decimal] = mapped_column(Rate)
    #: A key of conventions.WARNING_LEVELS (blue, yellow, orange, red).
    level: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10), default="open")
    message: Mapped[str] = mapped_column(String(500), default="")
    closed_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    closed_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
