"""Login, tokens, and tenant isolation through GraphQL."""

from __future__ import annotations

from surety.core.testing import TEST_PASSWORD as PASSWORD
from surety.core.testing import error_codes
from surety.tenants.service import resume_tenant, suspend_tenant

ME = "{ me { user { id username } tenant { slug } roles permissions } }"
USERS = "query($after:String){ users(first: 2, after: $after) { totalCount edges { cursor node { id username } } " \
        "pageInfo { hasNextPage endCursor } } }"


def test_login_me_and_refresh(api, make_tenant):
    t = make_tenant()
    token = api.login(t.slug)
    me = api(ME, token=token)["data"]["me"]
    assert me["user"]["username"] == "admin" and me["tenant"]["slug"] == t.slug
    assert "admin" in me["roles"] and "core:role:manage" in me["permissions"]

    pair = api("mutation($t:String!,$p:String!){login(tenant:$t,username:\"admin\",password:$p){refreshToken}}",
               {"t": t.slug, "p": PASSWORD})["data"]["login"]
    refreshed = api("mutation($r:String!){tokenRefresh(refreshToken:$r){accessToken refreshToken errors{code}}}",
                    {"r": pair["refreshToken"]})["data"]["tokenRefresh"]
    assert refreshed["errors"] == [] and refreshed["accessToken"]
    reused = api("mutation($r:String!){tokenRefresh(refreshToken:$r){accessToken errors{code}}}",
                 {"r": pair["refreshToken"]})["data"]["tokenRefresh"]
    assert reused["accessToken"] is None and reused["errors"][0]["code"] == "UNAUTHENTICATED"
    out = api("mutation($r:String!){logout(refreshToken:$r){ok errors{code}}}",
              {"r": refreshed["refreshToken"]})["data"]["logout"]
    assert out == {"ok": True, "errors": []}


def test_wrong_password_and_unknown_user_and_tenant_look_the_same(api, make_tenant):
    t = make_tenant()
    q = ("mutation($t:String!,$u:String!,$p:String!)"
         "{login(tenant:$t,username:$u,password:$p){accessToken errors{code message}}}")
    answers = [api(q, {"t": tt, "u": u, "p": "Wrong-Pass-123"})["data"]["login"]
               for tt, u in ((t.slug, "admin"), (t.slug, "nobody"), ("no-such-tenant", "admin"))]
    assert answers[0] == answers[1] == answers[2]
    assert answers[0]["accessToken"] is None and answers[0]["errors"][0]["code"] == "UNAUTHENTICATED"


def test_missing_and_forged_tokens_are_unauthenticated(api, make_tenant):
    t = make_tenant()
    assert error_codes(api(ME)) == ["UNAUTHENTICATED"]
    token = api.login(t.slug)
    head, body, sig = token.split(".")
    forged = f"{head}.{body}.{sig[:-4]}AAAA"
    assert error_codes(api(ME, token=forged)) == ["UNAUTHENTICATED"]
    assert error_codes(api(ME, token="not-a-token")) == ["UNAUTHENTICATED"]


def test_token_of_tenant_a_never_reaches_tenant_b(api, make_tenant):
    a, b = make_tenant(), make_tenant()
    ta, tb = api.login(a.slug), api.login(b.slug)
    b_user_id = api(ME, token=tb)["data"]["me"]["user"]["id"]
    users_a = api(USERS, token=ta)["data"]["users"]
    assert users_a["totalCount"] == 1
    assert b_user_id not in [e["node"]["id"] for e in users_a["edges"]]
    node = api("query($id:ID!){ node(id:$id) { id ... on User { username } } }", {"id": b_user_id}, token=ta)
    assert node["data"]["node"] is None
    disabled = api("mutation($id:ID!){ userDisable(id:$id) { user { id } errors { code } } }",
                   {"id": b_user_id}, token=ta)["data"]["userDisable"]
    assert disabled["user"] is None and disabled["errors"][0]["code"] == "NOT_FOUND"
    assert api(ME, token=tb)["data"]["me"]["user"]["id"] == b_user_id  # B's admin still works


def test_pagination_with_cursors(api, make_tenant):
    t = make_tenant()
    token = api.login(t.slug)
    for name in ("carol", "bob", "dave"):
        r = api("mutation($i:UserCreateInput!){ userCreate(input:$i){ user { username } errors { code message } } }",
                {"i": {"username": name, "password": "Strong-Pass-77", "roles": ["read_only"]}}, token=token)
        assert r["data"]["userCreate"]["errors"] == [], r
    page1 = api(USERS, token=token)["data"]["users"]
    assert page1["totalCount"] == 4
    assert [e["node"]["username"] for e in page1["edges"]] == ["admin", "bob"]
    page2 = api(USERS, {"after": page1["pageInfo"]["endCursor"]}, token=token)["data"]["users"]
    assert [e["node"]["username"] for e in page2["edges"]] == ["carol", "dave"]
    assert page2["pageInfo"]["hasNextPage"] is False
    bad = api(USERS, {"after": "%%%garbage"}, token=token)
    assert error_codes(bad) == ["VALIDATION_FAILED"]


def test_suspended_tenant_users_are_refused(api, make_tenant, db):
    t = make_tenant()
    token = api.login(t.slug)
    suspend_tenant(db, t.slug)
    assert error_codes(api(ME, token=token)) == ["TENANT_SUSPENDED"]
    q = "mutation($t:String!,$p:String!){login(tenant:$t,username:\"admin\",password:$p){accessToken errors{code}}}"
    assert api(q, {"t": t.slug, "p": PASSWORD})["data"]["login"]["errors"][0]["code"] == "TENANT_SUSPENDED"
    resume_tenant(db, t.slug)
    assert api(ME, token=token)["data"]["me"]["tenant"]["slug"] == t.slug


def test_non_bearer_authorization_is_unauthenticated(api):
    r = api.client.post("/graphql", json={"query": ME}, headers={"Authorization": "Basic YTpi"})
    assert error_codes(r.json()) == ["UNAUTHENTICATED"]
