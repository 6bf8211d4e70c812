"""Row locks taken before anything is read: ``UPDATE ... RETURNING`` locks the row and loads it fresh in one
statement, on PostgreSQL and SQLite alike, so concurrent changes of one row queue up (docs/adr/0005)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from sqlalchemy import update
from sqlalchemy.orm import Session

M = TypeVar("M")


def lock_row(session: Session, model: type[M], *criteria: Any, values: Mapping[str, Any] | None = None) -> M | None:
    """The row of ``model`` matching ``criteria``, locked for the rest of the transaction and loaded fresh (the
    identity map's copy is overwritten); None when there is none. ``values`` are set by the locking statement
    (default: the primary key's ``id`` set to itself, a change that changes nothing)."""
    stmt = (update(model).where(*criteria).values(values or {"id": model.id}).returning(model)
            .execution_options(populate_existing=True, synchronize_session=False))
    return session.scalars(stmt).one_or_none()
