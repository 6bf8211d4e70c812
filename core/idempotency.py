"""Idempotency keys for money mutations, with Stripe's semantics, through one mechanism every plugin uses.

A client sends a key it made up (a UUID is best) with each money mutation and sends the same key again when it
retries. :func:`idempotent` wraps the service call:

* first use of a key: a row ``(tenant, scope, key)`` is inserted *before* the business write, in the same
  transaction, holding the caller, a SHA-256 of the canonical parameters and, once the call returned, a small result
  (the created row's table and id). A failure rolls back the key row with the business write, so the key can be
  retried.
* the same key again with the same parameters: nothing is written (no second receipt, ledger entry, event or audit
  record); the stored result is loaded and returned, so the caller rebuilds the same answer.
* the same key with other parameters, or by another caller: :class:`IdempotencyKeyReused`.
* two attempts at once: the unique index makes the second insert wait for the first transaction (PostgreSQL); when
  the first commits, the second sees its row and replays it; when the first rolls back, the second goes ahead. A
  wait longer than :data:`LOCK_WAIT` ends with :class:`IdempotencyKeyInProgress` ("retry"), never a second write.

Keys expire after :data:`TTL` (24 hours, as Stripe's); the day-end batch deletes expired rows (:func:`purge_expired`)
and an expired key found before that is taken over as if new.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import enum
import hashlib
import json
import re
import uuid
from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from typing import Any, TypeVar

import structlog
from sqlalchemy import delete, func, null, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from surety.core.context import Actor
from surety.core.db.base import Base
from surety.core.db.locking import lock_row
from surety.core.db.types import utcnow
from surety.core.errors import Conflict, NotFound, ValidationFailed
from surety.core.idempotency_models import KEY_MAX_LENGTH, IdempotencyKey

T = TypeVar("T")
log = structlog.get_logger(__name__)

#: How long a key is remembered.
TTL = dt.timedelta(hours=24)
#: How long a second attempt waits for the first one's transaction (PostgreSQL) before answering "in progress".
LOCK_WAIT = dt.timedelta(seconds=10)
#: The input field that carries the key (errors name it).
FIELD = "idempotency_key"
KEY_CHARS = re.compile(r"[A-Za-z0-9._:\-]+")
#: PostgreSQL's lock_not_available (raised when lock_timeout ends a wait).
LOCK_NOT_AVAILABLE = "55P03"


class IdempotencyKeyReused(Conflict):
    """The key was already used with other parameters (or by another caller, or for another call)."""

    code = "IDEMPOTENCY_KEY_REUSED"


class IdempotencyKeyInProgress(Conflict):
    """The first request with this key has not finished yet: retry the same request shortly."""

    code = "IDEMPOTENCY_KEY_IN_PROGRESS"


# ---------------------------------------------------------------- keys and parameters -----------------------------


def check_key(key: Any) -> str:
    """``key`` if it is 1 to 128 characters of ASCII letters, digits and ``. _ : -``; ValidationFailed otherwise."""
    if not isinstance(key, str) or not 1 <= len(key) <= KEY_MAX_LENGTH or not KEY_CHARS.fullmatch(key):
        raise ValidationFailed("An idempotency key is 1 to {max_length} characters: letters, digits and . _ : - "
                               "(a UUID is best).", field=FIELD, max_length=KEY_MAX_LENGTH)
    return key


def canonical(value: Any) -> Any:
    """``value`` as plain JSON data that compares equal exactly when the parameters mean the same: Decimals by value
    (``100`` = ``100.00``), dates ISO, UUIDs and enums as text, dataclasses (GraphQL inputs) as mappings."""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value.is_finite() else str(value)
    if isinstance(value, enum.Enum):
        return canonical(value.value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: canonical(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): canonical(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [canonical(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def params_hash(params: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of the canonical JSON of ``params`` (keys sorted)."""
    text = json.dumps(canonical(params), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


# ---------------------------------------------------------------- results ------------------------------------------


def row_result(row: Any) -> dict:
    """The default stored result of a call that returned an ORM row: its table and id."""
    return {"entity": row.__tablename__, "id": str(row.id)}


_MODELS: dict[str, type] = {}


def _model(table: str) -> type:
    if table not in _MODELS:
        for mapper in Base.registry.mappers:
            _MODELS.setdefault(mapper.local_table.name, mapper.class_)
    return _MODELS[table]


def load_row(session: Session, result: Mapping[str, Any]) -> Any:
    """The row a :func:`row_result` names (read in the session's tenant, fresh from the database)."""
    model = _model(result["entity"])
    row = session.scalar(select(model).where(model.id == uuid.UUID(result["id"]))
                         .execution_options(populate_existing=True))
    if row is None:
        raise NotFound("What this idempotency key produced no longer exists.", field=FIELD)
    return row


# ---------------------------------------------------------------- the mechanism ------------------------------------


def idempotent(session: Session, actor: Actor, *, scope: str, key: str | None, params: Mapping[str, Any],
               perform: Callable[[], T], record: Callable[[T], Mapping[str, Any]] = row_result,
               replay: Callable[[Mapping[str, Any]], T] | None = None, ttl: dt.timedelta = TTL,
               wait: dt.timedelta = LOCK_WAIT) -> T:
    """Run ``perform()`` once per ``key`` (``scope`` is the mutation's name): see the module's docstring.

    ``params`` are the call's parameters (without the key); ``record(result)`` is what is stored (JSON data; by
    default the returned row's table and id) and ``replay(stored)`` gives the result back on a repeat (by default
    the row, loaded again). Without a key, ``perform()`` just runs. Call it inside the transaction (savepoint) of the
    business write, before any of it, so both commit or roll back together."""
    if key is None:
        return perform()
    key = check_key(key)
    row, stored = _claim(session, actor.subject, scope, key, params_hash(params), ttl, wait)
    if row is None:
        log.info("idempotency.replayed", scope=scope)  # the key is the client's: not logged
        return replay(stored) if replay is not None else load_row(session, stored)
    result = perform()
    row.result = canonical(record(result))
    session.flush()
    return result


def _find(session: Session, scope: str, key: str) -> IdempotencyKey | None:
    return session.scalar(select(IdempotencyKey).where(IdempotencyKey.scope == scope, IdempotencyKey.key == key)
                          .execution_options(populate_existing=True))


def _claim(session: Session, who: str, scope: str, key: str, digest: str, ttl: dt.timedelta,
           wait: dt.timedelta) -> tuple[IdempotencyKey | None, Mapping[str, Any] | None]:
    """(the new key row, None) when this call owns the key; (None, the stored result) when it was used before."""
    now = utcnow()
    row = IdempotencyKey(scope=scope, key=key, actor=who, params_hash=digest, created_at=now, expires_at=now + ttl)
    try:
        with session.begin_nested(), _bounded_wait(session, wait):
            session.add(row)
            session.flush()
        return row, None
    except IntegrityError as exc:
        existing = _find(session, scope, key)
        if existing is None:
            raise exc  # not the key's unique index
    except OperationalError as exc:
        if getattr(exc.orig, "sqlstate", None) == LOCK_NOT_AVAILABLE:
            raise _in_progress() from None
        raise
    if existing.expires_at <= now:  # an expired key is taken over (unless another attempt took it over meanwhile)
        taken = lock_row(session, IdempotencyKey, IdempotencyKey.id == existing.id, IdempotencyKey.expires_at <= now,
                         values={"actor": who, "params_hash": digest, "result": null(), "created_at": now,
                                 "expires_at": now + ttl})
        if taken is not None:
            return taken, None
        existing = _find(session, scope, key)
    if existing.actor != who or existing.params_hash != digest:
        raise IdempotencyKeyReused(
            "This idempotency key was already used for a request with other parameters (or by another user): send "
            "a new key for a new request, the same parameters to retry. 该幂等键已用于参数不同（或其他用户）的请求："
            "新请求请使用新的幂等键，重试请使用相同参数。",
            field=FIELD)
    if existing.result is None:
        raise _in_progress()
    return None, existing.result


def _in_progress() -> IdempotencyKeyInProgress:
    return IdempotencyKeyInProgress("A request with this idempotency key is still in progress: retry it shortly.",
                                    field=FIELD)


@contextlib.contextmanager
def _bounded_wait(session: Session, wait: dt.timedelta) -> Iterator[None]:
    """On PostgreSQL, limit how long the key's insert waits for another transaction (``lock_timeout``, set
    transaction-locally inside the savepoint and put back after; a rolled-back savepoint undoes it by itself)."""
    if session.get_bind().dialect.name != "postgresql":
        yield
        return
    before = session.scalar(select(func.current_setting("lock_timeout")))
    session.execute(select(func.set_config("lock_timeout", f"{max(1, int(wait.total_seconds() * 1000))}ms", True)))
    yield
    session.execute(select(func.set_config("lock_timeout", before, True)))


# ---------------------------------------------------------------- housekeeping -------------------------------------


def purge_expired(session: Session, now: dt.datetime | None = None) -> int:
    """Delete the session tenant's expired keys; the number deleted."""
    result = session.execute(delete(IdempotencyKey).where(IdempotencyKey.expires_at <= (now or utcnow()))
                             .execution_options(synchronize_session=False))
    return result.rowcount or 0
