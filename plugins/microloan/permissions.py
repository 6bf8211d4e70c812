"""Permissions of the ``microloan`` plugin and what provisioning grants each role template by default."""

from __future__ import annotations

from surety.core.hookspecs import Permission

PRODUCT = "microloan:product"
PERMISSIONS = (
    Permission(PRODUCT, "read", "查看小额贷款产品及还款计划试算"),
    Permission(PRODUCT, "manage", "新建、修改小额贷款产品（每次修改生成新版本）"),
)
#: Applied once, when a tenant first enables the plugin; after that the tenant's admins own the matrix.
DEFAULT_GRANTS = {
    "admin": (f"{PRODUCT}:read", f"{PRODUCT}:manage"),
    "customer_manager": (f"{PRODUCT}:read",),
    "risk_officer": (f"{PRODUCT}:read",),
    "department_head": (f"{PRODUCT}:read",),
    "executive": (f"{PRODUCT}:read",),
    "finance": (f"{PRODUCT}:read",),
    "auditor": (f"{PRODUCT}:read",),
    "read_only": (f"{PRODUCT}:read",),
}
