"""Tables of the filing area: batches of filings (an import or a channel delivery), filings (备案: one guarantee of a
partner re-guaranteed under an agreement, with its split and fee as computed when filed) and fee bills (再担保费账单:
the fee of the confirmed filings for a period, a line per filing).

The customer's identity number (credit code of a company, ID card of a person) is personal data: encrypted with the
tenant's data key, with a blind index for de-duplication and the household aggregate (core.crypto)."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from sqlalchemy import JSON, Date, ForeignKeyConstraint, Index, Integer, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from surety.core.crypto.blind_index import BlindIndexColumn
from surety.core.crypto.fields import EncryptedString
from surety.core.db.base import Base, TenantScoped
from surety.core.db.types import Money, Rate, UTCDateTime, utcnow


class ReguaranteeFilingBatch(TenantScoped, Base):
    """A batch of filings under one agreement: an xlsx import or a delivery through the filing channel. All or
    nothing: a batch exists only when every row was filed (a refused batch leaves its report, not a row)."""

    __tablename__ = "reguarantee_filing_batches"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "agreement_id"],
                             ["reguarantee_agreements.tenant_id", "reguarantee_agreements.id"]),
        UniqueConstraint("tenant_id", "batch_no"),
    )

    batch_no: Mapped[str] = mapped_column(String(40))
    partner_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    agreement_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    #: A key of conventions.FILING_SOURCES.
    source: Mapped[str] = mapped_column(String(10))
    file_name: Mapped[str] = mapped_column(String(200), default="")
    row_count: Mapped[int] = mapped_column(Integer, default=0)
    total_amount: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    #: The row-by-row report: ``[{row, filingNo | null, reasons: [zh-CN text]}]`` (no personal data).
    report: Mapped[list] = mapped_column(JSON, default=list)
    created_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReguaranteeFiling(TenantScoped, Base):
    """One guarantee of a partner filed for re-guarantee (conventions.FILING_STATUSES)."""

    __tablename__ = "reguarantee_filings"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "agreement_id"],
                             ["reguarantee_agreements.tenant_id", "reguarantee_agreements.id"]),
        ForeignKeyConstraint(["tenant_id", "partner_id"],
                             ["reguarantee_partners.tenant_id", "reguarantee_partners.id"]),
        ForeignKeyConstraint(["tenant_id", "batch_id"],
                             ["reguarantee_filing_batches.tenant_id", "reguarantee_filing_batches.id"]),
        UniqueConstraint("tenant_id", "filing_no"),
        Index("ix_reguarantee_filings_partner", "tenant_id", "partner_id", "status"),
        Index("ix_reguarantee_filings_agreement", "tenant_id", "agreement_id", "status"),
        Index("ix_reguarantee_filings_project_ref", "tenant_id", "partner_id", "project_ref"),
        Index("ix_reguarantee_filings_customer", "tenant_id", "customer_id_number_bidx", "status"),
    )

    filing_no: Mapped[str] = mapped_column(String(40))
    batch_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    partner_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    agreement_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    #: The programme of the agreement when filed (an attribute of every filing).
    programme_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    #: The partner's own project number (de-duplication: one standing filing per partner and project number).
    project_ref: Mapped[str] = mapped_column(String(60))
    loan_contract_no: Mapped[str] = mapped_column(String(60), default="")
    customer_name: Mapped[str] = mapped_column(String(200))
    #: A key of conventions.CUSTOMER_KINDS (enterprise, individual business, farmer, person).
    customer_kind: Mapped[str] = mapped_column(String(20))
    customer_id_number: Mapped[str] = mapped_column(EncryptedString("reguarantee_filings.customer_id_number"))
    customer_id_number_bidx: Mapped[str | None] = BlindIndexColumn("id_number", source="customer_id_number",
                                                                   index=False)
    #: Service scope (服务对象, e.g. 小微 / 三农), region, industry, lending bank: the statistics' dimensions.
    scope: Mapped[str] = mapped_column(String(20), default="")
    region: Mapped[str] = mapped_column(String(100), default="")
    industry: Mapped[str] = mapped_column(String(100), default="")
    bank_name: Mapped[str] = mapped_column(String(200), default="")
    loan_amount: Mapped[Decimal] = mapped_column(Money)
    #: The guaranteed amount (the partner's guarantee): what the split divides.
    guarantee_amount: Mapped[Decimal] = mapped_column(Money)
    loan_rate: Mapped[Decimal | None] = mapped_column(Rate, nullable=True)
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date] = mapped_column(Date)
    #: Cover limited to this fraction of the unpaid principal (1: whole; e.g. 0.8).
    cover_ratio: Mapped[Decimal] = mapped_column(Rate, default=Decimal(1))
    #: Further fields the eligibility rules read (e.g. ``{"debt_ratio": "0.65"}``), values as text.
    fields: Mapped[dict] = mapped_column(JSON, default=dict)
    #: The split of ``guarantee_amount`` (agreement/rules.py split_amount): the four parts sum to it exactly.
    share_original: Mapped[Decimal] = mapped_column(Money)
    share_reguarantor: Mapped[Decimal] = mapped_column(Money)
    share_national_fund: Mapped[Decimal] = mapped_column(Money)
    share_bank: Mapped[Decimal] = mapped_column(Money)
    #: The yearly rate applied and the fee for the whole term (agreement/rules.py fee).
    fee_rate: Mapped[Decimal] = mapped_column(Rate)
    fee_amount: Mapped[Decimal] = mapped_column(Money)
    #: A key of conventions.FILING_STATUSES.
    status: Mapped[str] = mapped_column(String(20), default="filed")
    #: Why it was returned (zh-CN texts), when rejected.
    reject_reasons: Mapped[list] = mapped_column(JSON, default=list)
    confirmed_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    confirmed_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    #: Release (解保): the business date, the kind (conventions.RELEASE_KINDS) and who recorded it.
    released_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    release_kind: Mapped[str | None] = mapped_column(String(20), nullable=True)
    released_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    #: The channel it came through (cross-tenant filing), when it did.
    channel_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    created_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ReguaranteeFeeBill(TenantScoped, Base):
    """The re-guarantee fee a partner owes for a period (conventions.FEE_BILL_STATUSES)."""

    __tablename__ = "reguarantee_fee_bills"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "partner_id"],
                             ["reguarantee_partners.tenant_id", "reguarantee_partners.id"]),
        UniqueConstraint("tenant_id", "bill_no"),
        UniqueConstraint("tenant_id", "partner_id", "period"),
    )

    bill_no: Mapped[str] = mapped_column(String(40))
    partner_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    #: ``2026Q3`` or ``2026M07``; the business dates it covers, inclusive.
    period: Mapped[str] = mapped_column(String(10))
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Money)
    line_count: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(10), default="issued")
    paid_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    created_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReguaranteeFeeBillLine(TenantScoped, Base):
    """A filing's fee for the days of a bill's period it was in force (one line per filing and period)."""

    __tablename__ = "reguarantee_fee_bill_lines"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "bill_id"],
                             ["reguarantee_fee_bills.tenant_id", "reguarantee_fee_bills.id"]),
        ForeignKeyConstraint(["tenant_id", "filing_id"],
                             ["reguarantee_filings.tenant_id", "reguarantee_filings.id"]),
        UniqueConstraint("tenant_id", "filing_id", "period"),
    )

    bill_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    filing_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    period: Mapped[str] = mapped_column(String(10))
    days: Mapped[int] = mapped_column(Integer)
    share: Mapped[Decimal] = mapped_column(Money)
    rate: Mapped[Decimal] = mapped_column(Rate)
    amount: Mapped[Decimal] = mapped_column(Money)
