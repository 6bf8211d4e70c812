"""Signed access tokens (JWT, HS256), platform-operator tokens and opaque refresh tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import uuid
from dataclasses import dataclass

import jwt

from surety.core.db.types import utcnow
from surety.core.errors import Unauthenticated
from surety.core.i18n import N_
from surety.core.settings import get_settings

ISSUER = "surety"
AUDIENCE = "surety-api"
PLATFORM_AUDIENCE = "surety-platform"
ALGORITHM = "HS256"
TYP_ACCESS = "access"
TYP_PLATFORM = "platform"
INVALID_TOKEN = N_("Invalid or expired access token.")


@dataclass(frozen=True)
class TokenPair:
    """What a login or refresh returns. ``refresh_token`` is None for platform operators."""

    access_token: str
    refresh_token: str | None
    expires_in: int
    token_type: str = "Bearer"


@dataclass(frozen=True)
class AccessClaims:
    user_id: uuid.UUID
    tenant_id: uuid.UUID
    jti: str
    issued_at: int
    expires_at: int


@dataclass(frozen=True)
class PlatformClaims:
    operator_id: uuid.UUID
    jti: str
    issued_at: int
    expires_at: int


def _encode(claims: dict, audience: str, now: dt.datetime | None) -> tuple[str, int]:
    settings = get_settings()
    now = now or utcnow()
    lifetime = settings.access_token_minutes * 60
    iat = int(now.timestamp())
    payload = {**claims, "iss": ISSUER, "aud": audience, "iat": iat, "exp": iat + lifetime,
               "jti": secrets.token_urlsafe(16)}
    return jwt.encode(payload, settings.jwt_secret, algorithm=ALGORITHM), lifetime


def _decode(token: str, audience: str, typ: str, required: list[str]) -> dict:
    try:
        claims = jwt.decode(
            token, get_settings().jwt_secret, algorithms=[ALGORITHM], audience=audience, issuer=ISSUER,
            options={"require": ["exp", "iat", "iss", "aud", "sub", "typ", "jti", *required]},
        )
    except (jwt.PyJWTError, TypeError, ValueError) as exc:
        raise Unauthenticated(INVALID_TOKEN) from exc
    if claims.get("typ") != typ:
        raise Unauthenticated(INVALID_TOKEN)
    return claims


def _uuid(value: object) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError as exc:
        raise Unauthenticated(INVALID_TOKEN) from exc


def create_access_token(user_id: uuid.UUID, tenant_id: uuid.UUID, *, now: dt.datetime | None = None
                        ) -> tuple[str, int]:
    """``(token, lifetime in seconds)`` for a tenant user."""
    return _encode({"sub": str(user_id), "tid": str(tenant_id), "typ": TYP_ACCESS}, AUDIENCE, now)


def decode_access_token(token: str) -> AccessClaims:
    """Check signature, algorithm, issuer, audience, expiry and type; raise :class:`Unauthenticated` otherwise."""
    claims = _decode(token, AUDIENCE, TYP_ACCESS, ["tid"])
    return AccessClaims(_uuid(claims["sub"]), _uuid(claims["tid"]), str(claims["jti"]), int(claims["iat"]),
                        int(claims["exp"]))


def create_platform_token(operator_id: uuid.UUID, *, now: dt.datetime | None = None) -> tuple[str, int]:
    """``(token, lifetime in seconds)`` for a platform operator: no ``tid``, its own audience and type."""
    return _encode({"sub": str(operator_id), "typ": TYP_PLATFORM}, PLATFORM_AUDIENCE, now)


def decode_platform_token(token: str) -> PlatformClaims:
    claims = _decode(token, PLATFORM_AUDIENCE, TYP_PLATFORM, [])
    if "tid" in claims:
        raise Unauthenticated(INVALID_TOKEN)
    return PlatformClaims(_uuid(claims["sub"]), str(claims["jti"]), int(claims["iat"]), int(claims["exp"]))


def hash_token(token: str) -> str:
    """SHA-256 hex of an opaque token: what the database stores."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_refresh_token(tenant_id: uuid.UUID) -> str:
    """``<tenant-uuid>.<random>``: the tenant part lets the token be looked up in the right tenant."""
    return f"{tenant_id}.{secrets.token_urlsafe(32)}"


def refresh_token_tenant(token: str) -> uuid.UUID:
    """The tenant named by a refresh token; :class:`Unauthenticated` when it is malformed."""
    head, sep, secret = (token or "").partition(".")
    if not sep or not secret:
        raise Unauthenticated("Invalid refresh token.")
    try:
        return uuid.UUID(head)
    except ValueError as exc:
        raise Unauthenticated("Invalid refresh token.") from exc
