"""Related parties: detected from shared particulars, entered by hand, walked as a graph, and summed into a group
exposure through the ``customers_exposure`` hook.

A shared particular is stored once per customer, never per pair. Each customer's key fields are its rows of
``customers_keys`` (kind and blind index, never the plain value), and the live customers holding one value form a
group of one class: ``phone``, ``address`` or ``person`` (one ID number, or one name when no ID number is given, held
as a customer's own number, a legal representative or a shareholder). Detected relations are derived from the groups
when they are read (a self-join of the key table on the value); only relations entered by hand are rows of
``customers_relations``. Creating or changing a customer rewrites its own key rows and nothing else, however many
customers share its phone or address (docs/customers.md, "Related parties").
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import and_, case, delete, func, or_, select
from sqlalchemy.orm import Session

from surety.core.audit.log import audit
from surety.core.authz.check import require
from surety.core.context import Actor
from surety.core.crypto.blind_index import blind_index
from surety.core.errors import NotFound, ValidationFailed
from surety.core.events import raise_event
from surety.core.ports import customers as customers_door

from surety.plugins.customers.events import CustomerRelationAdded
from surety.plugins.customers.models import Customer, CustomerKey, CustomerRelation
from surety.plugins.customers.permissions import RELATION

AUTO, MANUAL = "auto", "manual"
MANUAL_TYPES = ("spouse", "shareholder", "actual_controller", "guarantor", "same_group")
#: Detected relation of two customers holding one key value, by their key kinds (first customer's kind, second's).
#: Directed types point from the first to the second; the others go from the lower id to the higher.
AUTO_TYPES: dict[tuple[str, str], tuple[str, bool]] = {
    ("id_number", "legal_rep"): ("legal_representative", True),
    ("id_number", "shareholder"): ("shareholder", True),
    ("legal_rep", "legal_rep"): ("common_legal_representative", False),
    ("shareholder", "shareholder"): ("common_shareholder", False),
    ("legal_rep", "shareholder"): ("shared_person", False),
    ("phone", "phone"): ("same_phone", False),
    ("address", "address"): ("same_address", False),
}
#: The group class of each key kind: customers are related through a value they hold within one class.
GROUP_OF = {"phone": "phone", "address": "address", "id_number": "person", "legal_rep": "person",
            "shareholder": "person"}
#: Classes of contact particulars: a large group of these is not walked (an agent's phone, a registered-office
#: address); a large person group is (one person controlling many companies is what group exposure is for).
CONTACT_GROUPS = ("phone", "address")
GROUP_LABELS = {"phone": "共用电话", "address": "共用地址", "person": "同一关联人"}
#: In the graph, a group of at most this many live customers is drawn as pairwise edges; a larger one as one group
#: node with its member count and its first GROUP_SAMPLE members by name.
GROUP_EDGES_MAX = 20
GROUP_SAMPLE = 10
MAX_DEPTH = 5
MAX_NODES = 500
CHUNK = 500
#: Namespace of derived edges' ids (uuid5 of both customers and the type): the same edge keeps its id between reads.
_DERIVED_EDGES = uuid.UUID("5b0f6d2e-3c1a-4c38-9f0e-0d6a1c2f7e41")


def _chunks(values: list, size: int = CHUNK):
    for i in range(0, len(values), size):
        yield values[i:i + size]


@dataclass(frozen=True)
class Edge:
    """A relation derived from a shared key value (``source`` auto). It reads like a ``CustomerRelation`` row."""

    from_customer_id: uuid.UUID
    to_customer_id: uuid.UUID
    relation_type: str
    note: str
    source: str = AUTO

    @property
    def id(self) -> uuid.UUID:
        return uuid.uuid5(_DERIVED_EDGES, f"{self.from_customer_id}:{self.to_customer_id}:{self.relation_type}")


def derive(a_id: uuid.UUID, a_kind: str, b_id: uuid.UUID, b_kind: str) -> list[tuple[Edge, bool]]:
    """The edges two customers holding one value make through their key kinds (none for one customer, or when the
    kinds make no relation), each with whether it is directed."""
    if a_id == b_id:
        return []
    out = []
    for (f_id, f_kind), (s_id, s_kind) in (((a_id, a_kind), (b_id, b_kind)), ((b_id, b_kind), (a_id, a_kind))):
        spec = AUTO_TYPES.get((f_kind, s_kind))
        if spec is None:
            continue
        rel_type, directed = spec
        src, dst = f_id, s_id
        if not directed and str(src) > str(dst):
            src, dst = dst, src
        out.append((Edge(src, dst, rel_type, f"shared {f_kind}/{s_kind}"), directed))
    return out


def keys_for(tenant: uuid.UUID, customer: Customer, shareholders: Iterable[dict] | None) -> list[CustomerKey]:
    """The key rows of ``customer``. ``shareholders`` with their ``id_number`` (not kept on the customer); None
    keeps the customer's existing shareholder keys (the caller then leaves them in place)."""
    keys = [CustomerKey(customer_id=customer.id, kind="id_number", value=customer.id_number_bidx)]
    if customer.phone_bidx:
        keys.append(CustomerKey(customer_id=customer.id, kind="phone", value=customer.phone_bidx))
    if customer.address_bidx:
        keys.append(CustomerKey(customer_id=customer.id, kind="address", value=customer.address_bidx))
    if customer.legal_rep_id_bidx or customer.legal_rep_name:
        value = customer.legal_rep_id_bidx or blind_index(tenant, customer.legal_rep_name, "name")
        keys.append(CustomerKey(customer_id=customer.id, kind="legal_rep", value=value,
                                label=customer.legal_rep_name))
    for s in shareholders or ():
        value = (blind_index(tenant, s["id_number"], "id_number") if s.get("id_number")
                 else blind_index(tenant, s["name"], "name"))
        keys.append(CustomerKey(customer_id=customer.id, kind="shareholder", value=value, label=s["name"]))
    return keys


def refresh_keys(session: Session, customer: Customer, shareholders: list[dict] | None, *,
                 new: bool = False) -> None:
    """Rewrite the customer's key rows: its memberships of the shared-particular groups. Nothing else is written
    (detected relations are derived when read), so the rows written do not depend on the groups' sizes. ``new``: a
    customer created in this transaction (no key rows yet: nothing to keep or delete)."""
    from surety.plugins.customers.records import tenant_of

    tenant = tenant_of(session)
    session.flush()
    keep = []
    if shareholders is None and not new:
        keep = [CustomerKey(customer_id=k.customer_id, kind=k.kind, value=k.value, label=k.label)
                for k in session.scalars(select(CustomerKey).where(CustomerKey.customer_id == customer.id,
                                                                   CustomerKey.kind == "shareholder"))]
    if not new:
        session.execute(delete(CustomerKey).where(CustomerKey.customer_id == customer.id))
    session.add_all(keys_for(tenant, customer, shareholders) + keep)
    session.flush()


# ---------------------------------------------------------------- reading the groups ----------------------------


def _class_of():
    return case((CustomerKey.kind == "phone", "phone"), (CustomerKey.kind == "address", "address"),
                else_="person")


def _live_key_join():
    return and_(Customer.tenant_id == CustomerKey.tenant_id, Customer.id == CustomerKey.customer_id,
                Customer.deleted_at.is_(None))


def _keys_of(session: Session, customer_ids: Iterable[uuid.UUID]) -> list:
    rows = []
    for part in _chunks(list(customer_ids)):
        rows += session.execute(select(CustomerKey.customer_id, CustomerKey.kind, CustomerKey.value)
                                .where(CustomerKey.customer_id.in_(part))).all()
    return rows


def _holders(session: Session, values: Iterable[str]) -> list:
    """(customer_id, kind, value) of the live customers holding any of ``values``."""
    rows = []
    for part in _chunks(sorted(set(values))):
        rows += session.execute(select(CustomerKey.customer_id, CustomerKey.kind, CustomerKey.value)
                                .join(Customer, _live_key_join()).where(CustomerKey.value.in_(part))).all()
    return rows


def group_sizes(session: Session, values: Iterable[str]) -> dict[tuple[str, str], int]:
    """(class, value) -> the number of live customers holding it, for ``values``: one aggregate over the key
    index, whatever the groups' sizes."""
    out: dict[tuple[str, str], int] = {}
    for part in _chunks(sorted(set(values))):
        held = (select(CustomerKey.value.label("value"), _class_of().label("cls"), CustomerKey.customer_id)
                .join(Customer, _live_key_join()).where(CustomerKey.value.in_(part)).distinct().subquery())
        for value, cls, n in session.execute(select(held.c.value, held.c.cls, func.count())
                                             .group_by(held.c.value, held.c.cls)):
            out[(cls, value)] = n
    return out


def _first_holders(session: Session, groups: Iterable[tuple[str, str]], limit: int
                   ) -> dict[tuple[str, str], list[tuple[uuid.UUID, str]]]:
    """(class, value) -> (customer id, key kind) of its first ``limit`` live holders by name (every kind a holder
    has in the group), for all ``groups`` in one statement per chunk of values."""
    groups = set(groups)
    out: dict[tuple[str, str], list] = {g: [] for g in groups}
    for part in _chunks(sorted({v for _, v in groups})):
        cls = _class_of().label("cls")
        rank = func.dense_rank().over(partition_by=(CustomerKey.value, cls),
                                      order_by=(Customer.name_norm, Customer.id)).label("rank")
        ranked = (select(CustomerKey.value, cls, CustomerKey.customer_id, CustomerKey.kind, rank)
                  .join(Customer, _live_key_join()).where(CustomerKey.value.in_(part)).subquery())
        for value, klass, cid, kind in session.execute(
                select(ranked.c.value, ranked.c.cls, ranked.c.customer_id, ranked.c.kind)
                .where(ranked.c.rank <= limit).order_by(ranked.c.value, ranked.c.cls, ranked.c.rank, ranked.c.kind)):
            if (klass, value) in out:
                out[(klass, value)].append((cid, kind))
    return out


def add_relation(session: Session, actor: Actor, from_id: uuid.UUID, to_id: uuid.UUID, relation_type: str,
                 note: str | None = None) -> CustomerRelation:
    """Enter a relation by hand (needs customers:relation:manage and the first customer in scope)."""
    from surety.plugins.customers.records import get_customer

    require(session, actor, RELATION, "manage")
    if relation_type not in MANUAL_TYPES:
        raise ValidationFailed("A relation is one of {relation_types}.", field="relation_type",
                               relation_types=", ".join(MANUAL_TYPES))
    if from_id == to_id:
        raise ValidationFailed("A customer cannot be related to itself.", field="to_id")
    get_customer(session, actor, from_id)
    if session.scalar(select(Customer.id).where(Customer.id == to_id, Customer.deleted_at.is_(None))) is None:
        raise NotFound("No customer with that id.", field="to_id")
    if relation_type in ("spouse", "same_group") and str(from_id) > str(to_id):
        from_id, to_id = to_id, from_id
    existing = session.scalar(select(CustomerRelation).where(
        CustomerRelation.from_customer_id == from_id, CustomerRelation.to_customer_id == to_id,
        CustomerRelation.relation_type == relation_type, CustomerRelation.source == MANUAL))
    if existing is not None:
        return existing
    rel = CustomerRelation(from_customer_id=from_id, to_customer_id=to_id, relation_type=relation_type,
                           source=MANUAL, note=(note or "").strip()[:500] or None, created_by=actor.subject)
    session.add(rel)
    session.flush()
    audit(session, "customers.relation.added", entity_type="customers:relation", entity_id=rel.id,
          after={"from": str(from_id), "to": str(to_id), "type": relation_type}, actor=actor)
    raise_event(session, CustomerRelationAdded(from_customer_id=from_id, to_customer_id=to_id,
                                               relation_type=relation_type, source=MANUAL))
    return rel


def remove_relation(session: Session, actor: Actor, relation_id: uuid.UUID) -> None:
    """Remove a hand-entered relation (detected relations follow the data and cannot be removed)."""
    require(session, actor, RELATION, "manage")
    rel = session.scalar(select(CustomerRelation).where(CustomerRelation.id == relation_id))
    if rel is None and relation_id.version != 5:
        raise NotFound("No relation with that id.", field="id")
    if rel is None or rel.source != MANUAL:  # a derived edge's id is a uuid5 (Edge.id); rows have uuid7 ids
        raise ValidationFailed("Detected relations follow the customers' data; change the data instead.",
                               field="id")
    session.delete(rel)
    audit(session, "customers.relation.removed", entity_type="customers:relation", entity_id=relation_id,
          before={"from": str(rel.from_customer_id), "to": str(rel.to_customer_id), "type": rel.relation_type},
          actor=actor)




def relations_of(session: Session, customer_ids: Iterable[uuid.UUID]) -> list:
    """Every relation touching ``customer_ids``: the hand-entered ``CustomerRelation`` rows, and an ``Edge`` for each
    pair derived from every group they hold, whatever its size (the holders on the other side are live customers).
    One query for the rows, one for the keys, one for the holders; linear in the holders, never pairwise among them.
    """
    ids = list(dict.fromkeys(customer_ids))
    edges: dict[uuid.UUID, object] = {}
    for part in _chunks(ids):
        for rel in session.scalars(select(CustomerRelation).where(or_(
                CustomerRelation.from_customer_id.in_(part), CustomerRelation.to_customer_id.in_(part)))):
            edges[rel.id] = rel
    mine = _keys_of(session, ids)
    held: dict[tuple[str, str], list] = {}
    for h in _holders(session, {m.value for m in mine}):
        held.setdefault((GROUP_OF[h.kind], h.value), []).append(h)
    for a in mine:
        for b in held.get((GROUP_OF[a.kind], a.value), ()):
            for edge, _ in derive(a.customer_id, a.kind, b.customer_id, b.kind):
                edges.setdefault(edge.id, edge)
    return list(edges.values())


def related_to(session: Session, customer_id: uuid.UUID) -> dict[uuid.UUID, str]:
    """The customers related to ``customer_id`` one hop away (either direction, deleted ones left out) -> the
    relation type (the first by name when several link them): hand-entered relations, and every live customer
    holding one of its key values, whatever the group's size. No permission check: for other plugins' reactions
    (hook ``customers_related``)."""
    types: dict[uuid.UUID, set[str]] = {}
    for rel in relations_of(session, [customer_id]):
        other = rel.to_customer_id if rel.from_customer_id == customer_id else rel.from_customer_id
        if other != customer_id:
            types.setdefault(other, set()).add(rel.relation_type)
    if not types:
        return {}
    alive = set()
    for part in _chunks(list(types)):
        alive.update(session.scalars(select(Customer.id).where(Customer.id.in_(part), Customer.deleted_at.is_(None))))
    return {k: min(v) for k, v in types.items() if k in alive}


def related_to_many(session: Session, customer_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, dict[uuid.UUID, str]]:
    """:func:`related_to` for many customers at once (hook ``customers_related_many``): the relations of all of them
    read together (:func:`relations_of`), then one query for which of the others are live; customers without a
    live relation left out."""
    ids = list(dict.fromkeys(customer_ids))
    wanted = set(ids)
    types: dict[uuid.UUID, dict[uuid.UUID, set[str]]] = {}
    for rel in relations_of(session, ids):
        for me, other in ((rel.from_customer_id, rel.to_customer_id), (rel.to_customer_id, rel.from_customer_id)):
            if me in wanted and other != me:
                types.setdefault(me, {}).setdefault(other, set()).add(rel.relation_type)
    others = list({o for found in types.values() for o in found})
    alive: set[uuid.UUID] = set()
    for part in _chunks(others):
        alive.update(session.scalars(select(Customer.id).where(Customer.id.in_(part), Customer.deleted_at.is_(None))))
    out = {me: {o: min(v) for o, v in found.items() if o in alive} for me, found in types.items()}
    return {me: found for me, found in out.items() if found}


@dataclass
class SharedGroup:
    """A key value held by more than GROUP_EDGES_MAX live customers, shown as one node of the graph instead of
    pairwise edges. ``member_ids``: the graph's customers holding it; ``sample``: its first GROUP_SAMPLE holders by
    name. A person group is walked (its holders are nodes of the graph); a phone or address group is not."""

    kind: str
    member_count: int
    member_ids: list[uuid.UUID] = field(default_factory=list)
    sample: list[Customer] = field(default_factory=list)

    @property
    def walked(self) -> bool:
        return self.kind not in CONTACT_GROUPS

    @property
    def label(self) -> str:
        return f"{GROUP_LABELS[self.kind]} ({self.member_count} 位客户)"


@dataclass
class Graph:
    root_id: uuid.UUID
    nodes: list[Customer] = field(default_factory=list)
    #: Hand-entered ``CustomerRelation`` rows and derived ``Edge``s (same attributes).
    edges: list = field(default_factory=list)
    depth_of: dict[uuid.UUID, int] = field(default_factory=dict)
    truncated: bool = False
    groups: list[SharedGroup] = field(default_factory=list)


def _hop(session: Session, frontier: list[uuid.UUID], hubs: dict[tuple[str, str], SharedGroup],
         holders_of: dict[tuple[str, str], set[uuid.UUID]]) -> tuple[list, list[uuid.UUID]]:
    """One step of the walk: the edges touching ``frontier`` (hand-entered rows; pairs derived from the groups of
    at most GROUP_EDGES_MAX members; the directed person edges of larger groups) and the holders of the larger
    person groups it reaches (walked without pairwise edges). Larger groups are recorded in ``hubs``, the customers
    seen holding them in ``holders_of``."""
    edges: list = []
    for part in _chunks(frontier):
        edges += session.scalars(select(CustomerRelation).where(CustomerRelation.source == MANUAL, or_(
            CustomerRelation.from_customer_id.in_(part), CustomerRelation.to_customer_id.in_(part)))).all()
    mine = _keys_of(session, frontier)
    if not mine:
        return edges, []
    held_keys = {(GROUP_OF[m.kind], m.value) for m in mine}
    # Only the groups the frontier is in (an address and a person's name share the blind index's "name" domain).
    sizes = {k: n for k, n in group_sizes(session, {m.value for m in mine}).items() if k in held_keys}
    small = {k for k, n in sizes.items() if n <= GROUP_EDGES_MAX}
    walked_hubs = {k for k, n in sizes.items() if n > GROUP_EDGES_MAX and k[0] not in CONTACT_GROUPS}
    for k, n in sizes.items():
        if n > GROUP_EDGES_MAX and k not in hubs:
            hubs[k] = SharedGroup(k[0], n)
    held: dict[tuple[str, str], list] = {}
    for h in _holders(session, {v for _, v in small}):
        held.setdefault((GROUP_OF[h.kind], h.value), []).append((h.customer_id, h.kind))
    for k, rows in _first_holders(session, walked_hubs, MAX_NODES).items():
        held[k] = rows
    reached: list[uuid.UUID] = []
    for a in mine:
        k = (GROUP_OF[a.kind], a.value)
        if k in hubs:
            holders_of.setdefault(k, set()).add(a.customer_id)
        if k not in small and k not in walked_hubs:
            continue
        for b_id, b_kind in held.get(k, ()):
            pairs = derive(a.customer_id, a.kind, b_id, b_kind)
            edges += [e for e, directed in pairs if k in small or directed]
            if pairs and k in walked_hubs:
                holders_of[k].add(b_id)
                reached.append(b_id)
    return edges, reached


def graph(session: Session, actor: Actor, customer_id: uuid.UUID, depth: int = 2) -> Graph:
    """Customers reachable from ``customer_id`` within ``depth`` hops (either direction), the edges among them and
    the large groups they hold. Needs customers:relation:read and the root customer in the actor's scope; related
    customers are shown whoever manages them (a risk view), at most MAX_NODES.

    A group of more than GROUP_EDGES_MAX customers sharing a phone, an address or a person is one ``SharedGroup``
    (count and first members by name), not up to n(n-1)/2 edges; a phone or address group is not walked further."""
    from surety.plugins.customers.records import get_customer

    require(session, actor, RELATION, "read")
    if not 0 <= depth <= MAX_DEPTH:
        raise ValidationFailed("depth is between 0 and {max_depth}.", field="depth", max_depth=MAX_DEPTH)
    root = get_customer(session, actor, customer_id)
    seen = {root.id: 0}
    edges: dict[uuid.UUID, object] = {}
    hubs: dict[tuple[str, str], SharedGroup] = {}
    holders_of: dict[tuple[str, str], set[uuid.UUID]] = {}
    frontier, truncated = [root.id], False
    for level in range(1, depth + 1):
        if not frontier:
            break
        found, reached = _hop(session, frontier, hubs, holders_of)
        nxt = []
        for node in [n for e in found for n in (e.from_customer_id, e.to_customer_id)] + reached:
            if node not in seen:
                if len(seen) >= MAX_NODES:
                    truncated = True
                    continue
                seen[node] = level
                nxt.append(node)
        for e in found:
            edges[e.id] = e
        frontier = nxt
    samples = _first_holders(session, hubs, GROUP_SAMPLE)
    wanted = set(seen) | {cid for rows in samples.values() for cid, _ in rows}
    loaded: dict[uuid.UUID, Customer] = {}
    for part in _chunks(list(wanted)):
        loaded.update((c.id, c) for c in session.scalars(select(Customer).where(Customer.id.in_(part),
                                                                                 Customer.deleted_at.is_(None))))
    nodes = [c for i, c in loaded.items() if i in seen]
    alive = {n.id for n in nodes}
    kept = [e for e in edges.values() if e.from_customer_id in alive and e.to_customer_id in alive]
    nodes.sort(key=lambda c: (seen[c.id], c.name_norm))
    kept.sort(key=lambda e: (str(e.from_customer_id), str(e.to_customer_id), e.relation_type))
    order = {c.id: n for n, c in enumerate(nodes)}
    groups = []
    for k in sorted(hubs, key=lambda k: (-hubs[k].member_count, k[0], k[1])):
        hub = hubs[k]
        hub.member_ids = sorted((i for i in holders_of.get(k, ()) if i in alive), key=order.__getitem__)
        hub.sample = [loaded[cid] for cid in dict.fromkeys(cid for cid, _ in samples.get(k, ())) if cid in loaded]
        groups.append(hub)
    return Graph(root.id, nodes, kept, {k: d for k, d in seen.items() if k in alive}, truncated, groups)


@dataclass
class GroupExposure:
    root_id: uuid.UUID
    members: list[Customer]
    by_customer: dict[uuid.UUID, Decimal]
    by_plugin: dict[str, Decimal]
    total: Decimal


def group_exposure(session: Session, actor: Actor, customer_id: uuid.UUID, depth: int = 2) -> GroupExposure:
    """The related group of a customer (its graph to ``depth``) and the exposure every enabled plugin reports for
    its members through ``customers_exposure``, summed per customer and in total (Decimal, yuan)."""
    g = graph(session, actor, customer_id, depth)
    ids = [c.id for c in g.nodes]
    by_customer = {i: Decimal("0.00") for i in ids}
    by_plugin: dict[str, Decimal] = {}
    for key, amounts in customers_door.exposure(session, ids).items():
        for cid, amount in amounts.items():
            by_customer[cid] += amount
            by_plugin[key] = by_plugin.get(key, Decimal("0.00")) + amount
    total = sum(by_customer.values(), Decimal("0.00"))
    return GroupExposure(g.root_id, g.nodes, by_customer, by_plugin, total)
