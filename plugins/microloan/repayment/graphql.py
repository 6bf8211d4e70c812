"""GraphQL of repayments: thin resolvers over ``posting`` and ``reversal`` (root fields ``microloanRepaymentPreview``,
``microloanRepayments``, ``microloanRepaymentPost``, ``microloanPrepay``, ``microloanRepaymentReverse``)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import strawberry

from surety.graphql.auth import actor, decode_node_id, parse_uuid
from surety.graphql.errors import UserError, run_mutation
from surety.graphql.idempotency import idempotency_key_field
from surety.graphql.nodes import global_id
from surety.graphql.units import AmountInput, amount_of
from surety.plugins.microloan.conventions import COMPONENTS
from surety.plugins.microloan.repayment import posting, reversal
from surety.plugins.microloan.repayment.models import MicroloanRepayment as RepaymentRow
from surety.plugins.microloan.repayment.reschedule import PREPAY_MODES

LOAN_TYPE = "MicroloanLoan"
_MODES = "，".join(f"{k}（{v}）" for k, v in PREPAY_MODES.items())


@strawberry.type(description="还款分配到某期某一款项的金额。")
class MicroloanRepaymentLine:
    period: int | None = strawberry.field(description="期次（为空：实现债权的费用，不属于任何一期）")
    revision: int | None = strawberry.field(description="还款计划版本")
    component: str = strawberry.field(description="款项：costs、penalty、fees、interest、principal")
    component_label: str = strawberry.field(description="款项的中文名称")
    amount: Decimal = strawberry.field(description="金额（元）")


def _line(period, revision, component, amount) -> MicroloanRepaymentLine:
    return MicroloanRepaymentLine(period=period, revision=revision, component=component,
                                  component_label=COMPONENTS.get(component, component), amount=amount)


@strawberry.type(description="一笔还款、提前还款或冲正记录。本金+利息+费用+罚息+实现债权费用+暂收款变动 = 金额。")
class MicroloanRepayment:
    id: strawberry.ID = strawberry.field(description="记录 id")
    loan_id: strawberry.ID = strawberry.field(description="贷款 id")
    kind: str = strawberry.field(description="类型：repayment（还款）、prepayment（提前还款）、reversal（冲正）")
    kind_label: str = strawberry.field(description="类型的中文名称")
    status: str = strawberry.field(description="状态：posted（已入账）、reversed（已冲正）")
    status_label: str = strawberry.field(description="状态的中文名称")
    received_on: dt.date = strawberry.field(description="收款日期（营业日）")
    amount: Decimal = strawberry.field(description="收到的金额（元）")
    principal: Decimal = strawberry.field(description="冲还本金（元）")
    interest: Decimal = strawberry.field(description="冲还利息（元）")
    fees: Decimal = strawberry.field(description="冲还费用（元）")
    penalty: Decimal = strawberry.field(description="冲还罚息及复利（元）")
    costs: Decimal = strawberry.field(description="冲还实现债权的费用（元）")
    held: Decimal = strawberry.field(
        description="暂收款（多还部分）的变动（元）：正数为本次留存，负数为使用了此前的暂收款")
    held_applied: Decimal = strawberry.field(description="本次使用的此前暂收款（元）")
    prepay_mode: str | None = strawberry.field(description=f"提前还款方式：{_MODES}")
    settled_loan: bool = strawberry.field(description="本次还款是否结清贷款")
    channel: str = strawberry.field(description="收款渠道")
    reference: str = strawberry.field(description="银行流水号等参考号")
    reversal_of: strawberry.ID | None = strawberry.field(description="冲正记录所冲正的还款 id")
    reversed_by_id: strawberry.ID | None = strawberry.field(description="冲正了本还款的冲正记录 id")
    reason: str = strawberry.field(description="冲正原因")
    created_at: dt.datetime = strawberry.field(description="登记时间")
    lines: list[MicroloanRepaymentLine] = strawberry.field(description="按期、按款项的分配明细")

    @classmethod
    def of(cls, r: RepaymentRow, lines) -> MicroloanRepayment:
        return cls(id=strawberry.ID(str(r.id)), loan_id=global_id(LOAN_TYPE, r.loan_id), kind=r.kind,
                   kind_label=posting.KINDS.get(r.kind, r.kind), status=r.status,
                   status_label=posting.STATUSES.get(r.status, r.status), received_on=r.received_on, amount=r.amount,
                   principal=r.principal, interest=r.interest, fees=r.fees, penalty=r.penalty, costs=r.costs,
                   held=r.held, held_applied=r.held_applied, prepay_mode=r.prepay_mode, settled_loan=r.settled_loan,
                   channel=r.channel, reference=r.reference,
                   reversal_of=strawberry.ID(str(r.reversal_of)) if r.reversal_of else None,
                   reversed_by_id=strawberry.ID(str(r.reversed_by_id)) if r.reversed_by_id else None,
                   reason=r.reason, created_at=r.created_at,
                   lines=[_line(ln.period, ln.revision, ln.component, ln.amount) for ln in lines])


@strawberry.type(description="还款试算中某一期的分配合计。")
class MicroloanPreviewInstallment:
    period: int = strawberry.field(description="期次")
    due_date: dt.date = strawberry.field(description="应还日")
    principal: Decimal = strawberry.field(description="本金（元）")
    interest: Decimal = strawberry.field(description="利息（元）")
    fees: Decimal = strawberry.field(description="费用（元）")
    penalty: Decimal = strawberry.field(description="罚息及复利（元）")
    total: Decimal = strawberry.field(description="合计（元）")


@strawberry.type(description="还款试算结果（不保存）：这笔钱会冲还哪些款项、留存多少、还剩多少应还。")
class MicroloanRepaymentPreview:
    received_on: dt.date = strawberry.field(description="收款日期")
    amount: Decimal = strawberry.field(description="金额（元）")
    held_applied: Decimal = strawberry.field(description="一并使用的此前暂收款（元）")
    principal: Decimal = strawberry.field(description="冲还本金（元）")
    interest: Decimal = strawberry.field(description="冲还利息（元）")
    fees: Decimal = strawberry.field(description="冲还费用（元）")
    penalty: Decimal = strawberry.field(description="冲还罚息及复利（元）")
    costs: Decimal = strawberry.field(description="冲还实现债权的费用（元）")
    held: Decimal = strawberry.field(description="多还部分，将作为暂收款留存（元）")
    remaining_due: Decimal = strawberry.field(description="冲还后截至收款日仍应还的合计（元）")
    lines: list[MicroloanRepaymentLine] = strawberry.field(description="按期、按款项的分配明细")
    installments: list[MicroloanPreviewInstallment] = strawberry.field(description="按期的分配合计")
    unpaid: list[MicroloanRepaymentLine] = strawberry.field(description="冲还后仍未还的款项")

    @classmethod
    def of(cls, p: posting.Preview) -> MicroloanRepaymentPreview:
        per: dict[int, dict[str, Decimal]] = {}
        for ln in p.lines:
            if ln.period is not None:
                per.setdefault(ln.period, dict.fromkeys(("principal", "interest", "fees", "penalty"), Decimal("0.00")))
                per[ln.period][ln.component] += ln.amount
        return cls(received_on=p.received_on, amount=p.amount, held_applied=p.held_applied, held=p.held,
                   remaining_due=p.remaining_due, **p.split,
                   lines=[_line(ln.period, None, ln.component, ln.amount) for ln in p.lines],
                   installments=[MicroloanPreviewInstallment(period=k, due_date=p.due_dates[k], total=sum(v.values()),
                                                             **v) for k, v in sorted(per.items())],
                   unpaid=[_line(d.period, None, d.component, d.amount) for d in p.unpaid])


@strawberry.input(description="登记一笔还款：按产品的冲销顺序分配到截至收款日已到期的各期，多还部分作为暂收款留存。")
class MicroloanRepaymentPostInput:
    loan_id: strawberry.ID = strawberry.field(description="贷款 id")
    received_on: dt.date = strawberry.field(description="收款日期（营业日，不早于上一笔还款）")
    amount: Decimal | None = strawberry.field(default=None, description="金额（元）")
    amount_with_unit: AmountInput | None = strawberry.field(default=None,
                                                            description="带单位（元/万元）的金额，代替 amount")
    apply_held: bool = strawberry.field(default=False, description="是否一并使用贷款上的暂收款")
    channel: str = strawberry.field(default="", description="收款渠道")
    reference: str = strawberry.field(default="", description="银行流水号等参考号")
    idempotency_key: str | None = idempotency_key_field()


@strawberry.input(description="提前还款：先还清已到期款项及当期截至收款日的利息，余额冲还本金并重排还款计划。")
class MicroloanPrepayInput:
    loan_id: strawberry.ID = strawberry.field(description="贷款 id")
    received_on: dt.date = strawberry.field(description="收款日期（营业日）")
    mode: str = strawberry.field(description=f"提前还款方式：{_MODES}")
    amount: Decimal | None = strawberry.field(default=None, description="金额（元）")
    amount_with_unit: AmountInput | None = strawberry.field(default=None,
                                                            description="带单位（元/万元）的金额，代替 amount")
    channel: str = strawberry.field(default="", description="收款渠道")
    reference: str = strawberry.field(default="", description="银行流水号等参考号")
    idempotency_key: str | None = idempotency_key_field()


@strawberry.input(description="冲正一笔错误的还款（须由登记人以外的人操作，且只能冲正该贷款最近一笔还款）。")
class MicroloanRepaymentReverseInput:
    repayment_id: strawberry.ID = strawberry.field(description="要冲正的还款记录 id")
    reason: str = strawberry.field(description="冲正原因")
    idempotency_key: str | None = idempotency_key_field()


@strawberry.type(description="还款、提前还款或冲正的结果：成功时为记录，否则为 errors。")
class MicroloanRepaymentPayload:
    repayment: MicroloanRepayment | None = strawberry.field(default=None, description="记录（出错时为空）")
    errors: list[UserError] = strawberry.field(default_factory=list)


def _present(info, row: RepaymentRow) -> MicroloanRepaymentPayload:
    lines = posting.lines_of(info.context.session, [row.id])[row.id]
    return MicroloanRepaymentPayload(repayment=MicroloanRepayment.of(row, lines))


def _loan(loan_id) -> object:
    return decode_node_id(loan_id, LOAN_TYPE, field="loanId")


def _amount(inp) -> object:
    return amount_of(inp.amount, inp.amount_with_unit, "amount", "amountWithUnit")


@strawberry.type
class MicroloanRepaymentQuery:
    @strawberry.field(description="还款试算（不保存；需 microloan:repayment:read）：按冲销顺序分配到各期各款项，"
                                  "多还部分留存，以及截至收款日仍应还的合计。")
    def microloan_repayment_preview(self, info: strawberry.Info, loan_id: strawberry.ID, amount: Decimal,
                                    received_on: dt.date, apply_held: bool = False) -> MicroloanRepaymentPreview:
        return MicroloanRepaymentPreview.of(posting.preview(info.context.session, actor(info), _loan(loan_id),
                                                            amount, received_on, apply_held=apply_held))

    @strawberry.field(description="贷款的还款、提前还款及冲正记录，按收款日期排序（需 microloan:repayment:read）。")
    def microloan_repayments(self, info: strawberry.Info, loan_id: strawberry.ID) -> list[MicroloanRepayment]:
        rows = posting.repayments(info.context.session, actor(info), _loan(loan_id))
        lines = posting.lines_of(info.context.session, [r.id for r in rows])
        return [MicroloanRepayment.of(r, lines[r.id]) for r in rows]


@strawberry.type
class MicroloanRepaymentMutation:
    @strawberry.mutation(description="登记还款（需 microloan:repayment:post；带 idempotencyKey 可安全重试）。")
    def microloan_repayment_post(self, info: strawberry.Info,
                                 input: MicroloanRepaymentPostInput) -> MicroloanRepaymentPayload:
        return run_mutation(info, MicroloanRepaymentPayload, lambda: _present(info, posting.post(
            info.context.session, actor(info), _loan(input.loan_id), _amount(input), input.received_on,
            key=input.idempotency_key, apply_held=input.apply_held, channel=input.channel,
            reference=input.reference)))

    @strawberry.mutation(description="提前还款（需 microloan:repayment:post）：缩短期限或减少月供，重排的还款计划"
                                     "作为新版本生效；全部还清则结清贷款。")
    def microloan_prepay(self, info: strawberry.Info, input: MicroloanPrepayInput) -> MicroloanRepaymentPayload:
        return run_mutation(info, MicroloanRepaymentPayload, lambda: _present(info, posting.prepay(
            info.context.session, actor(info), _loan(input.loan_id), _amount(input), input.received_on, input.mode,
            key=input.idempotency_key, channel=input.channel, reference=input.reference)))

    @strawberry.mutation(description="冲正还款（需 microloan:repayment:reverse；登记人本人不能冲正）：原样撤销该笔"
                                     "还款的分配，恢复贷款及各期状态。")
    def microloan_repayment_reverse(self, info: strawberry.Info,
                                    input: MicroloanRepaymentReverseInput) -> MicroloanRepaymentPayload:
        def run() -> MicroloanRepaymentPayload:
            rid = parse_uuid(input.repayment_id, field="repaymentId", what="repayment")
            return _present(info, reversal.reverse(info.context.session, actor(info), rid, input.reason,
                                                   key=input.idempotency_key))

        return run_mutation(info, MicroloanRepaymentPayload, run)


QUERIES: tuple = (MicroloanRepaymentQuery,)
MUTATIONS: tuple = (MicroloanRepaymentMutation,)
TYPES: tuple = ()
