"""Rate limits on guessing credentials, on the ``limits`` library (the engine of slowapi and Flask-Limiter).

A password login (tenant user or platform operator) passes three limits, none of which lets a stranger keep the
owner out:

* **pair** — attempts at one account from one client address (``lockout_threshold`` per ``lockout_minutes``):
  the lockout. It locks that pair only; the owner at another address is not affected. A successful login from the
  address clears it, and so does an administrator's :func:`unlock_account` (``unlock_user``).
* **account** — attempts at one account from addresses it has not logged in from before
  (``rate_limit_login_account``, a few a minute): a short throttle, never a long lock. Addresses the account logged
  in from within ``known_address_days`` are exempt, so attacks spread over many addresses slow the guessing
  without shutting the owner out.
* **address** — failed logins from one address across every account (``rate_limit_login_address``): password
  spraying.

Refresh tokens and API keys presented by an address are limited the same way (``rate_limit_token_address``, failed
presentations only). A refused attempt raises :class:`RateLimited` (code ``RATE_LIMITED``, ``retry_after`` seconds)
before any password is verified.

Counters live in the storage named by ``rate_limit_storage`` (``memory://``: per process; ``redis://host:6379/0``
to share them between workers and replicas), with the strategy ``rate_limit_strategy``. Keys are HMACs of tenant,
username and address, so the store holds no usernames or addresses. IPv6 addresses count by their /64 network
(one subscriber's allocation). If the store fails, logins go on unlimited and the error is logged: the limits are
a second line behind argon2, and an outage of Redis must not stop every login.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import math
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass

import limits
import structlog
from limits.errors import StorageError
from limits.storage import storage_from_string
from limits.strategies import STRATEGIES

from surety.core.errors import DomainError
from surety.core.settings import get_settings

__all__ = ["SCOPE_PLATFORM", "SCOPE_TENANT", "LoginGuard", "RateLimited", "check_token", "login_guard",
           "reset_rate_limits", "token_failed", "unlock_account"]

log = structlog.get_logger("surety.identity")

SCOPE_TENANT = "tenant"
SCOPE_PLATFORM = "platform"
#: How long an administrator's unlock is remembered (it only has to outlive the lockout window).
_EPOCH_SECONDS = 366 * 24 * 3600


class RateLimited(DomainError):
    """Too many attempts: try again after ``retry_after`` seconds."""

    code = "RATE_LIMITED"

    def __init__(self, retry_after: int):
        retry_after = max(1, int(retry_after))
        super().__init__("Too many attempts: try again in {retry_after} seconds. "
                         "尝试次数过多，请 {retry_after} 秒后再试。", retry_after=retry_after)
        self.retry_after = retry_after


@dataclass(frozen=True)
class _Limits:
    storage: object
    limiter: object
    pair: limits.RateLimitItem
    account: limits.RateLimitItem
    address: limits.RateLimitItem
    token: limits.RateLimitItem
    known_seconds: int
    secret: bytes


_lock = threading.Lock()
_state: dict[tuple, _Limits] = {}


def _limits() -> _Limits:
    """The limiter for the current settings (built once per process and settings)."""
    s = get_settings()
    config = (s.rate_limit_storage, s.rate_limit_strategy, s.lockout_threshold, s.lockout_minutes,
              s.rate_limit_login_account, s.rate_limit_login_address, s.rate_limit_token_address,
              s.known_address_days, s.jwt_secret)
    found = _state.get(config)
    if found is None:
        with _lock:
            found = _state.get(config)
            if found is None:
                options = {"key_prefix": "surety-limits"} if s.rate_limit_storage.startswith(("redis", "valkey")) \
                    else {}
                storage = storage_from_string(s.rate_limit_storage, wrap_exceptions=True, **options)
                found = _Limits(
                    storage=storage, limiter=STRATEGIES[s.rate_limit_strategy](storage),
                    pair=limits.parse(f"{s.lockout_threshold} per {s.lockout_minutes} minutes"),
                    account=limits.parse(s.rate_limit_login_account),
                    address=limits.parse(s.rate_limit_login_address),
                    token=limits.parse(s.rate_limit_token_address),
                    known_seconds=s.known_address_days * 24 * 3600,
                    secret=hashlib.sha256(b"surety.ratelimit|" + s.jwt_secret.encode()).digest(),
                )
                _state.clear()
                _state[config] = found
    return found


def reset_rate_limits() -> None:
    """Forget every count in the store of the current settings (tests; on Redis it deletes the ``surety-limits``
    keys)."""
    with _lock:
        _state.clear()
    try:
        _limits().storage.reset()
    except StorageError:
        log.error("ratelimit.storage_unavailable", op="reset")


def _address(client_addr: str | None) -> str:
    """The address a limit counts: IPv6 by /64 network, IPv4 as is, anything else (``testclient``, None) as text."""
    if not client_addr:
        return "unknown"
    try:
        ip = ipaddress.ip_address(client_addr)
    except ValueError:
        return client_addr[:100]
    if ip.version == 6:
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def _key(state: _Limits, *parts: str) -> str:
    return hmac.new(state.secret, "\0".join(parts).encode(), hashlib.sha256).hexdigest()[:32]


def _retry_after(state: _Limits, item: limits.RateLimitItem, *identifiers: str) -> int:
    reset_time = state.limiter.get_window_stats(item, *identifiers).reset_time
    return max(1, math.ceil(reset_time - time.time()))


def _epoch_key(account: str) -> str:
    return f"surety/login-epoch/{account}"


def _known_key(account: str, address: str) -> str:
    return f"surety/login-known/{account}/{address}"


class LoginGuard:
    """The limits of one login attempt: :meth:`admit` before verifying the password, then :meth:`failed` or
    :meth:`succeeded`. Build it with :func:`login_guard`."""

    def __init__(self, scope: str, account: Sequence[str], client_addr: str | None):
        self._state = _limits()
        self._account = _key(self._state, scope, *account)
        self._address = _key(self._state, _address(client_addr))
        self._pair: tuple[str, ...] = ()
        self._known = False

    def admit(self) -> None:
        """Reserve this attempt against the pair and (from an unknown address) the account limit; refuse with
        :class:`RateLimited` when a limit is reached. A refused attempt is not counted."""
        st = self._state
        try:
            epoch = str(st.storage.get(_epoch_key(self._account)))
            self._pair = ("login-pair", self._account, epoch, self._address)
            self._known = st.storage.get(_known_key(self._account, self._address)) > 0
            waits = []
            if not st.limiter.test(st.address, "login-address", self._address):
                waits.append(("address", _retry_after(st, st.address, "login-address", self._address)))
            if not st.limiter.test(st.pair, *self._pair):
                waits.append(("pair", _retry_after(st, st.pair, *self._pair)))
            if not self._known and not st.limiter.test(st.account, "login-account", self._account):
                waits.append(("account", _retry_after(st, st.account, "login-account", self._account)))
            if not waits:
                if not st.limiter.hit(st.pair, *self._pair):
                    waits.append(("pair", _retry_after(st, st.pair, *self._pair)))
                elif not self._known and not st.limiter.hit(st.account, "login-account", self._account):
                    waits.append(("account", _retry_after(st, st.account, "login-account", self._account)))
        except StorageError:
            log.error("ratelimit.storage_unavailable", op="admit")
            return
        if waits:
            limit, retry_after = max(waits, key=lambda w: w[1])
            log.warning("login.rate_limited", limit=limit, retry_after=retry_after)
            raise RateLimited(retry_after)

    def failed(self) -> bool:
        """Count a failed password (or unknown account) against the address; True when the pair is now locked."""
        st = self._state
        try:
            st.limiter.hit(st.address, "login-address", self._address)
            return bool(self._pair) and not st.limiter.test(st.pair, *self._pair)
        except StorageError:
            log.error("ratelimit.storage_unavailable", op="failed")
            return False

    def succeeded(self) -> None:
        """A good login: the pair's count restarts and the address becomes known to the account."""
        st = self._state
        try:
            if self._pair:
                st.limiter.clear(st.pair, *self._pair)
            st.storage.incr(_known_key(self._account, self._address), st.known_seconds)
        except StorageError:
            log.error("ratelimit.storage_unavailable", op="succeeded")


def login_guard(scope: str, account: Sequence[str], client_addr: str | None) -> LoginGuard:
    """The guard of a login at ``account`` (``(tenant slug, username)`` for tenant users, ``(username,)`` for
    operators, as typed: unknown accounts are limited exactly like real ones) from ``client_addr``."""
    return LoginGuard(scope, account, client_addr)


def unlock_account(scope: str, account: Sequence[str]) -> None:
    """Lift every address lock of an account and its throttle (an administrator's unlock, a password reset)."""
    st = _limits()
    key = _key(st, scope, *account)
    try:
        st.storage.incr(_epoch_key(key), _EPOCH_SECONDS)
        st.limiter.clear(st.account, "login-account", key)
    except StorageError:
        log.error("ratelimit.storage_unavailable", op="unlock")


def check_token(client_addr: str | None) -> None:
    """Refuse an address that presented too many bad refresh tokens or API keys lately (only when the caller
    names the address: a shared ``unknown`` bucket would let one guesser stop every integration)."""
    if client_addr is None:
        return
    st = _limits()
    address = _key(st, _address(client_addr))
    try:
        if st.limiter.test(st.token, "token-address", address):
            return
        retry_after = _retry_after(st, st.token, "token-address", address)
    except StorageError:
        log.error("ratelimit.storage_unavailable", op="check_token")
        return
    log.warning("token.rate_limited", retry_after=retry_after)
    raise RateLimited(retry_after)


def token_failed(client_addr: str | None) -> None:
    """Count a refresh token or API key that was refused, against the presenting address."""
    if client_addr is None:
        return
    st = _limits()
    try:
        st.limiter.hit(st.token, "token-address", _key(st, _address(client_addr)))
    except StorageError:
        log.error("ratelimit.storage_unavailable", op="token_failed")
