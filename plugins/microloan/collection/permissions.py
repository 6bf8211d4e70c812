"""Permissions of the collection area (催收、分类调整、核销、核销后收回) and their default grants."""

from __future__ import annotations

from surety.core.hookspecs import Permission, RoleTemplate

COLLECTION = "microloan:collection"
CLASSIFICATION = "microloan:classification"
WRITEOFF = "microloan:writeoff"
RECOVERY = "microloan:recovery"
#: The collector role (催收专员) stage M2 cases are assigned to. Its template is offered here; the plugin's
#: ``surety_role_templates`` hook returns it.
COLLECTOR = "collector"
ROLE_TEMPLATES = (RoleTemplate(COLLECTOR, "Collector", "org_subtree", "催收专员：跟进逾期贷款的电话、短信催收"),)

PERMISSIONS = (
    Permission(COLLECTION, "read", "查看小额贷款催收案件、催收记录及催收成效"),
    Permission(COLLECTION, "act", "登记催收记录（电话、短信、上门、催收函、诉讼、承诺还款）"),
    Permission(CLASSIFICATION, "request", "提出手工调整或取消调整贷款五级分类（须审批）"),
    Permission(WRITEOFF, "request", "提出贷款核销申请（须审批）"),
    Permission(RECOVERY, "record", "登记核销后收回的款项"),
)
_READ = f"{COLLECTION}:read"
_ACT = f"{COLLECTION}:act"
#: Applied once, when a tenant first enables the plugin; after that the tenant's admins own the matrix.
DEFAULT_GRANTS = {
    "admin": (_READ, _ACT, f"{CLASSIFICATION}:request", f"{WRITEOFF}:request", f"{RECOVERY}:record"),
    "customer_manager": (_READ, _ACT),
    "risk_officer": (_READ, _ACT, f"{CLASSIFICATION}:request", f"{WRITEOFF}:request"),
    "legal": (_READ, _ACT, f"{RECOVERY}:record"),
    "department_head": (_READ,),
    "executive": (_READ,),
    "finance": (_READ, f"{RECOVERY}:record"),
    "auditor": (_READ,),
    "collector": (_READ, _ACT),
}
