"""Tables of the claim area: compensation claims (代偿补偿申请: a partner that compensated the bank claims the
re-guarantor's share of the covered loss, reviewed through the workflow engine and paid) and recoveries (追偿回收: what
the partner recovers afterwards, shared back in the filing's ratio)."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from sqlalchemy import Date, ForeignKeyConstraint, Index, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from surety.core.db.base import Base, TenantScoped
from surety.core.db.types import Money, UTCDateTime, utcnow


class ReguaranteeClaim(TenantScoped, Base):
    """A partner's claim on one filing (conventions.CLAIM_STATUSES)."""

    __tablename__ = "reguarantee_claims"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "filing_id"],
                             ["reguarantee_filings.tenant_id", "reguarantee_filings.id"]),
        UniqueConstraint("tenant_id", "claim_no"),
        Index("ix_reguarantee_claims_partner", "tenant_id", "partner_id", "status"),
    )

    claim_no: Mapped[str] = mapped_column(String(40))
    filing_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    partner_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    #: The date the partner compensated the bank and what it paid (principal and interest).
    compensated_on: Mapped[dt.date] = mapped_column(Date)
    compensated_amount: Mapped[Decimal] = mapped_column(Money)
    #: The unpaid principal at default; the covered base is it times the filing's cover ratio.
    unpaid_principal: Mapped[Decimal] = mapped_column(Money)
    covered_base: Mapped[Decimal] = mapped_column(Money)
    #: The re-guarantor's share of the covered base (the filing's split), claimed; approved may be lower.
    claim_amount: Mapped[Decimal] = mapped_column(Money)
    approved_amount: Mapped[Decimal | None] = mapped_column(Money, nullable=True)
    status: Mapped[str] = mapped_column(String(20), default="submitted")
    workflow_instance_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    paid_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    paid_amount: Mapped[Decimal | None] = mapped_column(Money, nullable=True)
    remarks: Mapped[str] = mapped_column(String(1000), default="")
    created_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ReguaranteeRecovery(TenantScoped, Base):
    """A recovery the partner reports on a paid claim: the re-guarantor's part is shared back in the ratio the claim
    was paid (paid amount over covered base), to the fen (conventions.RECOVERY_STATUSES)."""

    __tablename__ = "reguarantee_recoveries"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "claim_id"],
                             ["reguarantee_claims.tenant_id", "reguarantee_claims.id"]),
        Index("ix_reguarantee_recoveries_claim", "tenant_id", "claim_id"),
    )

    claim_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    recovered_on: Mapped[dt.date] = mapped_column(Date)
    #: What the partner recovered in all, and the re-guarantor's part of it.
    amount: Mapped[Decimal] = mapped_column(Money)
    share_amount: Mapped[Decimal] = mapped_column(Money)
    status: Mapped[str] = mapped_column(String(20), default="reported")
    settled_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    created_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
