"""GraphQL of loan origination: thin resolvers over ``origination``, ``limits``, ``queries`` and
``settings_service`` (root fields ``microloanLoans``, ``microloanLimitCheck``, ``microloanSettings``, the
``microloanLoan*`` mutations and ``microloanSettingsUpdate``). Related rows of a page of loans (customer names,
product versions, schedules, investigations, current tasks) load together: the statements per page do not grow with
its size."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

import strawberry
from sqlalchemy import select
from strawberry import relay

from surety.core.ports import customers as door
from surety.graphql.auth import actor, allowed, decode_node_id
from surety.graphql.errors import UserError, run_mutation
from surety.graphql.idempotency import idempotency_key_field
from surety.graphql.loaders import page_related, remember_page
from surety.graphql.nodes import global_id, load_nodes
from surety.graphql.pagination import Connection, paginate
from surety.graphql.workflow_types import current_task_field
from surety.plugins.microloan.conventions import LOAN_KINDS, LOAN_STATUSES, RISK_CLASSES
from surety.plugins.microloan.loan import limits, origination, queries
from surety.plugins.microloan.loan.approval import SUBJECT_TYPE
from surety.plugins.microloan.loan.models import MicroloanInstallment as InstallmentRow
from surety.plugins.microloan.loan.models import MicroloanInvestigation as InvestigationRow
from surety.plugins.microloan.loan.models import MicroloanLoan as LoanRow
from surety.plugins.microloan.loan.scope import scoped
from surety.plugins.microloan.loan.settings_service import OVERDUE_CLASSES, read_settings, update_settings
from surety.plugins.microloan.product.graphql import MicroloanProduct

_STATUSES = "，".join(f"{k}（{v}）" for k, v in LOAN_STATUSES.items())
_KINDS = "，".join(f"{k}（{v}）" for k, v in LOAN_KINDS.items())
_CLASSES = "，".join(f"{k}（{v}）" for k, v in RISK_CLASSES.items())
ZERO = Decimal("0.00")


# ---------------------------------------------------------------- loaders (one query per kind and request) --------


#: The loans the request listed (remember_page), whose related fields load together (page_related).
PAGE_ROWS = "microloan.loan.page_rows"


def _related(info, name: str, batch, row: LoanRow, key):
    return page_related(info, PAGE_ROWS, name, batch, row, key)


def _names(session, rows):
    return door.names(session, [r.customer_id for r in rows])


def _versions(session, rows):
    return queries.versions_by_key(session, [(r.product_id, r.product_version) for r in rows])


def _schedules(session, rows):
    return queries.installments_by_loan(session, rows)


def _investigations(session, rows):
    return queries.investigations_by_loan(session, [r.id for r in rows])


def _may(info, permission: str) -> bool:
    """A permission of the caller, checked once a request."""
    key = f"microloan.may.{permission}"
    if key not in info.context.loaders:
        info.context.loaders[key] = allowed(info, permission)
    return info.context.loaders[key]


# ---------------------------------------------------------------- types --------------------------------------------


@strawberry.type(description="还款计划的一期（当前有效版本），含已还与未还金额（元）。")
class MicroloanInstallment:
    period: int = strawberry.field(description="期次，从 1 起")
    due_date: dt.date = strawberry.field(description="应还日")
    principal: Decimal = strawberry.field(description="应还本金（元）")
    interest: Decimal = strawberry.field(description="应还利息（元）")
    fee: Decimal = strawberry.field(description="应还费用（元）")
    penalty: Decimal = strawberry.field(description="已计罚息及复利（元）")
    paid_principal: Decimal = strawberry.field(description="已还本金（元）")
    paid_interest: Decimal = strawberry.field(description="已还利息（元）")
    paid_fee: Decimal = strawberry.field(description="已还费用（元）")
    paid_penalty: Decimal = strawberry.field(description="已还罚息及复利（元）")
    paid: Decimal = strawberry.field(description="本期已还合计（元）")
    outstanding: Decimal = strawberry.field(description="本期未还合计（元）= 应还本金 + 利息 + 费用 + 罚息 − 已还")
    settled_on: dt.date | None = strawberry.field(description="本期结清日（未结清为空）")

    @classmethod
    def of(cls, r: InstallmentRow) -> MicroloanInstallment:
        due = r.principal + r.interest + r.fee + r.penalty
        paid = r.paid_principal + r.paid_interest + r.paid_fee + r.paid_penalty
        return cls(period=r.period, due_date=r.due_date, principal=r.principal, interest=r.interest, fee=r.fee,
                   penalty=r.penalty, paid_principal=r.paid_principal, paid_interest=r.paid_interest,
                   paid_fee=r.paid_fee, paid_penalty=r.paid_penalty, paid=paid, outstanding=due - paid,
                   settled_on=r.settled_on)


@strawberry.type(description="贷前调查结果（收入、资产、负债为个人信息，加密保存）。")
class MicroloanInvestigation:
    investigator_id: strawberry.ID | None = strawberry.field(description="调查人（用户的全局 id）")
    visited_on: dt.date = strawberry.field(description="实地走访日期")
    findings: str = strawberry.field(description="调查情况")
    annual_income: Decimal | None = strawberry.field(description="借款人年收入（元）")
    total_assets: Decimal | None = strawberry.field(description="借款人资产总额（元）")
    total_liabilities: Decimal | None = strawberry.field(description="借款人负债总额（元）")
    conclusion: str = strawberry.field(description="调查结论：recommend（建议发放），decline（建议不予发放）")
    conclusion_label: str = strawberry.field(description="调查结论的中文名称")

    @classmethod
    def of(cls, r: InvestigationRow) -> MicroloanInvestigation:
        return cls(investigator_id=global_id("User", r.investigator_id), visited_on=r.visited_on,
                   findings=r.findings, annual_income=r.annual_income_amount, total_assets=r.total_assets_amount,
                   total_liabilities=r.total_liabilities_amount, conclusion=r.conclusion,
                   conclusion_label=origination.INVESTIGATION_CONCLUSIONS.get(r.conclusion, r.conclusion))


@strawberry.type(description="小额贷款：从申请到结清或核销；余额为还款与日终批处理后的数字（元）。")
class MicroloanLoan(relay.Node):
    id: relay.NodeID[str]
    loan_no: str = strawberry.field(description="贷款编号")
    kind: str = strawberry.field(description=f"贷款种类：{_KINDS}")
    kind_label: str = strawberry.field(description="贷款种类的中文名称")
    online: bool = strawberry.field(description="是否网络小额贷款（适用网络消费贷款单户上限）")
    purpose: str = strawberry.field(description="借款用途")
    amount: Decimal = strawberry.field(description="贷款金额（元）")
    term_months: int = strawberry.field(description="期限（月）")
    product_version: int = strawberry.field(description="贷款所依据的产品版本")
    status: str = strawberry.field(description=f"状态：{_STATUSES}")
    status_label: str = strawberry.field(description="状态的中文名称")
    contract_no: str | None = strawberry.field(description="借款合同编号")
    contract_signed_on: dt.date | None = strawberry.field(description="合同签订日")
    disbursed_on: dt.date | None = strawberry.field(description="放款日（起息日）")
    first_due_date: dt.date | None = strawberry.field(description="首期应还日")
    maturity_date: dt.date | None = strawberry.field(description="到期日（末期应还日）")
    upfront_fee: Decimal = strawberry.field(description="放款时扣收的费用（元）")
    principal_balance: Decimal = strawberry.field(description="本金余额（元）")
    accrued_interest: Decimal = strawberry.field(description="累计应计利息（元）")
    penalty_balance: Decimal = strawberry.field(description="未还罚息及复利（元）")
    costs_balance: Decimal = strawberry.field(description="未还实现债权的费用（元）")
    held_amount: Decimal = strawberry.field(description="溢缴款（元）")
    days_past_due: int = strawberry.field(description="逾期天数（天，0 为未逾期）")
    risk_class: str = strawberry.field(description=f"五级分类：{_CLASSES}")
    risk_class_label: str = strawberry.field(description="五级分类的中文名称")
    provision: Decimal = strawberry.field(description="贷款损失准备（元）")
    created_at: dt.datetime = strawberry.field(description="申请录入时间")
    row: strawberry.Private[Any]

    @classmethod
    def of(cls, r: LoanRow) -> MicroloanLoan:
        return cls(id=str(r.id), loan_no=r.loan_no, kind=r.kind, kind_label=LOAN_KINDS.get(r.kind, r.kind),
                   online=bool(r.online), purpose=r.purpose, amount=r.amount, term_months=r.term_months,
                   product_version=r.product_version, status=r.status, status_label=origination.status_label(r.status),
                   contract_no=r.contract_no, contract_signed_on=r.contract_signed_on, disbursed_on=r.disbursed_on,
                   first_due_date=r.first_due_date, maturity_date=r.maturity_date, upfront_fee=r.upfront_fee,
                   principal_balance=r.principal_balance, accrued_interest=r.accrued_interest,
                   penalty_balance=r.penalty_balance, costs_balance=r.costs_balance, held_amount=r.held_amount,
                   days_past_due=r.days_past_due, risk_class=r.risk_class,
                   risk_class_label=RISK_CLASSES.get(r.risk_class, r.risk_class), provision=r.provision,
                   created_at=r.created_at, row=r)

    @classmethod
    def resolve_nodes(cls, *, info, node_ids, required=False):
        rows = load_nodes(info, LoanRow, lambda r: r, node_ids, "microloan:loan:read",
                          statement=lambda: scoped(info.context.session, actor(info), select(LoanRow)))
        remember_page(info, PAGE_ROWS, rows)
        return [None if r is None else cls.of(r) for r in rows]

    @strawberry.field(description="借款人（客户的全局 id）")
    def customer_id(self) -> strawberry.ID:
        return global_id("Customer", self.row.customer_id)

    @strawberry.field(description="借款人名称（需 customers:customer:read，否则为空）")
    def customer_name(self, info: strawberry.Info) -> str | None:
        if not _may(info, "customers:customer:read"):
            return None
        return _related(info, "names", _names, self.row, lambda r: r.customer_id)

    @strawberry.field(description="客户经理（用户的全局 id）")
    def manager_id(self) -> strawberry.ID | None:
        return global_id("User", self.row.manager_id)

    @strawberry.field(description="贷款所依据的产品及该版本的贷款条件")
    def product(self, info: strawberry.Info) -> MicroloanProduct | None:
        found = _related(info, "versions", _versions, self.row, lambda r: (r.product_id, r.product_version))
        return None if found is None else MicroloanProduct.of(*found)

    @strawberry.field(description="还款计划（当前有效版本，放款后才有）")
    def schedule(self, info: strawberry.Info) -> list[MicroloanInstallment]:
        rows = _related(info, "schedules", _schedules, self.row, lambda r: r.id) or []
        return [MicroloanInstallment.of(r) for r in rows]

    @strawberry.field(description="贷前调查（需 microloan:loan:investigate，否则为空）")
    def investigation(self, info: strawberry.Info) -> MicroloanInvestigation | None:
        if not _may(info, "microloan:loan:investigate"):
            return None
        found = _related(info, "investigations", _investigations, self.row, lambda r: r.id)
        return None if found is None else MicroloanInvestigation.of(found)

    @strawberry.field(description="审批流程实例（workflowInstance 的全局 id）")
    def workflow_instance_id(self) -> strawberry.ID | None:
        return global_id("WorkflowInstance", self.row.workflow_instance_id)

    current_task = current_task_field(SUBJECT_TYPE, description=(
        "贷款审批当前所处步骤（处理人、到期日）；未在审批中或无权查看流程时为空。"))


@strawberry.type(description="一项贷款限额对本笔贷款的检查结果（元）。")
class MicroloanLimitLine:
    limit: str = strawberry.field(description="限额：single_borrower（单户），related_group（单户及关联方），"
                                              "online_consumer（网络消费贷款单户），business（经营贷款单户）")
    label: str = strawberry.field(description="限额的中文名称")
    ceiling: Decimal | None = strawberry.field(description="限额（元）；未录入上年末净资产时为空")
    used: Decimal = strawberry.field(description="已占用余额（元，不含本笔）")
    amount: Decimal = strawberry.field(description="本笔贷款金额（元）")
    total: Decimal = strawberry.field(description="含本笔后的余额（元）")
    headroom: Decimal | None = strawberry.field(description="本笔之前尚余额度（元）")
    excess: Decimal = strawberry.field(description="超出限额的金额（元，未超出为 0）")
    passes: bool | None = strawberry.field(description="是否在限额内（相等为通过）；无法检查时为空")

    @classmethod
    def of(cls, x: limits.Line) -> MicroloanLimitLine:
        return cls(limit=x.limit, label=x.label, ceiling=x.ceiling, used=x.used, amount=x.amount, total=x.total,
                   headroom=x.headroom, excess=x.excess, passes=x.passes)


@strawberry.type(description="按金额的审批路线：金额不超过上限（元，含）的贷款依次经过各级审批。")
class MicroloanApprovalRoute:
    max: Decimal | None = strawberry.field(description="金额上限（元，含）；最后一条为空（其余金额）")
    steps: list[str] = strawberry.field(description="审批级别（角色）：risk_officer，department_head，executive")


@strawberry.input(description="审批路线。")
class MicroloanApprovalRouteInput:
    steps: list[str] = strawberry.field(
        description="审批级别（依次为 risk_officer，department_head，executive 的前几级）")
    max: Decimal | None = strawberry.field(default=None, description="金额上限（元，含）；最后一条不填")


@strawberry.type(description="名称对应的天数（天）。")
class MicroloanDays:
    key: str = strawberry.field(description="名称（五级分类代码或催收阶段）")
    days: int = strawberry.field(description="逾期天数（天）起点")


@strawberry.input(description="名称对应的天数（天）。")
class MicroloanDaysInput:
    key: str = strawberry.field(description="名称（五级分类代码或催收阶段）")
    days: int = strawberry.field(description="逾期天数（天）起点")


@strawberry.type(description="五级分类对应的贷款损失准备比例。")
class MicroloanProvisionRate:
    risk_class: str = strawberry.field(description=f"五级分类：{_CLASSES}")
    rate: Decimal = strawberry.field(description="计提比例（0.25 即 25%）")


@strawberry.input(description="五级分类对应的贷款损失准备比例。")
class MicroloanProvisionRateInput:
    risk_class: str = strawberry.field(description=f"五级分类：{_CLASSES}")
    rate: Decimal = strawberry.field(description="计提比例（0.25 即 25%）")


@strawberry.type(description="租户的小额贷款设置。")
class MicroloanSettings:
    number_pattern: str = strawberry.field(description="贷款编号规则：{yyyy}、{yy}、{mm} 与一个 {seq:0N}")
    prior_year_net_assets: Decimal | None = strawberry.field(description="上年末净资产（元）；未录入时不能提交审批")
    single_borrower_ratio: Decimal = strawberry.field(description="单户贷款余额占净资产比例上限（0.10 即 10%）")
    related_group_ratio: Decimal = strawberry.field(description="单户及其关联方贷款余额占净资产比例上限")
    online_consumer_cap: Decimal = strawberry.field(description="网络小额消费贷款单户余额上限（元）")
    business_cap: Decimal = strawberry.field(description="经营贷款单户余额上限（元）")
    approval_routes: list[MicroloanApprovalRoute] = strawberry.field(description="按金额的审批路线")
    class_days: list[MicroloanDays] = strawberry.field(description="五级分类：各类别的逾期天数起点（天）")
    provision_rates: list[MicroloanProvisionRate] = strawberry.field(description="各类别的贷款损失准备比例")
    collection_stages: list[MicroloanDays] = strawberry.field(description="催收阶段：各阶段的逾期天数起点（天）")
    remind_days_before: int = strawberry.field(description="到期前提醒天数（天）")

    @classmethod
    def of(cls, s) -> MicroloanSettings:
        return cls(number_pattern=s.number_pattern, prior_year_net_assets=s.prior_year_net_assets,
                   single_borrower_ratio=s.single_borrower_ratio, related_group_ratio=s.related_group_ratio,
                   online_consumer_cap=s.online_consumer_cap, business_cap=s.business_cap,
                   approval_routes=[MicroloanApprovalRoute(max=None if r.get("max") is None else Decimal(r["max"]),
                                                           steps=list(r["steps"])) for r in s.approval_routes],
                   class_days=[MicroloanDays(key=k, days=int(v)) for k, v in s.class_days.items()],
                   provision_rates=[MicroloanProvisionRate(risk_class=k, rate=Decimal(str(v)))
                                    for k, v in s.provision_rates.items()],
                   collection_stages=[MicroloanDays(key=k, days=int(v)) for k, v in s.collection_stages.items()],
                   remind_days_before=s.remind_days_before)


# ---------------------------------------------------------------- inputs -------------------------------------------


@strawberry.input(description="贷款列表筛选条件。")
class MicroloanLoanFilterInput:
    status: str | None = strawberry.field(default=None, description=f"状态：{_STATUSES}")
    customer_id: strawberry.ID | None = strawberry.field(default=None, description="借款人（客户的全局 id）")
    kind: str | None = strawberry.field(default=None, description=f"贷款种类：{_KINDS}")


@strawberry.input(description="新建贷款申请（草稿）。")
class MicroloanLoanApplyInput:
    customer_id: strawberry.ID = strawberry.field(description="借款人（客户的全局 id）")
    product_id: strawberry.ID = strawberry.field(description="贷款产品（全局 id）")
    amount: Decimal = strawberry.field(description="申请金额（元）")
    term_months: int = strawberry.field(description="期限（月）")
    kind: str = strawberry.field(description=f"贷款种类：{_KINDS}")
    online: bool = strawberry.field(default=False, description="是否网络小额贷款")
    purpose: str = strawberry.field(default="", description="借款用途")
    manager_id: strawberry.ID | None = strawberry.field(default=None, description="客户经理（默认为录入人）")


@strawberry.input(description="修改草稿状态的贷款申请：只改给出的字段。")
class MicroloanLoanUpdateInput:
    id: strawberry.ID = strawberry.field(description="贷款（全局 id）")
    amount: Decimal | None = strawberry.field(default=strawberry.UNSET, description="申请金额（元）")
    term_months: int | None = strawberry.field(default=strawberry.UNSET, description="期限（月）")
    kind: str | None = strawberry.field(default=strawberry.UNSET, description=f"贷款种类：{_KINDS}")
    online: bool | None = strawberry.field(default=strawberry.UNSET, description="是否网络小额贷款")
    purpose: str | None = strawberry.field(default=strawberry.UNSET, description="借款用途")


@strawberry.input(description="对一笔贷款的操作。")
class MicroloanLoanIdInput:
    id: strawberry.ID = strawberry.field(description="贷款（全局 id）")


@strawberry.input(description="登记贷前调查结果。")
class MicroloanLoanInvestigationInput:
    id: strawberry.ID = strawberry.field(description="贷款（全局 id）")
    findings: str = strawberry.field(description="调查情况")
    conclusion: str = strawberry.field(
        description="调查结论：recommend（建议发放），decline（建议不予发放，贷款即否决）")
    visited_on: dt.date | None = strawberry.field(default=None, description="实地走访日期（默认当日）")
    annual_income: Decimal | None = strawberry.field(default=None, description="借款人年收入（元）")
    total_assets: Decimal | None = strawberry.field(default=None, description="借款人资产总额（元）")
    total_liabilities: Decimal | None = strawberry.field(default=None, description="借款人负债总额（元）")


@strawberry.input(description="登记已签订的借款合同。")
class MicroloanLoanContractInput:
    id: strawberry.ID = strawberry.field(description="贷款（全局 id）")
    contract_no: str = strawberry.field(description="借款合同编号（租户内唯一）")
    signed_on: dt.date | None = strawberry.field(default=None, description="签订日期（默认当日）")


@strawberry.input(description="放款。")
class MicroloanLoanDisburseInput:
    id: strawberry.ID = strawberry.field(description="贷款（全局 id）")
    disbursed_on: dt.date | None = strawberry.field(default=None, description="放款日（起息日，默认当日）")
    first_due_date: dt.date | None = strawberry.field(default=None, description="首期应还日（默认放款日后一个月）")
    idempotency_key: str | None = idempotency_key_field()


@strawberry.input(description="修改小额贷款设置：只改给出的字段。")
class MicroloanSettingsUpdateInput:
    number_pattern: str | None = strawberry.field(default=strawberry.UNSET, description="贷款编号规则")
    prior_year_net_assets: Decimal | None = strawberry.field(default=strawberry.UNSET,
                                                             description="上年末净资产（元）；null 清除")
    single_borrower_ratio: Decimal | None = strawberry.field(default=strawberry.UNSET, description="单户比例上限")
    related_group_ratio: Decimal | None = strawberry.field(default=strawberry.UNSET, description="关联方合计比例上限")
    online_consumer_cap: Decimal | None = strawberry.field(default=strawberry.UNSET,
                                                           description="网络小额消费贷款单户余额上限（元）")
    business_cap: Decimal | None = strawberry.field(default=strawberry.UNSET, description="经营贷款单户余额上限（元）")
    approval_routes: list[MicroloanApprovalRouteInput] | None = strawberry.field(
        default=strawberry.UNSET, description="按金额的审批路线（上限递增，最后一条不设上限）")
    class_days: list[MicroloanDaysInput] | None = strawberry.field(
        default=strawberry.UNSET, description=f"五级分类逾期天数起点（{'，'.join(OVERDUE_CLASSES)}，递增）")
    provision_rates: list[MicroloanProvisionRateInput] | None = strawberry.field(
        default=strawberry.UNSET, description="五类贷款的损失准备比例（0 至 1）")
    collection_stages: list[MicroloanDaysInput] | None = strawberry.field(
        default=strawberry.UNSET, description="催收阶段逾期天数起点（递增）")
    remind_days_before: int | None = strawberry.field(default=strawberry.UNSET, description="到期前提醒天数（天）")


@strawberry.type(description="贷款操作的结果：成功时为贷款，否则为 errors。")
class MicroloanLoanPayload:
    loan: MicroloanLoan | None = strawberry.field(default=None, description="贷款（出错时为空）")
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="修改设置的结果。")
class MicroloanSettingsPayload:
    settings: MicroloanSettings | None = strawberry.field(default=None, description="设置（出错时为空）")
    errors: list[UserError] = strawberry.field(default_factory=list)


def _id(value, field: str = "id") -> uuid.UUID:
    return decode_node_id(value, "MicroloanLoan", field=field)


def _settings_data(input: MicroloanSettingsUpdateInput) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name in ("number_pattern", "prior_year_net_assets", "single_borrower_ratio", "related_group_ratio",
                 "online_consumer_cap", "business_cap", "remind_days_before"):
        value = getattr(input, name)
        if value is not strawberry.UNSET:
            data[name] = value
    if input.approval_routes is not strawberry.UNSET:
        data["approval_routes"] = None if input.approval_routes is None else [
            {"steps": r.steps, **({} if r.max is None else {"max": r.max})} for r in input.approval_routes]
    for name in ("class_days", "collection_stages"):
        value = getattr(input, name)
        if value is not strawberry.UNSET:
            data[name] = None if value is None else {d.key: d.days for d in value}
    if input.provision_rates is not strawberry.UNSET:
        data["provision_rates"] = None if input.provision_rates is None else {
            r.risk_class: r.rate for r in input.provision_rates}
    return data


# ---------------------------------------------------------------- root fields --------------------------------------


@strawberry.type
class MicroloanLoanQuery:
    @strawberry.field(description="小额贷款列表，按录入时间倒序，可按状态、借款人、种类筛选，键集分页"
                                  "（需 microloan:loan:read）。")
    def microloan_loans(self, info: strawberry.Info, first: int | None = None, after: str | None = None,
                        filter: MicroloanLoanFilterInput | None = None) -> Connection[MicroloanLoan]:
        f = filter or MicroloanLoanFilterInput()
        lf = queries.LoanFilter(status=f.status, kind=f.kind,
                                customer_id=decode_node_id(f.customer_id, "Customer", field="customerId")
                                if f.customer_id else None)
        s = info.context.session
        page = paginate(info, s, queries.search_statement(s, actor(info), lf), order=list(queries.ORDER),
                        to_node=MicroloanLoan.of, first=first, after=after, descending=True)
        remember_page(info, PAGE_ROWS, (edge.node.row for edge in page.edges))
        return page

    @strawberry.field(description="试算贷款的各项限额：已占用、尚余额度、是否超出"
                                  "（不做任何修改；需 microloan:loan:read）。")
    def microloan_limit_check(self, info: strawberry.Info, loan_id: strawberry.ID) -> list[MicroloanLimitLine]:
        lines = limits.limit_check(info.context.session, actor(info), _id(loan_id, "loanId"))
        return [MicroloanLimitLine.of(x) for x in lines]

    @strawberry.field(description="租户的小额贷款设置（需 microloan:loan:read）。")
    def microloan_settings(self, info: strawberry.Info) -> MicroloanSettings:
        return MicroloanSettings.of(read_settings(info.context.session, actor(info)))


def _loan_payload(fn):
    def run() -> MicroloanLoanPayload:
        return MicroloanLoanPayload(loan=MicroloanLoan.of(fn()))

    return run


@strawberry.type
class MicroloanLoanMutation:
    @strawberry.mutation(description="新建贷款申请（草稿，需 microloan:loan:apply）：检查借款人（客户池、黑名单筛查）、"
                                     "产品在售、金额与期限在产品范围内，并取得贷款编号。")
    def microloan_loan_apply(self, info: strawberry.Info, input: MicroloanLoanApplyInput) -> MicroloanLoanPayload:
        def go():
            data = {"customer_id": decode_node_id(input.customer_id, "Customer", field="customerId"),
                    "product_id": decode_node_id(input.product_id, "MicroloanProduct", field="productId"),
                    "amount": input.amount, "term_months": input.term_months, "kind": input.kind,
                    "online": input.online, "purpose": input.purpose}
            if input.manager_id:
                data["manager_id"] = decode_node_id(input.manager_id, "User", field="managerId")
            return origination.apply(info.context.session, actor(info), data)

        return run_mutation(info, MicroloanLoanPayload, _loan_payload(go))

    @strawberry.mutation(description="修改草稿状态的贷款申请（需 microloan:loan:apply）。")
    def microloan_loan_update(self, info: strawberry.Info, input: MicroloanLoanUpdateInput) -> MicroloanLoanPayload:
        def go():
            data = {n: getattr(input, n) for n in ("amount", "term_months", "kind", "online", "purpose")
                    if getattr(input, n) is not strawberry.UNSET}
            return origination.update_draft(info.context.session, actor(info), _id(input.id), data)

        return run_mutation(info, MicroloanLoanPayload, _loan_payload(go))

    @strawberry.mutation(description="开始贷前调查（草稿 -> 贷前调查，需 microloan:loan:investigate）。")
    def microloan_loan_start_investigation(self, info: strawberry.Info,
                                           input: MicroloanLoanIdInput) -> MicroloanLoanPayload:
        return run_mutation(info, MicroloanLoanPayload, _loan_payload(
            lambda: origination.start_investigation(info.context.session, actor(info), _id(input.id))))

    @strawberry.mutation(description="登记贷前调查结果（需 microloan:loan:investigate）；结论为 decline 时贷款即否决。")
    def microloan_loan_record_investigation(self, info: strawberry.Info,
                                            input: MicroloanLoanInvestigationInput) -> MicroloanLoanPayload:
        def go():
            loan_id = _id(input.id)
            origination.record_investigation(
                info.context.session, actor(info), loan_id, findings=input.findings, conclusion=input.conclusion,
                visited_on=input.visited_on, annual_income=input.annual_income, total_assets=input.total_assets,
                total_liabilities=input.total_liabilities)
            return origination.get_loan(info.context.session, None, loan_id)

        return run_mutation(info, MicroloanLoanPayload, _loan_payload(go))

    @strawberry.mutation(description="提交审批（需 microloan:loan:apply）：先检查各项贷款限额，再按金额进入审批路线。")
    def microloan_loan_submit(self, info: strawberry.Info, input: MicroloanLoanIdInput) -> MicroloanLoanPayload:
        return run_mutation(info, MicroloanLoanPayload, _loan_payload(
            lambda: origination.submit(info.context.session, actor(info), _id(input.id))))

    @strawberry.mutation(description="登记借款合同（已批准 -> 已签约，需 microloan:loan:disburse）。")
    def microloan_loan_sign_contract(self, info: strawberry.Info,
                                     input: MicroloanLoanContractInput) -> MicroloanLoanPayload:
        return run_mutation(info, MicroloanLoanPayload, _loan_payload(
            lambda: origination.sign_contract(info.context.session, actor(info), _id(input.id), input.contract_no,
                                              input.signed_on)))

    @strawberry.mutation(description="放款（已签约 -> 还款中，需 microloan:loan:disburse）：生成并登记还款计划，"
                                     "扣收一次性费用；同一幂等键重复提交只放款一次。")
    def microloan_loan_disburse(self, info: strawberry.Info, input: MicroloanLoanDisburseInput) -> MicroloanLoanPayload:
        return run_mutation(info, MicroloanLoanPayload, _loan_payload(
            lambda: origination.disburse(info.context.session, actor(info), _id(input.id), input.disbursed_on,
                                         input.first_due_date, idempotency_key=input.idempotency_key)))

    @strawberry.mutation(description="修改小额贷款设置（需 microloan:settings:manage）。")
    def microloan_settings_update(self, info: strawberry.Info,
                                  input: MicroloanSettingsUpdateInput) -> MicroloanSettingsPayload:
        return run_mutation(info, MicroloanSettingsPayload, lambda: MicroloanSettingsPayload(
            settings=MicroloanSettings.of(update_settings(info.context.session, actor(info),
                                                          _settings_data(input)))))


QUERIES: tuple = (MicroloanLoanQuery,)
MUTATIONS: tuple = (MicroloanLoanMutation,)
TYPES: tuple = (MicroloanLoan,)
