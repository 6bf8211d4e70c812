"""Regressions found in review: reveal audit survives a failed request, commit failures stay masked, odd node
ids and cursors are clean errors, plugin enabling is atomic, the enabled-plugins cache never stores a stale read."""

from __future__ import annotations

import base64
import json

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from surety.core.audit.models import AuditRecord
from surety.core.authz import provision
from surety.core.plugins import get_registry
from surety.core.testing import error_codes
from surety.graphql import identity
from surety.tenants import registry
from surety.tenants.service import enable_plugin, get_tenant_by_slug


def test_reveal_is_audited_even_when_another_field_fails(api, make_tenant, db, monkeypatch):
    t = make_tenant()
    admin = api.login(t.slug)
    hq = api("{ orgUnits { id } }", token=admin)["data"]["orgUnits"][0]["id"]
    uid = api("mutation($o:ID!){ userCreate(input:{username:\"zhou\", password:\"Strong-Pass-77\", "
              "phone:\"13800138000\", orgUnitId:$o}){ user { id } } }", {"o": hq},
              token=admin)["data"]["userCreate"]["user"]["id"]

    def broken_loader(ctx):
        raise RuntimeError("loader down")

    monkeypatch.setattr(identity, "_org_unit_loader", broken_loader)
    r = api("query($id:ID!){ node(id:$id){ ... on User { phone(reveal:true) orgUnit { id } } } }", {"id": uid},
            token=admin)
    assert r["data"]["node"]["phone"] == "13800138000" and r["data"]["node"]["orgUnit"] is None
    assert r["errors"][0]["message"] == "Unexpected error."  # the request failed and rolled back...
    with db.tenant_session(t.id) as s:  # ...but the reveal stays audited
        assert s.scalar(select(AuditRecord.id).where(AuditRecord.action == "pii.revealed")) is not None


def test_cursor_with_non_string_values_is_a_validation_error(api, make_tenant):
    t = make_tenant()
    admin = api.login(t.slug)
    bad_cursor = base64.urlsafe_b64encode(json.dumps(["a", 1]).encode()).decode()
    r = api("query($c:String){ users(after:$c){ totalCount } }", {"c": bad_cursor}, token=admin)
    assert error_codes(r) == ["VALIDATION_FAILED"]


def test_node_with_interface_name_is_null_not_an_error(api, make_tenant):
    t = make_tenant()
    admin = api.login(t.slug)
    fake = base64.b64encode(b"Node:1").decode()
    assert api("query($id:ID!){ node(id:$id){ id } }", {"id": fake}, token=admin) == {"data": {"node": None}}


def test_malformed_ids_in_mutations_are_not_found(api, make_tenant):
    t = make_tenant()
    admin = api.login(t.slug)
    r = api("mutation{ userDisable(id:\"bad\"){ user { id } errors { code } } }", token=admin)
    assert r["data"]["userDisable"]["errors"][0]["code"] == "NOT_FOUND"


def test_commit_failure_is_masked(api, make_tenant, monkeypatch):
    t = make_tenant()
    admin = api.login(t.slug)

    def broken_commit(self):
        raise RuntimeError("[SQL: COMMIT] secret-internal")

    monkeypatch.setattr(Session, "commit", broken_commit)
    r = api("mutation{ orgUnitCreate(input:{code:\"B1\", name:\"Branch\"}){ orgUnit { id } errors { code } } }",
            token=admin)
    assert r["data"] is None and r["errors"][0]["message"] == "Unexpected error."
    assert "secret-internal" not in json.dumps(r)


def test_failed_plugin_provisioning_leaves_the_plugin_disabled(db, make_tenant, monkeypatch):
    t = make_tenant()
    registry = get_registry()
    monkeypatch.setattr(registry, "check_enable", lambda before, key: sorted(set(before) | {key}))

    def boom(session):
        raise RuntimeError("provisioning failed")

    monkeypatch.setattr(provision, "provision_roles", boom)
    with pytest.raises(RuntimeError):
        enable_plugin(db, t.slug, "extra")
    assert get_tenant_by_slug(db, t.slug).enabled_plugins == ["core"]


def test_enabled_plugins_cache_does_not_store_a_read_raced_by_a_change(db, make_tenant, monkeypatch):
    t = make_tenant()
    registry.forget()
    real = db.platform_session

    def session_then_change():
        registry.forget(t.id)  # a change commits while this read is in flight
        return real()

    monkeypatch.setattr(db, "platform_session", session_then_change)
    registry.enabled_plugins(db, t.id)
    assert t.id not in registry._cache
