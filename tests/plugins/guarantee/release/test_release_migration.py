"""guarantee_0006 on a database holding releases made before it: each release gets its released amount (partial: the
amount; full: the balance it released plus the project's repayments) and its ledger entry takes that amount (a full
release after repayment had written 0)."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from decimal import Decimal

import pytest
from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Integer,
    Numeric,
    String,
    Uuid,
    column,
    create_engine,
    inspect,
    text,
)
from sqlalchemy import table as sa_table

from surety.core.db import migrate
from surety.core.db.types import Money, Rate, UTCDateTime
from surety.core.plugins import load_all_models
from surety.core.testing import fresh_database

pytestmark = pytest.mark.slow


def _dummy(col):
    """A value for a required column the test does not care about."""
    kind = col["type"]
    if isinstance(kind, Uuid):
        return uuid.uuid4()
    if isinstance(kind, (UTCDateTime, DateTime)):
        return dt.datetime.now(dt.UTC)
    if isinstance(kind, Date):
        return dt.date(2026, 1, 1)
    if isinstance(kind, Boolean):
        return False
    if isinstance(kind, (Money, Rate, Numeric, Integer)):
        return 0
    if isinstance(kind, JSON):
        return {}
    if isinstance(kind, String):
        return "x"
    return 0


def _typed(value, reflected):
    """The column type to bind ``value`` with: the models' types for money, ids and moments (what the reflected
    type of a SQLite column does not say), else the reflected one."""
    if isinstance(value, Decimal):
        return Money()
    if isinstance(value, uuid.UUID):
        return Uuid()
    if isinstance(value, dt.datetime):
        return UTCDateTime()
    return reflected


def insert(conn, table_name: str, **values) -> uuid.UUID:
    """A row of ``table_name`` with ``values``, every other required column without a default given a dummy
    value."""
    columns = inspect(conn).get_columns(table_name)
    for col in columns:
        if col["name"] not in values and not col["nullable"] and col.get("default") is None \
                and col.get("autoincrement") is not True:
            values[col["name"]] = _dummy(col)
    typed = {c["name"]: c["type"] for c in columns}
    table = sa_table(table_name, *(column(k, _typed(v, typed[k])) for k, v in values.items()))
    conn.execute(table.insert().values(**values))
    return values.get("id")


def test_existing_releases_get_their_released_amount_and_entries_follow():
    load_all_models()
    with fresh_database(os.environ.get("SURETY_TEST_DATABASE_URL") or None, build=False) as tdb:
        migrate.upgrade(tdb.owner_url, "guarantee_0005")
        engine = create_engine(tdb.owner_url)
        t = uuid.uuid4()
        with engine.begin() as conn:
            insert(conn, "tenants", id=t, slug="old", name="Old", status="active", enabled_plugins=[], settings={})
            user = insert(conn, "users", tenant_id=t, id=uuid.uuid4(), username="u1")
            customer = insert(conn, "customers", tenant_id=t, id=uuid.uuid4(), kind="corporate")
            product = insert(conn, "guarantee_products", tenant_id=t, id=uuid.uuid4(), code="P", kind="loan",
                             category="financing")
            project = insert(conn, "guarantee_projects", tenant_id=t, id=uuid.uuid4(), customer_id=customer,
                             product_id=product, manager_a_id=user, amount=Decimal("3000000.00"),
                             status="released", customer_kind="corporate")
            for amount in ("800000.00", "2000000.00"):
                insert(conn, "guarantee_repayments", tenant_id=t, id=uuid.uuid4(), project_id=project,
                       amount=Decimal(amount), balance_after=Decimal("0.00"), repaid_on=dt.date(2026, 5, 1))
            partial = insert(conn, "guarantee_releases", tenant_id=t, id=uuid.uuid4(), project_id=project,
                             kind="partial", reason="partial", amount=Decimal("500000.00"), balance_after=Decimal("0.00"),
                             released_on=dt.date(2026, 4, 1))
            full = insert(conn, "guarantee_releases", tenant_id=t, id=uuid.uuid4(), project_id=project, kind="full",
                          reason="repaid", amount=Decimal("0.00"), balance_after=Decimal("0.00"), released_on=dt.date(2026, 6, 1))
            for source, amount in ((partial, "500000.00"), (full, "0.00")):
                insert(conn, "guarantee_ledger_entries", tenant_id=t, id=uuid.uuid4(), project_id=project,
                       kind="release", amount=Decimal(amount), source_type="guarantee_releases", source_id=source,
                       entry_date=dt.date(2026, 6, 1), stage="manager")
        migrate.upgrade(tdb.owner_url)
        money = Money()
        with engine.connect() as conn:
            dialect = conn.dialect
            releases = {r.kind: money.process_result_value(r.released_amount, dialect) for r in conn.execute(
                text("SELECT kind, released_amount FROM guarantee_releases"))}
            entries = sorted(money.process_result_value(r.amount, dialect) for r in conn.execute(
                text("SELECT amount FROM guarantee_ledger_entries WHERE kind = 'release'")))
        assert releases == {"partial": Decimal("500000.00"), "full": Decimal("2800000.00")}
        assert entries == [Decimal("500000.00"), Decimal("2800000.00")]
        engine.dispose()
