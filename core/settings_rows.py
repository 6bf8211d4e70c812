"""A plugin's per-tenant settings row (one row per tenant, created with the model's defaults on first use), read once
per session: every plugin with settings uses this instead of writing the same lookup."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

Row = TypeVar("Row")


def settings_row(session: Session, model: type[Row]) -> Row:
    """The tenant's ``model`` row, created with the column defaults on first use and kept in ``session.info`` (the
    row stays the session's own object, so a change made through it is what later callers see; a rolled-back new
    row left the session and is read again)."""
    key = f"settings_row:{model.__tablename__}"  # type: ignore[attr-defined]
    row = session.info.get(key)
    if row is not None and row in session:
        return row
    row = session.scalar(select(model))
    if row is None:
        row = model()
        session.add(row)
        session.flush()
    session.info[key] = row
    return row
