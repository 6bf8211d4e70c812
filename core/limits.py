"""Input limits shared by every module: the largest text, JSON value, number and year anything a client sends may
carry, and the checks that refuse the rest with a ValidationFailed naming the field.

The GraphQL layer applies them to every argument (graphql/scalars.py, graphql/extensions.py) and services that
store client text or documents apply them again, so a value that reaches the database always fits: nothing a client
sends may grow into something large once decoded (a YAML alias bomb), overflow a column (a Decimal of 1e28) or
carry a character PostgreSQL refuses in text (NUL).

Messages follow docs/i18n.md: an English template (the catalogue's msgid) and its parameters; ``name`` is the field.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from surety.core.errors import ValidationFailed

#: Longest text (String or ID value) anywhere in a request, in characters: names, comments, notes, a definition
#: document imported as text. Services keep their own, smaller limits for their fields.
MAX_TEXT_CHARS = 65_536
#: Largest JSON value (a JSON argument, a process definition document, after decoding), serialised as UTF-8.
MAX_JSON_BYTES = 65_536
#: Deepest nesting of a JSON value (objects and lists inside each other).
MAX_JSON_DEPTH = 32
#: Deepest nesting of a whole request body (its variables and JSON arguments included).
MAX_BODY_DEPTH = 64
#: Aliases a YAML document may use (``*name`` references to an ``&name`` anchor).
MAX_YAML_ALIASES = 50
#: A Decimal input is below this in magnitude (a thousand trillion yuan: every money column holds it).
MAX_DECIMAL = Decimal("1e15")
#: Decimal places a Decimal input may have (rates keep 8).
MAX_DECIMAL_PLACES = 12
#: Years a date input may fall in.
MIN_YEAR, MAX_YEAR = 1900, 2199
#: Most working days a due date may be counted ahead or back (ten years; a step's timeout is at most 250).
MAX_WORKING_DAYS = 2_500


def text(value: str, field: str, limit: int = MAX_TEXT_CHARS) -> str:
    """``value`` when it has no NUL character and at most ``limit`` characters; ValidationFailed naming ``field``."""
    if "\x00" in value:
        raise ValidationFailed("{name} contains a NUL character (\\u0000), which text may not hold.", field=field,
                               name=field)
    if len(value) > limit:
        raise ValidationFailed("{name} is at most {limit} characters, not {length}.", field=field, name=field,
                               limit=limit, length=len(value))
    return value


def strings(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """``(path, string)`` for every string in a JSON-like value, keys included (path ``a.b.0``), iteratively (a
    deeply nested value cannot exhaust the stack)."""
    stack = [(path, value)]
    while stack:
        where, item = stack.pop()
        if isinstance(item, str):
            yield where, item
        elif isinstance(item, dict):
            for key, child in item.items():
                child_path = f"{where}.{key}" if where else str(key)
                if isinstance(key, str):
                    yield child_path, key
                stack.append((child_path, child))
        elif isinstance(item, (list, tuple)):
            stack.extend((f"{where}.{i}" if where else str(i), child) for i, child in enumerate(item))


def depth(value: Any) -> int:
    """How deeply lists and objects nest in ``value`` (a scalar is 0), iteratively."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        item, level = stack.pop()
        deepest = max(deepest, level)
        if isinstance(item, dict):
            stack.extend((child, level + 1) for child in item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend((child, level + 1) for child in item)
    return deepest


def json_value(value: Any, field: str, *, max_bytes: int = MAX_JSON_BYTES, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """``value`` (a decoded JSON value) when it nests at most ``max_depth`` deep, serialises to at most ``max_bytes``
    and holds no NUL in any string; ValidationFailed naming ``field`` otherwise."""
    if depth(value) > max_depth:
        raise ValidationFailed("{name} nests deeper than {depth} levels.", field=field, name=field, depth=max_depth)
    for where, item in strings(value):
        if "\x00" in item:
            text(item, f"{field}.{where}" if where else field)
    try:
        size = len(json.dumps(value, ensure_ascii=False, allow_nan=False, default=str).encode())
    except (TypeError, ValueError):
        raise ValidationFailed("{name} is not a JSON value.", field=field, name=field) from None
    if size > max_bytes:
        raise ValidationFailed("{name} is at most {limit} bytes as JSON, not {size}.", field=field, name=field,
                               limit=max_bytes, size=size)
    return value


def decimal(value: Decimal, field: str) -> Decimal:
    """``value`` when finite, below MAX_DECIMAL in magnitude and with at most MAX_DECIMAL_PLACES decimal places."""
    if not value.is_finite():
        raise ValidationFailed("{name} must be a finite number, not {value}.", field=field, name=field, value=value)
    if abs(value) >= MAX_DECIMAL:
        raise ValidationFailed("{name} must be below {limit} in magnitude.", field=field, name=field,
                               limit=f"{MAX_DECIMAL:,.0f}")
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -MAX_DECIMAL_PLACES:
        raise ValidationFailed("{name} has more than {places} decimal places.", field=field, name=field,
                               places=MAX_DECIMAL_PLACES)
    return value


def year(value: int, field: str = "year") -> int:
    """``value`` when it is a year between MIN_YEAR and MAX_YEAR."""
    if isinstance(value, bool) or not isinstance(value, int) or not MIN_YEAR <= value <= MAX_YEAR:
        raise ValidationFailed("{name} is a year between {low} and {high}, not {value}.", field=field, name=field,
                               low=MIN_YEAR, high=MAX_YEAR, value=value)
    return value


def date(value: dt.date, field: str) -> dt.date:
    """``value`` when its year is between MIN_YEAR and MAX_YEAR (date arithmetic on it then never overflows)."""
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ValidationFailed("{name} falls in a year between {low} and {high}, not {year}.", field=field, name=field,
                               low=MIN_YEAR, high=MAX_YEAR, year=value.year)
    return value
