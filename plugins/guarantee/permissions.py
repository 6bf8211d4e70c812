"""Permissions of the ``guarantee`` plugin and what provisioning grants each core role template."""

from __future__ import annotations

from surety.core.hookspecs import Permission

PRODUCT = "guarantee:product"
PROJECT = "guarantee:project"
COUNTER = "guarantee:counter_guarantee"
RATING = "guarantee:rating"
BANK = "guarantee:bank"
FEE = "guarantee:fee"
CONTRACT = "guarantee:contract"
MEETING = "guarantee:meeting"
LOAN = "guarantee:loan"
CONDITION = "guarantee:condition"
SETTINGS = "guarantee:settings"
RELEASE = "guarantee:release"
COMPENSATION = "guarantee:compensation"
LOSS = "guarantee:loss"
INSPECTION = "guarantee:inspection"
WARNING = "guarantee:warning"
CLASSIFICATION = "guarantee:classification"
LEDGER = "guarantee:ledger"
DASHBOARD = "guarantee:dashboard"
PORTAL = "guarantee:portal"

P = Permission
PERMISSIONS = (
    P(PRODUCT, "read", "See guarantee products"),
    P(PRODUCT, "manage", "Create, change and retire guarantee products"),
    P(PROJECT, "read", "See guarantee projects (within the data scope of one's roles)"),
    P(PROJECT, "create", "Enter and submit guarantee applications"),
    P(PROJECT, "update", "Edit a project's application data before approval"),
    P(COUNTER, "read", "See counter-guarantees and the project risk"),
    P(COUNTER, "manage", "Record counter-guarantees and their valuations"),
    P(RATING, "read", "See scorecard templates and credit ratings"),
    P(RATING, "manage", "Edit scorecard templates"),
    P(RATING, "score", "Fill in due-diligence reports and score ratings"),
    P(BANK, "read", "See partner banks and their credit lines"),
    P(BANK, "manage", "Manage partner banks and credit lines"),
    P(FEE, "read", "See fee schedules, receipts and refunds"),
    P(FEE, "manage", "Set a project's fees and generate the schedule"),
    P(FEE, "collect", "Record fee receipts and refunds"),
    P(CONTRACT, "read", "See and download contracts"),
    P(CONTRACT, "manage", "Edit contract templates and generate contracts"),
    P(CONTRACT, "sign", "Send contracts for signature and record signing"),
    P(MEETING, "read", "See review committee meetings, resolutions and minutes"),
    P(MEETING, "manage", "Schedule review committee meetings and set their agenda and members"),
    P(CONDITION, "meet", "Record a review committee condition as met, with its evidence (附加条件落实)"),
    P(CONDITION, "waive", "Waive a review committee condition, with a reason (the approver: 附加条件豁免)"),
    P(LOAN, "confirm", "Record the bank's loan confirmation or issue a non-financing letter of guarantee (the guarantee "
                      "takes effect)"),
    P(SETTINGS, "manage", "Change the guarantee settings (number pattern, thresholds, risk weights)"),
    P(RELEASE, "record", "Record the bank's repayments and release guarantees (解保)"),
    P(RELEASE, "request", "Request a release (申请解保): executed when its approval (guarantee.release) ends approved"),
    P(COMPENSATION, "read", "See compensation claims, receivables and recovery actions"),
    P(COMPENSATION, "claim", "Record a bank's compensation claim (代偿申请)"),
    P(COMPENSATION, "pay", "Record the compensation payment to the bank"),
    P(COMPENSATION, "recover", "Record recovery actions (追偿) and recovered amounts"),
    P(LOSS, "write_off", "Propose writing off a compensation receivable as a loss"),
    P(INSPECTION, "read", "See inspection plans and post-guarantee inspections"),
    P(INSPECTION, "record", "Record post-guarantee inspections and change inspection plans"),
    P(WARNING, "read", "See early warnings, overdue reports and risk classifications"),
    P(WARNING, "raise", "Record the bank's overdue reports and raise warnings by hand"),
    P(WARNING, "manage", "Define early-warning indicators"),
    P(CLASSIFICATION, "propose", "Propose a change of a guarantee's five-category risk classification"),
    P(LEDGER, "read", "See project and company ledgers (台账)"),
    P(LEDGER, "confirm_risk", "Confirm ledger entries as the risk officer"),
    P(LEDGER, "confirm_finance", "Confirm ledger entries as finance"),
    P(LEDGER, "export", "Export the company ledger to a spreadsheet"),
    P(DASHBOARD, "read", "See the leaders' business dashboard"),
    P(PORTAL, "manage", "Link portal users to the customer they act for"),
    P(PORTAL, "use", "Customer self-service: apply, upload documents, follow own projects, download letters"),
)


def _grants(obj: str, *acts: str) -> tuple[str, ...]:
    return tuple(f"{obj}:{a}" for a in acts)


_READ_ALL = (_grants(PRODUCT, "read") + _grants(PROJECT, "read") + _grants(COUNTER, "read") + _grants(RATING, "read")
             + _grants(BANK, "read") + _grants(FEE, "read") + _grants(CONTRACT, "read") + _grants(MEETING, "read")
             + _grants(COMPENSATION, "read") + _grants(INSPECTION, "read") + _grants(WARNING, "read")
             + _grants(LEDGER, "read"))

DEFAULT_GRANTS = {
    "admin": tuple(p.key for p in PERMISSIONS if p.key != f"{PORTAL}:use"),
    "customer_manager": _READ_ALL + _grants(PROJECT, "create", "update") + _grants(COUNTER, "manage")
    + _grants(CONDITION, "meet")
    + _grants(RATING, "score") + _grants(INSPECTION, "record") + _grants(WARNING, "raise")
    + _grants(COMPENSATION, "recover") + _grants(PORTAL, "manage") + _grants(RELEASE, "request"),
    "risk_officer": _READ_ALL + _grants(COUNTER, "manage") + _grants(RATING, "score", "manage")
    + _grants(INSPECTION, "record") + _grants(WARNING, "raise", "manage") + _grants(CLASSIFICATION, "propose")
    + _grants(COMPENSATION, "claim", "recover") + _grants(LOSS, "write_off") + _grants(LEDGER, "confirm_risk")
    + _grants(CONDITION, "meet"),
    "department_head": _READ_ALL + _grants(PROJECT, "update") + _grants(RATING, "score") + _grants(DASHBOARD, "read"),
    # The executive gives the approval reply (批复): the approver who may waive a committee condition.
    "executive": _READ_ALL + _grants(DASHBOARD, "read") + _grants(LEDGER, "export") + _grants(CONDITION, "waive"),
    "committee_member": _READ_ALL,
    "legal": _READ_ALL + _grants(CONTRACT, "manage", "sign") + _grants(MEETING, "manage") + _grants(COUNTER, "manage")
    + _grants(CONDITION, "meet"),
    "finance": _READ_ALL + _grants(FEE, "manage", "collect") + _grants(LOAN, "confirm") + _grants(BANK, "manage")
    + _grants(RELEASE, "record", "request") + _grants(COMPENSATION, "claim", "pay", "recover") + _grants(LEDGER, "confirm_finance",
                                                                                          "export"),
    # Customers upload and read their own projects' files (the plugin's attachment guards keep them there).
    "customer_portal": _grants(PORTAL, "use") + ("core:attachment:read", "core:attachment:upload"),
    "auditor": _READ_ALL,
    "read_only": _grants(PROJECT, "read") + _grants(PRODUCT, "read"),
}

#: Keys whose values are personal data in logs and audit images.
SENSITIVE_KEYS = ("owner_name", "ownerName", "guarantor_name", "guarantorName", "guarantor_id_number",
                  "guarantorIdNumber", "collateral_address", "collateralAddress")
