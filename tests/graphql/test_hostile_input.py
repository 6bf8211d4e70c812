"""Bad input never yields a 500: malformed queries, limits, huge bodies, hostile strings, masked errors."""

from __future__ import annotations

import pytest

from surety.core.testing import error_codes


def test_malformed_graphql_is_a_graphql_error(api):
    r = api.post("{ me { ")
    assert r.status_code == 200 and r.json()["data"] is None
    assert r.json()["errors"][0]["message"].startswith("Syntax Error")
    r = api.post("{ noSuchField }")
    assert r.status_code == 200 and "noSuchField" in r.json()["errors"][0]["message"]


def test_non_json_body_is_refused_cleanly(api):
    r = api.client.post("/graphql", content=b"{not json", headers={"content-type": "application/json"})
    assert r.status_code == 400


def test_too_deep_query_is_refused(db, api, make_tenant):
    import dataclasses

    from starlette.testclient import TestClient

    from surety.core.settings import get_settings
    from surety.core.web import create_app
    from surety.graphql.schema import build_schema

    t = make_tenant()
    token = api.login(t.slug)
    query = {"query": "{ users { edges { node { orgUnit { name } } } } }"}
    headers = {"Authorization": f"Bearer {token}"}
    assert "errors" not in api.client.post("/graphql", json=query, headers=headers).json()
    shallow = dataclasses.replace(get_settings(), max_query_depth=3)
    with TestClient(create_app(shallow, db, schema=build_schema(settings=shallow))) as client:
        r = client.post("/graphql", json=query, headers=headers).json()
    assert "exceeds maximum operation depth of 3" in r["errors"][0]["message"]


def test_too_many_aliases_and_tokens_are_refused(api):
    aliases = "{ " + " ".join(f"a{i}: __typename" for i in range(200)) + " }"
    r = api.post(aliases).json()
    assert "aliases" in r["errors"][0]["message"].lower()
    tokens = "{ " + " ".join("__typename" for _ in range(3000)) + " }"
    r = api.post(tokens).json()
    assert "token" in r["errors"][0]["message"].lower()


def test_ten_megabyte_body_is_refused_with_413(api):
    huge = "x" * (10 * 1024 * 1024)
    r = api.client.post("/graphql", json={"query": "{ __typename }", "variables": {"junk": huge}})
    assert r.status_code == 413
    assert r.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"


@pytest.mark.parametrize("hostile", [
    "Robert'); DROP TABLE users;--",
    "<script>alert(1)</script>",
    "x' OR '1'='1",
    "%_\\",
])
def test_hostile_strings_are_stored_verbatim_or_refused(api, make_tenant, hostile):
    t = make_tenant()
    token = api.login(t.slug)
    r = api("mutation($i:UserCreateInput!){ userCreate(input:$i){ user { id displayName } errors { code } } }",
            {"i": {"username": "plainuser", "password": "Strong-Pass-77", "displayName": hostile}}, token=token)
    assert r["data"]["userCreate"]["user"]["displayName"] == hostile
    bad_name = api("mutation($i:UserCreateInput!){ userCreate(input:$i){ user { id } errors { code field } } }",
                   {"i": {"username": hostile, "password": "Strong-Pass-77"}}, token=token)
    assert bad_name["data"]["userCreate"]["errors"][0]["code"] == "VALIDATION_FAILED"
    # LIKE wildcards in a search are literal
    found = api("query($s:String!){ users(filter:{search:$s}) { totalCount } }", {"s": hostile}, token=token)
    assert found["data"]["users"]["totalCount"] == 1
    assert api("{ users { totalCount } }", token=token)["data"]["users"]["totalCount"] == 2


def test_unexpected_errors_are_masked(api, make_tenant, monkeypatch):
    from surety.core.authz import provision

    t = make_tenant()
    token = api.login(t.slug)

    def boom(*a, **k):
        raise RuntimeError("secret internal detail: password=hunter2")

    monkeypatch.setattr(provision, "roles_of", boom)
    r = api("{ me { roles } }", token=token)
    assert r["errors"][0]["message"] == "Unexpected error."
    assert "hunter2" not in str(r)


def test_permission_denied_is_typed_and_audited(api, make_tenant, db):
    from sqlalchemy import select

    from surety.core.audit.models import AuditRecord

    t = make_tenant()
    admin = api.login(t.slug)
    api("mutation($i:UserCreateInput!){ userCreate(input:$i){ errors { code } } }",
        {"i": {"username": "viewer", "password": "Strong-Pass-77", "roles": ["read_only"]}}, token=admin)
    viewer = api.login(t.slug, "viewer", "Strong-Pass-77")
    r = api("{ permissionMatrix { roles { key } } }", token=viewer)
    assert error_codes(r) == ["FORBIDDEN"] and "core:role:read" in r["errors"][0]["message"]
    m = api("mutation($i:UserCreateInput!){ userCreate(input:$i){ user { id } errors { code } } }",
            {"i": {"username": "another", "password": "Strong-Pass-77"}}, token=viewer)
    assert error_codes(m) == [] and m["data"]["userCreate"]["user"] is None
    assert m["data"]["userCreate"]["errors"][0]["code"] == "FORBIDDEN"
    with db.tenant_session(t.id) as s:
        denied = s.scalars(select(AuditRecord).where(AuditRecord.action == "authz.denied")).all()
    assert {d.after["permission"] for d in denied} >= {"core:role:read", "core:user:create"}
