"""The ``customers`` plugin's code lists (core/codes.py): customer kind, corporate size, list types and list-entry
statuses (blacklist / watchlist), relation types and their sources, statement period types and the collision mode,
each code with its zh-CN and English label. ``surety_code_lists`` in plugin.py returns :data:`LISTS`."""

from __future__ import annotations

from surety.core.codes import CodeList
from surety.plugins.customers.blacklist import ACTIVE, BLACK, PENDING, REJECTED, REMOVED, WATCH
from surety.plugins.customers.models import COLLISION_BLOCK, COLLISION_FLAG, KIND_CORPORATE, KIND_INDIVIDUAL, SIZES
from surety.plugins.customers.related import AUTO, AUTO_TYPES, MANUAL, MANUAL_TYPES
from surety.plugins.customers.statements import PERIOD_TYPES

SIZE_LABELS = {"large": ("大型", "Large"), "medium": ("中型", "Medium"), "small": ("小型", "Small"),
               "micro": ("微型", "Micro")}
RELATION_LABELS = {
    "spouse": ("配偶", "Spouse"), "shareholder": ("股东", "Shareholder"),
    "actual_controller": ("实际控制人", "Actual controller"), "guarantor": ("担保人", "Guarantor"),
    "same_group": ("同一集团", "Same group"), "legal_representative": ("法定代表人", "Legal representative"),
    "common_legal_representative": ("共同法定代表人", "Common legal representative"),
    "common_shareholder": ("共同股东", "Common shareholder"), "shared_person": ("同一关联人", "Shared person"),
    "same_phone": ("共用电话", "Same phone"), "same_address": ("共用地址", "Same address"),
}
PERIOD_LABELS = {"annual": ("年报", "Annual"), "quarterly": ("季报", "Quarterly"), "monthly": ("月报", "Monthly")}

_RELATION_TYPES = tuple(MANUAL_TYPES) + tuple(dict.fromkeys(t for t, _directed in AUTO_TYPES.values()
                                                            if t not in MANUAL_TYPES))


def _labelled(codes, labels: dict[str, tuple[str, str]]) -> dict[str, tuple[str, str]]:
    """``{code: labels}`` in the order of ``codes``; a code without labels shows itself (tests/core/test_codes.py
    fails for one)."""
    return {c: labels.get(c, (c, c)) for c in codes}


CUSTOMER_KIND = CodeList("customers.customer_kind", {KIND_INDIVIDUAL: ("个人", "Individual"),
                                                     KIND_CORPORATE: ("企业", "Corporate")},
                         "Individual or corporate customer.")
CORPORATE_SIZE = CodeList("customers.corporate_size", _labelled(SIZES, SIZE_LABELS), "A corporate customer's size.")
LIST_TYPE = CodeList("customers.list_type", {BLACK: ("黑名单", "Blacklist"), WATCH: ("关注名单", "Watchlist")},
                     "The list a customer is put on.")
LIST_ENTRY_STATUS = CodeList("customers.list_entry_status", {
    PENDING: ("待审批", "Pending"), ACTIVE: ("生效", "Active"), REJECTED: ("已否决", "Rejected"),
    REMOVED: ("已移出", "Removed")}, "A blacklist or watchlist entry's status.")
RELATION_TYPE = CodeList("customers.relation_type", _labelled(_RELATION_TYPES, RELATION_LABELS),
                         "How two customers are related.")
RELATION_SOURCE = CodeList("customers.relation_source", {MANUAL: ("手工录入", "Manual"), AUTO: ("自动识别", "Detected")},
                           "Whether a relation was entered or detected from shared key values.")
PERIOD_TYPE = CodeList("customers.statement_period_type", _labelled(PERIOD_TYPES, PERIOD_LABELS),
                       "The period a financial statement covers.")
COLLISION_MODE = CodeList("customers.collision_mode", {COLLISION_FLAG: ("提示", "Flag"),
                                                       COLLISION_BLOCK: ("阻止", "Block")},
                          "What happens to a customer another manager is already working (撞单).")

LISTS: tuple[CodeList, ...] = (CUSTOMER_KIND, CORPORATE_SIZE, LIST_TYPE, LIST_ENTRY_STATUS, RELATION_TYPE,
                               RELATION_SOURCE, PERIOD_TYPE, COLLISION_MODE)
