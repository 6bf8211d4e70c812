"""Row locks taken before anything is read: ``UPDATE ... RETURNING`` locks the row and loads it fresh in one
statement, on PostgreSQL and SQLite alike, so concurrent changes of one row queue up (docs/adr/0005)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from sqlalchemy import update
from sqlalchemy.orm import Session

from surety.core.errors import NotFound

M = TypeVar("M")


def lock_row(session: Session, model: type[M], *criteria: Any, values: Mapping[str, Any] | None = None) -> M | None:
    """The row of ``model`` matching ``criteria``, locked for the rest of the transaction and loaded fresh (the
    identity map's copy is overwritten); None when there is none. ``values`` are set by the locking statement
    (default: the primary key's ``id`` set to itself, a change that changes nothing)."""
    stmt = (update(model).where(*criteria).values(values or {"id": model.id}).returning(model)
            .execution_options(populate_existing=True, synchronize_session=False))
    return session.scalars(stmt).one_or_none()


def lock_by_id(session: Session, model: type[M], row_id: Any, column: str, what: str, field: str = "id") -> M:
    """The ``model`` row with id ``row_id``, locked and loaded fresh (:func:`lock_row`; the locking statement sets
    ``column`` to itself, so pick a column the row's writers change, e.g. ``status``). NotFound (code
    ``NOT_FOUND``) naming ``what`` and the input ``field`` when there is no such row in the tenant."""
    row = lock_row(session, model, model.id == row_id, values={column: getattr(model, column)})
    if row is None:
        raise NotFound("No {what} with that id.", field=field, what=what)
    return row
