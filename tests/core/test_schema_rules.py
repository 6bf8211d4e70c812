"""Meta-tests over the whole data model (DESIGN.md section 3)."""

from __future__ import annotations

import pytest
from sqlalchemy import Column, Index, Integer, MetaData, Table, UniqueConstraint, create_engine, func, text

from surety.core.db.base import Base, tenant_tables
from surety.core.db.rls import rls_status
from surety.core.plugins import load_all_models


@pytest.fixture(scope="module")
def metadata():
    load_all_models()
    return Base.metadata


def test_every_table_is_tenant_scoped_or_declared_global(metadata):
    # A global table may still name a tenant (e.g. a routing table from API-key prefix to tenant), but it must say
    # it is global; everything else must carry tenant_id and so gets the tenant criteria and RLS.
    for table in metadata.sorted_tables:
        if not table.info.get("global", False):
            assert "tenant_id" in table.c, f"{table.name} is neither tenant-scoped nor declared global"
    assert set(tenant_tables(metadata)) >= {"users", "audit_log", "casbin_rule", "tenant_keys"}


def test_tenant_tables_have_composite_keys_that_include_tenant_id(metadata):
    for name in tenant_tables(metadata):
        table = metadata.tables[name]
        assert [c.name for c in table.primary_key.columns][:2] == ["tenant_id", "id"], name
        for fk in table.foreign_key_constraints:
            target = fk.referred_table
            if target.info.get("global"):
                continue
            assert "tenant_id" in [c.name for c in fk.columns], f"{name}: FK to {target.name} lacks tenant_id"


def _unique_keys(table):
    """``(kind, name, [column names])`` of every unique constraint and unique index of ``table`` (``unique=True``
    on a column is one of them; an expression index lists the columns its expressions use)."""
    keys = [("constraint", c.name, [col.name for col in c.columns])
            for c in table.constraints if isinstance(c, UniqueConstraint)]
    for index in table.indexes:
        if index.unique:
            cols = {col.name for col in index.columns}
            for expr in index.expressions:
                cols |= {col.name for col in getattr(expr, "base_columns", ()) if isinstance(col, Column)}
            keys.append(("index", index.name, sorted(cols)))
    return keys


def test_unique_constraints_and_indexes_of_tenant_tables_include_tenant_id(metadata):
    # Citus: a unique constraint or unique index on a table distributed by tenant_id must include tenant_id.
    offenders = [f"{name}: unique {kind} {key} on {cols}"
                 for name in tenant_tables(metadata)
                 for kind, key, cols in _unique_keys(metadata.tables[name]) if "tenant_id" not in cols]
    assert offenders == []


def test_the_unique_rule_sees_unique_indexes_columns_and_constraints():
    table = Table("t", MetaData(), Column("tenant_id", Integer), Column("id", Integer), Column("code", Integer),
                  Column("name", Integer, unique=True), UniqueConstraint("code", name="uq_code"))
    Index("ix_code", table.c.code, unique=True)
    Index("ix_lower", func.lower(table.c.name), unique=True)
    Index("ix_ok", table.c.tenant_id, table.c.code, unique=True)
    Index("ix_plain", table.c.code)
    assert sorted((kind, key or "", tuple(cols)) for kind, key, cols in _unique_keys(table)) == [
        ("constraint", "", ("name",)), ("constraint", "uq_code", ("code",)), ("index", "ix_code", ("code",)),
        ("index", "ix_lower", ("name",)), ("index", "ix_ok", ("code", "tenant_id"))]


@pytest.mark.postgres
def test_every_tenant_table_has_rls_enabled_and_forced(db, metadata):
    engine = create_engine(db.owner_url)
    with engine.connect() as conn:
        status = rls_status(conn)
    engine.dispose()
    for name in tenant_tables(metadata):
        assert status.get(name) == (True, True), f"{name}: RLS enabled/forced = {status.get(name)}"


@pytest.mark.postgres
def test_app_role_owns_nothing_and_cannot_bypass_rls(db):
    with db.engine.connect() as conn:
        role = conn.execute(text("SELECT current_user")).scalar()
        flags = conn.execute(text("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = :r"),
                             {"r": role}).one()
        owned = conn.execute(text("SELECT count(*) FROM pg_tables WHERE tableowner = :r"), {"r": role}).scalar()
    assert tuple(flags) == (False, False)
    assert owned == 0
