"""Permissions of the filing area (filings, batches, line usage) and their default grants. Confirming is its own
permission: the person who confirms a filing is never the one who filed it (four eyes, filing/services.py)."""

from __future__ import annotations

from surety.core.hookspecs import Permission

FILING = "reguarantee:filing"
PERMISSIONS = (
    Permission(FILING, "read", "查看再担保备案、批量导入报告与协议额度使用"),
    Permission(FILING, "manage", "逐笔备案、批量导入备案、解保"),
    Permission(FILING, "confirm", "确认或退回再担保备案"),
)
DEFAULT_GRANTS = {
    "admin": (f"{FILING}:read", f"{FILING}:manage", f"{FILING}:confirm"),
    "customer_manager": (f"{FILING}:read", f"{FILING}:manage"),
    "risk_officer": (f"{FILING}:read", f"{FILING}:confirm"),
    "legal": (f"{FILING}:read",),
    "committee_member": (f"{FILING}:read",),
    "department_head": (f"{FILING}:read", f"{FILING}:manage", f"{FILING}:confirm"),
    "executive": (f"{FILING}:read", f"{FILING}:manage", f"{FILING}:confirm"),
    "finance": (f"{FILING}:read",),
    "auditor": (f"{FILING}:read",),
    "read_only": (f"{FILING}:read",),
}
