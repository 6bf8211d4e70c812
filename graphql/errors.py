"""Typed mutation errors and which errors reach clients unmasked."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import strawberry
from graphql import GraphQLError
from strawberry.utils.str_converters import to_camel_case

from surety.core.errors import MASKED_MESSAGE, DomainError, Unauthenticated
from surety.core.i18n import format_message, render_error, translate

T = TypeVar("T")


@strawberry.type(description="A failure a client can act on: stable code, human message (in the request's language: "
                             "zh-CN by default, English with Accept-Language: en), offending input field.")
class UserError:
    code: str
    message: str
    field: str | None = None
    retry_after: int | None = strawberry.field(
        default=None, description="RATE_LIMITED only: seconds to wait before trying again.")

    @classmethod
    def of(cls, exc: DomainError) -> UserError:
        """The message in the request's locale (core/i18n); services name fields in snake_case, clients see the
        GraphQL input's camelCase name."""
        return cls(code=exc.code, message=render_error(exc), field=to_camel_case(exc.field) if exc.field else None,
                   retry_after=exc.params.get("retry_after"))




class InputError(GraphQLError):
    """A GraphQL error about a value the client sent, raised before any resolver (graphql/input_limits.py): its
    ``message`` is English (for the logs) and it keeps ``template`` and ``params`` to be shown in the request's
    locale (:func:`localize`)."""

    def __init__(self, template: str, params: dict, nodes=None, extensions: dict | None = None,
                 cause: DomainError | None = None):
        super().__init__(format_message(template, params), nodes, extensions=extensions)
        self.template = template
        self.params = params
        self.quoted = cause  # a domain error quoted in a parameter (a scalar's refusal): localized too


def domain_cause(error: GraphQLError) -> DomainError | None:
    """The DomainError behind a GraphQL error: its original error, through graphql-core's wrappers, or the one a
    scalar refused a value with (``domain_error``, graphql/scalars.py)."""
    current: object = error
    while current is not None:
        if isinstance(current, DomainError):
            return current
        found = getattr(current, "domain_error", None)
        if isinstance(found, DomainError):
            return found
        current = current.original_error if isinstance(current, GraphQLError) else None
    return None


def localize(errors: list[GraphQLError]) -> None:
    """Give each error caused by a DomainError (or an :class:`InputError`) its message in the request's locale, in
    place: called on the way out, after the errors were logged (logs stay English). Where graphql-core wrapped the
    domain error's message in its own words (a variable a scalar refused), only the domain part is replaced."""
    for error in errors:
        source = error if isinstance(error, InputError) else domain_cause(error)
        if source is None:
            continue
        english = source.message
        rendered = render_error(source)
        cause = getattr(source, "quoted", None)
        if cause is not None:
            rendered = rendered.replace(cause.message, render_error(cause))
        if rendered == english:
            continue
        error.message = rendered if error.message == english else error.message.replace(english, rendered)


def localize_formatted(errors: list[dict]) -> list[dict]:
    """The masked "Unexpected error." (and other fixed messages of ours) in the request's locale."""
    for error in errors:
        if error.get("message") == MASKED_MESSAGE:
            error["message"] = translate(MASKED_MESSAGE)
    return errors


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


def run_mutation(info, payload_cls: type[T], fn: Callable[[], T], *,
                 errors_of: Callable[[DomainError], list[UserError]] | None = None) -> T:
    """Run a mutation's service call in a savepoint; a DomainError rolls the savepoint back and becomes the
    payload's typed ``errors`` (one, or what ``errors_of`` makes of it: e.g. every problem of a custom-field write).
    Unauthenticated callers get a top-level UNAUTHENTICATED error instead."""
    session = info.context.session
    try:
        with session.begin_nested():
            return fn()
    except Unauthenticated:
        raise
    except DomainError as exc:
        return payload_cls(errors=errors_of(exc) if errors_of else [UserError.of(exc)])
