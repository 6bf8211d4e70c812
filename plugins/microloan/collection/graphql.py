"""GraphQL of the collection area: thin resolvers over ``cases``, ``classification`` and ``writeoff`` (root fields
``microloanCollectionCases``, ``microloanCollectionActions``, ``microloanCollectionResults`` and the mutations
``microloanCollectionActionRecord``, ``microloanClassOverrideRequest``, ``microloanWriteOffRequest``,
``microloanRecoveryRecord``). A page of cases is two statements at most (the page, and the count when asked)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import strawberry
from sqlalchemy import select
from strawberry import relay

from surety.graphql.auth import actor, decode_node_id
from surety.graphql.errors import UserError, run_mutation
from surety.graphql.idempotency import idempotency_key_field
from surety.graphql.nodes import global_id, load_nodes
from surety.graphql.pagination import Connection, paginate
from surety.graphql.pii import shown
from surety.plugins.microloan.collection import cases, classification, writeoff
from surety.plugins.microloan.collection.models import (
    MicroloanClassOverride as OverrideRow,
)
from surety.plugins.microloan.collection.models import (
    MicroloanCollectionAction as ActionRow,
)
from surety.plugins.microloan.collection.models import (
    MicroloanCollectionCase as CaseRow,
)
from surety.plugins.microloan.collection.models import (
    MicroloanRecovery as RecoveryRow,
)
from surety.plugins.microloan.collection.models import (
    MicroloanWriteOff as WriteOffRow,
)
from surety.plugins.microloan.conventions import RISK_CLASSES

LOAN = "MicroloanLoan"
_KINDS = "，".join(f"{k}（{v}）" for k, v in cases.ACTION_KINDS.items())
_CLASSES = "，".join(f"{k}（{v}）" for k, v in RISK_CLASSES.items())
_GROUNDS = "，".join(f"{k}（{v}）" for k, v in writeoff.GROUNDS.items())
_STATUS_LABELS = {"open": "催收中", "closed": "已结案"}
_CLOSE_LABELS = {"cured": "逾期已消除", "settled": "贷款已结清"}


@strawberry.type(description="催收案件：贷款逾期进入催收阶段时由日终批处理建立，随逾期天数升级阶段，逾期消除或结清时结案。")
class MicroloanCollectionCase(relay.Node):
    id: relay.NodeID[str]
    loan_id: strawberry.ID = strawberry.field(description="贷款 id")
    loan_no: str = strawberry.field(description="贷款编号")
    stage: str = strawberry.field(description="催收阶段（如 M1、M2、M3+，按租户设置的逾期天数划分）")
    status: str = strawberry.field(description="状态：open（催收中）、closed（已结案）")
    status_label: str = strawberry.field(description="状态的中文名称")
    assignee_id: strawberry.ID | None = strawberry.field(description="本阶段负责人（用户 id；无人可派时为空）")
    days_past_due: int = strawberry.field(description="日终最近一次看到的逾期天数（天）")
    opened_on: dt.date = strawberry.field(description="立案日期（业务日期）")
    stage_since: dt.date = strawberry.field(description="进入当前阶段的日期")
    closed_on: dt.date | None = strawberry.field(description="结案日期")
    close_reason: str | None = strawberry.field(description="结案原因：cured（逾期已消除）、settled（贷款已结清）")
    close_reason_label: str | None = strawberry.field(description="结案原因的中文名称")
    recovered: Decimal = strawberry.field(description="立案以来收回的金额（元）：还款（扣除冲正）及核销后收回")

    @classmethod
    def of(cls, r: CaseRow) -> MicroloanCollectionCase:
        return cls(id=str(r.id), loan_id=global_id(LOAN, r.loan_id), loan_no=r.loan_no, stage=r.stage,
                   status=r.status, status_label=_STATUS_LABELS.get(r.status, r.status),
                   assignee_id=global_id("User", r.assignee_id), days_past_due=r.days_past_due,
                   opened_on=r.opened_on, stage_since=r.stage_since, closed_on=r.closed_on,
                   close_reason=r.close_reason,
                   close_reason_label=_CLOSE_LABELS.get(r.close_reason) if r.close_reason else None,
                   recovered=r.recovered)

    @classmethod
    def resolve_nodes(cls, *, info, node_ids, required=False):
        return load_nodes(info, CaseRow, cls.of, node_ids, "microloan:collection:read",
                          statement=lambda: cases.in_scope(info.context.session, actor(info), select(CaseRow)))


@strawberry.type(description="一条催收记录。")
class MicroloanCollectionAction:
    id: strawberry.ID = strawberry.field(description="记录 id")
    case_id: strawberry.ID = strawberry.field(description="催收案件 id")
    kind: str = strawberry.field(description=f"方式：{_KINDS}")
    kind_label: str = strawberry.field(description="方式的中文名称")
    happened_on: dt.date = strawberry.field(description="催收日期")
    promised_amount: Decimal | None = strawberry.field(description="承诺还款金额（元），仅承诺还款")
    promised_date: dt.date | None = strawberry.field(description="承诺还款日期，仅承诺还款")
    paid_toward: Decimal = strawberry.field(description="自记录之日至承诺日期已收到的还款（元）")
    kept: bool | None = strawberry.field(description="承诺是否兑现：是（按期足额还款）、否（到期未足额）、空（未到期）")
    row: strawberry.Private[Any] = None

    @strawberry.field(description="催收情况说明（可能含个人信息，加密保存）；默认脱敏，"
                                  "reveal 为真时需 core:pii:reveal 且留痕")
    def note(self, info: strawberry.Info, reveal: bool = False) -> str | None:
        return shown(info, "microloan:collection_action", str(self.row.id), "note", self.row.note, "text", reveal)

    @classmethod
    def of(cls, r: ActionRow) -> MicroloanCollectionAction:
        return cls(id=global_id("MicroloanCollectionAction", r.id),
                   case_id=global_id("MicroloanCollectionCase", r.case_id), kind=r.kind,
                   kind_label=cases.ACTION_KINDS.get(r.kind, r.kind), happened_on=r.happened_on,
                   promised_amount=r.promised_amount, promised_date=r.promised_date, paid_toward=r.paid_toward,
                   kept=r.kept, row=r)


@strawberry.type(description="某阶段的在催案件数。")
class MicroloanCollectionStageCount:
    stage: str = strawberry.field(description="催收阶段")
    cases: int = strawberry.field(description="在催案件数（件）")


@strawberry.type(description="催收成效（驾驶舱）。")
class MicroloanCollectionResults:
    open_by_stage: list[MicroloanCollectionStageCount] = strawberry.field(description="各阶段在催案件数")
    promises_kept: int = strawberry.field(description="已兑现的承诺还款（笔）")
    promises_broken: int = strawberry.field(description="已违约的承诺还款（笔）")
    promises_pending: int = strawberry.field(description="未到期的承诺还款（笔）")
    recovered: Decimal = strawberry.field(description="各案件立案以来收回的金额合计（元）")


@strawberry.type(description="五级分类手工调整申请。")
class MicroloanClassOverride:
    id: strawberry.ID = strawberry.field(description="申请 id")
    loan_id: strawberry.ID = strawberry.field(description="贷款 id")
    from_class: str = strawberry.field(description=f"申请时的分类：{_CLASSES}")
    to_class: str | None = strawberry.field(description="调整为的分类；为空表示取消手工分类")
    reason: str = strawberry.field(description="理由")
    status: str = strawberry.field(description="状态：proposed（审批中）、approved（已批准）、rejected（未批准）")
    workflow_instance_id: strawberry.ID | None = strawberry.field(description="审批流程实例 id")

    @classmethod
    def of(cls, r: OverrideRow) -> MicroloanClassOverride:
        return cls(id=global_id("MicroloanClassOverride", r.id), loan_id=global_id(LOAN, r.loan_id),
                   from_class=r.from_class, to_class=r.to_class, reason=r.reason, status=r.status,
                   workflow_instance_id=global_id("WorkflowInstance", r.workflow_instance_id))


@strawberry.type(description="贷款核销申请。")
class MicroloanWriteOff:
    id: strawberry.ID = strawberry.field(description="申请 id")
    loan_id: strawberry.ID = strawberry.field(description="贷款 id")
    ground: str = strawberry.field(description=f"核销依据：{_GROUNDS}")
    reason: str = strawberry.field(description="理由")
    status: str = strawberry.field(description="状态：proposed（审批中）、approved（已核销）、rejected（未批准）")
    principal: Decimal = strawberry.field(description="核销本金（元，批准时确定）")
    interest: Decimal = strawberry.field(description="核销利息（元，批准时的应计未收利息）")
    written_off_on: dt.date | None = strawberry.field(description="核销日期")
    workflow_instance_id: strawberry.ID | None = strawberry.field(description="审批流程实例 id")

    @classmethod
    def of(cls, r: WriteOffRow) -> MicroloanWriteOff:
        return cls(id=global_id("MicroloanWriteOff", r.id), loan_id=global_id(LOAN, r.loan_id), ground=r.ground,
                   reason=r.reason, status=r.status, principal=r.principal, interest=r.interest,
                   written_off_on=r.written_off_on,
                   workflow_instance_id=global_id("WorkflowInstance", r.workflow_instance_id))


@strawberry.type(description="核销后收回的一笔款项。")
class MicroloanRecovery:
    id: strawberry.ID = strawberry.field(description="收回记录 id")
    loan_id: strawberry.ID = strawberry.field(description="贷款 id")
    amount: Decimal = strawberry.field(description="收回金额（元）")
    recovered_on: dt.date = strawberry.field(description="收回日期")

    @classmethod
    def of(cls, r: RecoveryRow) -> MicroloanRecovery:
        return cls(id=global_id("MicroloanRecovery", r.id), loan_id=global_id(LOAN, r.loan_id), amount=r.amount,
                   recovered_on=r.recovered_on)


@strawberry.input(description="登记催收记录。")
class MicroloanCollectionActionRecordInput:
    case_id: strawberry.ID = strawberry.field(description="催收案件 id")
    kind: str = strawberry.field(description=f"方式：{_KINDS}")
    happened_on: dt.date | None = strawberry.field(default=None, description="催收日期（默认今天，不晚于今天）")
    note: str | None = strawberry.field(default=None, description="情况说明（最多 2000 字，加密保存）")
    promised_amount: Decimal | None = strawberry.field(default=None, description="承诺还款金额（元），仅承诺还款")
    promised_date: dt.date | None = strawberry.field(default=None, description="承诺还款日期，仅承诺还款")


@strawberry.input(description="申请手工调整（或取消调整）贷款五级分类，经部门负责人审批后生效。")
class MicroloanClassOverrideRequestInput:
    loan_id: strawberry.ID = strawberry.field(description="贷款 id")
    to_class: str | None = strawberry.field(description=f"调整为的分类：{_CLASSES}；为空表示取消手工分类")
    reason: str = strawberry.field(description="理由（必填）")


@strawberry.input(description="申请核销贷款，经部门负责人审核、分管领导审批后核销。")
class MicroloanWriteOffRequestInput:
    loan_id: strawberry.ID = strawberry.field(description="贷款 id")
    ground: str = strawberry.field(description=f"核销依据：{_GROUNDS}")
    reason: str = strawberry.field(description="理由（必填）")


@strawberry.input(description="登记核销后收回的款项。")
class MicroloanRecoveryRecordInput:
    loan_id: strawberry.ID = strawberry.field(description="已核销贷款的 id")
    amount: Decimal = strawberry.field(description="收回金额（元，不超过已核销且未收回的金额）")
    recovered_on: dt.date | None = strawberry.field(default=None, description="收回日期（默认今天，不早于核销日）")
    idempotency_key: str | None = idempotency_key_field()


@strawberry.type(description="登记催收记录的结果。")
class MicroloanCollectionActionPayload:
    action: MicroloanCollectionAction | None = strawberry.field(default=None, description="催收记录（出错时为空）")
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="分类调整申请的结果。")
class MicroloanClassOverridePayload:
    override: MicroloanClassOverride | None = strawberry.field(default=None, description="申请（出错时为空）")
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="核销申请的结果。")
class MicroloanWriteOffPayload:
    write_off: MicroloanWriteOff | None = strawberry.field(default=None, description="申请（出错时为空）")
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="登记核销后收回的结果。")
class MicroloanRecoveryPayload:
    recovery: MicroloanRecovery | None = strawberry.field(default=None, description="收回记录（出错时为空）")
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class MicroloanCollectionQuery:
    @strawberry.field(description="催收案件（需 microloan:collection:read），按立案日期排序；"
                                  "可按阶段、状态、负责人筛选。")
    def microloan_collection_cases(self, info: strawberry.Info, stage: str | None = None,
                                   status: str | None = None, assignee_id: strawberry.ID | None = None,
                                   first: int | None = None, after: str | None = None
                                   ) -> Connection[MicroloanCollectionCase]:
        s = info.context.session
        who = None if assignee_id is None else decode_node_id(assignee_id, "User", field="assigneeId")
        stmt = cases.cases_query(s, actor(info), stage=stage, status=status, assignee_id=who)
        return paginate(info, s, stmt, order=[CaseRow.opened_on, CaseRow.id], to_node=MicroloanCollectionCase.of,
                        first=first, after=after)

    @strawberry.field(description="某催收案件的催收记录，按日期排序（需 microloan:collection:read）。")
    def microloan_collection_actions(self, info: strawberry.Info,
                                     case_id: strawberry.ID) -> list[MicroloanCollectionAction]:
        cid = decode_node_id(case_id, "MicroloanCollectionCase", field="caseId")
        return [MicroloanCollectionAction.of(r) for r in cases.actions_of(info.context.session, actor(info), cid)]

    @strawberry.field(description="催收成效：各阶段在催案件数、承诺还款兑现与违约、立案后收回金额"
                                  "（需 microloan:collection:read）。")
    def microloan_collection_results(self, info: strawberry.Info) -> MicroloanCollectionResults:
        r = cases.collection_results(info.context.session, actor(info))
        return MicroloanCollectionResults(
            open_by_stage=[MicroloanCollectionStageCount(stage=k, cases=v) for k, v in sorted(r.open_by_stage.items())],
            promises_kept=r.promises_kept, promises_broken=r.promises_broken, promises_pending=r.promises_pending,
            recovered=r.recovered)


@strawberry.type
class MicroloanCollectionMutation:
    @strawberry.mutation(description="登记催收记录（需 microloan:collection:act）；承诺还款须填金额与日期。")
    def microloan_collection_action_record(self, info: strawberry.Info, input: MicroloanCollectionActionRecordInput
                                           ) -> MicroloanCollectionActionPayload:
        def run() -> MicroloanCollectionActionPayload:
            cid = decode_node_id(input.case_id, "MicroloanCollectionCase", field="caseId")
            data = {k: getattr(input, k) for k in ("kind", "happened_on", "note", "promised_amount", "promised_date")}
            row = cases.record_action(info.context.session, actor(info), cid, data)
            return MicroloanCollectionActionPayload(action=MicroloanCollectionAction.of(row))

        return run_mutation(info, MicroloanCollectionActionPayload, run)

    @strawberry.mutation(description="申请手工调整或取消调整五级分类（需 microloan:classification:request），"
                                     "提交审批。")
    def microloan_class_override_request(self, info: strawberry.Info, input: MicroloanClassOverrideRequestInput
                                         ) -> MicroloanClassOverridePayload:
        def run() -> MicroloanClassOverridePayload:
            lid = decode_node_id(input.loan_id, LOAN, field="loanId")
            row = classification.request_class_override(info.context.session, actor(info), lid, input.to_class,
                                                        input.reason)
            return MicroloanClassOverridePayload(override=MicroloanClassOverride.of(row))

        return run_mutation(info, MicroloanClassOverridePayload, run)

    @strawberry.mutation(description="申请核销贷款（需 microloan:writeoff:request），提交审批。")
    def microloan_write_off_request(self, info: strawberry.Info,
                                    input: MicroloanWriteOffRequestInput) -> MicroloanWriteOffPayload:
        def run() -> MicroloanWriteOffPayload:
            lid = decode_node_id(input.loan_id, LOAN, field="loanId")
            row = writeoff.request_write_off(info.context.session, actor(info), lid, input.ground, input.reason)
            return MicroloanWriteOffPayload(write_off=MicroloanWriteOff.of(row))

        return run_mutation(info, MicroloanWriteOffPayload, run)

    @strawberry.mutation(description="登记核销后收回的款项（需 microloan:recovery:record；"
                                     "可凭 idempotencyKey 幂等重试）。")
    def microloan_recovery_record(self, info: strawberry.Info,
                                  input: MicroloanRecoveryRecordInput) -> MicroloanRecoveryPayload:
        def run() -> MicroloanRecoveryPayload:
            lid = decode_node_id(input.loan_id, LOAN, field="loanId")
            row = writeoff.record_recovery(info.context.session, actor(info), lid, input.amount, input.recovered_on,
                                           input.idempotency_key)
            return MicroloanRecoveryPayload(recovery=MicroloanRecovery.of(row))

        return run_mutation(info, MicroloanRecoveryPayload, run)


QUERIES: tuple = (MicroloanCollectionQuery,)
MUTATIONS: tuple = (MicroloanCollectionMutation,)
TYPES: tuple = (MicroloanCollectionCase,)
