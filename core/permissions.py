"""Core's permission catalog, role templates and their default grants."""

from __future__ import annotations

from surety.core.authz.models import SCOPE_ORG_SUBTREE, SCOPE_ORG_UNIT, SCOPE_OWN, SCOPE_TENANT
from surety.core.hookspecs import Permission, RoleTemplate

P = Permission
CORE_PERMISSIONS = (
    P("core:user", "read", "See users of the tenant"),
    P("core:user", "create", "Create users"),
    P("core:user", "update", "Edit users, reset passwords, assign roles"),
    P("core:user", "disable", "Disable and enable users"),
    P("core:org_unit", "read", "See the org-unit tree"),
    P("core:org_unit", "manage", "Create and edit org units"),
    P("core:role", "read", "See roles and the permission matrix"),
    P("core:role", "manage", "Edit roles and the permission matrix"),
    P("core:audit", "read", "Read the audit log"),
    P("core:audit", "export", "Export the audit log"),
    P("core:api_key", "manage", "Create and revoke API keys"),
    P("core:pii", "reveal", "See personal data unmasked (each reveal is audited)"),
    P("core:tenant", "read", "See the tenant's settings and plugins"),
    P("core:tenant", "update", "Change the tenant's settings and enabled plugins"),
    P("core:attachment", "read", "List and download attachments (each download is audited)"),
    P("core:attachment", "upload", "Upload attachments"),
    P("core:attachment", "delete", "Delete attachments"),
    P("core:workflow", "read", "See process definitions, instances and their timelines"),
    P("core:workflow", "manage", "Edit, import, export and publish process definitions; edit the work calendar"),
    P("core:workflow", "start", "Start a process instance"),
    P("core:workflow", "monitor", "See every task of the tenant, overdue tasks included"),
    P("core:workflow_task", "act", "Act on workflow tasks one is a candidate or assignee for"),
    P("core:custom_field", "manage", "Define, change and retire the tenant's custom fields (forms)"),
)

ROLE_ADMIN = "admin"
ROLE_TEMPLATES = (
    RoleTemplate(ROLE_ADMIN, "Tenant administrator", SCOPE_TENANT),
    RoleTemplate("customer_manager", "Customer manager", SCOPE_OWN),
    RoleTemplate("risk_officer", "Risk officer", SCOPE_ORG_SUBTREE),
    RoleTemplate("legal", "Legal", SCOPE_TENANT),
    RoleTemplate("committee_member", "Review committee member", SCOPE_TENANT),
    RoleTemplate("finance", "Finance", SCOPE_TENANT),
    RoleTemplate("department_head", "Department head", SCOPE_ORG_SUBTREE),
    RoleTemplate("executive", "Executive", SCOPE_TENANT),
    RoleTemplate("auditor", "Auditor", SCOPE_TENANT),
    RoleTemplate("read_only", "Read-only", SCOPE_ORG_UNIT),
)

_STAFF = ("core:user:read", "core:org_unit:read", "core:attachment:read", "core:attachment:upload",
          "core:workflow:read", "core:workflow:start", "core:workflow_task:act")
CORE_DEFAULT_GRANTS = {
    ROLE_ADMIN: tuple(p.key for p in CORE_PERMISSIONS),
    "customer_manager": _STAFF,
    "risk_officer": _STAFF,
    "legal": _STAFF,
    "committee_member": _STAFF,
    "finance": _STAFF,
    "department_head": _STAFF + ("core:role:read", "core:workflow:monitor"),
    "executive": _STAFF + ("core:role:read", "core:tenant:read", "core:workflow:monitor"),
    "auditor": _STAFF + ("core:role:read", "core:audit:read", "core:audit:export", "core:tenant:read"),
    "read_only": ("core:org_unit:read", "core:workflow:read"),
}

#: Keys whose values are personal data or secrets: redacted in logs and audit images.
CORE_SENSITIVE_KEYS = (
    "password", "new_password", "old_password", "password_hash", "token", "access_token", "refresh_token",
    "refreshToken", "accessToken", "api_key", "secret", "authorization", "id_number", "idNumber", "phone",
    "mobile", "bank_account", "bankAccount", "id_card", "email",
)
