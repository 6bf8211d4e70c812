"""Customer search: name prefix and contains (on the normalised name), exact ID number or credit code and phone
(through blind indexes), tag, manager, org unit, industry, region, a custom choice field's value; always within the
actor's data scope."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import Select, and_, select
from sqlalchemy.orm import Session

from surety.core.authz.check import require
from surety.core.authz.scopes import apply_scope
from surety.core.context import Actor
from surety.core.crypto.blind_index import blind_index
from surety.core.custom_fields.service import matching
from surety.core.errors import ValidationFailed

from surety.plugins.customers.custom_fields import CORPORATE, INDIVIDUAL
from surety.plugins.customers.models import KINDS, Customer, CustomerTag
from surety.plugins.customers.permissions import CUSTOMER
from surety.plugins.customers.validators import normalise_name

ORDERS = {
    "name": lambda: [Customer.name_norm, Customer.id],
    "created": lambda: [Customer.created_at, Customer.id],
    "updated": lambda: [Customer.updated_at, Customer.id],
}


def prefix_match(column, prefix: str):
    """``column`` starts with ``prefix``, as a range ``prefix <= column < successor``.

    Not ``LIKE 'prefix%'``: under row-level security PostgreSQL may not evaluate a non-leakproof operator (LIKE's
    ``textlike``) before the policy, so it cannot use it as an index condition and scans the tenant's rows; the
    comparison operators are leakproof and the (binary-collated) index serves the range. Binary order (PostgreSQL
    "C", SQLite BINARY) is code-point order for UTF-8, so the successor is the prefix with its last character
    incremented.
    """
    if prefix and ord(prefix[-1]) < 0x10FFFF:
        return and_(column >= prefix, column < prefix[:-1] + chr(ord(prefix[-1]) + 1))
    return column.startswith(prefix, autoescape=True)


@dataclass
class CustomerFilter:
    name_prefix: str | None = None
    name_contains: str | None = None
    id_number: str | None = None  # ID card number or credit code, exact
    phone: str | None = None
    tag: str | None = None
    owner_id: uuid.UUID | None = None
    org_unit_id: uuid.UUID | None = None
    industry: str | None = None
    region: str | None = None
    kind: str | None = None
    #: ``(key, value)``: a custom choice or multi-choice field holding the value exactly.
    custom_field: tuple[str, str] | None = None


def search_statement(session: Session, actor: Actor, f: CustomerFilter | None = None) -> Select:
    """A SELECT of the customers matching ``f`` that the actor may see (needs customers:customer:read)."""
    from surety.plugins.customers.records import tenant_of

    require(session, actor, CUSTOMER, "read")
    f = f or CustomerFilter()
    stmt = select(Customer).where(Customer.deleted_at.is_(None))
    if f.name_prefix:
        stmt = stmt.where(prefix_match(Customer.name_norm, normalise_name(f.name_prefix)))
    if f.name_contains:
        stmt = stmt.where(Customer.name_norm.contains(normalise_name(f.name_contains), autoescape=True))
    if f.id_number:
        stmt = stmt.where(Customer.id_number_bidx == blind_index(tenant_of(session), f.id_number, "id_number"))
    if f.phone:
        stmt = stmt.where(Customer.phone_bidx == blind_index(tenant_of(session), f.phone, "phone"))
    if f.tag:
        stmt = stmt.where(Customer.id.in_(select(CustomerTag.customer_id).where(CustomerTag.tag == f.tag.strip())))
    if f.owner_id:
        stmt = stmt.where(Customer.owner_id == f.owner_id)
    if f.org_unit_id:
        stmt = stmt.where(Customer.org_unit_id == f.org_unit_id)
    if f.industry:
        industry = f.industry.strip().upper()
        stmt = stmt.where(prefix_match(Customer.industry, industry))
    if f.region:
        stmt = stmt.where(Customer.region == f.region.strip())
    if f.kind:
        if f.kind not in KINDS:
            raise ValidationFailed("A customer kind is one of {kinds}.", field="kind", kinds=", ".join(KINDS))
        stmt = stmt.where(Customer.kind == f.kind)
    if f.custom_field:
        key, value = f.custom_field
        stmt = stmt.where(Customer.id.in_(matching((INDIVIDUAL, CORPORATE), key, value)))
    return apply_scope(stmt, Customer, session, actor)


def order_columns(order: str = "name") -> list:
    try:
        return ORDERS[order]()
    except KeyError:
        raise ValidationFailed("Order by one of {orders}.", field="order_by", orders=", ".join(ORDERS)) from None


def search_customers(session: Session, actor: Actor, f: CustomerFilter | None = None, *, order: str = "name",
                     descending: bool = False, limit: int = 50) -> list[Customer]:
    """The first ``limit`` matches in order (GraphQL pages further with keyset cursors)."""
    cols = order_columns(order)
    stmt = search_statement(session, actor, f).order_by(*[c.desc() if descending else c.asc() for c in cols])
    return list(session.scalars(stmt.limit(limit)))
