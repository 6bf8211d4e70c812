"""The checked-token cache (core/identity/principal_cache.py): a second request with the same token costs no query,
and any change to the user or tenant in this process takes effect at once; other processes within the TTL."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import event, update

from surety.core.db.types import utcnow
from surety.core.errors import TenantSuspended, Unauthenticated
from surety.core.identity import principal_cache
from surety.core.identity.auth import login, resolve_access
from surety.core.identity.models import User
from surety.core.identity.service import disable_user


@pytest.fixture
def selects(db):
    seen: list[str] = []

    def count(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith("SELECT") and "set_config" not in statement:
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    yield seen
    event.remove(db.engine, "before_cursor_execute", count)


@pytest.fixture
def token(db, bare_tenant, new_user, password):
    user = new_user()
    access = login(db, bare_tenant.slug, "alice", password).access_token
    return user, access


def test_the_same_token_is_checked_once_within_the_ttl(db, token, selects):
    _, access = token
    first = resolve_access(db, access)
    assert len(selects) == 1
    assert resolve_access(db, access) == first
    assert len(selects) == 1


def test_after_the_ttl_the_token_is_checked_again(db, token, selects, monkeypatch):
    _, access = token
    resolve_access(db, access)
    clock = principal_cache.time.monotonic() + principal_cache.TTL_SECONDS + 1
    monkeypatch.setattr(principal_cache.time, "monotonic", lambda: clock)
    resolve_access(db, access)
    assert len(selects) == 2


def test_disabling_the_user_refuses_a_cached_token_at_once(db, bare_tenant, token):
    user, access = token
    resolve_access(db, access)
    with db.tenant_session(bare_tenant.id) as s:
        disable_user(s, user.id)
    with pytest.raises(Unauthenticated):
        resolve_access(db, access)


def test_a_bulk_password_change_refuses_a_cached_token_at_once(db, bare_tenant, token):
    _, access = token
    resolve_access(db, access)
    with db.tenant_session(bare_tenant.id) as s:
        s.execute(update(User).values(password_changed_at=utcnow() + dt.timedelta(seconds=5)))
    with pytest.raises(Unauthenticated):
        resolve_access(db, access)


def test_suspending_the_tenant_refuses_a_cached_token_at_once(db, bare_tenant, token, set_tenant_status):
    _, access = token
    resolve_access(db, access)
    set_tenant_status(bare_tenant, "suspended")
    with pytest.raises(TenantSuspended):
        resolve_access(db, access)


def test_refusals_are_not_cached(db, bare_tenant, token, set_tenant_status, selects):
    _, access = token
    set_tenant_status(bare_tenant, "suspended")
    selects.clear()
    for _ in range(2):
        with pytest.raises(TenantSuspended):
            resolve_access(db, access)
    assert len(selects) == 2
    set_tenant_status(bare_tenant, "active")
    assert resolve_access(db, access).username == "alice"


def test_a_check_that_raced_a_change_is_not_kept():
    key = (None, None, 0)
    started = principal_cache.epoch()
    principal_cache.forget()
    principal_cache.put(key, object(), started)
    assert principal_cache.get(key) is None


def test_a_check_between_the_change_and_its_commit_is_not_kept(db, bare_tenant, token):
    """Another request thread may check the token after the disabling flush but before the commit (it still reads
    the committed, active row): what it caches is dropped when the change commits."""
    user, access = token
    with db.tenant_session(bare_tenant.id) as s:
        disable_user(s, user.id)
        s.flush()
        assert resolve_access(db, access).username == "alice"  # the old row, still committed
    with pytest.raises(Unauthenticated):
        resolve_access(db, access)
