"""Tables of tenant-defined custom fields: the definitions per entity type, the values per record (one JSON
document, JSONB on PostgreSQL), every kept version of those values, and an index of choice values for exact search.

Every table is tenant-scoped with the primary key ``(tenant_id, id)``. Values are keyed by ``(entity_type,
record_id)``: the owning plugin's record (a customer, a guarantee project) is not referenced by a foreign key, since
core knows no plugin's tables; the owning plugin authorises access to the record and calls the services with its id.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import JSON, Boolean, Index, Integer, String, UniqueConstraint, Uuid
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Mapped, mapped_column

from surety.core.db.base import Base, TenantScoped
from surety.core.db.types import UTCDateTime, utcnow

#: JSON on SQLite, JSONB on PostgreSQL.
Document = JSON().with_variant(postgresql.JSONB(), "postgresql")

STATUS_ACTIVE = "active"
STATUS_RETIRED = "retired"

TEXT, NUMBER, MONEY, DATE, CHOICE, MULTI_CHOICE, BOOLEAN, FILE, TABLE = (
    "text", "number", "money", "date", "choice", "multi_choice", "boolean", "file", "table")
TYPES = (TEXT, NUMBER, MONEY, DATE, CHOICE, MULTI_CHOICE, BOOLEAN, FILE, TABLE)
#: Types a table's columns may have.
COLUMN_TYPES = (TEXT, NUMBER, MONEY, DATE, CHOICE, BOOLEAN)
#: Types that may be sensitive (encrypted at rest, masked on read).
SENSITIVE_TYPES = (TEXT, NUMBER, MONEY, DATE)


class CustomFieldDefinition(TenantScoped, Base):
    """One field a tenant administrator defined for an entity type (``customer_individual``, ``guarantee_project``
    ...). ``validation``: ``min``/``max`` (numbers, amounts, dates as ISO text), ``pattern``, ``min_length``/
    ``max_length`` (text: characters; multi-choice and table: entries). ``options``: ``[{"value", "label_zh",
    "label_en"}]`` of a choice. ``columns``: a table's column definitions (key, labels, type, required,
    validation, options). A retired field keeps its stored values (still readable) and takes no new ones."""

    __tablename__ = "custom_field_definitions"
    __table_args__ = (
        UniqueConstraint("tenant_id", "entity_type", "key"),
        Index("ix_custom_field_definitions_order", "tenant_id", "entity_type", "status", "section", "position"),
    )

    entity_type: Mapped[str] = mapped_column(String(60))
    key: Mapped[str] = mapped_column(String(40))
    label_zh: Mapped[str] = mapped_column(String(100))
    label_en: Mapped[str] = mapped_column(String(100), default="")
    type: Mapped[str] = mapped_column(String(20))
    required: Mapped[bool] = mapped_column(Boolean, default=False)
    validation: Mapped[dict] = mapped_column(JSON, default=dict)
    options: Mapped[list] = mapped_column(JSON, default=list)
    columns: Mapped[list] = mapped_column(JSON, default=list)
    section: Mapped[str] = mapped_column(String(100), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    sensitive: Mapped[bool] = mapped_column(Boolean, default=False)
    #: How a sensitive value is masked (core/crypto/masking.py: id_number, phone, bank_account, name, email, or
    #: anything else for the generic rule).
    mask_kind: Mapped[str] = mapped_column(String(20), default="generic")
    status: Mapped[str] = mapped_column(String(10), default=STATUS_ACTIVE)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class CustomFieldValues(TenantScoped, Base):
    """The custom values of one record: ``{key: value}`` with money and numbers as decimal text, dates as ISO
    text, and a sensitive field's value as its ciphertext. ``version`` counts the kept versions."""

    __tablename__ = "custom_field_values"
    __table_args__ = (UniqueConstraint("tenant_id", "entity_type", "record_id"),)

    entity_type: Mapped[str] = mapped_column(String(60))
    record_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    values: Mapped[dict] = mapped_column(Document, default=dict)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class CustomFieldValuesVersion(TenantScoped, Base):
    """One kept version of a record's custom values, as stored (sensitive values stay ciphertext)."""

    __tablename__ = "custom_field_value_versions"
    __table_args__ = (UniqueConstraint("tenant_id", "entity_type", "record_id", "version"),)

    entity_type: Mapped[str] = mapped_column(String(60))
    record_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    version: Mapped[int] = mapped_column(Integer)
    values: Mapped[dict] = mapped_column(Document, default=dict)
    changed: Mapped[list] = mapped_column(JSON, default=list)
    changed_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class CustomFieldChoice(TenantScoped, Base):
    """One chosen option of a choice or multi-choice field of a record: what exact search by value reads."""

    __tablename__ = "custom_field_choices"
    __table_args__ = (
        Index("ix_custom_field_choices_lookup", "tenant_id", "entity_type", "key", "value", "record_id"),
        Index("ix_custom_field_choices_record", "tenant_id", "entity_type", "record_id"),
    )

    entity_type: Mapped[str] = mapped_column(String(60))
    record_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    key: Mapped[str] = mapped_column(String(40))
    value: Mapped[str] = mapped_column(String(100))
