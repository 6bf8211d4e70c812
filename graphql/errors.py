"""Typed mutation errors and which errors reach clients unmasked."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import strawberry
from strawberry.utils.str_converters import to_camel_case
from graphql import GraphQLError
from strawberry.extensions import MaskErrors

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
    def of(cls, exc: DomainError) -> "UserError":
        """Services name fields in snake_case; clients see the GraphQL input's camelCase name."""
        return cls(code=exc.code, message=exc.message, field=to_camel_case(exc.field) if exc.field else None,
                   retry_after=exc.details.get("retry_after"))


def should_mask(error: GraphQLError) -> bool:
    """Mask everything except our domain errors and GraphQL's own syntax, validation and input coercion errors.

    graphql-core wraps an input coercion error (a bad variable value, a scalar refusing a literal) in another
    GraphQLError, so the chain of GraphQL errors is followed to what caused it: nothing (an error about the request,
    safe to show) or a DomainError are shown; any other exception is masked."""
    original = error.original_error
    while isinstance(original, GraphQLError):
        original = original.original_error
    return original is not None and not isinstance(original, DomainError)


#: The code of an unmasked error about the request that has none of its own (syntax, validation, coercion).
REQUEST_ERROR_CODE = "GRAPHQL_VALIDATION_FAILED"


class MaskUnexpected(MaskErrors):
    """Masks unexpected errors as "Unexpected error." (:func:`should_mask`) and gives every error about the request
    itself that carries no code (syntax, validation, a literal a scalar refused) the code GRAPHQL_VALIDATION_FAILED,
    so that every error a client sees is typed: ``extensions.code``."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=should_mask)

    def _process_errors(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        processed = super()._process_errors(errors)
        for error in processed:
            if error.path is None and error.message != self.error_message and \
                    not (error.extensions or {}).get("code"):
                error.extensions = {**(error.extensions or {}), "code": REQUEST_ERROR_CODE}
        return processed


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
