"""Tenant A cannot read, list, count, update, delete or reference tenant B's rows (ORM layer, both databases)."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import delete, event, func, select, text, update
from sqlalchemy.exc import IntegrityError, ProgrammingError

from surety.core.db.session import PLATFORM, TENANT_KEY, bind_tenant_context
from surety.core.errors import CrossTenantWrite, TenantNotBound
from surety.core.identity.models import OrgUnit, User
from surety.core.testing import new_bare_tenant


@pytest.fixture
def two_tenants(db, bare_tenant):
    other = new_bare_tenant(db, "Other")
    ids = {}
    for t in (bare_tenant, other):
        with db.tenant_session(t.id) as s:
            unit = OrgUnit(code="HQ", name="HQ", kind="head_office", path="/")
            s.add(unit)
            s.flush()
            users = [User(username=f"u{i}", password_hash="x", org_unit_id=unit.id) for i in range(3)]
            s.add_all(users)
            s.flush()
            ids[t.id] = {"unit": unit.id, "users": [u.id for u in users]}
    return bare_tenant.id, other.id, ids


def test_list_and_count_see_only_own_rows(db, two_tenants):
    a, b, ids = two_tenants
    with db.tenant_session(a) as s:
        assert {u.id for u in s.scalars(select(User))} == set(ids[a]["users"])
        assert s.scalar(select(func.count()).select_from(User)) == 3
        assert s.scalar(select(func.count(User.id))) == 3
        assert s.scalar(select(func.count()).select_from(select(User).subquery())) == 3
        joined = s.execute(select(User.id, OrgUnit.id).join(OrgUnit, OrgUnit.id == User.org_unit_id)).all()
        assert {row[0] for row in joined} == set(ids[a]["users"])


def test_read_by_id_of_other_tenant_finds_nothing(db, two_tenants):
    a, b, ids = two_tenants
    theirs = ids[b]["users"][0]
    with db.tenant_session(a) as s:
        assert s.scalar(select(User).where(User.id == theirs)) is None
        assert s.get(User, (b, theirs)) is None


def test_bulk_update_and_delete_touch_only_own_rows(db, two_tenants):
    a, b, ids = two_tenants
    with db.tenant_session(a) as s:
        assert s.execute(update(User).values(display_name="hacked")).rowcount == 3
        assert s.execute(delete(User).where(User.id == ids[b]["users"][0])).rowcount == 0
    with db.tenant_session(b) as s:
        assert {u.display_name for u in s.scalars(select(User))} == {""}
        assert s.scalar(select(func.count(User.id))) == 3


def test_reference_to_other_tenants_row_is_refused_by_the_database(db, two_tenants):
    a, b, ids = two_tenants
    with pytest.raises(IntegrityError):
        with db.tenant_session(a) as s:
            s.add(User(username="sneaky", password_hash="x", org_unit_id=ids[b]["unit"]))


def test_writing_a_row_of_another_tenant_is_refused(db, two_tenants):
    a, b, _ = two_tenants
    with pytest.raises(CrossTenantWrite):
        with db.tenant_session(a) as s:
            s.add(User(tenant_id=b, username="x1", password_hash="x"))


def test_unbound_and_platform_sessions_fail_closed(db, two_tenants):
    with db._factory() as s, pytest.raises(TenantNotBound):
        s.scalars(select(User)).all()
    with db.session(PLATFORM) as s:
        for stmt in (select(User), select(func.count()).select_from(User),
                     select(func.count()).select_from(select(User.id).subquery())):
            with pytest.raises(TenantNotBound):
                s.execute(stmt).all()
    with pytest.raises(TenantNotBound):
        with db.platform_session() as s:
            s.add(User(username="nobody", password_hash="x"))


@pytest.mark.postgres
def test_rls_hides_rows_even_from_raw_sql(db, two_tenants):
    """Core text() bypasses the ORM criteria; PostgreSQL RLS still applies to the app role."""

    a, b, ids = two_tenants
    with db.tenant_session(a) as s:
        rows = s.execute(text("SELECT tenant_id FROM users")).scalars().all()
        assert rows and set(rows) == {a}
        assert s.execute(text("UPDATE users SET display_name = 'x' WHERE tenant_id = :b"), {"b": b}).rowcount == 0
    with db.engine.connect() as conn:  # no tenant set at all: nothing visible
        assert conn.execute(text("SELECT count(*) FROM users")).scalar() == 0
    with pytest.raises(ProgrammingError):  # WITH CHECK refuses inserting another tenant's row
        with db.tenant_session(a) as s:
            s.execute(text("INSERT INTO org_units (tenant_id, id, code, name, kind, path, created_at) "
                           "VALUES (:b, :id, 'X', 'X', 'branch', '/', now())"), {"b": b, "id": uuid.uuid4()})


@pytest.mark.postgres
def test_the_rls_tenant_is_set_once_per_transaction_and_holds_in_savepoints(db, two_tenants):
    a, _, ids = two_tenants
    seen: list[str] = []

    def count(conn, cursor, statement, *args):
        if "set_config" in statement:
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        with db.tenant_session(a) as s:
            with s.begin_nested():
                with s.begin_nested() as inner:
                    assert set(s.execute(text("SELECT id FROM users")).scalars()) == set(ids[a]["users"])
                    inner.rollback()
                assert s.execute(text("SELECT count(*) FROM users")).scalar() == len(ids[a]["users"])
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len(seen) == 1


def test_the_criteria_follow_the_session_s_tenant_when_it_is_rebound(db, two_tenants):
    """The tenant criteria option is kept per session (core/db/session.py): rebound to another tenant, the session
    never sees the first tenant's rows again (on SQLite it sees the new tenant's; on PostgreSQL row-level security
    still holds the transaction to the first tenant, so it sees none)."""
    a, b, ids = two_tenants
    with db.tenant_session(a) as s:
        assert {u.id for u in s.scalars(select(User))} == set(ids[a]["users"])
        s.info[TENANT_KEY] = b
        with bind_tenant_context(b):
            seen = {u.id for u in s.scalars(select(User))}
        assert not seen & set(ids[a]["users"])
        if s.get_bind().dialect.name == "sqlite":
            assert seen == set(ids[b]["users"])
