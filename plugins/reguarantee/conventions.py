"""The words every area of the re-guarantee plugin shares (below every area, docs/reguarantee/README.md): partner
kinds and statuses, agreement statuses, the parties of a risk-sharing split, the default programmes and the default
admission scorecard, each with its zh-CN label.

The programmes here are only the rows a tenant starts with: they are copied into the tenant's own
``reguarantee_programmes`` table on first use and edited there (agreement/programmes.py); nothing reads these
constants for a figure once the rows exist.
"""

from __future__ import annotations

from decimal import Decimal

#: Partner kind -> zh-CN label.
PARTNER_KINDS = {
    "bank": "银行",
    "guarantee_city": "市级担保公司",
    "guarantee_county": "县级担保公司",
}
#: Kinds that are guarantee companies (the admission's minimum registered capital applies to them only).
GUARANTOR_KINDS = frozenset({"guarantee_city", "guarantee_county"})

#: Partner status -> zh-CN label, in the order a partner moves through them.
PARTNER_STATUSES = {
    "applying": "申请中",
    "in_admission": "准入审批中",
    "active": "合作中",
    "suspended": "暂停合作",
    "terminated": "终止",
}
#: Status changes a person may make with a reason (action -> (from statuses, to status)).
STATUS_ACTIONS = {
    "suspend": (frozenset({"active"}), "suspended"),
    "resume": (frozenset({"suspended"}), "active"),
    "terminate": (frozenset({"applying", "active", "suspended"}), "terminated"),
}

#: Agreement status -> zh-CN label.
AGREEMENT_STATUSES = {
    "draft": "草稿",
    "active": "生效",
    "expired": "已到期",
}

#: Parties of a risk-sharing split -> zh-CN label, in the order they are shown. ``original`` (the partner guarantee
#: company that issued the guarantee) takes the remainder of a split amount's rounding.
SHARE_PARTIES = {
    "original": "原担保机构",
    "reguarantor": "再担保机构（本公司）",
    "national_fund": "国家融资担保基金",
    "bank": "银行",
}

#: The programmes a tenant starts with (national fund practice, DOMAIN.md "Added 2026-12"; secondary source, so
#: editable). Rates are fractions a year; amounts yuan. ``split`` is the default risk-sharing split of an agreement
#: under the programme; ``fund_share_max`` the most the national fund may take; ``fee_multiplier`` scales the fee.
DEFAULT_PROGRAMMES = (
    {"code": "standard", "name": "标准业务", "fund_share_max": Decimal("0.20"),
     "split": {"original": "0.40", "reguarantor": "0.20", "national_fund": "0.20", "bank": "0.20"},
     "household_cap": Decimal("10000000.00"), "base_fee_rate": Decimal("0.005"), "reduced_fee_rate": Decimal("0.003"),
     "reduced_threshold": Decimal("5000000.00"), "fee_multiplier": Decimal("1")},
    {"code": "tech_innovation", "name": "科技创新", "fund_share_max": Decimal("0.40"),
     "split": {"original": "0.20", "reguarantor": "0.20", "national_fund": "0.40", "bank": "0.20"},
     "household_cap": Decimal("30000000.00"), "base_fee_rate": Decimal("0.005"), "reduced_fee_rate": Decimal("0.003"),
     "reduced_threshold": Decimal("5000000.00"), "fee_multiplier": Decimal("1")},
    {"code": "private_investment", "name": "民间投资", "fund_share_max": Decimal("0.40"),
     "split": {"original": "0.20", "reguarantor": "0.20", "national_fund": "0.40", "bank": "0.20"},
     "household_cap": Decimal("20000000.00"), "base_fee_rate": Decimal("0.005"), "reduced_fee_rate": Decimal("0.003"),
     "reduced_threshold": Decimal("5000000.00"), "fee_multiplier": Decimal("0.5")},
)

#: The admission scorecard a tenant starts with: criterion key -> (zh-CN label, weight); weights sum to 1 and each
#: criterion is scored 0-100, so the weighted score is 0-100 too.
DEFAULT_SCORECARD = {
    "capital": ("资本实力", "0.30"),
    "operations": ("经营状况", "0.25"),
    "compensation_capacity": ("代偿能力", "0.25"),
    "risk_control": ("风险控制", "0.20"),
}
#: Lowest weighted admission score that goes on to the committee.
DEFAULT_ADMISSION_MIN_SCORE = Decimal("60")
#: Lowest registered capital of a guarantee company partner (yuan); banks are not checked.
DEFAULT_MIN_REGISTERED_CAPITAL = Decimal("20000000.00")

#: Filing status -> zh-CN label. ``filed``: checked and waiting for confirmation; ``confirmed``: re-guaranteed, in
#: force (uses the agreement's line and the customer's household cap); ``rejected``: returned with reasons;
#: ``released``: ended normally; ``compensated``: ended by the partner's compensation.
FILING_STATUSES = {
    "filed": "已备案待确认",
    "confirmed": "在保",
    "rejected": "已退回",
    "released": "已解保",
    "compensated": "代偿解保",
}
#: Statuses that use the agreement's line and count in a customer's aggregated balance.
STANDING_FILING_STATUSES = frozenset({"filed", "confirmed"})
#: Where a filing came from -> zh-CN label.
FILING_SOURCES = {"single": "逐笔备案", "xlsx": "批量导入", "channel": "机构通道"}
#: How a filing ended -> (zh-CN label, the filing status it leaves).
RELEASE_KINDS = {"normal": ("正常解保", "released"), "compensation": ("代偿解保", "compensated")}
#: Customer kind of a filing -> zh-CN label.
CUSTOMER_KINDS = {
    "enterprise": "企业",
    "individual_business": "个体工商户",
    "farmer": "农户",
    "person": "自然人",
}
#: Fee bill status -> zh-CN label.
FEE_BILL_STATUSES = {"issued": "已出账", "paid": "已收款"}
#: Compensation claim status -> zh-CN label.
CLAIM_STATUSES = {
    "submitted": "已提交",
    "in_review": "审核中",
    "approved": "已批准",
    "rejected": "已驳回",
    "paid": "已拨付",
}
#: Recovery status -> zh-CN label.
RECOVERY_STATUSES = {"reported": "已登记", "settled": "已返还"}
#: Monitoring indicators -> zh-CN label.
WARNING_INDICATORS = {"compensation_rate": "代偿率", "risk_degree": "风险度"}
#: Warning levels, mildest first -> zh-CN label (as the guarantee plugin's risk warnings).
WARNING_LEVELS = {"blue": "蓝色", "yellow": "黄色", "orange": "橙色", "red": "红色"}
#: Default thresholds (fractions, inclusive: a value at or above the threshold raises the level); per indicator the
#: levels mildest first. A tenant setting (reguarantee_settings.warning_thresholds).
DEFAULT_WARNING_THRESHOLDS = {
    "compensation_rate": {"blue": "0.02", "yellow": "0.03", "orange": "0.04", "red": "0.05"},
    "risk_degree": {"blue": "0.30", "yellow": "0.50", "orange": "0.70", "red": "0.85"},
}
#: Length of a fee bill's period by default: ``quarter`` (2026Q3) or ``month`` (2026M07).
DEFAULT_FEE_BILL_PERIOD = "quarter"
