"""The audit log (append-only; UPDATE and DELETE refused on PostgreSQL) and each tenant's chain head."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, BigInteger, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from surety.core.db.base import Base, TenantScoped
from surety.core.db.types import UTCDateTime, utcnow


class AuditRecord(TenantScoped, Base):
    __tablename__ = "audit_log"
    __table_args__ = (
        UniqueConstraint("tenant_id", "seq"),
        Index("ix_audit_log_entity", "tenant_id", "entity_type", "entity_id"),
        Index("ix_audit_log_actor", "tenant_id", "actor_id"),
        Index("ix_audit_log_time", "tenant_id", "occurred_at"),
    )

    seq: Mapped[int] = mapped_column(BigInteger)
    occurred_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_type: Mapped[str] = mapped_column(String(20))  # user | apikey | platform | system
    actor_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    action: Mapped[str] = mapped_column(String(100))
    entity_type: Mapped[str | None] = mapped_column(String(100), nullable=True)
    entity_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    before: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    after: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    request_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    client_addr: Mapped[str | None] = mapped_column(String(64), nullable=True)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    #: The audit key the hash was computed with (HMAC-SHA256); empty for records written before the chain was
    #: keyed, whose hash is plain SHA-256 (docs/audit.md, "Keys"). No default: every append names its key.
    key_id: Mapped[str] = mapped_column(String(32))


class AuditChainHead(TenantScoped, Base):
    """The last sequence number and hash of a tenant's chain; locked while appending so the chain stays linear."""

    __tablename__ = "audit_chain_heads"
    __table_args__ = (UniqueConstraint("tenant_id"),)

    last_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    last_hash: Mapped[str] = mapped_column(String(64))
