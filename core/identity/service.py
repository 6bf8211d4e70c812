"""Tenant users: create, change password, disable, enable, unlock. Every change is audited."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from surety.core.authz.provision import assign_roles
from surety.core.db.types import utcnow
from surety.core.errors import Conflict, NotFound, ValidationFailed
from surety.core.identity import _audit, ratelimit
from surety.core.identity.lockout import clear_failures
from surety.core.identity.models import USER_ACTIVE, USER_DISABLED, OrgUnit, RefreshToken, User
from surety.core.identity.passwords import check_policy, hash_password, verify_password
from surety.core.validators import normalise_cn_mobile, normalise_email
from surety.tenants.models import Tenant

USERNAME_RE = re.compile(r"^[A-Za-z0-9_.@-]{3,100}$")


def validate_username(username: str) -> str:
    if not isinstance(username, str) or not USERNAME_RE.match(username):
        raise ValidationFailed(
            "A username is 3-100 characters: letters, digits, '_', '.', '@' or '-'.", field="username"
        )
    return username


def get_user(session: Session, user_id: uuid.UUID) -> User:
    user = session.scalar(select(User).where(User.id == user_id))
    if user is None:
        raise NotFound("No such user.", field="user_id")
    return user


def _check_org_unit(session: Session, org_unit_id: uuid.UUID | None) -> None:
    if org_unit_id is not None and session.scalar(select(OrgUnit.id).where(OrgUnit.id == org_unit_id)) is None:
        raise NotFound("No such org unit.", field="org_unit_id")


def create_user(
    session: Session,
    *,
    username: str,
    password: str,
    display_name: str = "",
    org_unit_id: uuid.UUID | None = None,
    roles: Iterable[str] = (),
    phone: str | None = None,
    email: str | None = None,
) -> User:
    """Create a user in the session's tenant and assign ``roles`` (Casbin subject ``user:<id>``)."""
    username = validate_username(username)
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise Conflict("The username {username!r} is already taken.", field="username", username=username)
    check_policy(password, username=username)
    _check_org_unit(session, org_unit_id)
    phone = normalise_cn_mobile(phone) if phone else None
    email = normalise_email(email) if email else None
    user = User(username=username, display_name=(display_name or "").strip(), password_hash=hash_password(password),
                status=USER_ACTIVE, org_unit_id=org_unit_id, failed_logins=0, password_changed_at=utcnow(),
                phone=phone, email=email)
    session.add(user)
    session.flush()
    roles = list(roles)
    if roles:
        assign_roles(session, f"user:{user.id}", roles)
    _audit.record(session, "user.created", entity_id=user.id,
                  after={"username": username, "org_unit_id": str(org_unit_id) if org_unit_id else None,
                         "roles": roles})
    return user


def revoke_refresh_tokens(session: Session, user_id: uuid.UUID) -> int:
    """Revoke every live refresh token of a user; the number revoked."""
    result = session.execute(
        update(RefreshToken)
        .where(RefreshToken.user_id == user_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session="fetch")
    )
    return result.rowcount or 0


def set_password(session: Session, user_id: uuid.UUID, password: str, *, current_password: str | None = None
                 ) -> User:
    """Set a new password (checked against the policy). With ``current_password`` (self-service) it must match.

    Clears any lockout and revokes the user's refresh tokens; access tokens issued before the change stop working.
    """
    user = get_user(session, user_id)
    if current_password is not None and not verify_password(user.password_hash, current_password):
        raise ValidationFailed("The current password is wrong.", field="current_password")
    check_policy(password, username=user.username)
    if verify_password(user.password_hash, password):
        raise ValidationFailed("The new password must differ from the current one.", field="password")
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()
    _lift_lockout(session, user)
    revoke_refresh_tokens(session, user.id)
    _audit.record(session, "user.password_changed", entity_id=user.id)
    return user


def disable_user(session: Session, user_id: uuid.UUID) -> User:
    """Disable a user: logins, refreshes and existing access tokens are refused from now on."""
    user = get_user(session, user_id)
    before = user.status
    user.status = USER_DISABLED
    revoke_refresh_tokens(session, user.id)
    _audit.record(session, "user.disabled", entity_id=user.id, before={"status": before},
                  after={"status": USER_DISABLED})
    return user


def enable_user(session: Session, user_id: uuid.UUID) -> User:
    """Re-enable a user and clear any lockout."""
    user = get_user(session, user_id)
    before = user.status
    user.status = USER_ACTIVE
    _lift_lockout(session, user)
    _audit.record(session, "user.enabled", entity_id=user.id, before={"status": before},
                  after={"status": USER_ACTIVE})
    return user


def _lift_lockout(session: Session, user: User) -> None:
    """Clear the failure counter and lift every per-address lock and the throttle of the user's logins."""
    clear_failures(user)
    tenant = session.get(Tenant, user.tenant_id)
    if tenant is not None:
        ratelimit.unlock_account(ratelimit.SCOPE_TENANT, (tenant.slug, user.username))


def unlock_user(session: Session, user_id: uuid.UUID) -> User:
    """Lift a lockout before it expires (an administrator's action): every address locked out of the account may
    try again at once."""
    user = get_user(session, user_id)
    _lift_lockout(session, user)
    _audit.record(session, "user.unlocked", entity_id=user.id)
    return user
