"""Low-level reads and writes of a tenant's Casbin rules, through the tenant-bound ORM session.

Every write goes through :func:`policy_changed`: it bumps ``AuthzState.policy_version`` (seen by other processes)
and invalidates this process's cached enforcer now and again when the transaction ends (so an enforcer loaded from
uncommitted rules never outlives a rollback).
"""

from __future__ import annotations

import uuid

from sqlalchemy import delete, event, select
from sqlalchemy.orm import Session

from surety.core.authz.enforcer import invalidate
from surety.core.authz.models import AuthzState, CasbinRule
from surety.core.db.session import session_tenant
from surety.core.errors import TenantNotBound
from surety.core.events import enabled_plugins
from surety.core.plugins import CORE_KEY

ROLE_PREFIX = "role:"
_DIRTY = "surety.authz.dirty"


def tenant_of(session: Session) -> uuid.UUID:
    tenant = session_tenant(session)
    if not isinstance(tenant, uuid.UUID):
        raise TenantNotBound("authorisation rules are read and written in a tenant session")
    return tenant


def enabled_keys(session: Session) -> list[str]:
    """Plugin keys enabled for the session's tenant, core always included."""

    return sorted(set(enabled_plugins(session, tenant_of(session))) | {CORE_KEY})


def role_subject(role_key: str) -> str:
    return f"{ROLE_PREFIX}{role_key}"


def get_state(session: Session) -> AuthzState:
    """The tenant's :class:`AuthzState` row, created when missing."""
    state = session.scalar(select(AuthzState))
    if state is None:
        state = AuthzState(policy_version=0, granted_plugins=[])
        session.add(state)
        session.flush()
    return state


def grants(session: Session) -> dict[str, set[str]]:
    """``{role key: {permission key}}`` from the tenant's ``p`` rules."""
    domain = str(tenant_of(session))
    out: dict[str, set[str]] = {}
    rows = session.execute(
        select(CasbinRule.v0, CasbinRule.v2, CasbinRule.v3).where(CasbinRule.ptype == "p", CasbinRule.v1 == domain)
    )
    for subject, obj, act in rows:
        if subject.startswith(ROLE_PREFIX):
            out.setdefault(subject[len(ROLE_PREFIX):], set()).add(f"{obj}:{act}")
    return out


def add_grant(session: Session, role_key: str, obj: str, act: str) -> None:
    session.add(CasbinRule(ptype="p", v0=role_subject(role_key), v1=str(tenant_of(session)), v2=obj, v3=act))


def remove_grant(session: Session, role_key: str, obj: str, act: str) -> None:
    session.execute(
        delete(CasbinRule).where(
            CasbinRule.ptype == "p",
            CasbinRule.v0 == role_subject(role_key),
            CasbinRule.v1 == str(tenant_of(session)),
            CasbinRule.v2 == obj,
            CasbinRule.v3 == act,
        )
    )


def subject_roles(session: Session, subject: str) -> list[str]:
    """Role keys directly assigned to ``subject`` (``g`` rules), sorted."""
    rows = session.scalars(
        select(CasbinRule.v1).where(
            CasbinRule.ptype == "g", CasbinRule.v0 == subject, CasbinRule.v2 == str(tenant_of(session))
        )
    )
    return sorted({r[len(ROLE_PREFIX):] for r in rows if r.startswith(ROLE_PREFIX)})


def subjects_roles(session: Session, subjects: list[str]) -> dict[str, list[str]]:
    """:func:`subject_roles` of several subjects in one query (subjects without roles are absent)."""
    found: dict[str, set[str]] = {}
    for subject, role in session.execute(select(CasbinRule.v0, CasbinRule.v1).where(
            CasbinRule.ptype == "g", CasbinRule.v0.in_(subjects), CasbinRule.v2 == str(tenant_of(session)))):
        if role.startswith(ROLE_PREFIX):
            found.setdefault(subject, set()).add(role[len(ROLE_PREFIX):])
    return {k: sorted(v) for k, v in found.items()}


def role_members(session: Session, role_key: str) -> list[uuid.UUID]:
    """Ids of the users directly assigned role ``role_key`` (``g`` rules), in no particular order."""
    rows = session.scalars(
        select(CasbinRule.v0).where(
            CasbinRule.ptype == "g", CasbinRule.v1 == role_subject(role_key), CasbinRule.v2 == str(tenant_of(session)),
            CasbinRule.v0.startswith("user:"),
        )
    )
    return [uuid.UUID(r[len("user:"):]) for r in rows]


def replace_subject_roles(session: Session, subject: str, role_keys: list[str]) -> None:
    domain = str(tenant_of(session))
    session.execute(
        delete(CasbinRule).where(CasbinRule.ptype == "g", CasbinRule.v0 == subject, CasbinRule.v2 == domain)
    )
    for key in role_keys:
        session.add(CasbinRule(ptype="g", v0=subject, v1=role_subject(key), v2=domain))


def _invalidate_dirty(session: Session) -> None:
    for tenant in session.info.pop(_DIRTY, set()):
        invalidate(tenant)


def policy_changed(session: Session) -> None:
    """Record that the tenant's rules changed: bump the version and invalidate cached enforcers."""

    tenant = tenant_of(session)
    state = get_state(session)
    state.policy_version = AuthzState.policy_version + 1
    session.flush()
    invalidate(tenant)
    session.info.setdefault(_DIRTY, set()).add(tenant)
    if not session.info.get("surety.authz.hooked"):
        session.info["surety.authz.hooked"] = True
        event.listen(session, "after_commit", _invalidate_dirty)
        event.listen(session, "after_rollback", _invalidate_dirty)
