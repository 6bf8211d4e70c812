"""The org-unit tree (head office, branches, departments) with a materialised path ``/<root>/<child>/``."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from surety.core.db.base import uuid7
from surety.core.errors import Conflict, NotFound, ValidationFailed
from surety.core.identity import _audit
from surety.core.identity.models import ORG_KINDS, OrgUnit

#: The length of ``OrgUnit.path`` (37 characters per level).
MAX_PATH = OrgUnit.__table__.c.path.type.length


@dataclass
class OrgNode:
    unit: OrgUnit
    children: list[OrgNode] = field(default_factory=list)


def _check_depth(path: str) -> str:
    if len(path) > MAX_PATH:
        raise ValidationFailed("The org tree is too deep.", field="parent_id")
    return path


def get_org_unit(session: Session, unit_id: uuid.UUID, *, field: str = "org_unit_id") -> OrgUnit:
    unit = session.scalar(select(OrgUnit).where(OrgUnit.id == unit_id))
    if unit is None:
        raise NotFound("No such org unit.", field=field)
    return unit


def create_org_unit(session: Session, *, code: str, name: str, kind: str, parent_id: uuid.UUID | None = None
                    ) -> OrgUnit:
    """Add a unit under ``parent_id`` (or as a root). Codes are unique within the tenant."""
    code, name = (code or "").strip(), (name or "").strip()
    if not code or len(code) > 50:
        raise ValidationFailed("An org unit code is 1-50 characters.", field="code")
    if not name or len(name) > 200:
        raise ValidationFailed("An org unit name is 1-200 characters.", field="name")
    if kind not in ORG_KINDS:
        raise ValidationFailed("An org unit kind is one of {kinds}.", field="kind", kinds=", ".join(ORG_KINDS))
    if session.scalar(select(OrgUnit.id).where(OrgUnit.code == code)) is not None:
        raise Conflict("The org unit code {unit_code!r} is already used.", field="code", unit_code=code)
    parent = get_org_unit(session, parent_id, field="parent_id") if parent_id is not None else None
    unit = OrgUnit(id=uuid7(), code=code, name=name, kind=kind, parent_id=parent_id)
    unit.path = _check_depth(f"{parent.path if parent else '/'}{unit.id}/")
    session.add(unit)
    session.flush()
    _audit.record(session, "org_unit.created", entity_type="org_unit", entity_id=unit.id,
                  after={"code": code, "name": name, "kind": kind, "parent_id": str(parent_id) if parent_id else None})
    return unit


def move_org_unit(session: Session, unit_id: uuid.UUID, new_parent_id: uuid.UUID | None) -> OrgUnit:
    """Move a unit (with its subtree) under ``new_parent_id``, or make it a root; rewrites the subtree's paths."""
    unit = get_org_unit(session, unit_id)
    parent = get_org_unit(session, new_parent_id, field="parent_id") if new_parent_id is not None else None
    if parent is not None and parent.path.startswith(unit.path):
        raise ValidationFailed("An org unit cannot be moved under itself or one of its descendants.",
                               field="parent_id")
    old_path, before_parent = unit.path, unit.parent_id
    new_path = f"{parent.path if parent else '/'}{unit.id}/"
    descendants = session.scalars(
        select(OrgUnit).where(OrgUnit.path.startswith(old_path), OrgUnit.id != unit.id)
    ).all()
    _check_depth(new_path + max((d.path[len(old_path):] for d in descendants), key=len, default=""))
    unit.parent_id = new_parent_id
    unit.path = new_path
    for child in descendants:
        child.path = new_path + child.path[len(old_path):]
    _audit.record(session, "org_unit.moved", entity_type="org_unit", entity_id=unit.id,
                  before={"parent_id": str(before_parent) if before_parent else None},
                  after={"parent_id": str(new_parent_id) if new_parent_id else None})
    return unit


def subtree_ids(session: Session, unit_id: uuid.UUID) -> list[uuid.UUID]:
    """The ids of a unit and all its descendants (one indexed prefix query on ``path``)."""
    unit = get_org_unit(session, unit_id)
    return list(session.scalars(select(OrgUnit.id).where(OrgUnit.path.startswith(unit.path))))


def tree(session: Session) -> list[OrgNode]:
    """The whole tree of the session's tenant: root nodes, children ordered by code."""
    units = session.scalars(select(OrgUnit).order_by(OrgUnit.code)).all()
    nodes = {u.id: OrgNode(u) for u in units}
    roots: list[OrgNode] = []
    for unit in units:
        parent = nodes.get(unit.parent_id) if unit.parent_id else None
        (parent.children if parent else roots).append(nodes[unit.id])
    return roots
