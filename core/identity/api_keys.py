"""API keys for system integrations: ``sk_<prefix>_<random>``, shown once, stored as SHA-256."""

from __future__ import annotations

import datetime as dt
import hmac
import re
import secrets
import uuid
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from surety.core.authz.provision import assign_roles
from surety.core.db.session import Database
from surety.core.db.types import utcnow
from surety.core.errors import NotFound, TenantSuspended, Unauthenticated, ValidationFailed
from surety.core.i18n import N_
from surety.core.identity import _audit, ratelimit
from surety.core.identity.models import ApiKey, ApiKeyRoute
from surety.core.identity.principal import PRINCIPAL_API_KEY, Principal
from surety.core.identity.tokens import hash_token
from surety.tenants.models import TENANT_ACTIVE, Tenant

PREFIX_LENGTH = 12
SECRET_RE = re.compile(r"^sk_([a-z0-9]{12})_([A-Za-z0-9_-]{32,})$")
INVALID_KEY = N_("Invalid API key.")
#: ``last_used_at`` is written at most this often per key, so busy integrations do not write on every call.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)
_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"


def _new_prefix() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(PREFIX_LENGTH))


def create_api_key(session: Session, name: str, roles: Iterable[str] = (), created_by: uuid.UUID | None = None
                   ) -> tuple[ApiKey, str]:
    """Create a key in the session's tenant; returns ``(key, secret)``. The secret is not stored: show it once."""
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise ValidationFailed("An API key needs a name of 1-200 characters.", field="name")
    roles = [str(r) for r in roles]
    tenant_id = session.info["tenant_id"]
    if not isinstance(tenant_id, uuid.UUID):
        raise ValidationFailed("API keys are created in a tenant session.")
    prefix = _new_prefix()
    secret = f"sk_{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey(name=name, prefix=prefix, key_hash=hash_token(secret), roles=roles, created_by=created_by)
    session.add_all([key, ApiKeyRoute(prefix=prefix, tenant_id=tenant_id)])
    session.flush()
    if roles:
        assign_roles(session, f"apikey:{key.id}", roles)
    _audit.record(session, "api_key.created", entity_type="api_key", entity_id=key.id,
                  after={"name": name, "prefix": prefix, "roles": roles})
    return key, secret


def revoke_api_key(session: Session, key_id: uuid.UUID) -> ApiKey:
    """Revoke a key (idempotent) and withdraw its role assignments."""
    key = session.scalar(select(ApiKey).where(ApiKey.id == key_id))
    if key is None:
        raise NotFound("No such API key.", field="id")
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        if key.roles:
            assign_roles(session, f"apikey:{key.id}", [])
        _audit.record(session, "api_key.revoked", entity_type="api_key", entity_id=key.id)
    return key


def authenticate_api_key(db: Database, secret: str, *, client_addr: str | None = None) -> Principal:
    """The principal of an API key: refused when malformed, unknown, revoked, or the tenant is suspended.

    With ``client_addr``, refused keys count against that address, and an address over
    ``rate_limit_token_address`` gets :class:`RateLimited` (:mod:`surety.core.identity.ratelimit`).
    """
    ratelimit.check_token(client_addr)
    try:
        return _authenticate(db, secret)
    except Unauthenticated:
        ratelimit.token_failed(client_addr)
        raise


def _authenticate(db: Database, secret: str) -> Principal:
    match = SECRET_RE.match(secret or "")
    if match is None:
        raise Unauthenticated(INVALID_KEY)
    prefix = match.group(1)
    with db.platform_session() as s:
        route = s.execute(
            select(ApiKeyRoute.tenant_id, Tenant.status).join(Tenant, Tenant.id == ApiKeyRoute.tenant_id)
            .where(ApiKeyRoute.prefix == prefix)
        ).first()
    if route is None:
        raise Unauthenticated(INVALID_KEY)
    tenant_id, tenant_status = route
    with db.tenant_session(tenant_id) as s:
        key = s.scalar(select(ApiKey).where(ApiKey.prefix == prefix))
        if key is None or not hmac.compare_digest(key.key_hash, hash_token(secret)) or key.revoked_at is not None:
            raise Unauthenticated(INVALID_KEY)
        if tenant_status != TENANT_ACTIVE:
            raise TenantSuspended("This tenant is suspended.")
        now = utcnow()
        if key.last_used_at is None or now - key.last_used_at >= LAST_USED_RESOLUTION:
            key.last_used_at = now
        return Principal(type=PRINCIPAL_API_KEY, id=key.id, tenant_id=tenant_id, username=f"apikey:{key.prefix}",
                         display_name=key.name, roles=tuple(key.roles or ()))
