"""Repayments and release (解保) of effective guarantees.

* :func:`record_repayment` -- the bank reports a repayment: more than 0, at most the in-force balance, dated
  neither in the future nor before the guarantee took effect. The balance goes down, a row is kept, audited, and
  GuaranteeRepaymentRecorded is raised. The credit line is NOT given back here: that happens on release.
* :func:`release` -- ``full`` when the loan is repaid (balance 0) or its term ended (release date on or after the
  loan end date): the balance goes to 0, the project becomes ``released``, what the project still holds on its bank's
  credit line goes back (banks.release) and the margin received and not yet refunded is refunded on each margin item
  (fees.refund). ``partial``: ``amount`` (more than 0 and below the balance) is released and given back to the line;
  no margin is refunded. Raises GuaranteeReleased.

Permissions: both need guarantee:release:record (finance and admin by default); the margin refund of a full release
goes through fees.refund and needs guarantee:fee:collect too. Reading needs guarantee:project:read within the data
scope.

Locks: the project row first, then the credit line (banks.release), then the margin items (fees.refund), so a
release and a repayment of one project are serialised and a line is never given back twice.
"""

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
from surety.plugins.guarantee.finance import banks, fees
from surety.plugins.guarantee.finance.models import FEE_MARGIN, GuaranteeFeeItem
from surety.plugins.guarantee.permissions import RELEASE
from surety.plugins.guarantee.project.models import STATUS_EFFECTIVE, STATUS_RELEASED, GuaranteeProject
from surety.plugins.guarantee.project.projects import get_project
from surety.plugins.guarantee.release.events import GuaranteeReleased, GuaranteeRepaymentRecorded
from surety.plugins.guarantee.release.models import (
    REASON_PARTIAL,
    REASON_REPAID,
    REASON_TERM_ENDED,
    RELEASE_FULL,
    RELEASE_KINDS,
    RELEASE_PARTIAL,
    GuaranteeRelease,
    GuaranteeRepayment,
)

ENTITY = "guarantee:project"
ZERO = Decimal("0.00")
#: The reason recorded on the margin refund of a full release.
MARGIN_REFUND_REASON = "解保: margin refunded on release of the guarantee"


class ProjectNotEffective(Conflict):
    """Repayments and releases are for an effective guarantee."""

    code = "GUARANTEE_NOT_EFFECTIVE"


class ReleaseExceedsBalance(Conflict):
    """More than the in-force balance would be repaid or released."""

    code = "GUARANTEE_RELEASE_EXCEEDS_BALANCE"


class FullReleaseNotDue(Conflict):
    """A full release needs the loan repaid (balance 0) or its term ended."""

    code = "GUARANTEE_FULL_RELEASE_NOT_DUE"


def _image(p: GuaranteeProject) -> dict:
    return {"status": p.status, "in_force_balance": str(p.in_force_balance)}


def _lock_effective(session: Session, actor: Actor, project_id: uuid.UUID, doing: str) -> GuaranteeProject:
    """The project (in the actor's data scope), row-locked and fresh, refused unless effective."""
    get_project(session, actor, project_id)  # data scope: NotFound outside it
    project = lock_by_id(session, GuaranteeProject, project_id, "in_force_balance", "guarantee project", "project_id")
    if project.status != STATUS_EFFECTIVE:
        raise ProjectNotEffective(f"{doing} is for an effective guarantee; project {project.project_no} is "
                                  f"{project.status}.", field="project_id", status=project.status)
    return project


def _date(value: dt.date | None, field: str, project: GuaranteeProject) -> dt.date:
    return inputs.day(value, field, not_before=project.effective_date, since="the guarantee took effect")


# ---------------------------------------------------------------- repayments ---------------------------------------


def record_repayment(session: Session, actor: Actor, project_id: uuid.UUID, amount: Any, *,
                     repaid_on: dt.date | None = None, reference: str = "") -> GuaranteeRepayment:
    """Record a repayment the bank reported on an effective guarantee (needs guarantee:release:record): ``amount``
    more than 0 and at most the in-force balance; ``repaid_on`` (the business date by default) not in the future
    nor before the effective date. Lowers the in-force balance; raises GuaranteeRepaymentRecorded."""
    require(session, actor, RELEASE, "record")
    amount = inputs.money(amount, "amount", positive=True)
    reference = inputs.text(reference, "reference", 100)
    project = _lock_effective(session, actor, project_id, "A repayment")
    day = _date(repaid_on, "repaid_on", project)
    if amount > project.in_force_balance:
        raise ReleaseExceedsBalance(f"The repayment {inputs.yuan(amount)} yuan is more than the in-force balance "
                                    f"{inputs.yuan(project.in_force_balance)} yuan.", field="amount",
                                    balance=str(project.in_force_balance))
    before = _image(project)
    project.in_force_balance = project.in_force_balance - amount
    project.updated_at = utcnow()
    row = GuaranteeRepayment(project_id=project.id, amount=amount, repaid_on=day,
                             balance_after=project.in_force_balance, reference=reference, created_by=actor.id_uuid)
    session.add(row)
    session.flush()
    audit(session, "guarantee.repayment.recorded", entity_type=ENTITY, entity_id=project.id, before=before,
          after={**_image(project), "repayment_id": str(row.id), "amount": str(amount), "repaid_on": day.isoformat()},
          actor=actor)
    raise_event(session, GuaranteeRepaymentRecorded(project_id=project.id, repayment_id=row.id, amount=amount,
                                                    balance_after=project.in_force_balance, repaid_on=day))
    return row


# ---------------------------------------------------------------- release ------------------------------------------


def line_held(session: Session, project: GuaranteeProject) -> Decimal:
    """What the project still holds on its credit line (0 when it holds no line)."""
    return project.credit_line_held if project.credit_line_id is not None else ZERO


def _refund_margin(session: Session, actor: Actor, project: GuaranteeProject, day: dt.date) -> Decimal:
    """Refund the margin received and not yet refunded on each margin item of the project (fees.refund)."""
    total = ZERO
    items = session.scalars(select(GuaranteeFeeItem).where(GuaranteeFeeItem.project_id == project.id,
                                                           GuaranteeFeeItem.fee_type == FEE_MARGIN)
                            .order_by(GuaranteeFeeItem.seq))
    for item in list(items):
        refundable = item.received - item.refunded
        if refundable > 0:
            row = fees.refund(session, actor, item.id, refundable, reason=MARGIN_REFUND_REASON, refunded_on=day)
            total += row.amount
    return total


def release(session: Session, actor: Actor, project_id: uuid.UUID, *, kind: str, amount: Any = None,
            released_on: dt.date | None = None, note: str = "") -> GuaranteeRelease:
    """Release (解保) an effective guarantee (needs guarantee:release:record, and guarantee:fee:collect when margin
    is refunded).

    ``kind="full"``: allowed when the balance is 0 (reason ``repaid``) or ``released_on`` is on or after the loan end
    date (``term_ended``); ``amount``, if given, must equal the balance. The balance goes to 0, the project becomes
    ``released``, the line usage still held goes back, and the margin received and not refunded is refunded.
    ``kind="partial"``: ``amount`` more than 0 and below the balance is released and given back to the line.
    ``released_on`` (the business date by default) is not in the future nor before the effective date."""
    require(session, actor, RELEASE, "record")
    if kind not in RELEASE_KINDS:
        raise ValidationFailed(f"A release is one of {', '.join(RELEASE_KINDS)}.", field="kind")
    amount = inputs.money(amount, "amount", positive=True, required=kind == RELEASE_PARTIAL)
    note = inputs.text(note, "note", 500)
    project = _lock_effective(session, actor, project_id, "A release")
    day = _date(released_on, "released_on", project)
    balance = project.in_force_balance
    if amount is not None and amount > balance:
        raise ReleaseExceedsBalance(f"Cannot release {inputs.yuan(amount)} yuan: the in-force balance is "
                                    f"{inputs.yuan(balance)} yuan.", field="amount", balance=str(balance))
    held = line_held(session, project)
    if kind == RELEASE_FULL:
        if amount is not None and amount != balance:
            raise ValidationFailed(f"A full release releases the whole balance ({inputs.yuan(balance)} yuan); give "
                                   "no amount or use a partial release.", field="amount")
        if balance == 0:
            reason = REASON_REPAID
        elif project.loan_end_date is not None and day >= project.loan_end_date:
            reason = REASON_TERM_ENDED
        else:
            end = project.loan_end_date.isoformat() if project.loan_end_date else "unknown"
            raise FullReleaseNotDue(f"A full release needs the loan repaid or its term ended: the in-force balance "
                                    f"is {inputs.yuan(balance)} yuan and the loan ends on {end}.", field="kind",
                                    balance=str(balance))
        released, to_line = balance, held
    else:
        if amount == balance:
            raise ValidationFailed("A partial release is below the in-force balance; release the whole balance "
                                   "with a full release.", field="amount")
        reason, released, to_line = REASON_PARTIAL, amount, min(amount, held)
    before = _image(project)
    line = banks.release(session, project, to_line) if to_line > 0 else None
    project.in_force_balance = balance - released
    if kind == RELEASE_FULL:
        project.status = STATUS_RELEASED
    project.updated_at = utcnow()
    session.flush()
    margin = _refund_margin(session, actor, project, day) if kind == RELEASE_FULL else ZERO
    row = GuaranteeRelease(project_id=project.id, kind=kind, reason=reason, amount=released,
                           balance_after=project.in_force_balance, released_on=day,
                           credit_line_id=line.id if line is not None else None,
                           line_released=to_line if line is not None else ZERO, margin_refunded=margin, note=note,
                           created_by=actor.id_uuid)
    session.add(row)
    session.flush()
    audit(session, "guarantee.project.released", entity_type=ENTITY, entity_id=project.id, before=before,
          after={**_image(project), "release_id": str(row.id), "kind": kind, "reason": reason,
                 "amount": str(released), "line_released": str(row.line_released), "margin_refunded": str(margin),
                 "released_on": day.isoformat()}, actor=actor)
    raise_event(session, GuaranteeReleased(
        project_id=project.id, project_no=project.project_no, release_id=row.id, kind=kind, released_amount=released,
        balance_after=project.in_force_balance, line_released=row.line_released, margin_refunded=margin,
        released_on=day))
    return row


# ---------------------------------------------------------------- reading --------------------------------------------


def releases(session: Session, actor: Actor, project_id: uuid.UUID) -> list[GuaranteeRelease]:
    """A project's releases, oldest first (needs guarantee:project:read and the project in the data scope)."""
    get_project(session, actor, project_id)
    return list(session.scalars(select(GuaranteeRelease).where(GuaranteeRelease.project_id == project_id)
                                .order_by(GuaranteeRelease.released_on, GuaranteeRelease.created_at,
                                          GuaranteeRelease.id)))


def repayments(session: Session, actor: Actor, project_id: uuid.UUID) -> list[GuaranteeRepayment]:
    """A project's repayments, oldest first (needs guarantee:project:read and the project in the data scope)."""
    get_project(session, actor, project_id)
    return list(session.scalars(select(GuaranteeRepayment).where(GuaranteeRepayment.project_id == project_id)
                                .order_by(GuaranteeRepayment.repaid_on, GuaranteeRepayment.created_at,
                                          GuaranteeRepayment.id)))
