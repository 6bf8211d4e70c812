"""Typed mutation errors and which errors reach clients unmasked."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import strawberry
from graphql import GraphQLError
from strawberry.utils.str_converters import to_camel_case

from surety.core.errors import DomainError, Unauthenticated

T = TypeVar("T")


@strawberry.type(description="A failure a client can act on: stable code, human message, offending input field.")
class UserError:
    code: str
    message: str
    field: str | None = None
    retry_after: int | None = strawberry.field(
        default=None, description="RATE_LIMITED only: seconds to wait before trying again.")

    @classmethod
    def of(cls, exc: DomainError) -> UserError:
        """Services name fields in snake_case; clients see the GraphQL input's camelCase name."""
        return cls(code=exc.code, message=exc.message, field=to_camel_case(exc.field) if exc.field else None,
                   retry_after=exc.details.get("retry_after"))


#: What a client sees of an unexpected error.
MASKED_MESSAGE = "Unexpected error."


def should_mask(error: GraphQLError) -> bool:
    """Mask everything except our domain errors and GraphQL's own syntax, validation and input coercion errors.

    graphql-core wraps an input coercion error (a bad variable value, a scalar refusing a literal) in another
    GraphQLError, so the chain of GraphQL errors is followed to what caused it: nothing (an error about the request,
    safe to show) or a DomainError are shown; any other exception is masked."""
    original = error.original_error
    while isinstance(original, GraphQLError):
        original = original.original_error
    return original is not None and not isinstance(original, DomainError)


#: Codes of the errors that carry none of their own, given on the way out (:func:`with_codes`): a masked error, ...
INTERNAL_ERROR_CODE = "INTERNAL_ERROR"
#: ... a query text that does not parse ...
PARSE_ERROR_CODE = "GRAPHQL_PARSE_FAILED"
#: ... and any other error about the request itself (validation, a literal its type refuses).
REQUEST_ERROR_CODE = "GRAPHQL_VALIDATION_FAILED"


def with_codes(errors: list[dict]) -> list[dict]:
    """Formatted GraphQL errors, each with an ``extensions.code``: domain and input errors keep theirs; a masked
    error gets INTERNAL_ERROR; an error about the request (no path: it never reached a resolver) GRAPHQL_PARSE_FAILED
    or GRAPHQL_VALIDATION_FAILED. So every error a client sees is typed."""
    for error in errors:
        extensions = error.get("extensions") or {}
        if extensions.get("code"):
            continue
        if error.get("message") == MASKED_MESSAGE:
            code = INTERNAL_ERROR_CODE
        elif error.get("path"):
            continue
        else:
            code = PARSE_ERROR_CODE if str(error.get("message", "")).startswith("Syntax Error") else REQUEST_ERROR_CODE
        error["extensions"] = {**extensions, "code": code}
    return errors


def run_mutation(info, payload_cls: type[T], fn: Callable[[], T]) -> T:
    """Run a mutation's service call in a savepoint; a DomainError rolls the savepoint back and becomes the
    payload's typed ``errors``. Unauthenticated callers get a top-level UNAUTHENTICATED error instead."""
    session = info.context.session
    try:
        with session.begin_nested():
            return fn()
    except Unauthenticated:
        raise
    except DomainError as exc:
        return payload_cls(errors=[UserError.of(exc)])
