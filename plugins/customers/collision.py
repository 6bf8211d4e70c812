"""Collision (撞单): a customer already being worked by another manager within the tenant's window is flagged or
refused, per the tenant's setting; and the plugin's tenant settings."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from surety.core.audit.log import audit
from surety.core.authz.check import require
from surety.core.context import Actor
from surety.core.db.types import utcnow
from surety.core.errors import NotFound, ValidationFailed
from surety.core.events import raise_event
from surety.core.i18n import N_

from surety.plugins.customers.errors import CustomerCollision
from surety.plugins.customers.events import CustomerCollisionFlagged
from surety.plugins.customers.models import (
    COLLISION_BLOCK,
    COLLISION_FLAG,
    Customer,
    CustomerEngagement,
    CustomerSettings,
)
from surety.plugins.customers.permissions import CUSTOMER, SETTINGS

MODES = (COLLISION_FLAG, COLLISION_BLOCK)
MAX_WINDOW_DAYS = 3650


def get_settings(session: Session) -> CustomerSettings:
    """The tenant's settings row (created with defaults on first use)."""
    row = session.scalar(select(CustomerSettings))
    if row is None:
        row = CustomerSettings(collision_window_days=90, collision_mode=COLLISION_FLAG)
        session.add(row)
        session.flush()
    return row


def update_settings(session: Session, actor: Actor, *, collision_window_days: int | None = None,
                    collision_mode: str | None = None) -> CustomerSettings:
    require(session, actor, SETTINGS, "manage")
    row = get_settings(session)
    before = {"collision_window_days": row.collision_window_days, "collision_mode": row.collision_mode}
    if collision_window_days is not None:
        if not 0 <= collision_window_days <= MAX_WINDOW_DAYS:
            raise ValidationFailed("The collision window is 0 to {max_days} days.", field="collision_window_days",
                                   max_days=MAX_WINDOW_DAYS)
        row.collision_window_days = collision_window_days
    if collision_mode is not None:
        if collision_mode not in MODES:
            raise ValidationFailed("The collision mode is one of {modes}.", field="collision_mode",
                                   modes=", ".join(MODES))
        row.collision_mode = collision_mode
    session.flush()
    audit(session, "customers.settings.updated", entity_type="customers:settings", entity_id=row.id, before=before,
          after={"collision_window_days": row.collision_window_days, "collision_mode": row.collision_mode},
          actor=actor)
    return row


def record_engagement(session: Session, customer: Customer, actor: Actor | None, business: str, *,
                      user_id: uuid.UUID | None = None, org_unit_id: uuid.UUID | None = None,
                      collision: bool = False) -> CustomerEngagement:
    row = CustomerEngagement(customer_id=customer.id, business=business[:100], collision=collision,
                             user_id=user_id or (actor.id_uuid if actor is not None and actor.type == "user" else None),
                             org_unit_id=org_unit_id or (actor.org_unit_id if actor is not None else None))
    session.add(row)
    return row


@dataclass(frozen=True)
class Collision:
    user_id: uuid.UUID | None
    org_unit_id: uuid.UUID | None
    business: str
    engaged_at: dt.datetime


@dataclass(frozen=True)
class EngagementResult:
    engagement: CustomerEngagement
    collisions: list[Collision]
    flags: list[str]

    @property
    def collided(self) -> bool:
        return bool(self.collisions)


def collisions(session: Session, customer_id: uuid.UUID, actor: Actor, *, now: dt.datetime | None = None
               ) -> list[Collision]:
    """Work on the customer by other managers within the tenant's window (most recent first)."""
    settings = get_settings(session)
    since = (now or utcnow()) - dt.timedelta(days=settings.collision_window_days)
    me = actor.id_uuid if actor.type == "user" else None
    rows = session.scalars(select(CustomerEngagement).where(
        CustomerEngagement.customer_id == customer_id, CustomerEngagement.engaged_at >= since,
        CustomerEngagement.user_id.is_not(None)).order_by(CustomerEngagement.engaged_at.desc())).all()
    out, seen = [], set()
    for r in rows:
        if r.user_id == me or r.user_id in seen:
            continue
        seen.add(r.user_id)
        out.append(Collision(r.user_id, r.org_unit_id, r.business, r.engaged_at))
    return out


#: The refusal of a collision (mode ``block``), by (the other manager's username known?, their org unit known?).
COLLIDED = {
    (True, True): N_("Collision: the customer is already being worked by {user} ({unit}) since {since} (within "
                     "{days} days)."),
    (True, False): N_("Collision: the customer is already being worked by {user} since {since} (within {days} "
                      "days)."),
    (False, True): N_("Collision: the customer is already being worked by another manager ({unit}) since {since} "
                      "(within {days} days)."),
    (False, False): N_("Collision: the customer is already being worked by another manager since {since} (within "
                       "{days} days)."),
}


def _who(session: Session, c: Collision) -> tuple[str | None, str | None]:
    """The other manager's username and org unit name (None when unknown)."""
    from surety.core.identity.models import OrgUnit, User

    user = session.scalar(select(User.username).where(User.id == c.user_id)) if c.user_id else None
    unit = session.scalar(select(OrgUnit.name).where(OrgUnit.id == c.org_unit_id)) if c.org_unit_id else None
    return user, unit


def engage_customer(session: Session, actor: Actor, customer_id: uuid.UUID, business: str) -> EngagementResult:
    """Record that ``actor`` starts work (``business``) on a customer found in the pool. When another manager
    worked it within the window: mode ``block`` refuses with CUSTOMER_COLLISION naming them; mode ``flag`` records
    the work flagged and raises CustomerCollisionFlagged. Blacklisted customers are refused first
    (``customers_screen``); watchlist flags are returned."""
    from surety.plugins.customers.blacklist import screen_customer

    require(session, actor, CUSTOMER, "update")
    business = " ".join((business or "").split())
    if not business:
        raise ValidationFailed("Name the business being started.", field="business")
    customer = session.scalar(select(Customer).where(Customer.id == customer_id, Customer.deleted_at.is_(None)))
    if customer is None:
        raise NotFound("No customer with that id.", field="customer_id")
    flags = screen_customer(session, customer.id, business)
    found = collisions(session, customer.id, actor)
    settings = get_settings(session)
    if found and settings.collision_mode == COLLISION_BLOCK:
        c = found[0]
        user, unit = _who(session, c)
        raise CustomerCollision(COLLIDED[bool(user), bool(unit)], field="customer_id", user=user, unit=unit,
                                since=c.engaged_at.date().isoformat(), days=settings.collision_window_days)
    row = record_engagement(session, customer, actor, business, collision=bool(found))
    session.flush()
    if found:
        flags = flags + ["collision"]
        raise_event(session, CustomerCollisionFlagged(customer_id=customer.id, user_id=actor.id_uuid,
                                                      other_user_id=found[0].user_id, business=business))
    audit(session, "customers.customer.engaged", entity_type="customers:customer", entity_id=customer.id,
          after={"business": business, "collision": bool(found)}, actor=actor)
    return EngagementResult(row, found, flags)

