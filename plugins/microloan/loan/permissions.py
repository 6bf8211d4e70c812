"""Permissions of loan origination (application, investigation, approval, contract, disbursement) and of the
microloan settings, with what provisioning grants each role template by default (joined in plugin.py)."""

from __future__ import annotations

from surety.core.hookspecs import Permission

LOAN = "microloan:loan"
SETTINGS = "microloan:settings"
PERMISSIONS = (
    Permission(LOAN, "read", "查看小额贷款（申请、调查、审批、合同、放款、还款计划、限额试算）"),
    Permission(LOAN, "apply", "录入、修改贷款申请并提交审批"),
    Permission(LOAN, "investigate", "开始并登记贷前调查"),
    Permission(LOAN, "disburse", "签订借款合同并放款"),
    Permission(SETTINGS, "manage", "修改小额贷款设置（限额、审批路线、五级分类天数、拨备比例、催收阶段）"),
)
#: Applied once, when a tenant first enables the plugin; after that the tenant's admins own the matrix.
DEFAULT_GRANTS = {
    "admin": (f"{LOAN}:read", f"{LOAN}:apply", f"{LOAN}:investigate", f"{LOAN}:disburse", f"{SETTINGS}:manage"),
    "customer_manager": (f"{LOAN}:read", f"{LOAN}:apply", f"{LOAN}:investigate"),
    "risk_officer": (f"{LOAN}:read", f"{LOAN}:investigate"),
    "department_head": (f"{LOAN}:read",),
    "executive": (f"{LOAN}:read",),
    "finance": (f"{LOAN}:read", f"{LOAN}:disburse"),
    "auditor": (f"{LOAN}:read",),
    "read_only": (f"{LOAN}:read",),
}
