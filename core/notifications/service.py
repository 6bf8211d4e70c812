"""The in-app inbox and delivery through further channels.

:func:`notify` writes one inbox row per recipient, in the caller's transaction, and a pending delivery for each
channel the tenant has (core's SMTP email when configured, plus every ``surety_notification_channels`` of the
tenant's enabled plugins). :func:`deliver_pending` sends them later (``surety notifications deliver``, the day-end
batch), so a slow mail server never holds a business transaction open, and a failed send is retried.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping

import structlog
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from surety.core.context import Actor
from surety.core.db.session import session_tenant
from surety.core.db.types import utcnow
from surety.core.errors import NotFound
from surety.core.events import enabled_plugins
from surety.core.hookspecs import NotificationChannel, OutgoingNotification
from surety.core.i18n import DEFAULT_LOCALE, translate
from surety.core.identity.models import User
from surety.core.notifications.models import (
    DELIVERY_FAILED,
    DELIVERY_PENDING,
    DELIVERY_SENT,
    Notification,
    NotificationDelivery,
)
from surety.core.plugins import get_registry

log = structlog.get_logger(__name__)
MAX_ATTEMPTS = 5
#: The language notifications are written in.
NOTIFICATION_LOCALE = DEFAULT_LOCALE

TASK_ASSIGNED = "task_assigned"
TASK_RETURNED = "task_returned"
TASK_DUE_SOON = "task_due_soon"
TASK_OVERDUE = "task_overdue"
TASK_ESCALATED = "task_escalated"
INSTANCE_DECIDED = "instance_decided"


def channels(session: Session) -> list[NotificationChannel]:
    """The delivery channels of the session's tenant (core's own first)."""

    found = get_registry().hook_for("surety_notification_channels", enabled_plugins(session, session_tenant(session)))()
    return [c for group in found for c in (group or ())]


def notify(session: Session, user_ids: Iterable[uuid.UUID], kind: str, title: str, body: str = "", *,
           entity_type: str | None = None, entity_id: object = None,
           params: Mapping[str, object] | None = None) -> list[Notification]:
    """An inbox row per distinct recipient, and a pending delivery per channel that takes ``kind``.

    ``title`` and ``body`` are message templates (docs/i18n.md) filled with ``params`` and written in Chinese
    (zh_CN, the tenants' language: a notification is stored once and read later, by email too, outside any
    request); a text without a catalogue entry is written as given."""
    title = translate(title, params, NOTIFICATION_LOCALE)
    body = translate(body, params, NOTIFICATION_LOCALE) if body else body
    rows = []
    wanted = [c for c in channels(session) if not c.kinds or kind in c.kinds]
    for user_id in dict.fromkeys(user_ids):
        row = Notification(id=uuid.uuid4(), user_id=user_id, kind=kind, title=title[:300], body=body,
                           entity_type=entity_type, entity_id=None if entity_id is None else str(entity_id))
        session.add(row)
        rows.append(row)
        for channel in wanted:
            session.add(NotificationDelivery(notification_id=row.id, channel=channel.key))
    return rows


def inbox(session: Session, actor: Actor, *, unread_only: bool = False):
    """A SELECT of the actor's notifications, newest first (paginate it)."""
    stmt = select(Notification).where(Notification.user_id == actor.id_uuid)
    if unread_only:
        stmt = stmt.where(Notification.read_at.is_(None))
    return stmt


def unread_count(session: Session, actor: Actor) -> int:
    return session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == actor.id_uuid, Notification.read_at.is_(None))) or 0


def mark_read(session: Session, actor: Actor, ids: Iterable[uuid.UUID] | None = None) -> int:
    """Mark the actor's notifications ``ids`` (all when None) read; the number changed. Others' ids: NOT_FOUND."""
    stmt = update(Notification).where(Notification.user_id == actor.id_uuid, Notification.read_at.is_(None))
    if ids is not None:
        ids = list(ids)
        mine = set(session.scalars(select(Notification.id).where(
            Notification.id.in_(ids), Notification.user_id == actor.id_uuid)))
        if len(mine) != len(set(ids)):
            raise NotFound("No such notification.", field="ids")
        stmt = stmt.where(Notification.id.in_(ids))
    return session.execute(stmt.values(read_at=utcnow()).execution_options(synchronize_session=False)).rowcount


def deliver_pending(session: Session, *, limit: int = 500) -> tuple[int, int]:
    """Send up to ``limit`` pending deliveries of the session's tenant; ``(sent, failed this round)``.

    A channel that raises leaves the delivery pending with the error (retried next time) until ``MAX_ATTEMPTS``,
    then marks it failed. A channel no longer configured counts as a failure.
    """
    by_key = {c.key: c for c in channels(session)}
    pending = session.execute(
        select(NotificationDelivery, Notification, User)
        .join(Notification, Notification.id == NotificationDelivery.notification_id)
        .join(User, User.id == Notification.user_id)
        .where(NotificationDelivery.status == DELIVERY_PENDING)
        .order_by(NotificationDelivery.id).limit(limit)
    ).all()
    sent = failed = 0
    tenant = session_tenant(session)
    for delivery, note, user in pending:
        delivery.attempts += 1
        try:
            channel = by_key.get(delivery.channel)
            if channel is None:
                raise RuntimeError(f"channel {delivery.channel!r} is not configured")
            channel.send(OutgoingNotification(
                tenant_id=tenant, notification_id=note.id, kind=note.kind, title=note.title, body=note.body,
                recipient_id=user.id, recipient_name=user.display_name or user.username, email=user.email,
                phone=user.phone))
        except Exception as exc:  # a channel's failure is recorded, never raised into the batch
            failed += 1
            delivery.last_error = f"{type(exc).__name__}: {exc}"[:500]
            if delivery.attempts >= MAX_ATTEMPTS:
                delivery.status = DELIVERY_FAILED
            log.warning("notification_delivery_failed", channel=delivery.channel, notification_id=str(note.id),
                        kind=note.kind, attempts=delivery.attempts, error=type(exc).__name__)
            continue
        delivery.status, delivery.sent_at, delivery.last_error = DELIVERY_SENT, utcnow(), None
        sent += 1
    return sent, failed
