"""Tenant-admin and platform surfaces through GraphQL."""

from __future__ import annotations

import secrets

from strawberry.relay import GlobalID

from surety.core.identity.operators import create_operator
from surety.core.testing import error_codes

CREATE_USER = ("mutation($i:UserCreateInput!){ userCreate(input:$i){ user { id username } "
               "errors { code field message } } }")


def test_reference_to_another_tenants_row_is_refused(api, make_tenant):
    a, b = make_tenant(), make_tenant()
    ta, tb = api.login(a.slug), api.login(b.slug)
    b_unit = api("{ orgUnits { id } }", token=tb)["data"]["orgUnits"][0]["id"]
    r = api(CREATE_USER, {"i": {"username": "spy", "password": "Strong-Pass-77", "orgUnitId": b_unit}},
            token=ta)["data"]["userCreate"]
    assert r["user"] is None and r["errors"][0]["field"] == "orgUnitId"
    r = api("mutation($p:ID!){ orgUnitCreate(input:{code:\"X\", name:\"X\", parentId:$p}){ orgUnit { id } "
            "errors { code field } } }", {"p": b_unit}, token=ta)["data"]["orgUnitCreate"]
    assert r["orgUnit"] is None and r["errors"][0]["field"] == "parentId"
    assert api("{ users { totalCount } }", token=ta)["data"]["users"]["totalCount"] == 1


def test_permission_matrix_read_and_edit_takes_effect(api, make_tenant):
    t = make_tenant()
    admin = api.login(t.slug)
    api(CREATE_USER, {"i": {"username": "reader", "password": "Strong-Pass-77", "roles": ["read_only"]}}, token=admin)
    reader = api.login(t.slug, "reader", "Strong-Pass-77")
    assert error_codes(api("{ users { totalCount } }", token=reader)) == ["FORBIDDEN"]

    m = api("{ permissionMatrix { roles { key dataScope } permissions { key plugin } grants { role permissions } } }",
            token=admin)["data"]["permissionMatrix"]
    assert {r["key"] for r in m["roles"]} >= {"admin", "customer_manager", "risk_officer", "legal",
                                              "committee_member", "finance", "department_head", "executive",
                                              "auditor", "read_only"}
    grants = {g["role"]: g["permissions"] for g in m["grants"]}
    assert "core:user:read" not in grants["read_only"]

    upd = ("mutation($c:[GrantInput!]!){ permissionMatrixUpdate(changes:$c){ matrix { grants { role permissions } } "
           "errors { code message } } }")
    r = api(upd, {"c": [{"role": "read_only", "permission": "core:user:read", "granted": True}]},
            token=admin)["data"]["permissionMatrixUpdate"]
    assert r["errors"] == []
    assert api("{ users { totalCount } }", token=reader)["data"]["users"]["totalCount"] == 2

    bad = api(upd, {"c": [{"role": "admin", "permission": "core:role:manage", "granted": False}]},
              token=admin)["data"]["permissionMatrixUpdate"]
    assert bad["matrix"] is None and bad["errors"][0]["code"] == "VALIDATION_FAILED"
    unknown = api(upd, {"c": [{"role": "read_only", "permission": "core:nothing:read", "granted": True}]},
                  token=admin)["data"]["permissionMatrixUpdate"]
    assert unknown["errors"][0]["code"] == "VALIDATION_FAILED"


def test_audit_log_by_entity_and_by_user(api, make_tenant):
    t = make_tenant()
    admin = api.login(t.slug)
    me = api("{ me { user { id } } }", token=admin)["data"]["me"]["user"]["id"]
    created = api(CREATE_USER, {"i": {"username": "audited", "password": "Strong-Pass-77"}},
                  token=admin)["data"]["userCreate"]["user"]

    raw_id = GlobalID.from_id(created["id"]).node_id
    raw_me = GlobalID.from_id(me).node_id
    q = ("query($t:String,$e:String,$a:String){ auditLog(entityType:$t, entityId:$e, actorId:$a){ "
         "entries { action actorId entityId after } nextBeforeSeq } }")
    by_entity = api(q, {"t": "user", "e": raw_id}, token=admin)["data"]["auditLog"]["entries"]
    assert [e["action"] for e in by_entity] == ["user.created"]
    assert by_entity[0]["after"] == {"username": "audited", "org_unit_id": None, "roles": []}  # no password
    by_user = api(q, {"a": raw_me}, token=admin)["data"]["auditLog"]["entries"]
    assert {"user.created"} <= {e["action"] for e in by_user}
    assert all(e["actorId"] == raw_me for e in by_user)


def test_api_key_acts_with_its_roles_until_revoked(api, make_tenant):
    t = make_tenant()
    admin = api.login(t.slug)
    r = api("mutation{ apiKeyCreate(name:\"erp\", roles:[\"auditor\"]){ id secret errors { code } } }",
            token=admin)["data"]["apiKeyCreate"]
    assert r["errors"] == [] and r["secret"].startswith("sk_")
    assert api("{ users { totalCount } }", token=r["secret"])["data"]["users"]["totalCount"] == 1
    assert error_codes(api("{ permissionMatrix { roles { key } } }", token=r["secret"])) == []
    forbidden = api(CREATE_USER, {"i": {"username": "bot", "password": "Strong-Pass-77"}},
                    token=r["secret"])["data"]["userCreate"]
    assert forbidden["errors"][0]["code"] == "FORBIDDEN"
    out = api("mutation($id:ID!){ apiKeyRevoke(id:$id){ ok errors { code } } }", {"id": r["id"]}, token=admin)
    assert out["data"]["apiKeyRevoke"] == {"ok": True, "errors": []}
    assert error_codes(api("{ users { totalCount } }", token=r["secret"])) == ["UNAUTHENTICATED"]


def test_platform_operator_manages_tenants(api, db):
    name = f"op{secrets.token_hex(3)}"
    create_operator(db, name, "Operator-Pass-99")
    login = api("mutation($u:String!){ platformLogin(username:$u, password:\"Operator-Pass-99\")"
                "{ accessToken errors { code } } }",
                {"u": name})["data"]["platformLogin"]
    op = login["accessToken"]
    slug = f"p-{secrets.token_hex(3)}"
    create = ("mutation($i:PlatformTenantCreateInput!){ platformTenantCreate(input:$i){ tenant { slug status "
              "enabledPlugins } errors { code field message } } }")
    r = api(create, {"i": {"slug": slug, "name": "Pingan Guarantee", "adminPassword": "Correct-Horse-9"}},
            token=op)["data"]["platformTenantCreate"]
    assert r["errors"] == [] and r["tenant"] == {"slug": slug, "status": "active", "enabledPlugins": ["core"]}
    dup = api(create, {"i": {"slug": slug, "name": "Again", "adminPassword": "Correct-Horse-9"}},
              token=op)["data"]["platformTenantCreate"]
    assert dup["errors"][0]["code"] == "CONFLICT"
    bad = api(create, {"i": {"slug": "Bad Slug!", "name": "X", "adminPassword": "Correct-Horse-9"}},
              token=op)["data"]["platformTenantCreate"]
    assert bad["errors"][0]["field"] == "slug"
    unknown = api("mutation($s:String!){ platformTenantPluginEnable(slug:$s, plugin:\"nope\"){ errors { code } } }",
                  {"s": slug}, token=op)["data"]["platformTenantPluginEnable"]
    assert unknown["errors"][0]["code"] == "VALIDATION_FAILED"

    user_token = api.login(slug)
    s = api("mutation($s:String!){ platformTenantSuspend(slug:$s){ tenant { status } errors { code } } }",
            {"s": slug}, token=op)["data"]["platformTenantSuspend"]
    assert s["tenant"]["status"] == "suspended"
    assert error_codes(api("{ me { user { id } } }", token=user_token)) == ["TENANT_SUSPENDED"]
    listed = api("{ platformTenants { slug status } }", token=op)["data"]["platformTenants"]
    assert {"slug": slug, "status": "suspended"} in listed
    api("mutation($s:String!){ platformTenantResume(slug:$s){ tenant { status } } }", {"s": slug}, token=op)
    assert api("{ me { tenant { slug } } }", token=user_token)["data"]["me"]["tenant"]["slug"] == slug

    # tenant users cannot use the platform surface, and operators are not tenant users
    assert error_codes(api("{ platformTenants { slug } }", token=user_token)) == ["FORBIDDEN"]
    assert error_codes(api("{ me { user { id } } }", token=op)) == ["UNAUTHENTICATED"]
