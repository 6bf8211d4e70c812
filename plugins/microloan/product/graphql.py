"""GraphQL of loan products and the schedule preview: thin resolvers over ``product.services`` (root fields
``microloanProducts``, ``microloanSchedulePreview``, ``microloanProductCreate``, ``microloanProductUpdate``)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import strawberry
from strawberry import relay

from surety.graphql.auth import actor, decode_node_id
from surety.graphql.errors import UserError, run_mutation
from surety.graphql.nodes import load_nodes
from surety.plugins.microloan.conventions import COMPONENTS, DAY_COUNTS, REPAYMENT_METHODS, ROUNDINGS
from surety.plugins.microloan.product import services
from surety.plugins.microloan.product.models import MicroloanProduct as ProductRow
from surety.plugins.microloan.product.models import MicroloanProductVersion as VersionRow
from surety.plugins.microloan.schedule.builder import Installment, Schedule

_METHODS = "，".join(f"{k}（{v}）" for k, v in REPAYMENT_METHODS.items())
_DAY_COUNTS = "，".join(DAY_COUNTS)
_ROUNDINGS = "，".join(f"{k}（{v}）" for k, v in ROUNDINGS.items())
_COMPONENTS = "，".join(f"{k}（{v}）" for k, v in COMPONENTS.items())


@strawberry.type(description="小额贷款产品：当前版本的贷款条件（修改条件即生成新版本，已放款贷款沿用放款时的版本）。")
class MicroloanProduct(relay.Node):
    id: relay.NodeID[str]
    code: str = strawberry.field(description="产品代码（租户内唯一）")
    name: str = strawberry.field(description="产品名称")
    active: bool = strawberry.field(description="是否在售（否：不再受理新贷款）")
    version: int = strawberry.field(description="当前版本号，从 1 起")
    min_amount: Decimal = strawberry.field(description="最低金额（元）")
    max_amount: Decimal = strawberry.field(description="最高金额（元）")
    min_term_months: int = strawberry.field(description="最短期限（月）")
    max_term_months: int = strawberry.field(description="最长期限（月）")
    annual_rate: Decimal = strawberry.field(description="年利率（0.12 即 12%）")
    repayment_method: str = strawberry.field(description=f"还款方式：{_METHODS}")
    repayment_method_label: str = strawberry.field(description="还款方式的中文名称")
    day_count: str = strawberry.field(description=f"计息天数规则：{_DAY_COUNTS}")
    rounding: str = strawberry.field(description=f"舍入规则：{_ROUNDINGS}")
    upfront_fee_rate: Decimal = strawberry.field(description="放款时一次性收取的费率（占贷款金额）")
    monthly_fee_rate: Decimal = strawberry.field(description="每期随还款收取的费率（占贷款金额，按月）")
    penalty_uplift: Decimal = strawberry.field(description="罚息上浮比例：罚息利率 = 合同利率 ×（1 + 上浮比例）")
    grace_days: int = strawberry.field(description="宽限期（天）：到期日后该天数内还款不算逾期")
    allocation_order: list[str] | None = strawberry.field(
        description=f"还款冲销顺序（{_COMPONENTS}）；为空表示合同未约定，按法定顺序：费用、利息、本金")

    @classmethod
    def of(cls, p: ProductRow, v: VersionRow) -> MicroloanProduct:
        order = services.order_of(v)
        return cls(id=str(p.id), code=p.code, name=p.name, active=p.active, version=v.version,
                   min_amount=v.min_amount, max_amount=v.max_amount, min_term_months=v.min_term_months,
                   max_term_months=v.max_term_months, annual_rate=v.annual_rate,
                   repayment_method=v.repayment_method,
                   repayment_method_label=REPAYMENT_METHODS.get(v.repayment_method, v.repayment_method),
                   day_count=v.day_count, rounding=v.rounding, upfront_fee_rate=v.upfront_fee_rate,
                   monthly_fee_rate=v.monthly_fee_rate, penalty_uplift=v.penalty_uplift, grace_days=v.grace_days,
                   allocation_order=None if order is None else list(order))

    @classmethod
    def resolve_nodes(cls, *, info, node_ids, required=False):
        rows = load_nodes(info, ProductRow, lambda row: row, node_ids, "microloan:product:read")
        terms = services.current_terms(info.context.session, [r for r in rows if r is not None])
        return [None if r is None else cls.of(r, terms[r.id]) for r in rows]


@strawberry.type(description="还款计划的一期。")
class MicroloanScheduleRow:
    period: int = strawberry.field(description="期次，从 1 起")
    due_date: dt.date = strawberry.field(description="应还日")
    days: int = strawberry.field(description="本期计息天数（按产品的计息天数规则）")
    opening_balance: Decimal = strawberry.field(description="期初本金余额")
    principal: Decimal = strawberry.field(description="应还本金")
    interest: Decimal = strawberry.field(description="应还利息")
    fee: Decimal = strawberry.field(description="应还费用")
    installment: Decimal = strawberry.field(description="本期应还合计 = 本金 + 利息 + 费用")
    closing_balance: Decimal = strawberry.field(description="期末本金余额")

    @classmethod
    def of(cls, r: Installment) -> MicroloanScheduleRow:
        return cls(period=r.period, due_date=r.due_date, days=r.days, opening_balance=r.opening_balance,
                   principal=r.principal, interest=r.interest, fee=r.fee, installment=r.installment,
                   closing_balance=r.closing_balance)


@strawberry.type(description="还款计划试算结果（不保存）。")
class MicroloanSchedule:
    product_version: int = strawberry.field(description="试算所依据的产品版本")
    repayment_method: str = strawberry.field(description="还款方式")
    rows: list[MicroloanScheduleRow] = strawberry.field(description="各期计划")
    total_principal: Decimal = strawberry.field(description="本金合计（等于贷款金额）")
    total_interest: Decimal = strawberry.field(description="利息合计")
    total_fees: Decimal = strawberry.field(description="费用合计（不含放款时一次性费用）")
    total: Decimal = strawberry.field(description="应还合计")

    @classmethod
    def of(cls, v: VersionRow, s: Schedule) -> MicroloanSchedule:
        return cls(product_version=v.version, repayment_method=s.terms.method,
                   rows=[MicroloanScheduleRow.of(r) for r in s.rows], total_principal=s.total_principal,
                   total_interest=s.total_interest, total_fees=s.total_fees, total=s.total)


@strawberry.input(description="新建小额贷款产品；未给出的条件取默认值。")
class MicroloanProductCreateInput:
    code: str = strawberry.field(description="产品代码（租户内唯一，不含空格）")
    name: str = strawberry.field(description="产品名称")
    max_amount: Decimal = strawberry.field(description="最高金额（元）")
    annual_rate: Decimal = strawberry.field(description="年利率（0.12 即 12%）")
    repayment_method: str = strawberry.field(description=f"还款方式：{_METHODS}")
    min_amount: Decimal = strawberry.field(default=Decimal("1000.00"), description="最低金额（元）")
    min_term_months: int = strawberry.field(default=1, description="最短期限（月）")
    max_term_months: int = strawberry.field(default=36, description="最长期限（月）")
    day_count: str = strawberry.field(default="ACT/360", description=f"计息天数规则：{_DAY_COUNTS}")
    rounding: str = strawberry.field(default="fen_half_up", description=f"舍入规则：{_ROUNDINGS}")
    upfront_fee_rate: Decimal = strawberry.field(default=Decimal(0), description="放款时一次性费率")
    monthly_fee_rate: Decimal = strawberry.field(default=Decimal(0), description="按月费率")
    penalty_uplift: Decimal = strawberry.field(default=Decimal("0.5"), description="罚息上浮比例（0.5 即上浮 50%）")
    grace_days: int = strawberry.field(default=0, description="宽限期（天，0 至 30）")
    allocation_order: list[str] | None = strawberry.field(
        default_factory=lambda: ["penalty", "fees", "interest", "principal"],
        description=f"还款冲销顺序（{_COMPONENTS}）；null 表示合同未约定（法定顺序）")


@strawberry.input(description="修改小额贷款产品：只改给出的字段；改动贷款条件即生成新版本。")
class MicroloanProductUpdateInput:
    id: strawberry.ID = strawberry.field(description="产品 id")
    code: str | None = strawberry.field(default=strawberry.UNSET, description="产品代码")
    name: str | None = strawberry.field(default=strawberry.UNSET, description="产品名称")
    active: bool | None = strawberry.field(default=strawberry.UNSET, description="是否在售（不生成新版本）")
    min_amount: Decimal | None = strawberry.field(default=strawberry.UNSET, description="最低金额（元）")
    max_amount: Decimal | None = strawberry.field(default=strawberry.UNSET, description="最高金额（元）")
    min_term_months: int | None = strawberry.field(default=strawberry.UNSET, description="最短期限（月）")
    max_term_months: int | None = strawberry.field(default=strawberry.UNSET, description="最长期限（月）")
    annual_rate: Decimal | None = strawberry.field(default=strawberry.UNSET, description="年利率")
    repayment_method: str | None = strawberry.field(default=strawberry.UNSET, description=f"还款方式：{_METHODS}")
    day_count: str | None = strawberry.field(default=strawberry.UNSET, description=f"计息天数规则：{_DAY_COUNTS}")
    rounding: str | None = strawberry.field(default=strawberry.UNSET, description=f"舍入规则：{_ROUNDINGS}")
    upfront_fee_rate: Decimal | None = strawberry.field(default=strawberry.UNSET, description="放款时一次性费率")
    monthly_fee_rate: Decimal | None = strawberry.field(default=strawberry.UNSET, description="按月费率")
    penalty_uplift: Decimal | None = strawberry.field(default=strawberry.UNSET, description="罚息上浮比例")
    grace_days: int | None = strawberry.field(default=strawberry.UNSET, description="宽限期（天，0 至 30）")
    allocation_order: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description="还款冲销顺序；null 表示合同未约定（法定顺序）")


@strawberry.type(description="新建或修改产品的结果：成功时为产品，否则为 errors。")
class MicroloanProductPayload:
    product: MicroloanProduct | None = strawberry.field(default=None, description="产品（出错时为空）")
    errors: list[UserError] = strawberry.field(default_factory=list)


_UPDATE_FIELDS = tuple(f for f in (*services.PRODUCT_FIELDS, *services.TERM_FIELDS))


def _given(obj: Any, names: tuple[str, ...]) -> dict[str, Any]:
    return {n: getattr(obj, n) for n in names if getattr(obj, n) is not strawberry.UNSET}


def _present(info, row: ProductRow) -> MicroloanProductPayload:
    return MicroloanProductPayload(product=MicroloanProduct.of(row, services.terms_of(info.context.session, row)))


@strawberry.type
class MicroloanQuery:
    @strawberry.field(description="租户的小额贷款产品，按代码排序（需 microloan:product:read；"
                                  "停售产品仅在要求时列出）。")
    def microloan_products(self, info: strawberry.Info, include_retired: bool = False) -> list[MicroloanProduct]:
        rows = services.list_products(info.context.session, actor(info), include_retired=include_retired)
        terms = services.current_terms(info.context.session, rows)
        return [MicroloanProduct.of(r, terms[r.id]) for r in rows]

    @strawberry.field(description="按产品当前版本试算还款计划（不保存；需 microloan:product:read）。"
                                  "firstDueDate 为空时首期应还日为起息日后一个月。")
    def microloan_schedule_preview(self, info: strawberry.Info, product_id: strawberry.ID, amount: Decimal,
                                   term_months: int, start_date: dt.date,
                                   first_due_date: dt.date | None = None) -> MicroloanSchedule:
        version, schedule = services.preview_schedule(
            info.context.session, actor(info), decode_node_id(product_id, "MicroloanProduct", field="productId"),
            amount, term_months, start_date, first_due_date)
        return MicroloanSchedule.of(version, schedule)


@strawberry.type
class MicroloanMutation:
    @strawberry.mutation(description="新建小额贷款产品（需 microloan:product:manage），其条件为版本 1。")
    def microloan_product_create(self, info: strawberry.Info,
                                 input: MicroloanProductCreateInput) -> MicroloanProductPayload:
        data = {n: getattr(input, n) for n in ("code", "name", *services.TERM_FIELDS)}
        return run_mutation(info, MicroloanProductPayload,
                            lambda: _present(info, services.create_product(info.context.session, actor(info), data)))

    @strawberry.mutation(description="修改小额贷款产品（需 microloan:product:manage）：改动贷款条件生成新版本。")
    def microloan_product_update(self, info: strawberry.Info,
                                 input: MicroloanProductUpdateInput) -> MicroloanProductPayload:
        def run() -> MicroloanProductPayload:
            pid = decode_node_id(input.id, "MicroloanProduct")
            row = services.update_product(info.context.session, actor(info), pid, _given(input, _UPDATE_FIELDS))
            return _present(info, row)

        return run_mutation(info, MicroloanProductPayload, run)


QUERIES: tuple = (MicroloanQuery,)
MUTATIONS: tuple = (MicroloanMutation,)
TYPES: tuple = (MicroloanProduct,)
