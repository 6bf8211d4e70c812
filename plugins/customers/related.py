"""Related parties: detected from shared key fields (kept as blind indexes in ``customers_keys``), entered by hand,
walked as a graph, and summed into a group exposure through the ``customers_exposure`` hook."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from surety.core.audit.log import audit
from surety.core.authz.check import require
from surety.core.context import Actor
from surety.core.crypto.blind_index import blind_index
from surety.core.errors import NotFound, ValidationFailed
from surety.core.events import enabled_plugins, raise_event

from surety.plugins.customers.events import CustomerRelationAdded
from surety.plugins.customers.models import Customer, CustomerKey, CustomerRelation
from surety.plugins.customers.permissions import RELATION

AUTO, MANUAL = "auto", "manual"
MANUAL_TYPES = ("spouse", "shareholder", "actual_controller", "guarantor", "same_group")
#: Auto relation for two customers sharing a key value, by their key kinds (first customer's kind, second's).
#: Directed types point from the first to the second; the others are stored lowest id first.
AUTO_TYPES: dict[tuple[str, str], tuple[str, bool]] = {
    ("id_number", "legal_rep"): ("legal_representative", True),
    ("id_number", "shareholder"): ("shareholder", True),
    ("legal_rep", "legal_rep"): ("common_legal_representative", False),
    ("shareholder", "shareholder"): ("common_shareholder", False),
    ("legal_rep", "shareholder"): ("shared_person", False),
    ("phone", "phone"): ("same_phone", False),
    ("address", "address"): ("same_address", False),
}
MAX_DEPTH = 5
MAX_NODES = 500
CHUNK = 500


def _chunks(values: list, size: int = CHUNK):
    for i in range(0, len(values), size):
        yield values[i:i + size]


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


def refresh_keys_and_relations(session: Session, customer: Customer, shareholders: list[dict] | None,
                               actor: Actor | None) -> None:
    """Rewrite the customer's key rows and re-detect its auto relations."""
    from surety.plugins.customers.records import tenant_of

    tenant = tenant_of(session)
    session.flush()
    keep = []
    if shareholders is None:
        keep = [CustomerKey(customer_id=k.customer_id, kind=k.kind, value=k.value, label=k.label)
                for k in session.scalars(select(CustomerKey).where(CustomerKey.customer_id == customer.id,
                                                                   CustomerKey.kind == "shareholder"))]
    session.execute(delete(CustomerKey).where(CustomerKey.customer_id == customer.id))
    session.add_all(keys_for(tenant, customer, shareholders) + keep)
    session.flush()
    detect(session, [customer.id], actor)


def detect(session: Session, customer_ids: list[uuid.UUID], actor: Actor | None) -> int:
    """Re-detect the auto relations of ``customer_ids`` from the key table (set-based: one pass over the keys
    they share with anyone). Returns the number of auto edges now touching them."""
    ids = set(customer_ids)
    for part in _chunks(list(ids)):
        session.execute(delete(CustomerRelation).where(
            CustomerRelation.source == AUTO,
            or_(CustomerRelation.from_customer_id.in_(part), CustomerRelation.to_customer_id.in_(part))))
    mine = []
    for part in _chunks(list(ids)):
        mine += session.execute(select(CustomerKey.customer_id, CustomerKey.kind, CustomerKey.value)
                                .where(CustomerKey.customer_id.in_(part))).all()
    values = sorted({m.value for m in mine})
    others = []
    for part in _chunks(values):
        others += session.execute(
            select(CustomerKey.customer_id, CustomerKey.kind, CustomerKey.value)
            .join(Customer, Customer.id == CustomerKey.customer_id)
            .where(CustomerKey.value.in_(part), Customer.deleted_at.is_(None))).all()
    by_value: dict[str, list] = {}
    for row in others:
        by_value.setdefault(row.value, []).append(row)
    edges: dict[tuple, CustomerRelation] = {}
    for a in mine:
        for b in by_value.get(a.value, ()):
            if a.customer_id == b.customer_id:
                continue
            for first, second in ((a, b), (b, a)):
                spec = AUTO_TYPES.get((first.kind, second.kind))
                if spec is None:
                    continue
                rel_type, directed = spec
                src, dst = first.customer_id, second.customer_id
                if not directed and str(src) > str(dst):
                    src, dst = dst, src
                key = (src, dst, rel_type)
                if key not in edges:
                    edges[key] = CustomerRelation(from_customer_id=src, to_customer_id=dst, relation_type=rel_type,
                                                  source=AUTO, note=f"shared {first.kind}/{second.kind}",
                                                  created_by=actor.subject if actor and actor.id else None)
    session.add_all(edges.values())
    session.flush()
    return len(edges)


def add_relation(session: Session, actor: Actor, from_id: uuid.UUID, to_id: uuid.UUID, relation_type: str,
                 note: str | None = None) -> CustomerRelation:
    """Enter a relation by hand (needs customers:relation:manage and the first customer in scope)."""
    from surety.plugins.customers.records import get_customer

    require(session, actor, RELATION, "manage")
    if relation_type not in MANUAL_TYPES:
        raise ValidationFailed(f"A relation is one of {', '.join(MANUAL_TYPES)}.", field="relation_type")
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
    """Remove a hand-entered relation (auto relations follow the data and cannot be removed)."""
    require(session, actor, RELATION, "manage")
    rel = session.scalar(select(CustomerRelation).where(CustomerRelation.id == relation_id))
    if rel is None:
        raise NotFound("No relation with that id.", field="id")
    if rel.source != MANUAL:
        raise ValidationFailed("Detected relations follow the customers' data; change the data instead.",
                               field="id")
    session.delete(rel)
    audit(session, "customers.relation.removed", entity_type="customers:relation", entity_id=relation_id,
          before={"from": str(rel.from_customer_id), "to": str(rel.to_customer_id), "type": rel.relation_type},
          actor=actor)


@dataclass
class Graph:
    root_id: uuid.UUID
    nodes: list[Customer] = field(default_factory=list)
    edges: list[CustomerRelation] = field(default_factory=list)
    depth_of: dict[uuid.UUID, int] = field(default_factory=dict)
    truncated: bool = False


def related_to(session: Session, customer_id: uuid.UUID) -> dict[uuid.UUID, str]:
    """The customers related to ``customer_id`` one hop away (either direction, deleted ones left out) -> the
    relation type (the first by name when several link them). No permission check: for other plugins' reactions
    (hook ``customers_related``)."""
    found: dict[uuid.UUID, str] = {}
    for rel in session.scalars(select(CustomerRelation).where(or_(
            CustomerRelation.from_customer_id == customer_id, CustomerRelation.to_customer_id == customer_id))
            .order_by(CustomerRelation.relation_type, CustomerRelation.id)):
        other = rel.to_customer_id if rel.from_customer_id == customer_id else rel.from_customer_id
        if other != customer_id:
            found.setdefault(other, rel.relation_type)
    if not found:
        return found
    alive = set(session.scalars(select(Customer.id).where(Customer.id.in_(list(found)), Customer.deleted_at.is_(None))))
    return {k: v for k, v in found.items() if k in alive}


def graph(session: Session, actor: Actor, customer_id: uuid.UUID, depth: int = 2) -> Graph:
    """Customers reachable from ``customer_id`` within ``depth`` hops (either direction), and the edges among
    them. Needs customers:relation:read and the root customer in the actor's scope; related customers are shown
    whoever manages them (a risk view), at most MAX_NODES."""
    from surety.plugins.customers.records import get_customer

    require(session, actor, RELATION, "read")
    if not 0 <= depth <= MAX_DEPTH:
        raise ValidationFailed(f"depth is between 0 and {MAX_DEPTH}.", field="depth")
    root = get_customer(session, actor, customer_id)
    seen = {root.id: 0}
    edges: dict[uuid.UUID, CustomerRelation] = {}
    frontier, truncated = [root.id], False
    for level in range(1, depth + 1):
        if not frontier:
            break
        found = []
        for part in _chunks(frontier):
            found += session.scalars(select(CustomerRelation).where(or_(
                CustomerRelation.from_customer_id.in_(part), CustomerRelation.to_customer_id.in_(part)))).all()
        nxt = []
        for rel in found:
            edges[rel.id] = rel
            for node in (rel.from_customer_id, rel.to_customer_id):
                if node not in seen:
                    if len(seen) >= MAX_NODES:
                        truncated = True
                        continue
                    seen[node] = level
                    nxt.append(node)
        frontier = nxt
    nodes = []
    for part in _chunks(list(seen)):
        nodes += session.scalars(select(Customer).where(Customer.id.in_(part), Customer.deleted_at.is_(None))).all()
    alive = {n.id for n in nodes}
    kept = [e for e in edges.values() if e.from_customer_id in alive and e.to_customer_id in alive]
    nodes.sort(key=lambda c: (seen[c.id], c.name_norm))
    kept.sort(key=lambda e: (str(e.from_customer_id), str(e.to_customer_id), e.relation_type))
    return Graph(root.id, nodes, kept, {k: d for k, d in seen.items() if k in alive}, truncated)


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
    from surety.core.plugins import get_registry

    from surety.plugins.customers.records import tenant_of

    g = graph(session, actor, customer_id, depth)
    ids = [c.id for c in g.nodes]
    by_customer = {i: Decimal("0.00") for i in ids}
    by_plugin: dict[str, Decimal] = {}
    registry = get_registry()
    for key in enabled_plugins(session, tenant_of(session)):
        if key == "core":
            continue
        for result in registry.hook_for("customers_exposure", [key])(session=session, customer_ids=list(ids)):
            for cid, amount in (result or {}).items():
                if cid in by_customer:
                    amount = Decimal(amount)
                    by_customer[cid] += amount
                    by_plugin[key] = by_plugin.get(key, Decimal("0.00")) + amount
    total = sum(by_customer.values(), Decimal("0.00"))
    return GroupExposure(g.root_id, g.nodes, by_customer, by_plugin, total)
