"""Permissions of the monitoring area (partner warnings, thresholds, statistics and their export) and their default
grants."""

from __future__ import annotations

from surety.core.hookspecs import Permission

MONITOR = "reguarantee:monitor"
PERMISSIONS = (
    Permission(MONITOR, "read", "查看再担保合作机构预警、预警阈值与业务统计，导出统计表"),
    Permission(MONITOR, "manage", "关闭预警（须填写说明），修改预警阈值"),
)
DEFAULT_GRANTS = {
    "admin": (f"{MONITOR}:read", f"{MONITOR}:manage"),
    "risk_officer": (f"{MONITOR}:read", f"{MONITOR}:manage"),
    "customer_manager": (f"{MONITOR}:read",),
    "department_head": (f"{MONITOR}:read",),
    "executive": (f"{MONITOR}:read", f"{MONITOR}:manage"),
    "finance": (f"{MONITOR}:read",),
    "auditor": (f"{MONITOR}:read",),
    "read_only": (f"{MONITOR}:read",),
}
