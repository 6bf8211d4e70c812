"""Rate limits on guessing credentials (core/identity/ratelimit.py): lockout per account and address, account
throttle, address limits, token guessing, the administrator's unlock, the GraphQL answer, settings."""

import dataclasses
import os
import secrets

import pytest
from structlog.testing import capture_logs

from surety.core.errors import ConfigurationError, Unauthenticated
from surety.core.identity import ratelimit
from surety.core.identity.api_keys import authenticate_api_key, create_api_key
from surety.core.identity.auth import login, logout, refresh
from surety.core.identity.operators import create_operator, login_operator
from surety.core.identity.ratelimit import RateLimited
from surety.core.identity.service import set_password, unlock_user
from surety.core.settings import get_settings, load_settings
from surety.core.web import authenticate

ATTACKER = "203.0.113.9"
OWNER = "198.51.100.7"


@pytest.fixture
def limit_settings(monkeypatch):
    """``limit_settings(**fields)``: the rate limits read these settings from now on."""

    def apply(**fields):
        changed = dataclasses.replace(get_settings(), **fields)
        monkeypatch.setattr(ratelimit, "get_settings", lambda: changed)
        ratelimit.reset_rate_limits()
        return changed

    yield apply
    ratelimit.reset_rate_limits()


def _lock(db, tenant, client_addr, username="alice"):
    for _ in range(get_settings().lockout_threshold):
        with pytest.raises(Unauthenticated):
            login(db, tenant.slug, username, "Wrong-Password-1", client_addr=client_addr)
    with pytest.raises(RateLimited):
        login(db, tenant.slug, username, "Wrong-Password-1", client_addr=client_addr)


def test_admin_unlock_lifts_the_lock_of_every_address(db, bare_tenant, new_user, password, audit_actions):
    user = new_user()
    _lock(db, bare_tenant, OWNER)  # the owner mistyped from the office
    _lock(db, bare_tenant, ATTACKER)
    with db.tenant_session(bare_tenant.id) as s:
        unlock_user(s, user.id)
    login(db, bare_tenant.slug, "alice", password, client_addr=OWNER)
    login(db, bare_tenant.slug, "alice", password, client_addr=ATTACKER)
    assert "user.unlocked" in audit_actions(bare_tenant, user.id)


def test_unlock_lifts_only_that_account(db, bare_tenant, new_user, password):
    alice, _ = new_user(), new_user("bob")
    _lock(db, bare_tenant, OWNER, "bob")
    with db.tenant_session(bare_tenant.id) as s:
        unlock_user(s, alice.id)
    with pytest.raises(RateLimited):
        login(db, bare_tenant.slug, "bob", password, client_addr=OWNER)


def test_a_new_password_lifts_the_lock(db, bare_tenant, new_user):
    user = new_user()
    _lock(db, bare_tenant, OWNER)
    with db.tenant_session(bare_tenant.id) as s:
        set_password(s, user.id, "An0ther-Passphrase!")
    login(db, bare_tenant.slug, "alice", "An0ther-Passphrase!", client_addr=OWNER)


def test_ipv6_addresses_count_by_their_64_network(db, bare_tenant, new_user, password):
    new_user()
    for i in range(get_settings().lockout_threshold):
        with pytest.raises(Unauthenticated):
            login(db, bare_tenant.slug, "alice", "Wrong-Password-1", client_addr=f"2001:db8:1:2::{i + 1}")
    with pytest.raises(RateLimited):
        login(db, bare_tenant.slug, "alice", password, client_addr="2001:db8:1:2:ffff::9")
    login(db, bare_tenant.slug, "alice", password, client_addr="2001:db8:1:3::1")


def test_refresh_token_guessing_is_limited_per_address(db, bare_tenant, new_user, password, limit_settings):
    limit_settings(rate_limit_token_address="3 per minute")
    new_user()
    pair = login(db, bare_tenant.slug, "alice", password, client_addr=OWNER)
    for _ in range(3):
        with pytest.raises(Unauthenticated):
            refresh(db, f"{bare_tenant.id}.guess", client_addr=ATTACKER)
    with pytest.raises(RateLimited) as exc:
        refresh(db, pair.refresh_token, client_addr=ATTACKER)
    assert 0 < exc.value.retry_after <= 60
    with pytest.raises(RateLimited):
        logout(db, pair.refresh_token, client_addr=ATTACKER)
    assert refresh(db, pair.refresh_token, client_addr=OWNER).refresh_token


def test_api_key_guessing_is_limited_per_address(db, bare_tenant, limit_settings):
    limit_settings(rate_limit_token_address="3 per minute")
    with db.tenant_session(bare_tenant.id) as s:
        key, secret = create_api_key(s, "ERP bridge")
    for i in range(3):
        with pytest.raises(Unauthenticated):
            authenticate_api_key(db, f"sk_{key.prefix}_{'x' * 42}{i}", client_addr=ATTACKER)
    with pytest.raises(RateLimited):
        authenticate_api_key(db, secret, client_addr=ATTACKER)
    assert authenticate_api_key(db, secret, client_addr=OWNER).id == key.id
    # A caller that does not name the address is not limited (a shared bucket would let one guesser stop all).
    for _ in range(5):
        with pytest.raises(Unauthenticated):
            authenticate_api_key(db, "sk_nope")
    assert authenticate_api_key(db, secret).id == key.id


def test_a_store_outage_lets_logins_through_and_is_logged(db, bare_tenant, new_user, password, limit_settings):
    limit_settings(rate_limit_storage="redis://127.0.0.1:9/0")  # nothing listens on the discard port
    new_user()
    with capture_logs() as logs:
        for _ in range(get_settings().lockout_threshold + 1):
            with pytest.raises(Unauthenticated):
                login(db, bare_tenant.slug, "alice", "Wrong-Password-1", client_addr=ATTACKER)
        login(db, bare_tenant.slug, "alice", password, client_addr=ATTACKER)
    assert any(e["event"] == "ratelimit.storage_unavailable" for e in logs)


def test_the_store_holds_no_usernames_or_addresses(db, bare_tenant, new_user, password):
    new_user()
    login(db, bare_tenant.slug, "alice", password, client_addr=OWNER)
    with pytest.raises(Unauthenticated):
        login(db, bare_tenant.slug, "alice", "Wrong-Password-1", client_addr=ATTACKER)
    storage = ratelimit._limits().storage
    keys = " ".join(list(storage.storage) + list(storage.events))
    assert keys and not any(secret in keys for secret in ("alice", bare_tenant.slug, OWNER, ATTACKER))


LOGIN = ("mutation($t:String!,$u:String!,$p:String!){login(tenant:$t,username:$u,password:$p)"
         "{accessToken errors{code message field retryAfter}}}")


def test_graphql_answers_rate_limited_with_retry_after(api, bare_tenant, new_user):
    new_user()
    variables = {"t": bare_tenant.slug, "u": "alice", "p": "Wrong-Password-1"}
    for _ in range(get_settings().lockout_threshold):
        assert api(LOGIN, variables)["data"]["login"]["errors"][0]["code"] == "UNAUTHENTICATED"
    body = api(LOGIN, variables)
    assert "errors" not in body
    payload = body["data"]["login"]
    [error] = payload["errors"]
    assert payload["accessToken"] is None
    assert error["code"] == "RATE_LIMITED" and "秒后再试" in error["message"]
    assert 0 < error["retryAfter"] <= get_settings().lockout_minutes * 60
    assert str(error["retryAfter"]) in error["message"]


def test_graphql_platform_login_is_limited_per_address(api, db, password):
    op = create_operator(db, f"ops-{secrets.token_hex(4)}", password)
    query = ("mutation($u:String!,$p:String!){platformLogin(username:$u,password:$p)"
             "{accessToken errors{code retryAfter}}}")
    for _ in range(get_settings().lockout_threshold + 1):
        errors = api(query, {"u": op.username, "p": "Wrong-Password-1"})["data"]["platformLogin"]["errors"]
    assert errors[0]["code"] == "RATE_LIMITED" and errors[0]["retryAfter"] > 0
    # The lock is the GraphQL client's address only: the operator elsewhere logs in.
    assert login_operator(db, op.username, password, client_addr=OWNER).access_token


def test_settings_are_checked_at_start_up():
    base = {"SURETY_ENV": "test", "SURETY_KEK": os.environ["SURETY_KEK"],
            "SURETY_JWT_SECRET": os.environ["SURETY_JWT_SECRET"], "SURETY_VAR_DIR": os.environ["SURETY_VAR_DIR"]}
    base.update({k: v for k, v in os.environ.items() if k == "SURETY_AUDIT_KEY"})
    s = load_settings(base)
    assert (s.rate_limit_storage, s.rate_limit_strategy, s.rate_limit_login_account) == \
        ("memory://", "moving-window", "10 per minute")
    s = load_settings({**base, "SURETY_RATE_LIMIT_STORAGE": "redis://127.0.0.1:6379/0",
                       "SURETY_RATE_LIMIT_STRATEGY": "fixed-window", "SURETY_RATE_LIMIT_LOGIN_ADDRESS": "50/hour"})
    assert (s.rate_limit_storage, s.rate_limit_strategy, s.rate_limit_login_address) == \
        ("redis://127.0.0.1:6379/0", "fixed-window", "50/hour")
    for name, value in (("SURETY_RATE_LIMIT_STORAGE", "mysql://x"), ("SURETY_RATE_LIMIT_STRATEGY", "leaky"),
                        ("SURETY_RATE_LIMIT_LOGIN_ACCOUNT", "lots"), ("SURETY_LOGIN_KNOWN_ADDRESS_DAYS", "0")):
        with pytest.raises(ConfigurationError, match=name):
            load_settings({**base, name: value})


REDIS_URL = os.environ.get("SURETY_TEST_REDIS_URL", "")

if REDIS_URL:  # collected only where a Redis is named (CI and this machine set it; see docs/identity.md)

    def test_workers_sharing_redis_share_the_counts(db, bare_tenant, new_user, password, limit_settings):
        new_user()
        limit_settings(rate_limit_storage=REDIS_URL)
        for _ in range(get_settings().lockout_threshold):
            with pytest.raises(Unauthenticated):
                login(db, bare_tenant.slug, "alice", "Wrong-Password-1", client_addr=ATTACKER)
        ratelimit._state.clear()  # another worker: its own limiter on the same Redis
        with pytest.raises(RateLimited):
            login(db, bare_tenant.slug, "alice", password, client_addr=ATTACKER)
        login(db, bare_tenant.slug, "alice", password, client_addr=OWNER)


def test_the_request_path_counts_refused_api_keys_against_the_client_address(db, bare_tenant, limit_settings):
    """core/web.authenticate hands the client address on, so API-key guessing over HTTP is limited too."""

    limit_settings(rate_limit_token_address="3 per minute")
    with db.tenant_session(bare_tenant.id) as s:
        key, secret = create_api_key(s, "ERP bridge")
    for i in range(3):
        fields = authenticate(db, f"Bearer sk_{key.prefix}_{'x' * 42}{i}", ATTACKER)
        assert isinstance(fields["auth_error"], Unauthenticated)
    assert isinstance(authenticate(db, f"Bearer {secret}", ATTACKER)["auth_error"], RateLimited)
    assert "actor" in authenticate(db, f"Bearer {secret}", OWNER)
