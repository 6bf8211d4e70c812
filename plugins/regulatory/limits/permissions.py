"""Permissions of the limits area and their default grants: reading the limit check of an approval subject (the
people who take part in guarantee and microloan approvals). The workflow condition reads it without a person."""

from __future__ import annotations

from surety.core.hookspecs import Permission

LIMIT = "regulatory:limit"
READ = f"{LIMIT}:read"
PERMISSIONS = (
    Permission(LIMIT, "read", "查看审批前限额检查：批准某项业务后放大倍数、单一客户与关联方集中度是否超限"),
)
DEFAULT_GRANTS = {role: (READ,) for role in ("admin", "customer_manager", "risk_officer", "department_head",
                                             "committee_member", "executive", "finance")}
