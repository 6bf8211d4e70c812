"""Permissions of the ``customers`` plugin and what provisioning grants each core role template."""

from __future__ import annotations

from surety.core.hookspecs import Permission

CUSTOMER = "customers:customer"
RELATION = "customers:relation"
BLACKLIST = "customers:blacklist"
STATEMENT = "customers:statement"
SETTINGS = "customers:settings"

P = Permission
PERMISSIONS = (
    P(CUSTOMER, "read", "See customers (within the data scope of one's roles)"),
    P(CUSTOMER, "create", "Create customers"),
    P(CUSTOMER, "update", "Edit customers, tags and assignment; record work on a customer"),
    P(CUSTOMER, "delete", "Delete customers"),
    P(CUSTOMER, "import", "Import customers from a spreadsheet"),
    P(CUSTOMER, "export", "Export customers to a spreadsheet"),
    P(RELATION, "read", "See related parties, the related-party graph and group exposure"),
    P(RELATION, "manage", "Add and remove related parties by hand"),
    P(BLACKLIST, "read", "See blacklist and watchlist entries"),
    P(BLACKLIST, "manage", "Request blacklist/watchlist entries and remove them"),
    P(BLACKLIST, "approve", "Approve or reject blacklist/watchlist requests (not one's own)"),
    P(STATEMENT, "read", "See financial statements and ratios"),
    P(STATEMENT, "manage", "Enter and correct financial statements"),
    P(SETTINGS, "manage", "Change the customer settings (collision window and mode)"),
)


_C = lambda *acts: tuple(f"{CUSTOMER}:{a}" for a in acts)  # noqa: E731
_R = lambda *acts: tuple(f"{RELATION}:{a}" for a in acts)  # noqa: E731
_B = lambda *acts: tuple(f"{BLACKLIST}:{a}" for a in acts)  # noqa: E731
_S = lambda *acts: tuple(f"{STATEMENT}:{a}" for a in acts)  # noqa: E731

DEFAULT_GRANTS = {
    "admin": tuple(p.key for p in PERMISSIONS),
    "customer_manager": _C("read", "create", "update", "import", "export") + _R("read", "manage") + _B("read")
    + _S("read", "manage"),
    "risk_officer": _C("read", "export") + _R("read", "manage") + _B("read", "manage") + _S("read"),
    "department_head": _C("read", "update", "import", "export") + _R("read", "manage")
    + _B("read", "manage", "approve") + _S("read"),
    "executive": _C("read", "export") + _R("read") + _B("read", "approve") + _S("read"),
    "committee_member": _C("read") + _R("read") + _B("read") + _S("read"),
    "legal": _C("read") + _R("read") + _B("read", "manage"),
    "finance": _C("read") + _S("read"),
    "auditor": _C("read", "export") + _R("read") + _B("read") + _S("read"),
    "read_only": _C("read"),
}

#: Keys whose values are personal data in logs and audit images (every spelling used).
SENSITIVE_KEYS = (
    "customer_name", "customerName", "id_number", "idNumber", "credit_code", "creditCode", "phone",
    "bank_account", "bankAccount", "address", "legal_rep_name", "legalRepName", "legal_rep_id_number",
    "legalRepIdNumber", "family", "shareholders", "key_people", "keyPeople",
)
