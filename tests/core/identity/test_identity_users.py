import uuid

import pytest
from sqlalchemy import select

from surety.core.authz.provision import provision_roles, roles_of
from surety.core.errors import Conflict, NotFound, Unauthenticated, ValidationFailed
from surety.core.identity.auth import login, refresh
from surety.core.identity.models import User
from surety.core.identity.org import create_org_unit
from surety.core.identity.passwords import verify_password
from surety.core.identity.service import create_user, disable_user, enable_user, set_password, unlock_user
from surety.core.settings import get_settings


@pytest.mark.parametrize("username", ["ab", "has space", "x" * 101, "中文名", "a/b"])
def test_username_rules(db, bare_tenant, password, username):
    with db.tenant_session(bare_tenant.id) as s, pytest.raises(ValidationFailed) as exc:
        create_user(s, username=username, password=password)
    assert exc.value.field == "username"


def test_username_unique_per_tenant(db, bare_tenant, other_tenant, new_user):
    new_user()
    with pytest.raises(Conflict):
        new_user()
    new_user(tenant=other_tenant)  # the same name in another tenant is fine


def test_policy_applies(new_user):
    with pytest.raises(ValidationFailed, match="username"):
        new_user(password="alice-Rules-2024")


def test_stores_a_hash_and_org_unit(db, bare_tenant, new_user, password):
    with db.tenant_session(bare_tenant.id) as s:
        unit = create_org_unit(s, code="HQ", name="HQ", kind="head_office")
    user = new_user(display_name="  Alice  ", org_unit_id=unit.id)
    assert user.password_hash != password and verify_password(user.password_hash, password)
    assert (user.display_name, user.org_unit_id, user.status) == ("Alice", unit.id, "active")


def test_unknown_org_unit(new_user):
    with pytest.raises(NotFound):
        new_user(org_unit_id=uuid.uuid4())


def test_roles_assigned(db, bare_tenant, password):
    with db.tenant_session(bare_tenant.id) as s:
        provision_roles(s)
        user = create_user(s, username="alice", password=password, roles=["auditor"])
        assert roles_of(s, f"user:{user.id}") == ["auditor"]


def test_creation_audited(new_user, bare_tenant, audit_actions):
    user = new_user()
    assert audit_actions(bare_tenant, user.id) == ["user.created"]


def test_set_password(db, bare_tenant, new_user, password):
    user = new_user()
    pair = login(db, bare_tenant.slug, "alice", password)
    with db.tenant_session(bare_tenant.id) as s:
        with pytest.raises(ValidationFailed, match="current password"):
            set_password(s, user.id, "New-Passphrase-7", current_password="Wrong-Password-1")
        with pytest.raises(ValidationFailed, match="differ"):
            set_password(s, user.id, password)
        set_password(s, user.id, "New-Passphrase-7", current_password=password)
    with pytest.raises(Unauthenticated):
        login(db, bare_tenant.slug, "alice", password)
    with pytest.raises(Unauthenticated):
        refresh(db, pair.refresh_token)  # refresh tokens were revoked
    login(db, bare_tenant.slug, "alice", "New-Passphrase-7")


def test_disable_and_enable(db, bare_tenant, new_user, password, audit_actions):
    user = new_user()
    pair = login(db, bare_tenant.slug, "alice", password)
    with db.tenant_session(bare_tenant.id) as s:
        disable_user(s, user.id)
    with pytest.raises(Unauthenticated):
        login(db, bare_tenant.slug, "alice", password)
    with pytest.raises(Unauthenticated):
        refresh(db, pair.refresh_token)
    with db.tenant_session(bare_tenant.id) as s:
        enable_user(s, user.id)
    login(db, bare_tenant.slug, "alice", password)
    actions = audit_actions(bare_tenant, user.id)
    assert actions.index("user.disabled") < actions.index("user.enabled")


def test_unlock(db, bare_tenant, new_user, password):
    user = new_user()
    for _ in range(get_settings().lockout_threshold):
        with pytest.raises(Unauthenticated):
            login(db, bare_tenant.slug, "alice", "Wrong-Password-1")
    with db.tenant_session(bare_tenant.id) as s:
        unlock_user(s, user.id)
    login(db, bare_tenant.slug, "alice", password)


def test_services_cannot_reach_another_tenants_user(db, other_tenant, new_user):
    user = new_user()
    with db.tenant_session(other_tenant.id) as s, pytest.raises(NotFound):
        disable_user(s, user.id)
    with db.tenant_session(other_tenant.id) as s:
        assert s.scalar(select(User)) is None
