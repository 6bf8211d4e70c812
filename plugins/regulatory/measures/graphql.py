"""GraphQL of the measures area, thin over ``gather.read_figures``: ``regulatoryFigures(asOf, periodStart, unit)``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import strawberry

from surety.core.ports.regulatory import BUSINESS_TYPES, CUSTOMER_TYPES, MEASURES, Figure
from surety.core.workflow.engine import business_today
from surety.graphql.auth import actor
from surety.graphql.units import AmountUnit, shown
from surety.plugins.regulatory.measures import gather

#: zh-CN labels of the dimension values the port defines.
_DIM_LABELS = {"business_type": {k: v[0] for k, v in BUSINESS_TYPES.items()}, "customer_type": CUSTOMER_TYPES}
#: zh-CN names of a figure's units.
_UNITS = {"yuan": "元", "count": "笔", "households": "户"}


@strawberry.type(description="数据的一个维度，如 business_type = loan（借款类担保）。")
class RegulatoryDim:
    name: str = strawberry.field(description="维度：business_type（业务类型）、customer_type（客户类型）、"
                                             "loan_class（五级分类）等")
    value: str = strawberry.field(description="维度取值的代码")
    label: str | None = strawberry.field(description="维度取值的中文名称（已知时）")


@strawberry.type(description="一项监管口径数据：某一指标在某一维度组合下的值。")
class RegulatoryFigure:
    measure: str = strawberry.field(description="指标代码，如 guarantee.in_force_balance")
    label: str = strawberry.field(description="指标中文名称（目录外的指标为其代码）")
    unit: str = strawberry.field(description="计量单位：yuan（金额，按 amountUnit 给出）、count（笔）、"
                                             "households（户）")
    unit_label: str = strawberry.field(description="计量单位的中文：元/万元、笔、户")
    kind: str | None = strawberry.field(description="stock（时点余额，取 asOf 日终）或 flow（期间发生额，"
                                                    "periodStart 至 asOf）；目录外的指标为空")
    dims: list[RegulatoryDim] = strawberry.field(description="维度")
    value: Decimal = strawberry.field(description="数值（金额的单位见 amountUnit）")

    @classmethod
    def of(cls, f: Figure, unit: AmountUnit) -> RegulatoryFigure:
        measure = MEASURES.get(f.measure)
        kind = measure.unit if measure else "yuan"
        amount = kind == "yuan"
        return cls(measure=f.measure, label=measure.label if measure else f.measure, unit=kind,
                   unit_label=("万元" if unit == AmountUnit.WAN else "元") if amount else _UNITS.get(kind, kind),
                   kind=measure.kind if measure else None, value=shown(f.value, unit) if amount else f.value,
                   dims=[RegulatoryDim(name=n, value=v, label=_DIM_LABELS.get(n, {}).get(v)) for n, v in f.dims])


@strawberry.type(description="各业务插件按监管口径报送的数据。")
class RegulatoryFigures:
    as_of: dt.date = strawberry.field(description="截至日（时点余额取其日终）")
    period_start: dt.date = strawberry.field(description="期间起始日（期间发生额自该日至截至日，含首尾）")
    amount_unit: AmountUnit = strawberry.field(description="本结果中金额的单位")
    figures: list[RegulatoryFigure] = strawberry.field(description="数据")


@strawberry.type
class RegulatoryMeasuresQuery:
    @strawberry.field(description="监管口径数据（需 regulatory:report:read）：时点余额取 asOf 日终，期间发生额取 "
                                  "periodStart 至 asOf（默认为 asOf 所在年度 1 月 1 日起）；均按各业务的历史记录"
                                  "重算，补录的更早日期记录计入此后的查询。asOf 默认为当前营业日；unit 为金额单位。")
    def regulatory_figures(self, info: strawberry.Info, as_of: dt.date | None = None,
                           period_start: dt.date | None = None,
                           unit: AmountUnit = AmountUnit.YUAN) -> RegulatoryFigures:
        found = gather.read_figures(info.context.session, actor(info), as_of or business_today(), period_start)
        return RegulatoryFigures(as_of=found.as_of, period_start=found.period_start, amount_unit=unit,
                                 figures=[RegulatoryFigure.of(f, unit) for f in found.figures])


QUERIES: tuple = (RegulatoryMeasuresQuery,)
MUTATIONS: tuple = ()
TYPES: tuple = ()
