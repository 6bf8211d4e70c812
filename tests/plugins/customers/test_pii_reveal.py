"""Who sees a customer's personal data in clear (plugins/customers/pii.py, docs/customers.md "Personal data"): the
customer's own manager reveals its phone and address (audited, basis ``customer_manager``) without core:pii:reveal;
identity numbers and bank accounts still need core:pii:reveal; other roles as before."""

from __future__ import annotations

import dataclasses

from sqlalchemy import select

from surety.core.audit.models import AuditRecord
from surety.core.context import ACTOR_API_KEY
from surety.core.testing import error_codes
from surety.plugins.customers.pii import BASIS_MANAGER, CONTACT_FIELDS, reveal_basis
from surety.plugins.customers.records import create_customer, delete_customer
from surety.plugins.customers.testing import individual, make_id

PASSWORD = "Strong-Pass-77"
PHONE, ADDRESS = "13800138123", "北京市朝阳区建国路 88 号 3 单元 501"
CONTACT = """query($id: ID!, $r: Boolean!) { customer(id: $id) { phone(reveal: $r) address(reveal: $r) } }"""
ID_NUMBER = "query($id: ID!) { customer(id: $id) { idNumber(reveal: true) } }"


def _customer(s, world, owner: str = "mgr_a", n: int = 41):
    return create_customer(s, world.actors[owner], "individual", individual(n, phone=PHONE, address=ADDRESS))


def test_the_customers_own_manager_may_reveal_its_contact_details_only(db, world):
    a = world.actors
    with db.tenant_session(world.tenant.id) as s:
        mine = _customer(s, world)
        assert CONTACT_FIELDS == ("phone", "address")
        for f in CONTACT_FIELDS:
            assert reveal_basis(s, a["mgr_a"], mine, f) == BASIS_MANAGER
        for f in ("id_number", "bank_account", "legal_rep_id_number"):  # identity and money: core:pii:reveal only
            assert reveal_basis(s, a["mgr_a"], mine, f) is None
        for other in ("mgr_a2", "mgr_b", "head_a", "risk", "boss", "viewer", "admin"):  # not its manager
            assert reveal_basis(s, a[other], mine, "phone") is None, other
        key = dataclasses.replace(a["mgr_a"], type=ACTOR_API_KEY)  # an API key with the manager's id is nobody's
        assert reveal_basis(s, key, mine, "phone") is None
        viewers = _customer(s, world, owner="admin", n=42)
        viewers.owner_id = a["viewer"].id_uuid  # owned by someone who may not work on customers
        assert reveal_basis(s, a["viewer"], viewers, "phone") is None
        delete_customer(s, a["admin"], mine.id)
        assert reveal_basis(s, a["mgr_a"], mine, "phone") is None


def test_graphql_manager_reveals_own_customers_contact_audited_others_as_before(api, db, world):
    slug = world.tenant.slug
    with db.tenant_session(world.tenant.id) as s:
        customer = _customer(s, world)
        raw_id = customer.id
    cid = api("query { customers(first: 5) { edges { node { id } } } }", token=api.login(slug, "mgr_a", PASSWORD)
              )["data"]["customers"]["edges"][0]["node"]["id"]
    mgr, head, admin = (api.login(slug, u, PASSWORD) if u != "admin" else api.login(slug)
                        for u in ("mgr_a", "head_a", "admin"))

    masked = api(CONTACT, {"id": cid, "r": False}, token=mgr)["data"]["customer"]
    assert masked["phone"] == "138****8123" and ADDRESS not in str(masked)  # masked unless asked
    clear = api(CONTACT, {"id": cid, "r": True}, token=mgr)
    assert "errors" not in clear and clear["data"]["customer"] == {"phone": PHONE, "address": ADDRESS}
    refused = api(ID_NUMBER, {"id": cid}, token=mgr)
    assert error_codes(refused) == ["FORBIDDEN"] and make_id(41) not in str(refused)
    # The department head sees the customer (org subtree) but is not its manager: as before, core:pii:reveal needed.
    other = api(CONTACT, {"id": cid, "r": True}, token=head)
    assert error_codes(other) == ["FORBIDDEN", "FORBIDDEN"] and PHONE not in str(other)
    assert api(CONTACT, {"id": cid, "r": True}, token=admin)["data"]["customer"] == {"phone": PHONE,
                                                                                    "address": ADDRESS}
    with db.tenant_session(world.tenant.id) as s:
        reveals = s.scalars(select(AuditRecord).where(AuditRecord.action == "pii.revealed",
                                                      AuditRecord.entity_id == str(raw_id))).all()
    by = {(r.actor_id, r.after["field"], r.after.get("basis")) for r in reveals}
    mgr_id, admin_id = world.actors["mgr_a"].id, world.actors["admin"].id
    assert by == {(mgr_id, "phone", BASIS_MANAGER), (mgr_id, "address", BASIS_MANAGER), (admin_id, "phone", None),
                  (admin_id, "address", None)}
    assert all(PHONE not in str(r.after) and ADDRESS not in str(r.after) for r in reveals)
