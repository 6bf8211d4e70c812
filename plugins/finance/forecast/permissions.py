"""Permissions of the forecast area (fee standards) and their default grants; plugin.py joins them to the
plugin's (plugins/finance/permissions.py). The income forecast needs finance:voucher:read."""

from __future__ import annotations

from surety.core.hookspecs import Permission

FEE_STANDARD = "finance:fee_standard"
PERMISSIONS = (
    Permission(FEE_STANDARD, "read", "查看收费标准"),
    Permission(FEE_STANDARD, "manage", "新增、修改收费标准"),
)
#: Applied once, when a tenant first enables the plugin.
DEFAULT_GRANTS = {
    "admin": tuple(p.key for p in PERMISSIONS),
    "finance": tuple(p.key for p in PERMISSIONS),
    "auditor": (f"{FEE_STANDARD}:read",),
    "executive": (f"{FEE_STANDARD}:read",),
}
