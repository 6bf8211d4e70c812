"""What the two approval processes of the collection area share: the loan's fields their conditions and assignee
rules read, the subject row of an ended instance, and the four-eyes check over an instance's approvals."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from surety.core.context import ACTOR_USER
from surety.core.ids import as_uuid
from surety.core.workflow.models import WorkflowEvent
from surety.plugins.microloan.loan.models import MicroloanLoan

#: The system actor a process is started as when no person starts it.
SYSTEM_ID = "microloan.collection"
#: Why an approval did not count: the proposer approved, or one person approved twice.
FOUR_EYES = "four_eyes"


def loan_fields(loan: MicroloanLoan) -> dict[str, Any]:
    """A loan's fields for workflow conditions and assignee rules (no personal data): ``loan_id``, ``loan_no``,
    ``org_unit_id`` (its department), ``owner_id`` and ``manager_id`` (its manager), ``amount``,
    ``principal_balance`` (Decimal), ``days_past_due``, ``risk_class``, ``status``."""
    return {"loan_id": str(loan.id), "loan_no": loan.loan_no,
            "org_unit_id": str(loan.department_id) if loan.department_id else None,
            "owner_id": str(loan.manager_id) if loan.manager_id else None,
            "manager_id": str(loan.manager_id) if loan.manager_id else None, "amount": loan.amount,
            "principal_balance": loan.principal_balance, "days_past_due": loan.days_past_due,
            "risk_class": loan.risk_class, "status": loan.status}


def row_of(session: Session, model, subject_id: str):
    """The proposal row a subject id names, or None."""
    row_id = as_uuid(subject_id)
    return row_id and session.scalar(select(model).where(model.id == row_id))


def proposal_fields(loan: MicroloanLoan, row, **own: Any) -> dict[str, Any]:
    """A proposal's subject fields: its loan's (``loan_fields``), the proposal's ``own`` fields, its status and
    proposer."""
    return {**loan_fields(loan), **own, "proposal_status": row.status,
            "proposed_by": str(row.proposed_by) if row.proposed_by else None}


def proposal_subject(session: Session, model, subject_id: str, fields) -> dict[str, Any] | None:
    """The subject fields of the ``model`` proposal ``subject_id`` names (``fields(loan, row)``), None when there is
    no such proposal."""
    row = row_of(session, model, subject_id)
    if not row:
        return None
    return fields(session.scalar(select(MicroloanLoan).where(MicroloanLoan.id == row.loan_id)), row)


def approvers(session: Session, instance_id: uuid.UUID) -> list[uuid.UUID | None]:
    """Who approved each approving decision of the instance, in order (None: not a person)."""
    rows = session.execute(select(WorkflowEvent.actor_type, WorkflowEvent.actor_id)
                           .where(WorkflowEvent.instance_id == instance_id, WorkflowEvent.action == "approve")
                           .order_by(WorkflowEvent.seq)).all()
    return [as_uuid(actor_id) if actor_type == ACTOR_USER else None for actor_type, actor_id in rows]


def four_eyes_broken(session: Session, instance_id: uuid.UUID, proposer: uuid.UUID | None) -> bool:
    """Four eyes: an approval counts only when nobody approving it proposed it and nobody approved it twice."""
    people = [p for p in approvers(session, instance_id) if p is not None]
    return (proposer is not None and proposer in people) or len(set(people)) != len(people)
