"""Shared particulars stored once per customer (its key rows), relations derived when read: creating a customer writes
the same rows whatever the size of the groups it joins; the related parties are those the pairwise table gave; the
graph draws a large group as one node; another tenant's keys never join a group."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, update

from surety.core.db.base import Base
from surety.core.errors import ValidationFailed
from surety.plugins.customers.models import CustomerKey, CustomerRelation
from surety.plugins.customers.records import create_customer, delete_customer
from surety.plugins.customers.related import (
    GROUP_EDGES_MAX,
    GROUP_SAMPLE,
    add_relation,
    graph,
    group_sizes,
    related_to,
    remove_relation,
)
from surety.plugins.customers.testing import corporate, individual, make_id, make_uscc

PHONE = "13700000000"


def rows(s) -> int:
    """Rows of every table (what a write added shows as the difference)."""
    return sum(s.scalar(select(func.count()).select_from(t)) for t in Base.metadata.sorted_tables)


def test_a_customer_sharing_a_phone_with_50_others_writes_as_many_rows_as_one_sharing_nothing(db, world):
    a = world.actors["admin"]

    def written(n: int, phone: str):
        with db.tenant_session(world.tenant.id) as s:
            before = rows(s)
            c = create_customer(s, a, "individual", individual(n, phone=phone))
            s.flush()
            return rows(s) - before, c.id

    lone, _ = written(900, "13600000900")
    with db.tenant_session(world.tenant.id) as s:
        for n in range(1, 6):
            create_customer(s, a, "individual", individual(n, phone=PHONE))
    with_5, _ = written(901, PHONE)
    with db.tenant_session(world.tenant.id) as s:
        for n in range(6, 50):
            create_customer(s, a, "individual", individual(n, phone=PHONE))
    with_50, newest = written(902, PHONE)  # 50 others hold the phone: 1-5, 901, 6-49
    assert lone == with_5 == with_50
    with db.tenant_session(world.tenant.id) as s:
        assert s.scalar(select(func.count()).select_from(CustomerRelation)) == 0  # nothing stored pairwise
        # The one-hop answer is still every customer on the phone.
        found = related_to(s, newest)
        assert len(found) == 50 and set(found.values()) == {"same_phone"}


def test_related_parties_are_those_the_pairwise_rows_gave(db, world):
    """A small example with the expected pairs written by hand (the previous release stored exactly these)."""
    from surety.core.plugins import get_registry

    a = world.actors["mgr_a"]
    with db.tenant_session(world.tenant.id) as s:
        p = create_customer(s, a, "individual", individual(1, phone="13911110000", address="上海市浦东新区世纪大道 8 号"))
        sp = create_customer(s, a, "individual", individual(2, phone="13911110000", address="上海市浦东新区世纪大道8号"))
        nb = create_customer(s, a, "individual", individual(3, address="上海市 浦东新区 世纪大道 8 号"))
        c1 = create_customer(s, a, "corporate", corporate(1, legal_rep_name="张三1", legal_rep_id_number=make_id(1)))
        c2 = create_customer(s, a, "corporate", corporate(2, legal_rep_name="张三1", legal_rep_id_number=make_id(1),
                                                          shareholders=[{"name": "北京测试科技有限公司1",
                                                                         "id_number": make_uscc(1)}]))
        add_relation(s, a, nb.id, c1.id, "guarantor")
        hook = get_registry().hook.customers_related
        got = {name: hook(session=s, customer_id=c.id)
               for name, c in (("p", p), ("sp", sp), ("nb", nb), ("c1", c1), ("c2", c2))}
    assert got == {
        "p": {sp.id: "same_address", nb.id: "same_address", c1.id: "legal_representative",
              c2.id: "legal_representative"},
        "sp": {p.id: "same_address", nb.id: "same_address"},
        "nb": {p.id: "same_address", sp.id: "same_address", c1.id: "guarantor"},
        "c1": {p.id: "legal_representative", c2.id: "common_legal_representative", nb.id: "guarantor"},
        "c2": {p.id: "legal_representative", c1.id: "common_legal_representative"},
    }
    with db.tenant_session(world.tenant.id) as s:
        delete_customer(s, world.actors["admin"], sp.id)
        assert related_to(s, p.id) == {nb.id: "same_address", c1.id: "legal_representative",
                                       c2.id: "legal_representative"}


def test_a_detected_relation_cannot_be_removed_by_hand(db, world):
    a = world.actors["mgr_a"]
    with db.tenant_session(world.tenant.id) as s:
        x = create_customer(s, a, "individual", individual(1, phone=PHONE))
        create_customer(s, a, "individual", individual(2, phone=PHONE))
        (edge,) = graph(s, a, x.id, depth=1).edges
        assert edge.source == "auto" and edge.id == graph(s, a, x.id, depth=1).edges[0].id  # stable id
        with pytest.raises(ValidationFailed, match="follow the customers' data"):
            remove_relation(s, a, edge.id)


def test_a_phone_shared_by_more_than_the_limit_is_one_group_node_not_walked(db, world):
    a = world.actors["admin"]
    n_holders = GROUP_EDGES_MAX + 5
    with db.tenant_session(world.tenant.id) as s:
        root = create_customer(s, a, "individual", individual(1, phone=PHONE))
        spouse = create_customer(s, a, "individual", individual(2))
        add_relation(s, a, root.id, spouse.id, "spouse")
        others = [create_customer(s, a, "individual", individual(n, phone=PHONE)) for n in range(3, n_holders + 2)]
        g = graph(s, a, root.id, depth=2)
        assert [n.id for n in g.nodes] == [root.id, spouse.id]
        assert [(e.relation_type, e.source) for e in g.edges] == [("spouse", "manual")]
        (group,) = g.groups
        assert (group.kind, group.member_count, group.member_ids, group.walked) == ("phone", n_holders, [root.id],
                                                                                     False)
        assert group.label == f"共用电话 ({n_holders} 位客户)"
        everyone = sorted([root, *others], key=lambda c: (c.name_norm, str(c.id)))
        assert [c.id for c in group.sample] == [c.id for c in everyone[:GROUP_SAMPLE]]
        # The one-hop hook still answers every holder (blacklist propagation reads it).
        assert len(related_to(s, root.id)) == (n_holders - 1) + 1  # everyone else on the phone, and the spouse
        # Below the limit the same phone is drawn as edges again.
        for c in others[:6]:
            delete_customer(s, a, c.id)
        g = graph(s, a, root.id, depth=1)
        assert g.groups == [] and len(g.nodes) == n_holders - 6 + 1
        assert sorted(e.relation_type for e in g.edges) == ["same_phone"] * (n_holders - 7) + ["spouse"]


def test_a_person_behind_many_companies_is_walked_as_one_group(db, world):
    """One legal representative of GROUP_EDGES_MAX + 2 companies: the companies stay in the graph (and in group
    exposure), linked through the group node, without the n(n-1)/2 common_legal_representative edges."""
    a = world.actors["admin"]
    companies = GROUP_EDGES_MAX + 2
    with db.tenant_session(world.tenant.id) as s:
        boss = create_customer(s, a, "individual", individual(1))
        cos = [create_customer(s, a, "corporate", corporate(n, legal_rep_name="张三1", legal_rep_id_number=make_id(1)))
               for n in range(1, companies + 1)]
        g = graph(s, a, cos[0].id, depth=1)
        assert {n.id for n in g.nodes} == {boss.id, *(c.id for c in cos)}
        assert [(e.from_customer_id, e.to_customer_id, e.relation_type) for e in g.edges] == [
            (boss.id, cos[0].id, "legal_representative")]
        (group,) = g.groups
        assert (group.kind, group.member_count, group.walked) == ("person", companies + 1, True)
        assert set(group.member_ids) == {n.id for n in g.nodes}
        g2 = graph(s, a, boss.id, depth=1)
        assert len(g2.edges) == companies and {e.relation_type for e in g2.edges} == {"legal_representative"}
        assert related_to(s, cos[1].id)[cos[2].id] == "common_legal_representative"


def test_another_tenants_keys_never_join_a_group(db, world, make_tenant):
    from surety.core.identity.models import User
    from surety.plugins.customers.testing import actor_for

    a = world.actors["admin"]
    with db.tenant_session(world.tenant.id) as s:
        x = create_customer(s, a, "individual", individual(1, phone=PHONE))
        y = create_customer(s, a, "individual", individual(2, phone=PHONE))
        value = s.scalar(select(CustomerKey.value).where(CustomerKey.customer_id == x.id, CustomerKey.kind == "phone"))
    other = make_tenant(plugins=["customers"])
    with db.tenant_session(other.id) as s:
        b = actor_for(s.scalar(select(User).where(User.username == "admin")))
        z = create_customer(s, b, "individual", individual(3, phone=PHONE))
        # Forge the other tenant's key to the very same value (blind indexes differ per tenant anyway).
        s.execute(update(CustomerKey).where(CustomerKey.customer_id == z.id, CustomerKey.kind == "phone")
                  .values(value=value))
        assert related_to(s, z.id) == {}
    with db.tenant_session(world.tenant.id) as s:
        assert group_sizes(s, [value]) == {("phone", value): 2}
        assert related_to(s, x.id) == {y.id: "same_phone"}
        assert {n.id for n in graph(s, a, x.id, depth=2).nodes} == {x.id, y.id}


def test_an_address_written_like_a_large_person_group_is_not_that_group(db, world):
    """Addresses and names share the blind index's "name" domain: a customer whose address reads like the name of a
    legal representative of many companies is in no group with them."""
    a = world.actors["admin"]
    text = "王建国"
    with db.tenant_session(world.tenant.id) as s:
        x = create_customer(s, a, "individual", individual(1, address=text))
        for n in range(1, GROUP_EDGES_MAX + 3):
            create_customer(s, a, "corporate", corporate(n, legal_rep_name=text))
        g = graph(s, a, x.id, depth=2)
        assert [n.id for n in g.nodes] == [x.id] and g.edges == [] and g.groups == []
        assert related_to(s, x.id) == {}
