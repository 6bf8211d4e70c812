"""Migration customers_0002: the pairwise auto relations are deleted (hand-entered ones stay); the downgrade recomputes
them from the key rows of live customers. On PostgreSQL the rows are written and read as the owner with
``app.tenant_id`` set, as row-level security is forced on these tables."""

from __future__ import annotations

import datetime as dt
import os
import uuid

import pytest
from sqlalchemy import JSON, Uuid, column, create_engine, func, insert, select, table

from surety.core.db import migrate
from surety.core.db.types import UTCDateTime
from surety.core.plugins import load_all_models
from surety.core.testing import fresh_database

pytestmark = pytest.mark.slow

NOW = dt.datetime(2026, 12, 1, tzinfo=dt.timezone.utc)
tenants = table("tenants", column("id", Uuid), column("slug"), column("name"), column("status"),
                column("enabled_plugins", JSON), column("settings", JSON), column("created_at", UTCDateTime))
customers = table("customers", column("tenant_id", Uuid), column("id", Uuid), column("kind"), column("name"),
                  column("name_norm"), column("id_number"), column("family", JSON), column("shareholders", JSON),
                  column("key_people", JSON), column("tags", JSON), column("version"),
                  column("created_at", UTCDateTime), column("updated_at", UTCDateTime),
                  column("deleted_at", UTCDateTime))
keys = table("customers_keys", column("tenant_id", Uuid), column("id", Uuid), column("customer_id", Uuid),
             column("kind"), column("value"))
relations = table("customers_relations", column("tenant_id", Uuid), column("id", Uuid),
                  column("from_customer_id", Uuid), column("to_customer_id", Uuid), column("relation_type"),
                  column("source"), column("created_at", UTCDateTime))


def _as_tenant(conn, tenant):
    if conn.dialect.name == "postgresql":
        conn.execute(select(func.set_config("app.tenant_id", str(tenant), True)))


def _relations(engine, tenant) -> set[tuple]:
    with engine.begin() as conn:
        _as_tenant(conn, tenant)
        return {tuple(r) for r in conn.execute(select(relations.c.from_customer_id, relations.c.to_customer_id,
                                                      relations.c.relation_type, relations.c.source))}


def test_pairwise_auto_rows_are_dropped_and_the_downgrade_recomputes_them():
    load_all_models()
    with fresh_database(os.environ.get("SURETY_TEST_DATABASE_URL") or None, build=False) as tdb:
        migrate.upgrade(tdb.owner_url, "customers_0001")
        engine = create_engine(tdb.owner_url)
        tenant = uuid.uuid4()
        person, company, neighbour, spouse, gone = sorted((uuid.uuid4() for _ in range(5)), key=str)
        with engine.begin() as conn:
            conn.execute(insert(tenants).values(id=tenant, slug="old", name="Old", status="active",
                                                enabled_plugins=["customers"], settings={}, created_at=NOW))
            _as_tenant(conn, tenant)
            conn.execute(insert(customers), [
                dict(tenant_id=tenant, id=i, kind="individual", name=n, name_norm=n, id_number="x", family=[],
                     shareholders=[], key_people=[], tags=[], version=1, created_at=NOW, updated_at=NOW,
                     deleted_at=NOW if i == gone else None)
                for i, n in ((person, "p"), (company, "c"), (neighbour, "n"), (spouse, "s"), (gone, "g"))])
            conn.execute(insert(keys), [
                dict(tenant_id=tenant, id=uuid.uuid4(), customer_id=c, kind=k, value=v) for c, k, v in (
                    (person, "id_number", "i-person"), (person, "phone", "p-1"), (person, "address", "a-1"),
                    (company, "id_number", "i-company"), (company, "legal_rep", "i-person"),
                    (company, "phone", "p-1"), (neighbour, "id_number", "i-n"), (neighbour, "address", "a-1"),
                    (spouse, "id_number", "i-s"), (gone, "id_number", "i-g"), (gone, "phone", "p-1"))])
            stored = [(person, company, "legal_representative", "auto"), (person, company, "same_phone", "auto"),
                      (person, neighbour, "same_address", "auto"), (person, gone, "same_phone", "auto"),
                      (company, gone, "same_phone", "auto"), (person, spouse, "spouse", "manual")]
            conn.execute(insert(relations), [
                dict(tenant_id=tenant, id=uuid.uuid4(), from_customer_id=f, to_customer_id=t, relation_type=r,
                     source=s, created_at=NOW) for f, t, r, s in stored])
        assert len(_relations(engine, tenant)) == 6

        migrate.upgrade(tdb.owner_url)
        assert _relations(engine, tenant) == {(person, spouse, "spouse", "manual")}

        migrate.downgrade(tdb.owner_url, "customers_0001")
        # The pairs of live customers again (the deleted customer's were hidden from every read anyway).
        assert _relations(engine, tenant) == {
            (person, company, "legal_representative", "auto"), (person, company, "same_phone", "auto"),
            (person, neighbour, "same_address", "auto"), (person, spouse, "spouse", "manual")}
        migrate.upgrade(tdb.owner_url)
        assert _relations(engine, tenant) == {(person, spouse, "spouse", "manual")}
        engine.dispose()
