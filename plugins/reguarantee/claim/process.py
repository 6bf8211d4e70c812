"""The review of a compensation claim through the core workflow engine (docs/reguarantee/claims.md, "Review"): the
default definition ``reguarantee.claim``, the subject's fields its conditions read, and what happens to the claim
when the instance ends.

受理 Acceptance (department head) -> 审核 Review (risk officer; while the claim is in review the approved amount may
be set lower than the claim, claim/services.set_approved_amount) -> 审批 Approval (executive) -> approved: the claim
may be paid (claim/services.pay_claim). A rejection at any step, or a withdrawal, ends the claim rejected (a new
claim may then be made on the filing).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from surety.core.audit.log import audit
from surety.core.context import Actor
from surety.core.ids import as_uuid, str_or_none
from surety.core.workflow import helpers
from surety.plugins.reguarantee.claim.models import ReguaranteeClaim
from surety.plugins.reguarantee.claim.permissions import CLAIM

SUBJECT_TYPE = "reguarantee:claim"
DEFINITION_KEY = "reguarantee.claim"
SYSTEM_ID = "reguarantee.claim"

REJECT = {"to": "rejected", "on": "reject"}
CLAIM_REVIEW = {
    "key": DEFINITION_KEY,
    "name": "代偿补偿审批 Compensation claim review",
    "subject_type": SUBJECT_TYPE,
    "start": "acceptance",
    "steps": [
        helpers.task_step("acceptance", "受理 Acceptance", {"role": "department_head"}, [{"to": "review"}, REJECT],
                          days=3, escalate_to="executive"),
        helpers.task_step("review", "审核 Review", {"role": "risk_officer"}, [{"to": "approval"}, REJECT],
                          days=5, escalate_to="department_head"),
        helpers.task_step("approval", "审批 Approval", {"role": "executive"}, [{"to": "approved"}, REJECT],
                          days=3, escalate_to="admin"),
        helpers.end_step("approved"),
        helpers.end_step("rejected"),
    ],
}


def fields_of(claim: ReguaranteeClaim) -> dict[str, Any]:
    """What the definition's conditions and assignee rules read of a claim (no personal data: the engine stores
    these fields): its number, partner, filing, figures and status."""
    approved = claim.approved_amount if claim.approved_amount is not None else claim.claim_amount
    return {"claim_id": str(claim.id), "claim_no": claim.claim_no, "partner_id": str(claim.partner_id),
            "filing_id": str(claim.filing_id), "status": claim.status, "compensated_amount": claim.compensated_amount,
            "unpaid_principal": claim.unpaid_principal, "covered_base": claim.covered_base,
            "claim_amount": claim.claim_amount, "amount": approved}


def claim_fields(session: Session, subject_id: str) -> dict[str, Any] | None:
    """The current fields of a claim (subject type ``reguarantee:claim``), None when there is no such claim."""
    claim_id = as_uuid(subject_id)
    claim = claim_id and session.scalar(select(ReguaranteeClaim).where(ReguaranteeClaim.id == claim_id))
    return fields_of(claim) if claim else None


def start_review(session: Session, actor: Actor, claim: ReguaranteeClaim) -> None:
    """Start the review of a submitted claim (as the person, who needs core:workflow:start): in_review; audited."""
    instance = helpers.start(session, actor, SYSTEM_ID, definition_key=DEFINITION_KEY, subject_type=SUBJECT_TYPE,
                             subject_id=str(claim.id), title=f"代偿补偿申请 {claim.claim_no}")
    claim.workflow_instance_id, claim.status = instance.id, "in_review"
    session.flush()
    audit(session, "reguarantee.claim.review_started", entity_type=CLAIM, entity_id=claim.id,
          before={"status": "submitted"}, after={"status": "in_review", "instance_id": str(instance.id)})


def review_ended(session: Session, event) -> None:
    """The review of a claim ended: approved -> approved (the approved amount the claim unless set lower);
    rejected or withdrawn -> rejected, with the last decision's comment in the remarks. Another or a stale
    instance: ignored."""
    claim_id = as_uuid(event.subject_id)
    claim = claim_id and session.scalar(select(ReguaranteeClaim).where(ReguaranteeClaim.id == claim_id))
    if not claim or claim.workflow_instance_id != event.instance_id or claim.status != "in_review":
        return
    who, comment = helpers.last_decision(session, event.instance_id)
    if event.result == "approved":
        claim.status = "approved"
        if claim.approved_amount is None:
            claim.approved_amount = claim.claim_amount
    else:
        claim.status = "rejected"
        if comment:
            claim.remarks = (f"{claim.remarks}\n" if claim.remarks else "") + comment
            claim.remarks = claim.remarks[-1000:]
    session.flush()
    audit(session, "reguarantee.claim.decided", entity_type=CLAIM, entity_id=claim.id,
          before={"status": "in_review"},
          after={"status": claim.status, "workflow_result": event.result, "decided_by": str_or_none(who),
                 "approved_amount": claim.approved_amount})


#: What the plugin's Processes read of this process module.
DEFINITIONS = [CLAIM_REVIEW]
SUBJECTS = {SUBJECT_TYPE: (claim_fields, review_ended)}
