"""PostgreSQL: the application cannot UPDATE or DELETE audit records; the trigger refuses even the owner."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.exc import DBAPIError

from surety.core.audit.log import audit
from surety.core.audit.models import AuditRecord
from surety.core.audit.verify import verify_chain

pytestmark = pytest.mark.postgres


@pytest.fixture
def one_record(db, bare_tenant):
    with db.tenant_session(bare_tenant.id) as s:
        return audit(s, "thing.created", after={"v": 1})


def _insufficient_privilege(err: DBAPIError) -> bool:
    return getattr(err.orig, "sqlstate", None) == "42501"


def test_app_update_is_refused(db, bare_tenant, one_record):
    with pytest.raises(DBAPIError) as err, db.tenant_session(bare_tenant.id) as s:
        s.execute(update(AuditRecord).where(AuditRecord.id == one_record.id).values(action="forged"))
    assert _insufficient_privilege(err.value)


def test_app_orm_edit_is_refused(db, bare_tenant, one_record):
    with pytest.raises(DBAPIError) as err, db.tenant_session(bare_tenant.id) as s:
        rec = s.scalars(select(AuditRecord)).one()
        rec.after = {"v": 2}
    assert _insufficient_privilege(err.value)


def test_app_delete_is_refused(db, bare_tenant, one_record):
    with pytest.raises(DBAPIError) as err, db.tenant_session(bare_tenant.id) as s:
        s.execute(delete(AuditRecord).where(AuditRecord.id == one_record.id))
    assert _insufficient_privilege(err.value)
    with pytest.raises(DBAPIError), db.tenant_session(bare_tenant.id) as s:
        s.delete(s.scalars(select(AuditRecord)).one())


def test_owner_is_refused_by_the_trigger(db, bare_tenant, one_record, owner_engine):
    table = AuditRecord.__table__
    for stmt in (update(table).values(action="forged"), delete(table)):
        with pytest.raises(DBAPIError, match="append-only"), owner_engine.begin() as conn:
            conn.execute(stmt.where(table.c.id == one_record.id))
    with db.tenant_session(bare_tenant.id) as s:
        assert s.scalars(select(AuditRecord.action)).all() == ["thing.created"]
    assert verify_chain(db, bare_tenant.id).ok
