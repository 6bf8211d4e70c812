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
