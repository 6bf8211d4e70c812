"""Data scopes: which rows an actor may see, on top of the permission matrix.

An actor's scope is the widest among its roles (own < org_unit < org_subtree < tenant); an actor without roles, or
one that is not a user or API key of the tenant, gets ``own`` (fail closed). :func:`apply_scope` turns the scope into
a WHERE clause with bound parameters only.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Select, false, select
from sqlalchemy.orm import Session

from surety.core.authz.enforcer import get_enforcer
from surety.core.authz.models import DATA_SCOPES, SCOPE_ORG_UNIT, SCOPE_OWN, SCOPE_TENANT, Role
from surety.core.context import ACTOR_API_KEY, ACTOR_USER, Actor
from surety.core.db.session import session_tenant
from surety.core.identity.models import OrgUnit

_RANK = {scope: n for n, scope in enumerate(DATA_SCOPES)}


def data_scope(session: Session, actor: Actor) -> str:
    """The widest data scope among ``actor``'s roles."""
    if actor.type not in (ACTOR_USER, ACTOR_API_KEY) or not actor.id:
        return SCOPE_OWN
    if actor.tenant_id is not None and actor.tenant_id != session_tenant(session):
        return SCOPE_OWN
    enforcer = get_enforcer(session)
    roles = enforcer.roles_for(actor.subject)
    if not roles:
        return SCOPE_OWN
    # Asked on most requests (each scoped list, each loader): read once per tenant policy version and set of roles.
    key = frozenset(roles)
    scope = enforcer.scopes.get(key)
    if scope is None:
        scopes = session.scalars(select(Role.data_scope).where(Role.key.in_(roles)))
        scope = enforcer.scopes[key] = max((s for s in scopes if s in _RANK), key=_RANK.__getitem__,
                                           default=SCOPE_OWN)
    return scope


def _coerce(column, value: Any) -> Any:
    """``value`` in the column's Python type (actor ids are strings; id columns are usually UUIDs)."""
    try:
        python_type = column.type.python_type
    except NotImplementedError:
        return value
    if python_type is uuid.UUID and not isinstance(value, uuid.UUID):
        return uuid.UUID(str(value))
    if python_type is str and not isinstance(value, str):
        return str(value)
    return value


def apply_scope(
    stmt: Select,
    model,
    session: Session,
    actor: Actor,
    *,
    owner_column: str = "owner_id",
    org_unit_column: str = "org_unit_id",
) -> Select:
    """``stmt`` restricted to the rows of ``model`` that ``actor``'s data scope lets it see."""

    scope = data_scope(session, actor)
    if scope == SCOPE_TENANT:
        return stmt
    if scope == SCOPE_OWN:
        if not actor.id:
            return stmt.where(false())
        column = getattr(model, owner_column)
        return stmt.where(column == _coerce(column, actor.id))
    if actor.org_unit_id is None:
        return stmt.where(false())
    column = getattr(model, org_unit_column)
    unit = _coerce(column, actor.org_unit_id)
    if scope == SCOPE_ORG_UNIT:
        return stmt.where(column == unit)
    # org_subtree: the actor's unit and every unit below it (materialised path prefix).
    path = session.scalar(select(OrgUnit.path).where(OrgUnit.id == _coerce(OrgUnit.id, actor.org_unit_id)))
    if not path:
        return stmt.where(false())
    subtree = select(OrgUnit.id).where(
        OrgUnit.tenant_id == session_tenant(session), OrgUnit.path.startswith(path, autoescape=True)
    )
    return stmt.where(column.in_(subtree))
