"""Issuance (开立保函) of a non-financing guarantee (bid, performance, litigation, advance payment...): the letter of
guarantee addressed to the project's beneficiary (受益人) takes effect on its effective date and expires on its expiry
date (保函到期日), after which no claim is accepted (compensation/claims.py). There is no bank loan, loan contract or
loan rate: this is the non-financing counterpart of loan confirmation (loans.confirm_loan), with the same
preconditions (``loans.lock_for_effect``: contracted, no open review committee condition) and the same event
(GuaranteeTookEffect, ``category`` non_financing), so the ledger, the inspection plan and the exposure follow it as
they follow a confirmed loan.

The project keeps what was issued: ``status`` effective, ``effective_date``, ``expiry_date``, ``letter_no`` (the
letter's number; the project number when none is given), ``in_force_balance`` and ``loan_amount`` = the guaranteed
sum of the letter (the amount the guarantee took effect for: readers of the amount in force at effect -- the ledger,
the dashboard's new business, the letter -- read it there for both categories); ``loan_contract_no``,
``loan_rate``, ``loan_start_date`` and ``loan_end_date`` stay empty.
"""

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
from surety.core.db.types import utcnow
from surety.core.errors import ValidationFailed
from surety.core.events import raise_event
from surety.core.i18n import N_
from surety.core.words import Words
from surety.plugins.guarantee.finance.events import GuaranteeTookEffect
from surety.plugins.guarantee.finance.fees import add_months
from surety.plugins.guarantee.finance.loans import ENTITY, lock_for_effect
from surety.plugins.guarantee.permissions import LOAN
from surety.plugins.guarantee.project.models import CATEGORY_NON_FINANCING, STATUS_EFFECTIVE, GuaranteeProject

#: The longest letter number kept.
LETTER_NO_LIMIT = 100


def _image(p: GuaranteeProject) -> dict:
    return {"status": p.status, "letter_no": p.letter_no,
            "guaranteed_amount": None if p.loan_amount is None else str(p.loan_amount),
            "effective_date": p.effective_date.isoformat() if p.effective_date else None,
            "expiry_date": p.expiry_date.isoformat() if p.expiry_date else None,
            "in_force_balance": str(p.in_force_balance)}


def latest_expiry(effective_date: dt.date, term_months: int) -> dt.date:
    """The latest expiry a letter effective on ``effective_date`` may have: the approved term (``term_months``
    calendar months, the day clamped to the month's end) after it."""
    return add_months(effective_date, term_months)


def issue_guarantee(session: Session, actor: Actor, project_id: uuid.UUID, *, effective_date: Any,
                    expiry_date: Any, letter_no: str | None = None, amount: Any = None) -> GuaranteeProject:
    """Issue the letter of guarantee of a contracted non-financing project: the guarantee is in force from
    ``effective_date`` until ``expiry_date`` for ``amount`` (default: the approved amount; more than 0 and at most
    it). Needs guarantee:loan:confirm (who records loan confirmations records issuances).

    Preconditions are loan confirmation's (``loans.lock_for_effect``): contracted, no open committee condition; a
    financing project is refused with ``GUARANTEE_NOT_NON_FINANCING`` (it takes effect by loan confirmation).
    Dates (``inputs.business_date``): the effective date not before the approval (the submission while there is
    none) and at most ``inputs.FUTURE_HORIZON_DAYS`` ahead; the expiry after the effective date and at most the
    approved term after it (:func:`latest_expiry`). ``letter_no`` (at most 100 characters, blanks collapsed)
    defaults to the project number. Locks the project row first, so a letter is issued once; audited
    (``guarantee.letter.issued``); raises GuaranteeTookEffect."""
    require(session, actor, LOAN, "confirm")
    number = " ".join((letter_no or "").split())
    if len(number) > LETTER_NO_LIMIT:
        raise ValidationFailed("A letter of guarantee number is at most {limit} characters.", field="letter_no",
                               limit=LETTER_NO_LIMIT)
    guaranteed = None if amount is None else inputs.money(amount, "amount", positive=True)
    project = lock_for_effect(session, project_id, category=CATEGORY_NON_FINANCING, field="id")
    if guaranteed is None:
        guaranteed = Decimal(project.amount)
    elif guaranteed > project.amount:
        raise ValidationFailed("The guaranteed amount {amount} yuan is more than the approved guarantee amount "
                               "{approved} yuan.", field="amount", amount=inputs.yuan(guaranteed),
                               approved=inputs.yuan(project.amount))
    anchor, since = ((project.decided_at, Words(N_("the approval date"))) if project.decided_at is not None
                     else (project.submitted_at, Words(N_("the application's submission date"))))
    starts = inputs.business_date(effective_date, "effective_date",
                                  what=Words(N_("The effective date of the letter of guarantee")), not_before=anchor,
                                  since=since)
    ends = inputs.business_date(expiry_date, "expiry_date",
                                what=Words(N_("The expiry date of the letter of guarantee")),
                                not_before=starts + dt.timedelta(days=1),
                                since=Words(N_("the day after the effective date")), horizon_days=None)
    latest = latest_expiry(starts, project.term_months)
    if ends > latest:
        raise ValidationFailed("The expiry date {expiry} is more than the approved term of {months} months after "
                               "the effective date {effective}: at the latest {latest}.", field="expiry_date",
                               expiry=ends.isoformat(), months=project.term_months, effective=starts.isoformat(),
                               latest=latest.isoformat())
    before = _image(project)
    project.letter_no = number or project.project_no
    project.loan_amount, project.in_force_balance = guaranteed, guaranteed
    project.status, project.effective_date, project.expiry_date = STATUS_EFFECTIVE, starts, ends
    project.updated_at = utcnow()
    session.flush()
    audit(session, "guarantee.letter.issued", entity_type=ENTITY, entity_id=project.id, before=before,
          after=_image(project), actor=actor)
    raise_event(session, GuaranteeTookEffect(
        project_id=project.id, project_no=project.project_no, customer_id=project.customer_id,
        bank_id=project.bank_id, loan_amount=guaranteed, in_force_balance=guaranteed, effective_date=starts,
        loan_end_date=None, category=CATEGORY_NON_FINANCING, expiry_date=ends))
    return project
