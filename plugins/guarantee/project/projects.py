"""Reading projects: one project, the filtered list (keyset-paginated by the caller), the attachment guard of
``guarantee:project``, and batch loading of what a page of projects shows (customer, product, bank,
counter-guarantees) with one query per kind, whatever the page size.

Every read is within the actor's data scope (``core.authz.scopes.apply_scope`` on ``owner_id`` / ``org_unit_id``):
a project outside it is NOT_FOUND.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, and_, or_, select
from sqlalchemy.orm import Session

from surety.core.attachments.service import entity_uuid
from surety.core.authz.check import require
from surety.core.authz.models import SCOPE_OWN
from surety.core.authz.scopes import apply_scope, data_scope
from surety.core.context import Actor
from surety.core.db.locking import lock_by_id
from surety.core.errors import NotFound, ValidationFailed
from surety.plugins.guarantee.permissions import PROJECT
from surety.plugins.guarantee.project.models import (
    PROJECT_STATUSES,
    STATUS_EFFECTIVE,
    GuaranteeBank,
    GuaranteeCounterGuarantee,
    GuaranteeProduct,
    GuaranteeProject,
)

#: Listing order, newest first: ids are UUIDv7 (time-ordered), and the primary key's index serves the order. (Not
#: ``created_at``: the GraphQL cursor cannot carry a UTCDateTime yet, whose ``python_type`` is ``object``.)
ORDER = (GuaranteeProject.id,)


def in_force(model=GuaranteeProject) -> ColumnElement[bool]:
    """The SQL condition "the guarantee is in force": ``effective`` with an in-force balance above 0. Not in force
    (no warnings, no expiry reminders, not counted by the dashboard): a guarantee fully compensated, which becomes
    ``compensated`` (已代偿) when the payment leaves no principal in force (a partial claim leaves it ``effective``
    with the rest in force); an ``effective`` one at balance 0 (repaid in full and not yet released, or compensated
    in full before guarantee_0003, when such projects stayed ``effective``). ``model`` may be an alias of
    GuaranteeProject."""
    return and_(model.status == STATUS_EFFECTIVE, model.in_force_balance > 0)


def is_in_force(project: GuaranteeProject) -> bool:
    """The Python twin of :func:`in_force` for a loaded project."""
    return project.status == STATUS_EFFECTIVE and project.in_force_balance is not None \
        and project.in_force_balance > 0


@dataclass
class ProjectFilter:
    status: str | None = None
    customer_id: uuid.UUID | None = None
    product_id: uuid.UUID | None = None
    bank_id: uuid.UUID | None = None
    #: Manager A or manager B.
    manager_id: uuid.UUID | None = None
    org_unit_id: uuid.UUID | None = None
    #: The project number or its beginning (``DB-2026-``).
    project_no: str | None = None


def scoped(session: Session, actor: Actor, stmt: Select, act: str = "read") -> Select:
    """``stmt`` over projects restricted to the actor's data scope (needs guarantee:project:``act``). With the
    ``own`` scope a manager sees the projects they lead (owner, manager A) and those they second (manager B)."""
    require(session, actor, PROJECT, act)
    if data_scope(session, actor) == SCOPE_OWN and actor.id_uuid is not None:
        return stmt.where(or_(GuaranteeProject.owner_id == actor.id_uuid,
                              GuaranteeProject.manager_b_id == actor.id_uuid))
    return apply_scope(stmt, GuaranteeProject, session, actor)


def get_project(session: Session, actor: Actor, project_id: uuid.UUID, *, act: str = "read") -> GuaranteeProject:
    """A project the actor may ``act`` on (permission and data scope); NotFound when absent or out of scope."""
    project = session.scalar(scoped(session, actor, select(GuaranteeProject)
                                    .where(GuaranteeProject.id == project_id), act))
    if project is None:
        raise NotFound("No guarantee project with that id.", field="id")
    return project


def lock_project(session: Session, actor: Actor, project_id: uuid.UUID) -> GuaranteeProject:
    """The project within the actor's data scope (NotFound outside it), then row-locked and fresh."""

    get_project(session, actor, project_id)
    return lock_by_id(session, GuaranteeProject, project_id, "status", "guarantee project", "project_id")


def attachment_guard(session: Session, actor: Actor, entity_id: str) -> None:
    """Files of a project (entity ``guarantee:project``: contracts, due diligence, internal papers) are for those
    who may read the project; any other project is NotFound to them. Customers exchange documents through
    ``guarantee:portal_document`` instead (portal.document_guard)."""
    get_project(session, actor, entity_uuid(entity_id))


def search_statement(session: Session, actor: Actor, f: ProjectFilter | None = None) -> Select:
    """A SELECT of the projects matching ``f`` that the actor may see (needs guarantee:project:read)."""
    f = f or ProjectFilter()
    stmt = select(GuaranteeProject)
    if f.status:
        if f.status not in PROJECT_STATUSES:
            raise ValidationFailed("A project status is one of {project_statuses}.", field="status",
                                   project_statuses=", ".join(PROJECT_STATUSES))
        stmt = stmt.where(GuaranteeProject.status == f.status)
    for column, value in ((GuaranteeProject.customer_id, f.customer_id), (GuaranteeProject.product_id, f.product_id),
                          (GuaranteeProject.bank_id, f.bank_id), (GuaranteeProject.org_unit_id, f.org_unit_id)):
        if value is not None:
            stmt = stmt.where(column == value)
    if f.manager_id is not None:
        stmt = stmt.where(or_(GuaranteeProject.manager_a_id == f.manager_id,
                              GuaranteeProject.manager_b_id == f.manager_id))
    if f.project_no:
        stmt = stmt.where(GuaranteeProject.project_no.startswith(f.project_no.strip(), autoescape=True))
    return scoped(session, actor, stmt)


def list_projects(session: Session, actor: Actor, f: ProjectFilter | None = None, *,
                  limit: int = 50) -> list[GuaranteeProject]:
    """The first ``limit`` matches, newest first (GraphQL pages further with keyset cursors)."""
    stmt = search_statement(session, actor, f).order_by(*(c.desc() for c in ORDER))
    return list(session.scalars(stmt.limit(limit)))


# ---------------------------------------------------------------- batch loading ------------------------------------


def products_by_id(session: Session, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, GuaranteeProduct]:
    ids = list(dict.fromkeys(i for i in ids if i is not None))
    if not ids:
        return {}
    return {p.id: p for p in session.scalars(select(GuaranteeProduct).where(GuaranteeProduct.id.in_(ids)))}


def banks_by_id(session: Session, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, GuaranteeBank]:
    ids = list(dict.fromkeys(i for i in ids if i is not None))
    if not ids:
        return {}
    return {b.id: b for b in session.scalars(select(GuaranteeBank).where(GuaranteeBank.id.in_(ids)))}


def counter_guarantees_by_project(session: Session,
                                  project_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, list[GuaranteeCounterGuarantee]]:
    """Counter-guarantees of each project, oldest first ({} entries omitted: use ``.get(id, [])``)."""
    ids = list(dict.fromkeys(project_ids))
    out: dict[uuid.UUID, list[GuaranteeCounterGuarantee]] = {}
    if not ids:
        return out
    rows = session.scalars(select(GuaranteeCounterGuarantee)
                           .where(GuaranteeCounterGuarantee.project_id.in_(ids))
                           .order_by(GuaranteeCounterGuarantee.created_at, GuaranteeCounterGuarantee.id))
    for row in rows:
        out.setdefault(row.project_id, []).append(row)
    return out
