"""The project area's code lists (core/codes.py): product kinds and categories, project statuses, counter-guarantee
kinds, risk classes, loan categories and compensation components, each code with its zh-CN and English label.
``surety_code_lists`` in plugin.py returns these and warnings/codes.py's; the API accepts a label wherever a person
types one of these codes (risk/graphql.py, warnings/graphql.py) and shows ``...Label`` next to the code."""

from __future__ import annotations

from surety.core.codes import CodeList
from surety.plugins.guarantee.project.models import (
    COMPONENTS,
    COUNTER_KINDS,
    LOAN_CATEGORIES,
    PRODUCT_KINDS,
    PROJECT_STATUS_LABELS,
    PROJECT_STATUSES,
    RISK_CLASSES,
)

#: English labels of the codes whose zh-CN labels the models keep (PROJECT_STATUS_LABELS, RISK_CLASSES, COMPONENTS).
_PROJECT_STATUS_EN = {
    "draft": "Draft", "in_approval": "In approval", "approved": "Approved", "rejected": "Rejected",
    "withdrawn": "Withdrawn", "contracted": "Contracted", "effective": "Effective", "released": "Released",
    "cancelled": "Cancelled", "compensated": "Compensated",
}
_RISK_CLASS_EN = {"normal": "Normal", "special_mention": "Special mention", "substandard": "Substandard",
                  "doubtful": "Doubtful", "loss": "Loss"}
_COMPONENT_EN = {"principal": "Principal", "interest": "Interest", "penalty": "Penalty interest"}
PRODUCT_KIND_LABELS = {
    "loan": ("贷款担保", "Loan guarantee"), "bond": ("债券发行担保", "Bond guarantee"),
    "other_financing": ("其他融资担保", "Other financing guarantee"), "bid": ("投标保函", "Bid guarantee"),
    "performance": ("履约保函", "Performance guarantee"), "litigation": ("诉讼保全担保", "Litigation guarantee"),
    "advance_payment": ("预付款保函", "Advance payment guarantee"),
    "other_non_financing": ("其他非融资担保", "Other non-financing guarantee"),
    "quality": ("质量保函", "Quality guarantee"), "payment": ("支付保函", "Payment guarantee"),
}
COUNTER_KIND_LABELS = {
    "pledge": ("质押", "Pledge"), "mortgage": ("抵押", "Mortgage"), "third_party": ("保证", "Third-party guarantee"),
    "credit": ("信用", "Credit"), "lien": ("留置", "Lien"), "deposit": ("定金", "Deposit"),
}
LOAN_CATEGORY_LABELS = {
    "small_micro": ("小微企业贷款", "Small and micro enterprise loan"), "farmer": ("农户贷款", "Farmer loan"),
    "housing": ("住房贷款", "Housing loan"), "other": ("其他贷款", "Other loan"),
}


def labelled(codes, labels: dict[str, tuple[str, str]]) -> dict[str, tuple[str, str]]:
    """``{code: labels}`` in the order of ``codes``; a code without labels shows itself (tests/plugins/guarantee/
    risk/test_zh_labels.py fails for one)."""
    return {c: labels.get(c, (c, c)) for c in codes}


PRODUCT_KIND = CodeList("guarantee.product_kind", labelled(PRODUCT_KINDS, PRODUCT_KIND_LABELS),
                        "The kind of a guarantee product.")
PRODUCT_CATEGORY = CodeList("guarantee.product_category", {"financing": ("融资担保", "Financing guarantee"),
                                                           "non_financing": ("非融资担保", "Non-financing guarantee")},
                            "Financing or non-financing guarantee (follows from the product kind).")
PROJECT_STATUS = CodeList("guarantee.project_status", {
    s: (PROJECT_STATUS_LABELS.get(s, s), _PROJECT_STATUS_EN.get(s, s)) for s in PROJECT_STATUSES},
    "A guarantee project's status.")
COUNTER_GUARANTEE_KIND = CodeList("guarantee.counter_guarantee_kind", labelled(COUNTER_KINDS, COUNTER_KIND_LABELS),
                                  "The kind of a counter-guarantee (反担保).")
RISK_CLASS = CodeList("guarantee.risk_class", {c: (zh, _RISK_CLASS_EN.get(c, c)) for c, zh in RISK_CLASSES.items()},
                      "Five-category risk classification (五级分类).")
LOAN_CATEGORY = CodeList("guarantee.loan_category", labelled(LOAN_CATEGORIES, LOAN_CATEGORY_LABELS),
                         "The category of the guaranteed loan.")
COMPENSATION_COMPONENT = CodeList("guarantee.compensation_component", {
    c: (zh, _COMPONENT_EN.get(c, c)) for c, zh in COMPONENTS.items()},
    "What a compensation claim (代偿) covers.")
LISTS: tuple[CodeList, ...] = (PRODUCT_KIND, PRODUCT_CATEGORY, PROJECT_STATUS, COUNTER_GUARANTEE_KIND, RISK_CLASS,
                               LOAN_CATEGORY, COMPENSATION_COMPONENT)
