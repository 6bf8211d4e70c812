"""Reading the audit log for the API: newest first, keyset-paginated on ``seq``."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from surety.core.audit.models import AuditRecord

MAX_LIMIT = 500


def records(session: Session, *, entity_type: str | None = None, entity_id: object = None,
            actor_id: str | None = None, action: str | None = None, after_seq: int | None = None,
            limit: int = 50) -> list[AuditRecord]:
    """The session tenant's records matching every given filter, ordered by ``seq`` DESCENDING (newest first).

    ``after_seq`` is a cursor in that order: pass the last ``seq`` of a page to get the next (older) page, i.e.
    records with ``seq < after_seq``. ``limit`` is clamped to 1..500.
    """
    stmt = select(AuditRecord)
    if entity_type is not None:
        stmt = stmt.where(AuditRecord.entity_type == entity_type)
    if entity_id is not None:
        stmt = stmt.where(AuditRecord.entity_id == str(entity_id))
    if actor_id is not None:
        stmt = stmt.where(AuditRecord.actor_id == str(actor_id))
    if action is not None:
        stmt = stmt.where(AuditRecord.action == action)
    if after_seq is not None:
        stmt = stmt.where(AuditRecord.seq < after_seq)
    limit = max(1, min(int(limit), MAX_LIMIT))
    return list(session.scalars(stmt.order_by(AuditRecord.seq.desc()).limit(limit)))
