"""Idempotent money mutations in GraphQL: the ``idempotencyKey`` input field and :func:`run_idempotent`, which runs
a mutation through ``surety.core.idempotency.idempotent`` inside :func:`run_mutation`'s savepoint, so the key row
and the business write commit or roll back together (docs/graphql.md, "Idempotency keys")."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import strawberry

from surety.core.idempotency import FIELD, idempotent
from surety.graphql.auth import actor
from surety.graphql.errors import run_mutation

P = TypeVar("P")
R = TypeVar("R")

KEY_DESCRIPTION = ("Idempotency key (幂等键): a value the client makes up for this request (a UUID; 1-128 letters, "
                   "digits, '.', '_', ':' or '-') and sends again when it retries. The same key with the same input "
                   "answers what the first request did and writes nothing more; with other input it is refused "
                   "with IDEMPOTENCY_KEY_REUSED. Optional, but every client should send one. Remembered 24 hours.")


def idempotency_key_field() -> Any:
    """The ``idempotencyKey: String`` field of a money mutation's input (declare it last)."""
    return strawberry.field(default=None, description=KEY_DESCRIPTION)


def input_params(input: Any) -> dict[str, Any]:
    """The fields of a strawberry input (a dataclass) except the key: what the key's parameter hash covers."""
    return {f.name: getattr(input, f.name) for f in dataclasses.fields(input)
            if f.name != FIELD and getattr(input, f.name) is not strawberry.UNSET}


def run_idempotent(info: strawberry.Info, payload_cls: type[P], input: Any, perform: Callable[[], R],
                   present: Callable[[R], P], *, record: Callable[[R], Mapping[str, Any]] | None = None,
                   replay: Callable[[Mapping[str, Any]], R] | None = None) -> P:
    """Run a money mutation once per ``input.idempotency_key``, its scope the mutation's field name.

    ``perform()`` calls the service and returns what it made (by default an ORM row, stored as its table and id);
    ``present(result)`` builds the payload, both the first time and on a replay (from the row loaded again).
    ``record``/``replay`` replace that default for results that are not a single row. Domain errors become the
    payload's typed ``errors`` (and roll back the key with everything else), as with :func:`run_mutation`."""
    def go() -> P:
        extra = {k: v for k, v in (("record", record), ("replay", replay)) if v is not None}
        result = idempotent(info.context.session, actor(info), scope=info.field_name,
                            key=getattr(input, FIELD, None), params=input_params(input), perform=perform, **extra)
        return present(result)

    return run_mutation(info, payload_cls, go)
