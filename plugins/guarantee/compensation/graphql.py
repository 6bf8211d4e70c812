"""GraphQL of compensation (代偿) and recovery (追偿) (thin: the rules are in ``compensation``). ``QUERIES`` and
``MUTATIONS`` join the schema's Query and Mutation; ``TYPES`` are registered too."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import strawberry

from surety.graphql.auth import actor, decode_node_id
from surety.graphql.errors import UserError, run_mutation
from surety.graphql.idempotency import idempotency_key_field, run_idempotent
from surety.graphql.nodes import global_id as gid
from surety.plugins.guarantee.compensation import claims as compensation
from surety.plugins.guarantee.project.models import PROJECT_STATUS_LABELS

PROJECT_TYPE = "GuaranteeProject"
INSTANCE_TYPE = "WorkflowInstance"
CLAIM_TYPE = "GuaranteeCompensation"
RECEIVABLE_TYPE = "GuaranteeCompensationReceivable"


# ---------------------------------------------------------------- types --------------------------------------------


@strawberry.type(description="The bank's compensation claim (代偿) on a project, its decision (through its workflow "
                             "instance) and payment.")
class GuaranteeCompensation:
    id: strawberry.ID
    project_id: strawberry.ID
    status: str = strawberry.field(description="claimed | approved | rejected | compensated")
    claimed_amount: Decimal = strawberry.field(description="The bank's claim, gross: principal + interest + penalty.")
    principal: Decimal = strawberry.field(description="本金: at most the in-force balance when claimed.")
    interest: Decimal = strawberry.field(description="利息 (0 unless the contract covers interest).")
    penalty: Decimal = strawberry.field(description="罚息 (0 unless the contract covers penalty interest).")
    bank_share_ratio: Decimal = strawberry.field(description="The bank's risk-share ratio of the project's credit "
                                                             "line when the claim was recorded (0.2 = 20 %).")
    bank_share: Decimal = strawberry.field(description="The part of the claim the bank bears: claimedAmount x "
                                                       "bankShareRatio, to the fen.")
    payable_amount: Decimal = strawberry.field(description="What the company pays: claimedAmount - bankShare.")
    claim_date: dt.date
    claimant: str = strawberry.field(description="索赔方: the bank of a financing guarantee, the beneficiary (受益人) "
                                                 "of a non-financing one.")
    notes: str
    decision_comment: str
    decided_at: dt.datetime | None
    paid_amount: Decimal | None
    paid_on: dt.date | None
    workflow_instance_id: strawberry.ID | None = strawberry.field(
        description="The claim's approval instance (workflow guarantee.compensation): act on its tasks with "
                    "workflowTaskApprove / workflowTaskReject.")

    @classmethod
    def from_row(cls, r) -> "GuaranteeCompensation":
        return cls(id=gid(CLAIM_TYPE, r.id), project_id=gid(PROJECT_TYPE, r.project_id), status=r.status,
                   claimed_amount=r.claimed_amount, principal=r.principal, interest=r.interest, penalty=r.penalty,
                   bank_share_ratio=r.bank_share_ratio, bank_share=r.bank_share, payable_amount=r.payable_amount,
                   claim_date=r.claim_date, claimant=r.claimant, notes=r.notes,
                   decision_comment=compensation.decision_comment_text(r.decision_comment),
                   decided_at=r.decided_at, paid_amount=r.paid_amount,
                   paid_on=r.paid_on, workflow_instance_id=gid(INSTANCE_TYPE, r.workflow_instance_id))


@strawberry.type(description="One recovery action (追偿) and what it recovered.")
class GuaranteeRecoveryAction:
    id: strawberry.ID
    kind: str = strawberry.field(description="negotiation | lawsuit | enforcement | collateral_disposal")
    action_date: dt.date
    notes: str
    amount: Decimal

    @classmethod
    def from_row(cls, r) -> "GuaranteeRecoveryAction":
        return cls(id=strawberry.ID(str(r.id)), kind=r.kind, action_date=r.action_date, notes=r.notes,
                   amount=r.amount)


@strawberry.type(description="A compensation receivable: outstanding = paid - recovered - written off (yuan).")
class GuaranteeCompensationReceivable:
    id: strawberry.ID
    compensation_id: strawberry.ID
    status: str = strawberry.field(description="open | closed")
    paid: Decimal
    recovered: Decimal
    written_off: Decimal
    outstanding: Decimal
    opened_on: dt.date
    closed_on: dt.date | None
    write_off_reason: str = strawberry.field(description="The pending or approved write-off reason.")
    write_off_pending: bool
    write_off_instance_id: strawberry.ID | None = strawberry.field(
        description="The running approval instance of the pending write-off (workflow guarantee.loss_write_off).")
    written_off_on: dt.date | None
    actions: list[GuaranteeRecoveryAction]

    @classmethod
    def from_row(cls, r, actions=()) -> "GuaranteeCompensationReceivable":
        return cls(id=gid(RECEIVABLE_TYPE, r.id), compensation_id=gid(CLAIM_TYPE, r.compensation_id),
                   status=r.status, paid=r.paid, recovered=r.recovered, written_off=r.written_off,
                   outstanding=r.outstanding, opened_on=r.opened_on, closed_on=r.closed_on,
                   write_off_reason=r.write_off_reason,
                   write_off_pending=r.status == "open" and r.write_off_instance_id is not None,
                   write_off_instance_id=gid(INSTANCE_TYPE, r.write_off_instance_id),
                   written_off_on=r.written_off_on, actions=[GuaranteeRecoveryAction.from_row(a) for a in actions])


@strawberry.type(description="A project's compensation claims, receivables and totals (yuan).")
class GuaranteeCompensationSummary:
    project_id: strawberry.ID
    project_status: str = strawberry.field(description="The project's status (compensated: 已代偿 once no principal "
                                                       "remains in force).")
    project_status_label: str = strawberry.field(description="The project's status in Chinese.")
    risk_class: str = strawberry.field(description="The project's five-category risk class.")
    covered_components: list[str] = strawberry.field(description="What a claim may cover (保证范围): principal, "
                                                                 "interest, penalty.")
    covered_components_text: str = strawberry.field(description="The same in words (本金、利息、罚息).")
    in_force_balance: Decimal
    expiry_date: dt.date | None = strawberry.field(description="保函到期日 of a non-financing guarantee: no claim dated "
                                                               "after it is accepted (null for a financing one).")
    claims: list[GuaranteeCompensation]
    receivables: list[GuaranteeCompensationReceivable]
    paid: Decimal
    recovered: Decimal
    written_off: Decimal
    outstanding: Decimal

    @classmethod
    def of(cls, view: compensation.CompensationView) -> "GuaranteeCompensationSummary":
        t = view.totals()
        p = view.project
        return cls(project_id=gid(PROJECT_TYPE, p.id), project_status=p.status,
                   project_status_label=PROJECT_STATUS_LABELS.get(p.status, p.status), risk_class=p.risk_class,
                   covered_components=list(view.covered), covered_components_text=compensation.scope_text(view.covered),
                   in_force_balance=p.in_force_balance, expiry_date=p.expiry_date,
                   claims=[GuaranteeCompensation.from_row(c) for c in view.claims],
                   receivables=[GuaranteeCompensationReceivable.from_row(v.receivable, v.actions)
                                for v in view.receivables],
                   paid=t["paid"], recovered=t["recovered"], written_off=t["written_off"],
                   outstanding=t["outstanding"])


# ---------------------------------------------------------------- queries ------------------------------------------


@strawberry.type
class GuaranteeCompensationQuery:
    @strawberry.field(description="A project's compensation claims, receivables, recovery actions and totals.")
    def guarantee_compensation(self, info: strawberry.Info, project_id: strawberry.ID
                               ) -> GuaranteeCompensationSummary:
        view = compensation.compensation_of(info.context.session, actor(info),
                                            decode_node_id(project_id, PROJECT_TYPE, field="projectId"))
        return GuaranteeCompensationSummary.of(view)


# ---------------------------------------------------------------- mutations ----------------------------------------


@strawberry.input
class GuaranteeCompensationClaimInput:
    project_id: strawberry.ID
    principal: Decimal | None = strawberry.field(default=None, description="本金 claimed: at most the in-force "
                                                                           "balance")
    interest: Decimal | None = strawberry.field(default=None, description="利息 claimed (default 0)")
    penalty: Decimal | None = strawberry.field(default=None, description="罚息 claimed (default 0)")
    amount: Decimal | None = strawberry.field(
        default=None, description="The claim's total: with components it must equal their sum; alone, a claim of "
                                  "principal only")
    claim_date: dt.date | None = strawberry.field(default=None, description="Default: today")
    notes: str = ""
    idempotency_key: str | None = idempotency_key_field()


@strawberry.input
class GuaranteeCompensationPayInput:
    compensation_id: strawberry.ID
    amount: Decimal | None = strawberry.field(default=None, description="What the company pays: the claim's "
                                                                        "payableAmount (the default)")
    paid_on: dt.date | None = strawberry.field(default=None, description="Default: today")
    idempotency_key: str | None = idempotency_key_field()


@strawberry.input
class GuaranteeRecoveryRecordInput:
    receivable_id: strawberry.ID
    kind: str = strawberry.field(description="negotiation | lawsuit | enforcement | collateral_disposal")
    notes: str = ""
    amount: Decimal = strawberry.field(default=Decimal(0), description="What the action recovered (0 for none)")
    action_date: dt.date | None = None
    idempotency_key: str | None = idempotency_key_field()


@strawberry.input
class GuaranteeLossWriteOffProposeInput:
    receivable_id: strawberry.ID
    reason: str
    idempotency_key: str | None = idempotency_key_field()


@strawberry.input
class GuaranteeCoveredComponentsSetInput:
    project_id: strawberry.ID
    components: list[str] | None = strawberry.field(
        default=None, description="principal, interest, penalty (principal always); null or empty: the product's "
                                  "default")


@strawberry.type
class GuaranteeCoveredComponentsPayload:
    project_id: strawberry.ID | None = None
    covered_components: list[str] | None = None
    covered_components_text: str | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class GuaranteeCompensationPayload:
    compensation: GuaranteeCompensation | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class GuaranteeCompensationReceivablePayload:
    receivable: GuaranteeCompensationReceivable | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


def _receivable_payload(info, row) -> GuaranteeCompensationReceivablePayload:
    view = compensation.compensation_of(info.context.session, actor(info), row.project_id)
    actions = next((v.actions for v in view.receivables if v.receivable.id == row.id), [])
    return GuaranteeCompensationReceivablePayload(receivable=GuaranteeCompensationReceivable.from_row(row, actions))


def _rid(value) -> uuid.UUID:
    return decode_node_id(value, RECEIVABLE_TYPE, field="receivableId")


def _cid(value) -> uuid.UUID:
    return decode_node_id(value, CLAIM_TYPE, field="compensationId")


@strawberry.type
class GuaranteeCompensationMutation:
    @strawberry.mutation(description="Record the bank's compensation claim on an effective project and start its "
                                     "approval instance (risk officer's review, then the executive's approval; "
                                     "idempotent with idempotencyKey).")
    def guarantee_compensation_claim(self, info: strawberry.Info, input: GuaranteeCompensationClaimInput
                                     ) -> GuaranteeCompensationPayload:
        def go():
            return compensation.claim(info.context.session, actor(info),
                                      decode_node_id(input.project_id, PROJECT_TYPE, field="projectId"),
                                      amount=input.amount, principal=input.principal, interest=input.interest,
                                      penalty=input.penalty, claim_date=input.claim_date, notes=input.notes)

        def present(row) -> GuaranteeCompensationPayload:
            return GuaranteeCompensationPayload(compensation=GuaranteeCompensation.from_row(row))

        return run_idempotent(info, GuaranteeCompensationPayload, input, go, present)

    @strawberry.mutation(description="Set what a compensation claim on the project may cover (保证范围: principal, "
                                     "interest, penalty), before the guarantee takes effect.")
    def guarantee_covered_components_set(self, info: strawberry.Info, input: GuaranteeCoveredComponentsSetInput
                                         ) -> GuaranteeCoveredComponentsPayload:
        def go() -> GuaranteeCoveredComponentsPayload:
            session = info.context.session
            project = compensation.set_covered_components(
                session, actor(info), decode_node_id(input.project_id, PROJECT_TYPE, field="projectId"),
                input.components)
            covered = compensation.covered_components(session, project)
            return GuaranteeCoveredComponentsPayload(project_id=gid(PROJECT_TYPE, project.id),
                                                     covered_components=list(covered),
                                                     covered_components_text=compensation.scope_text(covered))

        return run_mutation(info, GuaranteeCoveredComponentsPayload, go)

    @strawberry.mutation(description="Record the payment on an approved claim: opens the compensation receivable "
                                     "(idempotent with idempotencyKey).")
    def guarantee_compensation_pay(self, info: strawberry.Info, input: GuaranteeCompensationPayInput
                                   ) -> GuaranteeCompensationReceivablePayload:
        def go():
            return compensation.pay(info.context.session, actor(info), _cid(input.compensation_id),
                                    amount=input.amount, paid_on=input.paid_on)

        return run_idempotent(info, GuaranteeCompensationReceivablePayload, input, go,
                              lambda row: _receivable_payload(info, row))

    @strawberry.mutation(description="Record a recovery action and what it recovered (idempotent with "
                                     "idempotencyKey).")
    def guarantee_recovery_record(self, info: strawberry.Info, input: GuaranteeRecoveryRecordInput
                                  ) -> GuaranteeCompensationReceivablePayload:
        def go():
            return compensation.record_recovery(info.context.session, actor(info), _rid(input.receivable_id),
                                                kind=input.kind, notes=input.notes, amount=input.amount,
                                                action_date=input.action_date)

        def present(action) -> GuaranteeCompensationReceivablePayload:
            return _receivable_payload(info, compensation.receivable_of(info.context.session, action.receivable_id))

        return run_idempotent(info, GuaranteeCompensationReceivablePayload, input, go, present)

    @strawberry.mutation(description="Propose writing off a receivable's remainder as a loss (a reason is needed): "
                                     "starts its approval instance (the executive; idempotent with "
                                     "idempotencyKey).")
    def guarantee_loss_write_off_propose(self, info: strawberry.Info, input: GuaranteeLossWriteOffProposeInput
                                         ) -> GuaranteeCompensationReceivablePayload:
        def go():
            return compensation.propose_write_off(info.context.session, actor(info), _rid(input.receivable_id),
                                                  reason=input.reason)

        return run_idempotent(info, GuaranteeCompensationReceivablePayload, input, go,
                              lambda row: _receivable_payload(info, row))


QUERIES: tuple = (GuaranteeCompensationQuery,)
MUTATIONS: tuple = (GuaranteeCompensationMutation,)
TYPES: tuple = ()
