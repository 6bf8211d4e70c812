"""The shipped report forms, as data (layout.py says what a row and a column hold; docs/regulatory/forms.md): the
monthly main-data form (月度主要数据表) and the quarterly business-status table (季度业务状况表). They are written into
the tenant's table (version 1) the first time the tenant's forms are read or a report is filled; the tenant then
edits its copy (a new version). Measures come from core/ports/regulatory.py MEASURES, plus two this plugin adds:
``regulatory.registered_capital`` (the settings' registered capital) and ``regulatory.liability_balance``
(融资担保责任余额)."""

from __future__ import annotations

REGISTERED_CAPITAL = "regulatory.registered_capital"
LIABILITY_BALANCE = "regulatory.liability_balance"

#: Business-type groups of the rows: (code suffix, label, business types).
FINANCING = ("loan", "housing", "bond", "fund_trust", "other_financing")
NON_FINANCING = ("bid", "performance", "litigation", "other_non_financing")
BUSINESS_ROWS = (
    ("1", "借款类担保", ["loan", "housing"]),
    ("2", "发行债券担保", ["bond"]),
    ("3", "其他融资担保", ["fund_trust", "other_financing"]),
    ("4", "履约担保", ["performance"]),
    ("5", "诉讼保全担保", ["litigation"]),
    ("6", "投标担保", ["bid"]),
    ("7", "其他非融资担保", ["other_non_financing"]),
)
CUSTOMER_ROWS = (
    ("a", "农户", "farmer"),
    ("b", "小微企业", "small_micro"),
    ("c", "其他企业", "other_enterprise"),
    ("d", "个人", "individual"),
)


def _by_business(prefix: str, label: str, measure: str, unit: str = "万元") -> list[dict]:
    """A total row ``prefix`` (financing + non-financing) then one row per business-type group."""
    parts = [{"code": f"{prefix}.{s}", "label": f"  其中：{name}" if i == 0 else f"        {name}",
              "measure": measure, "dims": {"business_type": types}, "unit": unit}
             for i, (s, name, types) in enumerate(BUSINESS_ROWS)]
    return [{"code": prefix, "label": label, "sum": [p["code"] for p in parts], "unit": unit}, *parts]


def _by_customer(prefix: str, label: str, measure: str) -> list[dict]:
    return [{"code": f"{prefix}.{s}", "label": f"  {label}：{name}", "measure": measure,
             "dims": {"customer_type": ctype}, "unit": "万元"} for s, name, ctype in CUSTOMER_ROWS]


MONTHLY_MAIN: dict = {
    "code": "monthly_main",
    "name": "融资担保公司月度主要数据表",
    "cadence": "month",
    "columns": [
        {"key": "amount", "label": "数额", "period": "end_balance"},
        {"key": "year_start", "label": "年初数", "period": "beginning_of_year"},
        {"key": "last_year", "label": "上年同期", "period": "same_period_last_year"},
    ],
    "rows": [
        {"code": "01", "label": "注册资本", "measure": REGISTERED_CAPITAL, "unit": "万元"},
        {"code": "02", "label": "实收资本", "measure": "finance.paid_in_capital", "unit": "万元"},
        {"code": "03", "label": "资产总额", "measure": "finance.total_assets", "unit": "万元"},
        {"code": "04", "label": "净资产", "measure": "finance.net_assets", "unit": "万元"},
        *_by_business("05", "本年新增担保额", "guarantee.issued_amount"),
        {"code": "06", "label": "本年新增担保户数", "measure": "guarantee.issued_households", "unit": "户"},
        {"code": "07", "label": "本年新增担保笔数", "measure": "guarantee.issued_count", "unit": "笔"},
        *_by_business("08", "在保余额", "guarantee.in_force_balance"),
        *_by_customer("08", "在保余额按客户类型", "guarantee.in_force_balance"),
        {"code": "09", "label": "在保户数", "measure": "guarantee.in_force_households", "unit": "户"},
        {"code": "10", "label": "在保笔数", "measure": "guarantee.in_force_count", "unit": "笔"},
        {"code": "11", "label": "融资担保责任余额", "measure": LIABILITY_BALANCE, "unit": "万元"},
        {"code": "12", "label": "本年解除担保额", "measure": "guarantee.released_amount", "unit": "万元"},
        {"code": "13", "label": "本年代偿额", "measure": "guarantee.compensation_amount", "unit": "万元"},
        {"code": "14", "label": "本年代偿回收额", "measure": "guarantee.recovery_amount", "unit": "万元"},
        {"code": "15", "label": "本年代偿损失核销额", "measure": "guarantee.loss_amount", "unit": "万元"},
        {"code": "16", "label": "代偿余额", "measure": "guarantee.compensation_balance", "unit": "万元"},
        {"code": "17", "label": "未到期责任准备金", "measure": "finance.unearned_premium_reserve", "unit": "万元"},
        {"code": "18", "label": "担保赔偿准备金", "measure": "finance.compensation_reserve", "unit": "万元"},
    ],
}

_QUARTER_STOCK = {"blank": ["quarter"]}
QUARTERLY_STATUS: dict = {
    "code": "quarterly_status",
    "name": "融资担保公司季度业务状况表",
    "cadence": "quarter",
    "columns": [
        {"key": "quarter", "label": "本季", "period": "this_period"},
        {"key": "year", "label": "本年累计/期末", "period": "cumulative_year"},
        {"key": "last_year", "label": "上年同期", "period": "same_period_last_year"},
    ],
    "rows": [
        {"code": "01", "label": "新增担保笔数", "measure": "guarantee.issued_count", "unit": "笔"},
        {"code": "02", "label": "新增担保户数", "measure": "guarantee.issued_households", "unit": "户"},
        {"code": "03", "label": "新增担保额（融资担保）", "measure": "guarantee.issued_amount",
         "dims": {"business_type": list(FINANCING)}, "unit": "万元"},
        {"code": "04", "label": "新增担保额（非融资担保）", "measure": "guarantee.issued_amount",
         "dims": {"business_type": list(NON_FINANCING)}, "unit": "万元"},
        {"code": "05", "label": "新增担保额合计", "sum": ["03", "04"], "unit": "万元"},
        {"code": "06", "label": "解除担保额", "measure": "guarantee.released_amount", "unit": "万元"},
        {"code": "07", "label": "期末在保余额（融资担保）", "measure": "guarantee.in_force_balance",
         "dims": {"business_type": list(FINANCING)}, "unit": "万元", **_QUARTER_STOCK},
        {"code": "08", "label": "期末在保余额（非融资担保）", "measure": "guarantee.in_force_balance",
         "dims": {"business_type": list(NON_FINANCING)}, "unit": "万元", **_QUARTER_STOCK},
        {"code": "09", "label": "期末在保余额合计", "sum": ["07", "08"], "unit": "万元", **_QUARTER_STOCK},
        {"code": "10", "label": "期末在保户数", "measure": "guarantee.in_force_households", "unit": "户",
         **_QUARTER_STOCK},
        {"code": "11", "label": "融资担保责任余额", "measure": LIABILITY_BALANCE, "unit": "万元", **_QUARTER_STOCK},
        {"code": "12", "label": "代偿额", "measure": "guarantee.compensation_amount", "unit": "万元"},
        {"code": "13", "label": "代偿回收额", "measure": "guarantee.recovery_amount", "unit": "万元"},
        {"code": "14", "label": "代偿损失核销额", "measure": "guarantee.loss_amount", "unit": "万元"},
        {"code": "15", "label": "期末代偿余额", "measure": "guarantee.compensation_balance", "unit": "万元",
         **_QUARTER_STOCK},
    ],
}

#: Every shipped form, by code.
DEFAULT_FORMS: dict[str, dict] = {f["code"]: f for f in (MONTHLY_MAIN, QUARTERLY_STATUS)}
