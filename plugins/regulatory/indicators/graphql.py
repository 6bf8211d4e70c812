"""GraphQL of the indicators area, thin over ``services``: ``regulatoryMeasures(asOf, unit)``,
``regulatorySettings`` and ``regulatorySettingsUpdate``. Amounts are given in the query's unit (元/万元); ratios and
multiples as plain decimals (0.1 is 10 %, 9.65 is 9.65x)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import strawberry
from strawberry.scalars import JSON

from surety.core.ports.regulatory import BUSINESS_TYPES, CUSTOMER_TYPES
from surety.core.workflow.engine import business_today
from surety.graphql.auth import actor
from surety.graphql.errors import UserError, run_mutation
from surety.graphql.nodes import global_id
from surety.graphql.units import AmountUnit, shown
from surety.plugins.regulatory.indicators import rules, services

#: zh-CN names of the limits and what their value is.
LIMIT_LABELS = {
    "leverage": "融资担保放大倍数（责任余额 / (净资产 - 对其他融资担保公司的股权投资)）",
    "single_party": "单一被担保人责任余额 / 净资产",
    "related_group": "单一被担保人及其关联方责任余额 / 净资产",
    "class_i": "Ⅰ级资产 / (资产总额 - 应收代偿款)",
    "class_i_ii": "Ⅰ级与Ⅱ级资产 / (资产总额 - 应收代偿款)",
    "class_iii": "Ⅲ级资产 / (资产总额 - 应收代偿款)",
}


def _amount(value: Decimal | None, unit: AmountUnit) -> Decimal | None:
    return shown(value, unit) if value is not None else None


@strawberry.type(description="一项监管限额：value 为比例（0.1 即 10%）或倍数，kind 为 max（不高于 limit）或 "
                             "min（不低于 limit）；headroom 为分子尚可增加（max）或高出下限（min）的金额，负数即超限。")
class RegulatoryLimit:
    key: str = strawberry.field(description="leverage、single_party、related_group、class_i、class_i_ii、class_iii")
    label: str
    value: Decimal | None = strawberry.field(description="比例或倍数；基数不大于零时为空（视为不达标）")
    limit: Decimal
    kind: str
    passes: bool
    headroom: Decimal | None = strawberry.field(description="金额（单位见 amountUnit）")
    numerator: Decimal = strawberry.field(description="分子金额")
    base: Decimal = strawberry.field(description="基数金额")

    @classmethod
    def of(cls, lim: rules.Limit, unit: AmountUnit) -> RegulatoryLimit:
        return cls(key=lim.key, label=LIMIT_LABELS.get(lim.key, lim.key), value=lim.value, limit=lim.limit,
                   kind=lim.kind, passes=lim.passes, headroom=_amount(lim.headroom, unit),
                   numerator=shown(lim.numerator, unit), base=shown(lim.base, unit))


@strawberry.type(description="责任余额明细的一行：权重表的一行及其下的余额（已扣除银行分担等）、权重、折算后金额。")
class RegulatoryBalanceLine:
    rule: str = strawberry.field(description="权重表行的代码，如 loan/small_micro/<=small_micro；* 为未匹配（按 100%）")
    business_type: str
    business_type_label: str | None
    customer_type: str | None
    threshold: str | None
    min_rating: str | None
    balance: Decimal
    weight: Decimal
    weighted: Decimal
    count: int

    @classmethod
    def of(cls, line: rules.BalanceLine, unit: AmountUnit) -> RegulatoryBalanceLine:
        r = line.rule
        return cls(rule=r.key, business_type=r.business_type,
                   business_type_label=BUSINESS_TYPES.get(r.business_type, (None,))[0],
                   customer_type=r.customer_type, threshold=r.threshold, min_rating=r.min_rating,
                   balance=shown(line.balance, unit), weight=line.weight, weighted=shown(line.weighted, unit),
                   count=line.count)


@strawberry.type(description="按业务类型的金额。")
class RegulatoryAmount:
    key: str
    label: str
    amount: Decimal


@strawberry.type(description="融资担保责任余额及其明细；非融资担保单列，不计入。")
class RegulatoryLiabilityBalance:
    total: Decimal
    gross: Decimal = strawberry.field(description="融资担保在保余额（未扣除）")
    bank_share: Decimal = strawberry.field(description="已扣除的银行分担部分")
    reguaranteed: Decimal = strawberry.field(description="已扣除的再担保分担部分（按设置）")
    lines: list[RegulatoryBalanceLine]
    non_financing: list[RegulatoryAmount] = strawberry.field(description="非融资担保在保余额，按业务类型")
    non_financing_total: Decimal


@strawberry.type(description="被担保人（或以其为首的关联方集团）及其责任余额。")
class RegulatoryParty:
    customer_id: strawberry.ID = strawberry.field(description="客户的全局 id")
    name: str | None = strawberry.field(description="客户名称（有客户查看权限时）")
    amount: Decimal
    member_ids: list[strawberry.ID] = strawberry.field(description="关联方集团的成员（含本人）；单一客户为空")

    @classmethod
    def of(cls, party: rules.Party, unit: AmountUnit, names: Mapping[uuid.UUID, str]) -> RegulatoryParty:
        return cls(customer_id=global_id("Customer", party.customer_id), name=names.get(party.customer_id),
                   amount=shown(party.amount, unit), member_ids=[global_id("Customer", m) for m in party.members])


@strawberry.type(description="集中度：单一被担保人与其关联方。")
class RegulatoryConcentration:
    single_party: RegulatoryLimit
    related_group: RegulatoryLimit
    largest: RegulatoryParty | None
    largest_group: RegulatoryParty | None
    top: list[RegulatoryParty] = strawberry.field(description="责任余额最大的被担保人（前 10）")


@strawberry.type(description="资产比例（以资产总额扣除应收代偿款为基数）。")
class RegulatoryAssetRatios:
    base: Decimal
    class_i: RegulatoryLimit = strawberry.field(name="classI", description="Ⅰ级资产，不低于下限")
    class_i_ii: RegulatoryLimit = strawberry.field(name="classIAndII", description="Ⅰ级与Ⅱ级资产，不低于下限")
    class_iii: RegulatoryLimit = strawberry.field(name="classIII", description="Ⅲ级资产，不高于上限")


@strawberry.type(description="监管指标；分母为零时为空。")
class RegulatoryIndicators:
    compensation_rate: Decimal | None = strawberry.field(description="代偿率 = 本年代偿额 / 本年解除担保额")
    cumulative_loss_rate: Decimal | None = strawberry.field(description="累计代偿损失率 = 累计代偿损失 / 累计代偿额")
    reserve_coverage: Decimal | None = strawberry.field(
        description="拨备覆盖率 = (未到期责任准备金 + 担保赔偿准备金) / 代偿余额")
    compensation_balance: Decimal = strawberry.field(description="代偿余额 = 累计代偿 - 累计损失 - 累计回收")


@strawberry.type(description="小额贷款比例；分母为零时为空。")
class RegulatoryMicroloanRatios:
    loan_balance: Decimal
    non_performing: Decimal = strawberry.field(description="不良贷款余额（次级、可疑、损失）")
    npl_ratio: Decimal | None = strawberry.field(description="不良贷款率")
    provision_balance: Decimal
    provision_coverage: Decimal | None = strawberry.field(description="拨备覆盖率 = 贷款损失准备 / 不良贷款")
    provision_ratio: Decimal | None = strawberry.field(description="拨贷比 = 贷款损失准备 / 贷款余额")


@strawberry.type(description="某一营业日日终的监管指标。")
class RegulatoryMeasures:
    as_of: dt.date
    amount_unit: AmountUnit
    net_assets: Decimal
    equity_in_guarantee_companies: Decimal
    net_asset_base: Decimal = strawberry.field(description="净资产 - 对其他融资担保公司的股权投资")
    total_assets: Decimal
    compensation_receivable: Decimal
    liability_balance: RegulatoryLiabilityBalance
    leverage: RegulatoryLimit
    concentration: RegulatoryConcentration
    asset_ratios: RegulatoryAssetRatios
    indicators: RegulatoryIndicators
    microloan: RegulatoryMicroloanRatios | None = strawberry.field(description="有小额贷款数据时")
    breaches: list[str] = strawberry.field(description="未达标的限额代码")

    @classmethod
    def of(cls, m: services.Measures, unit: AmountUnit) -> RegulatoryMeasures:
        def money(v: Decimal) -> Decimal:
            return shown(v, unit)

        lb, conc, ind = m.liability, m.concentration, m.indicators
        names = m.names
        return cls(
            as_of=m.as_of, amount_unit=unit, net_assets=money(m.base.net_assets),
            equity_in_guarantee_companies=money(m.base.equity_in_guarantee_companies),
            net_asset_base=money(m.base.amount), total_assets=money(m.total_assets),
            compensation_receivable=money(m.compensation_receivable),
            liability_balance=RegulatoryLiabilityBalance(
                total=money(lb.total), gross=money(lb.gross), bank_share=money(lb.bank_share),
                reguaranteed=money(lb.reguaranteed), lines=[RegulatoryBalanceLine.of(x, unit) for x in lb.lines],
                non_financing=[RegulatoryAmount(key=k, label=BUSINESS_TYPES[k][0], amount=money(v))
                               for k, v in lb.non_financing.items()],
                non_financing_total=money(lb.non_financing_total)),
            leverage=RegulatoryLimit.of(m.leverage, unit),
            concentration=RegulatoryConcentration(
                single_party=RegulatoryLimit.of(conc.single, unit), related_group=RegulatoryLimit.of(conc.group, unit),
                largest=RegulatoryParty.of(conc.largest, unit, names) if conc.largest else None,
                largest_group=RegulatoryParty.of(conc.largest_group, unit, names) if conc.largest_group else None,
                top=[RegulatoryParty.of(p, unit, names) for p in conc.top]),
            asset_ratios=RegulatoryAssetRatios(base=money(m.assets.base),
                                               class_i=RegulatoryLimit.of(m.assets.class_i, unit),
                                               class_i_ii=RegulatoryLimit.of(m.assets.class_i_ii, unit),
                                               class_iii=RegulatoryLimit.of(m.assets.class_iii, unit)),
            indicators=RegulatoryIndicators(compensation_rate=ind.compensation_rate,
                                            cumulative_loss_rate=ind.cumulative_loss_rate,
                                            reserve_coverage=ind.reserve_coverage,
                                            compensation_balance=money(ind.compensation_balance)),
            microloan=RegulatoryMicroloanRatios(
                loan_balance=money(m.microloan.loan_balance), non_performing=money(m.microloan.non_performing),
                npl_ratio=m.microloan.npl_ratio, provision_balance=money(m.microloan.provision_balance),
                provision_coverage=m.microloan.provision_coverage, provision_ratio=m.microloan.provision_ratio,
            ) if m.microloan else None,
            breaches=rules.breaches(m.limits))


@strawberry.type(description="监管设置（金额为元，比例为小数）。")
class RegulatorySettings:
    registered_capital: Decimal | None = strawberry.field(description="注册资本（元）")
    mainly_small_micro: bool = strawberry.field(description="主要服务小微和三农（放大倍数上限适用 15 倍）")
    province: str = strawberry.field(description="省级行政区划代码，如 320000")
    weights: JSON = strawberry.field(description="责任余额权重表（按顺序匹配第一行）：business_type、customer_type、"
                                                 "threshold、min_rating、weight")
    thresholds: JSON = strawberry.field(description=f"单户标准（元，含本数）：{', '.join(CUSTOMER_TYPES)} 中的 "
                                                    "small_micro、farmer")
    threshold_basis: str = strawberry.field(description="单户标准按 gross（在保余额）或 own（扣除银行分担后）")
    deduct_reguaranteed: bool = strawberry.field(description="计算责任余额时是否扣除再担保分担部分")
    leverage_cap: Decimal
    leverage_cap_small_micro: Decimal
    single_party_limit: Decimal
    related_group_limit: Decimal
    class_i_min: Decimal
    class_i_ii_min: Decimal
    class_iii_max: Decimal

    @classmethod
    def of(cls, row) -> RegulatorySettings:
        return cls(**{name: getattr(row, name) for name in services.FIELDS})


@strawberry.input(description="只修改给出的字段。金额为元（文本或数字），比例为小数。")
class RegulatorySettingsUpdateInput:
    registered_capital: Decimal | None = strawberry.UNSET
    mainly_small_micro: bool | None = strawberry.UNSET
    province: str | None = strawberry.UNSET
    weights: JSON | None = strawberry.UNSET
    thresholds: JSON | None = strawberry.UNSET
    threshold_basis: str | None = strawberry.UNSET
    deduct_reguaranteed: bool | None = strawberry.UNSET
    leverage_cap: Decimal | None = strawberry.UNSET
    leverage_cap_small_micro: Decimal | None = strawberry.UNSET
    single_party_limit: Decimal | None = strawberry.UNSET
    related_group_limit: Decimal | None = strawberry.UNSET
    class_i_min: Decimal | None = strawberry.UNSET
    class_i_ii_min: Decimal | None = strawberry.UNSET
    class_iii_max: Decimal | None = strawberry.UNSET

    def given(self) -> dict[str, Any]:
        return {n: getattr(self, n) for n in services.FIELDS if getattr(self, n) is not strawberry.UNSET}


@strawberry.type
class RegulatorySettingsPayload:
    settings: RegulatorySettings | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class RegulatoryIndicatorsQuery:
    @strawberry.field(description="某一营业日日终的监管指标（需 regulatory:report:read）：融资担保责任余额及明细、"
                                  "放大倍数、集中度（客户名称需客户查看权限）、资产比例、代偿率等指标、小额贷款比例。"
                                  "asOf 默认为当前营业日；unit 为金额单位。")
    def regulatory_measures(self, info: strawberry.Info, as_of: dt.date | None = None,
                            unit: AmountUnit = AmountUnit.YUAN) -> RegulatoryMeasures:
        found = services.regulatory_measures(info.context.session, actor(info), as_of or business_today())
        return RegulatoryMeasures.of(found, unit)

    @strawberry.field(description="监管设置（需 regulatory:report:read 或 regulatory:settings:manage）。")
    def regulatory_settings(self, info: strawberry.Info) -> RegulatorySettings:
        return RegulatorySettings.of(services.read_settings(info.context.session, actor(info)))


@strawberry.type
class RegulatoryIndicatorsMutation:
    @strawberry.mutation(description="修改监管设置（需 regulatory:settings:manage），逐项校验。")
    def regulatory_settings_update(self, info: strawberry.Info,
                                   input: RegulatorySettingsUpdateInput) -> RegulatorySettingsPayload:
        return run_mutation(info, RegulatorySettingsPayload, lambda: RegulatorySettingsPayload(
            settings=RegulatorySettings.of(services.update_settings(info.context.session, actor(info),
                                                                    input.given()))))


QUERIES: tuple = (RegulatoryIndicatorsQuery,)
MUTATIONS: tuple = (RegulatoryIndicatorsMutation,)
TYPES: tuple = ()
