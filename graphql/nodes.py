"""Relay ``Node`` support for model-backed types."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

import strawberry
from sqlalchemy import select
from strawberry import relay

from surety.graphql.auth import allowed


def load_nodes(info, model, to_node, node_ids: Iterable[str], permission: str | None, statement=None):
    """Rows of ``model`` by id (through the tenant-bound session), in the order asked, None where missing.
    ``statement``: a function returning the SELECT to pick them from (e.g. a service's data-scoped search), called
    after the permission check, instead of all rows."""

    ids = list(node_ids)
    if permission and not allowed(info, permission):
        return [None] * len(ids)
    wanted = {}
    for raw in ids:
        try:
            wanted[raw] = uuid.UUID(str(raw))
        except ValueError:
            continue
    base = select(model) if statement is None else statement()
    rows = info.context.session.scalars(base.where(model.id.in_(list(wanted.values())))) if wanted else []
    by_id = {str(r.id): r for r in rows}
    return [to_node(by_id[str(wanted[i])]) if i in wanted and str(wanted[i]) in by_id else None for i in ids]


def global_id(type_name: str, value: Any) -> strawberry.ID | None:
    """The Relay global id of a ``type_name`` row id (None stays None)."""
    return strawberry.ID(relay.to_base64(type_name, str(value))) if value is not None else None
