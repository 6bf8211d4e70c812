"""GraphQL of repayments and release (解保) of guarantees (thin: the rules are in ``release``). ``QUERIES`` and
``MUTATIONS`` join the schema's Query and Mutation; ``TYPES`` are registered too."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import strawberry

from surety.graphql.auth import actor, decode_node_id
from surety.graphql.errors import UserError
from surety.graphql.idempotency import idempotency_key_field, run_idempotent
from surety.graphql.nodes import global_id as _gid
from surety.plugins.guarantee.release import releases as release

PROJECT_TYPE = "GuaranteeProject"


# ---------------------------------------------------------------- types --------------------------------------------


@strawberry.type(description="A repayment of the guaranteed loan reported by the bank.")
class GuaranteeRepayment:
    id: strawberry.ID
    project_id: strawberry.ID
    amount: Decimal
    repaid_on: dt.date
    balance_after: Decimal = strawberry.field(description="The in-force balance after this repayment.")
    reference: str
    created_at: dt.datetime

    @classmethod
    def from_row(cls, r) -> "GuaranteeRepayment":
        return cls(id=strawberry.ID(str(r.id)), project_id=_gid(PROJECT_TYPE, r.project_id), amount=r.amount,
                   repaid_on=r.repaid_on, balance_after=r.balance_after, reference=r.reference,
                   created_at=r.created_at)


@strawberry.type(description="A release (解保) of a guarantee, full or partial.")
class GuaranteeRelease:
    id: strawberry.ID
    project_id: strawberry.ID
    kind: str = strawberry.field(description="full | partial")
    reason: str = strawberry.field(description="repaid | term_ended | partial")
    amount: Decimal = strawberry.field(description="The in-force amount released (balance before - after).")
    released_amount: Decimal = strawberry.field(
        description="解保金额: the guaranteed amount discharged (a full release: the balance released plus what "
                    "repayments paid off before it).")
    balance_after: Decimal
    released_on: dt.date
    credit_line_id: strawberry.ID | None
    line_released: Decimal = strawberry.field(description="Given back to the bank's credit line.")
    margin_refunded: Decimal
    note: str
    request_id: strawberry.ID | None = strawberry.field(
        description="The approved release request this release executed (null: released before the approval).")
    created_at: dt.datetime

    @classmethod
    def from_row(cls, r) -> "GuaranteeRelease":
        return cls(id=strawberry.ID(str(r.id)), project_id=_gid(PROJECT_TYPE, r.project_id), kind=r.kind,
                   reason=r.reason, amount=r.amount, released_amount=r.released_amount, balance_after=r.balance_after,
                   released_on=r.released_on, credit_line_id=_gid("GuaranteeCreditLine", r.credit_line_id),
                   line_released=r.line_released, margin_refunded=r.margin_refunded, note=r.note,
                   request_id=strawberry.ID(str(r.request_id)) if r.request_id else None, created_at=r.created_at)


@strawberry.type(description="A release request (申请解保), decided through the workflow guarantee.release: executed "
                             "when approved.")
class GuaranteeReleaseRequest:
    id: strawberry.ID
    project_id: strawberry.ID
    kind: str = strawberry.field(description="full | partial")
    amount: Decimal | None = strawberry.field(description="A partial release's amount (null for a full one).")
    released_on: dt.date | None = strawberry.field(description="The release date asked for (null: the approval's "
                                                               "date).")
    note: str
    status: str = strawberry.field(description="in_approval | released | rejected | withdrawn")
    workflow_instance_id: strawberry.ID | None = strawberry.field(
        description="The approval (open it with workflowInstance(id); decide it with the workflow task mutations).")
    release_id: strawberry.ID | None = strawberry.field(description="The release executed on approval.")
    requested_by: strawberry.ID | None
    decided_by: strawberry.ID | None
    decided_at: dt.datetime | None
    decision_comment: str
    created_at: dt.datetime

    @classmethod
    def from_row(cls, r) -> "GuaranteeReleaseRequest":
        return cls(id=strawberry.ID(str(r.id)), project_id=_gid(PROJECT_TYPE, r.project_id), kind=r.kind,
                   amount=r.amount, released_on=r.released_on, note=r.note, status=r.status,
                   workflow_instance_id=_gid("WorkflowInstance", r.workflow_instance_id),
                   release_id=strawberry.ID(str(r.release_id)) if r.release_id else None,
                   requested_by=_gid("User", r.requested_by), decided_by=_gid("User", r.decided_by),
                   decided_at=r.decided_at, decision_comment=r.decision_comment, created_at=r.created_at)


# ---------------------------------------------------------------- queries ------------------------------------------


@strawberry.type
class GuaranteeReleaseQuery:
    @strawberry.field(description="A project's releases, oldest first.")
    def guarantee_releases(self, info: strawberry.Info, project_id: strawberry.ID) -> list[GuaranteeRelease]:
        rows = release.releases(info.context.session, actor(info),
                                decode_node_id(project_id, PROJECT_TYPE, field="projectId"))
        return [GuaranteeRelease.from_row(r) for r in rows]

    @strawberry.field(description="A project's release requests (申请解保), oldest first.")
    def guarantee_release_requests(self, info: strawberry.Info, project_id: strawberry.ID
                                   ) -> list[GuaranteeReleaseRequest]:
        rows = release.release_requests(info.context.session, actor(info),
                                        decode_node_id(project_id, PROJECT_TYPE, field="projectId"))
        return [GuaranteeReleaseRequest.from_row(r) for r in rows]

    @strawberry.field(description="A project's repayments reported by the bank, oldest first.")
    def guarantee_repayments(self, info: strawberry.Info, project_id: strawberry.ID) -> list[GuaranteeRepayment]:
        rows = release.repayments(info.context.session, actor(info),
                                  decode_node_id(project_id, PROJECT_TYPE, field="projectId"))
        return [GuaranteeRepayment.from_row(r) for r in rows]


# ---------------------------------------------------------------- mutations ----------------------------------------


@strawberry.input
class GuaranteeRepaymentRecordInput:
    project_id: strawberry.ID
    amount: Decimal
    repaid_on: dt.date | None = strawberry.field(default=None, description="Default: today")
    reference: str = ""
    idempotency_key: str | None = idempotency_key_field()


@strawberry.input(description="A release request (申请解保). full: the loan is repaid or its term ended (no "
                              "amount); partial: amount below the balance. Executed when its approval ends approved.")
class GuaranteeReleaseRequestInput:
    project_id: strawberry.ID
    kind: str = strawberry.field(description="full | partial")
    amount: Decimal | None = None
    released_on: dt.date | None = strawberry.field(default=None, description="Default: the approval's date")
    note: str = ""
    idempotency_key: str | None = idempotency_key_field()


@strawberry.type
class GuaranteeRepaymentPayload:
    repayment: GuaranteeRepayment | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class GuaranteeReleaseRequestPayload:
    request: GuaranteeReleaseRequest | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class GuaranteeReleaseMutation:
    @strawberry.mutation(description="Record a repayment the bank reported: the in-force balance goes down "
                                     "(idempotent with idempotencyKey).")
    def guarantee_repayment_record(self, info: strawberry.Info, input: GuaranteeRepaymentRecordInput
                                   ) -> GuaranteeRepaymentPayload:
        def go():
            return release.record_repayment(info.context.session, actor(info),
                                            decode_node_id(input.project_id, PROJECT_TYPE, field="projectId"),
                                            input.amount, repaid_on=input.repaid_on, reference=input.reference)

        return run_idempotent(info, GuaranteeRepaymentPayload, input, go,
                              lambda row: GuaranteeRepaymentPayload(repayment=GuaranteeRepayment.from_row(row)))

    @strawberry.mutation(description="Request the release (申请解保) of a guarantee, full or partial: the approval "
                                     "guarantee.release starts; the release (credit line given back, margin "
                                     "refunded on a full release) is executed when it ends approved (idempotent "
                                     "with idempotencyKey).")
    def guarantee_release_request(self, info: strawberry.Info, input: GuaranteeReleaseRequestInput
                                  ) -> GuaranteeReleaseRequestPayload:
        def go():
            return release.request_release(info.context.session, actor(info),
                                           decode_node_id(input.project_id, PROJECT_TYPE, field="projectId"),
                                           kind=input.kind, amount=input.amount, released_on=input.released_on,
                                           note=input.note)

        return run_idempotent(info, GuaranteeReleaseRequestPayload, input, go,
                              lambda row: GuaranteeReleaseRequestPayload(
                                  request=GuaranteeReleaseRequest.from_row(row)))


QUERIES: tuple = (GuaranteeReleaseQuery,)
MUTATIONS: tuple = (GuaranteeReleaseMutation,)
TYPES: tuple = (GuaranteeRelease, GuaranteeReleaseRequest, GuaranteeRepayment)
