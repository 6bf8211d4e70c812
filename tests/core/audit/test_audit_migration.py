"""Migration 0007_audit_keyed_chain: records written before it become legacy (key_id '') and still verify; a process
of the previous release (it names no key_id) can no longer append; new records are keyed on top."""

from __future__ import annotations

import datetime as dt
import os
import uuid

import pytest
from sqlalchemy import JSON, Uuid, column, create_engine, func, insert, select, table
from sqlalchemy.exc import IntegrityError

from surety.core.audit.canonical import ZERO_HASH, hash_content
from surety.core.audit.log import audit
from surety.core.audit.verify import verify_chain
from surety.core.db import migrate
from surety.core.db.session import Database
from surety.core.db.types import UTCDateTime
from surety.core.plugins import load_all_models
from surety.core.testing import fresh_database

pytestmark = pytest.mark.slow

_COLS = ("tenant_id", "id", "seq", "occurred_at", "actor_type", "actor_id", "action", "entity_type", "entity_id",
         "before", "after", "request_id", "client_addr", "prev_hash", "hash")
#: audit_log as the previous release wrote it (no key_id).
OLD_LOG = table("audit_log", *(column(c, Uuid) if c in ("tenant_id", "id") else
                               column(c, UTCDateTime) if c == "occurred_at" else
                               column(c, JSON) if c in ("before", "after") else column(c) for c in _COLS))
HEADS = table("audit_chain_heads", column("tenant_id", Uuid), column("id", Uuid), column("last_seq"),
              column("last_hash"))
TENANTS = table("tenants", column("id", Uuid), column("slug"), column("name"), column("status"),
                column("enabled_plugins", JSON), column("settings", JSON), column("created_at", UTCDateTime))


def _old_record(tenant: uuid.UUID, seq: int, prev: str) -> dict:
    row = {"tenant_id": tenant, "id": uuid.uuid4(), "seq": seq,
           "occurred_at": dt.datetime(2026, 1, 2, 3, 4, seq, tzinfo=dt.UTC), "actor_type": "system",
           "actor_id": None, "action": f"old.{seq}", "entity_type": None, "entity_id": None, "before": None,
           "after": {"seq": seq}, "request_id": None, "client_addr": None, "prev_hash": prev}
    row["hash"] = hash_content(row)
    return row


def _set_tenant(conn, tenant: uuid.UUID) -> None:
    if conn.dialect.name == "postgresql":
        conn.execute(select(func.set_config("app.tenant_id", str(tenant), True)))


def test_existing_records_become_legacy_and_old_writers_are_refused():
    load_all_models()
    with fresh_database(os.environ.get("SURETY_TEST_DATABASE_URL") or None, build=False) as tdb:
        migrate.upgrade(tdb.owner_url, "0006_idempotency_keys")
        engine = create_engine(tdb.owner_url)
        tenant = uuid.uuid4()
        first = _old_record(tenant, 1, ZERO_HASH)
        second = _old_record(tenant, 2, first["hash"])
        with engine.begin() as conn:
            conn.execute(insert(TENANTS).values(id=tenant, slug="old", name="Old", status="active",
                                                enabled_plugins=[], settings={},
                                                created_at=dt.datetime.now(dt.UTC)))
            _set_tenant(conn, tenant)
            conn.execute(insert(OLD_LOG), [first, second])
            conn.execute(insert(HEADS).values(tenant_id=tenant, id=uuid.uuid4(), last_seq=2,
                                              last_hash=second["hash"]))
        migrate.upgrade(tdb.owner_url)

        with engine.begin() as conn:
            _set_tenant(conn, tenant)
            assert conn.execute(select(column("key_id")).select_from(table("audit_log"))
                                .order_by(column("seq"))).scalars().all() == ["", ""]
        third = _old_record(tenant, 3, second["hash"])
        with pytest.raises(IntegrityError), engine.begin() as conn:  # the previous release's INSERT
            _set_tenant(conn, tenant)
            conn.execute(insert(OLD_LOG).values(**third))
        engine.dispose()

        db = Database(tdb.owner_url)
        try:
            assert verify_chain(db, tenant).checked == 2
            with db.tenant_session(tenant) as s:
                rec = audit(s, "new.keyed")
            assert rec.seq == 3 and rec.prev_hash == second["hash"] and rec.key_id
            result = verify_chain(db, tenant)
            assert result.ok and result.checked == 3
        finally:
            db.dispose()
