"""Row locks taken before anything is read: ``UPDATE ... RETURNING`` locks the row and loads it fresh in one
statement, on PostgreSQL and SQLite alike, so concurrent changes of one row queue up (docs/adr/0005). And
:func:`key_locks`, transaction-scoped locks on names that have no row of their own (a customer across agreements)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from sqlalchemy import text, update
from sqlalchemy.orm import Session

from surety.core.errors import NotFound

M = TypeVar("M")


def lock_row(session: Session, model: type[M], *criteria: Any, values: Mapping[str, Any] | None = None) -> M | None:
    """The row of ``model`` matching ``criteria``, locked for the rest of the transaction and loaded fresh (the
    identity map's copy is overwritten); None when there is none. ``values`` are set by the locking statement
    (default: the primary key's ``id`` set to itself, a change that changes nothing)."""
    stmt = (update(model).where(*criteria).values(values or {"id": model.id}).returning(model)
            .execution_options(populate_existing=True, synchronize_session=False))
    return session.scalars(stmt).one_or_none()


def lock_by_id(session: Session, model: type[M], row_id: Any, column: str, what: str, field: str = "id") -> M:
    """The ``model`` row with id ``row_id``, locked and loaded fresh (:func:`lock_row`; the locking statement sets
    ``column`` to itself, so pick a column the row's writers change, e.g. ``status``). NotFound (code
    ``NOT_FOUND``) naming ``what`` and the input ``field`` when there is no such row in the tenant."""
    row = lock_row(session, model, model.id == row_id, values={column: getattr(model, column)})
    if row is None:
        raise NotFound("No {what} with that id.", field=field, what=what)
    return row


_KEY_LOCKS = text("SELECT pg_advisory_xact_lock(k) FROM unnest(CAST(:keys AS bigint[])) WITH ORDINALITY AS t(k, n) "
                  "ORDER BY n")


def key_lock_id(namespace: str, key: str) -> int:
    """The signed 64-bit PostgreSQL advisory-lock id of ``key`` in ``namespace`` (a stable hash)."""
    digest = hashlib.blake2b(f"{namespace}\0{key}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def key_locks(session: Session, namespace: str, keys: Iterable[str]) -> None:
    """Lock the names ``keys`` of ``namespace`` until the transaction ends, so transactions reading and then writing
    something about the same name (a customer's balance across several locked rows, say) queue up. PostgreSQL: one
    statement of transaction-scoped advisory locks, taken in ascending id order (two transactions locking
    overlapping sets cannot deadlock on them); put the namespace's scope (the tenant) in ``namespace``. SQLite runs
    one writer at a time: nothing to take."""
    ids = sorted({key_lock_id(namespace, k) for k in keys})
    if ids and session.get_bind().dialect.name == "postgresql":
        session.execute(_KEY_LOCKS, {"keys": ids})
