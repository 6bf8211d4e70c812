"""Loan confirmation (放款确认): the bank's loan contract number, amount, dates and rate are recorded for a contracted
financing project, the guarantee takes effect (status ``effective``, in-force balance = loan amount) and
GuaranteeTookEffect is raised, in one transaction and audited.

What a guarantee needs before it takes effect -- by loan confirmation here, or by issuance (开立保函,
``issuance.issue_guarantee``) for a non-financing guarantee -- is checked once, by :func:`lock_for_effect`: the
project is contracted (approved, its contracts generated and signed) and no review committee condition of it is
open (project/conditions.py: met or waived first). A non-financing project (bid, performance, litigation, advance
payment...) has no loan: confirm_loan refuses it (``GUARANTEE_NOT_A_LOAN``) and points to issuance."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
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
from surety.core.events import raise_event
from surety.core.i18n import N_
from surety.plugins.guarantee.finance.events import GuaranteeTookEffect
from surety.plugins.guarantee.permissions import LOAN
from surety.plugins.guarantee.project import conditions
from surety.plugins.guarantee.project.models import (
    CATEGORY_FINANCING,
    CATEGORY_NON_FINANCING,
    STATUS_CONTRACTED,
    STATUS_EFFECTIVE,
    GuaranteeProduct,
    GuaranteeProject,
)
from surety.plugins.guarantee.project.words import project_status

ENTITY = "guarantee:project"


class GuaranteeNotALoan(Conflict):
    """Loan confirmation asked of a non-financing guarantee: it takes effect by issuance (guaranteeIssue)."""

    code = "GUARANTEE_NOT_A_LOAN"


class GuaranteeNotNonFinancing(Conflict):
    """Issuance (开立保函) asked of a financing guarantee: it takes effect by the bank's loan confirmation."""

    code = "GUARANTEE_NOT_NON_FINANCING"


def category_of(session: Session, project: GuaranteeProject) -> str:
    """``financing`` or ``non_financing``: the category of the project's product (financing when unknown)."""
    found = session.scalar(select(GuaranteeProduct.category).where(GuaranteeProduct.id == project.product_id))
    return found or CATEGORY_FINANCING


def lock_for_effect(session: Session, project_id: uuid.UUID, *, category: str, field: str) -> GuaranteeProject:
    """The project, row-locked and fresh, once it may take effect the way ``category`` does (``financing``: loan
    confirmation; ``non_financing``: issuance): NotFound without it; GuaranteeNotALoan / GuaranteeNotNonFinancing
    when its product is of the other category; Conflict unless it is contracted (so approved and its contracts
    signed; an effective one is said to be in force already); Conflict ``GUARANTEE_CONDITIONS_OPEN`` while a review
    committee condition is open. ``field`` names the project's input field in the refusals. Both ways of taking
    effect call this, so their preconditions cannot drift apart."""
    project = lock_by_id(session, GuaranteeProject, project_id, "status", "guarantee project", field)
    actual = category_of(session, project)
    if actual != category:
        if actual == CATEGORY_NON_FINANCING:
            raise GuaranteeNotALoan(
                "Project {project_no} is a non-financing guarantee (保函): it has no bank loan to confirm; it takes "
                "effect when the letter of guarantee is issued (guaranteeIssue).", field=field,
                project_no=project.project_no)
        raise GuaranteeNotNonFinancing(
            "Project {project_no} is a financing guarantee: it takes effect by the bank's loan confirmation "
            "(guaranteeLoanConfirm), not by issuing a letter of guarantee.", field=field,
            project_no=project.project_no)
    if project.status != STATUS_CONTRACTED:
        if project.status == STATUS_EFFECTIVE:
            message = N_("Project {project_no} is already in force (its loan is already confirmed)."
                         if category == CATEGORY_FINANCING else
                         "Project {project_no} is already in force (its letter of guarantee is already issued).")
        else:
            message = N_("A guarantee takes effect once the project is contracted; project {project_no} is {status}: "
                         "the guarantee, counter-guarantee and entrustment contracts must be signed first.")
        raise Conflict(message, field=field, project_no=project.project_no, status=project_status(project.status))
    conditions.refuse_open(session, project)
    return project


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
    """Record the bank's loan for a contracted financing project and put the guarantee in force.

    ``loan_amount`` is more than 0 and at most the approved project amount; ``end_date`` is after ``start_date``
    (``inputs.loan_term``: the start not before the approval, not far ahead); ``rate`` is the loan's yearly rate in
    (0, 1]. The project becomes ``effective`` from the loan start with an in-force balance of the loan amount. The
    preconditions are :func:`lock_for_effect`'s (contracted, no open committee condition: otherwise Conflict
    ``GUARANTEE_CONDITIONS_OPEN`` listing the open ones; a non-financing project is refused with
    ``GUARANTEE_NOT_A_LOAN``); the project's row is locked first, so a loan is confirmed once."""
    require(session, actor, LOAN, "confirm")
    contract_no = " ".join((loan_contract_no or "").split())
    if not contract_no:
        raise ValidationFailed("Give the bank's loan contract number.", field="loan_contract_no")
    if len(contract_no) > 100:
        raise ValidationFailed("A loan contract number is at most {limit} characters.", field="loan_contract_no",
                               limit=100)
    amount = inputs.money(loan_amount, "loan_amount", positive=True)
    loan_rate = inputs.rate(rate, "rate", low_open=True)
    if start_date is None or end_date is None or end_date <= start_date:
        raise ValidationFailed("The loan ends after it starts.", field="end_date")
    project = lock_for_effect(session, project_id, category=CATEGORY_FINANCING, field="project_id")
    inputs.loan_term(start_date, end_date, submitted_at=project.submitted_at, decided_at=project.decided_at)
    if amount > project.amount:
        raise ValidationFailed("The loan amount {amount} yuan is more than the approved guarantee amount "
                               "{approved} yuan.", field="loan_amount", amount=inputs.yuan(amount),
                               approved=inputs.yuan(project.amount))
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
