"""The permission matrix: read, edit, validation, audit and the admin lock-out guard."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from surety.core.audit.models import AuditRecord
from surety.core.authz import rules
from surety.core.authz.enforcer import get_enforcer
from surety.core.authz.matrix import matrix, set_grant, set_role_permissions
from surety.core.authz.models import AuthzState
from surety.core.authz.provision import assign_roles
from surety.core.errors import ValidationFailed
from surety.core.permissions import CORE_DEFAULT_GRANTS, CORE_PERMISSIONS, ROLE_TEMPLATES


def _grant_audits(s):
    return [(r.entity_type, r.entity_id, r.before, r.after) for r in s.scalars(
        select(AuditRecord).where(AuditRecord.action == "authz.grants_changed").order_by(AuditRecord.seq))]


def test_matrix_reads_roles_against_permissions(db, tenant):
    with db.tenant_session(tenant) as s:
        m = matrix(s)
    assert [r.key for r in m.roles] == [t.key for t in ROLE_TEMPLATES]
    assert [p.key for p in m.permissions] == [p.key for p in CORE_PERMISSIONS]
    assert len(m.cells) == 10 and all(len(row) == len(CORE_PERMISSIONS) for row in m.cells)
    for role in m.roles:
        assert set(m.granted_keys(role.key)) == set(CORE_DEFAULT_GRANTS[role.key])
    assert m.granted("auditor", "core:audit:export") and not m.granted("auditor", "core:role:manage")
    assert next(r for r in m.roles if r.key == "risk_officer").data_scope == "org_subtree"


def test_matrix_shows_only_enabled_plugins(db, new_tenant, demo_plugin, set_plugins):
    tenant = new_tenant(plugins=["core", "demo"])
    with db.tenant_session(tenant) as s:
        assert matrix(s).granted("admin", "demo:thing:approve")
        assert "thing_clerk" in [r.key for r in matrix(s).roles]
    set_plugins(tenant, ["core"])
    with db.tenant_session(tenant) as s:
        m = matrix(s)
        assert "demo:thing:approve" not in [p.key for p in m.permissions]
        with pytest.raises(ValidationFailed, match="not enabled"):
            set_grant(s, "finance", "demo:thing:read", True)


def test_set_grant_edits_audits_and_takes_effect(db, tenant):
    subject = f"user:{uuid.uuid4()}"
    with db.tenant_session(tenant) as s:
        assign_roles(s, subject, ["finance"])
        version = s.scalar(select(AuthzState.policy_version))
        assert not get_enforcer(s).enforce(subject, "core:audit", "read")
        set_grant(s, "finance", "core:audit:read", True)
        set_grant(s, "finance", "core:audit:read", True)  # already granted: nothing to do
        assert s.scalar(select(AuthzState.policy_version)) == version + 1
    with db.tenant_session(tenant) as s:
        assert matrix(s).granted("finance", "core:audit:read")
        assert get_enforcer(s).enforce(subject, "core:audit", "read")
        set_grant(s, "finance", "core:audit:read", False)
    with db.tenant_session(tenant) as s:
        assert not matrix(s).granted("finance", "core:audit:read")
        assert not get_enforcer(s).enforce(subject, "core:audit", "read")
        assert _grant_audits(s) == [
            ("role", "finance", {"permission": "core:audit:read", "granted": False},
             {"permission": "core:audit:read", "granted": True}),
            ("role", "finance", {"permission": "core:audit:read", "granted": True},
             {"permission": "core:audit:read", "granted": False}),
        ]


def test_set_grant_refuses_unknown_roles_and_permissions(db, tenant):
    with db.tenant_session(tenant) as s:
        with pytest.raises(ValidationFailed, match="Unknown role 'ghost'"):
            set_grant(s, "ghost", "core:user:read", True)
        with pytest.raises(ValidationFailed, match="core:user:fly"):
            set_grant(s, "finance", "core:user:fly", True)
        with pytest.raises(ValidationFailed, match="Unknown role"):
            set_role_permissions(s, "ghost", [])
        with pytest.raises(ValidationFailed, match="core:nothing:read"):
            set_role_permissions(s, "finance", ["core:user:read", "core:nothing:read"])
        assert rules.grants(s)["finance"] == set(CORE_DEFAULT_GRANTS["finance"])
        assert _grant_audits(s) == []


def test_set_role_permissions_replaces_the_set(db, tenant):
    with db.tenant_session(tenant) as s:
        set_role_permissions(s, "legal", ["core:audit:read", "core:user:read"])
        set_role_permissions(s, "legal", ["core:user:read", "core:audit:read"])  # same set: nothing to do
    with db.tenant_session(tenant) as s:
        assert matrix(s).granted_keys("legal") == ["core:user:read", "core:audit:read"]
        assert _grant_audits(s) == [
            ("role", "legal", {"permissions": sorted(CORE_DEFAULT_GRANTS["legal"])},
             {"permissions": ["core:audit:read", "core:user:read"]}),
        ]
        set_role_permissions(s, "legal", [])
        assert matrix(s).granted_keys("legal") == []


def test_set_role_permissions_keeps_grants_of_disabled_plugins(db, new_tenant, demo_plugin, set_plugins):
    tenant = new_tenant(plugins=["core", "demo"])
    set_plugins(tenant, ["core"])
    with db.tenant_session(tenant) as s:
        set_role_permissions(s, "customer_manager", ["core:user:read"])
        assert rules.grants(s)["customer_manager"] == {"core:user:read", "demo:thing:read"}


def test_the_admin_role_cannot_lose_role_management(db, tenant):
    with db.tenant_session(tenant) as s:
        with pytest.raises(ValidationFailed, match="must keep 'core:role:manage'"):
            set_grant(s, "admin", "core:role:manage", False)
        with pytest.raises(ValidationFailed, match="must keep 'core:role:manage'"):
            set_role_permissions(s, "admin", ["core:role:read"])
        assert matrix(s).granted("admin", "core:role:manage")
        assert len(matrix(s).granted_keys("admin")) == len(CORE_PERMISSIONS)
        set_grant(s, "admin", "core:pii:reveal", False)  # other admin permissions may go
        set_grant(s, "auditor", "core:role:read", False)
        set_grant(s, "executive", "core:role:manage", True)
        set_grant(s, "executive", "core:role:manage", False)  # only the admin role is guarded
        assert not matrix(s).granted("admin", "core:pii:reveal")
