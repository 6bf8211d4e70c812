"""Permissions of the re-guarantee fee bills (filing area, docs/reguarantee/fees.md) and their default grants."""

from __future__ import annotations

from surety.core.hookspecs import Permission

FEE = "reguarantee:fee"
PERMISSIONS = (
    Permission(FEE, "read", "查看再担保费账单及明细，下载账单"),
    Permission(FEE, "manage", "按期间出具再担保费账单"),
    Permission(FEE, "receive", "登记再担保费账单已收款"),
)
DEFAULT_GRANTS = {
    "admin": (f"{FEE}:read", f"{FEE}:manage", f"{FEE}:receive"),
    "finance": (f"{FEE}:read", f"{FEE}:manage", f"{FEE}:receive"),
    "customer_manager": (f"{FEE}:read",),
    "risk_officer": (f"{FEE}:read",),
    "department_head": (f"{FEE}:read", f"{FEE}:manage"),
    "executive": (f"{FEE}:read", f"{FEE}:manage"),
    "auditor": (f"{FEE}:read",),
    "read_only": (f"{FEE}:read",),
}
