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
    amount: Decimal = strawberry.field(description="The in-force amount released.")
    balance_after: Decimal
    released_on: dt.date
    credit_line_id: strawberry.ID | None
    line_released: Decimal = strawberry.field(description="Given back to the bank's credit line.")
    margin_refunded: Decimal
    note: str
    created_at: dt.datetime

    @classmethod
    def from_row(cls, r) -> "GuaranteeRelease":
        return cls(id=strawberry.ID(str(r.id)), project_id=_gid(PROJECT_TYPE, r.project_id), kind=r.kind,
                   reason=r.reason, amount=r.amount, balance_after=r.balance_after, released_on=r.released_on,
                   credit_line_id=_gid("GuaranteeCreditLine", r.credit_line_id), line_released=r.line_released,
                   margin_refunded=r.margin_refunded, note=r.note, created_at=r.created_at)


# ---------------------------------------------------------------- queries ------------------------------------------


@strawberry.type
class GuaranteeReleaseQuery:
    @strawberry.field(description="A project's releases, oldest first.")
    def guarantee_releases(self, info: strawberry.Info, project_id: strawberry.ID) -> list[GuaranteeRelease]:
        rows = release.releases(info.context.session, actor(info),
                                decode_node_id(project_id, PROJECT_TYPE, field="projectId"))
        return [GuaranteeRelease.from_row(r) for r in rows]

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


@strawberry.input(description="full: the loan is repaid or its term ended (no amount); partial: amount below the "
                              "balance.")
class GuaranteeReleaseInput:
    project_id: strawberry.ID
    kind: str = strawberry.field(description="full | partial")
    amount: Decimal | None = None
    released_on: dt.date | None = strawberry.field(default=None, description="Default: today")
    note: str = ""
    idempotency_key: str | None = idempotency_key_field()


@strawberry.type
class GuaranteeRepaymentPayload:
    repayment: GuaranteeRepayment | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class GuaranteeReleasePayload:
    release: GuaranteeRelease | None = None
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

    @strawberry.mutation(description="Release (解保) a guarantee, full or partial: the credit line is given back "
                                     "and, on a full release, the margin refunded (idempotent with "
                                     "idempotencyKey).")
    def guarantee_release(self, info: strawberry.Info, input: GuaranteeReleaseInput) -> GuaranteeReleasePayload:
        def go():
            return release.release(info.context.session, actor(info),
                                   decode_node_id(input.project_id, PROJECT_TYPE, field="projectId"),
                                   kind=input.kind, amount=input.amount, released_on=input.released_on,
                                   note=input.note)

        return run_idempotent(info, GuaranteeReleasePayload, input, go,
                              lambda row: GuaranteeReleasePayload(release=GuaranteeRelease.from_row(row)))


QUERIES: tuple = (GuaranteeReleaseQuery,)
MUTATIONS: tuple = (GuaranteeReleaseMutation,)
TYPES: tuple = (GuaranteeRelease, GuaranteeRepayment)
