"""A short-lived per-process cache of checked access tokens, so a burst of requests with the same token does not
run the user/tenant check (a transaction of its own) every time.

What it caches: the :class:`Principal` of a token whose user was active, whose password had not changed since the
token was issued, and whose tenant was active, for :data:`TTL_SECONDS`. Refusals are never cached. Any change to a
user or tenant row made in this process (disable, password change, suspension, org unit move) empties it at once
(ORM ``after_update``/``after_delete`` and bulk ``update()``/``delete()`` statements, and again when that
transaction commits or rolls back); another process sees such a
change within :data:`TTL_SECONDS`, the same window as the enabled-plugin cache (tenants/registry.py). Access tokens
themselves live for minutes.
"""

from __future__ import annotations

import threading
import time
import uuid

from sqlalchemy import event
from sqlalchemy.orm import Session

from surety.core.identity.models import User
from surety.core.identity.principal import Principal
from surety.tenants.models import Tenant

TTL_SECONDS = 5.0
MAX_ENTRIES = 10_000

Key = tuple[uuid.UUID, uuid.UUID, int]

_entries: dict[Key, tuple[float, Principal]] = {}
_epoch = 0
_lock = threading.Lock()


def get(key: Key) -> Principal | None:
    hit = _entries.get(key)
    if hit is None or time.monotonic() - hit[0] >= TTL_SECONDS:
        return None
    return hit[1]


def epoch() -> int:
    return _epoch


def put(key: Key, principal: Principal, started_epoch: int) -> None:
    """Keep ``principal`` unless a user or tenant changed since ``started_epoch`` (the check may have read old rows)."""
    with _lock:
        if _epoch != started_epoch:
            return
        if len(_entries) >= MAX_ENTRIES:
            _entries.clear()
        _entries[key] = (time.monotonic(), principal)


def forget(*_args) -> None:
    global _epoch
    with _lock:
        _epoch += 1
        _entries.clear()


_CHANGED = "surety.principal_cache.changed"


def _changed(session: Session) -> None:
    """Forget now, and again when the changing transaction ends: a check in another thread between the flush and
    the commit still reads the old row and would otherwise be kept."""
    forget()
    session.info[_CHANGED] = True


def _row_changed(_mapper, connection, _target) -> None:
    session = Session.object_session(_target)
    if session is not None:
        _changed(session)
    else:
        forget()


for _model in (User, Tenant):
    event.listen(_model, "after_update", _row_changed)
    event.listen(_model, "after_delete", _row_changed)


@event.listens_for(Session, "do_orm_execute")
def _bulk_change(state) -> None:
    """``update(User)...`` / ``delete(Tenant)...`` statements bypass the mapper events above."""
    if (state.is_update or state.is_delete) and state.bind_mapper is not None \
            and state.bind_mapper.class_ in (User, Tenant):
        _changed(state.session)


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _transaction_ended(session: Session) -> None:
    if session.info.pop(_CHANGED, False):
        forget()
