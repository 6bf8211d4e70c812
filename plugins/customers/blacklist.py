"""Blacklist and watchlist: entries with reason and source, requested by one person and approved by another; the
``customers_screen`` hook refuses new business for a blacklisted customer and flags a watchlisted one."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from surety.core.audit.log import audit
from surety.core.authz.check import require
from surety.core.context import Actor
from surety.core.db.types import utcnow
from surety.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from surety.core.events import raise_event
from surety.core.i18n import N_
from surety.core.ports import customers as customers_door

from surety.plugins.customers.errors import CustomerBlacklisted
from surety.plugins.customers.events import CustomerBlacklisted as CustomerBlacklistedEvent
from surety.plugins.customers.events import CustomerListEntryRemoved
from surety.plugins.customers.models import Customer, CustomerListEntry
from surety.plugins.customers.permissions import BLACKLIST

BLACK, WATCH = "blacklist", "watchlist"
LIST_TYPES = (BLACK, WATCH)
PENDING, ACTIVE, REJECTED, REMOVED = "pending", "active", "rejected", "removed"
ENTITY = "customers:list_entry"
#: Why an entry cannot be decided (it is no longer pending) or removed (it is closed), by its status.
NOT_PENDING = {ACTIVE: N_("The entry is active, not pending."), REJECTED: N_("The entry is rejected, not pending."),
               REMOVED: N_("The entry is removed, not pending.")}
ALREADY_CLOSED = {REJECTED: N_("The entry is already rejected."), REMOVED: N_("The entry is already removed.")}


def _entry(session: Session, entry_id: uuid.UUID) -> CustomerListEntry:
    entry = session.scalar(select(CustomerListEntry).where(CustomerListEntry.id == entry_id))
    if entry is None:
        raise NotFound("No blacklist or watchlist entry with that id.", field="id")
    return entry


def _image(e: CustomerListEntry) -> dict:
    return {"customer_id": str(e.customer_id), "list_type": e.list_type, "status": e.status, "source": e.source}


def request_entry(session: Session, actor: Actor, customer_id: uuid.UUID, list_type: str, reason: str,
                  source: str) -> CustomerListEntry:
    """Ask for a customer to be put on the blacklist or watchlist (pending until approved by someone else)."""
    require(session, actor, BLACKLIST, "manage")
    if list_type not in LIST_TYPES:
        raise ValidationFailed("A list is one of {list_types}.", field="list_type", list_types=", ".join(LIST_TYPES))
    reason, source = " ".join((reason or "").split()), " ".join((source or "").split())
    if not reason:
        raise ValidationFailed("Give the reason for the entry.", field="reason")
    if len(reason) > 1000:
        raise ValidationFailed("A reason is at most 1000 characters.", field="reason")
    if not source:
        raise ValidationFailed("Give the source of the information (e.g. court records, internal review).",
                               field="source")
    if len(source) > 200:
        raise ValidationFailed("A source is at most 200 characters.", field="source")
    if session.scalar(select(Customer.id).where(Customer.id == customer_id, Customer.deleted_at.is_(None))) is None:
        raise NotFound("No customer with that id.", field="customer_id")
    open_entry = session.scalar(select(CustomerListEntry.id).where(
        CustomerListEntry.customer_id == customer_id, CustomerListEntry.list_type == list_type,
        CustomerListEntry.status.in_([PENDING, ACTIVE])))
    if open_entry is not None:
        raise Conflict("The customer already has a pending or active blacklist entry." if list_type == BLACK
                       else "The customer already has a pending or active watchlist entry.", field="customer_id")
    entry = CustomerListEntry(customer_id=customer_id, list_type=list_type, reason=reason, source=source,
                              status=PENDING, requested_by=actor.subject)
    session.add(entry)
    session.flush()
    audit(session, "customers.list_entry.requested", entity_type=ENTITY, entity_id=entry.id, after=_image(entry),
          actor=actor)
    return entry


def decide_entry(session: Session, actor: Actor, entry_id: uuid.UUID, approve: bool) -> CustomerListEntry:
    """Approve (the entry becomes active) or reject a pending entry; the requester cannot decide their own."""
    require(session, actor, BLACKLIST, "approve")
    entry = _entry(session, entry_id)
    if entry.status != PENDING:
        raise Conflict(NOT_PENDING.get(entry.status, N_("The entry is not pending.")), field="id")
    if entry.requested_by == actor.subject:
        raise PermissionDenied("An entry must be approved or rejected by someone other than its requester.",
                               field="id")
    before = _image(entry)
    entry.status = ACTIVE if approve else REJECTED
    entry.decided_by, entry.decided_at = actor.subject, utcnow()
    session.flush()
    audit(session, f"customers.list_entry.{'approved' if approve else 'rejected'}", entity_type=ENTITY,
          entity_id=entry.id, before=before, after=_image(entry), actor=actor)
    if approve:
        raise_event(session, CustomerBlacklistedEvent(customer_id=entry.customer_id, entry_id=entry.id,
                                                      list_type=entry.list_type))
    return entry


def remove_entry(session: Session, actor: Actor, entry_id: uuid.UUID, reason: str) -> CustomerListEntry:
    """Take a customer off a list (the entry is kept as removed)."""
    require(session, actor, BLACKLIST, "manage")
    entry = _entry(session, entry_id)
    if entry.status not in (ACTIVE, PENDING):
        raise Conflict(ALREADY_CLOSED.get(entry.status, N_("The entry is already closed.")), field="id")
    if not (reason or "").strip():
        raise ValidationFailed("Give the reason for removing the entry.", field="reason")
    before = _image(entry)
    entry.status, entry.removed_by, entry.removed_at = REMOVED, actor.subject, utcnow()
    session.flush()
    audit(session, "customers.list_entry.removed", entity_type=ENTITY, entity_id=entry.id, before=before,
          after={**_image(entry), "removal_reason": reason.strip()[:500]}, actor=actor)
    raise_event(session, CustomerListEntryRemoved(customer_id=entry.customer_id, entry_id=entry.id,
                                                  list_type=entry.list_type))
    return entry


def list_entries(session: Session, actor: Actor, *, customer_id: uuid.UUID | None = None,
                 status: str | None = None, list_type: str | None = None) -> list[CustomerListEntry]:
    require(session, actor, BLACKLIST, "read")
    stmt = select(CustomerListEntry)
    if customer_id is not None:
        stmt = stmt.where(CustomerListEntry.customer_id == customer_id)
    if status:
        stmt = stmt.where(CustomerListEntry.status == status)
    if list_type:
        stmt = stmt.where(CustomerListEntry.list_type == list_type)
    return list(session.scalars(stmt.order_by(CustomerListEntry.created_at.desc(), CustomerListEntry.id)))


def screen(session: Session, customer_id: uuid.UUID, business: str) -> list[str]:
    """The customers plugin's own ``customers_screen``: refuse a blacklisted customer, flag a watchlisted one."""
    active = session.scalars(select(CustomerListEntry).where(CustomerListEntry.customer_id == customer_id,
                                                             CustomerListEntry.status == ACTIVE)).all()
    for entry in active:
        if entry.list_type == BLACK:
            raise CustomerBlacklisted(
                "The customer is blacklisted ({reason}; source: {source}): new business {business!r} is refused.",
                field="customer_id", entry_id=str(entry.id), reason=entry.reason, source=entry.source,
                business=business)
    return [WATCH] if any(e.list_type == WATCH for e in active) else []


def screen_customer(session: Session, customer_id: uuid.UUID, business: str) -> list[str]:
    """Call ``customers_screen`` of every plugin enabled for the tenant; the flags of all of them, or the first
    refusal raised (the door's :func:`surety.core.ports.customers.screen`)."""
    return customers_door.screen(session, customer_id, business)
