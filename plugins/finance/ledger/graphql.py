"""GraphQL of the finance plugin: thin resolvers over the areas' services. Root fields: ``financeAccounts``,
``financeVoucherRules``, ``financeVouchers`` (a connection filtered by period, status and word),
``financeTrialBalance``;
mutations ``financeChartInstall``, ``financeAccountAdd``, ``financeAccountUpdate``, ``financeVoucherCreate``,
``financeVoucherReview``, ``financeVoucherPost``, ``financeVoucherReverse``, ``financePeriodClose``. A voucher is
also a Relay node."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import strawberry
from strawberry import relay

from surety.graphql.auth import actor, decode_node_id, parse_uuid
from surety.graphql.errors import UserError, run_mutation
from surety.graphql.loaders import load
from surety.graphql.nodes import load_nodes
from surety.graphql.pagination import Connection, paginate
from surety.plugins.finance.accounts import services as accounts
from surety.plugins.finance.accounts.models import FinanceAccount as AccountRow
from surety.plugins.finance.accounts.templates import CATEGORIES, DIMENSIONS, DIRECTIONS, TEMPLATES
from surety.plugins.finance.ledger import services as ledger
from surety.plugins.finance.rules import services as rules
from surety.plugins.finance.rules.models import FinanceVoucherRule as RuleRow
from surety.plugins.finance.vouchers import services as vouchers
from surety.plugins.finance.vouchers.models import STATUSES, WORDS
from surety.plugins.finance.vouchers.models import FinanceVoucher as VoucherRow
from surety.plugins.finance.vouchers.models import FinanceVoucherLine as LineRow

_TEMPLATES = "，".join(f"{k}（{t.title}）" for k, t in TEMPLATES.items())
_DIMENSIONS = "，".join(f"{k}（{v}）" for k, v in DIMENSIONS.items())
_STATUSES = "，".join(f"{k}（{v}）" for k, v in STATUSES.items())
_WORDS = "，".join(f"{k}（{v}）" for k, v in WORDS.items())
_DIRECTIONS = "，".join(f"{k}（{v}）" for k, v in DIRECTIONS.items())
_CATEGORIES = "，".join(f"{k}（{v}）" for k, v in CATEGORIES.items())


@strawberry.type(description="会计科目。")
class FinanceAccount:
    code: str = strawberry.field(description="科目代码（一级 4 位，每下一级加 2 位）")
    name: str = strawberry.field(description="科目名称")
    direction: str = strawberry.field(description=f"余额方向：{_DIRECTIONS}")
    category: str = strawberry.field(description=f"科目类别：{_CATEGORIES}")
    level: int = strawberry.field(description="科目级次，一级为 1")
    parent_code: str | None = strawberry.field(description="上级科目代码（一级科目为空）")
    dimensions: list[str] = strawberry.field(description=f"必填的辅助核算项：{_DIMENSIONS}")
    active: bool = strawberry.field(description="是否启用（停用后不能再录入凭证）")

    @classmethod
    def of(cls, a: AccountRow) -> FinanceAccount:
        return cls(code=a.code, name=a.name, direction=a.direction, category=a.category, level=a.level,
                   parent_code=a.parent_code, dimensions=list(a.dimension_list), active=a.active)


@strawberry.type(description="凭证分录：一个科目，借贷只有一方非零（红字冲销凭证为负数）。")
class FinanceVoucherLine:
    line_no: int = strawberry.field(description="分录序号，从 1 起")
    account_code: str = strawberry.field(description="科目代码")
    summary: str = strawberry.field(description="摘要")
    debit: Decimal = strawberry.field(description="借方金额（元）")
    credit: Decimal = strawberry.field(description="贷方金额（元）")
    customer_id: strawberry.ID | None = strawberry.field(description="辅助核算：客户 id")
    project_id: strawberry.ID | None = strawberry.field(description="辅助核算：项目 id")
    bank_id: strawberry.ID | None = strawberry.field(description="辅助核算：银行 id")
    department: str | None = strawberry.field(description="辅助核算：部门")

    @classmethod
    def of(cls, x: LineRow) -> FinanceVoucherLine:
        def sid(v):
            return None if v is None else strawberry.ID(str(v))

        return cls(line_no=x.line_no, account_code=x.account_code, summary=x.summary, debit=x.debit, credit=x.credit,
                   customer_id=sid(x.customer_id), project_id=sid(x.project_id), bank_id=sid(x.bank_id),
                   department=x.department)


def _lines(ctx, voucher_ids) -> dict:
    return vouchers.lines_of(ctx.session, voucher_ids)


@strawberry.type(description="记账凭证：按会计期间和凭证字连续编号（如 记-0001），未审核 -> 已审核 -> 已记账；"
                             "审核、记账人不得为制单人；更正只能红字冲销。")
class FinanceVoucher(relay.Node):
    id: relay.NodeID[str]
    number: str = strawberry.field(description="凭证号（凭证字-期内序号）")
    word: str = strawberry.field(description=f"凭证字：{_WORDS}")
    period: str = strawberry.field(description="会计期间 YYYY-MM")
    voucher_date: dt.date = strawberry.field(description="凭证日期（业务日期）")
    summary: str = strawberry.field(description="摘要")
    status: str = strawberry.field(description=f"状态：{_STATUSES}")
    total: Decimal = strawberry.field(description="借方合计（元；红字冲销凭证为负数）")
    maker_id: strawberry.ID | None = strawberry.field(description="制单人用户 id（系统按业务事件生成的凭证为空）")
    reviewer_id: strawberry.ID | None = strawberry.field(description="审核人用户 id")
    poster_id: strawberry.ID | None = strawberry.field(description="记账人用户 id")
    source_event_type: str | None = strawberry.field(description="生成本凭证的业务事件类型")
    reversal_of: strawberry.ID | None = strawberry.field(description="被本凭证红字冲销的原凭证 id")
    reversed_by: strawberry.ID | None = strawberry.field(description="冲销本凭证的红字凭证 id")

    @strawberry.field(description="分录，按序号")
    async def lines(self, info: strawberry.Info) -> list[FinanceVoucherLine]:
        rows = await load(info, "finance_voucher_lines", _lines, parse_uuid(self.id), default=list)
        return [FinanceVoucherLine.of(x) for x in rows]

    @classmethod
    def of(cls, v: VoucherRow) -> FinanceVoucher:
        def sid(value):
            return None if value is None else strawberry.ID(str(value))

        return cls(id=str(v.id), number=v.number, word=v.word, period=v.period, voucher_date=v.voucher_date,
                   summary=v.summary, status=v.status, total=v.total, maker_id=sid(v.maker_id),
                   reviewer_id=sid(v.reviewer_id), poster_id=sid(v.poster_id), source_event_type=v.source_event_type,
                   reversal_of=sid(v.reversal_of), reversed_by=sid(v.reversed_by))

    @classmethod
    def resolve_nodes(cls, *, info, node_ids, required=False):
        return load_nodes(info, VoucherRow, cls.of, node_ids, "finance:voucher:read")


@strawberry.type(description="凭证模板：某类业务事件生成凭证的规则。")
class FinanceVoucherRule:
    event_type: str = strawberry.field(description="业务事件类型（如 GuaranteeFeeReceived）")
    name: str = strawberry.field(description="模板名称")
    word: str = strawberry.field(description=f"凭证字：{_WORDS}")
    summary: str = strawberry.field(description="摘要模板（{字段} 取事件数据）")
    date_field: str = strawberry.field(description="取凭证日期的事件字段")
    lines: strawberry.scalars.JSON = strawberry.field(
        description="分录规则：科目、借贷方向、金额表达式、条件、辅助核算")
    active: bool = strawberry.field(description="是否启用")

    @classmethod
    def of(cls, r: RuleRow) -> FinanceVoucherRule:
        return cls(event_type=r.event_type, name=r.name, word=r.word, summary=r.summary, date_field=r.date_field,
                   lines=r.lines, active=r.active)


@strawberry.type(description="科目余额表的一行（余额按所在方向列示，单位：元）。")
class FinanceTrialBalanceRow:
    code: str = strawberry.field(description="科目代码")
    name: str = strawberry.field(description="科目名称")
    level: int = strawberry.field(description="科目级次")
    opening_debit: Decimal = strawberry.field(description="期初借方余额（元）")
    opening_credit: Decimal = strawberry.field(description="期初贷方余额（元）")
    debit: Decimal = strawberry.field(description="本期借方发生额（元）")
    credit: Decimal = strawberry.field(description="本期贷方发生额（元）")
    closing_debit: Decimal = strawberry.field(description="期末借方余额（元）")
    closing_credit: Decimal = strawberry.field(description="期末贷方余额（元）")


@strawberry.type(description="科目余额表（试算平衡表）：只含有发生额或余额的科目，上级科目为下级之和。")
class FinanceTrialBalance:
    period: str = strawberry.field(description="会计期间 YYYY-MM")
    rows: list[FinanceTrialBalanceRow] = strawberry.field(description="各级科目，按代码排序")
    totals: FinanceTrialBalanceRow = strawberry.field(description="一级科目合计")
    balanced: bool = strawberry.field(description="是否平衡：期初、本期、期末借贷合计各自相等")


def _row(r) -> FinanceTrialBalanceRow:
    return FinanceTrialBalanceRow(code=r.code, name=r.name, level=r.level, opening_debit=r.opening_debit,
                                  opening_credit=r.opening_credit, debit=r.debit, credit=r.credit,
                                  closing_debit=r.closing_debit, closing_credit=r.closing_credit)


@strawberry.type
class FinanceQuery:
    @strawberry.field(description="租户的会计科目，按代码排序（需 finance:voucher:read；停用科目仅在要求时列出）。")
    def finance_accounts(self, info: strawberry.Info, include_inactive: bool = False) -> list[FinanceAccount]:
        rows = accounts.list_accounts(info.context.session, actor(info), include_inactive=include_inactive)
        return [FinanceAccount.of(a) for a in rows]

    @strawberry.field(description="租户的凭证模板，按事件类型排序（需 finance:voucher:read）。")
    def finance_voucher_rules(self, info: strawberry.Info) -> list[FinanceVoucherRule]:
        return [FinanceVoucherRule.of(r) for r in rules.list_rules(info.context.session, actor(info))]

    @strawberry.field(description="凭证列表，按期间、凭证字、凭证号排序，可按期间、状态、凭证字筛选"
                                  "（需 finance:voucher:read）。")
    def finance_vouchers(self, info: strawberry.Info, period: str | None = None, status: str | None = None,
                         word: str | None = None, first: int | None = None,
                         after: str | None = None) -> Connection[FinanceVoucher]:
        s = info.context.session
        stmt = vouchers.voucher_query(s, actor(info), period=period, status=status, word=word)
        return paginate(info, s, stmt, order=list(vouchers.VOUCHER_ORDER), to_node=FinanceVoucher.of, first=first,
                        after=after)

    @strawberry.field(description="科目余额表（需 finance:voucher:read）：默认只含已记账凭证，"
                                  "includeUnposted 为真时含未记账凭证。")
    def finance_trial_balance(self, info: strawberry.Info, period: str,
                              include_unposted: bool = False) -> FinanceTrialBalance:
        tb = ledger.trial_balance(info.context.session, actor(info), period, include_unposted=include_unposted)
        t = tb.totals()
        totals = FinanceTrialBalanceRow(code="", name="合计", level=1, **t)
        return FinanceTrialBalance(period=tb.period, rows=[_row(r) for r in tb.rows], totals=totals,
                                   balanced=tb.balanced)


@strawberry.input(description="凭证分录：借方或贷方只填一方（元）。")
class FinanceVoucherLineInput:
    account: str = strawberry.field(description="科目代码（末级科目）")
    debit: Decimal | None = strawberry.field(default=None, description="借方金额（元）")
    credit: Decimal | None = strawberry.field(default=None, description="贷方金额（元）")
    summary: str | None = strawberry.field(default=None, description="摘要（默认取凭证摘要）")
    customer_id: strawberry.ID | None = strawberry.field(default=None, description="辅助核算：客户 id")
    project_id: strawberry.ID | None = strawberry.field(default=None, description="辅助核算：项目 id")
    bank_id: strawberry.ID | None = strawberry.field(default=None, description="辅助核算：银行 id")
    department: str | None = strawberry.field(default=None, description="辅助核算：部门")


@strawberry.input(description="录入凭证（制单）：借贷必须平衡到分。")
class FinanceVoucherCreateInput:
    voucher_date: dt.date = strawberry.field(description="凭证日期（业务日期），所在期间须未结账")
    word: str = strawberry.field(description=f"凭证字：{_WORDS}")
    summary: str = strawberry.field(description="摘要")
    lines: list[FinanceVoucherLineInput] = strawberry.field(description="分录，至少一条")


@strawberry.input(description="新增会计科目。")
class FinanceAccountAddInput:
    code: str = strawberry.field(description="科目代码：一级 4 位，每下一级加 2 位，上级科目须已存在")
    name: str = strawberry.field(description="科目名称")
    direction: str | None = strawberry.field(default=None, description="余额方向 debit / credit（默认同上级）")
    category: str | None = strawberry.field(default=None, description="科目类别（默认同上级）")
    dimensions: list[str] | None = strawberry.field(default=None,
                                                    description=f"辅助核算项：{_DIMENSIONS}（默认同上级）")


@strawberry.input(description="修改会计科目：只改给出的字段；代码、方向、类别不可改。")
class FinanceAccountUpdateInput:
    code: str = strawberry.field(description="科目代码")
    name: str | None = strawberry.field(default=strawberry.UNSET, description="科目名称")
    active: bool | None = strawberry.field(default=strawberry.UNSET, description="是否启用")
    dimensions: list[str] | None = strawberry.field(default=strawberry.UNSET, description="辅助核算项")


@strawberry.type(description="凭证操作的结果：成功时为凭证，否则为 errors。")
class FinanceVoucherPayload:
    voucher: FinanceVoucher | None = strawberry.field(default=None, description="凭证（出错时为空）")
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="科目操作的结果。")
class FinanceAccountPayload:
    account: FinanceAccount | None = strawberry.field(default=None, description="科目（出错时为空）")
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="安装科目表的结果。")
class FinanceChartInstallPayload:
    template_key: str | None = strawberry.field(default=None, description="已安装的科目表模板")
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="结账的结果。")
class FinancePeriodClosePayload:
    period: str | None = strawberry.field(default=None, description="已结账的会计期间")
    errors: list[UserError] = strawberry.field(default_factory=list)


def _voucher_id(value: strawberry.ID):
    return decode_node_id(value, "FinanceVoucher", field="voucherId")


def _voucher_payload(row: VoucherRow) -> FinanceVoucherPayload:
    return FinanceVoucherPayload(voucher=FinanceVoucher.of(row))


@strawberry.type
class FinanceMutation:
    @strawberry.mutation(description=f"安装科目表模板及其默认凭证模板（需 finance:chart:manage）：{_TEMPLATES}。"
                                     "写入第一张凭证前可改选其他模板。")
    def finance_chart_install(self, info: strawberry.Info, template_key: str) -> FinanceChartInstallPayload:
        return run_mutation(info, FinanceChartInstallPayload, lambda: FinanceChartInstallPayload(
            template_key=rules.install_chart(info.context.session, actor(info), template_key)))

    @strawberry.mutation(description="新增会计科目（需 finance:chart:manage）。")
    def finance_account_add(self, info: strawberry.Info, input: FinanceAccountAddInput) -> FinanceAccountPayload:
        data = {n: getattr(input, n) for n in ("code", "name", "direction", "category", "dimensions")
                if getattr(input, n) is not None}
        return run_mutation(info, FinanceAccountPayload, lambda: FinanceAccountPayload(
            account=FinanceAccount.of(accounts.add_account(info.context.session, actor(info), data))))

    @strawberry.mutation(description="修改、停用会计科目（需 finance:chart:manage）。")
    def finance_account_update(self, info: strawberry.Info,
                               input: FinanceAccountUpdateInput) -> FinanceAccountPayload:
        data = {n: getattr(input, n) for n in ("name", "active", "dimensions")
                if getattr(input, n) is not strawberry.UNSET}
        return run_mutation(info, FinanceAccountPayload, lambda: FinanceAccountPayload(
            account=FinanceAccount.of(accounts.update_account(info.context.session, actor(info), input.code, data))))

    @strawberry.mutation(description="录入凭证（需 finance:voucher:make），生成未审核凭证并编号。")
    def finance_voucher_create(self, info: strawberry.Info,
                               input: FinanceVoucherCreateInput) -> FinanceVoucherPayload:
        lines = [{n: getattr(x, n) for n in ("account", "debit", "credit", "summary", "customer_id", "project_id",
                                              "bank_id", "department")} for x in input.lines]
        return run_mutation(info, FinanceVoucherPayload, lambda: _voucher_payload(vouchers.create_voucher(
            info.context.session, actor(info), voucher_date=input.voucher_date, word=input.word,
            summary=input.summary, lines=lines)))

    @strawberry.mutation(description="审核凭证（需 finance:voucher:review；审核人不得为制单人）。")
    def finance_voucher_review(self, info: strawberry.Info, voucher_id: strawberry.ID) -> FinanceVoucherPayload:
        return run_mutation(info, FinanceVoucherPayload, lambda: _voucher_payload(
            vouchers.review_voucher(info.context.session, actor(info), _voucher_id(voucher_id))))

    @strawberry.mutation(description="记账（需 finance:voucher:post；只记已审核凭证，记账人不得为制单人）。")
    def finance_voucher_post(self, info: strawberry.Info, voucher_id: strawberry.ID) -> FinanceVoucherPayload:
        return run_mutation(info, FinanceVoucherPayload, lambda: _voucher_payload(
            vouchers.post_voucher(info.context.session, actor(info), _voucher_id(voucher_id))))

    @strawberry.mutation(description="红字冲销凭证（需 finance:voucher:make）：生成金额取负的新凭证，"
                                     "日期默认为当前业务日期。")
    def finance_voucher_reverse(self, info: strawberry.Info, voucher_id: strawberry.ID,
                                voucher_date: dt.date | None = None) -> FinanceVoucherPayload:
        return run_mutation(info, FinanceVoucherPayload, lambda: _voucher_payload(vouchers.reverse_voucher(
            info.context.session, actor(info), _voucher_id(voucher_id), voucher_date=voucher_date)))

    @strawberry.mutation(description="结账（需 finance:period:close）：期间内凭证须全部记账。")
    def finance_period_close(self, info: strawberry.Info, period: str) -> FinancePeriodClosePayload:
        return run_mutation(info, FinancePeriodClosePayload, lambda: FinancePeriodClosePayload(
            period=vouchers.close_period(info.context.session, actor(info), period).period))


QUERIES: tuple = (FinanceQuery,)
MUTATIONS: tuple = (FinanceMutation,)
TYPES: tuple = (FinanceVoucher,)
