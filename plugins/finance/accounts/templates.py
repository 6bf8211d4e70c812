"""Chart-of-accounts templates as data (pure: no database). A tenant installs one (``services.install_chart``) and
edits its copy from then on. Each account: code, name, direction (``debit``: a debit balance is positive, assets and
costs; ``credit``: liabilities, equity, income), category, and the auxiliary dimensions a line on it must carry.
The level and the parent follow from the code (``level_of``, ``parent_of``: 4 digits is level 1, each further 2
digits one level down).

Codes from DOMAIN.md ("Finance") are kept as given; the others follow the same code set's usual numbering and are
the tenant's to rename (docs/finance/README.md, "Chart of accounts").
"""

from __future__ import annotations

from dataclasses import dataclass

DEBIT, CREDIT = "debit", "credit"
DIRECTIONS = {DEBIT: "借", CREDIT: "贷"}
CATEGORIES = {"asset": "资产类", "liability": "负债类", "common": "共同类", "equity": "所有者权益类",
              "cost": "成本类", "profit_loss": "损益类"}
#: Auxiliary dimensions (辅助核算) an account may carry, each a column of a voucher line.
DIMENSIONS = {"customer": "客户", "project": "项目", "bank": "银行", "department": "部门"}
#: Digits of a level-1 code, then digits added per level.
ROOT_DIGITS, LEVEL_DIGITS = 4, 2


@dataclass(frozen=True)
class AccountSpec:
    code: str
    name: str
    direction: str
    category: str
    dimensions: tuple[str, ...] = ()


@dataclass(frozen=True)
class ChartTemplate:
    key: str
    title: str
    accounts: tuple[AccountSpec, ...]


def level_of(code: str) -> int:
    """1 for a 4-digit code, 2 for 6 digits, ...; 0 for a code of no valid length."""
    extra = len(code) - ROOT_DIGITS
    return 0 if extra < 0 or extra % LEVEL_DIGITS else 1 + extra // LEVEL_DIGITS


def parent_of(code: str) -> str | None:
    """The code of the parent account (the code without its last level), None for a level-1 code."""
    return code[:-LEVEL_DIGITS] if level_of(code) > 1 else None


def _a(code: str, name: str, direction: str, category: str, *dims: str) -> AccountSpec:
    return AccountSpec(code, name, direction, category, tuple(dims))


_CASH = (
    _a("1001", "库存现金", DEBIT, "asset"),
    _a("1002", "银行存款", DEBIT, "asset"),
)

#: 企业会计准则 codes a financing-guarantee company uses.
GUARANTEE_CAS = ChartTemplate("guarantee_cas", "融资担保公司（企业会计准则）", (
    *_CASH,
    _a("1031", "存出保证金", DEBIT, "asset", "bank"),
    _a("1122", "应收账款", DEBIT, "asset", "customer"),
    _a("1123", "预付账款", DEBIT, "asset"),
    _a("1221", "其他应收款（应收代偿款）", DEBIT, "asset", "project"),
    _a("1231", "坏账准备", CREDIT, "asset"),
    _a("1501", "持有至到期投资", DEBIT, "asset"),
    _a("1601", "固定资产", DEBIT, "asset"),
    _a("1602", "累计折旧", CREDIT, "asset"),
    _a("2002", "存入保证金", CREDIT, "liability", "project"),
    _a("2203", "预收账款", CREDIT, "liability"),
    _a("2211", "应付职工薪酬", CREDIT, "liability"),
    _a("2221", "应交税费", CREDIT, "liability"),
    _a("2241", "其他应付款", CREDIT, "liability"),
    _a("2401", "递延收益（未实现担保费）", CREDIT, "liability", "project"),
    _a("2601", "未到期责任准备金", CREDIT, "liability"),
    _a("2602", "担保赔偿准备金", CREDIT, "liability"),
    _a("4001", "实收资本", CREDIT, "equity"),
    _a("4002", "资本公积", CREDIT, "equity"),
    _a("4101", "盈余公积", CREDIT, "equity"),
    _a("4102", "一般风险准备", CREDIT, "equity"),
    _a("4103", "本年利润", CREDIT, "equity"),
    _a("4104", "利润分配", CREDIT, "equity"),
    _a("6031", "担保费收入", CREDIT, "profit_loss", "project"),
    _a("6051", "其他业务收入（评审费）", CREDIT, "profit_loss", "project"),
    _a("6111", "投资收益", CREDIT, "profit_loss"),
    _a("6301", "营业外收入（追偿收入）", CREDIT, "profit_loss"),
    _a("6501", "提取担保赔偿准备金", DEBIT, "profit_loss"),
    _a("6511", "提取未到期责任准备金", DEBIT, "profit_loss"),
    _a("6601", "销售费用", DEBIT, "profit_loss"),
    _a("6602", "管理费用", DEBIT, "profit_loss"),
    _a("6603", "财务费用", DEBIT, "profit_loss"),
    _a("6701", "资产减值损失", DEBIT, "profit_loss"),
    _a("6711", "营业外支出", DEBIT, "profit_loss"),
    _a("6801", "所得税费用", DEBIT, "profit_loss"),
))

#: The older 担保企业会计核算办法 codes.
GUARANTEE_LEGACY = ChartTemplate("guarantee_legacy", "担保公司（担保企业会计核算办法）", (
    *_CASH,
    _a("1131", "应收账款", DEBIT, "asset", "customer"),
    _a("1133", "其他应收款", DEBIT, "asset"),
    _a("1141", "坏账准备", CREDIT, "asset"),
    _a("1231", "应收代偿款", DEBIT, "asset", "project"),
    _a("1232", "代偿损失准备", CREDIT, "asset"),
    _a("1501", "固定资产", DEBIT, "asset"),
    _a("2131", "预收账款", CREDIT, "liability"),
    _a("2141", "存入担保保证金", CREDIT, "liability", "project"),
    _a("2171", "应交税金", CREDIT, "liability"),
    _a("2181", "其他应付款", CREDIT, "liability"),
    _a("2191", "预收担保费", CREDIT, "liability", "project"),
    _a("2192", "未到期责任准备", CREDIT, "liability"),
    _a("2193", "担保赔偿准备", CREDIT, "liability"),
    _a("3101", "实收资本", CREDIT, "equity"),
    _a("3131", "本年利润", CREDIT, "equity"),
    _a("3141", "利润分配", CREDIT, "equity"),
    _a("4101", "担保费收入", CREDIT, "profit_loss", "project"),
    _a("4102", "评审费收入", CREDIT, "profit_loss", "project"),
    _a("4105", "追偿收入", CREDIT, "profit_loss"),
    _a("5101", "担保赔偿支出", DEBIT, "profit_loss"),
    _a("5102", "提取未到期责任准备", DEBIT, "profit_loss"),
    _a("5103", "提取担保赔偿准备", DEBIT, "profit_loss"),
    _a("5501", "管理费用", DEBIT, "profit_loss"),
    _a("5601", "营业外支出", DEBIT, "profit_loss"),
))

#: A microloan company (企业会计准则, 金融企业 codes).
MICROLOAN = ChartTemplate("microloan", "小额贷款公司（企业会计准则）", (
    *_CASH,
    _a("1132", "应收利息", DEBIT, "asset"),
    _a("1221", "其他应收款", DEBIT, "asset"),
    _a("1303", "贷款", DEBIT, "asset", "customer"),
    _a("1304", "贷款损失准备", CREDIT, "asset"),
    _a("1601", "固定资产", DEBIT, "asset"),
    _a("2211", "应付职工薪酬", CREDIT, "liability"),
    _a("2221", "应交税费", CREDIT, "liability"),
    _a("2241", "其他应付款（暂收款）", CREDIT, "liability", "customer"),
    _a("4001", "实收资本", CREDIT, "equity"),
    _a("4103", "本年利润", CREDIT, "equity"),
    _a("4104", "利润分配", CREDIT, "equity"),
    _a("6011", "利息收入", CREDIT, "profit_loss"),
    _a("6021", "手续费及佣金收入", CREDIT, "profit_loss"),
    _a("6051", "其他业务收入", CREDIT, "profit_loss"),
    _a("6301", "营业外收入（已核销贷款收回）", CREDIT, "profit_loss"),
    _a("6602", "业务及管理费", DEBIT, "profit_loss"),
    _a("6701", "资产减值损失", DEBIT, "profit_loss"),
    _a("6711", "营业外支出（核销）", DEBIT, "profit_loss"),
))

TEMPLATES = {t.key: t for t in (GUARANTEE_CAS, GUARANTEE_LEGACY, MICROLOAN)}
DEFAULT_TEMPLATE = GUARANTEE_CAS.key
