"""GraphQL of banks, credit lines, fees, loan confirmation and the issuance of non-financing letters of guarantee
(thin: the rules are in ``banks``, ``fees``, ``loans`` and ``issuance``). ``QUERIES`` and ``MUTATIONS`` join the schema's Query and Mutation; ``TYPES`` are registered too."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from decimal import Decimal
from typing import Any

import strawberry
from sqlalchemy import select
from sqlalchemy.orm import Session
from strawberry import relay

from surety.core.authz.check import require
from surety.graphql.auth import actor, decode_node_id
from surety.graphql.errors import UserError, run_mutation
from surety.graphql.idempotency import idempotency_key_field, run_idempotent
from surety.graphql.loaders import load
from surety.graphql.nodes import global_id as gid
from surety.graphql.nodes import load_nodes
from surety.plugins.guarantee.finance import banks, fees, issuance, loans
from surety.plugins.guarantee.finance.models import GuaranteeFeeItem as ItemRow
from surety.plugins.guarantee.project.models import GuaranteeBank as BankRow
from surety.plugins.guarantee.project.models import GuaranteeCreditLine as LineRow

PROJECT_TYPE = "GuaranteeProject"


# ---------------------------------------------------------------- types --------------------------------------------


@strawberry.type(description="A partner bank's credit line (授信额度): available = total - used.")
class GuaranteeCreditLine(relay.Node):
    id: relay.NodeID[str]
    bank_id: strawberry.ID
    total: Decimal
    used: Decimal
    available: Decimal
    risk_share_ratio: Decimal = strawberry.field(description="The bank's share of each loss (0.20 = 20 %).")
    start_date: dt.date
    end_date: dt.date
    active: bool

    @classmethod
    def from_row(cls, r: LineRow) -> "GuaranteeCreditLine":
        return cls(id=str(r.id), bank_id=gid("GuaranteeBank", r.bank_id), total=r.total, used=r.used,
                   available=banks.available(r), risk_share_ratio=r.risk_share_ratio, start_date=r.start_date,
                   end_date=r.end_date, active=r.active)

    @classmethod
    def resolve_nodes(cls, *, info, node_ids, required=False):
        return load_nodes(info, LineRow, cls.from_row, node_ids, "guarantee:bank:read")


@strawberry.type(description="A cooperating (partner) bank and its credit lines.")
class GuaranteeBank(relay.Node):
    id: relay.NodeID[str]
    code: str
    name: str
    active: bool
    row: strawberry.Private[Any]
    prefetched: strawberry.Private[list | None] = None

    @classmethod
    def from_row(cls, r: BankRow, lines: list | None = None) -> "GuaranteeBank":
        return cls(id=str(r.id), code=r.code, name=r.name, active=r.active, row=r, prefetched=lines)

    @classmethod
    def resolve_nodes(cls, *, info, node_ids, required=False):
        return load_nodes(info, BankRow, cls.from_row, node_ids, "guarantee:bank:read")

    @strawberry.field(description="The bank's credit lines, newest period first.")
    async def lines(self, info: strawberry.Info) -> list[GuaranteeCreditLine]:
        rows = self.prefetched
        if rows is None:
            rows = await load(info, "guarantee.bank_lines", _bank_lines, self.row.id, default=list)
        return [GuaranteeCreditLine.from_row(r) for r in rows]


def _bank_lines(ctx, bank_ids) -> dict[uuid.UUID, list]:
    """Credit lines of the banks of a page, newest period first (``banks.bank_lines`` for many banks: the same
    permission, one query)."""

    require(ctx.session, ctx.require_actor(), banks.BANK, "read")
    found: dict[uuid.UUID, list] = defaultdict(list)
    for line in ctx.session.scalars(select(LineRow).where(LineRow.bank_id.in_(bank_ids))
                                    .order_by(LineRow.start_date.desc(), LineRow.id)):
        found[line.bank_id].append(line)
    return found


@strawberry.type(description="One line of a fee schedule.")
class GuaranteeFeeItem(relay.Node):
    id: relay.NodeID[str]
    fee_type: str = strawberry.field(description="guarantee_fee | review_fee | margin")
    seq: int
    due_date: dt.date
    period_start: dt.date | None
    period_end: dt.date | None
    amount: Decimal
    received: Decimal
    refunded: Decimal
    outstanding: Decimal

    @classmethod
    def from_row(cls, r: ItemRow) -> "GuaranteeFeeItem":
        return cls(id=str(r.id), fee_type=r.fee_type, seq=r.seq, due_date=r.due_date, period_start=r.period_start,
                   period_end=r.period_end, amount=r.amount, received=r.received, refunded=r.refunded,
                   outstanding=r.amount - r.received)

    @classmethod
    def resolve_nodes(cls, *, info, node_ids, required=False):
        return load_nodes(info, ItemRow, cls.from_row, node_ids, "guarantee:fee:read")


@strawberry.type(description="Money received against a schedule item.")
class GuaranteeFeeReceipt:
    id: strawberry.ID
    item_id: strawberry.ID
    fee_type: str
    amount: Decimal
    received_on: dt.date
    reference: str
    created_at: dt.datetime

    @classmethod
    def from_row(cls, r) -> "GuaranteeFeeReceipt":
        return cls(id=strawberry.ID(str(r.id)), item_id=gid("GuaranteeFeeItem", r.item_id), fee_type=r.fee_type,
                   amount=r.amount, received_on=r.received_on, reference=r.reference, created_at=r.created_at)


@strawberry.type(description="Money paid back against a schedule item.")
class GuaranteeFeeRefund:
    id: strawberry.ID
    item_id: strawberry.ID
    fee_type: str
    amount: Decimal
    refunded_on: dt.date
    reason: str
    created_at: dt.datetime

    @classmethod
    def from_row(cls, r) -> "GuaranteeFeeRefund":
        return cls(id=strawberry.ID(str(r.id)), item_id=gid("GuaranteeFeeItem", r.item_id), fee_type=r.fee_type,
                   amount=r.amount, refunded_on=r.refunded_on, reason=r.reason, created_at=r.created_at)


@strawberry.type(description="A project's fee plan, its schedule, receipts, refunds and totals (yuan).")
class GuaranteeFeePlan:
    project_id: strawberry.ID
    guarantee_fee_method: str = strawberry.field(description="rate | fixed")
    guarantee_fee_rate: Decimal | None = strawberry.field(description="Yearly rate of the guaranteed amount.")
    guarantee_fee_total: Decimal
    frequency: str = strawberry.field(description="once | monthly | quarterly | yearly")
    review_fee: Decimal
    margin_method: str
    margin_rate: Decimal | None
    margin_amount: Decimal
    base_amount: Decimal
    term_months: int
    start_date: dt.date
    schedule: list[GuaranteeFeeItem]
    receipts: list[GuaranteeFeeReceipt]
    refunds: list[GuaranteeFeeRefund]
    total_due: Decimal
    total_received: Decimal
    total_refunded: Decimal
    outstanding: Decimal
    approved_fee_rate: Decimal | None = strawberry.field(
        description="拟收担保费率 approved with the application (null: none proposed, or only an amount)")
    approved_fee: Decimal | None = strawberry.field(
        description="The whole guarantee fee the approved proposal stands for (yuan; null: nothing proposed)")
    deviates_from_approval: bool = strawberry.field(
        description="Whether this plan's rate or total differs from the fee approved with the application")

    @classmethod
    def of(cls, session: Session, view: fees.FeePlanView) -> "GuaranteeFeePlan":
        p, totals = view.plan, view.totals()
        proposal, deviates = fees.plan_deviation(session, p)
        return cls(project_id=gid(PROJECT_TYPE, p.project_id), guarantee_fee_method=p.guarantee_fee_method,
                   guarantee_fee_rate=p.guarantee_fee_rate, guarantee_fee_total=p.guarantee_fee_total,
                   frequency=p.frequency, review_fee=p.review_fee, margin_method=p.margin_method,
                   margin_rate=p.margin_rate, margin_amount=p.margin_amount, base_amount=p.base_amount,
                   term_months=p.term_months, start_date=p.start_date,
                   schedule=[GuaranteeFeeItem.from_row(i) for i in view.items],
                   receipts=[GuaranteeFeeReceipt.from_row(r) for r in view.receipts],
                   refunds=[GuaranteeFeeRefund.from_row(r) for r in view.refunds],
                   total_due=totals.due, total_received=totals.received, total_refunded=totals.refunded,
                   outstanding=totals.outstanding, approved_fee_rate=proposal.rate if proposal else None,
                   approved_fee=proposal.total if proposal else None, deviates_from_approval=deviates)


@strawberry.type(description="The bank's loan as confirmed: the guarantee is in force.")
class GuaranteeLoanConfirmation:
    project_id: strawberry.ID
    project_no: str
    status: str
    loan_contract_no: str
    loan_amount: Decimal
    loan_start_date: dt.date
    loan_end_date: dt.date
    loan_rate: Decimal
    effective_date: dt.date
    in_force_balance: Decimal


@strawberry.type(description="A non-financing letter of guarantee (保函) as issued: the guarantee is in force from "
                             "effectiveDate until expiryDate, after which no claim is accepted.")
class GuaranteeIssuance:
    project_id: strawberry.ID
    project_no: str
    status: str
    letter_no: str = strawberry.field(description="保函编号 (the project number unless another was given)")
    beneficiary_name: str | None = strawberry.field(description="受益人: to whom the letter is addressed")
    guaranteed_amount: Decimal = strawberry.field(description="The letter's guaranteed sum (yuan)")
    effective_date: dt.date
    expiry_date: dt.date = strawberry.field(description="保函到期日: no claim is accepted after it")
    in_force_balance: Decimal


# ---------------------------------------------------------------- queries ------------------------------------------


@strawberry.type
class GuaranteeFinanceQuery:
    @strawberry.field(description="Partner banks with their credit lines (total, used, available).")
    def guarantee_banks(self, info: strawberry.Info, active_only: bool = False) -> list[GuaranteeBank]:
        s = info.context.session
        rows = banks.list_banks(s, actor(info), active_only=active_only)
        lines: dict[uuid.UUID, list] = defaultdict(list)
        if rows:
            for line in s.scalars(select(LineRow).where(LineRow.bank_id.in_([b.id for b in rows]))
                                  .order_by(LineRow.start_date.desc(), LineRow.id)):
                lines[line.bank_id].append(line)
        return [GuaranteeBank.from_row(b, lines[b.id]) for b in rows]

    @strawberry.field(description="A project's fee plan with schedule, receipts, refunds and outstanding (null "
                                  "when no plan is set).")
    def guarantee_fee_plan(self, info: strawberry.Info, project_id: strawberry.ID) -> GuaranteeFeePlan | None:
        view = fees.fee_plan(info.context.session, actor(info),
                             decode_node_id(project_id, PROJECT_TYPE, field="projectId"))
        return GuaranteeFeePlan.of(info.context.session, view) if view else None


# ---------------------------------------------------------------- mutations ----------------------------------------


@strawberry.input
class GuaranteeBankCreateInput:
    code: str
    name: str


@strawberry.input(description="Only the fields given are changed.")
class GuaranteeBankUpdateInput:
    id: strawberry.ID
    code: str | None = None
    name: str | None = None
    active: bool | None = None


@strawberry.input
class GuaranteeCreditLineCreateInput:
    bank_id: strawberry.ID
    total: Decimal
    risk_share_ratio: Decimal = Decimal(0)
    start_date: dt.date
    end_date: dt.date


@strawberry.input(description="Only the fields given are changed; the total cannot go below what is used.")
class GuaranteeCreditLineUpdateInput:
    id: strawberry.ID
    total: Decimal | None = None
    risk_share_ratio: Decimal | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    active: bool | None = None


@strawberry.input(description="Set or replace a project's fees (refused once fees were received).")
class GuaranteeFeePlanSetInput:
    project_id: strawberry.ID
    guarantee_fee_method: str | None = strawberry.field(
        default=None, description="rate | fixed; omitted: as the fee approved with the application")
    guarantee_fee_rate: Decimal | None = strawberry.field(default=None, description="Yearly rate, e.g. 0.015")
    guarantee_fee_amount: Decimal | None = strawberry.field(default=None, description="Fixed guarantee fee")
    frequency: str = strawberry.field(default="once", description="once | monthly | quarterly | yearly")
    review_fee: Decimal = Decimal(0)
    margin_method: str = strawberry.field(default="fixed", description="rate | fixed")
    margin_rate: Decimal | None = None
    margin_amount: Decimal | None = None
    start_date: dt.date | None = strawberry.field(default=None, description="First due date (default: today)")
    idempotency_key: str | None = idempotency_key_field()


@strawberry.input
class GuaranteeFeeReceiveInput:
    item_id: strawberry.ID
    amount: Decimal
    received_on: dt.date | None = None
    reference: str = ""
    idempotency_key: str | None = idempotency_key_field()


@strawberry.input
class GuaranteeFeeRefundInput:
    item_id: strawberry.ID
    amount: Decimal
    reason: str
    refunded_on: dt.date | None = None
    idempotency_key: str | None = idempotency_key_field()


@strawberry.input
class GuaranteeLoanConfirmInput:
    project_id: strawberry.ID
    loan_contract_no: str
    loan_amount: Decimal
    start_date: dt.date
    end_date: dt.date
    rate: Decimal = strawberry.field(description="The loan's yearly rate, e.g. 0.0435")
    idempotency_key: str | None = idempotency_key_field()


@strawberry.input(description="Issue the letter of guarantee of a contracted non-financing project (开立保函).")
class GuaranteeIssueInput:
    id: strawberry.ID = strawberry.field(description="The project (GuaranteeProject id)")
    effective_date: dt.date
    expiry_date: dt.date
    letter_no: str | None = strawberry.field(default=None, description="保函编号; the project number when omitted")
    amount: Decimal | None = strawberry.field(default=None, description="The guaranteed sum (yuan); the approved "
                                                                        "amount when omitted")
    idempotency_key: str | None = idempotency_key_field()


@strawberry.type
class GuaranteeBankPayload:
    bank: GuaranteeBank | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class GuaranteeCreditLinePayload:
    line: GuaranteeCreditLine | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class GuaranteeFeePlanPayload:
    plan: GuaranteeFeePlan | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class GuaranteeFeeReceiptPayload:
    receipt: GuaranteeFeeReceipt | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class GuaranteeFeeRefundPayload:
    refund: GuaranteeFeeRefund | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class GuaranteeLoanConfirmPayload:
    loan: GuaranteeLoanConfirmation | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class GuaranteeIssuePayload:
    issuance: GuaranteeIssuance | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


def _given(inp, names) -> dict:
    return {n: getattr(inp, n) for n in names if getattr(inp, n) is not None}


@strawberry.type
class GuaranteeFinanceMutation:
    @strawberry.mutation(description="Add a partner bank.")
    def guarantee_bank_create(self, info: strawberry.Info, input: GuaranteeBankCreateInput) -> GuaranteeBankPayload:
        def go():
            row = banks.create_bank(info.context.session, actor(info), code=input.code, name=input.name)
            return GuaranteeBankPayload(bank=GuaranteeBank.from_row(row, []))

        return run_mutation(info, GuaranteeBankPayload, go)

    @strawberry.mutation(description="Change a partner bank's code, name or active flag.")
    def guarantee_bank_update(self, info: strawberry.Info, input: GuaranteeBankUpdateInput) -> GuaranteeBankPayload:
        def go():
            row = banks.update_bank(info.context.session, actor(info), decode_node_id(input.id, "GuaranteeBank"),
                                    **_given(input, ("code", "name", "active")))
            return GuaranteeBankPayload(bank=GuaranteeBank.from_row(row))

        return run_mutation(info, GuaranteeBankPayload, go)

    @strawberry.mutation(description="Add a credit line to a bank (total > 0, ratio in [0, 1], no overlap).")
    def guarantee_credit_line_create(self, info: strawberry.Info,
                                     input: GuaranteeCreditLineCreateInput) -> GuaranteeCreditLinePayload:
        def go():
            row = banks.create_line(info.context.session, actor(info),
                                    decode_node_id(input.bank_id, "GuaranteeBank", field="bankId"),
                                    total=input.total, risk_share_ratio=input.risk_share_ratio,
                                    start_date=input.start_date, end_date=input.end_date)
            return GuaranteeCreditLinePayload(line=GuaranteeCreditLine.from_row(row))

        return run_mutation(info, GuaranteeCreditLinePayload, go)

    @strawberry.mutation(description="Change a credit line.")
    def guarantee_credit_line_update(self, info: strawberry.Info,
                                     input: GuaranteeCreditLineUpdateInput) -> GuaranteeCreditLinePayload:
        def go():
            row = banks.update_line(info.context.session, actor(info),
                                    decode_node_id(input.id, "GuaranteeCreditLine"),
                                    **_given(input, ("total", "risk_share_ratio", "start_date", "end_date", "active")))
            return GuaranteeCreditLinePayload(line=GuaranteeCreditLine.from_row(row))

        return run_mutation(info, GuaranteeCreditLinePayload, go)

    @strawberry.mutation(description="Set an approved project's fees and generate the schedule (idempotent with "
                                     "idempotencyKey).")
    def guarantee_fee_plan_set(self, info: strawberry.Info, input: GuaranteeFeePlanSetInput
                               ) -> GuaranteeFeePlanPayload:
        s, who = info.context.session, actor(info)

        def go():
            return fees.set_plan(s, who, decode_node_id(input.project_id, PROJECT_TYPE, field="projectId"),
                                 guarantee_fee_method=input.guarantee_fee_method,
                                 guarantee_fee_rate=input.guarantee_fee_rate,
                                 guarantee_fee_amount=input.guarantee_fee_amount, frequency=input.frequency,
                                 review_fee=input.review_fee, margin_method=input.margin_method,
                                 margin_rate=input.margin_rate, margin_amount=input.margin_amount,
                                 start_date=input.start_date)

        return run_idempotent(info, GuaranteeFeePlanPayload, input, go, lambda plan: GuaranteeFeePlanPayload(
            plan=GuaranteeFeePlan.of(s, fees.fee_plan(s, who, plan.project_id))))

    @strawberry.mutation(description="Record money received against a fee schedule item (idempotent with "
                                     "idempotencyKey).")
    def guarantee_fee_receive(self, info: strawberry.Info, input: GuaranteeFeeReceiveInput
                              ) -> GuaranteeFeeReceiptPayload:
        def go():
            return fees.receive(info.context.session, actor(info),
                                decode_node_id(input.item_id, "GuaranteeFeeItem", field="itemId"), input.amount,
                                received_on=input.received_on, reference=input.reference)

        return run_idempotent(info, GuaranteeFeeReceiptPayload, input, go,
                              lambda row: GuaranteeFeeReceiptPayload(receipt=GuaranteeFeeReceipt.from_row(row)))

    @strawberry.mutation(description="Record money paid back against a fee schedule item (e.g. the margin; "
                                     "idempotent with idempotencyKey).")
    def guarantee_fee_refund(self, info: strawberry.Info, input: GuaranteeFeeRefundInput
                             ) -> GuaranteeFeeRefundPayload:
        def go():
            return fees.refund(info.context.session, actor(info),
                               decode_node_id(input.item_id, "GuaranteeFeeItem", field="itemId"), input.amount,
                               reason=input.reason, refunded_on=input.refunded_on)

        return run_idempotent(info, GuaranteeFeeRefundPayload, input, go,
                              lambda row: GuaranteeFeeRefundPayload(refund=GuaranteeFeeRefund.from_row(row)))

    @strawberry.mutation(description="Record the bank's loan for a contracted project: the guarantee takes effect "
                                     "(idempotent with idempotencyKey).")
    def guarantee_loan_confirm(self, info: strawberry.Info, input: GuaranteeLoanConfirmInput
                               ) -> GuaranteeLoanConfirmPayload:
        def go():
            return loans.confirm_loan(info.context.session, actor(info),
                                      decode_node_id(input.project_id, PROJECT_TYPE, field="projectId"),
                                      loan_contract_no=input.loan_contract_no, loan_amount=input.loan_amount,
                                      start_date=input.start_date, end_date=input.end_date, rate=input.rate)

        def present(p) -> GuaranteeLoanConfirmPayload:
            return GuaranteeLoanConfirmPayload(loan=GuaranteeLoanConfirmation(
                project_id=gid(PROJECT_TYPE, p.id), project_no=p.project_no, status=p.status,
                loan_contract_no=p.loan_contract_no, loan_amount=p.loan_amount, loan_start_date=p.loan_start_date,
                loan_end_date=p.loan_end_date, loan_rate=p.loan_rate, effective_date=p.effective_date,
                in_force_balance=p.in_force_balance))

        return run_idempotent(info, GuaranteeLoanConfirmPayload, input, go, present)

    @strawberry.mutation(description="Issue the letter of guarantee (开立保函) of a contracted non-financing project: "
                                     "the guarantee takes effect (idempotent with idempotencyKey).")
    def guarantee_issue(self, info: strawberry.Info, input: GuaranteeIssueInput) -> GuaranteeIssuePayload:
        def go():
            return issuance.issue_guarantee(info.context.session, actor(info),
                                            decode_node_id(input.id, PROJECT_TYPE, field="id"),
                                            effective_date=input.effective_date, expiry_date=input.expiry_date,
                                            letter_no=input.letter_no, amount=input.amount)

        def present(p) -> GuaranteeIssuePayload:
            return GuaranteeIssuePayload(issuance=GuaranteeIssuance(
                project_id=gid(PROJECT_TYPE, p.id), project_no=p.project_no, status=p.status, letter_no=p.letter_no,
                beneficiary_name=p.beneficiary_name, guaranteed_amount=p.loan_amount,
                effective_date=p.effective_date, expiry_date=p.expiry_date, in_force_balance=p.in_force_balance))

        return run_idempotent(info, GuaranteeIssuePayload, input, go, present)


QUERIES: tuple = (GuaranteeFinanceQuery,)
MUTATIONS: tuple = (GuaranteeFinanceMutation,)
TYPES: tuple = (GuaranteeBank, GuaranteeCreditLine, GuaranteeFeeItem)
