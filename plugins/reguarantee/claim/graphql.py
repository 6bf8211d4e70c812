"""GraphQL of compensation claims and recoveries: thin resolvers over ``claim.services`` and ``claim.recoveries``
(root fields ``reguaranteeClaims``, ``reguaranteeClaimSubmit``, ``reguaranteeClaimApprovedAmountSet``,
``reguaranteeClaimPay``, ``reguaranteeRecoveryReport``, ``reguaranteeRecoverySettle``). The filing, partner and
recoveries of a page of claims load with one query each (graphql/loaders.page_related)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import strawberry
from sqlalchemy import select
from strawberry import relay

from surety.graphql.auth import actor, allowed, decode_node_id
from surety.graphql.errors import UserError, run_mutation
from surety.graphql.loaders import page_related, remember_page
from surety.graphql.nodes import global_id, load_nodes
from surety.graphql.pagination import Connection, paginate
from surety.graphql.workflow_types import current_task_field
from surety.plugins.reguarantee.claim import process, recoveries, services
from surety.plugins.reguarantee.claim.models import ReguaranteeClaim as ClaimRow
from surety.plugins.reguarantee.claim.models import ReguaranteeRecovery as RecoveryRow
from surety.plugins.reguarantee.claim.permissions import CLAIM
from surety.plugins.reguarantee.conventions import CLAIM_STATUSES, FILING_STATUSES, RECOVERY_STATUSES
from surety.plugins.reguarantee.filing.models import ReguaranteeFiling as FilingRow
from surety.plugins.reguarantee.filing.permissions import FILING
from surety.plugins.reguarantee.partner.graphql import ReguaranteePartner
from surety.plugins.reguarantee.partner.models import ReguaranteePartner as PartnerRow
from surety.plugins.reguarantee.partner.permissions import PARTNER

_STATUSES = "，".join(f"{k}（{v}）" for k, v in CLAIM_STATUSES.items())
_RECOVERY_STATUSES = "，".join(f"{k}（{v}）" for k, v in RECOVERY_STATUSES.items())
#: The claims the request listed, whose filing, partner and recoveries load together.
PAGE_ROWS = "reguarantee.claims.page_rows"


@strawberry.type(description="代偿补偿申请所涉备案的概要。")
class ReguaranteeClaimFiling:
    id: strawberry.ID = strawberry.field(description="备案 id")
    filing_no: str = strawberry.field(description="备案编号")
    project_ref: str = strawberry.field(description="合作机构的项目编号")
    customer_name: str = strawberry.field(description="客户名称")
    bank_name: str = strawberry.field(description="贷款银行")
    guarantee_amount: Decimal = strawberry.field(description="担保金额（元）")
    share_reguarantor: Decimal = strawberry.field(description="本公司承担金额（元）")
    cover_ratio: Decimal = strawberry.field(description="保障比例（未偿本金的比例，小数）")
    status: str = strawberry.field(description="备案状态")
    status_label: str = strawberry.field(description="备案状态的中文名称")

    @classmethod
    def of(cls, f: FilingRow) -> ReguaranteeClaimFiling:
        return cls(id=global_id("ReguaranteeFiling", f.id), filing_no=f.filing_no, project_ref=f.project_ref,
                   customer_name=f.customer_name, bank_name=f.bank_name, guarantee_amount=f.guarantee_amount,
                   share_reguarantor=f.share_reguarantor, cover_ratio=f.cover_ratio, status=f.status,
                   status_label=FILING_STATUSES.get(f.status, f.status))


@strawberry.type(description="追偿回收：合作机构代偿后追回的款项及应返还本公司的部分。")
class ReguaranteeRecovery:
    id: strawberry.ID = strawberry.field(description="追偿回收 id")
    recovered_on: dt.date = strawberry.field(description="追回日期")
    amount: Decimal = strawberry.field(description="追回金额（元）")
    share_amount: Decimal = strawberry.field(description="应返还本公司金额（元）：按已拨付补偿款 / 未偿本金的比例，"
                                                         "累计四舍五入到分")
    status: str = strawberry.field(description=f"状态：{_RECOVERY_STATUSES}")
    status_label: str = strawberry.field(description="状态的中文名称")
    settled_on: dt.date | None = strawberry.field(description="返还日期")

    @classmethod
    def of(cls, r: RecoveryRow) -> ReguaranteeRecovery:
        return cls(id=global_id("ReguaranteeRecovery", r.id), recovered_on=r.recovered_on, amount=r.amount,
                   share_amount=r.share_amount, status=r.status,
                   status_label=RECOVERY_STATUSES.get(r.status, r.status), settled_on=r.settled_on)


def _filings(session, claims) -> dict:
    ids = list({c.filing_id for c in claims})
    return {f.id: ReguaranteeClaimFiling.of(f) for f in session.scalars(select(FilingRow)
                                                                        .where(FilingRow.id.in_(ids)))}


def _partners(session, claims) -> dict:
    ids = list({c.partner_id for c in claims})
    return {p.id: ReguaranteePartner.of(p) for p in session.scalars(select(PartnerRow)
                                                                    .where(PartnerRow.id.in_(ids)))}


def _recoveries(session, claims) -> dict:
    found = recoveries.recoveries_of(session, [c.id for c in claims])
    return {k: [ReguaranteeRecovery.of(r) for r in v] for k, v in found.items()}


@strawberry.type(description="代偿补偿申请：合作机构代偿后按分险比例申请本公司承担的部分。")
class ReguaranteeClaim(relay.Node):
    id: relay.NodeID[str]
    row: strawberry.Private[ClaimRow]
    claim_no: str = strawberry.field(description="申请编号")
    compensated_on: dt.date = strawberry.field(description="代偿日期")
    compensated_amount: Decimal = strawberry.field(description="代偿金额（元，本息）")
    unpaid_principal: Decimal = strawberry.field(description="未偿本金（元）")
    covered_base: Decimal = strawberry.field(description="保障基数（元）：未偿本金 × 保障比例，不超过代偿金额")
    claim_amount: Decimal = strawberry.field(description="申请补偿金额（元）：保障基数 × 本公司承担金额 / 担保金额")
    approved_amount: Decimal | None = strawberry.field(description="核定补偿金额（元）")
    status: str = strawberry.field(description=f"申请状态：{_STATUSES}")
    status_label: str = strawberry.field(description="申请状态的中文名称")
    paid_on: dt.date | None = strawberry.field(description="拨付日期")
    paid_amount: Decimal | None = strawberry.field(description="拨付金额（元）")
    remarks: str = strawberry.field(description="备注（驳回时含审批意见）")

    @strawberry.field(description="所涉备案（无 reguarantee:filing:read 时为空）")
    def filing(self, info: strawberry.Info) -> ReguaranteeClaimFiling | None:
        if not allowed(info, f"{FILING}:read"):
            return None
        return page_related(info, PAGE_ROWS, "filings", _filings, self.row, "filing_id")

    @strawberry.field(description="合作机构（无 reguarantee:partner:read 时为空）")
    def partner(self, info: strawberry.Info) -> ReguaranteePartner | None:
        if not allowed(info, f"{PARTNER}:read"):
            return None
        return page_related(info, PAGE_ROWS, "partners", _partners, self.row, "partner_id")

    @strawberry.field(description="追偿回收，按追回日期排序")
    def recoveries(self, info: strawberry.Info) -> list[ReguaranteeRecovery]:
        return page_related(info, PAGE_ROWS, "recoveries", _recoveries, self.row, "id") or []

    current_task = current_task_field(process.SUBJECT_TYPE, description="审批的当前待办（未在审批中为空）")

    @classmethod
    def of(cls, c: ClaimRow) -> ReguaranteeClaim:
        return cls(id=str(c.id), row=c, claim_no=c.claim_no, compensated_on=c.compensated_on,
                   compensated_amount=c.compensated_amount, unpaid_principal=c.unpaid_principal,
                   covered_base=c.covered_base, claim_amount=c.claim_amount, approved_amount=c.approved_amount,
                   status=c.status, status_label=CLAIM_STATUSES.get(c.status, c.status), paid_on=c.paid_on,
                   paid_amount=c.paid_amount, remarks=c.remarks)

    @classmethod
    def resolve_nodes(cls, *, info, node_ids, required=False):
        rows = load_nodes(info, ClaimRow, lambda r: r, node_ids, f"{CLAIM}:read")
        remember_page(info, PAGE_ROWS, rows)
        return [None if r is None else cls.of(r) for r in rows]


@strawberry.input(description="代偿补偿申请列表的筛选条件（均可不填）。")
class ReguaranteeClaimFilterInput:
    partner_id: strawberry.ID | None = strawberry.field(default=None, description="合作机构 id")
    filing_id: strawberry.ID | None = strawberry.field(default=None, description="备案 id")
    status: str | None = strawberry.field(default=None, description=f"申请状态：{_STATUSES}")


@strawberry.input(description="提交代偿补偿申请：在保的备案随之代偿解保。")
class ReguaranteeClaimSubmitInput:
    filing_id: strawberry.ID = strawberry.field(description="备案 id（在保或已代偿解保）")
    compensated_on: dt.date = strawberry.field(description="代偿日期（不早于备案起始日，不晚于今天）")
    compensated_amount: Decimal = strawberry.field(description="代偿金额（元，本息）")
    unpaid_principal: Decimal = strawberry.field(description="未偿本金（元，不超过贷款金额）")
    remarks: str = strawberry.field(default="", description="备注")


@strawberry.input(description="审批中核定补偿金额（不超过申请金额）。")
class ReguaranteeClaimApprovedAmountSetInput:
    id: strawberry.ID = strawberry.field(description="申请 id")
    amount: Decimal = strawberry.field(description="核定补偿金额（元）")


@strawberry.input(description="拨付已批准的代偿补偿款。")
class ReguaranteeClaimPayInput:
    id: strawberry.ID = strawberry.field(description="申请 id")
    paid_on: dt.date | None = strawberry.field(default=None, description="拨付日期（默认今天）")
    amount: Decimal | None = strawberry.field(default=None, description="拨付金额（元，默认核定金额，不得超过）")


@strawberry.input(description="登记已拨付申请的追偿回收。")
class ReguaranteeRecoveryReportInput:
    claim_id: strawberry.ID = strawberry.field(description="申请 id（须已拨付）")
    amount: Decimal = strawberry.field(description="追回金额（元）")
    recovered_on: dt.date | None = strawberry.field(default=None, description="追回日期（默认今天）")


@strawberry.input(description="确认合作机构已返还追偿款中本公司的部分。")
class ReguaranteeRecoverySettleInput:
    id: strawberry.ID = strawberry.field(description="追偿回收 id")
    settled_on: dt.date | None = strawberry.field(default=None, description="返还日期（默认今天）")


@strawberry.type(description="代偿补偿申请操作的结果：成功时为申请，否则为 errors。")
class ReguaranteeClaimPayload:
    claim: ReguaranteeClaim | None = strawberry.field(default=None, description="申请（出错时为空）")
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="追偿回收操作的结果：成功时为追偿回收，否则为 errors。")
class ReguaranteeRecoveryPayload:
    recovery: ReguaranteeRecovery | None = strawberry.field(default=None, description="追偿回收（出错时为空）")
    errors: list[UserError] = strawberry.field(default_factory=list)


def _cid(value, field: str = "id"):
    return decode_node_id(value, "ReguaranteeClaim", field=field)


def _claim_mutation(info, run) -> ReguaranteeClaimPayload:
    return run_mutation(info, ReguaranteeClaimPayload,
                        lambda: ReguaranteeClaimPayload(claim=ReguaranteeClaim.of(run())))


def _recovery_mutation(info, run) -> ReguaranteeRecoveryPayload:
    return run_mutation(info, ReguaranteeRecoveryPayload,
                        lambda: ReguaranteeRecoveryPayload(recovery=ReguaranteeRecovery.of(run())))


@strawberry.type
class ReguaranteeClaimQuery:
    @strawberry.field(description="代偿补偿申请列表，按提交时间倒序，可按合作机构、备案、状态筛选，键集分页"
                                  "（需 reguarantee:claim:read）。")
    def reguarantee_claims(self, info: strawberry.Info, first: int | None = None, after: str | None = None,
                           filter: ReguaranteeClaimFilterInput | None = None) -> Connection[ReguaranteeClaim]:
        f = filter or ReguaranteeClaimFilterInput()
        cf = services.ClaimFilter(
            partner_id=decode_node_id(f.partner_id, "ReguaranteePartner", field="partnerId") if f.partner_id else None,
            filing_id=decode_node_id(f.filing_id, "ReguaranteeFiling", field="filingId") if f.filing_id else None,
            status=f.status)
        s = info.context.session
        page = paginate(info, s, services.search_statement(s, actor(info), cf), order=list(services.ORDER),
                        to_node=ReguaranteeClaim.of, first=first, after=after, descending=True)
        remember_page(info, PAGE_ROWS, (edge.node.row for edge in page.edges))
        return page


@strawberry.type
class ReguaranteeClaimMutation:
    @strawberry.mutation(description="提交代偿补偿申请并发起审批（需 reguarantee:claim:manage 与 core:workflow:start；"
                                     "在保备案随之代偿解保，需 reguarantee:filing:manage）。")
    def reguarantee_claim_submit(self, info: strawberry.Info,
                                 input: ReguaranteeClaimSubmitInput) -> ReguaranteeClaimPayload:
        data = {"compensated_on": input.compensated_on, "compensated_amount": input.compensated_amount,
                "unpaid_principal": input.unpaid_principal, "remarks": input.remarks}
        return _claim_mutation(info, lambda: services.submit_claim(
            info.context.session, actor(info), decode_node_id(input.filing_id, "ReguaranteeFiling", field="filingId"),
            data))

    @strawberry.mutation(description="审批中核定补偿金额（需 reguarantee:claim:manage；不超过申请金额）。")
    def reguarantee_claim_approved_amount_set(self, info: strawberry.Info,
                                              input: ReguaranteeClaimApprovedAmountSetInput) -> ReguaranteeClaimPayload:
        return _claim_mutation(info, lambda: services.set_approved_amount(info.context.session, actor(info),
                                                                          _cid(input.id), input.amount))

    @strawberry.mutation(description="拨付已批准的代偿补偿款（需 reguarantee:claim:pay；不超过核定金额）。")
    def reguarantee_claim_pay(self, info: strawberry.Info, input: ReguaranteeClaimPayInput) -> ReguaranteeClaimPayload:
        return _claim_mutation(info, lambda: services.pay_claim(info.context.session, actor(info), _cid(input.id),
                                                                paid_on=input.paid_on, amount=input.amount))

    @strawberry.mutation(description="登记已拨付申请的追偿回收（需 reguarantee:claim:manage），"
                                     "按分险比例计算应返还本公司的部分。")
    def reguarantee_recovery_report(self, info: strawberry.Info,
                                    input: ReguaranteeRecoveryReportInput) -> ReguaranteeRecoveryPayload:
        return _recovery_mutation(info, lambda: recoveries.report_recovery(
            info.context.session, actor(info), _cid(input.claim_id, "claimId"), input.amount, input.recovered_on))

    @strawberry.mutation(description="确认追偿款已返还（需 reguarantee:claim:pay）。")
    def reguarantee_recovery_settle(self, info: strawberry.Info,
                                    input: ReguaranteeRecoverySettleInput) -> ReguaranteeRecoveryPayload:
        return _recovery_mutation(info, lambda: recoveries.settle_recovery(
            info.context.session, actor(info), decode_node_id(input.id, "ReguaranteeRecovery"), input.settled_on))


QUERIES: tuple = (ReguaranteeClaimQuery,)
MUTATIONS: tuple = (ReguaranteeClaimMutation,)
TYPES: tuple = (ReguaranteeClaim,)
