"""GraphQL of the forms area, thin over forms/services.py, export.py and duedates.py: queries
``regulatoryForms``, ``regulatoryFormVersions``, ``regulatoryReports``, ``regulatoryReportDueDates``; mutations
``regulatoryFormNewVersion``, ``regulatoryReportFill``, ``regulatoryReportReview``, ``regulatoryReportLock``,
``regulatoryReportCorrect`` and ``regulatoryReportExport`` (the .xlsx, base64)."""

from __future__ import annotations

import base64
import datetime as dt

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from surety.core.authz.check import require
from surety.core.workflow.engine import business_today
from surety.graphql.auth import actor, decode_node_id
from surety.graphql.errors import UserError, run_mutation
from surety.graphql.loaders import page_related, remember_page
from surety.graphql.nodes import load_nodes
from surety.graphql.pagination import Connection, paginate
from surety.plugins.regulatory.forms import duedates, export, layout, periods, services
from surety.plugins.regulatory.forms.models import REPORT_STATUSES
from surety.plugins.regulatory.forms.models import RegulatoryForm as FormRow
from surety.plugins.regulatory.forms.models import RegulatoryReport as ReportRow
from surety.plugins.regulatory.forms.permissions import FORM, REPORT

_STATUSES = "，".join(f"{k}（{v}）" for k, v in REPORT_STATUSES.items())
_PERIODS = "，".join(f"{k}（{v}）" for k, v in layout.PERIODS.items())


@strawberry.type(description="监管报表格式的一个版本：行与列均为数据（docs/regulatory/forms.md）。")
class RegulatoryForm(relay.Node):
    id: relay.NodeID[str]
    code: str = strawberry.field(description="报表代码（如 monthly_main 月度主要数据表）")
    version: int = strawberry.field(description="版本号（修改格式即产生新版本，已填报表保留原版本）")
    name: str = strawberry.field(description="报表名称")
    cadence: str = strawberry.field(description="报送频度：month（月报）或 quarter（季报）")
    current: bool = strawberry.field(description="是否为新填报所用的当前版本")
    rows: JSON = strawberry.field(description="行：[{code, label, measure, dims, unit, kind, blank}] 或 "
                                              "[{code, label, sum, unit}]；unit 为 元、万元、户、笔")
    columns: JSON = strawberry.field(description=f"列：[{{key, label, period}}]，period 为：{_PERIODS}")

    @classmethod
    def of(cls, f: FormRow) -> RegulatoryForm:
        return cls(id=str(f.id), code=f.code, version=f.version, name=f.name, cadence=f.cadence, current=f.current,
                   rows=f.rows, columns=f.columns)

    @classmethod
    def resolve_nodes(cls, *, info, node_ids, required=False):
        return load_nodes(info, FormRow, cls.of, node_ids, f"{FORM}:read")


#: The request's key of the listed reports' rows (graphql.loaders.remember_page).
PAGE_ROWS = "regulatory.reports.page_rows"


def _forms(session, rows: list[ReportRow]) -> dict:
    """The form versions the reports were filled from, in one statement."""
    return {f.id: f for f in services.forms_of(session, rows)}


@strawberry.type(description="报表的一行（按报表格式的行次，数值为填报时的结果）。")
class RegulatoryReportLine:
    code: str = strawberry.field(description="行次")
    label: str = strawberry.field(description="项目")
    unit: str = strawberry.field(description="单位：元、万元、户、笔")
    values: list[str | None] = strawberry.field(description="各列的数值（按 columns 顺序；空为不适用）")


@strawberry.type(description="监管报表：某一报表格式按某一报告期填报的结果；锁定后永不改变，更正为新版本。")
class RegulatoryReport(relay.Node):
    id: relay.NodeID[str]
    row: strawberry.Private[ReportRow]
    form_code: str = strawberry.field(description="报表代码")
    form_version: int = strawberry.field(description="填报所用的报表格式版本")
    period: str = strawberry.field(description="报告期：2026M11（月）或 2026Q3（季度）")
    period_label: str = strawberry.field(description="报告期的中文名称")
    as_of: dt.date = strawberry.field(description="数据截至日（报告期的最后一天：月末或季末）")
    version: int = strawberry.field(description="报表版本（更正时加 1）")
    status: str = strawberry.field(description=f"状态：{_STATUSES}")
    status_label: str = strawberry.field(description="状态的中文名称")
    due_date: dt.date = strawberry.field(description="报送截止日")
    cells: JSON = strawberry.field(description="填报结果：{行次: {列代码: 数值文本或 null}}")
    filled_at: dt.datetime = strawberry.field(description="填报（或重新填报）时间")
    reviewed_at: dt.datetime | None = strawberry.field(description="复核时间")
    locked_at: dt.datetime | None = strawberry.field(description="锁定时间")

    @strawberry.field(description="按报表格式排列的各行（行次、项目、单位、各列数值）")
    def lines(self, info: strawberry.Info) -> list[RegulatoryReportLine]:
        form = page_related(info, PAGE_ROWS, "forms", _forms, self.row, "form_id")
        out = []
        for r in form.rows:
            values = self.row.cells.get(r["code"]) or {}
            out.append(RegulatoryReportLine(code=r["code"], label=r["label"], unit=r["unit"],
                                            values=[None if values.get(c["key"]) is None else str(values[c["key"]])
                                                    for c in form.columns]))
        return out

    @classmethod
    def of(cls, r: ReportRow) -> RegulatoryReport:
        return cls(id=str(r.id), row=r, form_code=r.form_code, form_version=r.form_version, period=r.period,
                   period_label=periods.parse(r.period).label, as_of=r.as_of, version=r.version, status=r.status,
                   status_label=REPORT_STATUSES.get(r.status, r.status), due_date=r.due_date, cells=r.cells,
                   filled_at=r.filled_at, reviewed_at=r.reviewed_at, locked_at=r.locked_at)

    @classmethod
    def resolve_nodes(cls, *, info, node_ids, required=False):
        nodes = load_nodes(info, ReportRow, cls.of, node_ids, f"{REPORT}:read")
        remember_page(info, PAGE_ROWS, (n.row for n in nodes if n is not None))
        return nodes


@strawberry.type(description="报送期限：某报表最近一个已结束报告期的截止日与填报状态。")
class RegulatoryReportDueDate:
    form_code: str = strawberry.field(description="报表代码")
    form_name: str = strawberry.field(description="报表名称")
    period: str = strawberry.field(description="报告期")
    period_label: str = strawberry.field(description="报告期的中文名称")
    due_date: dt.date = strawberry.field(description="报送截止日（按所在省份的规则）")
    report_status: str | None = strawberry.field(description=f"该期最新报表的状态（未填报为空）：{_STATUSES}")
    overdue: bool = strawberry.field(description="已过截止日且未锁定")


@strawberry.type(description="报表文件：内容为 base64。")
class RegulatoryFile:
    filename: str = strawberry.field(description="文件名")
    content_type: str = strawberry.field(description="文件类型（MIME）")
    size: int = strawberry.field(description="文件大小（字节）")
    content_base64: str = strawberry.field(description="文件内容（base64）")

    @classmethod
    def of(cls, filename: str, content_type: str, data: bytes) -> RegulatoryFile:
        return cls(filename=filename, content_type=content_type, size=len(data),
                   content_base64=base64.b64encode(data).decode("ascii"))


@strawberry.input(description="报表列表的筛选条件（均可不填）。")
class RegulatoryReportFilterInput:
    period: str | None = strawberry.field(default=None, description="报告期，如 2026M11、2026Q3")
    status: str | None = strawberry.field(default=None, description=f"状态：{_STATUSES}")
    form_code: str | None = strawberry.field(default=None, description="报表代码")


@strawberry.input(description="保存报表格式的新版本：只改给出的项（行、列整体替换）。")
class RegulatoryFormNewVersionInput:
    code: str = strawberry.field(description="报表代码")
    name: str | None = strawberry.field(default=None, description="报表名称")
    rows: JSON | None = strawberry.field(default=None, description="行（见 RegulatoryForm.rows）")
    columns: JSON | None = strawberry.field(default=None, description="列（见 RegulatoryForm.columns）")


@strawberry.input(description="填报（或重新填报草稿）。")
class RegulatoryReportFillInput:
    form_code: str = strawberry.field(description="报表代码，如 monthly_main")
    period: str = strawberry.field(description="报告期，如 2026M11 或 2026Q3")


@strawberry.type(description="报表格式操作的结果。")
class RegulatoryFormPayload:
    form: RegulatoryForm | None = strawberry.field(default=None, description="报表格式（出错时为空）")
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="报表操作的结果。")
class RegulatoryReportPayload:
    report: RegulatoryReport | None = strawberry.field(default=None, description="报表（出错时为空）")
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="报表导出的结果。")
class RegulatoryFilePayload:
    file: RegulatoryFile | None = strawberry.field(default=None, description="文件（出错时为空）")
    errors: list[UserError] = strawberry.field(default_factory=list)


def _rid(value) -> object:
    return decode_node_id(value, "RegulatoryReport")


def _report(info, run) -> RegulatoryReportPayload:
    return run_mutation(info, RegulatoryReportPayload,
                        lambda: RegulatoryReportPayload(report=RegulatoryReport.of(run())))


@strawberry.type
class RegulatoryFormsQuery:
    @strawberry.field(description="监管报表格式（各报表的当前版本，按代码排序；首次读取时写入内置报表；"
                                  "需 regulatory:form:read）。")
    def regulatory_forms(self, info: strawberry.Info) -> list[RegulatoryForm]:
        return [RegulatoryForm.of(f) for f in services.list_forms(info.context.session, actor(info))]

    @strawberry.field(description="某报表格式的全部版本，新版本在前（需 regulatory:form:read）。")
    def regulatory_form_versions(self, info: strawberry.Info, code: str) -> list[RegulatoryForm]:
        return [RegulatoryForm.of(f) for f in services.form_versions(info.context.session, actor(info), code)]

    @strawberry.field(description="监管报表列表，报告期新的在前，可按报告期、状态、报表代码筛选，键集分页"
                                  "（需 regulatory:report:read）。")
    def regulatory_reports(self, info: strawberry.Info, first: int | None = None, after: str | None = None,
                           filter: RegulatoryReportFilterInput | None = None) -> Connection[RegulatoryReport]:
        f = filter or RegulatoryReportFilterInput()
        s = info.context.session
        stmt = services.search_statement(s, actor(info), services.ReportFilter(period=f.period, status=f.status,
                                                                               form_code=f.form_code))
        page = paginate(info, s, stmt, order=list(services.ORDER), to_node=RegulatoryReport.of, first=first,
                        after=after, descending=True)
        remember_page(info, PAGE_ROWS, (edge.node.row for edge in page.edges))
        return page

    @strawberry.field(description="报送期限：各报表最近一个已结束报告期的截止日与填报状态（asOf 默认今天；"
                                  "需 regulatory:report:read）。")
    def regulatory_report_due_dates(self, info: strawberry.Info,
                                    as_of: dt.date | None = None) -> list[RegulatoryReportDueDate]:
        s = info.context.session
        require(s, actor(info), REPORT, "read")
        services.ensure_defaults(s)
        day = as_of or business_today()
        return [RegulatoryReportDueDate(form_code=form.code, form_name=form.name, period=p.key, period_label=p.label,
                                        due_date=due, report_status=report.status if report else None,
                                        overdue=day > due and (report is None
                                                               or report.status not in ("locked", "superseded")))
                for form, p, due, report in duedates.schedule(s, day)]


@strawberry.type
class RegulatoryFormsMutation:
    @strawberry.mutation(description="保存报表格式的新版本（需 regulatory:form:manage；已填报表保留原版本）。")
    def regulatory_form_new_version(self, info: strawberry.Info,
                                    input: RegulatoryFormNewVersionInput) -> RegulatoryFormPayload:
        data = {k: getattr(input, k) for k in ("name", "rows", "columns") if getattr(input, k) is not None}
        return run_mutation(info, RegulatoryFormPayload, lambda: RegulatoryFormPayload(form=RegulatoryForm.of(
            services.new_form_version(info.context.session, actor(info), input.code, data))))

    @strawberry.mutation(description="填报报表：新建草稿，或按最新数据重新填报草稿（需 regulatory:report:manage）。")
    def regulatory_report_fill(self, info: strawberry.Info,
                               input: RegulatoryReportFillInput) -> RegulatoryReportPayload:
        return _report(info, lambda: services.fill(info.context.session, actor(info), input.form_code, input.period))

    @strawberry.mutation(description="复核报表：草稿 -> 已复核（需 regulatory:report:review；填报人不能复核）。")
    def regulatory_report_review(self, info: strawberry.Info, id: strawberry.ID) -> RegulatoryReportPayload:
        return _report(info, lambda: services.review(info.context.session, actor(info), _rid(id)))

    @strawberry.mutation(description="锁定报表：已复核 -> 已锁定，此后数值永不改变（需 regulatory:report:lock）。")
    def regulatory_report_lock(self, info: strawberry.Info, id: strawberry.ID) -> RegulatoryReportPayload:
        return _report(info, lambda: services.lock(info.context.session, actor(info), _rid(id)))

    @strawberry.mutation(description="更正已锁定的报表：按最新数据生成该期的新版本草稿；新版本锁定后原版本为"
                                     "“已被更正”（需 regulatory:report:manage）。")
    def regulatory_report_correct(self, info: strawberry.Info, id: strawberry.ID) -> RegulatoryReportPayload:
        return _report(info, lambda: services.correct(info.context.session, actor(info), _rid(id)))

    @strawberry.mutation(description="导出报表为 Excel（.xlsx，按报表格式排版；需 regulatory:report:read；留痕）。")
    def regulatory_report_export(self, info: strawberry.Info, id: strawberry.ID) -> RegulatoryFilePayload:
        def run():
            f = export.to_xlsx(info.context.session, actor(info), _rid(id))
            return RegulatoryFilePayload(file=RegulatoryFile.of(f.filename, f.content_type, f.data))
        return run_mutation(info, RegulatoryFilePayload, run)


QUERIES: tuple = (RegulatoryFormsQuery,)
MUTATIONS: tuple = (RegulatoryFormsMutation,)
TYPES: tuple = (RegulatoryForm, RegulatoryReport)
