"""Permissions of the forms area (form definitions and the reports filled from them) and their default grants:
finance fills reports and keeps the forms, risk and department heads review, executives review and lock. Reading
reports is ``regulatory:report:read``, declared by the measures area below (granted here too, as the roles need it)."""

from __future__ import annotations

from surety.core.hookspecs import Permission

FORM = "regulatory:form"
REPORT = "regulatory:report"
PERMISSIONS = (
    Permission(FORM, "read", "查看监管报表格式（行、列、口径）"),
    Permission(FORM, "manage", "修改监管报表格式（保存为新版本）"),
    Permission(REPORT, "manage", "填报、重新填报监管报表，更正已锁定的报表（新版本）"),
    Permission(REPORT, "review", "复核监管报表（不得复核本人填报的报表）"),
    Permission(REPORT, "lock", "锁定监管报表（锁定后不可修改）"),
)
_READ = (f"{FORM}:read", f"{REPORT}:read")
DEFAULT_GRANTS = {
    "admin": (*_READ, f"{FORM}:manage", f"{REPORT}:manage", f"{REPORT}:review", f"{REPORT}:lock"),
    "finance": (*_READ, f"{FORM}:manage", f"{REPORT}:manage"),
    "risk_officer": (*_READ, f"{REPORT}:review"),
    "department_head": (*_READ, f"{REPORT}:review"),
    "executive": (*_READ, f"{REPORT}:review", f"{REPORT}:lock"),
    "auditor": _READ,
    "read_only": _READ,
}
