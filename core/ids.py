"""Identifier helpers shared by core and plugins."""

from __future__ import annotations

import uuid
from typing import Any


def as_uuid(value: Any) -> uuid.UUID | None:
    """``value`` as a UUID (a UUID, or text holding one); None for anything else (None, junk, other types)."""
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        return None


def str_or_none(value: Any) -> str | None:
    """``str(value)``, or None for None (ids and amounts in workflow subject fields)."""
    return None if value is None else str(value)
