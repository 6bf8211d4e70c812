"""core/db/locking.lock_by_id: the row by id, locked and read afresh; NotFound naming the thing and the field."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select, update

from surety.core.db.locking import lock_by_id
from surety.core.errors import NotFound
from surety.core.identity.models import User


def _admin_id(db, tenant) -> uuid.UUID:
    with db.tenant_session(tenant.id) as s:
        return s.scalar(select(User.id).where(User.username == "admin"))


def test_lock_by_id_reads_the_row_afresh_and_changes_nothing(db, make_tenant):
    tenant = make_tenant()
    admin_id = _admin_id(db, tenant)
    with db.tenant_session(tenant.id) as s:
        user = s.scalar(select(User).where(User.id == admin_id))
        before = (user.status, user.display_name)
        with db.tenant_session(tenant.id) as other:  # a change the first session has not seen
            other.execute(update(User).where(User.id == admin_id).values(display_name="改过的名字"))
        locked = lock_by_id(s, User, admin_id, "status", "user", "user_id")
        assert locked is user  # the identity map's object, overwritten
        assert (locked.status, locked.display_name) == (before[0], "改过的名字")


def test_lock_by_id_not_found_names_what_and_field(db, make_tenant):
    tenant, other = make_tenant(), make_tenant()
    with db.tenant_session(tenant.id) as s:
        with pytest.raises(NotFound) as err:
            lock_by_id(s, User, uuid.uuid4(), "status", "user", "user_id")
        assert (err.value.code, err.value.field, err.value.message) == ("NOT_FOUND", "user_id", "No user with that id.")
        with pytest.raises(NotFound) as err:  # another tenant's row is not there
            lock_by_id(s, User, _admin_id(db, other), "status", "user")
        assert err.value.field == "id"
