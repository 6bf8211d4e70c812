"""GraphQL of the re-guarantee fee bills: thin resolvers over ``filing.fees`` (root fields ``reguaranteeFeeBills``,
``reguaranteeFeeBillPeriod``, ``reguaranteeFeeBillMarkPaid``, ``reguaranteeFeeBillExport``). The partner and the lines
of a page of bills load with one query each (graphql/loaders.page_related)."""

from __future__ import annotations

import base64
import datetime as dt
from decimal import Decimal

import strawberry
from sqlalchemy import and_, select
from strawberry import relay

from surety.graphql.auth import actor, allowed, decode_node_id
from surety.graphql.errors import UserError, run_mutation
from surety.graphql.loaders import page_related, remember_page
from surety.graphql.nodes import global_id, load_nodes
from surety.graphql.pagination import Connection, paginate
from surety.plugins.reguarantee.conventions import FEE_BILL_STATUSES
from surety.plugins.reguarantee.filing import fees
from surety.plugins.reguarantee.filing.fee_permissions import FEE
from surety.plugins.reguarantee.filing.models import ReguaranteeFeeBill as BillRow
from surety.plugins.reguarantee.filing.models import ReguaranteeFeeBillLine as LineRow
from surety.plugins.reguarantee.filing.models import ReguaranteeFiling as FilingRow
from surety.plugins.reguarantee.partner.graphql import ReguaranteePartner
from surety.plugins.reguarantee.partner.permissions import PARTNER

_STATUSES = "，".join(f"{k}（{v}）" for k, v in FEE_BILL_STATUSES.items())
#: The bills the request listed, whose partner and lines load together.
PAGE_ROWS = "reguarantee.fee_bills.page_rows"


@strawberry.type(description="再担保费账单的一行：一笔备案在账单期间内的在保天数与再担保费。")
class ReguaranteeFeeBillLine:
    filing_id: strawberry.ID = strawberry.field(description="备案 id")
    filing_no: str = strawberry.field(description="备案编号")
    project_ref: str = strawberry.field(description="合作机构的项目编号")
    customer_name: str = strawberry.field(description="客户名称")
    guarantee_amount: Decimal = strawberry.field(description="担保金额（元）")
    days: int = strawberry.field(description="期间内在保天数（起始日计、到期日与解保日不计）")
    share: Decimal = strawberry.field(description="本公司承担金额（元）")
    rate: Decimal = strawberry.field(description="年费率（小数）")
    amount: Decimal = strawberry.field(description="再担保费（元，按累计在保天数四舍五入到分后相减）")


def _lines(session, bills) -> dict:
    ids = [b.id for b in bills]
    found: dict = {i: [] for i in ids}
    line, f = LineRow, FilingRow
    rows = session.execute(
        select(line, f.filing_no, f.project_ref, f.customer_name, f.guarantee_amount)
        .join(f, and_(f.tenant_id == line.tenant_id, f.id == line.filing_id))
        .where(line.bill_id.in_(ids)).order_by(f.filing_no))
    for x, filing_no, project_ref, customer_name, guarantee_amount in rows:
        found[x.bill_id].append(ReguaranteeFeeBillLine(
            filing_id=global_id("ReguaranteeFiling", x.filing_id), filing_no=filing_no, project_ref=project_ref,
            customer_name=customer_name, guarantee_amount=guarantee_amount, days=x.days, share=x.share,
            rate=x.rate, amount=x.amount))
    return found


def _partners(session, bills) -> dict:
    return {i: ReguaranteePartner.of(p) for i, p in fees.partners_of(session, [b.partner_id for b in bills]).items()}


@strawberry.type(description="再担保费账单：一家合作机构一个期间的再担保费。")
class ReguaranteeFeeBill(relay.Node):
    id: relay.NodeID[str]
    row: strawberry.Private[BillRow]
    bill_no: str = strawberry.field(description="账单编号")
    period: str = strawberry.field(description="账单期间：2026Q3（季度）或 2026M07（月度）")
    period_start: dt.date = strawberry.field(description="期间起")
    period_end: dt.date = strawberry.field(description="期间止（含当日）")
    amount: Decimal = strawberry.field(description="账单金额（元）")
    line_count: int = strawberry.field(description="明细笔数")
    status: str = strawberry.field(description=f"账单状态：{_STATUSES}")
    status_label: str = strawberry.field(description="账单状态的中文名称")
    paid_on: dt.date | None = strawberry.field(description="收款日期")

    @strawberry.field(description="合作机构（无 reguarantee:partner:read 时为空）")
    def partner(self, info: strawberry.Info) -> ReguaranteePartner | None:
        if not allowed(info, f"{PARTNER}:read"):
            return None
        return page_related(info, PAGE_ROWS, "partners", _partners, self.row, "partner_id")

    @strawberry.field(description="账单明细，按备案编号排序")
    def lines(self, info: strawberry.Info) -> list[ReguaranteeFeeBillLine]:
        return page_related(info, PAGE_ROWS, "lines", _lines, self.row, "id") or []

    @classmethod
    def of(cls, b: BillRow) -> ReguaranteeFeeBill:
        return cls(id=str(b.id), row=b, bill_no=b.bill_no, period=b.period, period_start=b.period_start,
                   period_end=b.period_end, amount=b.amount, line_count=b.line_count, status=b.status,
                   status_label=FEE_BILL_STATUSES.get(b.status, b.status), paid_on=b.paid_on)

    @classmethod
    def resolve_nodes(cls, *, info, node_ids, required=False):
        rows = load_nodes(info, BillRow, lambda r: r, node_ids, f"{FEE}:read")
        remember_page(info, PAGE_ROWS, rows)
        return [None if r is None else cls.of(r) for r in rows]


@strawberry.type(description="再担保费账单文件（.xlsx）：内容为 base64。")
class ReguaranteeFeeBillFile:
    filename: str = strawberry.field(description="文件名")
    content_type: str = strawberry.field(description="文件类型（MIME）")
    size: int = strawberry.field(description="文件大小（字节）")
    content_base64: str = strawberry.field(description="文件内容（base64）")

    @classmethod
    def of(cls, f: fees.BillFile) -> ReguaranteeFeeBillFile:
        return cls(filename=f.filename, content_type=f.content_type, size=len(f.data),
                   content_base64=base64.b64encode(f.data).decode("ascii"))


@strawberry.input(description="账单列表的筛选条件（均可不填）。")
class ReguaranteeFeeBillFilterInput:
    partner_id: strawberry.ID | None = strawberry.field(default=None, description="合作机构 id")
    period: str | None = strawberry.field(default=None, description="账单期间，如 2026Q3 或 2026M07")
    status: str | None = strawberry.field(default=None, description=f"账单状态：{_STATUSES}")


@strawberry.input(description="按期间出具再担保费账单。")
class ReguaranteeFeeBillPeriodInput:
    period: str | None = strawberry.field(default=None, description="账单期间（须为租户设置的季度或月度，且已结束）；"
                                                                   "不填为最近一个已结束的期间")


@strawberry.input(description="登记账单已收款。")
class ReguaranteeFeeBillMarkPaidInput:
    id: strawberry.ID = strawberry.field(description="账单 id")
    paid_on: dt.date | None = strawberry.field(default=None, description="收款日期（默认今天，须在期间结束之后）")


@strawberry.type(description="出具账单的结果。")
class ReguaranteeFeeBillPeriodPayload:
    period: str | None = strawberry.field(default=None, description="出具的期间")
    bills: list[ReguaranteeFeeBill] = strawberry.field(default_factory=list,
                                                       description="本次新出具或追加明细的账单")
    lines_added: int = strawberry.field(default=0, description="本次新增明细笔数（重复出具同一期间不会重复计费）")
    amount_added: Decimal = strawberry.field(default=Decimal("0.00"), description="本次新增金额（元）")
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="账单操作的结果：成功时为账单，否则为 errors。")
class ReguaranteeFeeBillPayload:
    bill: ReguaranteeFeeBill | None = strawberry.field(default=None, description="账单（出错时为空）")
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="账单导出的结果。")
class ReguaranteeFeeBillExportPayload:
    file: ReguaranteeFeeBillFile | None = strawberry.field(default=None, description="文件（出错时为空）")
    errors: list[UserError] = strawberry.field(default_factory=list)


def _bid(value) -> object:
    return decode_node_id(value, "ReguaranteeFeeBill", field="id")


@strawberry.type
class ReguaranteeFeeQuery:
    @strawberry.field(description="再担保费账单列表，期间倒序，可按合作机构、期间、状态筛选，键集分页"
                                  "（需 reguarantee:fee:read）。")
    def reguarantee_fee_bills(self, info: strawberry.Info, first: int | None = None, after: str | None = None,
                              filter: ReguaranteeFeeBillFilterInput | None = None) -> Connection[ReguaranteeFeeBill]:
        f = filter or ReguaranteeFeeBillFilterInput()
        bf = fees.FeeBillFilter(
            partner_id=decode_node_id(f.partner_id, "ReguaranteePartner", field="partnerId") if f.partner_id else None,
            period=f.period, status=f.status)
        s = info.context.session
        page = paginate(info, s, fees.search_statement(s, actor(info), bf), order=list(fees.ORDER),
                        to_node=ReguaranteeFeeBill.of, first=first, after=after, descending=True)
        remember_page(info, PAGE_ROWS, (edge.node.row for edge in page.edges))
        return page


@strawberry.type
class ReguaranteeFeeMutation:
    @strawberry.mutation(description="按期间出具再担保费账单（需 reguarantee:fee:manage）：每笔期间内在保的已确认备案"
                                     "一行，每家合作机构一张账单；同一期间重复出具不会重复计费。")
    def reguarantee_fee_bill_period(self, info: strawberry.Info,
                                    input: ReguaranteeFeeBillPeriodInput) -> ReguaranteeFeeBillPeriodPayload:
        def run() -> ReguaranteeFeeBillPeriodPayload:
            done = fees.bill_period(info.context.session, actor(info), input.period)
            remember_page(info, PAGE_ROWS, done.bills)
            return ReguaranteeFeeBillPeriodPayload(period=done.period.code,
                                                   bills=[ReguaranteeFeeBill.of(b) for b in done.bills],
                                                   lines_added=done.lines_added, amount_added=done.amount_added)
        return run_mutation(info, ReguaranteeFeeBillPeriodPayload, run)

    @strawberry.mutation(description="登记再担保费账单已收款（需 reguarantee:fee:receive）。")
    def reguarantee_fee_bill_mark_paid(self, info: strawberry.Info,
                                       input: ReguaranteeFeeBillMarkPaidInput) -> ReguaranteeFeeBillPayload:
        return run_mutation(info, ReguaranteeFeeBillPayload, lambda: ReguaranteeFeeBillPayload(
            bill=ReguaranteeFeeBill.of(fees.mark_paid(info.context.session, actor(info), _bid(input.id),
                                                      input.paid_on))))

    @strawberry.mutation(description="导出再担保费账单为 .xlsx（需 reguarantee:fee:read；记入审计日志）。")
    def reguarantee_fee_bill_export(self, info: strawberry.Info, id: strawberry.ID) -> ReguaranteeFeeBillExportPayload:
        return run_mutation(info, ReguaranteeFeeBillExportPayload, lambda: ReguaranteeFeeBillExportPayload(
            file=ReguaranteeFeeBillFile.of(fees.export_bill(info.context.session, actor(info), _bid(id)))))


QUERIES: tuple = (ReguaranteeFeeQuery,)
MUTATIONS: tuple = (ReguaranteeFeeMutation,)
TYPES: tuple = (ReguaranteeFeeBill,)
