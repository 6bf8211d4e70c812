"""Loan confirmation (放款确认): the bank's loan contract number, amount, dates and rate are recorded for a contracted
project, the guarantee takes effect (status ``effective``, in-force balance = loan amount) and
GuaranteeTookEffect is raised, in one transaction and audited. Refused while a review committee condition of the
project is open (project/conditions.py: met or waived first)."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from surety.core import inputs
from surety.core.audit.log import audit
from surety.core.authz.check import require
from surety.core.context import Actor
from surety.core.db.locking import lock_by_id
from surety.core.db.types import utcnow
from surety.core.errors import Conflict, ValidationFailed
from surety.core.events import raise_event
from surety.plugins.guarantee.finance.events import GuaranteeTookEffect
from surety.plugins.guarantee.permissions import LOAN
from surety.plugins.guarantee.project import conditions
from surety.plugins.guarantee.project.models import STATUS_CONTRACTED, STATUS_EFFECTIVE, GuaranteeProject

ENTITY = "guarantee:project"


def _image(p: GuaranteeProject) -> dict:
    return {"status": p.status, "loan_contract_no": p.loan_contract_no,
            "loan_amount": None if p.loan_amount is None else str(p.loan_amount),
            "loan_start_date": p.loan_start_date.isoformat() if p.loan_start_date else None,
            "loan_end_date": p.loan_end_date.isoformat() if p.loan_end_date else None,
            "loan_rate": None if p.loan_rate is None else str(p.loan_rate),
            "effective_date": p.effective_date.isoformat() if p.effective_date else None,
            "in_force_balance": str(p.in_force_balance)}


def confirm_loan(session: Session, actor: Actor, project_id: uuid.UUID, *, loan_contract_no: str, loan_amount: Any,
                 start_date: dt.date, end_date: dt.date, rate: Any) -> GuaranteeProject:
    """Record the bank's loan for a contracted project and put the guarantee in force.

    ``loan_amount`` is more than 0 and at most the approved project amount; ``end_date`` is after ``start_date``;
    ``rate`` is the loan's yearly rate in (0, 1]. The project becomes ``effective`` from the loan start with an
    in-force balance of the loan amount. The project's row is locked first, so a loan is confirmed once. Every
    condition the review committee attached to the approval must be met or waived first: otherwise Conflict
    ``GUARANTEE_CONDITIONS_OPEN`` listing the open ones."""
    require(session, actor, LOAN, "confirm")
    contract_no = " ".join((loan_contract_no or "").split())
    if not contract_no:
        raise ValidationFailed("Give the bank's loan contract number.", field="loan_contract_no")
    if len(contract_no) > 100:
        raise ValidationFailed("A loan contract number is at most 100 characters.", field="loan_contract_no")
    amount = inputs.money(loan_amount, "loan_amount", positive=True)
    loan_rate = inputs.rate(rate, "rate", low_open=True)
    if start_date is None or end_date is None or end_date <= start_date:
        raise ValidationFailed("The loan ends after it starts.", field="end_date")
    project = lock_by_id(session, GuaranteeProject, project_id, "status", "guarantee project", "project_id")
    if project.status != STATUS_CONTRACTED:
        hint = " (its loan is already confirmed)" if project.status == STATUS_EFFECTIVE else \
            "; the guarantee, counter-guarantee and entrustment contracts must be signed first"
        raise Conflict(f"A loan is confirmed for a contracted project; project {project.project_no} is "
                       f"{project.status}{hint}.", field="project_id")
    inputs.loan_term(start_date, end_date, submitted_at=project.submitted_at, decided_at=project.decided_at)
    if amount > project.amount:
        raise ValidationFailed(f"The loan amount {inputs.yuan(amount)} yuan is more than the approved guarantee amount "
                               f"{inputs.yuan(project.amount)} yuan.", field="loan_amount")
    conditions.refuse_open(session, project)
    before = _image(project)
    project.loan_contract_no, project.loan_amount, project.loan_rate = contract_no, amount, loan_rate
    project.loan_start_date, project.loan_end_date = start_date, end_date
    project.status, project.effective_date, project.in_force_balance = STATUS_EFFECTIVE, start_date, amount
    project.updated_at = utcnow()
    session.flush()
    audit(session, "guarantee.loan.confirmed", entity_type=ENTITY, entity_id=project.id, before=before,
          after=_image(project), actor=actor)
    raise_event(session, GuaranteeTookEffect(
        project_id=project.id, project_no=project.project_no, customer_id=project.customer_id,
        bank_id=project.bank_id, loan_amount=amount, in_force_balance=Decimal(amount), effective_date=start_date,
        loan_end_date=end_date))
    return project
