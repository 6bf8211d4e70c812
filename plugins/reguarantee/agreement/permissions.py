"""Permissions of the agreement area (agreements and programmes) and their default grants."""

from __future__ import annotations

from surety.core.hookspecs import Permission

AGREEMENT = "reguarantee:agreement"
PROGRAMME = "reguarantee:programme"
PERMISSIONS = (
    Permission(AGREEMENT, "read", "查看再担保合作协议、业务品种，试算再担保费与准入条件"),
    Permission(AGREEMENT, "manage", "新建、修改、生效再担保合作协议"),
    Permission(PROGRAMME, "manage", "修改再担保业务品种（基金分险比例上限、单户上限、费率）"),
)
DEFAULT_GRANTS = {
    "admin": (f"{AGREEMENT}:read", f"{AGREEMENT}:manage", f"{PROGRAMME}:manage"),
    "customer_manager": (f"{AGREEMENT}:read", f"{AGREEMENT}:manage"),
    "risk_officer": (f"{AGREEMENT}:read",),
    "legal": (f"{AGREEMENT}:read",),
    "committee_member": (f"{AGREEMENT}:read",),
    "department_head": (f"{AGREEMENT}:read", f"{AGREEMENT}:manage"),
    "executive": (f"{AGREEMENT}:read", f"{AGREEMENT}:manage", f"{PROGRAMME}:manage"),
    "finance": (f"{AGREEMENT}:read",),
    "auditor": (f"{AGREEMENT}:read",),
    "read_only": (f"{AGREEMENT}:read",),
}
