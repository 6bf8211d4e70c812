"""Tables of partner institutions: the partner (its identity, contact and status, with the result of its admission
analysis) and its periodic evaluations. The contact person and phone are personal data, encrypted with the tenant's
data key (core.crypto.fields, as customers' phone numbers)."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from sqlalchemy import JSON, Date, ForeignKeyConstraint, Index, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from surety.core.crypto.fields import EncryptedString
from surety.core.db.base import Base, TenantScoped
from surety.core.db.types import Money, Rate, UTCDateTime, utcnow


class ReguaranteePartner(TenantScoped, Base):
    """A partner institution: a bank or a city/county guarantee company (conventions.PARTNER_KINDS)."""

    __tablename__ = "reguarantee_partners"
    __table_args__ = (UniqueConstraint("tenant_id", "credit_code"),
                      Index("ix_reguarantee_partners_kind_status", "tenant_id", "kind", "status"))

    name: Mapped[str] = mapped_column(String(200))
    #: A key of conventions.PARTNER_KINDS.
    kind: Mapped[str] = mapped_column(String(20))
    #: Unified social credit code (统一社会信用代码), 18 characters: a company's public identifier.
    credit_code: Mapped[str] = mapped_column(String(18))
    #: Region (行政区划) as text, e.g. 江苏省南京市江宁区.
    region: Mapped[str] = mapped_column(String(100), default="")
    registered_capital: Mapped[Decimal | None] = mapped_column(Money, nullable=True)
    contact_name: Mapped[str | None] = mapped_column(EncryptedString("reguarantee_partners.contact_name"),
                                                     nullable=True)
    contact_phone: Mapped[str | None] = mapped_column(EncryptedString("reguarantee_partners.contact_phone"),
                                                      nullable=True)
    #: A key of conventions.PARTNER_STATUSES.
    status: Mapped[str] = mapped_column(String(20), default="applying")
    #: The reason of the last status change made by a person (suspension, resumption, termination).
    status_reason: Mapped[str] = mapped_column(String(500), default="")
    #: The admission analysis: ``[{key, label, weight, score}]`` as text, the weighted total and who recorded it.
    analysis_scores: Mapped[list | None] = mapped_column(JSON, nullable=True)
    analysis_score: Mapped[Decimal | None] = mapped_column(Rate, nullable=True)
    analysed_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    admission_instance_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    admitted_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    created_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ReguaranteePartnerEvaluation(TenantScoped, Base):
    """A periodic evaluation of a partner (one per partner and period, e.g. ``2026`` or ``2026Q3``)."""

    __tablename__ = "reguarantee_partner_evaluations"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "partner_id"],
                             ["reguarantee_partners.tenant_id", "reguarantee_partners.id"]),
        UniqueConstraint("tenant_id", "partner_id", "period"),
    )

    partner_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    period: Mapped[str] = mapped_column(String(10))
    #: Score 0-100.
    score: Mapped[Decimal] = mapped_column(Rate)
    remarks: Mapped[str] = mapped_column(String(1000), default="")
    evaluated_on: Mapped[dt.date] = mapped_column(Date)
    evaluated_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
