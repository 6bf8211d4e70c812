"""Reversal (冲正) of a mistaken repayment (docs/microloan/repayments.md, "Reversal").

Four eyes: the person who posted a repayment cannot reverse it. Only the loan's latest posting still standing can be
reversed (a later one was split over what this one left; reverse that one first). The reversal undoes the posting's
lines exactly (amounts paid back off the installments, balances and held money restored, installments and a settled
loan reopened); a prepayment's rebooked schedule is deleted and the revision before it is in force again, unless the
day-end batch has already charged penalty on the new schedule. The reversal is a record of its own (``kind``
``reversal``, ``reversal_of`` the posting), and raises MicroloanRepaymentReversed with the reversed split.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from surety.core import inputs
from surety.core.audit.log import audit
from surety.core.authz.check import require
from surety.core.context import Actor
from surety.core.db.locking import lock_by_id
from surety.core.errors import Conflict, ValidationFailed
from surety.core.events import raise_event
from surety.core.i18n import N_
from surety.core.idempotency import idempotent
from surety.plugins.microloan.events import MicroloanRepaymentReversed
from surety.plugins.microloan.loan.models import MicroloanInstallment, MicroloanLoan
from surety.plugins.microloan.loan.scope import lock_of_loan
from surety.plugins.microloan.repayment.models import MicroloanRepayment, MicroloanRepaymentLine
from surety.plugins.microloan.repayment.permissions import REPAYMENT
from surety.plugins.microloan.repayment.posting import (
    ENTITY,
    INSTALLMENT_COLUMNS,
    LOAN_BALANCES,
    POSTED,
    REVERSED,
    last_posting,
    loan_image,
    split_of,
)


class FourEyesRefused(ValidationFailed):
    """The poster of a repayment tried to reverse it."""

    code = "FOUR_EYES"


def reverse(session: Session, actor: Actor, repayment_id: uuid.UUID, reason: Any, *,
            key: str | None = None) -> MicroloanRepayment:
    """Reverse a posted repayment or prepayment (needs microloan:repayment:reverse; see the module); ``reason`` is
    required. Returns the reversal's record. Idempotent with ``key``."""
    require(session, actor, REPAYMENT, "reverse")
    params = {"repayment_id": repayment_id, "reason": reason}
    return idempotent(session, actor, scope="microloan.repayment.reverse", key=key, params=params,
                      perform=lambda: _reverse(session, actor, repayment_id, reason, key))


def _reverse(session: Session, actor: Actor, repayment_id: uuid.UUID, reason: Any,
             key: str | None) -> MicroloanRepayment:
    reason = inputs.text(reason, "reason", 200, required=True)
    rep = lock_of_loan(session, actor, MicroloanRepayment, repayment_id, "status", N_("No repayment with that id."),
                       "repayment_id")
    if rep.kind == "reversal":
        raise Conflict("A reversal cannot be reversed; post the repayment again instead.", field="repayment_id")
    if rep.status != POSTED:
        raise Conflict("This repayment was already reversed.", field="repayment_id")
    if rep.created_by is not None and rep.created_by == actor.id_uuid:
        raise FourEyesRefused("The person who posted a repayment cannot reverse it; another person must.",
                              field="repayment_id")
    loan = lock_by_id(session, MicroloanLoan, rep.loan_id, "status", "loan", "loan_id")
    if loan.status not in ("active", "settled"):
        raise Conflict("Loan {loan_no} is {status}: its repayments can no longer be reversed.", field="repayment_id",
                       loan_no=loan.loan_no, status=loan.status)
    latest = last_posting(session, loan.id)
    if latest is None or latest.id != rep.id:
        raise Conflict("Only the loan's latest repayment can be reversed: the one received on {later} was posted "
                       "after it and was split over what this one left. Reverse that one first.",
                       field="repayment_id", later=latest.received_on.isoformat() if latest else "")
    rebooked = rep.revision_after is not None and rep.revision_after != rep.revision_before
    if rebooked and session.scalar(select(func.count()).select_from(MicroloanInstallment).where(
            MicroloanInstallment.loan_id == loan.id, MicroloanInstallment.revision == rep.revision_after,
            MicroloanInstallment.penalty > 0)):
        raise Conflict("The day-end batch has already charged penalty interest on the schedule this prepayment "
                       "booked, so it can no longer be reversed.", field="repayment_id")
    before = loan_image(loan)
    lines = list(session.scalars(select(MicroloanRepaymentLine).where(MicroloanRepaymentLine.repayment_id == rep.id)))
    ids = [ln.installment_id for ln in lines if ln.installment_id is not None]
    rows = {r.id: r for r in session.scalars(select(MicroloanInstallment).where(MicroloanInstallment.id.in_(ids)))}
    for line in lines:
        if line.component in LOAN_BALANCES:
            name = LOAN_BALANCES[line.component]
            setattr(loan, name, getattr(loan, name) + line.amount)
        inst = rows.get(line.installment_id)
        if inst is not None and not (rebooked and inst.revision == rep.revision_after):
            paid = INSTALLMENT_COLUMNS[line.component][1]
            setattr(inst, paid, getattr(inst, paid) - line.amount)
            inst.settled_on = None
    if rebooked:
        session.execute(delete(MicroloanInstallment).where(MicroloanInstallment.loan_id == loan.id,
                                                           MicroloanInstallment.revision == rep.revision_after)
                        .execution_options(synchronize_session="fetch"))
        loan.schedule_revision = rep.revision_before
        loan.maturity_date = session.scalar(select(func.max(MicroloanInstallment.due_date)).where(
            MicroloanInstallment.loan_id == loan.id, MicroloanInstallment.revision == rep.revision_before))
    loan.held_amount = loan.held_amount - rep.held
    if rep.settled_loan:
        loan.status, loan.settled_on = "active", None
    reversal = MicroloanRepayment(loan_id=loan.id, kind="reversal", received_on=rep.received_on, amount=rep.amount,
                                  held_applied=rep.held_applied, prepay_mode=rep.prepay_mode,
                                  revision_before=rep.revision_after, revision_after=rep.revision_before,
                                  settled_loan=False, channel=rep.channel, reference=rep.reference, client_key=key,
                                  status=POSTED, reversal_of=rep.id, reason=reason, created_by=actor.id_uuid,
                                  **split_of(rep))
    session.add(reversal)
    session.flush()
    rep.status, rep.reversed_by_id = REVERSED, reversal.id
    session.flush()
    audit(session, "microloan.repayment.reversed", entity_type=ENTITY, entity_id=rep.id, before=before,
          after={**loan_image(loan), "loan_id": str(loan.id), "reversal_id": str(reversal.id), "reason": reason,
                 "amount": rep.amount, **split_of(rep)}, actor=actor)
    raise_event(session, MicroloanRepaymentReversed(
        loan_id=loan.id, loan_no=loan.loan_no, customer_id=loan.customer_id, repayment_id=reversal.id,
        reversal_of=rep.id, received_on=rep.received_on, amount=rep.amount, **split_of(rep)))
    return reversal
