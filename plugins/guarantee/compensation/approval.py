"""The processes of compensation (``claims`` exports them to ``plugin.PROCESSES``): the approval of a
compensation claim and of a loss write-off through the core workflow engine (docs/guarantee/compensation.md).

* ``guarantee.compensation`` about a claim (subject type ``guarantee:compensation``, id = the claim's id):
  代偿审查 review (the risk officers of the project's org unit, else of the nearest unit above it that has one: never
  a risk officer whose data scope does not cover the project) -> 代偿审批 approval (executive) -> approved; a
  rejection at either step ends it rejected. Started by :func:`claims.claim`.
* ``guarantee.loss_write_off`` about a receivable (subject type ``guarantee:compensation_receivable``, id = the
  receivable's id): 核销审批 approval (executive) -> approved; a rejection ends it rejected. Started by
  :func:`claims.propose_write_off`.

Timeouts count working days, as in the project approval. Tenants edit the definitions like any other; the fields of
:func:`claim_fields` and :func:`receivable_fields` are what their conditions and assignee rules may read. When an
instance ends, :func:`compensation.claim_ended` / :func:`compensation.write_off_ended` apply the result.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from surety.core.ids import as_uuid, str_or_none
from surety.core.workflow import helpers
from surety.plugins.guarantee.compensation.models import GuaranteeCompensation, GuaranteeCompensationReceivable
from surety.plugins.guarantee.origination.approval import project_basics
from surety.plugins.guarantee.project.models import GuaranteeProject

CLAIM_SUBJECT = "guarantee:compensation"
CLAIM_DEFINITION = "guarantee.compensation"
RECEIVABLE_SUBJECT = "guarantee:compensation_receivable"
WRITE_OFF_DEFINITION = "guarantee.loss_write_off"


def _task(key: str, name: str, role: str, to: str, *, days: int, escalate_to: str, in_unit: bool = False) -> dict:
    """A task for the holders of ``role`` (with ``in_unit``: those of the subject's org unit, else of the nearest unit
    above it that has one)."""
    assignee = {"role": role, "org_unit": "subject"} if in_unit else {"role": role}
    return helpers.task_step(key, name, assignee, [{"to": to}, {"to": "rejected", "on": "reject"}], days=days,
                             escalate_to=escalate_to)


_ENDS = [helpers.end_step("approved"), helpers.end_step("rejected")]

COMPENSATION = {
    "key": CLAIM_DEFINITION,
    "name": "Compensation approval",
    "subject_type": CLAIM_SUBJECT,
    "start": "review",
    "steps": [
        _task("review", "代偿审查 Compensation review", "risk_officer", "approval", days=3,
              escalate_to="executive", in_unit=True),
        _task("approval", "代偿审批 Compensation approval", "executive", "approved", days=2, escalate_to="admin"),
        *_ENDS,
    ],
}

LOSS_WRITE_OFF = {
    "key": WRITE_OFF_DEFINITION,
    "name": "Loss write-off approval",
    "subject_type": RECEIVABLE_SUBJECT,
    "start": "approval",
    "steps": [
        _task("approval", "核销审批 Write-off approval", "executive", "approved", days=3, escalate_to="admin"),
        *_ENDS,
    ],
}

#: The default definitions of compensation's processes (claims.DEFINITIONS, plugin.PROCESSES).
DEFINITIONS: list[dict] = [COMPENSATION, LOSS_WRITE_OFF]


def _project_fields(project: GuaranteeProject) -> dict[str, Any]:
    return project_basics(project)


def _project(session: Session, project_id: uuid.UUID) -> GuaranteeProject | None:
    return session.scalar(select(GuaranteeProject).where(GuaranteeProject.id == project_id))


def claim_fields(session: Session, subject_id: str) -> dict[str, Any] | None:
    """A claim's fields: ``amount`` (the claimed amount, Decimal), its components ``principal``, ``interest``,
    ``penalty``, the bank's share ``bank_share`` and the company's ``payable_amount``, ``claim_date`` (ISO text),
    ``status``,
    ``compensation_id``, ``claimed_by``, and its project's ``project_id``, ``project_no``, ``org_unit_id``,
    ``bank_id``, ``manager_a_id``, ``manager_b_id``, ``project_amount``, ``in_force_balance`` (Decimal),
    ``risk_class``. No personal data (the engine keeps the fields given at start)."""
    claim_id = as_uuid(subject_id)
    row = claim_id and session.scalar(select(GuaranteeCompensation).where(GuaranteeCompensation.id == claim_id))
    project = row and _project(session, row.project_id)
    if not row or not project:
        return None
    return {**_project_fields(project), "compensation_id": str(row.id), "amount": row.claimed_amount,
            "principal": row.principal, "interest": row.interest, "penalty": row.penalty,
            "bank_share": row.bank_share, "payable_amount": row.payable_amount,
            "claim_date": row.claim_date.isoformat(), "status": row.status, "claimed_by": str_or_none(row.claimed_by)}


def receivable_fields(session: Session, subject_id: str) -> dict[str, Any] | None:
    """A receivable's fields: ``amount`` (the outstanding remainder a write-off would write off, Decimal), ``paid``,
    ``recovered``, ``written_off``, ``status``, ``receivable_id``, ``compensation_id``, ``proposed_by``, and its
    project's fields as in :func:`claim_fields`."""
    rec_id = as_uuid(subject_id)
    row = rec_id and session.scalar(select(GuaranteeCompensationReceivable)
                                    .where(GuaranteeCompensationReceivable.id == rec_id))
    project = row and _project(session, row.project_id)
    if not row or not project:
        return None
    return {**_project_fields(project), "receivable_id": str(row.id), "compensation_id": str(row.compensation_id),
            "amount": row.outstanding, "paid": row.paid, "recovered": row.recovered, "written_off": row.written_off,
            "status": row.status, "proposed_by": str_or_none(row.write_off_proposed_by)}
