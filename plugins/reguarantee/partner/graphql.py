"""GraphQL of partner institutions: thin resolvers over ``partner.services`` and ``partner.admission`` (root fields
``reguaranteePartners``, ``reguaranteePartnerCreate``, ``reguaranteePartnerUpdate``,
``reguaranteePartnerAdmissionRequest``, ``reguaranteePartnerAnalysisRecord``, ``reguaranteePartnerSuspend``,
``reguaranteePartnerResume``, ``reguaranteePartnerTerminate``, ``reguaranteePartnerEvaluationRecord``)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import strawberry
from sqlalchemy import select
from strawberry import relay
from strawberry.scalars import JSON

from surety.graphql import pii
from surety.graphql.auth import actor, decode_node_id
from surety.graphql.errors import UserError, run_mutation
from surety.graphql.loaders import load
from surety.graphql.nodes import load_nodes
from surety.graphql.pagination import Connection, paginate
from surety.graphql.workflow_types import current_task_field
from surety.plugins.reguarantee.conventions import PARTNER_KINDS, PARTNER_STATUSES
from surety.plugins.reguarantee.partner import admission, services
from surety.plugins.reguarantee.partner.models import ReguaranteePartner as PartnerRow
from surety.plugins.reguarantee.partner.models import ReguaranteePartnerEvaluation as EvaluationRow
from surety.plugins.reguarantee.partner.permissions import PARTNER

_KINDS = "，".join(f"{k}（{v}）" for k, v in PARTNER_KINDS.items())
_STATUSES = "，".join(f"{k}（{v}）" for k, v in PARTNER_STATUSES.items())


@strawberry.type(description="合作机构的一次定期评价。")
class ReguaranteePartnerEvaluation:
    period: str = strawberry.field(description="评价期间：2026（年度）、2026H1（半年）、"
                                               "2026Q3（季度）或 2026M07（月度）")
    score: Decimal = strawberry.field(description="评分（0 至 100 分）")
    remarks: str = strawberry.field(description="评价意见")
    evaluated_on: dt.date = strawberry.field(description="评价日期")

    @classmethod
    def of(cls, r: EvaluationRow) -> ReguaranteePartnerEvaluation:
        return cls(period=r.period, score=r.score, remarks=r.remarks, evaluated_on=r.evaluated_on)


@strawberry.type(description="准入分析评分表的一项。")
class ReguaranteeAnalysisLine:
    key: str = strawberry.field(description="评分项代码")
    label: str = strawberry.field(description="评分项名称")
    weight: Decimal = strawberry.field(description="权重（小数，各项合计为 1）")
    score: Decimal = strawberry.field(description="得分（0 至 100 分）")


def _evaluations(ctx, partner_ids) -> dict:
    rows = ctx.session.scalars(select(EvaluationRow).where(EvaluationRow.partner_id.in_(list(partner_ids)))
                               .order_by(EvaluationRow.period.desc()))
    found: dict = {}
    for r in rows:
        found.setdefault(r.partner_id, []).append(ReguaranteePartnerEvaluation.of(r))
    return found


@strawberry.type(description="再担保合作机构：银行或市、县级担保公司。")
class ReguaranteePartner(relay.Node):
    id: relay.NodeID[str]
    row: strawberry.Private[PartnerRow]
    name: str = strawberry.field(description="机构名称")
    kind: str = strawberry.field(description=f"机构类型：{_KINDS}")
    kind_label: str = strawberry.field(description="机构类型的中文名称")
    credit_code: str = strawberry.field(description="统一社会信用代码")
    region: str = strawberry.field(description="所在地区")
    registered_capital: Decimal | None = strawberry.field(description="注册资本（元）")
    status: str = strawberry.field(description=f"合作状态：{_STATUSES}")
    status_label: str = strawberry.field(description="合作状态的中文名称")
    status_reason: str = strawberry.field(description="最近一次状态变更的原因（暂停、恢复、终止或准入未通过）")
    analysis_score: Decimal | None = strawberry.field(description="准入分析加权得分（0 至 100 分；未分析为空）")
    analysis_lines: list[ReguaranteeAnalysisLine] = strawberry.field(description="准入分析各评分项")
    admitted_on: dt.date | None = strawberry.field(description="准入通过日期")

    @strawberry.field(description="联系人姓名；默认脱敏，reveal 为 true 时显示明文（需 core:pii:reveal，留痕审计）。")
    def contact_name(self, info: strawberry.Info, reveal: bool = False) -> str | None:
        return pii.shown(info, PARTNER, self.id, "contact_name", self.row.contact_name, "name", reveal)

    @strawberry.field(description="联系人手机号；默认脱敏，reveal 为 true 时显示明文（需 core:pii:reveal，留痕审计）。")
    def contact_phone(self, info: strawberry.Info, reveal: bool = False) -> str | None:
        return pii.shown(info, PARTNER, self.id, "contact_phone", self.row.contact_phone, "phone", reveal)

    @strawberry.field(description="定期评价，按期间倒序。")
    async def evaluations(self, info: strawberry.Info) -> list[ReguaranteePartnerEvaluation]:
        return await load(info, "reguarantee.partner_evaluations", _evaluations, self.row.id, default=list)

    current_task = current_task_field(admission.SUBJECT_TYPE, description="准入审批的当前待办（未在审批中为空）")

    @classmethod
    def of(cls, p: PartnerRow) -> ReguaranteePartner:
        lines = [ReguaranteeAnalysisLine(key=x["key"], label=x["label"], weight=Decimal(x["weight"]),
                                         score=Decimal(x["score"])) for x in (p.analysis_scores or [])]
        return cls(id=str(p.id), row=p, name=p.name, kind=p.kind, kind_label=PARTNER_KINDS.get(p.kind, p.kind),
                   credit_code=p.credit_code, region=p.region, registered_capital=p.registered_capital,
                   status=p.status, status_label=PARTNER_STATUSES.get(p.status, p.status),
                   status_reason=p.status_reason, analysis_score=p.analysis_score, analysis_lines=lines,
                   admitted_on=p.admitted_on)

    @classmethod
    def resolve_nodes(cls, *, info, node_ids, required=False):
        return load_nodes(info, PartnerRow, cls.of, node_ids, f"{PARTNER}:read")


@strawberry.input(description="合作机构列表的筛选条件（均可不填）。")
class ReguaranteePartnerFilterInput:
    kind: str | None = strawberry.field(default=None, description=f"机构类型：{_KINDS}")
    status: str | None = strawberry.field(default=None, description=f"合作状态：{_STATUSES}")


@strawberry.input(description="新建合作机构（状态为申请中）。")
class ReguaranteePartnerCreateInput:
    name: str = strawberry.field(description="机构名称")
    kind: str = strawberry.field(description=f"机构类型：{_KINDS}")
    credit_code: str = strawberry.field(description="统一社会信用代码（18 位，校验码须正确）")
    region: str = strawberry.field(default="", description="所在地区，如 江苏省南京市江宁区")
    registered_capital: Decimal | None = strawberry.field(default=None, description="注册资本（元）")
    contact_name: str | None = strawberry.field(default=None, description="联系人姓名（加密保存）")
    contact_phone: str | None = strawberry.field(default=None, description="联系人手机号（加密保存）")


@strawberry.input(description="修改合作机构：只改给出的字段。")
class ReguaranteePartnerUpdateInput:
    id: strawberry.ID = strawberry.field(description="合作机构 id")
    name: str | None = strawberry.field(default=strawberry.UNSET, description="机构名称")
    kind: str | None = strawberry.field(default=strawberry.UNSET, description=f"机构类型：{_KINDS}")
    credit_code: str | None = strawberry.field(default=strawberry.UNSET, description="统一社会信用代码")
    region: str | None = strawberry.field(default=strawberry.UNSET, description="所在地区")
    registered_capital: Decimal | None = strawberry.field(default=strawberry.UNSET, description="注册资本（元）")
    contact_name: str | None = strawberry.field(default=strawberry.UNSET, description="联系人姓名")
    contact_phone: str | None = strawberry.field(default=strawberry.UNSET, description="联系人手机号")


@strawberry.input(description="暂停、恢复或终止合作。")
class ReguaranteePartnerStatusInput:
    id: strawberry.ID = strawberry.field(description="合作机构 id")
    reason: str = strawberry.field(description="原因（必填，留痕审计）")


@strawberry.input(description="录入准入分析：按租户的准入评分表逐项打分。")
class ReguaranteePartnerAnalysisInput:
    id: strawberry.ID = strawberry.field(description="合作机构 id（须在准入审批中）")
    scores: JSON = strawberry.field(description="评分项代码 -> 得分（0 至 100 分），如 "
                                                "{\"capital\": 80, \"operations\": 75, \"compensation_capacity\": 70, "
                                                "\"risk_control\": 85}")


@strawberry.input(description="录入合作机构的定期评价。")
class ReguaranteePartnerEvaluationInput:
    partner_id: strawberry.ID = strawberry.field(description="合作机构 id")
    period: str = strawberry.field(description="评价期间：2026、2026H1、2026Q3 或 2026M07（每期一次）")
    score: Decimal = strawberry.field(description="评分（0 至 100 分）")
    remarks: str = strawberry.field(default="", description="评价意见")
    evaluated_on: dt.date | None = strawberry.field(default=None, description="评价日期（默认今天）")


@strawberry.type(description="合作机构操作的结果：成功时为合作机构，否则为 errors。")
class ReguaranteePartnerPayload:
    partner: ReguaranteePartner | None = strawberry.field(default=None, description="合作机构（出错时为空）")
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="录入定期评价的结果。")
class ReguaranteePartnerEvaluationPayload:
    evaluation: ReguaranteePartnerEvaluation | None = strawberry.field(default=None, description="评价（出错时为空）")
    errors: list[UserError] = strawberry.field(default_factory=list)


_UPDATE_FIELDS = services.FIELDS


def _given(obj: Any, names: tuple[str, ...]) -> dict[str, Any]:
    return {n: getattr(obj, n) for n in names if getattr(obj, n) is not strawberry.UNSET}


def _pid(value: Any, field: str = "id"):
    return decode_node_id(value, "ReguaranteePartner", field=field)


def _partner_mutation(info, run) -> ReguaranteePartnerPayload:
    return run_mutation(info, ReguaranteePartnerPayload,
                        lambda: ReguaranteePartnerPayload(partner=ReguaranteePartner.of(run())))


@strawberry.type
class ReguaranteePartnerQuery:
    @strawberry.field(description="再担保合作机构列表，按名称排序，可按机构类型、合作状态筛选，键集分页"
                                  "（需 reguarantee:partner:read）。")
    def reguarantee_partners(self, info: strawberry.Info, first: int | None = None, after: str | None = None,
                             filter: ReguaranteePartnerFilterInput | None = None) -> Connection[ReguaranteePartner]:
        f = filter or ReguaranteePartnerFilterInput()
        s = info.context.session
        stmt = services.search_statement(s, actor(info), services.PartnerFilter(kind=f.kind, status=f.status))
        return paginate(info, s, stmt, order=list(services.ORDER), to_node=ReguaranteePartner.of, first=first,
                        after=after)


@strawberry.type
class ReguaranteePartnerMutation:
    @strawberry.mutation(description="新建合作机构（需 reguarantee:partner:manage），状态为申请中。")
    def reguarantee_partner_create(self, info: strawberry.Info,
                                   input: ReguaranteePartnerCreateInput) -> ReguaranteePartnerPayload:
        data = {n: getattr(input, n) for n in services.FIELDS}
        return _partner_mutation(info, lambda: services.create_partner(info.context.session, actor(info), data))

    @strawberry.mutation(description="修改合作机构（需 reguarantee:partner:manage；已终止的不可修改）。")
    def reguarantee_partner_update(self, info: strawberry.Info,
                                   input: ReguaranteePartnerUpdateInput) -> ReguaranteePartnerPayload:
        return _partner_mutation(info, lambda: services.update_partner(
            info.context.session, actor(info), _pid(input.id), _given(input, _UPDATE_FIELDS)))

    @strawberry.mutation(description="申请准入：申请中的合作机构进入准入审批流程（受理、准入分析、评审委员会），"
                                     "状态变为准入审批中（需 reguarantee:partner:manage）。")
    def reguarantee_partner_admission_request(self, info: strawberry.Info,
                                              id: strawberry.ID) -> ReguaranteePartnerPayload:
        return _partner_mutation(info, lambda: admission.request_admission(info.context.session, actor(info),
                                                                           _pid(id)))

    @strawberry.mutation(description="录入准入分析评分，按权重计算加权得分（需 reguarantee:partner:manage）。")
    def reguarantee_partner_analysis_record(self, info: strawberry.Info,
                                            input: ReguaranteePartnerAnalysisInput) -> ReguaranteePartnerPayload:
        return _partner_mutation(info, lambda: services.record_analysis(info.context.session, actor(info),
                                                                        _pid(input.id), input.scores))

    @strawberry.mutation(description="暂停合作：合作中 -> 暂停合作，须填写原因（需 reguarantee:partner:manage）。")
    def reguarantee_partner_suspend(self, info: strawberry.Info,
                                    input: ReguaranteePartnerStatusInput) -> ReguaranteePartnerPayload:
        return _partner_mutation(info, lambda: services.change_status(info.context.session, actor(info),
                                                                      _pid(input.id), "suspend", input.reason))

    @strawberry.mutation(description="恢复合作：暂停合作 -> 合作中，须填写原因（需 reguarantee:partner:manage）。")
    def reguarantee_partner_resume(self, info: strawberry.Info,
                                   input: ReguaranteePartnerStatusInput) -> ReguaranteePartnerPayload:
        return _partner_mutation(info, lambda: services.change_status(info.context.session, actor(info),
                                                                      _pid(input.id), "resume", input.reason))

    @strawberry.mutation(description="终止合作，须填写原因（需 reguarantee:partner:manage；终止后不可恢复）。")
    def reguarantee_partner_terminate(self, info: strawberry.Info,
                                      input: ReguaranteePartnerStatusInput) -> ReguaranteePartnerPayload:
        return _partner_mutation(info, lambda: services.change_status(info.context.session, actor(info),
                                                                      _pid(input.id), "terminate", input.reason))

    @strawberry.mutation(description="录入合作机构的定期评价（需 reguarantee:partner:manage；每期一次）。")
    def reguarantee_partner_evaluation_record(self, info: strawberry.Info, input: ReguaranteePartnerEvaluationInput
                                              ) -> ReguaranteePartnerEvaluationPayload:
        def run() -> ReguaranteePartnerEvaluationPayload:
            row = services.record_evaluation(info.context.session, actor(info), _pid(input.partner_id, "partnerId"),
                                             input.period, input.score, input.remarks, input.evaluated_on)
            return ReguaranteePartnerEvaluationPayload(evaluation=ReguaranteePartnerEvaluation.of(row))

        return run_mutation(info, ReguaranteePartnerEvaluationPayload, run)


QUERIES: tuple = (ReguaranteePartnerQuery,)
MUTATIONS: tuple = (ReguaranteePartnerMutation,)
TYPES: tuple = (ReguaranteePartner,)
