"""Manual five-category class through approval (手工调整五级分类): a process module (``plugin.PROCESSES``).

:func:`request_class_override` (microloan:classification:request, typically a risk officer) proposes a class for a
loan on the books, or clearing its override (``to_class`` None), with a reason; one pending proposal per loan. It
starts ``microloan.classification`` (subject ``microloan:class_override``, id = the proposal): the department head
of the loan's department (else of the nearest unit above it that has one) approves -> approved; a rejection ends it
rejected. When the instance ends (:func:`ended`): approved -> the loan's ``risk_class_override`` and ``risk_class``
become the proposed class (cleared: the override is removed and ``risk_class`` goes back to the class its days past
due give under the tenant's class days, as the day-end classifies); rejected or withdrawn -> nothing changes on the
loan. Four eyes: an approval by the person who proposed it does not count (the proposal is rejected with ``refusal``
four_eyes). Every outcome is audited.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from surety.core import inputs
from surety.core.audit.log import audit
from surety.core.authz.check import require
from surety.core.context import Actor
from surety.core.db.locking import lock_by_id
from surety.core.db.types import utcnow
from surety.core.errors import Conflict, ValidationFailed
from surety.core.workflow import helpers
from surety.plugins.microloan.collection.approvals import (
    FOUR_EYES,
    SYSTEM_ID,
    four_eyes_broken,
    proposal_fields,
    proposal_subject,
    row_of,
)
from surety.plugins.microloan.collection.models import APPROVED, PROPOSED, REJECTED, MicroloanClassOverride
from surety.plugins.microloan.collection.permissions import CLASSIFICATION
from surety.plugins.microloan.conventions import ON_BOOK_STATUSES, RISK_CLASSES
from surety.plugins.microloan.dayend.classification import class_for_days
from surety.plugins.microloan.loan.models import MicroloanLoan
from surety.plugins.microloan.loan.scope import lock_loan
from surety.plugins.microloan.settings import get_settings

SUBJECT_TYPE = "microloan:class_override"
DEFINITION_KEY = "microloan.classification"
LOAN_ENTITY = "microloan:loan"

PROCESS = {
    "key": DEFINITION_KEY,
    "name": "Microloan class override",
    "subject_type": SUBJECT_TYPE,
    "start": "approval",
    "steps": [
        helpers.task_step("approval", "部门负责人审批 Department head approval",
                          {"role": "department_head", "org_unit": "subject"},
                          [{"to": "approved"}, {"to": "rejected", "on": "reject"}], days=3, escalate_to="executive"),
        helpers.end_step("approved"),
        helpers.end_step("rejected"),
    ],
}


def _image(row: MicroloanClassOverride) -> dict[str, Any]:
    return {"loan_id": str(row.loan_id), "from_class": row.from_class, "to_class": row.to_class,
            "reason": row.reason, "status": row.status, "refusal": row.refusal,
            "workflow_instance_id": str(row.workflow_instance_id) if row.workflow_instance_id else None}


def request_class_override(session: Session, actor: Actor, loan_id: uuid.UUID, to_class: str | None,
                           reason: str) -> MicroloanClassOverride:
    """Propose ``to_class`` (a key of RISK_CLASSES) as the loan's class, or None to clear its override; see the
    module's docstring. Refused: a loan not on the books, a class it already has by override, clearing a loan
    without an override, a second pending proposal."""
    require(session, actor, CLASSIFICATION, "request")
    if to_class is not None and to_class not in RISK_CLASSES:
        raise ValidationFailed("A risk class is one of {classes}.", field="to_class", classes=", ".join(RISK_CLASSES))
    text = inputs.text(reason, "reason", 1000, required=True)
    loan = lock_loan(session, actor, loan_id)
    if loan.status not in ON_BOOK_STATUSES:
        raise Conflict("Only a loan on the books (repaying) can have its class changed; loan {loan_no} is not.",
                       field="loan_id", loan_no=loan.loan_no)
    if to_class is None and loan.risk_class_override is None:
        raise ValidationFailed("Loan {loan_no} has no manual class to clear.", field="to_class", loan_no=loan.loan_no)
    if to_class is not None and to_class == loan.risk_class_override:
        raise ValidationFailed("Loan {loan_no} is already classified {label} by override.", field="to_class",
                               loan_no=loan.loan_no, label=RISK_CLASSES[to_class])
    pending = session.scalar(select(MicroloanClassOverride.id).where(
        MicroloanClassOverride.loan_id == loan.id, MicroloanClassOverride.status == PROPOSED))
    if pending is not None:
        raise Conflict("Loan {loan_no} already has a class change awaiting approval.", field="loan_id",
                       loan_no=loan.loan_no)
    row = MicroloanClassOverride(loan_id=loan.id, from_class=loan.risk_class, to_class=to_class, reason=text,
                                 status=PROPOSED, proposed_by=actor.id_uuid)
    session.add(row)
    session.flush()
    target = RISK_CLASSES[to_class] if to_class else "取消手工分类"
    instance = helpers.start(session, actor, SYSTEM_ID, definition_key=DEFINITION_KEY, subject_type=SUBJECT_TYPE,
                             subject_id=str(row.id), subject=_fields(loan, row),
                             title=f"五级分类调整 {loan.loan_no} {RISK_CLASSES[row.from_class]}→{target}")
    row.workflow_instance_id = instance.id
    session.flush()
    audit(session, "microloan.classification.requested", entity_type=SUBJECT_TYPE, entity_id=row.id, before=None,
          after=_image(row), actor=actor)
    return row


def _fields(loan: MicroloanLoan, row: MicroloanClassOverride) -> dict[str, Any]:
    return proposal_fields(loan, row, override_id=str(row.id), from_class=row.from_class, to_class=row.to_class)


def subject_fields(session: Session, subject_id: str) -> dict[str, Any] | None:
    """The proposal's fields (``to_class`` None: clearing) and its loan's (approvals.loan_fields)."""
    return proposal_subject(session, MicroloanClassOverride, subject_id, _fields)


def ended(session: Session, event) -> None:
    """The proposal's instance ended: see the module's docstring. An instance that is not the proposal's, or a
    proposal already decided, is ignored; a loan no longer on the books is left as it is (the proposal rejected)."""
    row = row_of(session, MicroloanClassOverride, event.subject_id)
    if not row or row.workflow_instance_id != event.instance_id or row.status != PROPOSED:
        return
    before = _image(row)
    who, _ = helpers.last_decision(session, event.instance_id)
    row.decided_by, row.decided_at = who, utcnow()
    loan = lock_by_id(session, MicroloanLoan, row.loan_id, "risk_class", "loan", "loan_id")
    if event.result == "approved" and four_eyes_broken(session, event.instance_id, row.proposed_by):
        row.refusal = FOUR_EYES
    elif event.result == "approved" and loan.status not in ON_BOOK_STATUSES:
        row.refusal = "not_on_book"
    if event.result != "approved" or row.refusal:
        row.status = REJECTED
        session.flush()
        audit(session, "microloan.classification.rejected", entity_type=SUBJECT_TYPE, entity_id=row.id,
              before=before, after={**_image(row), "workflow_result": event.result})
        return
    from_class = loan.risk_class
    if row.to_class is None:
        loan.risk_class_override = None
        loan.risk_class = class_for_days(loan.days_past_due, get_settings(session).class_days)
    else:
        loan.risk_class_override = loan.risk_class = row.to_class
    row.status = APPROVED
    session.flush()
    audit(session, "microloan.classification.approved", entity_type=SUBJECT_TYPE, entity_id=row.id, before=before,
          after=_image(row))
    audit(session, "microloan.loan.risk_classified", entity_type=LOAN_ENTITY, entity_id=loan.id,
          before={"risk_class": from_class}, after={"risk_class": loan.risk_class,
                                                    "risk_class_override": loan.risk_class_override,
                                                    "override_id": str(row.id), "reason": row.reason})


#: Process module (plugin.PROCESSES).
DEFINITIONS: list[dict] = [PROCESS]
SUBJECTS: dict = {SUBJECT_TYPE: (subject_fields, ended)}
