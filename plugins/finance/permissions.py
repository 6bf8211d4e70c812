"""Permissions of the ``finance`` plugin and what provisioning grants each role template by default."""

from __future__ import annotations

from surety.core.hookspecs import Permission

VOUCHER = "finance:voucher"
CHART = "finance:chart"
PERIOD = "finance:period"
PERMISSIONS = (
    Permission(VOUCHER, "read", "查看会计科目、凭证、科目余额表与明细账"),
    Permission(VOUCHER, "make", "录入凭证（制单）、红字冲销凭证"),
    Permission(VOUCHER, "review", "审核凭证（审核人不得为制单人）"),
    Permission(VOUCHER, "post", "记账（过账）已审核凭证（记账人不得为制单人）"),
    Permission(CHART, "manage", "安装科目表模板，新增、修改、停用会计科目，维护凭证模板"),
    Permission(PERIOD, "close", "结账（关闭会计期间）、反结账"),
)
_ALL = tuple(p.key for p in PERMISSIONS)
#: Applied once, when a tenant first enables the plugin; after that the tenant's admins own the matrix.
DEFAULT_GRANTS = {
    "admin": _ALL,
    "finance": _ALL,
    "auditor": (f"{VOUCHER}:read",),
    "executive": (f"{VOUCHER}:read",),
}
