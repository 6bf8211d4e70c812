"""Personal data through GraphQL: masked by default, revealed only with core:pii:reveal, every reveal audited;
exact search through the blind index; invalid phone numbers refused."""

from __future__ import annotations

from sqlalchemy import select

from surety.core.audit.models import AuditRecord
from surety.core.testing import error_codes

CREATE = ("mutation($i:UserCreateInput!){ userCreate(input:$i){ user { id phone } errors { code field message } } }")
PHONE = "query($id:ID!,$r:Boolean!){ node(id:$id) { ... on User { phone(reveal:$r) } } }"


def test_phone_is_masked_revealed_with_permission_and_audited(api, make_tenant, db):
    t = make_tenant()
    admin = api.login(t.slug)
    r = api(CREATE, {"i": {"username": "zhang", "password": "Strong-Pass-77", "phone": "+86 138-0013-8000",
                           "roles": ["read_only"]}}, token=admin)["data"]["userCreate"]
    assert r["errors"] == [] and r["user"]["phone"] == "138****8000"
    uid = r["user"]["id"]
    assert api(PHONE, {"id": uid, "r": False}, token=admin)["data"]["node"]["phone"] == "138****8000"
    assert api(PHONE, {"id": uid, "r": True}, token=admin)["data"]["node"]["phone"] == "13800138000"
    with db.tenant_session(t.id) as s:
        reveals = s.scalars(select(AuditRecord).where(AuditRecord.action == "pii.revealed")).all()
    assert len(reveals) == 1 and reveals[0].after == {"field": "phone"}

    api(CREATE, {"i": {"username": "viewer", "password": "Strong-Pass-77", "roles": ["read_only", "auditor"]}},
        token=admin)
    viewer = api.login(t.slug, "viewer", "Strong-Pass-77")
    denied = api(PHONE, {"id": uid, "r": True}, token=viewer)
    assert error_codes(denied) == ["FORBIDDEN"]
    assert "13800138000" not in str(denied)


def test_exact_phone_search_uses_the_blind_index(api, make_tenant):
    t = make_tenant()
    admin = api.login(t.slug)
    api(CREATE, {"i": {"username": "lisi", "password": "Strong-Pass-77", "phone": "13900139000"}}, token=admin)
    q = "query($p:String!){ users(filter:{phone:$p}) { edges { node { username } } } }"
    found = api(q, {"p": "139 0013 9000"}, token=admin)["data"]["users"]["edges"]
    assert [e["node"]["username"] for e in found] == ["lisi"]
    assert api(q, {"p": "13900139001"}, token=admin)["data"]["users"]["edges"] == []


def test_invalid_phone_is_refused_with_a_clear_message(api, make_tenant):
    t = make_tenant()
    admin = api.login(t.slug)
    r = api(CREATE, {"i": {"username": "wang", "password": "Strong-Pass-77", "phone": "12345"}},
            token=admin)["data"]["userCreate"]
    assert r["user"] is None and r["errors"][0]["field"] == "phone" and "11 digits" in r["errors"][0]["message"]
