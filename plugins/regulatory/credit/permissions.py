"""Permissions of the credit area (the credit-reporting file) and their default grants."""

from __future__ import annotations

from surety.core.hookspecs import Permission

CREDIT = "regulatory:credit"
PERMISSIONS = (Permission(CREDIT, "export", "生成征信报送文件（担保账户事件，含客户标识）"),)
DEFAULT_GRANTS = {
    "admin": (f"{CREDIT}:export",),
    "finance": (f"{CREDIT}:export",),
    "risk_officer": (f"{CREDIT}:export",),
}
