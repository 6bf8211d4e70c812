"""Permissions of the indicators area and their default grants: changing the regulatory settings (registered capital,
weights, thresholds, limits). Reading the measures is the measures area's regulatory:report:read."""

from __future__ import annotations

from surety.core.hookspecs import Permission

SETTINGS = "regulatory:settings"
PERMISSIONS = (
    Permission(SETTINGS, "manage", "修改监管设置：注册资本、责任余额权重与单户标准、放大倍数与集中度上限、资产比例"),
)
DEFAULT_GRANTS = {
    "admin": (f"{SETTINGS}:manage",),
}
