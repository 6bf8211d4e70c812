"""Permissions of the measures area and their default grants: reading the regulatory figures and what is built on
them (``regulatory:report:read``; the lowest area declares it, the later areas check it too). The forms area adds
managing, reviewing and locking the reports."""

from __future__ import annotations

from surety.core.hookspecs import Permission

REPORT = "regulatory:report"
READ = f"{REPORT}:read"
PERMISSIONS = (
    Permission(REPORT, "read", "查看、导出监管报表数据：各业务的监管口径数据、责任余额与指标、报表及报送期限"),
)
DEFAULT_GRANTS = {role: (READ,) for role in ("admin", "executive", "finance", "risk_officer", "department_head",
                                             "auditor", "read_only")}
