"""Customer self-service portal (客户自助门户) of the ``guarantee`` plugin (docs/guarantee/portal.md).

Accounts (guarantee:portal:manage, the customer within the manager's data scope): :func:`create_portal_user` makes a
core user with the role ``customer_portal`` and links it to the customer; :func:`link_user` links an existing user
whose only role is ``customer_portal``; :func:`unlink_user` removes the link. A portal user acts for exactly one
customer (one link per user).

Operations of a portal user (guarantee:portal:use), always limited to the linked customer's projects: a project of
any other customer is NotFound, exactly like an id that does not exist, so ids cannot be probed.
:func:`my_projects` and :func:`project_view` (status, a customer-facing progress label, the current approval step,
the milestones, never internal comments), :func:`submit_application` (a draft for the customer's manager, flagged
``portal``, who is notified and submits it into approval with the staff operation), :func:`portal_letter` (the
guarantee letter PDF) and, through ``projects.attachment_guard``, the project's files in core attachments.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from surety.core import inputs
from surety.core.attachments.service import entity_uuid
from surety.core.audit.log import audit
from surety.core.authz.check import allowed, require
from surety.core.authz.provision import roles_of
from surety.core.context import Actor
from surety.core.db.base import uuid7
from surety.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from surety.core.hookspecs import RoleTemplate
from surety.core.i18n import N_
from surety.core.identity.models import User
from surety.core.identity.service import create_user
from surety.core.notifications.service import notify
from surety.core.ports import customers as door
from surety.core.workflow.engine import definition_of
from surety.core.workflow.models import WorkflowInstance
from surety.plugins.guarantee.origination import applications
from surety.plugins.guarantee.origination.approval import ENTITY
from surety.plugins.guarantee.permissions import PORTAL, PROJECT
from surety.plugins.guarantee.portal.letter import issue
from surety.plugins.guarantee.portal.models import GuaranteePortalLink
from surety.plugins.guarantee.project.models import (
    STATUS_APPROVED,
    STATUS_CANCELLED,
    STATUS_CONTRACTED,
    STATUS_DRAFT,
    STATUS_EFFECTIVE,
    STATUS_IN_APPROVAL,
    STATUS_REJECTED,
    STATUS_RELEASED,
    STATUS_WITHDRAWN,
    GuaranteeProject,
)
from surety.plugins.guarantee.project.projects import get_project, products_by_id
from surety.plugins.guarantee.release.models import GuaranteeRelease

PORTAL_ROLE = "customer_portal"
ROLE_TEMPLATES = [RoleTemplate(PORTAL_ROLE, "Customer (self-service portal)", "own",
                               "A customer's own user: applies, uploads documents, follows its own projects.")]

LINK_ENTITY = "guarantee:portal_link"
PROJECT_ENTITY = "guarantee:project"
#: The flag a project entered through the portal carries.
FLAG_PORTAL = "portal"
#: Notification kind sent to the customer's manager when a portal application arrives.
NOTIFY_APPLICATION = "guarantee_portal_application"
#: What a portal user may give when applying (the customer and the manager are not theirs to choose).
APPLICATION_FIELDS = ("product_id", "amount", "term_months", "purpose", "bank_id", "loan_category")

#: Project status -> what the customer reads.
PROGRESS = {
    STATUS_DRAFT: "申请已提交，待客户经理受理",
    STATUS_IN_APPROVAL: "审批中",
    STATUS_APPROVED: "已批准，待签订合同",
    STATUS_REJECTED: "未获批准",
    STATUS_WITHDRAWN: "已撤回",
    STATUS_CONTRACTED: "合同已签订，待银行放款",
    STATUS_EFFECTIVE: "担保已生效",
    STATUS_RELEASED: "已解保",
    STATUS_CANCELLED: "已取消",
}
#: Milestone key -> label, in order.
MILESTONES = {"submitted": "提交审批", "decided": "审批决定", "effective": "担保生效", "released": "解除担保"}
DECISIONS = {STATUS_REJECTED: "未获批准", STATUS_WITHDRAWN: "已撤回"}
_APPROVED_OR_LATER = (STATUS_APPROVED, STATUS_CONTRACTED, STATUS_EFFECTIVE, STATUS_RELEASED)
_CN = dt.timezone(dt.timedelta(hours=8))


class PortalNotLinked(PermissionDenied):
    """The portal user is not linked to a customer (or the customer no longer exists)."""

    code = "GUARANTEE_PORTAL_NOT_LINKED"


class PortalUserNotEligible(ValidationFailed):
    """Only a user whose sole role is ``customer_portal`` can act for a customer (staff cannot be linked)."""

    code = "GUARANTEE_PORTAL_USER_NOT_ELIGIBLE"


class PortalAlreadyLinked(Conflict):
    code = "GUARANTEE_PORTAL_ALREADY_LINKED"


class PortalNoManager(Conflict):
    """The customer has no customer manager who can take the application."""

    code = "GUARANTEE_PORTAL_NO_MANAGER"


# ---------------------------------------------------------------- accounts (staff) ---------------------------------


def _customer_in_scope(session: Session, actor: Actor, customer_id: uuid.UUID):
    """The customer's summary through the customers door's scoped read (NotFound outside the actor's data scope)."""
    return door.get(session, actor, customer_id)


def _link_image(link: GuaranteePortalLink) -> dict:
    return {"user_id": str(link.user_id), "customer_id": str(link.customer_id)}


def _add_link(session: Session, actor: Actor, user_id: uuid.UUID, customer_id: uuid.UUID) -> GuaranteePortalLink:
    if session.scalar(select(GuaranteePortalLink.id).where(GuaranteePortalLink.user_id == user_id)) is not None:
        raise PortalAlreadyLinked("This user already acts for a customer; unlink it first.", field="user_id")
    link = GuaranteePortalLink(user_id=user_id, customer_id=customer_id, created_by=actor.id_uuid)
    try:
        with session.begin_nested():
            session.add(link)
            session.flush()
    except IntegrityError:  # linked concurrently
        raise PortalAlreadyLinked("This user already acts for a customer; unlink it first.", field="user_id") from None
    audit(session, "guarantee.portal.linked", entity_type=LINK_ENTITY, entity_id=link.id, after=_link_image(link),
          actor=actor)
    return link


def create_portal_user(session: Session, actor: Actor, customer_id: uuid.UUID, *, username: str, password: str,
                       display_name: str, email: str | None = None, phone: str | None = None) -> GuaranteePortalLink:
    """A new user with the role ``customer_portal`` (core's rules for username, password, email and phone), linked to
    the customer (guarantee:portal:manage and the customer in the actor's data scope)."""

    require(session, actor, PORTAL, "manage")
    customer = _customer_in_scope(session, actor, customer_id)
    name = inputs.text(display_name, "display_name", 200, required=True)
    user = create_user(session, username=username, password=password, display_name=name, roles=[PORTAL_ROLE],
                       email=email or None, phone=phone or None)
    return _add_link(session, actor, user.id, customer["id"])


def link_user(session: Session, actor: Actor, customer_id: uuid.UUID, user_id: uuid.UUID) -> GuaranteePortalLink:
    """Link an existing user to the customer: the user's only role must be ``customer_portal`` (a staff account
    never acts for a customer) and it must not act for another customer already."""

    require(session, actor, PORTAL, "manage")
    customer = _customer_in_scope(session, actor, customer_id)
    user = session.scalar(select(User).where(User.id == user_id))
    if user is None:
        raise NotFound("No user with that id.", field="user_id")
    if roles_of(session, f"user:{user.id}") != [PORTAL_ROLE]:
        raise PortalUserNotEligible("Only a user whose only role is customer_portal can act for a customer; staff "
                                    "accounts cannot be linked.", field="user_id")
    return _add_link(session, actor, user.id, customer["id"])


def unlink_user(session: Session, actor: Actor, user_id: uuid.UUID) -> GuaranteePortalLink:
    """Remove the user's link (the customer must be in the actor's data scope); the user keeps its account but no
    longer sees any project. Returns the removed link."""
    require(session, actor, PORTAL, "manage")
    link = session.scalar(select(GuaranteePortalLink).where(GuaranteePortalLink.user_id == user_id))
    if link is None:
        raise NotFound("This user is not linked to a customer.", field="user_id")
    _customer_in_scope(session, actor, link.customer_id)
    before = _link_image(link)
    session.delete(link)
    session.flush()
    audit(session, "guarantee.portal.unlinked", entity_type=LINK_ENTITY, entity_id=link.id, before=before,
          actor=actor)
    return link


def portal_links(session: Session, actor: Actor, customer_id: uuid.UUID) -> list[tuple[GuaranteePortalLink, User]]:
    """The customer's portal users, oldest link first (guarantee:portal:manage, the customer in scope)."""
    require(session, actor, PORTAL, "manage")
    _customer_in_scope(session, actor, customer_id)
    rows = session.execute(select(GuaranteePortalLink, User).join(User, User.id == GuaranteePortalLink.user_id)
                           .where(GuaranteePortalLink.customer_id == customer_id)
                           .order_by(GuaranteePortalLink.created_at, GuaranteePortalLink.id))
    return [(link, user) for link, user in rows]


# ---------------------------------------------------------------- the portal user ----------------------------------


def linked_customer(session: Session, actor: Actor) -> uuid.UUID:
    """The customer the portal user acts for (guarantee:portal:use); PortalNotLinked without a live link."""

    require(session, actor, PORTAL, "use")
    customer_id = session.scalar(select(GuaranteePortalLink.customer_id)
                                 .where(GuaranteePortalLink.user_id == actor.id_uuid)) if actor.id_uuid else None
    summary = door.summary(session, customer_id) if customer_id else None
    if summary is None or summary.get("deleted"):
        raise PortalNotLinked("This portal account does not act for a customer; ask your customer manager.")
    return customer_id


def portal_project(session: Session, actor: Actor, project_id: uuid.UUID) -> GuaranteeProject:
    """A project of the portal user's customer; NotFound for any other id (same message as a missing one)."""
    customer_id = linked_customer(session, actor)
    project = session.scalar(select(GuaranteeProject).where(GuaranteeProject.id == project_id,
                                                            GuaranteeProject.customer_id == customer_id))
    if project is None:
        raise NotFound("No guarantee project with that id.", field="id")
    return project


@dataclass(frozen=True)
class Milestone:
    key: str
    label: str
    reached: bool
    on: dt.date | None = None
    #: For ``decided``: approved / rejected / withdrawn.
    result: str | None = None


@dataclass(frozen=True)
class PortalProjectView:
    """What the customer sees of one project (no risk figures, flags, managers or approval comments)."""

    id: uuid.UUID
    project_no: str | None
    product_name: str
    amount: Decimal
    term_months: int
    purpose: str
    status: str
    progress: str
    #: The name of the approval step the project is at, while in approval.
    current_step: str | None
    created_at: dt.datetime
    milestones: tuple[Milestone, ...] = ()


def _day(value: dt.datetime | None) -> dt.date | None:
    return value.astimezone(_CN).date() if value else None


def _current_steps(session: Session, projects: Iterable[GuaranteeProject]) -> dict[uuid.UUID, str]:
    """Project id -> the name of its approval's current step (projects in approval only), in two queries."""

    wanted = {p.workflow_instance_id: p.id for p in projects
              if p.status == STATUS_IN_APPROVAL and p.workflow_instance_id is not None}
    if not wanted:
        return {}
    out = {}
    for instance in session.scalars(select(WorkflowInstance).where(WorkflowInstance.id.in_(list(wanted)))):
        if instance.current_step:
            step = definition_of(session, instance).steps.get(instance.current_step)
            out[wanted[instance.id]] = step.name if step else instance.current_step
    return out


def _released_on(session: Session, project_id: uuid.UUID) -> dt.date | None:
    return session.scalar(select(GuaranteeRelease.released_on).where(
        GuaranteeRelease.project_id == project_id, GuaranteeRelease.kind == "full")
        .order_by(GuaranteeRelease.released_on.desc()).limit(1))


def milestones(session: Session, project: GuaranteeProject) -> tuple[Milestone, ...]:
    """submitted, decided, effective, released: whether each was reached and when (Beijing dates)."""
    decided = project.decided_at is not None or project.status in _APPROVED_OR_LATER + tuple(DECISIONS)
    result = None
    if decided:
        result = "approved" if project.status in _APPROVED_OR_LATER else project.status
    released = project.status == STATUS_RELEASED
    reached = {"submitted": (project.submitted_at is not None, _day(project.submitted_at), None),
               "decided": (decided, _day(project.decided_at), result),
               "effective": (project.effective_date is not None, project.effective_date, None),
               "released": (released, _released_on(session, project.id) if released else None, None)}
    return tuple(Milestone(key=k, label=label if k != "decided" or result in (None, "approved")
                           else DECISIONS.get(result, label), reached=reached[k][0], on=reached[k][1],
                           result=reached[k][2]) for k, label in MILESTONES.items())


def _views(session: Session, projects: list[GuaranteeProject], *, with_milestones: bool) -> list[PortalProjectView]:
    products = products_by_id(session, (p.product_id for p in projects))
    steps = _current_steps(session, projects)
    return [PortalProjectView(
        id=p.id, project_no=p.project_no, product_name=products[p.product_id].name if p.product_id in products else "",
        amount=p.amount, term_months=p.term_months, purpose=p.purpose or "", status=p.status,
        progress=PROGRESS.get(p.status, p.status), current_step=steps.get(p.id), created_at=p.created_at,
        milestones=milestones(session, p) if with_milestones else ()) for p in projects]


def my_projects(session: Session, actor: Actor, *, limit: int = 200) -> list[PortalProjectView]:
    """The linked customer's projects, newest first (at most ``limit``)."""
    customer_id = linked_customer(session, actor)
    rows = list(session.scalars(select(GuaranteeProject).where(GuaranteeProject.customer_id == customer_id)
                                .order_by(GuaranteeProject.id.desc()).limit(max(1, min(limit, 500)))))
    return _views(session, rows, with_milestones=False)


def project_view(session: Session, actor: Actor, project_id: uuid.UUID) -> PortalProjectView:
    """One project of the linked customer with its milestones (NotFound for other customers' projects)."""
    return _views(session, [portal_project(session, actor, project_id)], with_milestones=True)[0]


def submit_application(session: Session, actor: Actor, data: Mapping[str, Any]) -> GuaranteeProject:
    """A draft application of the linked customer (product, amount, term, purpose; bank and loan category when
    given), validated like a staff entry (``applications``), led by the customer's manager (the customer's owner in
    the customers plugin), flagged ``portal``. The manager is notified and submits it into approval."""

    customer_id = linked_customer(session, actor)
    unknown = sorted(set(data) - set(APPLICATION_FIELDS))
    if unknown:
        raise ValidationFailed("Unknown application field {name!r}.", field=unknown[0], name=unknown[0])
    summary = applications._customer(session, customer_id)
    manager_id = summary.get("owner_id")
    if manager_id is None:
        raise PortalNoManager("Your company has no customer manager assigned yet; please contact us.",
                              field="customer_id")
    fields = applications._clean({**data, "customer_id": customer_id, "manager_a_id": manager_id}, partial=False)
    project = GuaranteeProject(id=uuid7(), project_no=None, status=STATUS_DRAFT, flags=[FLAG_PORTAL],
                               created_by=actor.id_uuid)
    try:
        applications._apply(session, project, fields)
    except (NotFound, ValidationFailed) as exc:
        if exc.field != "manager_a_id":
            raise
        raise PortalNoManager("Your customer manager cannot take applications at the moment; please contact us.",
                              field="customer_id") from None
    session.add(project)
    session.flush()
    audit(session, "guarantee.application.created", entity_type=ENTITY, entity_id=project.id,
          after={**applications._image(project), "flags": list(project.flags), "via": "portal"}, actor=actor)
    notify(session, [manager_id], NOTIFY_APPLICATION, N_("A new guarantee application from the customer portal"),
           N_("Amount {amount} yuan, term {term_months} months. Please check the draft and submit it for approval."),
           entity_type=PROJECT_ENTITY, entity_id=project.id,
           params={"amount": inputs.yuan(project.amount), "term_months": project.term_months})
    return project


def portal_letter(session: Session, actor: Actor, project_id: uuid.UUID, *, compress: bool = True):
    """The guarantee letter PDF of one of the customer's effective or released projects (``letter.LetterFile``);
    audited as ``guarantee.letter.downloaded`` (via portal)."""

    return issue(session, actor, portal_project(session, actor, project_id), via="portal", compress=compress)


#: Entity type of the documents a customer exchanges with the company about a project (entity id: the project's id).
#: The project's own files (``guarantee:project``: contracts, due diligence, internal papers) stay staff-only.
DOCUMENT_ENTITY = "guarantee:portal_document"


def attachment_types_guard(session: Session, actor: Actor, entity_type: str, entity_id: str) -> None:
    """The plugin's ``"*"`` attachment guard: a customer (``guarantee:portal:use`` without
    ``guarantee:project:read``) reaches only its projects' customer documents (DOCUMENT_ENTITY, whose own guard then
    admits its customer's projects); every other entity type is NotFound for it, whatever core attachment
    permissions it holds."""

    if entity_type == DOCUMENT_ENTITY or not allowed(session, actor, PORTAL, "use"):
        return
    if not allowed(session, actor, PROJECT, "read"):
        raise NotFound("No such entity.", field="entity_id")


def document_guard(session: Session, actor: Actor, entity_id: str) -> None:
    """Guard of DOCUMENT_ENTITY: staff who may read the project (data scope), or the portal user acting for the
    project's customer; NotFound otherwise."""

    project_id = entity_uuid(entity_id)
    if allowed(session, actor, PROJECT, "read"):
        get_project(session, actor, project_id)
    else:
        portal_project(session, actor, project_id)


