"""GraphQL of the monitoring area, thin over ``monitor.warnings``, ``monitor.stats`` and ``monitor.export``: root
fields ``reguaranteeWarnings`` (connection, partner batched), ``reguaranteeWarningClose``,
``reguaranteeWarningThresholds``, ``reguaranteeWarningThresholdsUpdate``, ``reguaranteeStatistics`` and
``reguaranteeStatisticsExport`` (the .xlsx in base64)."""

from __future__ import annotations

import base64
import datetime as dt
import enum
from decimal import Decimal

import strawberry
from sqlalchemy import select
from strawberry import relay

from surety.graphql.auth import actor, allowed, decode_node_id
from surety.graphql.errors import UserError, run_mutation
from surety.graphql.loaders import load
from surety.graphql.nodes import load_nodes
from surety.graphql.pagination import Connection, paginate
from surety.graphql.units import AmountUnit, shown
from surety.plugins.reguarantee.conventions import WARNING_INDICATORS, WARNING_LEVELS
from surety.plugins.reguarantee.monitor import export, stats, warnings
from surety.plugins.reguarantee.monitor.models import ReguaranteeWarning as WarningRow
from surety.plugins.reguarantee.monitor.permissions import MONITOR
from surety.plugins.reguarantee.partner.graphql import ReguaranteePartner
from surety.plugins.reguarantee.partner.models import ReguaranteePartner as PartnerRow
from surety.plugins.reguarantee.partner.permissions import PARTNER

_INDICATORS = "，".join(f"{k}（{v}）" for k, v in WARNING_INDICATORS.items())
_LEVELS = "，".join(f"{k}（{v}）" for k, v in WARNING_LEVELS.items())
_STATUSES = "，".join(f"{k}（{v}）" for k, v in warnings.WARNING_STATUSES.items())
#: Dimensions whose key is a node: the statistics row gives its global id.
_NODE_KEYS = {"partner": "ReguaranteePartner", "programme": "ReguaranteeProgramme"}


def _partners(ctx, ids) -> dict:
    return {r.id: ReguaranteePartner.of(r) for r in ctx.session.scalars(select(PartnerRow)
                                                                        .where(PartnerRow.id.in_(list(ids))))}


@strawberry.type(description="合作机构预警：某项监测指标达到预警阈值（每个机构每项指标至多一条未关闭的预警）。")
class ReguaranteeWarning(relay.Node):
    id: relay.NodeID[str]
    row: strawberry.Private[WarningRow]
    as_of: dt.date = strawberry.field(description="最近一次评估日（业务日期）")
    indicator: str = strawberry.field(description=f"监测指标：{_INDICATORS}")
    indicator_label: str = strawberry.field(description="监测指标的中文名称")
    value: Decimal = strawberry.field(description="指标值（小数，0.05 即 5%）")
    threshold: Decimal = strawberry.field(description="达到的预警阈值（小数，含本数）")
    level: str = strawberry.field(description=f"预警级别：{_LEVELS}")
    level_label: str = strawberry.field(description="预警级别的中文名称")
    status: str = strawberry.field(description=f"状态：{_STATUSES}")
    status_label: str = strawberry.field(description="状态的中文名称")
    message: str = strawberry.field(description="关闭说明（人工关闭时为填写的说明，自动关闭时为系统说明）")
    closed_on: dt.date | None = strawberry.field(description="关闭日期")
    closed_by_id: strawberry.ID | None = strawberry.field(description="关闭人（用户 id；自动关闭时为空）")
    created_at: dt.datetime = strawberry.field(description="预警产生时间（UTC）")

    @strawberry.field(description="合作机构（无 reguarantee:partner:read 时为空）")
    async def partner(self, info: strawberry.Info) -> ReguaranteePartner | None:
        if not allowed(info, f"{PARTNER}:read"):
            return None
        return await load(info, "reguarantee.monitor.partners", _partners, self.row.partner_id)

    @classmethod
    def of(cls, w: WarningRow) -> ReguaranteeWarning:
        return cls(id=str(w.id), row=w, as_of=w.as_of, indicator=w.indicator,
                   indicator_label=WARNING_INDICATORS.get(w.indicator, w.indicator), value=w.value,
                   threshold=w.threshold, level=w.level, level_label=WARNING_LEVELS.get(w.level, w.level),
                   status=w.status, status_label=warnings.WARNING_STATUSES.get(w.status, w.status),
                   message=w.message or "", closed_on=w.closed_on,
                   closed_by_id=strawberry.ID(str(w.closed_by)) if w.closed_by else None, created_at=w.created_at)

    @classmethod
    def resolve_nodes(cls, *, info, node_ids, required=False):
        return load_nodes(info, WarningRow, cls.of, node_ids, f"{MONITOR}:read")


@strawberry.input(description="预警列表的筛选条件（均可不填）。")
class ReguaranteeWarningFilterInput:
    partner_id: strawberry.ID | None = strawberry.field(default=None, description="合作机构 id")
    indicator: str | None = strawberry.field(default=None, description=f"监测指标：{_INDICATORS}")
    level: str | None = strawberry.field(default=None, description=f"预警级别：{_LEVELS}")
    status: str | None = strawberry.field(default=None, description=f"状态：{_STATUSES}")


@strawberry.input(description="关闭一条预警：须填写说明。")
class ReguaranteeWarningCloseInput:
    id: strawberry.ID = strawberry.field(description="预警 id")
    note: str = strawberry.field(description="关闭说明（1-500 字）")


@strawberry.type(description="关闭预警的结果。")
class ReguaranteeWarningPayload:
    warning: ReguaranteeWarning | None = strawberry.field(default=None, description="预警（出错时为空）")
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="一个预警级别的阈值。")
class ReguaranteeThresholdLevel:
    level: str = strawberry.field(description=f"预警级别：{_LEVELS}")
    level_label: str = strawberry.field(description="预警级别的中文名称")
    threshold: Decimal = strawberry.field(description="阈值（小数，含本数：指标值达到即预警）")


@strawberry.type(description="一项监测指标的预警阈值，由轻到重。")
class ReguaranteeIndicatorThresholds:
    indicator: str = strawberry.field(description=f"监测指标：{_INDICATORS}")
    indicator_label: str = strawberry.field(description="监测指标的中文名称")
    levels: list[ReguaranteeThresholdLevel] = strawberry.field(description="各级阈值，由轻到重")

    @staticmethod
    def all(values: dict) -> list[ReguaranteeIndicatorThresholds]:
        return [ReguaranteeIndicatorThresholds(
            indicator=ind, indicator_label=WARNING_INDICATORS[ind],
            levels=[ReguaranteeThresholdLevel(level=lv, level_label=WARNING_LEVELS[lv], threshold=t)
                    for lv, t in levels.items()]) for ind, levels in values.items()]


@strawberry.input(description="一个预警级别的阈值。")
class ReguaranteeThresholdLevelInput:
    level: str = strawberry.field(description=f"预警级别：{_LEVELS}")
    threshold: Decimal = strawberry.field(description="阈值（小数，0 到 1）")


@strawberry.input(description="一项监测指标的预警阈值（整体替换该指标的阈值；级别由轻到重须递增）。")
class ReguaranteeIndicatorThresholdsInput:
    indicator: str = strawberry.field(description=f"监测指标：{_INDICATORS}")
    levels: list[ReguaranteeThresholdLevelInput] = strawberry.field(description="各级阈值，至少一级")


@strawberry.type(description="修改预警阈值的结果。")
class ReguaranteeThresholdsPayload:
    thresholds: list[ReguaranteeIndicatorThresholds] | None = strawberry.field(
        default=None, description="修改后的全部阈值（出错时为空）")
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.enum(description="统计维度。")
class ReguaranteeStatDimension(enum.Enum):
    PARTNER = strawberry.enum_value("partner", description="合作机构")
    BANK = strawberry.enum_value("bank", description="贷款银行")
    REGION = strawberry.enum_value("region", description="地区")
    INDUSTRY = strawberry.enum_value("industry", description="行业")
    CUSTOMER_KIND = strawberry.enum_value("customer_kind", description="客户类型")
    PROGRAMME = strawberry.enum_value("programme", description="业务品种")
    MONTH = strawberry.enum_value("month", description="月份（按担保起始日）")
    QUARTER = strawberry.enum_value("quarter", description="季度（按担保起始日）")
    YEAR = strawberry.enum_value("year", description="年度（按担保起始日）")


@strawberry.type(description="统计表的一行（一个维度取值，或合计）；金额单位见 amountUnit，比例为小数。")
class ReguaranteeStatRow:
    key: str = strawberry.field(description="维度取值（合作机构、业务品种为其全局 id，期间为 2026-03 / 2026Q1 / 2026，"
                                            "其余为文本；合计行为空）")
    label: str = strawberry.field(description="维度取值的显示名称")
    filed_count: int = strawberry.field(description="备案笔数（统计区间内起始、未退回）")
    filed_amount: Decimal = strawberry.field(description="备案金额（担保金额合计）")
    balance_count: int = strawberry.field(description="在保笔数（期末已确认、未解保）")
    balance: Decimal = strawberry.field(description="在保余额（期末）")
    reguarantor_balance: Decimal = strawberry.field(description="本公司分险余额（期末在保的本公司承担部分）")
    risk_share_ratio: Decimal | None = strawberry.field(description="本公司分险比例 = 本公司分险余额 / 在保余额")
    avg_loan_rate: Decimal | None = strawberry.field(description="按贷款金额加权的平均贷款利率（无利率的不计）")
    released: Decimal = strawberry.field(description="统计区间内解保金额（正常 + 代偿）")
    compensated: Decimal = strawberry.field(description="统计区间内代偿解保金额")
    compensation_rate: Decimal | None = strawberry.field(description="代偿率 = 代偿解保金额 / 解保金额（无解保时为空）")
    recovered: Decimal = strawberry.field(description="统计区间内追偿回收金额")
    recovered_share: Decimal = strawberry.field(description="其中本公司分成")
    period_end: dt.date | None = strawberry.field(description="在保余额的截至日")

    @classmethod
    def of(cls, r: stats.StatRow, unit: AmountUnit, dimension: str = "") -> ReguaranteeStatRow:
        key = relay.to_base64(_NODE_KEYS[dimension], r.key) if dimension in _NODE_KEYS and r.key else r.key
        return cls(key=key, label=r.label, filed_count=r.filed_count, filed_amount=shown(r.filed_amount, unit),
                   balance_count=r.balance_count, balance=shown(r.balance, unit),
                   reguarantor_balance=shown(r.reguarantor_balance, unit), risk_share_ratio=r.risk_share_ratio,
                   avg_loan_rate=r.avg_loan_rate, released=shown(r.released, unit),
                   compensated=shown(r.compensated, unit), compensation_rate=r.compensation_rate,
                   recovered=shown(r.recovered, unit), recovered_share=shown(r.recovered_share, unit),
                   period_end=r.period_end)


@strawberry.type(description="再担保业务统计。")
class ReguaranteeStatistics:
    dimension: ReguaranteeStatDimension = strawberry.field(description="统计维度")
    date_from: dt.date = strawberry.field(description="统计区间起（含）")
    as_of: dt.date = strawberry.field(description="统计区间止（含），亦为在保余额的截至日")
    amount_unit: AmountUnit = strawberry.field(description="本结果中所有金额的单位")
    rows: list[ReguaranteeStatRow] = strawberry.field(description="各行（期间按时间顺序，其余按备案金额降序）")
    total: ReguaranteeStatRow = strawberry.field(description="合计（按期间统计时在保余额为最后一期末）")


@strawberry.input(description="统计条件。")
class ReguaranteeStatisticsInput:
    dimension: ReguaranteeStatDimension = strawberry.field(description="统计维度")
    as_of: dt.date | None = strawberry.field(default=None, description="统计截止日（默认今日业务日期）")
    date_from: dt.date | None = strawberry.field(default=None, description="统计区间起（默认截止日所在年 1 月 1 日）")
    unit: AmountUnit = strawberry.field(default=AmountUnit.YUAN, description="金额单位")


@strawberry.type(description="导出的文件：内容为 base64。")
class ReguaranteeExportFile:
    filename: str = strawberry.field(description="文件名")
    content_type: str = strawberry.field(description="文件类型（MIME）")
    size: int = strawberry.field(description="文件大小（字节）")
    rows: int = strawberry.field(description="数据行数（不含表头与合计）")
    content_base64: str = strawberry.field(description="文件内容（base64）")

    @classmethod
    def of(cls, f: export.ExportFile) -> ReguaranteeExportFile:
        return cls(filename=f.filename, content_type=f.content_type, size=len(f.data), rows=f.rows,
                   content_base64=base64.b64encode(f.data).decode("ascii"))


@strawberry.type(description="导出统计表的结果。")
class ReguaranteeStatisticsExportPayload:
    file: ReguaranteeExportFile | None = strawberry.field(default=None, description="导出文件（出错时为空）")
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class ReguaranteeMonitorQuery:
    @strawberry.field(description="合作机构预警列表，按产生时间倒序，可按合作机构、指标、级别、状态筛选，键集分页"
                                  "（需 reguarantee:monitor:read）。")
    def reguarantee_warnings(self, info: strawberry.Info, first: int | None = None, after: str | None = None,
                             filter: ReguaranteeWarningFilterInput | None = None) -> Connection[ReguaranteeWarning]:
        f = filter or ReguaranteeWarningFilterInput()
        wf = warnings.WarningFilter(
            partner_id=decode_node_id(f.partner_id, "ReguaranteePartner", field="partnerId") if f.partner_id else None,
            indicator=f.indicator, level=f.level, status=f.status)
        s = info.context.session
        return paginate(info, s, warnings.search_statement(s, actor(info), wf), order=list(warnings.ORDER),
                        to_node=ReguaranteeWarning.of, first=first, after=after, descending=True)

    @strawberry.field(description="预警阈值（需 reguarantee:monitor:read）。")
    def reguarantee_warning_thresholds(self, info: strawberry.Info) -> list[ReguaranteeIndicatorThresholds]:
        return ReguaranteeIndicatorThresholds.all(warnings.read_thresholds(info.context.session, actor(info)))

    @strawberry.field(description="再担保业务统计：按维度分组的备案金额与笔数、期末在保余额、本公司分险比例、加权平均"
                                  "贷款利率、代偿率与追偿回收（需 reguarantee:monitor:read）。")
    def reguarantee_statistics(self, info: strawberry.Info, input: ReguaranteeStatisticsInput) -> ReguaranteeStatistics:
        r = stats.statistics(info.context.session, actor(info), input.dimension.value, as_of=input.as_of,
                             date_from=input.date_from)
        unit = input.unit
        rows = [ReguaranteeStatRow.of(x, unit, r.dimension) for x in r.rows]
        return ReguaranteeStatistics(dimension=input.dimension, date_from=r.date_from, as_of=r.as_of,
                                     amount_unit=unit, rows=rows, total=ReguaranteeStatRow.of(r.total, unit))


@strawberry.type
class ReguaranteeMonitorMutation:
    @strawberry.mutation(description="关闭一条未关闭的预警，须填写说明（需 reguarantee:monitor:manage）。")
    def reguarantee_warning_close(self, info: strawberry.Info,
                                  input: ReguaranteeWarningCloseInput) -> ReguaranteeWarningPayload:
        return run_mutation(info, ReguaranteeWarningPayload, lambda: ReguaranteeWarningPayload(
            warning=ReguaranteeWarning.of(warnings.close_warning(
                info.context.session, actor(info), decode_node_id(input.id, "ReguaranteeWarning"), input.note))))

    @strawberry.mutation(description="修改预警阈值：给出的指标整体替换，其余不变；级别由轻到重须递增"
                                     "（需 reguarantee:monitor:manage；下次评估生效）。")
    def reguarantee_warning_thresholds_update(self, info: strawberry.Info,
                                              input: list[ReguaranteeIndicatorThresholdsInput]
                                              ) -> ReguaranteeThresholdsPayload:
        value = {i.indicator: {lv.level: lv.threshold for lv in i.levels} for i in input}
        return run_mutation(info, ReguaranteeThresholdsPayload, lambda: ReguaranteeThresholdsPayload(
            thresholds=ReguaranteeIndicatorThresholds.all(
                warnings.update_thresholds(info.context.session, actor(info), value))))

    @strawberry.mutation(description="将再担保业务统计导出为 Excel（.xlsx，中文表头，金额单位按 unit；"
                                     "需 reguarantee:monitor:read；记入审计日志）。")
    def reguarantee_statistics_export(self, info: strawberry.Info,
                                      input: ReguaranteeStatisticsInput) -> ReguaranteeStatisticsExportPayload:
        return run_mutation(info, ReguaranteeStatisticsExportPayload, lambda: ReguaranteeStatisticsExportPayload(
            file=ReguaranteeExportFile.of(export.export_statistics(
                info.context.session, actor(info), input.dimension.value, as_of=input.as_of,
                date_from=input.date_from, unit=input.unit.value))))


QUERIES: tuple = (ReguaranteeMonitorQuery,)
MUTATIONS: tuple = (ReguaranteeMonitorMutation,)
TYPES: tuple = (ReguaranteeWarning,)
