"""Who takes a step: assignee rules resolved to active users of the tenant.

Rules (one key each, docs/workflow.md): ``{"user": "<username>"}``, ``{"field": "<subject field holding a user
id>"}``, ``{"role": "<role key>"}`` (every active holder), ``{"role": ..., "org_unit": "subject"}`` (holders in the
subject's org unit, else in the nearest unit above it that has one), ``{"role": ..., "org_unit": "<code>"}``.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from surety.core.authz.rules import role_members
from surety.core.errors import DomainError
from surety.core.identity.models import USER_ACTIVE, OrgUnit, User
from surety.core.ids import as_uuid


class NoAssignee(DomainError):
    code = "WORKFLOW_NO_ASSIGNEE"


def describe(spec: Mapping[str, Any]) -> str:
    if spec.get("user"):
        return f"user {spec['user']!r}"
    if spec.get("field"):
        return f"the user in the subject's field {spec['field']!r}"
    where = {None: "", "subject": " in the subject's org unit"}.get(spec.get("org_unit"),
                                                                     f" in {spec.get('org_unit')!r}")
    return f"role {spec['role']!r}{where}"


def resolve(session: Session, spec: Mapping[str, Any], subject: Mapping[str, Any], step_name: str) -> list[uuid.UUID]:
    """Active users matching ``spec`` (sorted for a stable order); :class:`NoAssignee` when there is none."""
    found = _resolve(session, spec, subject)
    if not found:
        raise NoAssignee("No one can take the step {step_name!r}: no active user is {who}.", step_name=step_name,
                         who=describe(spec))
    return found


def _active(session: Session, ids) -> list[uuid.UUID]:
    ids = [i for i in ids if i is not None]
    if not ids:
        return []
    return sorted(session.scalars(select(User.id).where(User.id.in_(ids), User.status == USER_ACTIVE)))


def _resolve(session: Session, spec: Mapping[str, Any], subject: Mapping[str, Any]) -> list[uuid.UUID]:
    if spec.get("user"):
        return list(session.scalars(select(User.id).where(User.username == spec["user"],
                                                          User.status == USER_ACTIVE)))
    if spec.get("field"):
        return _active(session, [as_uuid(subject.get(spec["field"]))])
    holders = role_members(session, spec["role"])
    unit = spec.get("org_unit")
    if not unit:
        return _active(session, holders)
    users = session.execute(
        select(User.id, User.org_unit_id).where(User.id.in_(holders), User.status == USER_ACTIVE)).all()
    by_unit: dict[uuid.UUID | None, list[uuid.UUID]] = {}
    for uid, unit_id in users:
        by_unit.setdefault(unit_id, []).append(uid)
    if unit != "subject":
        unit_id = session.scalar(select(OrgUnit.id).where(OrgUnit.code == unit))
        return sorted(by_unit.get(unit_id, []))
    start = as_uuid(subject.get("org_unit_id"))
    if start is None:
        return []
    path = session.scalar(select(OrgUnit.path).where(OrgUnit.id == start)) or ""
    # Nearest first: the subject's unit, then each ancestor up to the root (materialised path "/a/b/c/").
    for part in reversed([p for p in path.strip("/").split("/") if p]):
        found = by_unit.get(as_uuid(part))
        if found:
            return sorted(found)
    return sorted(by_unit.get(start, []))
