"""The approval of a loan through the core workflow engine (docs/microloan/loans.md, "Approval"): the default
definition ``microloan.loan``, the subject's fields its conditions and assignee rules read, and what happens to the
loan when the instance ends.

Route by amount (settings ``approval_routes``): the loan goes to the first route whose ``max`` holds its amount, and
that route's ``steps`` say how many of the three levels approve in turn: risk officer (风险审查), department head
(部门负责人审批), executive (总经理审批). The subject field ``approval_levels`` is that count, so the default definition
follows the tenant's routes without being edited; a tenant may also edit the definition and route on ``amount``,
``kind``, ``online``, ``product_code`` ... directly. Four-eyes rule: a loan approved at any step by the person who
applied for it ends ``rejected`` (reason ``four_eyes``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from surety.core.audit.log import audit
from surety.core.context import ACTOR_USER
from surety.core.db.types import utcnow
from surety.core.i18n import N_
from surety.core.ids import as_uuid, str_or_none
from surety.core.workflow import helpers
from surety.core.workflow.models import WorkflowEvent
from surety.plugins.microloan.loan.models import MicroloanLoan
from surety.plugins.microloan.product.models import MicroloanProduct
from surety.plugins.microloan.settings import get_settings

SUBJECT_TYPE = "microloan:loan"
DEFINITION_KEY = "microloan.loan"
ENTITY = "microloan:loan"
#: The approval levels in the order they approve (a route's ``steps`` are the first n of them).
APPROVAL_ROLES = ("risk_officer", "department_head", "executive")

REJECT = {"to": "rejected", "on": "reject"}
APPROVAL = {
    "key": DEFINITION_KEY,
    "name": "小额贷款审批 Microloan approval",
    "subject_type": SUBJECT_TYPE,
    "start": "risk_review",
    "steps": [
        helpers.task_step("risk_review", "风险审查 Risk review", {"role": "risk_officer"},
                          [{"to": "department_review", "when": "approval_levels >= 2"}, {"to": "approved"}, REJECT],
                          days=3, escalate_to="department_head"),
        helpers.task_step("department_review", "部门负责人审批 Department approval",
                          {"role": "department_head"},
                          [{"to": "executive_review", "when": "approval_levels >= 3"}, {"to": "approved"}, REJECT],
                          days=2, escalate_to="executive"),
        helpers.task_step("executive_review", "总经理审批 Executive approval", {"role": "executive"},
                          [{"to": "approved"}, REJECT], days=2, escalate_to="admin"),
        helpers.end_step("approved"),
        helpers.end_step("rejected"),
    ],
}

#: WorkflowInstanceEnded result -> loan status.
RESULT_STATUS = {"approved": "approved", "rejected": "rejected", "withdrawn": "withdrawn"}
#: The decision comment when the four-eyes rule turns an approval into a rejection.
FOUR_EYES = N_("Four-eyes rule: the loan was approved by the person who applied for it, so it is not approved; "
               "apply again for others to approve.")


def route_for(routes: Sequence[Mapping[str, Any]], amount: Decimal) -> Mapping[str, Any]:
    """The route an ``amount`` takes: the first whose ``max`` (inclusive) holds it, else the last (no ``max``)."""
    for route in routes:
        if route.get("max") is None or amount <= Decimal(str(route["max"])):
            return route
    return routes[-1]


def fields_of(session: Session, loan: MicroloanLoan, *, flags: Sequence[str] = ()) -> dict[str, Any]:
    """What the definition's conditions and assignee rules read of a loan: amounts as Decimal, ids as text, the
    number of approval levels of its route (``approval_levels``), its product's code. No personal data (the engine
    stores these fields)."""
    product = session.get(MicroloanProduct, (loan.tenant_id, loan.product_id))
    route = route_for(get_settings(session).approval_routes, loan.amount)
    return {
        "loan_id": str(loan.id), "loan_no": loan.loan_no, "status": loan.status, "amount": loan.amount,
        "term_months": loan.term_months, "kind": loan.kind, "online": bool(loan.online),
        "product_id": str(loan.product_id), "product_code": product.code if product else None,
        "customer_id": str(loan.customer_id), "manager_id": str_or_none(loan.manager_id),
        "applicant_id": str_or_none(loan.created_by), "org_unit_id": str_or_none(loan.department_id),
        "approval_levels": len(route.get("steps") or ()), "approval_steps": list(route.get("steps") or ()),
        "flags": list(flags),
    }


def loan_fields(session: Session, subject_id: str) -> dict[str, Any] | None:
    """The current fields of a loan (subject type ``microloan:loan``), None when there is no such loan."""
    loan_id = as_uuid(subject_id)
    loan = loan_id and session.scalar(select(MicroloanLoan).where(MicroloanLoan.id == loan_id))
    return fields_of(session, loan) if loan else None


def approved_by(session: Session, instance_id, user_id) -> bool:
    """Whether ``user_id`` approved any step of the instance."""
    return session.scalar(select(WorkflowEvent.id).where(
        WorkflowEvent.instance_id == instance_id, WorkflowEvent.action == "approve",
        WorkflowEvent.actor_type == ACTOR_USER, WorkflowEvent.actor_id == str(user_id)).limit(1)) is not None


def loan_ended(session: Session, event) -> None:
    """The approval instance of a loan ended -> approved / rejected / withdrawn. Four-eyes rule: approved at any step
    by the applicant, the loan is rejected (audit ``reason`` four_eyes). Another or a stale instance: ignored."""
    loan_id = as_uuid(event.subject_id)
    loan = loan_id and session.scalar(select(MicroloanLoan).where(MicroloanLoan.id == loan_id))
    if not loan or loan.workflow_instance_id != event.instance_id or loan.status != "in_approval":
        return
    status = RESULT_STATUS.get(event.result)
    if status is None:
        return
    reason = None
    if status == "approved" and loan.created_by is not None and approved_by(session, event.instance_id,
                                                                            loan.created_by):
        status, reason = "rejected", "four_eyes"
    who, comment = helpers.last_decision(session, event.instance_id)
    before = loan.status
    loan.status, loan.updated_at = status, utcnow()
    session.flush()
    audit(session, "microloan.loan.decided", entity_type=ENTITY, entity_id=loan.id,
          before={"status": before},
          after={"loan_no": loan.loan_no, "status": status, "workflow_result": event.result,
                 "reason": reason, "decided_by": str_or_none(who),
                 "comment": FOUR_EYES if reason else (comment or "")[:500]})


#: What the plugin's Processes read of this process module.
DEFINITIONS = [APPROVAL]
SUBJECTS = {SUBJECT_TYPE: (loan_fields, loan_ended)}
