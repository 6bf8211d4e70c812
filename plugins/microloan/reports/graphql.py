"""GraphQL of the microloan leaders' dashboard (thin: the figures are computed in ``reports.dashboard``): root field
``microloanDashboard(asOf, unit)``. Every amount of the answer is in the ``unit`` asked for (元 by default), said
by ``amountUnit``; ratios are fractions with six places, null when undefined."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import strawberry

from surety.graphql.auth import actor
from surety.graphql.nodes import global_id
from surety.graphql.units import AmountUnit, shown
from surety.plugins.microloan.reports import dashboard as service


@strawberry.type(description="一个期间内发放的贷款。")
class MicroloanDashboardLending:
    count: int = strawberry.field(description="笔数")
    amount: Decimal = strawberry.field(description="发放金额（单位见 amountUnit）")


@strawberry.type(description="在贷贷款中某一五级分类的贷款。")
class MicroloanDashboardClass:
    risk_class: str = strawberry.field(description="五级分类代码：normal、special_mention、substandard、doubtful、loss")
    label: str = strawberry.field(description="五级分类名称（正常、关注、次级、可疑、损失）")
    count: int = strawberry.field(description="笔数")
    balance: Decimal = strawberry.field(description="本金余额（单位见 amountUnit）")
    provision: Decimal = strawberry.field(description="贷款损失准备（单位见 amountUnit）")


@strawberry.type(description="处于某一催收阶段的逾期在贷贷款（按租户设置的逾期天数划分）。")
class MicroloanDashboardStage:
    stage: str = strawberry.field(description="催收阶段（如 M1、M2、M3+）")
    from_days: int = strawberry.field(description="该阶段起始逾期天数（天）")
    count: int = strawberry.field(description="笔数")
    balance: Decimal = strawberry.field(description="本金余额（单位见 amountUnit）")


@strawberry.type(description="一名客户经理管户的在贷贷款。")
class MicroloanDashboardManager:
    user_id: strawberry.ID | None = strawberry.field(description="客户经理（用户）的全局 id；未指定客户经理时为空")
    name: str = strawberry.field(description="客户经理姓名（显示名）")
    active_loans: int = strawberry.field(description="在贷笔数")
    balance: Decimal = strawberry.field(description="在贷本金余额（单位见 amountUnit）")
    overdue_loans: int = strawberry.field(description="逾期笔数")
    overdue_balance: Decimal = strawberry.field(description="逾期贷款本金余额（单位见 amountUnit）")


@strawberry.type(description="催收成果：未结催收案件、本月催收记录、本年核销后收回。")
class MicroloanDashboardCollection:
    open_cases: int = strawberry.field(description="未结催收案件数")
    actions_this_month: int = strawberry.field(description="本月催收记录数")
    recovered_this_year: Decimal = strawberry.field(description="本年已核销贷款收回金额（单位见 amountUnit）")


@strawberry.type(description="小额贷款经营看板：余额、投放、逾期、五级分类与不良率、拨备、核销、催收阶段、客户经理工作量。"
                             "余额、分类与拨备为最近一次日终及还款后的数据；本月、本年按 asOf 计算。")
class MicroloanDashboard:
    as_of: dt.date = strawberry.field(description="统计日期")
    month_from: dt.date = strawberry.field(description="本月起始日")
    year_from: dt.date = strawberry.field(description="本年起始日")
    amount_unit: AmountUnit = strawberry.field(description="本结果中所有金额的单位（查询参数 unit）")
    active_loans: int = strawberry.field(description="在贷笔数（已放款、未结清、未核销）")
    balance: Decimal = strawberry.field(description="贷款余额：在贷贷款的本金余额合计")
    disbursed_this_month: MicroloanDashboardLending = strawberry.field(description="本月发放")
    disbursed_this_year: MicroloanDashboardLending = strawberry.field(description="本年发放")
    overdue_loans: int = strawberry.field(description="逾期贷款笔数")
    overdue_balance: Decimal = strawberry.field(description="逾期贷款余额：逾期在贷贷款的本金余额合计")
    overdue_rate: Decimal | None = strawberry.field(
        description="逾期率 = 逾期贷款余额 / 贷款余额（小数）；余额为零时为空")
    npl_balance: Decimal = strawberry.field(description="不良贷款余额：次级、可疑、损失类贷款本金余额合计")
    npl_ratio: Decimal | None = strawberry.field(
        description="不良贷款率 = 不良贷款余额 / 贷款余额（小数）；余额为零时为空")
    classes: list[MicroloanDashboardClass] = strawberry.field(description="五级分类，从正常到损失（含零值）")
    provision: Decimal = strawberry.field(description="贷款损失准备合计")
    provision_coverage: Decimal | None = strawberry.field(
        description="拨备覆盖率 = 贷款损失准备 / 不良贷款余额（小数）；无不良贷款时为空")
    written_off_loans: int = strawberry.field(description="本年核销笔数")
    written_off_principal: Decimal = strawberry.field(description="本年核销本金")
    written_off_interest: Decimal = strawberry.field(description="本年核销利息")
    written_off: Decimal = strawberry.field(description="本年核销合计（本金 + 利息）")
    recovered_after_write_off: Decimal = strawberry.field(description="已核销贷款累计收回金额")
    stages: list[MicroloanDashboardStage] = strawberry.field(description="逾期贷款按催收阶段分布")
    managers: list[MicroloanDashboardManager] = strawberry.field(description="客户经理工作量，按在贷余额从高到低")
    collection: MicroloanDashboardCollection = strawberry.field(description="催收成果")

    @classmethod
    def of(cls, d: service.Dashboard, unit: AmountUnit) -> MicroloanDashboard:
        def m(value: Decimal) -> Decimal:
            return shown(value, unit)

        def lending(x: service.Lending) -> MicroloanDashboardLending:
            return MicroloanDashboardLending(count=x.count, amount=m(x.amount))

        c = d.collection
        return cls(
            as_of=d.as_of, month_from=d.month_from, year_from=d.year_from, amount_unit=unit,
            active_loans=d.active_loans, balance=m(d.balance), disbursed_this_month=lending(d.disbursed_this_month),
            disbursed_this_year=lending(d.disbursed_this_year), overdue_loans=d.overdue_loans,
            overdue_balance=m(d.overdue_balance), overdue_rate=d.overdue_rate, npl_balance=m(d.npl_balance),
            npl_ratio=d.npl_ratio,
            classes=[MicroloanDashboardClass(risk_class=x.risk_class, label=x.label, count=x.count,
                                             balance=m(x.balance), provision=m(x.provision)) for x in d.classes],
            provision=m(d.provision), provision_coverage=d.provision_coverage, written_off_loans=d.written_off_loans,
            written_off_principal=m(d.written_off_principal), written_off_interest=m(d.written_off_interest),
            written_off=m(d.written_off), recovered_after_write_off=m(d.recovered_after_write_off),
            stages=[MicroloanDashboardStage(stage=s.stage, from_days=s.from_days, count=s.count,
                                            balance=m(s.balance)) for s in d.stages],
            managers=[MicroloanDashboardManager(user_id=global_id("User", x.user_id), name=x.name,
                                                active_loans=x.active_loans, balance=m(x.balance),
                                                overdue_loans=x.overdue_loans,
                                                overdue_balance=m(x.overdue_balance)) for x in d.managers],
            collection=MicroloanDashboardCollection(
                open_cases=c.open_cases, actions_this_month=c.actions_this_month,
                recovered_this_year=m(c.recovered_this_year)))


@strawberry.type
class MicroloanDashboardQuery:
    @strawberry.field(description="小额贷款经营看板（数据范围内的贷款；需 microloan:dashboard:read 权限）。"
                                  "asOf 为统计日期（默认今天），unit 为金额单位（默认元）。")
    def microloan_dashboard(self, info: strawberry.Info, as_of: dt.date | None = None,
                            unit: AmountUnit = AmountUnit.YUAN) -> MicroloanDashboard:
        return MicroloanDashboard.of(service.dashboard(info.context.session, actor(info), as_of), unit)


QUERIES: tuple = (MicroloanDashboardQuery,)
MUTATIONS: tuple = ()
TYPES: tuple = (MicroloanDashboard,)
