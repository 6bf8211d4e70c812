"""Repayments and release (解保) of effective guarantees.

* :func:`record_repayment` -- the bank reports a repayment: more than 0, at most the in-force balance, dated
  neither in the future nor before the guarantee took effect. The balance goes down, a row is kept, audited, and
  GuaranteeRepaymentRecorded is raised. The credit line is NOT given back here: that happens on release.
* :func:`request_release` -- a release is requested (申请解保): checked as the release itself would be now, kept as
  a ``guarantee_release_requests`` row and decided through the workflow ``guarantee.release`` (approval.py). When
  the instance ends (:func:`request_ended`): approved -> the release is executed (:func:`execute`) with the
  request's kind, amount, date and note; rejected or withdrawn -> the request is closed, nothing is released.
* :func:`release` / :func:`execute` -- the release itself: ``full`` when the loan is repaid (balance 0) or its term
  ended (release date on or after the loan end date; a non-financing guarantee's expiry date): the balance goes to
  0, the project becomes ``released``, what the project still holds on its bank's credit line goes back
  (banks.release) and the margin received and not yet refunded is refunded on each margin item. ``partial``:
  ``amount`` (more than 0 and below the balance) is released and given back to the line; no margin is refunded.
  Each release records its released amount (解保金额, :func:`discharged`). Raises GuaranteeReleased.
  ``release`` runs it at once for a holder of guarantee:release:record (and guarantee:fee:collect for the margin):
  the service an approved request runs, used directly by data repair and other areas' tests; the API offers only
  the request.

Permissions: repayments need guarantee:release:record (finance and admin by default); requests need
guarantee:release:request (customer managers, finance, admin); the decisions are the workflow tasks'. Reading needs
guarantee:project:read within the data scope.

Locks: the project row first, then the credit line (banks.release), then the margin items (fees refund), so a
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
from surety.core.errors import Conflict, NotFound, ValidationFailed
from surety.core.events import raise_event
from surety.core.i18n import N_
from surety.core.workflow import engine
from surety.core.workflow.helpers import last_decision
from surety.plugins.guarantee.finance import banks, fees
from surety.plugins.guarantee.finance.models import FEE_MARGIN, GuaranteeFeeItem
from surety.plugins.guarantee.permissions import RELEASE
from surety.plugins.guarantee.project.models import (
    CATEGORY_NON_FINANCING,
    STATUS_EFFECTIVE,
    STATUS_RELEASED,
    GuaranteeProduct,
    GuaranteeProject,
)
from surety.plugins.guarantee.project.projects import get_project
from surety.plugins.guarantee.project.words import project_status
from surety.plugins.guarantee.release import approval
from surety.plugins.guarantee.release.approval import DEFINITION_KEY, SUBJECT_TYPE, repaid_total, request_fields
from surety.plugins.guarantee.release.events import GuaranteeReleased, GuaranteeRepaymentRecorded
from surety.plugins.guarantee.release.models import (
    REASON_PARTIAL,
    REASON_REPAID,
    REASON_TERM_ENDED,
    RELEASE_FULL,
    RELEASE_KINDS,
    RELEASE_PARTIAL,
    REQUEST_IN_APPROVAL,
    REQUEST_REJECTED,
    REQUEST_RELEASED,
    REQUEST_WITHDRAWN,
    GuaranteeRelease,
    GuaranteeReleaseRequest,
    GuaranteeRepayment,
)

ENTITY = "guarantee:project"
REQUEST_ENTITY = SUBJECT_TYPE
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


#: The refusals of a repayment and of a release on a project that is not effective.
REPAYMENT_NOT_EFFECTIVE = N_("A repayment is for an effective guarantee; project {project_no} is {status}.")
RELEASE_NOT_EFFECTIVE = N_("A release is for an effective guarantee; project {project_no} is {status}.")


def _lock_effective(session: Session, actor: Actor, project_id: uuid.UUID, refusal: str) -> GuaranteeProject:
    """The project (in the actor's data scope), row-locked and fresh, refused (message ``refusal``) unless effective."""
    get_project(session, actor, project_id)  # data scope: NotFound outside it
    project = lock_by_id(session, GuaranteeProject, project_id, "in_force_balance", "guarantee project", "project_id")
    if project.status != STATUS_EFFECTIVE:
        raise ProjectNotEffective(refusal, field="project_id", project_no=project.project_no, status=project_status(project.status))
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
    project = _lock_effective(session, actor, project_id, REPAYMENT_NOT_EFFECTIVE)
    day = _date(repaid_on, "repaid_on", project)
    if amount > project.in_force_balance:
        raise ReleaseExceedsBalance("The repayment {amount_yuan} yuan is more than the in-force balance "
                                    "{balance_yuan} yuan.", field="amount", amount_yuan=inputs.yuan(amount),
                                    balance_yuan=inputs.yuan(project.in_force_balance),
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


def term_end(session: Session, project: GuaranteeProject) -> dt.date | None:
    """The day a guarantee's term ends: a non-financing guarantee's expiry date (保函到期日), a financing one's loan
    end date."""
    category = session.scalar(select(GuaranteeProduct.category).where(GuaranteeProduct.id == project.product_id))
    return project.expiry_date if category == CATEGORY_NON_FINANCING else project.loan_end_date


def discharged(session: Session, project: GuaranteeProject, kind: str, released: Decimal) -> Decimal:
    """The released amount (解保金额) of a release that takes ``released`` off the in-force balance: a partial release
    discharges that amount; a full release also what the repayments recorded before it paid off (the guarantee of
    the repaid part ends with the full release), so a project's releases add up to its loan amount less the
    compensated principal."""
    if kind != RELEASE_FULL:
        return released
    return released + repaid_total(session, project.id)


def _refund_margin(session: Session, actor: Actor | None, project: GuaranteeProject, day: dt.date,
                   created_by: uuid.UUID | None) -> Decimal:
    """Refund the margin received and not yet refunded on each margin item of the project (``fees.refund`` with the
    actor's permission; ``fees.record_refund`` when ``actor`` is None: an approved request is the authority)."""
    total = ZERO
    items = session.scalars(select(GuaranteeFeeItem).where(GuaranteeFeeItem.project_id == project.id,
                                                           GuaranteeFeeItem.fee_type == FEE_MARGIN)
                            .order_by(GuaranteeFeeItem.seq))
    for item in list(items):
        refundable = item.received - item.refunded
        if refundable > 0:
            if actor is not None:
                row = fees.refund(session, actor, item.id, refundable, reason=MARGIN_REFUND_REASON,
                                  refunded_on=day)
            else:
                row = fees.record_refund(session, item.id, refundable, reason=MARGIN_REFUND_REASON,
                                         refunded_on=day, created_by=created_by)
            total += row.amount
    return total


def _clean(kind: str, amount: Any, note: str) -> tuple[Decimal | None, str]:
    if kind not in RELEASE_KINDS:
        raise ValidationFailed("A release is one of {kinds}.", field="kind", kinds=", ".join(RELEASE_KINDS))
    return (inputs.money(amount, "amount", positive=True, required=kind == RELEASE_PARTIAL),
            inputs.text(note, "note", 500))


def _plan(session: Session, project: GuaranteeProject, kind: str, amount: Decimal | None,
          day: dt.date) -> tuple[str, Decimal, Decimal]:
    """(reason, in-force amount released, line usage given back) of a release of ``project`` on ``day`` as it
    stands now, or the refusal."""
    balance = project.in_force_balance
    if amount is not None and amount > balance:
        raise ReleaseExceedsBalance("Cannot release {amount_yuan} yuan: the in-force balance is {balance_yuan} "
                                    "yuan.", field="amount", balance=str(balance), amount_yuan=inputs.yuan(amount),
                                    balance_yuan=inputs.yuan(balance))
    held = line_held(session, project)
    if kind == RELEASE_FULL:
        if amount is not None and amount != balance:
            raise ValidationFailed("A full release releases the whole balance ({balance_yuan} yuan); give no amount "
                                   "or use a partial release.", field="amount", balance_yuan=inputs.yuan(balance))
        end = term_end(session, project)
        if balance == 0:
            return REASON_REPAID, balance, held
        if end is not None and day >= end:
            return REASON_TERM_ENDED, balance, held
        raise FullReleaseNotDue("A full release needs the loan repaid or its term ended: the in-force balance is "
                                "{balance_yuan} yuan and the term ends on {term_end}.", field="kind",
                                balance=str(balance), balance_yuan=inputs.yuan(balance),
                                term_end=end.isoformat() if end else "-")
    if amount == balance:
        raise ValidationFailed("A partial release is below the in-force balance; release the whole balance "
                               "with a full release.", field="amount")
    return REASON_PARTIAL, amount, min(amount, held)


def _execute(session: Session, project: GuaranteeProject, *, kind: str, amount: Decimal | None, day: dt.date,
             note: str, actor: Actor | None, created_by: uuid.UUID | None,
             request: GuaranteeReleaseRequest | None = None) -> GuaranteeRelease:
    """Release the locked, effective ``project`` (checks of :func:`_plan`), audit and raise GuaranteeReleased."""
    reason, released, to_line = _plan(session, project, kind, amount, day)
    before = _image(project)
    line = banks.release(session, project, to_line) if to_line > 0 else None
    released_amount = discharged(session, project, kind, released)
    project.in_force_balance = project.in_force_balance - released
    if kind == RELEASE_FULL:
        project.status = STATUS_RELEASED
    project.updated_at = utcnow()
    session.flush()
    margin = _refund_margin(session, actor, project, day, created_by) if kind == RELEASE_FULL else ZERO
    row = GuaranteeRelease(project_id=project.id, kind=kind, reason=reason, amount=released,
                           released_amount=released_amount, balance_after=project.in_force_balance,
                           released_on=day, credit_line_id=line.id if line is not None else None,
                           line_released=to_line if line is not None else ZERO, margin_refunded=margin, note=note,
                           request_id=request.id if request is not None else None, created_by=created_by)
    session.add(row)
    session.flush()
    extra = {} if request is None else {"request_id": str(request.id)}
    audit(session, "guarantee.project.released", entity_type=ENTITY, entity_id=project.id, before=before,
          after={**_image(project), "release_id": str(row.id), "kind": kind, "reason": reason,
                 "amount": str(released), "released_amount": str(released_amount),
                 "line_released": str(row.line_released), "margin_refunded": str(margin),
                 "released_on": day.isoformat(), **extra}, actor=actor)
    raise_event(session, GuaranteeReleased(
        project_id=project.id, project_no=project.project_no, release_id=row.id, kind=kind,
        released_amount=released_amount, balance_released=released, balance_after=project.in_force_balance,
        line_released=row.line_released, margin_refunded=margin, released_on=day))
    return row


def release(session: Session, actor: Actor, project_id: uuid.UUID, *, kind: str, amount: Any = None,
            released_on: dt.date | None = None, note: str = "") -> GuaranteeRelease:
    """Release (解保) an effective guarantee at once (needs guarantee:release:record, and guarantee:fee:collect when
    margin is refunded): what an approved request runs (:func:`request_ended`); the API offers only the request.

    ``kind="full"``: allowed when the balance is 0 (reason ``repaid``) or ``released_on`` is on or after the term's
    end (:func:`term_end`: ``term_ended``); ``amount``, if given, must equal the balance. The balance goes to 0, the
    project becomes ``released``, the line usage still held goes back, and the margin received and not refunded is
    refunded. ``kind="partial"``: ``amount`` more than 0 and below the balance is released and given back to the
    line. ``released_on`` (the business date by default) is not in the future nor before the effective date."""
    require(session, actor, RELEASE, "record")
    amount, note = _clean(kind, amount, note)
    project = _lock_effective(session, actor, project_id, RELEASE_NOT_EFFECTIVE)
    day = _date(released_on, "released_on", project)
    return _execute(session, project, kind=kind, amount=amount, day=day, note=note, actor=actor,
                    created_by=actor.id_uuid)


# ---------------------------------------------------------------- release requests (申请解保) -----------------------


def _request_image(r: GuaranteeReleaseRequest) -> dict:
    return {"project_id": str(r.project_id), "kind": r.kind, "amount": None if r.amount is None else str(r.amount),
            "released_on": r.released_on.isoformat() if r.released_on else None, "note": r.note,
            "status": r.status, "release_id": None if r.release_id is None else str(r.release_id),
            "workflow_instance_id": None if r.workflow_instance_id is None else str(r.workflow_instance_id),
            "decision_comment": r.decision_comment}


class ReleaseRequestOpen(Conflict):
    """A project has at most one release request in approval."""

    code = "GUARANTEE_RELEASE_REQUEST_OPEN"


def request_release(session: Session, actor: Actor, project_id: uuid.UUID, *, kind: str, amount: Any = None,
                    released_on: dt.date | None = None, note: str = "") -> GuaranteeReleaseRequest:
    """Request the release (申请解保) of an effective guarantee (needs guarantee:release:request): checked as the
    release would be now (:func:`release`'s rules; ``released_on``, when given, is the release date asked for,
    else the approval's business date), one request in approval per project (``GUARANTEE_RELEASE_REQUEST_OPEN``).
    Starts ``guarantee.release`` in the same transaction and keeps its id on the request; audited
    ``guarantee.release.requested``."""
    require(session, actor, RELEASE, "request")
    amount, note = _clean(kind, amount, note)
    project = _lock_effective(session, actor, project_id, RELEASE_NOT_EFFECTIVE)
    day = _date(released_on, "released_on", project)
    _plan(session, project, kind, amount, day)
    pending = session.scalar(select(GuaranteeReleaseRequest.id).where(
        GuaranteeReleaseRequest.project_id == project.id, GuaranteeReleaseRequest.status == REQUEST_IN_APPROVAL))
    if pending is not None:
        raise ReleaseRequestOpen("Project {project_no} already has a release request in approval.",
                                 field="project_id", project_no=project.project_no, request_id=str(pending))
    row = GuaranteeReleaseRequest(project_id=project.id, kind=kind, amount=amount, released_on=released_on,
                                  note=note, status=REQUEST_IN_APPROVAL, requested_by=actor.id_uuid,
                                  decision_comment="")
    session.add(row)
    session.flush()
    shown = inputs.yuan(project.in_force_balance if kind == RELEASE_FULL else amount)
    instance = engine.start(session, actor, definition_key=DEFINITION_KEY, subject_type=SUBJECT_TYPE,
                            subject_id=str(row.id), subject=request_fields(session, str(row.id)),
                            title=f"解保 {project.project_no} {shown}")
    row.workflow_instance_id = instance.id
    session.flush()
    audit(session, "guarantee.release.requested", entity_type=REQUEST_ENTITY, entity_id=row.id, before=None,
          after=_request_image(row), actor=actor)
    return row


#: Separation of duties: the final approval of a release request by the person who requested it does not count.
FOUR_EYES_RELEASE = N_("Four-eyes rule: the release was approved by the person who requested it, so nothing is "
                       "released; request it again for someone else to approve.")


def request_ended(session: Session, event) -> None:
    """The approval instance of a release request ended (WorkflowInstanceEnded). Approved: the release is executed
    as requested (:func:`_execute`, on the requested date or the business date; the margin refund needs no further
    permission: the approval is the authority), the request is ``released`` with the release's id. A refusal of the
    release as things stand now (e.g. repayments since the request made a partial amount the whole balance) is a
    DomainError: the approving action is refused and nothing changes; reject or withdraw the request instead.
    Rejected or withdrawn: the request takes that status. Four-eyes rule: approved by who requested it, the request
    is ``rejected`` with FOUR_EYES_RELEASE as its comment. Ignored for another instance or a closed request."""
    try:
        request_id = uuid.UUID(str(event.subject_id))
        row = lock_by_id(session, GuaranteeReleaseRequest, request_id, "status", "release request")
    except (ValueError, NotFound):
        return
    if row.workflow_instance_id != event.instance_id or row.status != REQUEST_IN_APPROVAL:
        return
    before = _request_image(row)
    who, comment = last_decision(session, event.instance_id)
    result, reason = event.result, None
    if result == "approved" and who is not None and who == row.requested_by:
        result, reason, comment = "rejected", "four_eyes", FOUR_EYES_RELEASE
    row.decided_by, row.decided_at, row.decision_comment = who, utcnow(), (comment or "")[:500]
    row.updated_at = row.decided_at
    if result == "approved":
        project = lock_by_id(session, GuaranteeProject, row.project_id, "in_force_balance", "guarantee project",
                             "project_id")
        if project.status != STATUS_EFFECTIVE:
            raise ProjectNotEffective(RELEASE_NOT_EFFECTIVE, field="project_id", project_no=project.project_no, status=project_status(project.status))
        day = _date(row.released_on, "released_on", project)
        done = _execute(session, project, kind=row.kind, amount=row.amount, day=day, note=row.note, actor=None,
                        created_by=row.requested_by, request=row)
        row.status, row.release_id = REQUEST_RELEASED, done.id
    else:
        row.status = REQUEST_WITHDRAWN if result == "withdrawn" else REQUEST_REJECTED
    session.flush()
    extra = {} if reason is None else {"workflow_result": event.result, "reason": reason}
    audit(session, "guarantee.release.decided", entity_type=REQUEST_ENTITY, entity_id=row.id, before=before,
          after={**_request_image(row), "result": result, "decided_by": None if who is None else str(who),
                 **extra})


def release_requests(session: Session, actor: Actor, project_id: uuid.UUID) -> list[GuaranteeReleaseRequest]:
    """A project's release requests, oldest first (needs guarantee:project:read and the project in the data
    scope)."""
    get_project(session, actor, project_id)
    return list(session.scalars(select(GuaranteeReleaseRequest)
                                .where(GuaranteeReleaseRequest.project_id == project_id)
                                .order_by(GuaranteeReleaseRequest.created_at, GuaranteeReleaseRequest.id)))


def request_of(session: Session, request_id: uuid.UUID) -> GuaranteeReleaseRequest:
    """The request row (no permission check: for callers that have just acted on it)."""
    return session.scalars(select(GuaranteeReleaseRequest).where(GuaranteeReleaseRequest.id == request_id)).one()


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


#: Process module (``plugin.PROCESSES``): the default definition (approval.py) and, per subject type,
#: ``(fields, ended)``.
DEFINITIONS: list[dict] = approval.DEFINITIONS
SUBJECTS: dict = {SUBJECT_TYPE: (approval.request_fields, request_ended)}
