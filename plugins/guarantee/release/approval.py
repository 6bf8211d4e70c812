"""The approval of a release request (申请解保) through the core workflow engine (``releases`` exports it to
``plugin.PROCESSES``; docs/guarantee/release.md, "Release through an approval").

``guarantee.release`` about a request (subject type ``guarantee:release``, id = the request's id): 客户经理审核 the
project's manager A -> 风控审批 the risk officers of the project's org unit (else of the nearest unit above it that
has one) -> approved; a rejection at either step ends it rejected. Started by :func:`releases.request_release`; when
the instance ends, :func:`releases.request_ended` executes the release (approved) or closes the request.

Tenants edit the definition like any other (docs/workflow.md): a countersign of the risk officer and the department
head (``"kind": "countersign", "mode": "all"``), an executive's step for large releases (``"when": "amount >
3000000"``) ... The fields of :func:`request_fields` are what its conditions and assignee rules may read.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from surety.core.ids import as_uuid, str_or_none
from surety.core.workflow import helpers
from surety.plugins.guarantee.origination.approval import project_basics
from surety.plugins.guarantee.project.models import GuaranteeProduct, GuaranteeProject
from surety.plugins.guarantee.release.models import RELEASE_FULL, GuaranteeReleaseRequest, GuaranteeRepayment

SUBJECT_TYPE = "guarantee:release"
DEFINITION_KEY = "guarantee.release"


def _reject_to(to: str) -> list[dict]:
    return [{"to": to}, {"to": "rejected", "on": "reject"}]


RELEASE_APPROVAL = {
    "key": DEFINITION_KEY,
    "name": "Release approval",
    "subject_type": SUBJECT_TYPE,
    "start": "manager_review",
    "steps": [
        helpers.task_step("manager_review", "客户经理审核 Manager review", {"field": "manager_a_id"},
                          _reject_to("risk_review"), days=2, escalate_to="department_head"),
        helpers.task_step("risk_review", "风控审批 Risk approval", {"role": "risk_officer", "org_unit": "subject"},
                          _reject_to("approved"), days=3, escalate_to="executive"),
        helpers.end_step("approved"),
        helpers.end_step("rejected"),
    ],
}

#: The default definitions of the release process (releases.DEFINITIONS, plugin.PROCESSES).
DEFINITIONS: list[dict] = [RELEASE_APPROVAL]


def repaid_total(session: Session, project_id) -> Decimal:
    """The sum of a project's recorded repayments (Decimal, 0.00 when none)."""
    total = session.scalar(select(func.sum(GuaranteeRepayment.amount))
                           .where(GuaranteeRepayment.project_id == project_id))
    return Decimal("0.00") if total is None else Decimal(total).quantize(Decimal("0.01"))


def request_fields(session: Session, subject_id: str) -> dict[str, Any] | None:
    """A release request's fields: ``release_request_id``, ``kind`` (full | partial), ``amount`` (Decimal: the
    partial amount, or the in-force balance a full release would release now), ``balance`` (the in-force balance),
    ``repaid`` (the repayments recorded so far), ``released_on`` (ISO text or None: the approval's date),
    ``status``, ``requested_by``, ``product_kind``, ``product_category``, and its project's ``project_id``,
    ``project_no``, ``org_unit_id``, ``bank_id``, ``manager_a_id``, ``manager_b_id``, ``project_amount``,
    ``in_force_balance`` (Decimal), ``risk_class``. No personal data (the engine keeps the fields given at start)."""
    request_id = as_uuid(subject_id)
    row = request_id and session.scalar(select(GuaranteeReleaseRequest)
                                        .where(GuaranteeReleaseRequest.id == request_id))
    project = row and session.scalar(select(GuaranteeProject).where(GuaranteeProject.id == row.project_id))
    if not row or not project:
        return None
    product = session.scalar(select(GuaranteeProduct).where(GuaranteeProduct.id == project.product_id))
    amount = project.in_force_balance if row.kind == RELEASE_FULL else row.amount
    return {**project_basics(project), "release_request_id": str(row.id), "kind": row.kind, "amount": amount,
            "balance": project.in_force_balance, "repaid": repaid_total(session, project.id),
            "released_on": row.released_on.isoformat() if row.released_on else None, "status": row.status,
            "requested_by": str_or_none(row.requested_by), "product_kind": product.kind if product else None,
            "product_category": product.category if product else None}
