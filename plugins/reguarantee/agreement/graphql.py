"""GraphQL of programmes and cooperation agreements: thin resolvers over ``agreement.programmes`` and
``agreement.services`` (root fields ``reguaranteeProgrammes``, ``reguaranteeProgrammeCreate``,
``reguaranteeProgrammeUpdate``, ``reguaranteeAgreements``, ``reguaranteeAgreementCreate``,
``reguaranteeAgreementUpdate``, ``reguaranteeAgreementActivate``, ``reguaranteeFeePreview``,
``reguaranteeEligibilityCheck``)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import strawberry
from sqlalchemy import select
from strawberry import relay
from strawberry.scalars import JSON

from surety.core import units
from surety.core.errors import ValidationFailed
from surety.graphql.auth import actor, allowed, decode_node_id
from surety.graphql.errors import UserError, run_mutation
from surety.graphql.loaders import load
from surety.graphql.nodes import load_nodes
from surety.graphql.pagination import Connection, paginate
from surety.graphql.units import AmountUnit, shown
from surety.plugins.reguarantee.agreement import programmes, services
from surety.plugins.reguarantee.agreement.models import ReguaranteeAgreement as AgreementRow
from surety.plugins.reguarantee.agreement.models import ReguaranteeProgramme as ProgrammeRow
from surety.plugins.reguarantee.agreement.permissions import AGREEMENT
from surety.plugins.reguarantee.conventions import AGREEMENT_STATUSES, SHARE_PARTIES
from surety.plugins.reguarantee.partner.graphql import ReguaranteePartner
from surety.plugins.reguarantee.partner.models import ReguaranteePartner as PartnerRow
from surety.plugins.reguarantee.partner.permissions import PARTNER

_STATUSES = "，".join(f"{k}（{v}）" for k, v in AGREEMENT_STATUSES.items())
_OPS = "，".join(services.rules.OPS)


@strawberry.type(description="分险比例（小数，四方合计为 1）。")
class ReguaranteeSplit:
    original: Decimal = strawberry.field(description=f"{SHARE_PARTIES['original']}承担比例（含舍入尾差）")
    reguarantor: Decimal = strawberry.field(description=f"{SHARE_PARTIES['reguarantor']}承担比例")
    national_fund: Decimal = strawberry.field(description=f"{SHARE_PARTIES['national_fund']}承担比例")
    bank: Decimal = strawberry.field(description=f"{SHARE_PARTIES['bank']}承担比例")

    @classmethod
    def of(cls, parts: dict) -> ReguaranteeSplit:
        return cls(**{p: Decimal(str(parts[p])) for p in services.rules.PARTIES})


@strawberry.input(description="分险比例（小数，四方合计须为 1，如 0.4 / 0.2 / 0.2 / 0.2）。")
class ReguaranteeSplitInput:
    original: Decimal = strawberry.field(description="原担保机构承担比例")
    reguarantor: Decimal = strawberry.field(description="再担保机构（本公司）承担比例")
    national_fund: Decimal = strawberry.field(description="国家融资担保基金承担比例（不超过业务品种的上限）")
    bank: Decimal = strawberry.field(description="银行承担比例")

    def parts(self) -> dict[str, Decimal]:
        return {p: getattr(self, p) for p in services.rules.PARTIES}


@strawberry.type(description="准入条件（一条规则）：备案字段 field 与 value 按 op 比较，不满足时提示 message。")
class ReguaranteeEligibilityRule:
    field: str = strawberry.field(description="备案字段名，如 scope、debt_ratio")
    op: str = strawberry.field(description=f"比较方式：{_OPS}")
    value: JSON = strawberry.field(description="比较值：in / not_in 为列表，其余为数字或文本")
    message: str = strawberry.field(description="不满足时的原因（中文）")


@strawberry.input(description="准入条件（一条规则）。")
class ReguaranteeEligibilityRuleInput:
    field: str = strawberry.field(description="备案字段名，如 scope、debt_ratio")
    op: str = strawberry.field(description=f"比较方式：{_OPS}")
    value: JSON = strawberry.field(description="比较值：in / not_in 为列表，如 [\"小微\", \"三农\"]；其余为数字或文本")
    message: str = strawberry.field(description="不满足时的原因（中文），如 资产负债率须不高于 70%")


def _rules(rows: list) -> list[ReguaranteeEligibilityRule]:
    return [ReguaranteeEligibilityRule(field=r["field"], op=r["op"], value=r["value"], message=r["message"])
            for r in rows]


@strawberry.type(description="再担保业务品种（如标准业务、科技创新、民间投资）：协议未单独约定时沿用其条件。")
class ReguaranteeProgramme(relay.Node):
    id: relay.NodeID[str]
    code: str = strawberry.field(description="品种代码（租户内唯一）")
    name: str = strawberry.field(description="品种名称")
    active: bool = strawberry.field(description="是否可用于新协议")
    fund_share_max: Decimal = strawberry.field(description="国家融资担保基金承担比例上限（小数）")
    split: ReguaranteeSplit = strawberry.field(description="默认分险比例")
    household_cap: Decimal = strawberry.field(description="单户再担保余额上限（元，含本数）")
    base_fee_rate: Decimal = strawberry.field(description="再担保费年费率（小数，按本公司承担部分计收）")
    reduced_fee_rate: Decimal | None = strawberry.field(description="优惠年费率：单笔担保金额不超过门槛时适用")
    reduced_threshold: Decimal | None = strawberry.field(description="优惠费率门槛（元，含本数）")
    fee_multiplier: Decimal = strawberry.field(description="费率系数（0.5 即减半）")

    @classmethod
    def of(cls, p: ProgrammeRow) -> ReguaranteeProgramme:
        return cls(id=str(p.id), code=p.code, name=p.name, active=p.active, fund_share_max=p.fund_share_max,
                   split=ReguaranteeSplit.of(p.split), household_cap=p.household_cap, base_fee_rate=p.base_fee_rate,
                   reduced_fee_rate=p.reduced_fee_rate, reduced_threshold=p.reduced_threshold,
                   fee_multiplier=p.fee_multiplier)

    @classmethod
    def resolve_nodes(cls, *, info, node_ids, required=False):
        return load_nodes(info, ProgrammeRow, cls.of, node_ids, f"{AGREEMENT}:read")


def _partners(ctx, ids) -> dict:
    return {r.id: ReguaranteePartner.of(r) for r in ctx.session.scalars(select(PartnerRow)
                                                                        .where(PartnerRow.id.in_(list(ids))))}


def _programmes(ctx, ids) -> dict:
    return {r.id: ReguaranteeProgramme.of(r) for r in ctx.session.scalars(select(ProgrammeRow)
                                                                          .where(ProgrammeRow.id.in_(list(ids))))}


@strawberry.type(description="再担保合作协议：合作额度、有效期、分险比例、费率、单户上限与准入条件。")
class ReguaranteeAgreement(relay.Node):
    id: relay.NodeID[str]
    row: strawberry.Private[AgreementRow]
    agreement_no: str = strawberry.field(description="协议编号（租户内唯一）")
    line_amount: Decimal = strawberry.field(description="合作额度（元）")
    valid_from: dt.date = strawberry.field(description="有效期起")
    valid_to: dt.date = strawberry.field(description="有效期止（含当日）")
    split: ReguaranteeSplit = strawberry.field(description="分险比例")
    base_fee_rate: Decimal = strawberry.field(description="再担保费年费率（小数）")
    reduced_fee_rate: Decimal | None = strawberry.field(description="优惠年费率")
    reduced_threshold: Decimal | None = strawberry.field(description="优惠费率门槛（元，单笔担保金额不超过时适用）")
    fee_multiplier: Decimal = strawberry.field(description="费率系数（0.5 即减半）")
    household_cap: Decimal = strawberry.field(description="单户再担保余额上限（元，含本数）")
    eligibility_rules: list[ReguaranteeEligibilityRule] = strawberry.field(description="准入条件")
    status: str = strawberry.field(description=f"协议状态：{_STATUSES}")
    status_label: str = strawberry.field(description="协议状态的中文名称")

    @strawberry.field(description="合作机构（无 reguarantee:partner:read 时为空）")
    async def partner(self, info: strawberry.Info) -> ReguaranteePartner | None:
        if not allowed(info, f"{PARTNER}:read"):
            return None
        return await load(info, "reguarantee.partners", _partners, self.row.partner_id)

    @strawberry.field(description="业务品种")
    async def programme(self, info: strawberry.Info) -> ReguaranteeProgramme | None:
        return await load(info, "reguarantee.programmes", _programmes, self.row.programme_id)

    @classmethod
    def of(cls, a: AgreementRow) -> ReguaranteeAgreement:
        return cls(id=str(a.id), row=a, agreement_no=a.agreement_no, line_amount=a.line_amount,
                   valid_from=a.valid_from, valid_to=a.valid_to, split=ReguaranteeSplit.of(services.split_of(a)),
                   base_fee_rate=a.base_fee_rate, reduced_fee_rate=a.reduced_fee_rate,
                   reduced_threshold=a.reduced_threshold, fee_multiplier=a.fee_multiplier,
                   household_cap=a.household_cap, eligibility_rules=_rules(a.eligibility_rules or []),
                   status=a.status, status_label=AGREEMENT_STATUSES.get(a.status, a.status))

    @classmethod
    def resolve_nodes(cls, *, info, node_ids, required=False):
        return load_nodes(info, AgreementRow, cls.of, node_ids, f"{AGREEMENT}:read")


@strawberry.type(description="分险金额：某一方承担的部分。")
class ReguaranteeShareAmount:
    party: str = strawberry.field(description="承担方：original（原担保机构），reguarantor（本公司），"
                                              "national_fund（国家融资担保基金），bank（银行）")
    party_label: str = strawberry.field(description="承担方的中文名称")
    ratio: Decimal = strawberry.field(description="承担比例（小数）")
    amount: Decimal = strawberry.field(description="承担金额（单位见 amountUnit）")


@strawberry.type(description="再担保费试算结果（不保存）。")
class ReguaranteeFeePreview:
    amount_unit: AmountUnit = strawberry.field(description="本结果中所有金额的单位")
    amount: Decimal = strawberry.field(description="单笔担保金额")
    shares: list[ReguaranteeShareAmount] = strawberry.field(description="各方分险金额（精确到分，尾差归原担保机构）")
    fee_rate: Decimal = strawberry.field(description="适用年费率（小数，已乘费率系数）")
    annual_fee: Decimal = strawberry.field(description="年再担保费（本公司承担部分 × 年费率）")
    term_days: int = strawberry.field(description="期限（天）")
    fee: Decimal = strawberry.field(description="期限内再担保费（按实际天数/365 折算，四舍五入到分）")
    customer_balance: Decimal = strawberry.field(description="该户已有再担保余额")
    household_cap: Decimal = strawberry.field(description="单户上限")
    cap_headroom: Decimal = strawberry.field(description="计入本笔后距单户上限的余量（负数为超出）")
    within_household_cap: bool = strawberry.field(description="计入本笔后是否不超过单户上限（等于上限视为未超）")


@strawberry.type(description="准入条件检查结果。")
class ReguaranteeEligibility:
    eligible: bool = strawberry.field(description="是否满足全部准入条件")
    reasons: list[str] = strawberry.field(description="未满足的每条准入条件的原因（中文，按规则顺序）")


@strawberry.input(description="新建再担保业务品种。")
class ReguaranteeProgrammeCreateInput:
    code: str = strawberry.field(description="品种代码（租户内唯一）")
    name: str = strawberry.field(description="品种名称")
    fund_share_max: Decimal = strawberry.field(description="国家融资担保基金承担比例上限（小数）")
    split: ReguaranteeSplitInput = strawberry.field(description="默认分险比例")
    household_cap: Decimal = strawberry.field(description="单户再担保余额上限（元）")
    base_fee_rate: Decimal = strawberry.field(description="再担保费年费率（小数，0.005 即 0.5%）")
    reduced_fee_rate: Decimal | None = strawberry.field(default=None, description="优惠年费率（小数）")
    reduced_threshold: Decimal | None = strawberry.field(default=None, description="优惠费率门槛（元）")
    fee_multiplier: Decimal = strawberry.field(default=Decimal(1), description="费率系数（0.5 即减半）")


@strawberry.input(description="修改再担保业务品种：只改给出的字段（已有协议不受影响）。")
class ReguaranteeProgrammeUpdateInput:
    id: strawberry.ID = strawberry.field(description="业务品种 id")
    code: str | None = strawberry.field(default=strawberry.UNSET, description="品种代码")
    name: str | None = strawberry.field(default=strawberry.UNSET, description="品种名称")
    active: bool | None = strawberry.field(default=strawberry.UNSET, description="是否可用于新协议")
    fund_share_max: Decimal | None = strawberry.field(default=strawberry.UNSET, description="基金承担比例上限")
    split: ReguaranteeSplitInput | None = strawberry.field(default=strawberry.UNSET, description="默认分险比例")
    household_cap: Decimal | None = strawberry.field(default=strawberry.UNSET, description="单户上限（元）")
    base_fee_rate: Decimal | None = strawberry.field(default=strawberry.UNSET, description="年费率（小数）")
    reduced_fee_rate: Decimal | None = strawberry.field(default=strawberry.UNSET, description="优惠年费率（小数）")
    reduced_threshold: Decimal | None = strawberry.field(default=strawberry.UNSET, description="优惠费率门槛（元）")
    fee_multiplier: Decimal | None = strawberry.field(default=strawberry.UNSET, description="费率系数")


@strawberry.input(description="新建再担保合作协议（草稿）；分险比例、费率、单户上限不填时沿用业务品种的。")
class ReguaranteeAgreementCreateInput:
    agreement_no: str = strawberry.field(description="协议编号（租户内唯一）")
    partner_id: strawberry.ID = strawberry.field(description="合作机构 id")
    programme_id: strawberry.ID = strawberry.field(description="业务品种 id")
    line_amount: Decimal = strawberry.field(description="合作额度（元）")
    valid_from: dt.date = strawberry.field(description="有效期起")
    valid_to: dt.date = strawberry.field(description="有效期止")
    split: ReguaranteeSplitInput | None = strawberry.field(default=None, description="分险比例")
    base_fee_rate: Decimal | None = strawberry.field(default=None, description="再担保费年费率（小数）")
    reduced_fee_rate: Decimal | None = strawberry.field(default=None, description="优惠年费率（小数）")
    reduced_threshold: Decimal | None = strawberry.field(default=None, description="优惠费率门槛（元）")
    fee_multiplier: Decimal | None = strawberry.field(default=None, description="费率系数（0.5 即减半）")
    household_cap: Decimal | None = strawberry.field(default=None, description="单户再担保余额上限（元）")
    eligibility_rules: list[ReguaranteeEligibilityRuleInput] | None = strawberry.field(
        default=None, description="准入条件")


@strawberry.input(description="修改草稿协议：只改给出的字段。")
class ReguaranteeAgreementUpdateInput:
    id: strawberry.ID = strawberry.field(description="协议 id")
    agreement_no: str | None = strawberry.field(default=strawberry.UNSET, description="协议编号")
    partner_id: strawberry.ID | None = strawberry.field(default=strawberry.UNSET, description="合作机构 id")
    programme_id: strawberry.ID | None = strawberry.field(default=strawberry.UNSET, description="业务品种 id")
    line_amount: Decimal | None = strawberry.field(default=strawberry.UNSET, description="合作额度（元）")
    valid_from: dt.date | None = strawberry.field(default=strawberry.UNSET, description="有效期起")
    valid_to: dt.date | None = strawberry.field(default=strawberry.UNSET, description="有效期止")
    split: ReguaranteeSplitInput | None = strawberry.field(default=strawberry.UNSET, description="分险比例")
    base_fee_rate: Decimal | None = strawberry.field(default=strawberry.UNSET, description="年费率（小数）")
    reduced_fee_rate: Decimal | None = strawberry.field(default=strawberry.UNSET, description="优惠年费率（小数）")
    reduced_threshold: Decimal | None = strawberry.field(default=strawberry.UNSET, description="优惠费率门槛（元）")
    fee_multiplier: Decimal | None = strawberry.field(default=strawberry.UNSET, description="费率系数")
    household_cap: Decimal | None = strawberry.field(default=strawberry.UNSET, description="单户上限（元）")
    eligibility_rules: list[ReguaranteeEligibilityRuleInput] | None = strawberry.field(
        default=strawberry.UNSET, description="准入条件（整体替换）")


@strawberry.input(description="协议列表的筛选条件（均可不填）。")
class ReguaranteeAgreementFilterInput:
    partner_id: strawberry.ID | None = strawberry.field(default=None, description="合作机构 id")
    programme_id: strawberry.ID | None = strawberry.field(default=None, description="业务品种 id")
    status: str | None = strawberry.field(default=None, description=f"协议状态：{_STATUSES}")


@strawberry.type(description="新建或修改业务品种的结果。")
class ReguaranteeProgrammePayload:
    programme: ReguaranteeProgramme | None = strawberry.field(default=None, description="业务品种（出错时为空）")
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="协议操作的结果：成功时为协议，否则为 errors。")
class ReguaranteeAgreementPayload:
    agreement: ReguaranteeAgreement | None = strawberry.field(default=None, description="协议（出错时为空）")
    errors: list[UserError] = strawberry.field(default_factory=list)


def _values(obj: Any, names: tuple[str, ...], *, skip_none: bool) -> dict[str, Any]:
    """The input's fields as service data: UNSET left out (and None when ``skip_none``), ids decoded, the split and
    rules as plain data."""
    out: dict[str, Any] = {}
    for n in names:
        v = getattr(obj, n, strawberry.UNSET)
        if v is strawberry.UNSET or (skip_none and v is None):
            continue
        if n == "split" and v is not None:
            v = v.parts()
        elif n == "eligibility_rules" and v is not None:
            v = [{"field": r.field, "op": r.op, "value": r.value, "message": r.message} for r in v]
        elif n == "partner_id" and v is not None:
            v = decode_node_id(v, "ReguaranteePartner", field="partnerId")
        elif n == "programme_id" and v is not None:
            v = decode_node_id(v, "ReguaranteeProgramme", field="programmeId")
        out[n] = v
    return out


def _agreement_mutation(info, run) -> ReguaranteeAgreementPayload:
    return run_mutation(info, ReguaranteeAgreementPayload,
                        lambda: ReguaranteeAgreementPayload(agreement=ReguaranteeAgreement.of(run())))


def _programme_mutation(info, run) -> ReguaranteeProgrammePayload:
    return run_mutation(info, ReguaranteeProgrammePayload,
                        lambda: ReguaranteeProgrammePayload(programme=ReguaranteeProgramme.of(run())))


def _aid(value: Any, field: str = "id"):
    return decode_node_id(value, "ReguaranteeAgreement", field=field)


@strawberry.type
class ReguaranteeAgreementQuery:
    @strawberry.field(description="再担保业务品种，按代码排序（需 reguarantee:agreement:read；"
                                  "首次读取时创建默认品种）。")
    def reguarantee_programmes(self, info: strawberry.Info) -> list[ReguaranteeProgramme]:
        return [ReguaranteeProgramme.of(p) for p in programmes.list_programmes(info.context.session, actor(info))]

    @strawberry.field(description="再担保合作协议列表，按有效期起倒序，可按合作机构、业务品种、状态筛选，键集分页"
                                  "（需 reguarantee:agreement:read）。")
    def reguarantee_agreements(self, info: strawberry.Info, first: int | None = None, after: str | None = None,
                               filter: ReguaranteeAgreementFilterInput | None = None
                               ) -> Connection[ReguaranteeAgreement]:
        f = filter or ReguaranteeAgreementFilterInput()
        af = services.AgreementFilter(
            partner_id=decode_node_id(f.partner_id, "ReguaranteePartner", field="partnerId") if f.partner_id else None,
            programme_id=decode_node_id(f.programme_id, "ReguaranteeProgramme", field="programmeId")
            if f.programme_id else None, status=f.status)
        s = info.context.session
        return paginate(info, s, services.search_statement(s, actor(info), af), order=list(services.ORDER),
                        to_node=ReguaranteeAgreement.of, first=first, after=after, descending=True)

    @strawberry.field(description="按协议试算一笔担保的分险金额、本公司承担部分的再担保费（实际天数/365，四舍五入到分）"
                                  "及单户上限检查（不保存；需 reguarantee:agreement:read）。amount、customerBalance "
                                  "及结果中的金额均以 unit 为单位（默认元）。")
    def reguarantee_fee_preview(self, info: strawberry.Info, agreement_id: strawberry.ID, amount: Decimal,
                                term_days: int, customer_balance: Decimal = Decimal(0),
                                unit: AmountUnit = AmountUnit.YUAN) -> ReguaranteeFeePreview:
        p = services.fee_preview(info.context.session, actor(info), _aid(agreement_id, "agreementId"),
                                 units.to_yuan(amount, unit.value, "amount", positive=True), term_days,
                                 units.to_yuan(customer_balance, unit.value, "customerBalance"))
        split = services.split_of(p.agreement)
        return ReguaranteeFeePreview(
            amount_unit=unit, amount=shown(p.amount, unit),
            shares=[ReguaranteeShareAmount(party=k, party_label=SHARE_PARTIES[k], ratio=split[k],
                                           amount=shown(v, unit)) for k, v in p.shares.items()],
            fee_rate=p.fee.rate, annual_fee=shown(p.fee.annual_fee, unit), term_days=p.fee.days,
            fee=shown(p.fee.fee, unit), customer_balance=shown(p.cap.balance, unit),
            household_cap=shown(p.cap.cap, unit), cap_headroom=shown(p.cap.headroom, unit),
            within_household_cap=p.cap.within)

    @strawberry.field(description="按协议的准入条件检查一笔备案的字段（不保存；需 reguarantee:agreement:read），"
                                  "返回未满足的每条条件的原因。"
                                  "fields 如 {\"scope\": \"小微\", \"debt_ratio\": \"0.65\"}。")
    def reguarantee_eligibility_check(self, info: strawberry.Info, agreement_id: strawberry.ID,
                                      fields: JSON) -> ReguaranteeEligibility:
        if not isinstance(fields, dict):
            raise ValidationFailed("fields is an object of field name -> value.", field="fields")
        reasons = services.eligibility_check(info.context.session, actor(info), _aid(agreement_id, "agreementId"),
                                             fields)
        return ReguaranteeEligibility(eligible=not reasons, reasons=reasons)


@strawberry.type
class ReguaranteeAgreementMutation:
    @strawberry.mutation(description="新建再担保业务品种（需 reguarantee:programme:manage）。")
    def reguarantee_programme_create(self, info: strawberry.Info,
                                     input: ReguaranteeProgrammeCreateInput) -> ReguaranteeProgrammePayload:
        data = _values(input, programmes.FIELDS, skip_none=False)
        return _programme_mutation(info, lambda: programmes.create_programme(info.context.session, actor(info), data))

    @strawberry.mutation(description="修改再担保业务品种（需 reguarantee:programme:manage；已有协议不受影响）。")
    def reguarantee_programme_update(self, info: strawberry.Info,
                                     input: ReguaranteeProgrammeUpdateInput) -> ReguaranteeProgrammePayload:
        return _programme_mutation(info, lambda: programmes.update_programme(
            info.context.session, actor(info), decode_node_id(input.id, "ReguaranteeProgramme"),
            _values(input, programmes.FIELDS, skip_none=False)))

    @strawberry.mutation(description="新建再担保合作协议（草稿；需 reguarantee:agreement:manage）。")
    def reguarantee_agreement_create(self, info: strawberry.Info,
                                     input: ReguaranteeAgreementCreateInput) -> ReguaranteeAgreementPayload:
        return _agreement_mutation(info, lambda: services.create_agreement(
            info.context.session, actor(info), _values(input, services.FIELDS, skip_none=True)))

    @strawberry.mutation(description="修改草稿协议（需 reguarantee:agreement:manage；已生效或已到期的不可修改）。")
    def reguarantee_agreement_update(self, info: strawberry.Info,
                                     input: ReguaranteeAgreementUpdateInput) -> ReguaranteeAgreementPayload:
        return _agreement_mutation(info, lambda: services.update_agreement(
            info.context.session, actor(info), _aid(input.id), _values(input, services.FIELDS, skip_none=False)))

    @strawberry.mutation(description="协议生效：草稿 -> 生效（需 reguarantee:agreement:manage；合作机构须为合作中）。")
    def reguarantee_agreement_activate(self, info: strawberry.Info, id: strawberry.ID) -> ReguaranteeAgreementPayload:
        return _agreement_mutation(info, lambda: services.activate_agreement(info.context.session, actor(info),
                                                                             _aid(id)))


QUERIES: tuple = (ReguaranteeAgreementQuery,)
MUTATIONS: tuple = (ReguaranteeAgreementMutation,)
TYPES: tuple = (ReguaranteeAgreement, ReguaranteeProgramme)
