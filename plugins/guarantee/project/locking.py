"""Row locks of the ``guarantee`` plugin's services: the row, locked and fresh, or NotFound naming what is missing."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from surety.core.db import locking
from surety.core.errors import NotFound


def lock_row(session: Session, model, row_id: uuid.UUID, column: str, what: str, field: str = "id"):
    """The ``model`` row ``row_id`` locked and fresh (core.db.locking.lock_row, touching ``column``); NotFound
    naming ``what`` when there is no such row."""
    row = locking.lock_row(session, model, model.id == row_id, values={column: getattr(model, column)})
    if row is None:
        raise NotFound(f"No {what} with that id.", field=field)
    return row
