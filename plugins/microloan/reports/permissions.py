"""Permissions of the reports area (ledger and schedule export, the leaders' dashboard) and their default grants."""

from __future__ import annotations

from surety.core.hookspecs import Permission

DASHBOARD = "microloan:dashboard"
LEDGER = "microloan:ledger"
PERMISSIONS = (
    Permission(DASHBOARD, "read", "查看小额贷款经营看板（余额、投放、逾期、不良、拨备、核销、工作量）"),
    Permission(LEDGER, "export", "导出小额贷款台账及还款计划（xlsx）"),
)
#: Applied once, when a tenant first enables the plugin; after that the tenant's admins own the matrix.
DEFAULT_GRANTS = {
    "admin": (f"{DASHBOARD}:read", f"{LEDGER}:export"),
    "executive": (f"{DASHBOARD}:read", f"{LEDGER}:export"),
    "department_head": (f"{DASHBOARD}:read", f"{LEDGER}:export"),
    "auditor": (f"{DASHBOARD}:read", f"{LEDGER}:export"),
    "finance": (f"{LEDGER}:export",),
}
