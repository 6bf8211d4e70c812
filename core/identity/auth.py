"""Tenant-user authentication: login with rate limits and per-address lockout, refresh-token rotation with reuse
detection, logout, and resolving an access token into a :class:`Principal`."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session

from surety.core.context import ACTOR_USER, Actor, acting
from surety.core.db.session import Database, bind_tenant_context
from surety.core.db.types import utcnow
from surety.core.errors import TenantSuspended, Unauthenticated
from surety.core.i18n import N_
from surety.core.identity import _audit, principal_cache, ratelimit
from surety.core.identity.lockout import register_failure, register_success
from surety.core.identity.models import USER_ACTIVE, RefreshToken, User
from surety.core.identity.passwords import dummy_verify, hash_password, needs_rehash, verify_password
from surety.core.identity.principal import PRINCIPAL_USER, Principal
from surety.core.identity.service import revoke_refresh_tokens
from surety.core.identity.tokens import (
    INVALID_TOKEN,
    AccessClaims,
    TokenPair,
    create_access_token,
    decode_access_token,
    hash_token,
    new_refresh_token,
    refresh_token_tenant,
)
from surety.core.settings import get_settings
from surety.tenants.models import TENANT_ACTIVE, Tenant

__all__ = ["AccessClaims", "TokenPair", "decode_access_token", "login", "logout", "refresh", "resolve_access"]

log = structlog.get_logger("surety.identity")

INVALID_LOGIN = N_("Invalid tenant, username or password.")
INVALID_REFRESH = N_("Invalid or expired refresh token.")
SUSPENDED = N_("This tenant is suspended.")


def _issue(session: Session, user: User, now: dt.datetime) -> TokenPair:
    access, lifetime = create_access_token(user.id, user.tenant_id, now=now)
    refresh_token = new_refresh_token(user.tenant_id)
    session.add(RefreshToken(user_id=user.id, token_hash=hash_token(refresh_token),
                             expires_at=now + dt.timedelta(days=get_settings().refresh_token_days)))
    return TokenPair(access, refresh_token, lifetime)


def user_actor(user: User) -> Actor:
    """The actor of a tenant user (what logging in gives)."""
    return Actor(type=ACTOR_USER, id=str(user.id), tenant_id=user.tenant_id, org_unit_id=user.org_unit_id,
                 username=user.username)


def login(db: Database, tenant_slug: str, username: str, password: str, *, client_addr: str | None = None
          ) -> TokenPair:
    """Check a password and issue a token pair.

    Rate limits come first (:mod:`surety.core.identity.ratelimit`): an attempt over a limit raises
    :class:`RateLimited` with the seconds to wait, before any lookup or password check. The same happens for
    unknown tenants and users, so the answer tells nothing about which accounts exist. Otherwise unknown tenant,
    unknown user, wrong password or disabled account all raise the same :class:`Unauthenticated` after one argon2
    verification. A suspended tenant raises :class:`TenantSuspended`, but only once the password is known to be
    right. Failures are counted (and audited) in a transaction that commits although the login fails.
    """
    guard = ratelimit.login_guard(ratelimit.SCOPE_TENANT, (tenant_slug or "", username or ""), client_addr)
    guard.admit()
    with db.platform_session() as s:
        tenant = s.scalar(select(Tenant).where(Tenant.slug == (tenant_slug or "")))
    if tenant is None:
        dummy_verify(password)
        guard.failed()
        raise Unauthenticated(INVALID_LOGIN)

    with acting(client_addr=client_addr), db.tenant_session(tenant.id) as s:
        outcome = _attempt(s, tenant, username, password, utcnow(), guard)
    if isinstance(outcome, Exception):
        raise outcome
    guard.succeeded()
    return outcome


def _failed(s: Session, guard: ratelimit.LoginGuard, tenant: Tenant, user: User | None, reason: str
            ) -> Unauthenticated:
    """Count a failure against the limits and audit it (and the lock of this account and address, when it is the
    failure that sets it)."""
    entity_id = user.id if user is not None else None
    if guard.failed():
        log.warning("login.address_locked", tenant_id=str(tenant.id),
                    user_id=str(entity_id) if entity_id else None)
        _audit.record(s, "auth.login_locked", entity_id=entity_id,
                      after={"minutes": get_settings().lockout_minutes})
    _audit.record(s, "auth.login_failed", entity_id=entity_id, after={"reason": reason})
    return Unauthenticated(INVALID_LOGIN)


def _attempt(s: Session, tenant: Tenant, username: str, password: str, now: dt.datetime,
             guard: ratelimit.LoginGuard) -> TokenPair | Exception:
    """One login attempt inside the tenant's transaction; failures are returned, not raised, so the transaction
    (failure counter, audit) commits."""
    user = s.scalar(select(User).where(User.username == (username or "")).with_for_update())
    if user is None:
        dummy_verify(password)
        return _failed(s, guard, tenant, None, "unknown_user")
    if not verify_password(user.password_hash, password):
        register_failure(user)
        return _failed(s, guard, tenant, user, "bad_password")
    if user.status != USER_ACTIVE:
        _audit.record(s, "auth.login_failed", entity_id=user.id, after={"reason": "disabled"})
        return Unauthenticated(INVALID_LOGIN)
    if not tenant.active:
        _audit.record(s, "auth.login_failed", entity_id=user.id, after={"reason": "tenant_suspended"})
        return TenantSuspended(SUSPENDED)
    register_success(user, now)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    pair = _issue(s, user, now)
    with acting(user_actor(user)):
        _audit.record(s, "auth.login", entity_id=user.id)
    return pair


def _find_refresh(s: Session, token: str) -> RefreshToken | None:
    return s.scalar(select(RefreshToken).where(RefreshToken.token_hash == hash_token(token)).with_for_update())


def refresh(db: Database, refresh_token: str, *, client_addr: str | None = None) -> TokenPair:
    """Rotate a refresh token: the presented one is revoked and a new pair issued.

    Presenting a token that was already revoked means it leaked: every refresh token of that user is revoked.
    An address that presented too many bad tokens lately gets :class:`RateLimited` instead.
    """
    ratelimit.check_token(client_addr)
    try:
        return _refresh(db, refresh_token, client_addr)
    except Unauthenticated:
        ratelimit.token_failed(client_addr)
        raise


def _refresh(db: Database, refresh_token: str, client_addr: str | None) -> TokenPair:
    tenant_id = refresh_token_tenant(refresh_token)
    error: Exception | None = None
    with acting(client_addr=client_addr), db.tenant_session(tenant_id) as s:
        now = utcnow()
        row = _find_refresh(s, refresh_token)
        if row is None or (row.revoked_at is None and row.expires_at <= now):
            raise Unauthenticated(INVALID_REFRESH)
        if row.revoked_at is not None:
            revoked = revoke_refresh_tokens(s, row.user_id)
            log.warning("refresh.reuse_detected", tenant_id=str(tenant_id), user_id=str(row.user_id),
                        revoked=revoked)
            _audit.record(s, "auth.refresh_reuse_detected", entity_id=row.user_id, after={"revoked": revoked})
            error = Unauthenticated(INVALID_REFRESH)
        else:
            user = s.scalar(select(User).where(User.id == row.user_id))
            tenant = s.get(Tenant, tenant_id)
            if user is None or user.status != USER_ACTIVE:
                raise Unauthenticated(INVALID_REFRESH)
            if tenant is None or not tenant.active:
                raise TenantSuspended(SUSPENDED)
            row.revoked_at = now
            pair = _issue(s, user, now)
    if error is not None:
        raise error
    return pair


def logout(db: Database, refresh_token: str, *, client_addr: str | None = None) -> None:
    """Revoke a refresh token (idempotent for a token already revoked); unknown tokens count against the address
    like a bad refresh."""
    ratelimit.check_token(client_addr)
    try:
        _logout(db, refresh_token, client_addr)
    except Unauthenticated:
        ratelimit.token_failed(client_addr)
        raise


def _logout(db: Database, refresh_token: str, client_addr: str | None) -> None:
    tenant_id = refresh_token_tenant(refresh_token)
    with acting(client_addr=client_addr), db.tenant_session(tenant_id) as s:
        row = _find_refresh(s, refresh_token)
        if row is None:
            raise Unauthenticated(INVALID_REFRESH)
        if row.revoked_at is None:
            row.revoked_at = utcnow()
            _audit.record(s, "auth.logout", entity_id=row.user_id)


def resolve_access(db: Database, token: str, *,
                   session_for: Callable[[uuid.UUID], Session] | None = None) -> Principal:
    """The user behind an access token, after checking the token, that the user exists and is active, that the
    password was not changed since the token was issued, and that the tenant is active (one indexed query, whose
    success is cached for a few seconds: core/identity/principal_cache.py).

    ``session_for(tenant_id)``, when given, supplies a begun session bound to the token's tenant for that query: the
    request's own (core/web.py), so checking a token costs one statement in the transaction the request opens anyway
    instead of a transaction of its own. It is not called when the cache answers."""
    claims = decode_access_token(token)
    key = (claims.tenant_id, claims.user_id, claims.issued_at)
    if (cached := principal_cache.get(key)) is not None:
        return cached
    started = principal_cache.epoch()
    if session_for is None:
        with db.tenant_session(claims.tenant_id) as s:
            found = _user_and_tenant_status(s, claims.user_id)
    else:
        with bind_tenant_context(claims.tenant_id):
            found = _user_and_tenant_status(session_for(claims.tenant_id), claims.user_id)
    if found is None:
        raise Unauthenticated(INVALID_TOKEN)
    user, tenant_status = found
    if user.status != USER_ACTIVE or claims.issued_at < int(user.password_changed_at.timestamp()):
        raise Unauthenticated(INVALID_TOKEN)
    if tenant_status != TENANT_ACTIVE:
        raise TenantSuspended(SUSPENDED)
    principal = Principal(type=PRINCIPAL_USER, id=user.id, tenant_id=user.tenant_id, org_unit_id=user.org_unit_id,
                          username=user.username, display_name=user.display_name)
    principal_cache.put(key, principal, started)
    return principal


def _user_and_tenant_status(session: Session, user_id: uuid.UUID):
    return session.execute(
        select(User, Tenant.status).join(Tenant, Tenant.id == User.tenant_id).where(User.id == user_id)
    ).first()
