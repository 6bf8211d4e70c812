"""The schema's Decimal, Date, DateTime and JSON scalars with the input limits of core/limits.py.

They keep the names, descriptions and serialisation of Strawberry's own (the SDL does not change) and parse input
strictly: a value that is no Decimal, a Decimal of 1e28, a date in the year 0 or 9999, a JSON value of megabytes or
nesting hundreds deep is refused while the request's variables and literals are checked, before any resolver
runs, with a GraphQL error that names the variable and the path inside it (never a masked "Unexpected error.")."""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Callable
from typing import Any

from graphql import GraphQLError, ValueNode
from graphql.utilities import value_from_ast_untyped
from strawberry.scalars import JSON
from strawberry.schema.types.base_scalars import DateDefinition, DateTimeDefinition, DecimalDefinition
from strawberry.schema.types.scalar import DEFAULT_SCALAR_REGISTRY
from strawberry.types.scalar import ScalarDefinition

from surety.core import limits
from surety.core.errors import ValidationFailed


def _checked(check: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """A parser whose ValidationFailed becomes the GraphQLError graphql-core reports with the variable's path."""

    def parse(*args: Any) -> Any:
        try:
            return check(*args)
        except ValidationFailed as exc:
            error = GraphQLError(exc.message)
            error.domain_error = exc  # type: ignore[attr-defined]  # shown in the request's locale (graphql.errors.localize)
            raise error from None

    return parse


def parse_decimal(value: Any) -> decimal.Decimal:
    """A Decimal from text or a JSON number (not a boolean), finite, below ``limits.MAX_DECIMAL`` in magnitude."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ValidationFailed("Not a Decimal: give a number as text, e.g. \"1234.56\".")
    try:
        result = decimal.Decimal(str(value).strip())
    except (decimal.DecimalException, ValueError):
        raise ValidationFailed("Not a Decimal: give a number, e.g. \"1234.56\".") from None
    return limits.decimal(result, "Decimal")


def parse_date(value: Any) -> dt.date:
    """A date from ``YYYY-MM-DD`` text, in a year between ``limits.MIN_YEAR`` and ``limits.MAX_YEAR``."""
    if not isinstance(value, str):
        raise ValidationFailed("Not a Date: give YYYY-MM-DD text.")
    try:
        result = dt.date.fromisoformat(value.strip())
    except ValueError:
        raise ValidationFailed("Not a Date: give a date as YYYY-MM-DD.") from None
    return limits.date(result, "Date")


def parse_datetime(value: Any) -> dt.datetime:
    """A timestamp from ISO 8601 text, in a year between ``limits.MIN_YEAR`` and ``limits.MAX_YEAR``."""
    if not isinstance(value, str):
        raise ValidationFailed("Not a DateTime: give ISO 8601 text.")
    try:
        result = DateTimeDefinition.parse_value(value)
    except Exception:  # noqa: BLE001 - dateutil raises ValueError, OverflowError and its own errors
        raise ValidationFailed("Not a DateTime: give ISO 8601 text, "
                               "e.g. 2025-01-31T08:00:00+08:00.") from None
    return limits.date(result, "DateTime")


def parse_json(value: Any) -> Any:
    """A JSON value within ``limits.MAX_JSON_BYTES`` and ``limits.MAX_JSON_DEPTH``, with no NUL in its strings."""
    return limits.json_value(value, "JSON")


def _json_literal(node: ValueNode, variables: dict[str, Any] | None = None) -> Any:
    return parse_json(value_from_ast_untyped(node, variables))


def _like(definition: ScalarDefinition, parse_value, parse_literal=None) -> ScalarDefinition:
    """``definition`` (name, description, serialisation kept) with our parsers."""
    return ScalarDefinition(name=definition.name, description=definition.description,
                            specified_by_url=definition.specified_by_url, serialize=definition.serialize,
                            parse_value=_checked(parse_value),
                            parse_literal=_checked(parse_literal) if parse_literal else None,
                            origin=definition.origin)


_JSON = DEFAULT_SCALAR_REGISTRY[JSON]

#: ``strawberry.Schema(scalar_overrides=...)``: the scalars every schema of ours uses.
SCALAR_OVERRIDES: dict[object, ScalarDefinition] = {
    decimal.Decimal: _like(DecimalDefinition, parse_decimal),
    dt.date: _like(DateDefinition, parse_date),
    dt.datetime: _like(DateTimeDefinition, parse_datetime),
    JSON: _like(_JSON, parse_json, _json_literal),
}
