"""Identity's calls into the audit log, with the entity id as a string."""

from __future__ import annotations

from sqlalchemy.orm import Session

from surety.core.audit.log import audit


def record(session: Session, action: str, *, entity_type: str = "user", entity_id: object = None,
           before: dict | None = None, after: dict | None = None) -> None:
    audit(session, action, entity_type=entity_type, entity_id=None if entity_id is None else str(entity_id),
          before=before, after=after)
