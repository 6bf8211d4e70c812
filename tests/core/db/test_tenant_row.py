"""core.db.session.tenant_row: the identity map first (no statement), ``keep=True`` holds the row for the
transaction, and only in a tenant session."""

from __future__ import annotations

import contextlib
import gc
import uuid
import weakref

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from surety.core.db.session import TENANT_KEY, tenant_row
from surety.core.errors import TenantNotBound
from surety.core.identity.models import OrgUnit
from surety.core.testing import new_bare_tenant


@contextlib.contextmanager
def statements(db):
    seen: list[str] = []

    def count(conn, cursor, statement, *args):
        if "set_config" not in statement:
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


@pytest.fixture
def unit_id(db, bare_tenant) -> uuid.UUID:
    with db.tenant_session(bare_tenant.id) as s:
        unit = OrgUnit(code=f"u-{uuid.uuid4().hex[:8]}", name="总部")
        s.add(unit)
        s.flush()
        return unit.id


def test_a_row_loaded_in_the_session_costs_no_statement(db, bare_tenant, unit_id):
    with db.tenant_session(bare_tenant.id) as s:
        with statements(db) as seen:
            unit = tenant_row(s, OrgUnit, unit_id)
        assert unit is not None and unit.id == unit_id and len(seen) == 1  # the first read: one SELECT
        with statements(db) as seen:
            assert tenant_row(s, OrgUnit, unit_id) is unit
            assert tenant_row(s, OrgUnit, None) is None
        assert seen == []
        assert tenant_row(s, OrgUnit, uuid.uuid4()) is None  # no such row: None


def test_another_tenants_row_is_none(db, bare_tenant, unit_id):
    other = new_bare_tenant(db, "Other")
    with db.tenant_session(other.id) as s:
        assert tenant_row(s, OrgUnit, unit_id) is None


def test_keep_holds_the_row_until_the_transaction_ends(db, bare_tenant, unit_id):
    with db.tenant_session(bare_tenant.id) as s:
        held = weakref.ref(tenant_row(s, OrgUnit, unit_id, keep=True))
        gc.collect()
        assert held() is not None  # nobody references it, the session keeps it
        with statements(db) as seen:
            assert tenant_row(s, OrgUnit, unit_id) is held()
        assert seen == []
        loose = weakref.ref(tenant_row(s, OrgUnit, unit_id))  # the same row: still held
        assert loose() is held()
    gc.collect()
    assert held() is None  # the transaction ended: let go


def test_without_keep_an_unreferenced_row_is_read_again(db, bare_tenant, unit_id):
    with db.tenant_session(bare_tenant.id) as s:
        loose = weakref.ref(tenant_row(s, OrgUnit, unit_id))
        gc.collect()
        assert loose() is None
        with statements(db) as seen:
            assert tenant_row(s, OrgUnit, unit_id) is not None
        assert len(seen) == 1


def test_outside_a_tenant_session_it_refuses(db, unit_id):
    with db.platform_session() as s:
        with pytest.raises(TenantNotBound):
            tenant_row(s, OrgUnit, unit_id)
    with Session(db.engine) as s:  # bound to nothing
        assert TENANT_KEY not in s.info
        with pytest.raises(TenantNotBound):
            tenant_row(s, OrgUnit, unit_id)
