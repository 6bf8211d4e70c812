import time

import pytest
from sqlalchemy import select, update

from surety.core.audit.models import AuditRecord
from surety.core.errors import TenantSuspended, Unauthenticated
from surety.core.identity import auth
from surety.core.identity.auth import INVALID_LOGIN, login
from surety.core.identity.models import RefreshToken, User
from surety.core.identity.passwords import _hasher
from surety.core.identity.ratelimit import RateLimited
from surety.core.identity.service import disable_user
from surety.core.identity.tokens import decode_access_token
from surety.core.settings import get_settings


def _user(db, tenant, username="alice"):
    with db.tenant_session(tenant.id) as s:
        return s.scalar(select(User).where(User.username == username))


def test_login_issues_tokens_for_the_tenant(db, bare_tenant, new_user, password):
    user = new_user()
    pair = login(db, bare_tenant.slug, "alice", password, client_addr="10.0.0.7")
    claims = decode_access_token(pair.access_token)
    assert claims.user_id == user.id and claims.tenant_id == bare_tenant.id
    assert pair.expires_in == get_settings().access_token_minutes * 60
    assert pair.refresh_token.startswith(f"{bare_tenant.id}.")
    after = _user(db, bare_tenant)
    assert after.last_login_at is not None and after.failed_logins == 0
    with db.tenant_session(bare_tenant.id) as s:
        assert s.scalar(select(RefreshToken.user_id)) == user.id


def test_login_is_audited_as_the_user(db, bare_tenant, new_user, password):
    user = new_user()
    login(db, bare_tenant.slug, "alice", password, client_addr="10.0.0.7")
    with db.tenant_session(bare_tenant.id) as s:
        rec = s.scalar(select(AuditRecord).where(AuditRecord.action == "auth.login"))
    assert (rec.actor_type, rec.actor_id, rec.entity_id, rec.client_addr) == ("user", str(user.id), str(user.id),
                                                                              "10.0.0.7")


def _error(fn, *args):
    with pytest.raises(Unauthenticated) as exc:
        fn(*args)
    return type(exc.value), exc.value.message, exc.value.code, exc.value.field


def test_wrong_password_unknown_user_unknown_tenant_disabled_all_look_the_same(
    db, bare_tenant, new_user, password
):
    new_user()
    bob = new_user("bob")
    with db.tenant_session(bare_tenant.id) as s:
        disable_user(s, bob.id)
    errors = {
        _error(login, db, bare_tenant.slug, "alice", "Wrong-Password-1"),
        _error(login, db, bare_tenant.slug, "nobody", password),
        _error(login, db, "no-such-tenant", "alice", password),
        _error(login, db, bare_tenant.slug, "bob", password),
    }
    assert errors == {(Unauthenticated, INVALID_LOGIN, "UNAUTHENTICATED", None)}


def test_unknown_user_and_unknown_tenant_still_verify_a_hash(db, bare_tenant, monkeypatch):
    calls = []
    monkeypatch.setattr(auth, "dummy_verify", lambda pw: calls.append(pw))
    with pytest.raises(Unauthenticated):
        login(db, bare_tenant.slug, "nobody", "Some-Password-1")
    with pytest.raises(Unauthenticated):
        login(db, "no-such-tenant", "nobody", "Some-Password-2")
    assert calls == ["Some-Password-1", "Some-Password-2"]


def test_user_of_another_tenant_cannot_log_in_here(db, bare_tenant, other_tenant, new_user, password):
    new_user(tenant=other_tenant)
    with pytest.raises(Unauthenticated):
        login(db, bare_tenant.slug, "alice", password)
    assert decode_access_token(login(db, other_tenant.slug, "alice", password).access_token).tenant_id == \
        other_tenant.id


def test_failures_are_counted_and_committed(db, bare_tenant, new_user, audit_actions):
    user = new_user()
    for _ in range(2):
        with pytest.raises(Unauthenticated):
            login(db, bare_tenant.slug, "alice", "Wrong-Password-1")
    assert _user(db, bare_tenant).failed_logins == 2
    assert audit_actions(bare_tenant, user.id).count("auth.login_failed") == 2


def test_success_resets_the_counter(db, bare_tenant, new_user, password):
    new_user()
    with pytest.raises(Unauthenticated):
        login(db, bare_tenant.slug, "alice", "Wrong-Password-1")
    login(db, bare_tenant.slug, "alice", password)
    assert _user(db, bare_tenant).failed_logins == 0


ATTACKER = "203.0.113.9"
OWNER = "198.51.100.7"


def _lock(db, tenant, username="alice", client_addr=ATTACKER):
    for _ in range(get_settings().lockout_threshold):
        with pytest.raises(Unauthenticated):
            login(db, tenant.slug, username, "Wrong-Password-1", client_addr=client_addr)


def _limited(fn, *args, **kw) -> RateLimited:
    with pytest.raises(RateLimited) as exc:
        fn(*args, **kw)
    assert exc.value.code == "RATE_LIMITED" and "秒后再试" in exc.value.message
    return exc.value


def test_lockout_after_threshold_refuses_that_address_even_the_right_password(db, bare_tenant, new_user, password,
                                                                              audit_actions):
    user = new_user()
    _lock(db, bare_tenant)
    refused = _limited(login, db, bare_tenant.slug, "alice", password, client_addr=ATTACKER)
    assert 0 < refused.retry_after <= get_settings().lockout_minutes * 60
    assert refused.details == {"retry_after": refused.retry_after}
    actions = audit_actions(bare_tenant, user.id)
    assert actions.count("auth.login_locked") == 1
    assert actions.count("auth.login_failed") == get_settings().lockout_threshold
    assert _user(db, bare_tenant).locked_until is None  # the account itself is not locked


def test_the_owner_logs_in_from_their_usual_address_while_an_attacker_hammers_the_account(db, bare_tenant, new_user,
                                                                                        password):
    new_user()
    login(db, bare_tenant.slug, "alice", password, client_addr=OWNER)  # the owner's usual address
    for _ in range(100):
        with pytest.raises((Unauthenticated, RateLimited)):
            login(db, bare_tenant.slug, "alice", "Wrong-Password-1", client_addr=ATTACKER)
    _limited(login, db, bare_tenant.slug, "alice", password, client_addr=ATTACKER)
    pair = login(db, bare_tenant.slug, "alice", password, client_addr=OWNER)
    assert decode_access_token(pair.access_token).tenant_id == bare_tenant.id


def test_the_account_throttle_is_short_and_spares_known_addresses(db, bare_tenant, new_user, password):
    # Attackers spread over many addresses fill the account-wide throttle: a new address waits a minute at most,
    # an address the account logged in from is not held back at all.
    new_user()
    login(db, bare_tenant.slug, "alice", password, client_addr=OWNER)
    for i in range(10):
        for _ in range(2):
            with pytest.raises((Unauthenticated, RateLimited)):
                login(db, bare_tenant.slug, "alice", "Wrong-Password-1", client_addr=f"192.0.2.{i}")
    throttled = _limited(login, db, bare_tenant.slug, "alice", password, client_addr="192.0.2.200")
    assert 0 < throttled.retry_after <= 60
    login(db, bare_tenant.slug, "alice", password, client_addr=OWNER)


def test_password_spraying_from_one_address_is_limited_across_accounts(db, bare_tenant, new_user, password):
    new_user()
    for i in range(30):
        with pytest.raises(Unauthenticated):
            login(db, bare_tenant.slug, f"user{i}", "Spring-2024!", client_addr=ATTACKER)
    refused = _limited(login, db, bare_tenant.slug, "alice", password, client_addr=ATTACKER)
    assert 0 < refused.retry_after <= 600
    login(db, bare_tenant.slug, "alice", password, client_addr=OWNER)


def test_unknown_accounts_and_tenants_are_limited_like_real_ones(db, bare_tenant, new_user):
    # The answer must not tell which accounts exist: unknown users and tenants lock the same way.
    new_user()
    for tenant_slug, username in ((bare_tenant.slug, "alice"), (bare_tenant.slug, "nobody"), ("no-such", "alice")):
        for _ in range(get_settings().lockout_threshold):
            with pytest.raises(Unauthenticated):
                login(db, tenant_slug, username, "Wrong-Password-1", client_addr=ATTACKER)
        _limited(login, db, tenant_slug, username, "Wrong-Password-1", client_addr=ATTACKER)


def test_one_failure_short_of_threshold_does_not_lock(db, bare_tenant, new_user, password):
    new_user()
    for _ in range(get_settings().lockout_threshold - 1):
        with pytest.raises(Unauthenticated):
            login(db, bare_tenant.slug, "alice", "Wrong-Password-1", client_addr=OWNER)
    login(db, bare_tenant.slug, "alice", password, client_addr=OWNER)


def test_success_restarts_the_count_of_the_address(db, bare_tenant, new_user, password):
    new_user()
    for _ in range(2):
        for _ in range(get_settings().lockout_threshold - 1):
            with pytest.raises(Unauthenticated):
                login(db, bare_tenant.slug, "alice", "Wrong-Password-1", client_addr=OWNER)
        login(db, bare_tenant.slug, "alice", password, client_addr=OWNER)


def test_lock_expires(db, bare_tenant, new_user, password, monkeypatch):
    new_user()
    _lock(db, bare_tenant)
    _limited(login, db, bare_tenant.slug, "alice", password, client_addr=ATTACKER)
    later = time.time() + get_settings().lockout_minutes * 60 + 1
    monkeypatch.setattr(time, "time", lambda: later)
    login(db, bare_tenant.slug, "alice", password, client_addr=ATTACKER)
    after = _user(db, bare_tenant)
    assert after.locked_until is None and after.failed_logins == 0


def test_suspended_tenant_refused_only_with_the_right_password(db, bare_tenant, new_user, password,
                                                               set_tenant_status):
    new_user()
    set_tenant_status(bare_tenant, "suspended")
    assert _error(login, db, bare_tenant.slug, "alice", "Wrong-Password-1")[1] == INVALID_LOGIN
    with pytest.raises(TenantSuspended):
        login(db, bare_tenant.slug, "alice", password)


def test_login_rehashes_an_outdated_hash(db, bare_tenant, new_user, password):
    new_user()
    old = _hasher("production").hash(password)
    with db.tenant_session(bare_tenant.id) as s:
        s.execute(update(User).values(password_hash=old))
    login(db, bare_tenant.slug, "alice", password)
    new_hash = _user(db, bare_tenant).password_hash
    assert new_hash != old and not _hasher("test").check_needs_rehash(new_hash)
