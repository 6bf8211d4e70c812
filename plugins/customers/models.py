"""Tables of the ``customers`` plugin. Every table is tenant-scoped (primary key ``(tenant_id, id)``) and references
its customer with a composite foreign key that includes ``tenant_id``.

Personal data is encrypted with the tenant's data key (``EncryptedString``): ID number / credit code, phone, bank
account, address and the legal representative's ID number. Exact search goes through blind indexes. Names are kept in
plain text (company names are public; for individuals see docs/customers.md, "Personal data"), with a normalised copy
``name_norm`` for prefix and contains search.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from surety.core.crypto.blind_index import BlindIndexColumn
from surety.core.crypto.fields import EncryptedString
from surety.core.db.base import Base, TenantScoped
from surety.core.db.types import Money, UTCDateTime, utcnow

KIND_INDIVIDUAL = "individual"
KIND_CORPORATE = "corporate"
KINDS = (KIND_INDIVIDUAL, KIND_CORPORATE)
SIZES = ("large", "medium", "small", "micro")

#: Binary ("C") collation on PostgreSQL, so one B-tree on (tenant_id, name_norm, id) serves both ``LIKE 'x%'``
#: and ``ORDER BY name_norm, id``; SQLite's default collation is already binary.
NameNorm = String(200).with_variant(String(200, collation="C"), "postgresql")


def _customer_fk(column: str = "customer_id", ondelete: str | None = "CASCADE") -> ForeignKeyConstraint:
    return ForeignKeyConstraint(["tenant_id", column], ["customers.tenant_id", "customers.id"], ondelete=ondelete)


class Customer(TenantScoped, Base):
    """A customer of the shared pool: an individual or a corporate."""

    __tablename__ = "customers"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "owner_id"], ["users.tenant_id", "users.id"]),
        ForeignKeyConstraint(["tenant_id", "org_unit_id"], ["org_units.tenant_id", "org_units.id"]),
        UniqueConstraint("tenant_id", "id_number_bidx"),
        Index("ix_customers_tenant_name", "tenant_id", "name_norm", "id"),
        Index("ix_customers_tenant_owner", "tenant_id", "owner_id"),
        Index("ix_customers_tenant_org_unit", "tenant_id", "org_unit_id"),
        Index("ix_customers_tenant_industry", "tenant_id", "industry"),
        Index("ix_customers_tenant_region", "tenant_id", "region"),
        Index("ix_customers_tenant_phone", "tenant_id", "phone_bidx"),
    )

    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    name_norm: Mapped[str] = mapped_column(NameNorm)
    #: ID card number (individual) or unified social credit code (corporate), encrypted; unique per tenant through
    #: its blind index.
    id_number: Mapped[str] = mapped_column(EncryptedString("customers.id_number"))
    id_number_bidx: Mapped[str | None] = BlindIndexColumn("id_number", source="id_number", index=False)
    phone: Mapped[str | None] = mapped_column(EncryptedString("customers.phone"), nullable=True)
    phone_bidx: Mapped[str | None] = BlindIndexColumn("phone", source="phone", index=False)
    bank_account: Mapped[str | None] = mapped_column(EncryptedString("customers.bank_account"), nullable=True)
    bank_account_bidx: Mapped[str | None] = BlindIndexColumn("bank_account", source="bank_account", index=False)
    bank_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    address: Mapped[str | None] = mapped_column(EncryptedString("customers.address"), nullable=True)
    address_bidx: Mapped[str | None] = BlindIndexColumn("name", source="address", index=False)
    # Individual
    occupation: Mapped[str | None] = mapped_column(String(200), nullable=True)
    annual_income: Mapped[Decimal | None] = mapped_column(Money, nullable=True)
    total_assets: Mapped[Decimal | None] = mapped_column(Money, nullable=True)
    #: ``[{"relation": "spouse", "name": "..."}]``
    family: Mapped[list] = mapped_column(JSON, default=list)
    # Corporate
    legal_rep_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    legal_rep_id_number: Mapped[str | None] = mapped_column(EncryptedString("customers.legal_rep_id_number"),
                                                            nullable=True)
    legal_rep_id_bidx: Mapped[str | None] = BlindIndexColumn("id_number", source="legal_rep_id_number",
                                                             index=False)
    registered_capital: Mapped[Decimal | None] = mapped_column(Money, nullable=True)
    industry: Mapped[str | None] = mapped_column(String(8), nullable=True)
    region: Mapped[str | None] = mapped_column(String(6), nullable=True)
    size: Mapped[str | None] = mapped_column(String(8), nullable=True)
    #: ``[{"name": "...", "ratio": "0.30"}]``: names and ratios only; shareholders' identity numbers are kept
    #: only as blind indexes in CustomerKey.
    shareholders: Mapped[list] = mapped_column(JSON, default=list)
    #: ``[{"name": "...", "role": "CFO"}]``
    key_people: Mapped[list] = mapped_column(JSON, default=list)
    # Assignment
    owner_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    org_unit_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    tags: Mapped[list] = mapped_column(JSON, default=list)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    deleted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)


class CustomerTag(TenantScoped, Base):
    """One tag of a customer (searchable by index; ``Customer.tags`` is the display copy)."""

    __tablename__ = "customers_tags"
    __table_args__ = (
        _customer_fk(),
        UniqueConstraint("tenant_id", "customer_id", "tag"),
        Index("ix_customers_tags_tenant_tag", "tenant_id", "tag", "customer_id"),
    )

    customer_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    tag: Mapped[str] = mapped_column(String(50))


class CustomerKey(TenantScoped, Base):
    """A key field of a customer for related-party detection: ``kind`` (id_number, phone, address, legal_rep,
    shareholder) and ``value``, a blind index (never plain personal data). Two customers sharing a value are
    related."""

    __tablename__ = "customers_keys"
    __table_args__ = (
        _customer_fk(),
        Index("ix_customers_keys_tenant_value", "tenant_id", "value"),
        Index("ix_customers_keys_tenant_customer", "tenant_id", "customer_id"),
    )

    customer_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    kind: Mapped[str] = mapped_column(String(20))
    value: Mapped[str] = mapped_column(String(64))
    #: Display label (a shareholder's or legal representative's name; never an identity number).
    label: Mapped[str | None] = mapped_column(String(200), nullable=True)


class CustomerRelation(TenantScoped, Base):
    """An edge of the related-party graph, ``source`` auto (detected from shared key fields) or manual."""

    __tablename__ = "customers_relations"
    __table_args__ = (
        _customer_fk("from_customer_id"),
        _customer_fk("to_customer_id"),
        UniqueConstraint("tenant_id", "from_customer_id", "to_customer_id", "relation_type", "source"),
        Index("ix_customers_relations_tenant_to", "tenant_id", "to_customer_id"),
    )

    from_customer_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    to_customer_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    relation_type: Mapped[str] = mapped_column(String(40))
    source: Mapped[str] = mapped_column(String(10), default="manual")
    note: Mapped[str | None] = mapped_column(String(500), nullable=True)
    created_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class CustomerListEntry(TenantScoped, Base):
    """A blacklist or watchlist entry: requested (pending), approved (active) by a second person, or rejected;
    an active entry may later be removed."""

    __tablename__ = "customers_list_entries"
    __table_args__ = (
        _customer_fk(),
        Index("ix_customers_list_entries_tenant_customer", "tenant_id", "customer_id", "status"),
    )

    customer_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    list_type: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(String(1000))
    source: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(10), default="pending")
    requested_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    decided_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    removed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    removed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class CustomerVersion(TenantScoped, Base):
    """One kept version of a customer: a snapshot after the change. Personal data appears masked, with a blind
    index fingerprint so a diff can tell that it changed without storing it in clear."""

    __tablename__ = "customers_versions"
    __table_args__ = (
        _customer_fk(),
        UniqueConstraint("tenant_id", "customer_id", "version"),
    )

    customer_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    version: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(20))
    snapshot: Mapped[dict] = mapped_column(JSON)
    changed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class CustomerEngagement(TenantScoped, Base):
    """A manager starting work on a customer (creation, a new business, a claim): what collision (撞单) checks."""

    __tablename__ = "customers_engagements"
    __table_args__ = (
        _customer_fk(),
        Index("ix_customers_engagements_tenant_customer", "tenant_id", "customer_id", "engaged_at"),
    )

    customer_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    user_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    org_unit_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    business: Mapped[str] = mapped_column(String(100))
    collision: Mapped[bool] = mapped_column(Boolean, default=False)
    engaged_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class CustomerStatement(TenantScoped, Base):
    """Key balance-sheet and income-statement lines of a corporate customer for one period (yuan)."""

    __tablename__ = "customers_statements"
    __table_args__ = (
        _customer_fk(),
        UniqueConstraint("tenant_id", "customer_id", "period_type", "period_end"),
    )

    customer_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    period_type: Mapped[str] = mapped_column(String(10), default="annual")
    period_end: Mapped[dt.date] = mapped_column(Date)
    total_assets: Mapped[Decimal] = mapped_column(Money)
    total_liabilities: Mapped[Decimal] = mapped_column(Money)
    current_assets: Mapped[Decimal] = mapped_column(Money)
    current_liabilities: Mapped[Decimal] = mapped_column(Money)
    inventory: Mapped[Decimal] = mapped_column(Money)
    equity: Mapped[Decimal] = mapped_column(Money)
    revenue: Mapped[Decimal] = mapped_column(Money)
    net_profit: Mapped[Decimal] = mapped_column(Money)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


COLLISION_FLAG = "flag"
COLLISION_BLOCK = "block"


class CustomerSettings(TenantScoped, Base):
    """The tenant's settings of this plugin (one row)."""

    __tablename__ = "customers_settings"
    __table_args__ = (UniqueConstraint("tenant_id"),)

    collision_window_days: Mapped[int] = mapped_column(Integer, default=90)
    collision_mode: Mapped[str] = mapped_column(String(10), default=COLLISION_FLAG)
