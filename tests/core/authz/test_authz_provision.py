"""Provisioning of role templates and default grants; role assignment."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from surety.core.audit.models import AuditRecord
from surety.core.authz import provision, rules
from surety.core.authz.matrix import set_grant
from surety.core.authz.models import AuthzState, CasbinRule, Role
from surety.core.authz.provision import assign_roles, provision_roles, roles_of
from surety.core.errors import ValidationFailed
from surety.core.permissions import CORE_DEFAULT_GRANTS, ROLE_TEMPLATES


def _rule_count(s) -> int:
    return s.scalar(select(func.count()).select_from(CasbinRule))


def test_provisioning_creates_the_ten_templates_with_their_grants(db, tenant):
    with db.tenant_session(tenant) as s:
        roles = {r.key: r for r in s.scalars(select(Role))}
        assert set(roles) == {t.key for t in ROLE_TEMPLATES} and len(roles) == 10
        for t in ROLE_TEMPLATES:
            assert (roles[t.key].name, roles[t.key].data_scope) == (t.name, t.data_scope)
        assert rules.grants(s) == {role: set(keys) for role, keys in CORE_DEFAULT_GRANTS.items()}
        domains = set(s.scalars(select(CasbinRule.v1).where(CasbinRule.ptype == "p")))
        assert domains == {str(tenant)}
        state = s.scalar(select(AuthzState))
        assert state.granted_plugins == ["core"] and state.policy_version == 1


def test_provisioning_is_idempotent(db, tenant):
    with db.tenant_session(tenant) as s:
        before = _rule_count(s)
        provision_roles(s)
        assert _rule_count(s) == before
        assert s.scalar(select(func.count()).select_from(Role)) == 10
        assert s.scalar(select(AuthzState.policy_version)) == 1


def test_a_removed_default_grant_is_not_added_back(db, tenant):
    with db.tenant_session(tenant) as s:
        set_grant(s, "auditor", "core:audit:export", False)
    with db.tenant_session(tenant) as s:
        provision_roles(s)
        assert "core:audit:export" not in rules.grants(s)["auditor"]


def test_newly_enabled_plugin_grants_its_defaults_once(db, new_tenant, demo_plugin, set_plugins):
    tenant = new_tenant(plugins=["core"])
    with db.tenant_session(tenant) as s:
        set_grant(s, "customer_manager", "core:org_unit:read", False)  # an admin's choice about core
    set_plugins(tenant, ["core", "demo"])
    with db.tenant_session(tenant) as s:
        provision_roles(s)
        grants = rules.grants(s)
        assert {"demo:thing:read", "demo:thing:approve"} <= grants["admin"]
        assert "demo:thing:read" in grants["customer_manager"]
        assert "core:org_unit:read" not in grants["customer_manager"]  # core defaults were applied before
        assert grants["thing_clerk"] == {"demo:thing:read", "core:user:read"}  # a new template role
        assert s.scalar(select(Role.data_scope).where(Role.key == "thing_clerk")) == "own"
        assert s.scalar(select(AuthzState.granted_plugins)) == ["core", "demo"]
        set_grant(s, "customer_manager", "demo:thing:read", False)
    set_plugins(tenant, ["core"])
    set_plugins(tenant, ["core", "demo"])
    with db.tenant_session(tenant) as s:
        provision_roles(s)
        assert "demo:thing:read" not in rules.grants(s)["customer_manager"]


def test_plugin_enabled_at_creation_is_granted(db, new_tenant, demo_plugin):
    tenant = new_tenant(plugins=["core", "demo"])
    with db.tenant_session(tenant) as s:
        assert "demo:thing:approve" in rules.grants(s)["admin"]


def test_assign_roles_replaces_the_role_set_and_is_audited(db, tenant):
    uid = uuid.uuid4()
    subject = f"user:{uid}"
    with db.tenant_session(tenant) as s:
        assert roles_of(s, subject) == []
        assign_roles(s, subject, ["finance", "auditor", "finance"])
        assert roles_of(s, subject) == ["auditor", "finance"]
        assign_roles(s, subject, ["read_only"])
        assert roles_of(s, subject) == ["read_only"]
        rows = s.scalars(select(CasbinRule).where(CasbinRule.ptype == "g", CasbinRule.v0 == subject)).all()
        assert [(r.v1, r.v2) for r in rows] == [("role:read_only", str(tenant))]
        records = s.scalars(select(AuditRecord).where(AuditRecord.action == "authz.roles_assigned")
                            .order_by(AuditRecord.seq)).all()
        assert [(r.entity_type, r.entity_id, r.before, r.after) for r in records] == [
            ("user", str(uid), {"roles": []}, {"roles": ["auditor", "finance"]}),
            ("user", str(uid), {"roles": ["auditor", "finance"]}, {"roles": ["read_only"]}),
        ]
        assign_roles(s, subject, [])
        assert roles_of(s, subject) == []


def test_assign_roles_refuses_unknown_roles_and_bad_subjects(db, tenant):
    subject = f"user:{uuid.uuid4()}"
    with db.tenant_session(tenant) as s:
        with pytest.raises(ValidationFailed, match="Unknown role: ghost"):
            assign_roles(s, subject, ["admin", "ghost"])
        assert roles_of(s, subject) == []
        for bad in ("admin", "role:admin", "user:not-a-uuid", "group:" + str(uuid.uuid4())):
            with pytest.raises(ValidationFailed, match="Not a subject"):
                assign_roles(s, bad, ["admin"])


def test_api_key_subjects_get_roles(db, tenant):
    subject = f"apikey:{uuid.uuid4()}"
    with db.tenant_session(tenant) as s:
        assign_roles(s, subject, ["read_only"])
        assert roles_of(s, subject) == ["read_only"]


def test_a_default_added_by_a_later_release_reaches_existing_roles_once(db, tenant, monkeypatch):
    with db.tenant_session(tenant) as s:
        state = s.scalar(select(AuthzState))
        assert "auditor core:audit:read" in state.granted_defaults
        set_grant(s, "auditor", "core:audit:export", False)  # an admin's removal of an old default
    real = provision.grants_by_plugin

    def with_new_default(enabled):
        found = real(enabled)
        found["core"] = {**found["core"], "auditor": [*found["core"]["auditor"], "core:workflow:monitor"]}
        return found

    monkeypatch.setattr(provision, "grants_by_plugin", with_new_default)
    with db.tenant_session(tenant) as s:
        provision_roles(s)  # e.g. `surety tenant sync` after the upgrade
        grants = rules.grants(s)["auditor"]
        assert "core:workflow:monitor" in grants and "core:audit:export" not in grants
        assert "auditor core:workflow:monitor" in s.scalar(select(AuthzState)).granted_defaults
        set_grant(s, "auditor", "core:workflow:monitor", False)  # removed again by the admin: stays removed
    with db.tenant_session(tenant) as s:
        provision_roles(s)
        assert "core:workflow:monitor" not in rules.grants(s)["auditor"]


def test_a_tenant_without_recorded_defaults_gets_the_missing_ones_once(db, tenant):
    with db.tenant_session(tenant) as s:
        set_grant(s, "auditor", "core:audit:export", False)
        s.scalar(select(AuthzState)).granted_defaults = []  # as provisioned before the bookkeeping existed
    with db.tenant_session(tenant) as s:
        provision_roles(s)
        assert "core:audit:export" in rules.grants(s)["auditor"]
        assert s.scalar(select(AuthzState)).granted_defaults


def test_a_legacy_tenant_with_a_disabled_plugin_does_not_get_its_removed_grants_back(db, new_tenant, demo_plugin,
                                                                                      set_plugins):
    tenant = new_tenant(plugins=["core", "demo"])
    with db.tenant_session(tenant) as s:
        set_grant(s, "customer_manager", "demo:thing:read", False)  # an admin's choice
    set_plugins(tenant, ["core"])
    with db.tenant_session(tenant) as s:
        s.scalar(select(AuthzState)).granted_defaults = []  # as provisioned before the bookkeeping existed
    with db.tenant_session(tenant) as s:
        provision_roles(s)  # the first sync after the upgrade, demo disabled
        assert "customer_manager demo:thing:read" in s.scalar(select(AuthzState)).granted_defaults
    set_plugins(tenant, ["core", "demo"])
    with db.tenant_session(tenant) as s:
        provision_roles(s)
        assert "demo:thing:read" not in rules.grants(s)["customer_manager"]
