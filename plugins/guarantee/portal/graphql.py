"""GraphQL of the customer self-service portal and the guarantee letter (thin: the rules are in ``portal`` and
``letter``). Portal users (guarantee:portal:use) see their own customer's projects only; staff manage portal
accounts (guarantee:portal:manage) and download letters (guarantee:project:read). The letter PDF travels base64 in
``GuaranteeLetterFile.contentBase64`` (it is generated on request, never stored)."""

from __future__ import annotations

import base64
import datetime as dt
from decimal import Decimal

import strawberry
from sqlalchemy import select

from surety.core.errors import NotFound
from surety.core.identity.models import User
from surety.graphql.auth import actor, decode_node_id
from surety.graphql.errors import UserError, run_mutation
from surety.graphql.nodes import global_id as gid
from surety.plugins.guarantee.documents.graphql import project_uuid
from surety.plugins.guarantee.portal import letter
from surety.plugins.guarantee.portal import self_service as portal

PROJECT_TYPE = "GuaranteeProject"


def _node(value, type_name: str, field: str):
    return decode_node_id(value, type_name, field=field)


# ---------------------------------------------------------------- types --------------------------------------------


@strawberry.type(description="A step of a project's life as the customer follows it.")
class GuaranteePortalMilestone:
    key: str = strawberry.field(description="submitted | decided | effective | released")
    label: str
    reached: bool
    on: dt.date | None = strawberry.field(description="When it was reached (Beijing date).")
    result: str | None = strawberry.field(description="For `decided`: approved | rejected | withdrawn.")


@strawberry.type(description="A project of the portal user's customer, as the customer sees it.")
class GuaranteePortalProject:
    id: strawberry.ID = strawberry.field(description="The project's global id (GuaranteeProject).")
    project_no: str | None = strawberry.field(description="Null while the application is a draft.")
    product_name: str
    amount: Decimal
    term_months: int
    purpose: str
    status: str
    progress: str = strawberry.field(description="A customer-facing label of the status.")
    current_step: str | None = strawberry.field(description="The approval step it is at (while in approval).")
    created_at: dt.datetime
    milestones: list[GuaranteePortalMilestone] = strawberry.field(
        description="submitted, decided, effective, released (in one project's view; empty in the list).")

    @classmethod
    def of(cls, v: portal.PortalProjectView) -> "GuaranteePortalProject":
        return cls(id=gid(PROJECT_TYPE, v.id), project_no=v.project_no, product_name=v.product_name, amount=v.amount,
                   term_months=v.term_months, purpose=v.purpose, status=v.status, progress=v.progress,
                   current_step=v.current_step, created_at=v.created_at,
                   milestones=[GuaranteePortalMilestone(key=m.key, label=m.label, reached=m.reached, on=m.on,
                                                        result=m.result) for m in v.milestones])


@strawberry.type(description="A generated document: its bytes in base64.")
class GuaranteeLetterFile:
    filename: str
    content_type: str
    size: int
    sha256: str
    content_base64: str

    @classmethod
    def of(cls, f: letter.LetterFile) -> "GuaranteeLetterFile":
        return cls(filename=f.filename, content_type=f.content_type, size=f.size, sha256=f.sha256,
                   content_base64=base64.b64encode(f.data).decode("ascii"))


@strawberry.type(description="A portal user acting for a customer.")
class GuaranteePortalLink:
    id: strawberry.ID
    user_id: strawberry.ID = strawberry.field(description="The user's global id (User).")
    customer_id: strawberry.ID = strawberry.field(description="The customer's global id (Customer).")
    username: str
    display_name: str
    created_at: dt.datetime

    @classmethod
    def of(cls, link, user) -> "GuaranteePortalLink":
        return cls(id=strawberry.ID(str(link.id)), user_id=gid("User", link.user_id),
                   customer_id=gid("Customer", link.customer_id), username=user.username,
                   display_name=user.display_name, created_at=link.created_at)


# ---------------------------------------------------------------- queries ------------------------------------------


@strawberry.type
class GuaranteePortalQuery:
    @strawberry.field(description="Portal: your customer's projects, newest first (guarantee:portal:use).")
    def guarantee_portal_projects(self, info: strawberry.Info) -> list[GuaranteePortalProject]:
        return [GuaranteePortalProject.of(v) for v in portal.my_projects(info.context.session, actor(info))]

    @strawberry.field(description="Portal: one of your customer's projects with its milestones (null for any "
                                  "other id).")
    def guarantee_portal_project(self, info: strawberry.Info, id: strawberry.ID) -> GuaranteePortalProject | None:
        session, who = info.context.session, actor(info)
        portal.linked_customer(session, who)  # refusals of unlinked or non-portal callers stay errors
        try:
            return GuaranteePortalProject.of(portal.project_view(session, who, project_uuid(id, "id")))
        except NotFound:
            return None

    @strawberry.field(description="Portal: the guarantee letter (担保函) PDF of one of your customer's effective or "
                                  "released projects (audited).")
    def guarantee_portal_letter(self, info: strawberry.Info, project_id: strawberry.ID) -> GuaranteeLetterFile:
        return GuaranteeLetterFile.of(portal.portal_letter(info.context.session, actor(info),
                                                           project_uuid(project_id)))

    @strawberry.field(description="Staff: the guarantee letter (担保函) PDF of an effective or released project in "
                                  "your data scope (guarantee:project:read; audited).")
    def guarantee_letter(self, info: strawberry.Info, project_id: strawberry.ID) -> GuaranteeLetterFile:
        return GuaranteeLetterFile.of(letter.guarantee_letter(info.context.session, actor(info),
                                                              project_uuid(project_id)))

    @strawberry.field(description="Staff: a customer's portal users (guarantee:portal:manage).")
    def guarantee_portal_links(self, info: strawberry.Info, customer_id: strawberry.ID) -> list[GuaranteePortalLink]:
        rows = portal.portal_links(info.context.session, actor(info),
                                   _node(customer_id, "Customer", "customerId"))
        return [GuaranteePortalLink.of(link, user) for link, user in rows]


# ---------------------------------------------------------------- mutations ----------------------------------------


@strawberry.input(description="A portal application: the customer and its manager are implied.")
class GuaranteePortalApplicationInput:
    product_id: strawberry.ID
    amount: Decimal
    term_months: int
    purpose: str
    bank_id: strawberry.ID | None = strawberry.field(default=None, description="The lending bank (loan guarantees)")
    loan_category: str | None = strawberry.field(default=None, description="small_micro | farmer | housing | other")


@strawberry.input
class GuaranteePortalUserCreateInput:
    customer_id: strawberry.ID
    username: str
    password: str
    display_name: str
    email: str | None = None
    phone: str | None = None


@strawberry.input
class GuaranteePortalUserLinkInput:
    customer_id: strawberry.ID
    user_id: strawberry.ID


@strawberry.type
class GuaranteePortalApplicationPayload:
    project: GuaranteePortalProject | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class GuaranteePortalLinkPayload:
    link: GuaranteePortalLink | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class GuaranteePortalUnlinkPayload:
    unlinked_user_id: strawberry.ID | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


def _link_payload(session, link) -> GuaranteePortalLinkPayload:
    user = session.scalar(select(User).where(User.id == link.user_id))
    return GuaranteePortalLinkPayload(link=GuaranteePortalLink.of(link, user))


@strawberry.type
class GuaranteePortalMutation:
    @strawberry.mutation(description="Portal: apply for a guarantee. The application is a draft for your customer "
                                     "manager, who is notified and submits it for approval.")
    def guarantee_portal_application_submit(self, info: strawberry.Info, input: GuaranteePortalApplicationInput
                                            ) -> GuaranteePortalApplicationPayload:
        def go():
            session, who = info.context.session, actor(info)
            data = {"product_id": _node(input.product_id, "GuaranteeProduct", "productId"),
                    "amount": input.amount, "term_months": input.term_months, "purpose": input.purpose}
            if input.bank_id is not None:
                data["bank_id"] = _node(input.bank_id, "GuaranteeBank", "bankId")
            if input.loan_category is not None:
                data["loan_category"] = input.loan_category
            project = portal.submit_application(session, who, data)
            return GuaranteePortalApplicationPayload(
                project=GuaranteePortalProject.of(portal.project_view(session, who, project.id)))

        return run_mutation(info, GuaranteePortalApplicationPayload, go)

    @strawberry.mutation(description="Create a portal user (role customer_portal) for a customer in your data "
                                     "scope (guarantee:portal:manage).")
    def guarantee_portal_user_create(self, info: strawberry.Info, input: GuaranteePortalUserCreateInput
                                     ) -> GuaranteePortalLinkPayload:
        def go():
            session = info.context.session
            link = portal.create_portal_user(
                session, actor(info), _node(input.customer_id, "Customer", "customerId"),
                username=input.username, password=input.password, display_name=input.display_name,
                email=input.email, phone=input.phone)
            return _link_payload(session, link)

        return run_mutation(info, GuaranteePortalLinkPayload, go)

    @strawberry.mutation(description="Link an existing user whose only role is customer_portal to a customer "
                                     "(guarantee:portal:manage).")
    def guarantee_portal_user_link(self, info: strawberry.Info, input: GuaranteePortalUserLinkInput
                                   ) -> GuaranteePortalLinkPayload:
        def go():
            session = info.context.session
            link = portal.link_user(session, actor(info), _node(input.customer_id, "Customer", "customerId"),
                                    _node(input.user_id, "User", "userId"))
            return _link_payload(session, link)

        return run_mutation(info, GuaranteePortalLinkPayload, go)

    @strawberry.mutation(description="Unlink a portal user from its customer (guarantee:portal:manage).")
    def guarantee_portal_user_unlink(self, info: strawberry.Info, user_id: strawberry.ID
                                     ) -> GuaranteePortalUnlinkPayload:
        def go():
            link = portal.unlink_user(info.context.session, actor(info), _node(user_id, "User", "userId"))
            return GuaranteePortalUnlinkPayload(unlinked_user_id=gid("User", link.user_id))

        return run_mutation(info, GuaranteePortalUnlinkPayload, go)


QUERIES: tuple = (GuaranteePortalQuery,)
MUTATIONS: tuple = (GuaranteePortalMutation,)
TYPES: tuple = (GuaranteePortalProject, GuaranteePortalMilestone, GuaranteeLetterFile, GuaranteePortalLink)
