"""require() and allowed(): decisions for actors, clear denials, denials audited outside the request's rollback."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from surety.core.audit.log import audit
from surety.core.audit.models import AuditRecord
from surety.core.authz.check import allowed, require
from surety.core.authz.models import Role
from surety.core.authz.provision import assign_roles
from surety.core.context import ACTOR_API_KEY, ACTOR_PLATFORM, SYSTEM, Actor
from surety.core.errors import PermissionDenied


def _actor(db, tenant, user_actor, roles):
    actor = user_actor(tenant)
    with db.tenant_session(tenant) as s:
        assign_roles(s, actor.subject, roles)
    return actor


def _denials(db, tenant, actor_id):
    with db.tenant_session(tenant) as s:
        return [r.after for r in s.scalars(
            select(AuditRecord).where(AuditRecord.action == "authz.denied", AuditRecord.actor_id == actor_id)
            .order_by(AuditRecord.seq))]


def test_allowed_answers_for_users_and_api_keys(db, tenant, user_actor):
    user = _actor(db, tenant, user_actor, ["finance"])
    key = Actor(type=ACTOR_API_KEY, id=str(uuid.uuid4()), tenant_id=tenant)
    with db.tenant_session(tenant) as s:
        assign_roles(s, key.subject, ["auditor"])
    with db.tenant_session(tenant) as s:
        assert allowed(s, user, "core:user", "read")
        assert not allowed(s, user, "core:audit", "read")
        assert allowed(s, key, "core:audit", "read")
        assert not allowed(s, key, "core:user", "create")


def test_only_principals_of_the_sessions_tenant_hold_permissions(db, new_tenant, user_actor):
    a, b = new_tenant(), new_tenant()
    admin_of_a = _actor(db, a, user_actor, ["admin"])
    with db.tenant_session(b) as s:
        assign_roles(s, admin_of_a.subject, ["admin"])  # even a forged same-id assignment in b
        assert not allowed(s, admin_of_a, "core:user", "read")  # actor.tenant_id is a
    with db.tenant_session(a) as s:
        assert allowed(s, admin_of_a, "core:user", "read")
        for actor in (SYSTEM, Actor(type=ACTOR_PLATFORM, id=str(uuid.uuid4())), Actor(type="user", id=None)):
            assert not allowed(s, actor, "core:user", "read")


def test_require_passes_silently_when_allowed(db, tenant, user_actor):
    actor = _actor(db, tenant, user_actor, ["auditor"])
    with db.tenant_session(tenant) as s:
        assert require(s, actor, "core:audit", "export") is None
    assert _denials(db, tenant, actor.id) == []


def test_a_denial_names_the_permission_and_survives_the_rollback(db, tenant, user_actor):
    actor = _actor(db, tenant, user_actor, ["read_only"])
    with pytest.raises(PermissionDenied) as err, db.tenant_session(tenant) as s:
        require(s, actor, "core:role", "manage")
    assert err.value.code == "FORBIDDEN"
    assert "'core:role:manage'" in err.value.message
    assert "Edit roles and the permission matrix" in err.value.message
    assert err.value.details["permission"] == "core:role:manage"
    assert _denials(db, tenant, actor.id) == [{"permission": "core:role:manage"}]


def test_a_denial_after_the_request_wrote_survives_its_rollback(db, tenant, user_actor):
    """The request holds a write (on SQLite the write lock): the denial is written once the request ends."""
    actor = _actor(db, tenant, user_actor, ["read_only"])
    with pytest.raises(PermissionDenied), db.tenant_session(tenant) as s:
        s.add(Role(key="scratch", name="Scratch", data_scope="own", description=""))
        s.flush()
        require(s, actor, "core:user", "create")
        assert _denials(db, tenant, actor.id) == []  # not yet: it would wait on this transaction's locks
    with db.tenant_session(tenant) as s:
        assert s.scalar(select(Role).where(Role.key == "scratch")) is None  # the request rolled back
    assert _denials(db, tenant, actor.id) == [{"permission": "core:user:create"}]


def test_a_denial_after_the_request_audited_does_not_wait_on_itself(db, tenant, user_actor):
    """The request holds the audit chain's head: the denial follows the request's own records when it commits."""
    actor = _actor(db, tenant, user_actor, ["read_only"])
    with db.tenant_session(tenant) as s:
        audit(s, "test.something", actor=actor)
        with pytest.raises(PermissionDenied):
            require(s, actor, "core:user", "create")
        with pytest.raises(PermissionDenied):
            require(s, actor, "core:user", "update")
    with db.tenant_session(tenant) as s:
        actions = [(r.action, r.after) for r in s.scalars(
            select(AuditRecord).where(AuditRecord.actor_id == actor.id).order_by(AuditRecord.seq))]
    assert actions == [("test.something", None), ("authz.denied", {"permission": "core:user:create"}),
                       ("authz.denied", {"permission": "core:user:update"})]
