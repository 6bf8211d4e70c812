"""The permission matrix (roles x permissions of the tenant's enabled plugins): read and edit.

These services do not check who is calling: the caller (a GraphQL resolver) first runs
``require(session, actor, "core:role", "manage")``. Every change is audited and invalidates the enforcer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from surety.core.audit.log import audit
from surety.core.authz import rules
from surety.core.authz.catalog import permission_catalog, role_templates, split_permission
from surety.core.authz.models import Role
from surety.core.errors import ValidationFailed
from surety.core.hookspecs import Permission
from surety.core.permissions import ROLE_ADMIN

#: The admin role always keeps this permission, so someone can always repair the matrix.
LOCKOUT_GUARD = "core:role:manage"


@dataclass(frozen=True)
class MatrixRole:
    key: str
    name: str
    data_scope: str
    description: str


@dataclass(frozen=True)
class Matrix:
    """``cells[i][j]`` tells whether ``roles[i]`` holds ``permissions[j]``."""

    roles: list[MatrixRole]
    permissions: list[Permission]
    cells: list[list[bool]]

    def granted(self, role_key: str, permission_key: str) -> bool:
        i = next(n for n, r in enumerate(self.roles) if r.key == role_key)
        j = next(n for n, p in enumerate(self.permissions) if p.key == permission_key)
        return self.cells[i][j]

    def granted_keys(self, role_key: str) -> list[str]:
        i = next(n for n, r in enumerate(self.roles) if r.key == role_key)
        return [p.key for p, on in zip(self.permissions, self.cells[i], strict=True) if on]


def _roles(session: Session) -> list[Role]:
    order = {t.key: n for n, t in enumerate(role_templates())}
    return sorted(session.scalars(select(Role)), key=lambda r: (order.get(r.key, len(order)), r.key))


def matrix(session: Session) -> Matrix:
    """Every role of the tenant against every permission of its enabled plugins."""
    perms = permission_catalog(rules.enabled_keys(session))
    grants = rules.grants(session)
    roles = _roles(session)
    cells = [[p.key in grants.get(r.key, ()) for p in perms] for r in roles]
    return Matrix(
        roles=[MatrixRole(r.key, r.name, r.data_scope, r.description) for r in roles], permissions=perms, cells=cells
    )


def _role(session: Session, role_key: str) -> Role:
    role = session.scalar(select(Role).where(Role.key == role_key))
    if role is None:
        raise ValidationFailed("Unknown role {role_key!r}.", field="role", role_key=role_key)
    return role


def _check_permissions(session: Session, keys: Iterable[str]) -> dict[str, Permission]:
    known = {p.key: p for p in permission_catalog(rules.enabled_keys(session))}
    unknown = sorted(k for k in set(keys) if k not in known)
    if unknown:
        raise ValidationFailed(
            "Unknown permission (or of a plugin not enabled): {unknown}." if len(unknown) == 1
            else "Unknown permissions (or of a plugin not enabled): {unknown}.",
            field="permission", unknown=", ".join(unknown),
        )
    return known


def _guard(role_key: str, removed: Iterable[str]) -> None:
    if role_key == ROLE_ADMIN and LOCKOUT_GUARD in set(removed):
        raise ValidationFailed(
            "The {role!r} role must keep {permission!r}: without it nobody could edit permissions again.",
            field="permission", role=ROLE_ADMIN, permission=LOCKOUT_GUARD,
        )


def set_grant(session: Session, role_key: str, permission_key: str, granted: bool) -> None:
    """Grant or revoke one permission of one role (no-op when already so)."""
    _role(session, role_key)
    _check_permissions(session, [permission_key])
    have = permission_key in rules.grants(session).get(role_key, set())
    if have == granted:
        return
    if not granted:
        _guard(role_key, [permission_key])
        rules.remove_grant(session, role_key, *split_permission(permission_key))
    else:
        rules.add_grant(session, role_key, *split_permission(permission_key))
    rules.policy_changed(session)
    _audit(session, role_key, before={"permission": permission_key, "granted": have},
           after={"permission": permission_key, "granted": granted})


def set_role_permissions(session: Session, role_key: str, permission_keys: Iterable[str]) -> None:
    """Make the role hold exactly ``permission_keys`` among the enabled plugins' permissions (grants of disabled
    plugins' permissions are left as they are)."""
    wanted = set(permission_keys)
    _role(session, role_key)
    known = _check_permissions(session, wanted)
    have = rules.grants(session).get(role_key, set()) & set(known)
    removed, added = sorted(have - wanted), sorted(wanted - have)
    if not removed and not added:
        return
    _guard(role_key, removed)
    for key in removed:
        rules.remove_grant(session, role_key, *split_permission(key))
    for key in added:
        rules.add_grant(session, role_key, *split_permission(key))
    rules.policy_changed(session)
    _audit(session, role_key, before={"permissions": sorted(have)}, after={"permissions": sorted(wanted)})


def _audit(session: Session, role_key: str, *, before: dict, after: dict) -> None:
    audit(session, "authz.grants_changed", entity_type="role", entity_id=role_key, before=before, after=after)
