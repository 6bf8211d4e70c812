"""GraphQL of filings: thin resolvers over ``filing.services`` and ``filing.importer`` (root fields
``reguaranteeFilings``, ``reguaranteeFilingCheck``, ``reguaranteeFilingTemplate``, ``reguaranteeLineUsage``,
``reguaranteeFilingFileOne``, ``reguaranteeFilingImport``, ``reguaranteeFilingConfirm``, ``reguaranteeFilingReject``,
``reguaranteeFilingRelease``). A filing's agreement, partner, programme and batch are read once per request for all
the filings shown (loaders)."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from decimal import Decimal

import strawberry
from sqlalchemy import select
from strawberry import relay
from strawberry.scalars import JSON

from surety.core.crypto.masking import mask
from surety.core.errors import ValidationFailed
from surety.graphql.auth import actor, allowed, decode_node_id, require
from surety.graphql.errors import UserError, run_mutation
from surety.graphql.loaders import load
from surety.graphql.nodes import load_nodes
from surety.graphql.pagination import Connection, paginate
from surety.plugins.reguarantee.agreement.graphql import (
    ReguaranteeAgreement,
    ReguaranteeProgramme,
    _partners,
    _programmes,
)
from surety.plugins.reguarantee.agreement.models import ReguaranteeAgreement as AgreementRow
from surety.plugins.reguarantee.agreement.permissions import AGREEMENT
from surety.plugins.reguarantee.conventions import CUSTOMER_KINDS, FILING_SOURCES, FILING_STATUSES, RELEASE_KINDS
from surety.plugins.reguarantee.filing import importer, services
from surety.plugins.reguarantee.filing.models import ReguaranteeFiling as FilingRow
from surety.plugins.reguarantee.filing.models import ReguaranteeFilingBatch as BatchRow
from surety.plugins.reguarantee.filing.permissions import FILING
from surety.plugins.reguarantee.partner.graphql import ReguaranteePartner
from surety.plugins.reguarantee.partner.permissions import PARTNER

_STATUSES = "，".join(f"{k}（{v}）" for k, v in FILING_STATUSES.items())
_KINDS = "，".join(f"{k}（{v}）" for k, v in CUSTOMER_KINDS.items())
_RELEASES = "，".join(f"{k}（{v[0]}）" for k, v in RELEASE_KINDS.items())
#: Keyset order of the filings list: newest first by creation, then id.
ORDER = (FilingRow.created_at, FilingRow.id)
#: Largest workbook accepted as base64 text (the importer's limit on the decoded file applies too).
MAX_BASE64 = importer.MAX_BYTES * 4 // 3 + 4
TEMPLATE_NAME = "再担保备案导入模板.xlsx"


def _agreements(ctx, ids) -> dict:
    return {r.id: ReguaranteeAgreement.of(r) for r in ctx.session.scalars(select(AgreementRow)
                                                                          .where(AgreementRow.id.in_(list(ids))))}


def _batches(ctx, ids) -> dict:
    return {r.id: ReguaranteeFilingBatch.of(r) for r in ctx.session.scalars(select(BatchRow)
                                                                            .where(BatchRow.id.in_(list(ids))))}


@strawberry.type(description="批量备案（一次导入或机构通道的一批）：全部通过才会生成。")
class ReguaranteeFilingBatch(relay.Node):
    id: relay.NodeID[str]
    batch_no: str = strawberry.field(description="批次编号")
    source: str = strawberry.field(description="来源：" + "，".join(f"{k}（{v}）" for k, v in FILING_SOURCES.items()))
    file_name: str = strawberry.field(description="导入文件名")
    row_count: int = strawberry.field(description="行数（即备案笔数）")
    total_amount: Decimal = strawberry.field(description="担保金额合计（元）")
    report: JSON = strawberry.field(description="逐行报告：[{row, projectRef, filingNo, reasons, warnings, columns}]")
    created_at: dt.datetime = strawberry.field(description="导入时间（UTC）")

    @classmethod
    def of(cls, b: BatchRow) -> ReguaranteeFilingBatch:
        return cls(id=str(b.id), batch_no=b.batch_no, source=b.source, file_name=b.file_name,
                   row_count=b.row_count, total_amount=b.total_amount, report=b.report or [],
                   created_at=b.created_at)

    @classmethod
    def resolve_nodes(cls, *, info, node_ids, required=False):
        return load_nodes(info, BatchRow, cls.of, node_ids, f"{FILING}:read")


@strawberry.type(description="再担保备案：合作机构的一笔担保业务，含分险金额与再担保费。")
class ReguaranteeFiling(relay.Node):
    id: relay.NodeID[str]
    row: strawberry.Private[FilingRow]
    filing_no: str = strawberry.field(description="备案编号")
    project_ref: str = strawberry.field(description="合作机构的项目编号")
    loan_contract_no: str = strawberry.field(description="借款合同号")
    customer_name: str = strawberry.field(description="客户名称")
    customer_kind: str = strawberry.field(description=f"客户类型：{_KINDS}")
    customer_kind_label: str = strawberry.field(description="客户类型的中文名称")
    customer_id_number_masked: str | None = strawberry.field(description="证件号码（脱敏）")
    scope: str = strawberry.field(description="服务对象（如 小微、三农）")
    region: str = strawberry.field(description="地区")
    industry: str = strawberry.field(description="行业")
    bank_name: str = strawberry.field(description="贷款银行")
    loan_amount: Decimal = strawberry.field(description="贷款金额（元）")
    guarantee_amount: Decimal = strawberry.field(description="担保金额（元）：分险的基数，占用协议额度与单户上限")
    loan_rate: Decimal | None = strawberry.field(description="贷款年利率（小数）")
    start_date: dt.date = strawberry.field(description="起始日")
    end_date: dt.date = strawberry.field(description="到期日")
    cover_ratio: Decimal = strawberry.field(description="保障比例（小数，1 为全额）")
    fields: JSON = strawberry.field(description="附加字段（准入条件读取，如 {\"debt_ratio\": \"0.65\"}）")
    share_original: Decimal = strawberry.field(description="原担保机构承担金额（元，含舍入尾差）")
    share_reguarantor: Decimal = strawberry.field(description="本公司承担金额（元）")
    share_national_fund: Decimal = strawberry.field(description="国家融资担保基金承担金额（元）")
    share_bank: Decimal = strawberry.field(description="银行承担金额（元）")
    fee_rate: Decimal = strawberry.field(description="适用再担保费年费率（小数）")
    fee_amount: Decimal = strawberry.field(description="期限内再担保费（元）")
    status: str = strawberry.field(description=f"备案状态：{_STATUSES}")
    status_label: str = strawberry.field(description="备案状态的中文名称")
    reject_reasons: list[str] = strawberry.field(description="退回原因")
    confirmed_on: dt.date | None = strawberry.field(description="确认日")
    released_on: dt.date | None = strawberry.field(description="解保日")
    release_kind: str | None = strawberry.field(description=f"解保方式：{_RELEASES}")
    created_at: dt.datetime = strawberry.field(description="备案时间（UTC）")

    @strawberry.field(description="合作协议")
    async def agreement(self, info: strawberry.Info) -> ReguaranteeAgreement | None:
        if not allowed(info, f"{AGREEMENT}:read"):
            return None
        return await load(info, "reguarantee.agreements", _agreements, self.row.agreement_id)

    @strawberry.field(description="合作机构（无 reguarantee:partner:read 时为空）")
    async def partner(self, info: strawberry.Info) -> ReguaranteePartner | None:
        if not allowed(info, f"{PARTNER}:read"):
            return None
        return await load(info, "reguarantee.partners", _partners, self.row.partner_id)

    @strawberry.field(description="业务品种")
    async def programme(self, info: strawberry.Info) -> ReguaranteeProgramme | None:
        return await load(info, "reguarantee.programmes", _programmes, self.row.programme_id)

    @strawberry.field(description="所属批次（逐笔备案时为空）")
    async def batch(self, info: strawberry.Info) -> ReguaranteeFilingBatch | None:
        if self.row.batch_id is None:
            return None
        return await load(info, "reguarantee.filing_batches", _batches, self.row.batch_id)

    @classmethod
    def of(cls, f: FilingRow) -> ReguaranteeFiling:
        return cls(id=str(f.id), row=f, filing_no=f.filing_no, project_ref=f.project_ref,
                   loan_contract_no=f.loan_contract_no, customer_name=f.customer_name,
                   customer_kind=f.customer_kind, customer_kind_label=CUSTOMER_KINDS.get(f.customer_kind, ""),
                   customer_id_number_masked=mask(f.customer_id_number, "id_number"), scope=f.scope,
                   region=f.region, industry=f.industry, bank_name=f.bank_name, loan_amount=f.loan_amount,
                   guarantee_amount=f.guarantee_amount, loan_rate=f.loan_rate, start_date=f.start_date,
                   end_date=f.end_date, cover_ratio=f.cover_ratio, fields=f.fields or {},
                   share_original=f.share_original, share_reguarantor=f.share_reguarantor,
                   share_national_fund=f.share_national_fund, share_bank=f.share_bank, fee_rate=f.fee_rate,
                   fee_amount=f.fee_amount, status=f.status, status_label=FILING_STATUSES.get(f.status, f.status),
                   reject_reasons=list(f.reject_reasons or []), confirmed_on=f.confirmed_on,
                   released_on=f.released_on, release_kind=f.release_kind, created_at=f.created_at)

    @classmethod
    def resolve_nodes(cls, *, info, node_ids, required=False):
        return load_nodes(info, FilingRow, cls.of, node_ids, f"{FILING}:read")


@strawberry.type(description="批量备案报告中的一行。")
class ReguaranteeFilingReportRow:
    row: int = strawberry.field(description="行号（导入时为表格中的行号，首个数据行为 2）")
    project_ref: str = strawberry.field(description="项目编号")
    filing_no: str | None = strawberry.field(description="备案编号（未写入时为空：有行未通过或为试导入）")
    reasons: list[str] = strawberry.field(description="未通过的原因（空即本行通过）")
    warnings: list[str] = strawberry.field(description="提示（不影响备案），如同一客户借款合同已由其他机构备案")
    columns: list[str] = strawberry.field(description="有问题的列（表头名称）")

    @classmethod
    def of(cls, x: services.RowReport) -> ReguaranteeFilingReportRow:
        return cls(row=x.row, project_ref=x.project_ref, filing_no=x.filing_no, reasons=x.errors(),
                   warnings=x.warnings(), columns=x.columns())


@strawberry.type(description="批量备案的结果：全部通过才写入；有任一行未通过则一笔都不写入，逐行说明原因。")
class ReguaranteeFilingBatchReport:
    ok: bool = strawberry.field(description="是否全部通过")
    dry_run: bool = strawberry.field(description="是否为试导入（只检查，不写入）")
    written: bool = strawberry.field(description="是否已写入")
    batch: ReguaranteeFilingBatch | None = strawberry.field(description="批次（已写入时）")
    row_count: int = strawberry.field(description="行数")
    refused_count: int = strawberry.field(description="未通过的行数")
    total_amount: Decimal = strawberry.field(description="担保金额合计（元）")
    rows: list[ReguaranteeFilingReportRow] = strawberry.field(description="逐行报告")

    @classmethod
    def of(cls, r: services.BatchResult) -> ReguaranteeFilingBatchReport:
        rows = [ReguaranteeFilingReportRow.of(x) for x in r.rows]
        return cls(ok=r.ok, dry_run=r.dry_run, written=r.batch is not None,
                   batch=ReguaranteeFilingBatch.of(r.batch) if r.batch is not None else None,
                   row_count=len(r.rows), refused_count=len(r.refused), total_amount=r.total_amount, rows=rows)


@strawberry.type(description="协议额度使用情况（在保与待确认的备案占用额度）。")
class ReguaranteeLineUsage:
    agreement_id: strawberry.ID = strawberry.field(description="协议 id")
    line: Decimal = strawberry.field(description="合作额度（元）")
    used: Decimal = strawberry.field(description="已用（元）：待确认与在保备案的担保金额合计")
    available: Decimal = strawberry.field(description="可用（元）")


@strawberry.type(description="文件（内容为 base64）。")
class ReguaranteeFile:
    file_name: str = strawberry.field(description="文件名")
    content_base64: str = strawberry.field(description="文件内容（base64）")


@strawberry.input(description="一笔备案。金额为元，利率与比例为小数，日期为 YYYY-MM-DD。")
class ReguaranteeFilingInput:
    project_ref: str = strawberry.field(description="项目编号（同一合作机构在保或待确认的不可重复）")
    loan_contract_no: str = strawberry.field(default="", description="借款合同号")
    customer_name: str = strawberry.field(description="客户名称")
    customer_kind: str = strawberry.field(description=f"客户类型：{_KINDS}（也可填中文名称）")
    customer_id_number: str = strawberry.field(description="证件号码：企业、个体工商户为统一社会信用代码，"
                                                           "农户、自然人为居民身份证号码")
    scope: str = strawberry.field(default="", description="服务对象（如 小微、三农）")
    region: str = strawberry.field(default="", description="地区")
    industry: str = strawberry.field(default="", description="行业")
    bank_name: str = strawberry.field(default="", description="贷款银行")
    loan_amount: Decimal = strawberry.field(description="贷款金额（元）")
    guarantee_amount: Decimal = strawberry.field(description="担保金额（元，不超过贷款金额）")
    loan_rate: Decimal | None = strawberry.field(default=None, description="贷款年利率（小数）")
    start_date: dt.date = strawberry.field(description="起始日（须在协议有效期内）")
    end_date: dt.date = strawberry.field(description="到期日（晚于起始日）")
    cover_ratio: Decimal = strawberry.field(default=Decimal(1), description="保障比例（0 至 1，不含 0）")
    fields: JSON | None = strawberry.field(default=None, description="附加字段，如 {\"debt_ratio\": \"0.65\"}")

    def data(self) -> dict:
        return {name: getattr(self, name) for name in services.LABELS} | {"fields": self.fields or {}}


@strawberry.type(description="逐笔备案的结果。")
class ReguaranteeFilingPayload:
    filing: ReguaranteeFiling | None = strawberry.field(default=None, description="备案（出错时为空）")
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="批量导入的结果：报告（文件不可读时为空，见 errors）。")
class ReguaranteeFilingImportPayload:
    report: ReguaranteeFilingBatchReport | None = strawberry.field(default=None, description="逐行报告")
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input(description="备案列表的筛选条件（均可不填）。")
class ReguaranteeFilingFilterInput:
    partner_id: strawberry.ID | None = strawberry.field(default=None, description="合作机构 id")
    agreement_id: strawberry.ID | None = strawberry.field(default=None, description="协议 id")
    programme_id: strawberry.ID | None = strawberry.field(default=None, description="业务品种 id")
    batch_id: strawberry.ID | None = strawberry.field(default=None, description="批次 id")
    status: str | None = strawberry.field(default=None, description=f"备案状态：{_STATUSES}")


def _filing_mutation(info, run) -> ReguaranteeFilingPayload:
    return run_mutation(info, ReguaranteeFilingPayload, lambda: ReguaranteeFilingPayload(
        filing=ReguaranteeFiling.of(run())))


def _fid(value) -> object:
    return decode_node_id(value, "ReguaranteeFiling", field="id")


def _content(value: str) -> bytes:
    if len(value) > MAX_BASE64:
        raise ValidationFailed("The file is larger than {most} MB.", field="file",
                               most=importer.MAX_BYTES // (1024 * 1024))
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise ValidationFailed("The file is not a readable .xlsx workbook; download the template and fill it in.",
                               field="file") from None


@strawberry.type
class ReguaranteeFilingQuery:
    @strawberry.field(description="再担保备案列表，按备案时间倒序，可按合作机构、协议、业务品种、批次、状态筛选，"
                                  "键集分页（需 reguarantee:filing:read）。")
    def reguarantee_filings(self, info: strawberry.Info, first: int | None = None, after: str | None = None,
                            filter: ReguaranteeFilingFilterInput | None = None) -> Connection[ReguaranteeFiling]:
        f = filter or ReguaranteeFilingFilterInput()

        def gid(value, type_name, field):
            return decode_node_id(value, type_name, field=field) if value else None

        ff = services.FilingFilter(partner_id=gid(f.partner_id, "ReguaranteePartner", "partnerId"),
                                   agreement_id=gid(f.agreement_id, "ReguaranteeAgreement", "agreementId"),
                                   programme_id=gid(f.programme_id, "ReguaranteeProgramme", "programmeId"),
                                   batch_id=gid(f.batch_id, "ReguaranteeFilingBatch", "batchId"), status=f.status)
        s = info.context.session
        return paginate(info, s, services.search_statement(s, actor(info), ff), order=list(ORDER),
                        to_node=ReguaranteeFiling.of, first=first, after=after, descending=True)

    @strawberry.field(description="备案前检查一笔（不保存；需 reguarantee:filing:manage）：与逐笔备案相同的检查，"
                                  "返回原因与提示（如同一客户借款合同已由其他机构备案）。")
    def reguarantee_filing_check(self, info: strawberry.Info, agreement_id: strawberry.ID,
                                 input: ReguaranteeFilingInput) -> ReguaranteeFilingReportRow:
        result = services.check_batch(info.context.session, actor(info),
                                      decode_node_id(agreement_id, "ReguaranteeAgreement", field="agreementId"),
                                      [input.data()])
        return ReguaranteeFilingReportRow.of(result.rows[0])

    @strawberry.field(description="批量备案导入模板（.xlsx：表头与一行示例；需 reguarantee:filing:read）。")
    def reguarantee_filing_template(self, info: strawberry.Info) -> ReguaranteeFile:
        require(info, f"{FILING}:read")
        return ReguaranteeFile(file_name=TEMPLATE_NAME, content_base64=base64.b64encode(importer.template()).decode())

    @strawberry.field(description="协议额度使用情况：额度、已用（待确认与在保备案）、可用"
                                  "（需 reguarantee:filing:read）。")
    def reguarantee_line_usage(self, info: strawberry.Info,
                               agreement_ids: list[strawberry.ID]) -> list[ReguaranteeLineUsage]:
        ids = [decode_node_id(a, "ReguaranteeAgreement", field="agreementIds") for a in agreement_ids]
        found = services.line_usage(info.context.session, actor(info), ids)
        return [ReguaranteeLineUsage(agreement_id=relay.to_base64("ReguaranteeAgreement", str(u.agreement_id)),
                                     line=u.line, used=u.used, available=u.available)
                for u in (found[i] for i in ids if i in found)]


@strawberry.type
class ReguaranteeFilingMutation:
    @strawberry.mutation(description="逐笔备案（需 reguarantee:filing:manage）：逐项检查，"
                                     "未通过时 errors 列出全部原因。")
    def reguarantee_filing_file_one(self, info: strawberry.Info, agreement_id: strawberry.ID,
                                    input: ReguaranteeFilingInput) -> ReguaranteeFilingPayload:
        return _filing_mutation(info, lambda: services.file_one(
            info.context.session, actor(info), decode_node_id(agreement_id, "ReguaranteeAgreement",
                                                              field="agreementId"), input.data()))

    @strawberry.mutation(description="批量导入备案（.xlsx 内容为 base64；需 reguarantee:filing:manage）："
                                     "全部通过才写入，逐行报告；dryRun 为 true 时只检查不写入。")
    def reguarantee_filing_import(self, info: strawberry.Info, agreement_id: strawberry.ID, content_base64: str,
                                  file_name: str = "", dry_run: bool = False) -> ReguaranteeFilingImportPayload:
        def run() -> ReguaranteeFilingImportPayload:
            result = importer.import_workbook(
                info.context.session, actor(info), decode_node_id(agreement_id, "ReguaranteeAgreement",
                                                                  field="agreementId"),
                _content(content_base64), file_name=file_name, dry_run=dry_run)
            return ReguaranteeFilingImportPayload(report=ReguaranteeFilingBatchReport.of(result))

        return run_mutation(info, ReguaranteeFilingImportPayload, run)

    @strawberry.mutation(description="确认备案：待确认 -> 在保（需 reguarantee:filing:confirm；"
                                     "须由备案人以外的人确认）。")
    def reguarantee_filing_confirm(self, info: strawberry.Info, id: strawberry.ID) -> ReguaranteeFilingPayload:
        return _filing_mutation(info, lambda: services.confirm_filing(info.context.session, actor(info), _fid(id)))

    @strawberry.mutation(description="退回备案并说明原因（需 reguarantee:filing:confirm；须由备案人以外的人退回）。")
    def reguarantee_filing_reject(self, info: strawberry.Info, id: strawberry.ID,
                                  reasons: list[str]) -> ReguaranteeFilingPayload:
        return _filing_mutation(info, lambda: services.reject_filing(info.context.session, actor(info), _fid(id),
                                                                     reasons))

    @strawberry.mutation(description=f"解保（需 reguarantee:filing:manage）：在保 -> 已解保或代偿解保；"
                                     f"kind：{_RELEASES}；解保日不早于起始日、不晚于今天。")
    def reguarantee_filing_release(self, info: strawberry.Info, id: strawberry.ID, kind: str,
                                   on: dt.date) -> ReguaranteeFilingPayload:
        return _filing_mutation(info, lambda: services.release_filing(info.context.session, actor(info), _fid(id),
                                                                      kind=kind, on=on))


QUERIES: tuple = (ReguaranteeFilingQuery,)
MUTATIONS: tuple = (ReguaranteeFilingMutation,)
TYPES: tuple = (ReguaranteeFiling, ReguaranteeFilingBatch)
