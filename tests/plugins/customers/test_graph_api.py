"""customerGraph through GraphQL with relations derived from shared keys: a 20-node graph with every edge written out
by hand, and a phone shared by more customers than the graph draws as pairs, shown as one group node."""

from __future__ import annotations

from surety.plugins.customers.records import create_customer
from surety.plugins.customers.related import GROUP_EDGES_MAX, add_relation
from surety.plugins.customers.testing import corporate, individual, make_id, make_uscc

GRAPH = """query($id: ID!, $depth: Int!) { customerGraph(id: $id, depth: $depth) {
  rootId truncated nodes { depth customer { id name } } edges { fromId toId relationType source }
  groups { kind label memberCount memberIds walked sample { name } } } }"""


def test_a_twenty_node_graph_has_every_edge_it_had_when_they_were_stored(api, db, world):
    """R; W its spouse (by hand); P1-P4 on R's phone; C1-C3 with R as legal representative; D1-D11 shareholders
    of C1 (D1-D4), C2 (D5-D8) and C3 (D9-D11) by credit code."""
    a = world.actors["admin"]
    with db.tenant_session(world.tenant.id) as s:
        r = create_customer(s, a, "individual", individual(1, name="R", phone="13911110000"))
        w = create_customer(s, a, "individual", individual(2, name="W"))
        add_relation(s, a, r.id, w.id, "spouse")
        for n in range(1, 5):
            create_customer(s, a, "individual", individual(2 + n, name=f"P{n}", phone="13911110000"))
        owners = {1: range(1, 5), 2: range(5, 9), 3: range(9, 12)}
        for d in range(1, 12):
            create_customer(s, a, "corporate", corporate(100 + d, name=f"D{d}"))
        for c, ds in owners.items():
            create_customer(s, a, "corporate", corporate(c, name=f"C{c}", legal_rep_name="R",
                                                         legal_rep_id_number=make_id(1),
                                                         shareholders=[{"name": f"D{d}",
                                                                        "id_number": make_uscc(100 + d)}
                                                                       for d in ds]))
    admin = api.login(world.tenant.slug)
    g = api(GRAPH, {"id": _gid(r.id), "depth": 2}, token=admin)["data"]["customerGraph"]
    name = {n["customer"]["id"]: n["customer"]["name"] for n in g["nodes"]}
    depth = {n["customer"]["name"]: n["depth"] for n in g["nodes"]}
    assert len(g["nodes"]) == 20 and not g["truncated"] and g["groups"] == []
    assert depth == {"R": 0, "W": 1, "P1": 1, "P2": 1, "P3": 1, "P4": 1, "C1": 1, "C2": 1, "C3": 1,
                     **{f"D{d}": 2 for d in range(1, 12)}}
    got = sorted((name[e["fromId"]], name[e["toId"]], e["relationType"], e["source"]) for e in g["edges"])
    phone = ["R", "P1", "P2", "P3", "P4"]
    undirected = lambda x, y, t: tuple(sorted((x, y), key=lambda v: _id_of(name, v))) + (t, "auto")  # noqa: E731
    want = ([tuple(sorted(("R", "W"), key=lambda v: _id_of(name, v))) + ("spouse", "manual")]
            + [undirected(x, y, "same_phone") for i, x in enumerate(phone) for y in phone[i + 1:]]
            + [("R", f"C{c}", "legal_representative", "auto") for c in (1, 2, 3)]
            + [undirected(x, y, "common_legal_representative") for x, y in (("C1", "C2"), ("C1", "C3"), ("C2", "C3"))]
            + [(f"D{d}", f"C{c}", "shareholder", "auto") for c, ds in owners.items() for d in ds])
    assert len(want) == 28 and got == sorted(want)


def test_a_phone_shared_by_many_is_one_group_node(api, db, world):
    a = world.actors["admin"]
    holders = GROUP_EDGES_MAX + 1
    with db.tenant_session(world.tenant.id) as s:
        root = create_customer(s, a, "individual", individual(1, name="甲", phone="13911110000"))
        for n in range(2, holders + 1):
            create_customer(s, a, "individual", individual(n, name=f"乙{n:02d}", phone="13911110000"))
    admin = api.login(world.tenant.slug)
    g = api(GRAPH, {"id": _gid(root.id), "depth": 2}, token=admin)["data"]["customerGraph"]
    assert [n["customer"]["name"] for n in g["nodes"]] == ["甲"] and g["edges"] == []
    assert g["groups"] == [{"kind": "phone", "label": f"共用电话 ({holders} 位客户)", "memberCount": holders,
                            "memberIds": [_gid(root.id)], "walked": False,
                            "sample": [{"name": n} for n in ["乙02", "乙03", "乙04", "乙05", "乙06", "乙07", "乙08",
                                                             "乙09", "乙10", "乙11"]]}]


def _gid(customer_id) -> str:
    from surety.graphql.nodes import global_id

    return global_id("Customer", customer_id)


def _id_of(name: dict, wanted: str) -> str:
    """The customer id (text, as the lower-id-first rule compares) of the node named ``wanted``."""
    from surety.graphql.auth import decode_node_id

    return str(next(decode_node_id(g, "Customer") for g, n in name.items() if n == wanted))
