"""Permissions of the claim area (compensation claims and recoveries) and their default grants: ``manage`` submits
claims and reports recoveries, ``pay`` records the money (a claim's payment, a recovery's settlement)."""

from __future__ import annotations

from surety.core.hookspecs import Permission

CLAIM = "reguarantee:claim"
PERMISSIONS = (
    Permission(CLAIM, "read", "查看代偿补偿申请与追偿返还"),
    Permission(CLAIM, "manage", "提交代偿补偿申请、核定补偿金额、登记追偿回收"),
    Permission(CLAIM, "pay", "拨付代偿补偿款、确认追偿款返还"),
)
DEFAULT_GRANTS = {
    "admin": (f"{CLAIM}:read", f"{CLAIM}:manage", f"{CLAIM}:pay"),
    "customer_manager": (f"{CLAIM}:read", f"{CLAIM}:manage"),
    "risk_officer": (f"{CLAIM}:read", f"{CLAIM}:manage"),
    "legal": (f"{CLAIM}:read",),
    "committee_member": (f"{CLAIM}:read",),
    "department_head": (f"{CLAIM}:read", f"{CLAIM}:manage"),
    "executive": (f"{CLAIM}:read", f"{CLAIM}:manage"),
    "finance": (f"{CLAIM}:read", f"{CLAIM}:pay"),
    "auditor": (f"{CLAIM}:read",),
    "read_only": (f"{CLAIM}:read",),
}
