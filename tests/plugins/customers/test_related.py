"""Related parties: auto-detected from shared key fields, entered by hand, the graph to a depth, group exposure
through the customers_exposure hook."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from sqlalchemy import select

from surety.core.errors import ValidationFailed
from surety.plugins.customers.models import Customer
from surety.plugins.customers.records import create_customer, update_customer
from surety.plugins.customers.related import add_relation, graph, group_exposure, relations_of, remove_relation
from surety.plugins.customers.testing import corporate, individual, make_id, make_uscc


def edges(s):
    """Every relation among the tenant's customers: hand-entered rows and the pairs derived from shared keys."""
    return {(r.from_customer_id, r.to_customer_id, r.relation_type, r.source)
            for r in relations_of(s, s.scalars(select(Customer.id)))}


def test_auto_detection_from_shared_fields(db, world):
    a = world.actors["mgr_a"]
    with db.tenant_session(world.tenant.id) as s:
        person = create_customer(s, a, "individual", individual(1, address="上海市 浦东新区 世纪大道 8 号"))
        co1 = create_customer(s, a, "corporate", corporate(1, legal_rep_name="张三1", legal_rep_id_number=make_id(1),
                                                           shareholders=[{"name": "王五", "id_number": make_id(50)}]))
        co2 = create_customer(s, a, "corporate", corporate(2, legal_rep_name="张三1", legal_rep_id_number=make_id(1),
                                                           shareholders=[{"name": "王五", "id_number": make_id(50)},
                                                                         {"name": "北京测试科技有限公司1",
                                                                          "id_number": make_uscc(1)}]))
        neighbour = create_customer(s, a, "individual", individual(2, phone=person.phone,
                                                                  address="上海市浦东新区世纪大道8号"))
        got = edges(s)
        lo, hi = sorted([co1.id, co2.id], key=str)
        p_lo, p_hi = sorted([person.id, neighbour.id], key=str)
        assert (person.id, co1.id, "legal_representative", "auto") in got
        assert (person.id, co2.id, "legal_representative", "auto") in got
        assert (lo, hi, "common_legal_representative", "auto") in got
        assert (lo, hi, "common_shareholder", "auto") in got
        assert (co1.id, co2.id, "shareholder", "auto") in got  # co1 holds shares of co2 (by credit code)
        assert (p_lo, p_hi, "same_phone", "auto") in got
        assert (p_lo, p_hi, "same_address", "auto") in got  # whitespace-insensitive match on the blind index
        # Changing the data re-detects: a new phone drops the same-phone edge.
        update_customer(s, a, neighbour.id, {"phone": "13900000000"})
        assert (p_lo, p_hi, "same_phone", "auto") not in edges(s)
        assert (p_lo, p_hi, "same_address", "auto") in edges(s)


def test_manual_relations_and_graph_depth(db, world):
    a, admin = world.actors["mgr_a"], world.actors["admin"]
    with db.tenant_session(world.tenant.id) as s:
        c = [create_customer(s, a, "individual", individual(n)) for n in range(1, 6)]
        add_relation(s, a, c[0].id, c[1].id, "spouse")
        again = add_relation(s, a, c[1].id, c[0].id, "spouse")  # same undirected edge: kept once
        add_relation(s, a, c[1].id, c[2].id, "guarantor", note="guarantees loans")
        rel = add_relation(s, a, c[2].id, c[3].id, "actual_controller")
        assert len([e for e in edges(s) if e[3] == "manual"]) == 3 and again is not None
        with pytest.raises(ValidationFailed):
            add_relation(s, a, c[0].id, c[1].id, "cousin")
        with pytest.raises(ValidationFailed):
            add_relation(s, a, c[0].id, c[0].id, "spouse")
        g1 = graph(s, a, c[0].id, depth=1)
        assert {n.id for n in g1.nodes} == {c[0].id, c[1].id} and len(g1.edges) == 1
        g3 = graph(s, a, c[0].id, depth=3)
        assert {n.id for n in g3.nodes} == {c[0].id, c[1].id, c[2].id, c[3].id}
        assert g3.depth_of[c[3].id] == 3 and len(g3.edges) == 3
        assert {n.id for n in graph(s, a, c[0].id, depth=0).nodes} == {c[0].id}
        with pytest.raises(ValidationFailed):
            graph(s, a, c[0].id, depth=9)
        remove_relation(s, a, rel.id)
        assert {n.id for n in graph(s, admin, c[0].id, depth=5).nodes} == {c[0].id, c[1].id, c[2].id}


def test_customers_related_hook_gives_one_hop_without_a_user(db, world):
    from surety.core.plugins import get_registry
    from surety.plugins.customers.records import delete_customer

    a = world.actors["mgr_a"]
    with db.tenant_session(world.tenant.id) as s:
        c = [create_customer(s, a, "individual", individual(n)) for n in range(11, 15)]
        add_relation(s, a, c[0].id, c[1].id, "spouse")
        add_relation(s, a, c[2].id, c[0].id, "guarantor")
        add_relation(s, a, c[1].id, c[3].id, "actual_controller")  # two hops from c[0]: not included
        hook = get_registry().hook.customers_related
        assert hook(session=s, customer_id=c[0].id) == {c[1].id: "spouse", c[2].id: "guarantor"}
        delete_customer(s, world.actors["admin"], c[2].id)
        assert hook(session=s, customer_id=c[0].id) == {c[1].id: "spouse"}
        assert hook(session=s, customer_id=c[3].id) == {c[1].id: "actual_controller"}


def test_group_exposure_sums_what_plugins_report(db, world, monkeypatch):
    """A business plugin reports exposure through customers_exposure; the group view sums it (Decimal)."""
    from surety.core.plugins import PluginRegistry, build_plugin_manager, get_registry, hookimpl, reset_registry
    from surety.core.hookspecs import PluginManifest
    from surety.tenants.models import Tenant

    a = world.actors["mgr_a"]
    with db.tenant_session(world.tenant.id) as s:
        c1 = create_customer(s, a, "individual", individual(1))
        c2 = create_customer(s, a, "individual", individual(2))
        add_relation(s, a, c1.id, c2.id, "spouse")
        ids = (c1.id, c2.id)

    class Lending:
        @staticmethod
        @hookimpl
        def surety_manifest():
            return PluginManifest(key="lending", version="0", depends_on=("customers",))

        @staticmethod
        @hookimpl
        def customers_exposure(session, customer_ids):
            book = {ids[0]: Decimal("1000000.10"), ids[1]: Decimal("250000.05"), uuid.uuid4(): Decimal("9")}
            return {k: v for k, v in book.items() if k in set(customer_ids)}

    old = get_registry()
    reset_registry(PluginRegistry(build_plugin_manager(extra=[("lending", Lending)])))
    try:
        with db.platform_session() as s:
            t = s.get(Tenant, world.tenant.id)
            t.enabled_plugins = [*t.enabled_plugins, "lending"]
        with db.tenant_session(world.tenant.id) as s:
            g = group_exposure(s, a, ids[0], depth=2)
        assert g.total == Decimal("1250000.15") and g.by_customer[ids[1]] == Decimal("250000.05")
        assert g.by_plugin == {"lending": Decimal("1250000.15")}
    finally:
        reset_registry(old)
        with db.platform_session() as s:
            t = s.get(Tenant, world.tenant.id)
            t.enabled_plugins = [k for k in t.enabled_plugins if k != "lending"]


def test_related_many_answers_related_for_many_customers_at_once(db, world):
    from surety.core.ports import customers as door
    from surety.plugins.customers.records import delete_customer

    a = world.actors["mgr_a"]
    with db.tenant_session(world.tenant.id) as s:
        c = [create_customer(s, a, "individual", individual(n)) for n in range(21, 26)]
        add_relation(s, a, c[0].id, c[1].id, "spouse")
        add_relation(s, a, c[2].id, c[0].id, "guarantor")
        add_relation(s, a, c[3].id, c[2].id, "actual_controller")
        delete_customer(s, world.actors["admin"], c[3].id)
        many = door.related_many(s, [c[0].id, c[2].id, c[4].id])
        assert many == {c[0].id: {c[1].id: "spouse", c[2].id: "guarantor"}, c[2].id: {c[0].id: "guarantor"}}
        assert many[c[0].id] == door.related(s, c[0].id)
        assert door.related_many(s, []) == {}
