"""Write-off through approval (核销) and recovery after it (核销后收回): a process module (``plugin.PROCESSES``).

:func:`request_write_off` (microloan:writeoff:request) proposes writing off a loan on the books that is classified
损失 (``ground`` ``loss``), or whatever its class on a ground outside the classification: a court judgment ending
enforcement (``court_judgment``) or the borrower's bankruptcy (``bankruptcy``); a reason is required and one
proposal per loan may be pending. It starts ``microloan.writeoff`` (subject ``microloan:write_off``): the department
head of the loan's department (else of the nearest unit above it), then an executive -> approved; a rejection at
either step ends it rejected.

Approved (:func:`ended`), in the same transaction: ``written_off_principal`` = the principal balance,
``written_off_interest`` = the interest accrued and not paid (``accrued_interest`` minus the interest paid on every
installment of every schedule revision, never below 0), both as they are at approval; ``principal_balance`` 0,
status ``written_off``, ``written_off_on`` the business date; MicroloanWrittenOff raised. Penalty interest and costs
are not written off (they stay on the loan as they are, owed off-book with the rest). The borrower still owes it all
(账销案存): the collection case stays open. Four eyes: the write-off counts only when its proposer approved no step
and the two steps were approved by two different people; otherwise nothing is written off (``refusal`` four_eyes).

:func:`record_recovery` (microloan:recovery:record) records money recovered on a written-off loan: idempotent by
key, at most what was written off and not yet recovered; MicroloanRecovered raised.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from surety.core import inputs
from surety.core.audit.log import audit
from surety.core.authz.check import require
from surety.core.context import Actor
from surety.core.db.locking import lock_by_id
from surety.core.db.types import utcnow
from surety.core.errors import Conflict, ValidationFailed
from surety.core.events import raise_event
from surety.core.idempotency import idempotent
from surety.core.workflow import engine, helpers
from surety.plugins.microloan.collection.approvals import (
    FOUR_EYES,
    SYSTEM_ID,
    four_eyes_broken,
    proposal_fields,
    proposal_subject,
    row_of,
)
from surety.plugins.microloan.collection.models import (
    APPROVED,
    PROPOSED,
    REJECTED,
    ZERO,
    MicroloanRecovery,
    MicroloanWriteOff,
)
from surety.plugins.microloan.collection.permissions import RECOVERY, WRITEOFF
from surety.plugins.microloan.collection.words import WRITE_OFF_DAY
from surety.plugins.microloan.conventions import ON_BOOK_STATUSES
from surety.plugins.microloan.events import MicroloanRecovered, MicroloanWrittenOff
from surety.plugins.microloan.loan.models import MicroloanInstallment, MicroloanLoan
from surety.plugins.microloan.loan.scope import lock_loan

SUBJECT_TYPE = "microloan:write_off"
DEFINITION_KEY = "microloan.writeoff"
LOAN_ENTITY = "microloan:loan"
WRITTEN_OFF = "written_off"
#: Grounds of a write-off -> zh-CN label. ``loss`` needs the loan classified 损失.
GROUNDS = {
    "loss": "五级分类为损失",
    "court_judgment": "法院裁定终结执行",
    "bankruptcy": "借款人破产清算",
}


def _step(key: str, name: str, assignee: dict, to: str, escalate_to: str) -> dict:
    return helpers.task_step(key, name, assignee, [{"to": to}, {"to": "rejected", "on": "reject"}], days=3,
                             escalate_to=escalate_to)


PROCESS = {
    "key": DEFINITION_KEY,
    "name": "Microloan write-off",
    "subject_type": SUBJECT_TYPE,
    "start": "department",
    "steps": [
        _step("department", "部门负责人审核 Department head review",
              {"role": "department_head", "org_unit": "subject"}, "executive", "executive"),
        _step("executive", "分管领导审批 Executive approval", {"role": "executive"}, "approved", "admin"),
        helpers.end_step("approved"),
        helpers.end_step("rejected"),
    ],
}


def unpaid_interest(session: Session, loan: MicroloanLoan) -> Decimal:
    """Interest accrued and not paid: ``accrued_interest`` minus the interest paid on all the loan's installments
    (every revision: a reschedule leaves the earlier rows as they were), never below 0."""
    paid = session.scalar(select(func.coalesce(func.sum(MicroloanInstallment.paid_interest), 0))
                          .where(MicroloanInstallment.loan_id == loan.id))
    return max(loan.accrued_interest - Decimal(paid or 0), ZERO)


def _image(row: MicroloanWriteOff) -> dict[str, Any]:
    return {"loan_id": str(row.loan_id), "ground": row.ground, "reason": row.reason, "status": row.status,
            "refusal": row.refusal, "principal": str(row.principal), "interest": str(row.interest),
            "written_off_on": row.written_off_on and row.written_off_on.isoformat(),
            "workflow_instance_id": str(row.workflow_instance_id) if row.workflow_instance_id else None}


def _loan_image(loan: MicroloanLoan) -> dict[str, Any]:
    return {"status": loan.status, "principal_balance": str(loan.principal_balance),
            "written_off_principal": str(loan.written_off_principal),
            "written_off_interest": str(loan.written_off_interest), "recovered_amount": str(loan.recovered_amount),
            "written_off_on": loan.written_off_on and loan.written_off_on.isoformat()}


def request_write_off(session: Session, actor: Actor, loan_id: uuid.UUID, ground: str, reason: str
                      ) -> MicroloanWriteOff:
    """Propose writing the loan off; see the module's docstring."""
    require(session, actor, WRITEOFF, "request")
    if ground not in GROUNDS:
        raise ValidationFailed("A write-off ground is one of {grounds}.", field="ground", grounds=", ".join(GROUNDS))
    text = inputs.text(reason, "reason", 1000, required=True)
    loan = lock_loan(session, actor, loan_id)
    if loan.status not in ON_BOOK_STATUSES:
        raise Conflict("Only a loan on the books (repaying) can be written off; loan {loan_no} is not.",
                       field="loan_id", loan_no=loan.loan_no)
    if ground == "loss" and loan.risk_class != "loss":
        raise ValidationFailed("Loan {loan_no} is not classified as loss: a write-off needs that class, or a court "
                               "judgment or bankruptcy as its ground.", field="ground", loan_no=loan.loan_no)
    pending = session.scalar(select(MicroloanWriteOff.id).where(MicroloanWriteOff.loan_id == loan.id,
                                                                MicroloanWriteOff.status == PROPOSED))
    if pending is not None:
        raise Conflict("Loan {loan_no} already has a write-off awaiting approval.", field="loan_id",
                       loan_no=loan.loan_no)
    row = MicroloanWriteOff(loan_id=loan.id, ground=ground, reason=text, status=PROPOSED, proposed_by=actor.id_uuid)
    session.add(row)
    session.flush()
    instance = helpers.start(session, actor, SYSTEM_ID, definition_key=DEFINITION_KEY, subject_type=SUBJECT_TYPE,
                             subject_id=str(row.id), subject=_fields(loan, row),
                             title=f"贷款核销 {loan.loan_no} {inputs.yuan(loan.principal_balance)}")
    row.workflow_instance_id = instance.id
    session.flush()
    audit(session, "microloan.writeoff.requested", entity_type=SUBJECT_TYPE, entity_id=row.id, before=None,
          after=_image(row), actor=actor)
    return row


def _fields(loan: MicroloanLoan, row: MicroloanWriteOff) -> dict[str, Any]:
    return proposal_fields(loan, row, write_off_id=str(row.id), ground=row.ground)


def subject_fields(session: Session, subject_id: str) -> dict[str, Any] | None:
    """The proposal's ``ground`` and status and its loan's fields (approvals.loan_fields)."""
    return proposal_subject(session, MicroloanWriteOff, subject_id, _fields)


def ended(session: Session, event) -> None:
    """The proposal's instance ended: see the module's docstring. Ignored for an instance that is not the
    proposal's or a proposal already decided; a loan no longer on the books is not written off."""
    row = row_of(session, MicroloanWriteOff, event.subject_id)
    if not row or row.workflow_instance_id != event.instance_id or row.status != PROPOSED:
        return
    before = _image(row)
    row.decided_at = utcnow()
    loan = lock_by_id(session, MicroloanLoan, row.loan_id, "status", "loan", "loan_id")
    if event.result == "approved" and four_eyes_broken(session, event.instance_id, row.proposed_by):
        row.refusal = FOUR_EYES
    elif event.result == "approved" and loan.status not in ON_BOOK_STATUSES:
        row.refusal = "not_on_book"
    if event.result != "approved" or row.refusal:
        row.status = REJECTED
        session.flush()
        audit(session, "microloan.writeoff.rejected", entity_type=SUBJECT_TYPE, entity_id=row.id, before=before,
              after={**_image(row), "workflow_result": event.result})
        return
    loan_before = _loan_image(loan)
    day = max(engine.business_today(), loan.disbursed_on or engine.business_today())
    principal, interest = loan.principal_balance, unpaid_interest(session, loan)
    loan.written_off_principal, loan.written_off_interest = principal, interest
    loan.principal_balance, loan.status, loan.written_off_on = ZERO, WRITTEN_OFF, day
    row.status, row.principal, row.interest, row.written_off_on = APPROVED, principal, interest, day
    session.flush()
    audit(session, "microloan.writeoff.approved", entity_type=SUBJECT_TYPE, entity_id=row.id, before=before,
          after=_image(row))
    audit(session, "microloan.loan.written_off", entity_type=LOAN_ENTITY, entity_id=loan.id, before=loan_before,
          after={**_loan_image(loan), "write_off_id": str(row.id)})
    raise_event(session, MicroloanWrittenOff(loan_id=loan.id, loan_no=loan.loan_no, customer_id=loan.customer_id,
                                             written_off_on=day, principal=principal, interest=interest))


# ---------------------------------------------------------------- recovery ----------------------------------------


def still_owed(loan: MicroloanLoan) -> Decimal:
    """What a written-off loan's borrower still owes of what was written off (principal and interest, less the
    recoveries)."""
    return loan.written_off_principal + loan.written_off_interest - loan.recovered_amount


def record_recovery(session: Session, actor: Actor, loan_id: uuid.UUID, amount: Any, recovered_on: dt.date | None,
                    key: str | None) -> MicroloanRecovery:
    """Record ``amount`` (yuan, > 0) recovered on a written-off loan on ``recovered_on`` (a business date, not in
    the future, not before the write-off; default today): the loan's ``recovered_amount`` grows, MicroloanRecovered is
    raised, audited. More than what is still owed (:func:`still_owed`) is refused. Idempotent: the same ``key`` with
    the same parameters records nothing more and returns the first recovery (core.idempotency)."""
    require(session, actor, RECOVERY, "record")
    money = inputs.money(amount, "amount", positive=True)

    def perform() -> MicroloanRecovery:
        loan = lock_loan(session, actor, loan_id)
        if loan.status != WRITTEN_OFF:
            raise Conflict("Loan {loan_no} is not written off: money received on it is a repayment.",
                           field="loan_id", loan_no=loan.loan_no)
        day = inputs.day(recovered_on, "recovered_on", not_before=loan.written_off_on, since=WRITE_OFF_DAY)
        owed = still_owed(loan)
        if money > owed:
            raise ValidationFailed("The recovered amount {amount} yuan is more than the {owed} yuan written off and "
                                   "not yet recovered.", field="amount", amount=inputs.yuan(money),
                                   owed=inputs.yuan(owed))
        before = _loan_image(loan)
        row = MicroloanRecovery(loan_id=loan.id, amount=money, recovered_on=day, recorded_by=actor.id_uuid)
        session.add(row)
        loan.recovered_amount = loan.recovered_amount + money
        session.flush()
        audit(session, "microloan.recovery.recorded", entity_type=LOAN_ENTITY, entity_id=loan.id, before=before,
              after={**_loan_image(loan), "recovery_id": str(row.id), "amount": str(money),
                     "recovered_on": day.isoformat()}, actor=actor)
        raise_event(session, MicroloanRecovered(loan_id=loan.id, loan_no=loan.loan_no, customer_id=loan.customer_id,
                                                recovered_on=day, amount=money))
        return row

    return idempotent(session, actor, scope="microloan.recovery", key=key,
                      params={"loan_id": loan_id, "amount": money, "recovered_on": recovered_on}, perform=perform)


#: Process module (plugin.PROCESSES).
DEFINITIONS: list[dict] = [PROCESS]
SUBJECTS: dict = {SUBJECT_TYPE: (subject_fields, ended)}
