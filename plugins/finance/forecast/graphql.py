"""GraphQL of the forecast area, thin over its services: ``financeFeeStandards``, ``financeIncomeForecast``;
mutations ``financeFeeStandardCreate`` and ``financeFeeStandardUpdate``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import strawberry

from surety.core.workflow.engine import business_today
from surety.graphql.auth import actor
from surety.graphql.errors import UserError, run_mutation
from surety.graphql.units import AmountUnit, shown
from surety.plugins.finance.forecast import income, standards
from surety.plugins.finance.forecast.models import FinanceFeeStandard as StandardRow

_BASES = "，".join(f"{k}（{v}）" for k, v in standards.BASES.items())


@strawberry.type(description="收费标准。")
class FinanceFeeStandard:
    code: str = strawberry.field(description="标准代码（租户内唯一）")
    name: str = strawberry.field(description="标准名称")
    business_kind: str = strawberry.field(description="业务种类代码，如 loan_guarantee（融资担保）、"
                                                      "bid_bond（投标保函）、performance_bond（履约保函）、"
                                                      "microloan_interest（小贷利息）")
    basis: str = strawberry.field(description=f"计费方式：{_BASES}")
    rate: Decimal | None = strawberry.field(description="费率（小数，0.015 即 1.5%；固定金额时为空）")
    amount: Decimal | None = strawberry.field(description="固定金额（元；按费率计费时为空）")
    min_fee: Decimal | None = strawberry.field(description="最低收费（元；为空则不设）")
    valid_from: dt.date = strawberry.field(description="生效日期（含）")
    valid_to: dt.date | None = strawberry.field(description="失效日期（含；为空则长期有效）")

    @classmethod
    def of(cls, row: StandardRow) -> FinanceFeeStandard:
        return cls(**{f: getattr(row, f) for f in standards.FIELDS})


@strawberry.input(description="新增收费标准。")
class FinanceFeeStandardCreateInput:
    code: str = strawberry.field(description="标准代码：字母、数字、下划线、点或连字符")
    name: str = strawberry.field(description="标准名称")
    business_kind: str = strawberry.field(description="业务种类代码：小写字母、数字与下划线，如 loan_guarantee")
    basis: str = strawberry.field(description=f"计费方式：{_BASES}")
    rate: Decimal | None = strawberry.field(default=None, description="费率（小数，0.015 即 1.5%；按费率计费时必填）")
    amount: Decimal | None = strawberry.field(default=None, description="固定金额（元；固定金额计费时必填）")
    min_fee: Decimal | None = strawberry.field(default=None, description="最低收费（元）")
    valid_from: dt.date = strawberry.field(description="生效日期（含）")
    valid_to: dt.date | None = strawberry.field(default=None, description="失效日期（含；为空则长期有效）")


@strawberry.input(description="修改收费标准：只改给出的字段；代码不可改；改计费方式时一并给出费率或固定金额。")
class FinanceFeeStandardUpdateInput:
    code: str = strawberry.field(description="标准代码")
    name: str | None = strawberry.field(default=strawberry.UNSET, description="标准名称")
    business_kind: str | None = strawberry.field(default=strawberry.UNSET, description="业务种类代码")
    basis: str | None = strawberry.field(default=strawberry.UNSET, description=f"计费方式：{_BASES}")
    rate: Decimal | None = strawberry.field(default=strawberry.UNSET, description="费率（小数）")
    amount: Decimal | None = strawberry.field(default=strawberry.UNSET, description="固定金额（元）")
    min_fee: Decimal | None = strawberry.field(default=strawberry.UNSET, description="最低收费（元；null 取消）")
    valid_from: dt.date | None = strawberry.field(default=strawberry.UNSET, description="生效日期（含）")
    valid_to: dt.date | None = strawberry.field(default=strawberry.UNSET, description="失效日期（含；null 长期有效）")


@strawberry.type(description="新增或修改收费标准的结果。")
class FinanceFeeStandardPayload:
    standard: FinanceFeeStandard | None = strawberry.field(default=None, description="收费标准（出错时为空）")
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="收入预测的一个月。")
class FinanceIncomeMonth:
    period: str = strawberry.field(description="会计期间 YYYY-MM")
    amount: Decimal = strawberry.field(description="当月将确认的担保费收入（单位见 amountUnit；负数为退费冲回）")
    projects: int = strawberry.field(description="当月有收入确认的项目数")


@strawberry.type(description="担保费收入预测：按月列出尚待分摊确认的担保费收入。")
class FinanceIncomeForecast:
    as_of: dt.date = strawberry.field(description="预测基准日（从其所在月份起）")
    amount_unit: AmountUnit = strawberry.field(description="本结果中金额的单位")
    months: list[FinanceIncomeMonth] = strawberry.field(description="逐月预测")
    total: Decimal = strawberry.field(description="预测期内合计")
    later: Decimal = strawberry.field(description="预测期之后尚待确认的金额")
    remaining: Decimal = strawberry.field(description="尚待确认的担保费合计（预测期内合计 + 之后）")
    unscheduled: Decimal = strawberry.field(description="尚未生效（无保证期间）项目已收的担保费，不计入预测")
    projects: int = strawberry.field(description="尚有待确认收入的项目数")

    @classmethod
    def of(cls, f: income.IncomeForecast, unit: AmountUnit) -> FinanceIncomeForecast:
        return cls(as_of=f.as_of, amount_unit=unit, total=shown(f.total, unit), later=shown(f.later, unit),
                   remaining=shown(f.remaining, unit), unscheduled=shown(f.unscheduled, unit), projects=f.projects,
                   months=[FinanceIncomeMonth(period=m.period, amount=shown(m.amount, unit), projects=m.projects)
                           for m in f.months])


@strawberry.type
class FinanceForecastQuery:
    @strawberry.field(description="收费标准目录（需 finance:fee_standard:read）；on：只列当日有效的标准；"
                                  "businessKind：只列该业务种类。")
    def finance_fee_standards(self, info: strawberry.Info, on: dt.date | None = None,
                              business_kind: str | None = None) -> list[FinanceFeeStandard]:
        return [FinanceFeeStandard.of(r) for r in standards.list_standards(info.context.session, actor(info), on=on,
                                                                           business_kind=business_kind)]

    @strawberry.field(description="担保费收入预测（需 finance:voucher:read）：自 asOf 所在月份起 months 个月"
                                  "（默认 12，最多 120），按保证期间逐日分摊，与月末分摊任务的口径一致；"
                                  "asOf 默认为当前营业日。")
    def finance_income_forecast(self, info: strawberry.Info, as_of: dt.date | None = None,
                                months: int = income.DEFAULT_MONTHS,
                                unit: AmountUnit = AmountUnit.YUAN) -> FinanceIncomeForecast:
        found = income.income_forecast(info.context.session, actor(info), as_of or business_today(), months)
        return FinanceIncomeForecast.of(found, unit)


@strawberry.type
class FinanceForecastMutation:
    @strawberry.mutation(description="新增收费标准（需 finance:fee_standard:manage）。")
    def finance_fee_standard_create(self, info: strawberry.Info,
                                    input: FinanceFeeStandardCreateInput) -> FinanceFeeStandardPayload:
        data = {f: getattr(input, f) for f in standards.FIELDS}
        return run_mutation(info, FinanceFeeStandardPayload, lambda: FinanceFeeStandardPayload(
            standard=FinanceFeeStandard.of(standards.create_standard(info.context.session, actor(info), data))))

    @strawberry.mutation(description="修改收费标准（需 finance:fee_standard:manage）。")
    def finance_fee_standard_update(self, info: strawberry.Info,
                                    input: FinanceFeeStandardUpdateInput) -> FinanceFeeStandardPayload:
        data = {f: getattr(input, f) for f in standards.FIELDS[1:] if getattr(input, f) is not strawberry.UNSET}
        return run_mutation(info, FinanceFeeStandardPayload, lambda: FinanceFeeStandardPayload(
            standard=FinanceFeeStandard.of(standards.update_standard(info.context.session, actor(info), input.code,
                                                                     data))))


QUERIES: tuple = (FinanceForecastQuery,)
MUTATIONS: tuple = (FinanceForecastMutation,)
TYPES: tuple = ()
