"""Relay cursor connections over SQLAlchemy selects, paginated by keyset (never OFFSET)."""

from __future__ import annotations

import base64
import datetime as dt
import json
import uuid
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

import strawberry
from sqlalchemy import and_, func, or_
from sqlalchemy.orm import Session

from surety.core.errors import ValidationFailed

NodeT = TypeVar("NodeT")
MAX_PAGE = 200
DEFAULT_PAGE = 50


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[NodeT]):
    cursor: str
    node: NodeT


@strawberry.type
class Connection(Generic[NodeT]):
    edges: list[Edge[NodeT]]
    page_info: PageInfo
    total_count: int | None = strawberry.field(
        default=None, description="Total rows matching the filter (computed only when selected)."
    )


def encode_cursor(values: Sequence[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps([str(v) for v in values]).encode()).decode()


def decode_cursor(cursor: str, n: int) -> list[str]:
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, TypeError) as exc:
        raise ValidationFailed("Malformed cursor.", field="after") from exc
    if not isinstance(values, list) or len(values) != n:
        raise ValidationFailed("Malformed cursor.", field="after")
    return values


def _cursor_value(column, raw: Any) -> Any:
    """A cursor component back to the column's Python type; anything unexpected is VALIDATION_FAILED."""
    try:
        if not isinstance(raw, str):
            raise TypeError("cursor values are strings")
        kind = column.type.python_type
        if kind is uuid.UUID:
            return uuid.UUID(raw)
        if kind in (dt.datetime, dt.date):
            return kind.fromisoformat(raw)
        if kind is bool:
            return {"True": True, "False": False}[raw]
        return kind(raw)
    except (ValueError, TypeError, KeyError, AttributeError, NotImplementedError, ArithmeticError) as exc:
        raise ValidationFailed("Malformed cursor.", field="after") from exc


def _selected(info, name: str) -> bool:
    return any(sel.name == name for f in info.selected_fields for sel in f.selections)


def paginate(
    info,
    session: Session,
    stmt,
    *,
    order: Sequence[Any],
    to_node: Callable[[Any], Any],
    first: int | None,
    after: str | None,
    descending: bool = False,
) -> Connection:
    """Keyset pagination: ``order`` is a list of columns ending with a unique one (the id)."""
    limit = DEFAULT_PAGE if first is None else first
    if limit < 0 or limit > MAX_PAGE:
        raise ValidationFailed("first must be between 0 and {max_page}.", field="first", max_page=MAX_PAGE)
    page_stmt = stmt
    if after:
        values = [_cursor_value(col, v) for col, v in zip(order, decode_cursor(after, len(order)), strict=True)]
        # (a, b) > (x, y)  ==  a > x OR (a = x AND b > y)
        clauses, eqs = [], []
        for col, val in zip(order, values, strict=True):
            cmp = col < val if descending else col > val
            clauses.append(and_(*eqs, cmp))
            eqs.append(col == val)
        page_stmt = page_stmt.where(or_(*clauses))
    ordering = [c.desc() if descending else c.asc() for c in order]
    rows = session.execute(page_stmt.order_by(*ordering).limit(limit + 1)).scalars().all()
    has_next = len(rows) > limit
    rows = rows[:limit]
    edges = [Edge(cursor=encode_cursor([getattr(r, c.key) for c in order]), node=to_node(r)) for r in rows]
    total = None
    if _selected(info, "totalCount"):
        # Keep the entity in FROM (not a subquery) so the tenant criteria apply to the count too.
        total = session.scalar(stmt.order_by(None).with_only_columns(func.count(), maintain_column_froms=True))
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=has_next,
            has_previous_page=bool(after),
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        total_count=total,
    )
