"""Identity models: org-unit tree, users, refresh tokens, API keys. All tenant-scoped."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import JSON, ForeignKey, ForeignKeyConstraint, Index, Integer, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from surety.core.crypto.blind_index import BlindIndexColumn
from surety.core.crypto.fields import EncryptedString
from surety.core.db.base import Base, GlobalTable, TenantScoped
from surety.core.db.types import UTCDateTime, utcnow

ORG_HEAD_OFFICE = "head_office"
ORG_BRANCH = "branch"
ORG_DEPARTMENT = "department"
ORG_KINDS = (ORG_HEAD_OFFICE, ORG_BRANCH, ORG_DEPARTMENT)


class OrgUnit(TenantScoped, Base):
    """A node of the org tree. ``path`` is the materialised path of ids (``/root/child/``) for subtree queries."""

    __tablename__ = "org_units"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "parent_id"], ["org_units.tenant_id", "org_units.id"]),
        UniqueConstraint("tenant_id", "code"),
        Index("ix_org_units_tenant_path", "tenant_id", "path", postgresql_ops={"path": "text_pattern_ops"}),
    )

    parent_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    code: Mapped[str] = mapped_column(String(50))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), default=ORG_DEPARTMENT)
    path: Mapped[str] = mapped_column(String(1000), default="/")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


USER_ACTIVE = "active"
USER_DISABLED = "disabled"


class User(TenantScoped, Base):
    __tablename__ = "users"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "org_unit_id"], ["org_units.tenant_id", "org_units.id"]),
        UniqueConstraint("tenant_id", "username"),
    )

    username: Mapped[str] = mapped_column(String(100))
    display_name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16), default=USER_ACTIVE)
    org_unit_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    #: Mobile number, encrypted with the tenant's data key; ``phone_bidx`` finds it by exact value.
    phone: Mapped[str | None] = mapped_column(EncryptedString("users.phone"), nullable=True)
    phone_bidx: Mapped[str | None] = BlindIndexColumn("phone", source="phone")
    #: Email address for notifications, encrypted like the phone (no lookup by email, so no blind index).
    email: Mapped[str | None] = mapped_column(EncryptedString("users.email"), nullable=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    password_changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class RefreshToken(TenantScoped, Base):
    """A revocable refresh token; only its SHA-256 is stored."""

    __tablename__ = "refresh_tokens"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "user_id"], ["users.tenant_id", "users.id"], ondelete="CASCADE"),
        # Unique within the tenant (a unique index on a table distributed by tenant_id must include it). The token
        # names its tenant (``<tenant-uuid>.<random>``), so the lookup by hash runs in that tenant and uses this index.
        UniqueConstraint("tenant_id", "token_hash"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    token_hash: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class ApiKey(TenantScoped, Base):
    """An API key for a system integration. The secret is shown once; only its SHA-256 is stored.

    The key acts as a principal ``apikey:<id>`` with the roles in ``roles``.
    """

    __tablename__ = "api_keys"
    #: Unique within the tenant (a unique index on a distributed table must include tenant_id); the global
    #: ``api_key_routes`` keeps prefixes unique across tenants, and authentication looks the key up by prefix in the
    #: tenant that route names, through this index.
    __table_args__ = (UniqueConstraint("tenant_id", "prefix"),)

    name: Mapped[str] = mapped_column(String(200))
    prefix: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(String(64))
    roles: Mapped[list] = mapped_column(JSON, default=list)
    created_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)


class ApiKeyRoute(GlobalTable, Base):
    """Which tenant an API key prefix belongs to (global, no secret): an API key carries no tenant, and a platform
    session may not read tenant rows, so authentication finds the tenant here first."""

    __tablename__ = "api_key_routes"
    __table_args__ = {"info": {"global": True}}

    prefix: Mapped[str] = mapped_column(String(16), primary_key=True)
    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
