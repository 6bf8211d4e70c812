"""Permissions of repayments (``microloan:repayment``) and what provisioning grants each role template by default."""

from __future__ import annotations

from surety.core.hookspecs import Permission

REPAYMENT = "microloan:repayment"
PERMISSIONS = (
    Permission(REPAYMENT, "read", "查看小额贷款还款记录及还款试算"),
    Permission(REPAYMENT, "post", "登记小额贷款还款、提前还款"),
    Permission(REPAYMENT, "reverse", "冲正错误的还款（须由登记人以外的人操作）"),
)
#: Applied once, when a tenant first enables the plugin; after that the tenant's admins own the matrix.
DEFAULT_GRANTS = {
    "admin": (f"{REPAYMENT}:read", f"{REPAYMENT}:post", f"{REPAYMENT}:reverse"),
    "finance": (f"{REPAYMENT}:read", f"{REPAYMENT}:post", f"{REPAYMENT}:reverse"),
    "customer_manager": (f"{REPAYMENT}:read",),
    "risk_officer": (f"{REPAYMENT}:read",),
    "department_head": (f"{REPAYMENT}:read",),
    "executive": (f"{REPAYMENT}:read",),
    "auditor": (f"{REPAYMENT}:read",),
    "read_only": (f"{REPAYMENT}:read",),
}
