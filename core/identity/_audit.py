"""Identity's calls into the audit log (imported lazily: the audit package imports identity models)."""

from __future__ import annotations

from sqlalchemy.orm import Session


def record(session: Session, action: str, *, entity_type: str = "user", entity_id: object = None,
           before: dict | None = None, after: dict | None = None) -> None:
    from surety.core.audit.log import audit

    audit(session, action, entity_type=entity_type, entity_id=None if entity_id is None else str(entity_id),
          before=before, after=after)
