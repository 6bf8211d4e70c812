"""Tables of the agreement area: the tenant's programmes (业务品种, defaults from conventions.DEFAULT_PROGRAMMES, then
the tenant's own) and cooperation agreements with partners (合作协议): line, validity, risk-sharing split, fee rules,
single-household cap and eligibility rules, each agreement's own (copied from its programme when not given)."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from sqlalchemy import JSON, Boolean, Date, ForeignKeyConstraint, Index, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from surety.core.db.base import Base, TenantScoped
from surety.core.db.types import Money, Rate, UTCDateTime, utcnow


class ReguaranteeProgramme(TenantScoped, Base):
    """A programme (标准业务, 科技创新, 民间投资, ...): the national fund's terms an agreement under it starts from."""

    __tablename__ = "reguarantee_programmes"
    __table_args__ = (UniqueConstraint("tenant_id", "code"),)

    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: The most the national fund may take of a guarantee (fraction).
    fund_share_max: Mapped[Decimal] = mapped_column(Rate)
    #: Default split of an agreement under the programme: party (conventions.SHARE_PARTIES) -> fraction as text.
    split: Mapped[dict] = mapped_column(JSON)
    #: Single-household cap (yuan, inclusive) on a customer's aggregated re-guaranteed balance.
    household_cap: Mapped[Decimal] = mapped_column(Money)
    #: Yearly fee rate of the re-guarantor's share; ``reduced_fee_rate`` where the single guarantee is at most
    #: ``reduced_threshold`` (yuan, inclusive); both times ``fee_multiplier`` (0.5: halved).
    base_fee_rate: Mapped[Decimal] = mapped_column(Rate)
    reduced_fee_rate: Mapped[Decimal | None] = mapped_column(Rate, nullable=True)
    reduced_threshold: Mapped[Decimal | None] = mapped_column(Money, nullable=True)
    fee_multiplier: Mapped[Decimal] = mapped_column(Rate, default=Decimal(1))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ReguaranteeAgreement(TenantScoped, Base):
    """A cooperation agreement with a partner under one programme (conventions.AGREEMENT_STATUSES)."""

    __tablename__ = "reguarantee_agreements"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "partner_id"],
                             ["reguarantee_partners.tenant_id", "reguarantee_partners.id"]),
        ForeignKeyConstraint(["tenant_id", "programme_id"],
                             ["reguarantee_programmes.tenant_id", "reguarantee_programmes.id"]),
        UniqueConstraint("tenant_id", "agreement_no"),
        Index("ix_reguarantee_agreements_partner", "tenant_id", "partner_id", "status"),
    )

    agreement_no: Mapped[str] = mapped_column(String(40))
    partner_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    programme_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    #: The line (合作额度, yuan) the partner's filings may use.
    line_amount: Mapped[Decimal] = mapped_column(Money)
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_to: Mapped[dt.date] = mapped_column(Date)
    #: Risk-sharing split (fractions summing to 1): original guarantor, re-guarantor (the tenant), fund, bank.
    share_original: Mapped[Decimal] = mapped_column(Rate)
    share_reguarantor: Mapped[Decimal] = mapped_column(Rate)
    share_national_fund: Mapped[Decimal] = mapped_column(Rate)
    share_bank: Mapped[Decimal] = mapped_column(Rate)
    base_fee_rate: Mapped[Decimal] = mapped_column(Rate)
    reduced_fee_rate: Mapped[Decimal | None] = mapped_column(Rate, nullable=True)
    reduced_threshold: Mapped[Decimal | None] = mapped_column(Money, nullable=True)
    fee_multiplier: Mapped[Decimal] = mapped_column(Rate, default=Decimal(1))
    household_cap: Mapped[Decimal] = mapped_column(Money)
    #: Eligibility rules: ``[{field, op, value, message}]`` (agreement/rules.py ``OPS``).
    eligibility_rules: Mapped[list] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(10), default="draft")
    created_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
