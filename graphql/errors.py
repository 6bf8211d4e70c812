"""Typed mutation errors and which errors reach clients unmasked."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import strawberry
from strawberry.utils.str_converters import to_camel_case
from graphql import GraphQLError

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
    """Mask everything except our domain errors and GraphQL's own syntax/validation errors."""
    original = error.original_error
    if original is None:
        return False  # parse/validation errors: about the query, safe to show
    return not isinstance(original, DomainError)


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
