"""Idempotency keys of money mutations (see ``surety.core.idempotency``): one row per (tenant, scope, key), written
in the same transaction as the business change it guards."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from surety.core.db.base import Base, TenantScoped
from surety.core.db.types import UTCDateTime, utcnow

#: Longest key a client may send (a UUID is 36 characters).
KEY_MAX_LENGTH = 128


class IdempotencyKey(TenantScoped, Base):
    """A client's idempotency key for one mutation (``scope``): who used it, a hash of the canonical parameters and
    the small result (created ids) its replay rebuilds the answer from. The unique (tenant, scope, key) serialises
    concurrent attempts: the second insert waits for the first transaction and then fails. Rows expire (the
    day-end batch deletes them) and an expired key may be used afresh."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("tenant_id", "scope", "key"),
                      Index("ix_idempotency_keys_expires", "tenant_id", "expires_at"))

    #: The mutation the key belongs to (its GraphQL field name, e.g. ``guaranteeFeeReceive``).
    scope: Mapped[str] = mapped_column(String(100))
    key: Mapped[str] = mapped_column(String(KEY_MAX_LENGTH))
    #: The actor's subject (``user:<id>``, ``apikey:<id>``): another caller cannot replay or reuse the key.
    actor: Mapped[str] = mapped_column(String(80))
    #: SHA-256 (hex) of the canonical JSON of the parameters.
    params_hash: Mapped[str] = mapped_column(String(64))
    #: What the first call produced (e.g. ``{"entity": "guarantee_fee_receipts", "id": "..."}``); None only while
    #: that call's transaction runs.
    result: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
