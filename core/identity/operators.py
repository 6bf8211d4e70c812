"""Platform operators: they manage tenants and are not users of any tenant. Their tokens have ``typ=platform``,
their own audience and no ``tid``; there are no refresh tokens (log in again when the token expires)."""

from __future__ import annotations

import structlog
from sqlalchemy import select

from surety.core.db.session import Database
from surety.core.db.types import utcnow
from surety.core.errors import Conflict, Unauthenticated
from surety.core.i18n import N_
from surety.core.identity import ratelimit
from surety.core.identity.lockout import register_failure, register_success
from surety.core.identity.passwords import check_policy, dummy_verify, hash_password, needs_rehash, verify_password
from surety.core.identity.principal import PRINCIPAL_PLATFORM, Principal
from surety.core.identity.service import validate_username
from surety.core.identity.tokens import (
    INVALID_TOKEN,
    PlatformClaims,
    TokenPair,
    create_platform_token,
    decode_platform_token,
)
from surety.tenants.models import PlatformOperator

__all__ = ["PlatformClaims", "create_operator", "decode_platform_token", "login_operator", "resolve_platform"]

log = structlog.get_logger("surety.identity")
INVALID_OPERATOR_LOGIN = N_("Invalid username or password.")


def create_operator(db: Database, username: str, password: str) -> PlatformOperator:
    username = validate_username(username)
    check_policy(password, username=username)
    with db.platform_session() as s:
        if s.scalar(select(PlatformOperator.id).where(PlatformOperator.username == username)) is not None:
            raise Conflict("The operator {username!r} already exists.", field="username", username=username)
        operator = PlatformOperator(username=username, password_hash=hash_password(password), failed_logins=0)
        s.add(operator)
    log.info("operator.created", operator_id=str(operator.id))
    return operator


def login_operator(db: Database, username: str, password: str, *, client_addr: str | None = None) -> TokenPair:
    """A platform token for an operator; the same rate limits and per-address lockout as tenant users
    (:class:`RateLimited`), one generic error otherwise."""
    guard = ratelimit.login_guard(ratelimit.SCOPE_PLATFORM, (username or "",), client_addr)
    guard.admit()
    error: Unauthenticated | None = None
    with db.platform_session() as s:
        now = utcnow()
        op = s.scalar(select(PlatformOperator).where(PlatformOperator.username == (username or "")).with_for_update())
        if op is None:
            dummy_verify(password)
            error = Unauthenticated(INVALID_OPERATOR_LOGIN)
        else:
            if not verify_password(op.password_hash, password):
                register_failure(op)
                error = Unauthenticated(INVALID_OPERATOR_LOGIN)
            else:
                register_success(op, now)
                if needs_rehash(op.password_hash):
                    op.password_hash = hash_password(password)
                token, lifetime = create_platform_token(op.id, now=now)
    if error is not None:
        if guard.failed():
            log.warning("operator.address_locked", operator_id=str(op.id) if op else None)
        log.info("operator.login_failed", operator_id=str(op.id) if op else None)
        raise error
    guard.succeeded()
    log.info("operator.login", operator_id=str(op.id))
    return TokenPair(token, None, lifetime)


def resolve_platform(db: Database, token: str) -> Principal:
    """The operator behind a platform token (the operator must still exist)."""
    claims = decode_platform_token(token)
    with db.platform_session() as s:
        op = s.scalar(select(PlatformOperator).where(PlatformOperator.id == claims.operator_id))
    if op is None:
        raise Unauthenticated(INVALID_TOKEN)
    return Principal(type=PRINCIPAL_PLATFORM, id=op.id, tenant_id=None, username=op.username,
                     display_name=op.username)

