"""Permissions of the partner area and what provisioning grants each role template by default."""

from __future__ import annotations

from surety.core.hookspecs import Permission

PARTNER = "reguarantee:partner"
PERMISSIONS = (
    Permission(PARTNER, "read", "查看再担保合作机构及其评价"),
    Permission(PARTNER, "manage", "新建、修改合作机构，申请准入，暂停、恢复、终止合作，录入准入分析与定期评价"),
)
#: Applied once, when a tenant first enables the plugin; after that the tenant's admins own the matrix.
DEFAULT_GRANTS = {
    "admin": (f"{PARTNER}:read", f"{PARTNER}:manage"),
    "customer_manager": (f"{PARTNER}:read", f"{PARTNER}:manage"),
    "risk_officer": (f"{PARTNER}:read", f"{PARTNER}:manage"),
    "legal": (f"{PARTNER}:read",),
    "committee_member": (f"{PARTNER}:read",),
    "department_head": (f"{PARTNER}:read",),
    "executive": (f"{PARTNER}:read",),
    "finance": (f"{PARTNER}:read",),
    "auditor": (f"{PARTNER}:read",),
    "read_only": (f"{PARTNER}:read",),
}
