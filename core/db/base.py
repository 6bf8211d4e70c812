"""Declarative base and the two kinds of table: tenant-scoped and global.

Every mapped table is one or the other (a meta-test checks it). Tenant tables have the primary key
``(tenant_id, id)`` and reference each other with composite foreign keys that include ``tenant_id``, so the
database itself refuses a reference across tenants.
"""

from __future__ import annotations

import os
import time
import uuid

from sqlalchemy import ForeignKey, MetaData, Uuid
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def uuid7() -> uuid.UUID:
    """A time-ordered UUID (RFC 9562 version 7): ids sort by creation, keeping B-tree inserts local."""
    ms = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")
    value = (ms & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76
    value |= ((rand >> 62) & 0xFFF) << 64
    value |= 0b10 << 62
    value |= rand & ((1 << 62) - 1)
    return uuid.UUID(int=value)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class GlobalTable:
    """Marker: a table shared by all tenants (tenant registry, platform operators). No row-level security."""

    __surety_global__ = True


class TenantScoped:
    """Mixin for tenant-owned rows: composite primary key ``(tenant_id, id)``.

    Sessions bound to a tenant filter every ORM statement on ``tenant_id`` and stamp it on new rows
    (``surety.core.db.session``); PostgreSQL row-level security enforces the same rule a second time.
    """

    __surety_global__ = False

    @declared_attr
    def tenant_id(cls) -> Mapped[uuid.UUID]:
        return mapped_column(
            Uuid, ForeignKey("tenants.id", ondelete="RESTRICT"), primary_key=True, sort_order=-100
        )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7, sort_order=-99)


def tenant_tables(metadata: MetaData | None = None) -> list[str]:
    """Names of every mapped tenant-scoped table (those that carry a ``tenant_id`` column and are not global)."""
    md = metadata or Base.metadata
    return sorted(t.name for t in md.sorted_tables if "tenant_id" in t.c and not t.info.get("global"))
