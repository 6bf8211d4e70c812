"""The warnings area's code lists (core/codes.py): early-warning levels and the statuses of a proposed risk-class
change, each code with its zh-CN and English label."""

from __future__ import annotations

from surety.core.codes import CodeList
from surety.plugins.guarantee.project.codes import labelled
from surety.plugins.guarantee.warnings.models import WARNING_LEVELS

WARNING_LEVEL_LABELS = {"blue": ("蓝色", "Blue"), "yellow": ("黄色", "Yellow"), "orange": ("橙色", "Orange"),
                        "red": ("红色", "Red")}

WARNING_LEVEL = CodeList("guarantee.warning_level", labelled(WARNING_LEVELS, WARNING_LEVEL_LABELS),
                         "The level of an early warning (预警).")
CLASSIFICATION_CHANGE_STATUS = CodeList("guarantee.classification_change_status", {
    "proposed": ("审批中", "Proposed"), "approved": ("已批准", "Approved"), "rejected": ("已否决", "Rejected")},
    "The status of a proposed risk-class change.")

LISTS: tuple[CodeList, ...] = (WARNING_LEVEL, CLASSIFICATION_CHANGE_STATUS)
