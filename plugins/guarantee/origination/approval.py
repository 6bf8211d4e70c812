"""The approval of a project through the core workflow engine: the default definition ``guarantee.approval``, the
subject's fields that its conditions and assignee rules read, and what happens to the project when the instance
ends (docs/guarantee/origination.md, "Approval").

Route: acceptance (department head of the project's org unit) -> due diligence (the project's manager A) ->
preliminary review (risk officer) -> re-review (executive) -> review committee (when ``amount >
committee_threshold``) -> approval reply (executive) -> credit-line check (automatic) -> approved. A renewal of at
most ``green_channel_max`` goes from acceptance straight to the approval reply (green channel). Any rejection ends
the instance rejected. Tenants edit the definition like any other (workflowDefinitionSave / Publish); the fields of
:func:`subject` are what their conditions may use.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from surety.core.audit.log import audit
from surety.core.custom_fields.service import subject_values_of
from surety.core.db.session import tenant_row
from surety.core.db.types import to_money, utcnow
from surety.core.events import raise_event
from surety.core.ids import as_uuid, str_or_none
from surety.core.ports import customers as door
from surety.core.workflow import helpers
from surety.plugins.guarantee.finance.banks import release
from surety.plugins.guarantee.origination.events import GuaranteeProjectDecided
from surety.plugins.guarantee.project.models import (
    STATUS_APPROVED,
    STATUS_IN_APPROVAL,
    STATUS_REJECTED,
    STATUS_WITHDRAWN,
    GuaranteeProduct,
    GuaranteeProject,
)
from surety.plugins.guarantee.settings import get_settings

SUBJECT_TYPE = "guarantee:project"
DEFINITION_KEY = "guarantee.approval"
ENTITY = "guarantee:project"

APPROVAL = {
    "key": DEFINITION_KEY,
    "name": "Guarantee approval",
    "subject_type": SUBJECT_TYPE,
    "start": "acceptance",
    "steps": [
        helpers.task_step("acceptance", "受理 Acceptance", {"role": "department_head", "org_unit": "subject"},
                          [{"to": "reply", "when": "renewal and amount <= green_channel_max"},
                           {"to": "due_diligence"}],
                          days=2, escalate_to="executive"),
        helpers.task_step("due_diligence", "尽职调查 Due diligence", {"field": "manager_a_id"},
                          [{"to": "preliminary_review"}], days=10, escalate_to="department_head"),
        helpers.task_step("preliminary_review", "初审 Preliminary review", {"role": "risk_officer"},
                          [{"to": "re_review"}], days=3, escalate_to="executive"),
        helpers.task_step("re_review", "复审 Re-review", {"role": "executive"},
                          [{"to": "committee", "when": "amount > committee_threshold"}, {"to": "reply"}],
                          days=3, escalate_to="admin"),
        {"key": "committee", "name": "审保会 Review committee", "kind": "committee",
         "assignee": {"role": "legal"}, "member_role": "committee_member",
         "quorum": 5, "pass_ratio": "2/3", "chair_veto": True,
         "timeout": {"working_days": 5, "remind_before": 1, "escalate_to": "executive"},
         "transitions": [{"to": "reply"}, {"to": "rejected", "on": "reject"}]},
        helpers.task_step("reply", "批复 Approval reply", {"role": "executive"}, [{"to": "credit_line_check"}],
                          days=2, escalate_to="admin"),
        {"key": "credit_line_check", "name": "授信额度检查 Credit line check", "kind": "automatic",
         "handler": "guarantee.credit_line_check",
         "transitions": [{"to": "approved", "when": "outcome == \"ok\""}, {"to": "rejected"}]},
        helpers.end_step("approved"),
        helpers.end_step("rejected"),
    ],
}

#: WorkflowInstanceEnded result -> project status.
RESULT_STATUS = {"approved": STATUS_APPROVED, "rejected": STATUS_REJECTED, "withdrawn": STATUS_WITHDRAWN}


def project_basics(project: GuaranteeProject) -> dict[str, Any]:
    """What every process about something of a project (a claim, a warning, a classification change...) gives its
    conditions and assignee rules of the project: ids as text, amounts as Decimal."""
    return {"project_id": str(project.id), "project_no": project.project_no,
            "org_unit_id": str_or_none(project.org_unit_id), "bank_id": str_or_none(project.bank_id),
            "manager_a_id": str_or_none(project.manager_a_id), "manager_b_id": str_or_none(project.manager_b_id),
            "project_amount": project.amount, "in_force_balance": project.in_force_balance,
            "risk_class": project.risk_class, "proposed_fee_rate": project.proposed_fee_rate,
            "proposed_fee": project.proposed_fee}


#: The subject flag of a project whose proposed fee is below its product's default rate.
FLAG_FEE_BELOW_DEFAULT = "fee_below_default"


def fee_below_default(project: GuaranteeProject, product: GuaranteeProduct | None) -> bool:
    """Whether the fee proposed with the application is below the product's default yearly rate: the proposed rate
    below it, or (only an amount proposed) the amount below the default rate's fee over the term (amount x rate x
    term_months / 12, to the fen). False when either is missing."""
    default = product.default_fee_rate if product is not None else None
    if default is None:
        return False
    if project.proposed_fee_rate is not None:
        return project.proposed_fee_rate < default
    if project.proposed_fee is not None:
        return project.proposed_fee < to_money(project.amount * default * project.term_months / 12)
    return False


def fields_of(session: Session, project: GuaranteeProject, *, with_names: bool = True,
              customer: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """What conditions and assignee rules read of a project: amounts as Decimal, ids as text, the settings'
    thresholds, the product's kind and the customer's summary (``customer.kind`` ...; its name only when
    ``with_names``: the engine stores the fields given at start, and those keep no personal data), the fee proposed
    with the application (``proposed_fee_rate``, ``proposed_fee``), the product's ``product_default_fee_rate`` and
    ``fee_below_default`` (:func:`fee_below_default`; also the flag ``fee_below_default`` in ``flags``), and the
    non-sensitive custom fields of the project (``custom.<key>``) and of the customer (``customer.custom.<key>``,
    docs/custom-fields.md). ``customer``: the customer's summary when the caller has just read it (not read again).
    """

    settings = get_settings(session)
    product = session.get(GuaranteeProduct, (project.tenant_id, project.product_id))  # from memory when loaded
    below = fee_below_default(project, product)
    if customer is None:
        customer = door.summary(session, project.customer_id) or {}
    shown = {k: str_or_none(customer.get(k)) for k in ("kind", "industry", "region", "size")}
    customer_custom, project_custom = subject_values_of(session, [
        (f"customer_{project.customer_kind}", project.customer_id), ("guarantee_project", project.id)])
    if with_names:
        shown["name"] = customer.get("name")
    return {
        "project_id": str(project.id), "project_no": project.project_no, "status": project.status,
        "amount": project.amount, "term_months": project.term_months, "renewal": bool(project.renewal),
        "loan_category": project.loan_category, "purpose": project.purpose,
        "product_id": str(project.product_id), "product_kind": product.kind if product else None,
        "product_category": product.category if product else None, "product_code": product.code if product else None,
        "bank_id": str_or_none(project.bank_id), "customer_id": str(project.customer_id),
        "customer_kind": project.customer_kind,
        "customer": {**shown, **customer_custom}, **project_custom,
        "manager_a_id": str_or_none(project.manager_a_id), "manager_b_id": str_or_none(project.manager_b_id),
        "owner_id": str_or_none(project.owner_id), "org_unit_id": str_or_none(project.org_unit_id),
        "flags": list(project.flags or []) + ([FLAG_FEE_BELOW_DEFAULT] if below else []),
        "proposed_fee_rate": project.proposed_fee_rate, "proposed_fee": project.proposed_fee,
        "product_default_fee_rate": product.default_fee_rate if product else None, "fee_below_default": below,
        "committee_threshold": settings.committee_threshold, "green_channel_max": settings.green_channel_max,
    }


def stored_fields(fields: Mapping[str, Any]) -> dict[str, Any]:
    """``fields_of(...)`` as ``fields_of(..., with_names=False)`` gives it: without the customer's name (what the
    engine stores at start)."""
    return {**fields, "customer": {k: v for k, v in fields["customer"].items() if k != "name"}}


def project_fields(session: Session, subject_id: str) -> dict[str, Any] | None:
    """The current fields of a project (subject type ``guarantee:project``), None when there is no such project."""
    project_id = as_uuid(subject_id)
    # Kept for the transaction: the committee-conditions listener of the step this action enters reads it too.
    project = tenant_row(session, GuaranteeProject, project_id, keep=True)
    if not project:
        return None
    return fields_of(session, project)


def project_ended(session: Session, event) -> None:
    """The approval instance of a project ended (core's WorkflowInstanceEnded about a ``guarantee:project``) ->
    approved / rejected / withdrawn."""
    project_id = as_uuid(event.subject_id)
    project = tenant_row(session, GuaranteeProject, project_id)  # from memory when loaded
    if not project or project.workflow_instance_id != event.instance_id or project.status != STATUS_IN_APPROVAL:
        return  # another process about the project, or a stale instance: not the approval
    status = RESULT_STATUS.get(event.result)
    if status is None:
        return
    project.status, project.decided_at = status, utcnow()
    project.updated_at = project.decided_at
    if status != STATUS_APPROVED and project.credit_line_id is not None:
        # A tenant's definition may check the line before its last decision: give the reservation back.
        if project.credit_line_held > 0:
            release(session, project, project.credit_line_held)
        project.credit_line_id = None
    session.flush()
    conditions = tuple(event.conditions or ())
    audit(session, "guarantee.project.decided", entity_type=ENTITY, entity_id=project.id,
          after={"project_no": project.project_no, "result": event.result, "conditions": list(conditions)})
    raise_event(session, GuaranteeProjectDecided(project_id=project.id, project_no=project.project_no,
                                                 result=event.result, amount=project.amount, conditions=conditions))


#: What the plugin's process registry (``plugin.PROCESSES``) reads of this process module: its default
#: definitions and, per subject type, ``(fields, ended)``.
DEFINITIONS = [APPROVAL]
SUBJECTS = {SUBJECT_TYPE: (project_fields, project_ended)}
