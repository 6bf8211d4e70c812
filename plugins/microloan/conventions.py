"""The words every area of the microloan plugin shares (below every area, docs/microloan/README.md): repayment
methods, day counts, roundings and the components a repayment is allocated over, each with its zh-CN label.

Names, labels and the rule that completes an allocation order (``effective_order``) live here; what they mean in
figures is in ``schedule/`` (methods, day counts, rounding) and ``repayment/allocation.py`` (splitting a payment), and
docs/microloan-schedules.md and docs/microloan/README.md state it.
"""

from __future__ import annotations

from collections.abc import Sequence

from surety.core.i18n import N_, format_message

#: Repayment method -> zh-CN label.
REPAYMENT_METHODS = {
    "equal_installment": "等额本息",
    "equal_principal": "等额本金",
    "interest_first": "先息后本",
    "bullet": "到期一次还本付息",
    "flat": "等本等息",
}
#: Methods whose regular periods charge the monthly rate (annual rate / 12); ``bullet`` uses the day count instead.
MONTHLY_RATE_METHODS = frozenset({"equal_installment", "equal_principal", "interest_first", "flat"})

#: Day count -> zh-CN label. ``30/360`` is the European 30E/360 count; ``ACT/…`` count calendar days.
DAY_COUNTS = {
    "30/360": "30/360（每月按 30 天）",
    "ACT/360": "实际天数/360",
    "ACT/365": "实际天数/365",
}
DEFAULT_DAY_COUNT = "ACT/360"

#: Rounding -> zh-CN label: every amount of a schedule is rounded to the fen (0.01 yuan) this way.
ROUNDINGS = {
    "fen_half_up": "四舍五入到分",
    "fen_half_even": "银行家舍入到分（四舍六入五成双）",
}
DEFAULT_ROUNDING = "fen_half_up"

#: Components of what a borrower owes, which a repayment is split over -> zh-CN label.
COMPONENTS = {
    "costs": "实现债权的费用",
    "penalty": "罚息及复利",
    "fees": "费用",
    "interest": "利息",
    "principal": "本金",
}
#: The order a new product gets unless told otherwise (``costs``, not named, come first: see allocation).
DEFAULT_ALLOCATION_ORDER = ("penalty", "fees", "interest", "principal")
#: Where the contract (the product) is silent: costs, then interest (penalty interest first, fees with the interest
#: as a charge for the use of the money), then principal (《民法典》第五百六十一条).
STATUTORY_ALLOCATION_ORDER = ("costs", "penalty", "interest", "fees", "principal")


#: Loan kind -> zh-CN label: the balance caps differ (online consumer loans, business loans).
LOAN_KINDS = {
    "consumer": "个人消费贷款",
    "business": "经营贷款",
}

#: Loan status -> zh-CN label, in the order a loan moves through them.
LOAN_STATUSES = {
    "draft": "草稿",
    "investigating": "贷前调查",
    "in_approval": "审批中",
    "approved": "已批准",
    "rejected": "已否决",
    "withdrawn": "已撤回",
    "contracted": "已签约",
    "active": "还款中",
    "settled": "已结清",
    "written_off": "已核销",
}
#: Statuses of a loan on the books (disbursed, neither settled nor written off).
ON_BOOK_STATUSES = frozenset({"active"})
#: Status of a loan written off (核销): off the books, still owed.
WRITTEN_OFF = "written_off"

#: Five-category loan classification (贷款五级分类) -> zh-CN label, from best to worst.
RISK_CLASSES = {
    "normal": "正常",
    "special_mention": "关注",
    "substandard": "次级",
    "doubtful": "可疑",
    "loss": "损失",
}
#: Non-performing classes (不良贷款): the NPL ratio's numerator.
NON_PERFORMING_CLASSES = frozenset({"substandard", "doubtful", "loss"})


class OrderRefused(ValueError):
    """An allocation order that cannot be used. It carries its message as a template and parameters (docs/i18n.md),
    so a domain error quoting it (the product checks) shows it in the reader's language; ``str()`` is English."""

    def __init__(self, template: str, **params: object):
        self.template = template
        self.params = params
        super().__init__(format_message(template, params))


def effective_order(order: Sequence[str] | None) -> tuple[str, ...]:
    """The full order a payment follows: the statutory one when ``order`` is None, else ``order`` with ``costs``
    put first where it is not named. Raises OrderRefused (a ValueError) for an unknown or repeated component or one
    left out."""
    if order is None:
        return STATUTORY_ALLOCATION_ORDER
    order = tuple(order)
    unknown = [c for c in order if c not in COMPONENTS]
    if unknown:
        raise OrderRefused(N_("unknown component {component!r}"), component=unknown[0])
    if len(set(order)) != len(order):
        raise OrderRefused(N_("a component appears twice in the order"))
    if "costs" not in order:
        order = ("costs", *order)
    missing = [c for c in COMPONENTS if c not in order]
    if missing:
        raise OrderRefused(N_("the order leaves out {component!r}"), component=missing[0])
    return order
