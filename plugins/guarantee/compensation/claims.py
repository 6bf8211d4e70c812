"""Compensation (代偿) and recovery (追偿) of an effective guarantee.

The bank's claim (:func:`claim`) is made of components -- principal (本金, at most the in-force balance), interest
(利息) and penalty interest (罚息), each >= 0 and only those the contract covers (:func:`covered_components`, the
project's 保证范围; :func:`set_covered_components` before the guarantee takes effect) -- and takes the bank's risk
share off: ``payable_amount = claimed_amount - bank_share``, ``bank_share = claimed_amount x`` the ratio of the
project's credit line (kept on the claim). The claim is ``claimed`` and starts its approval instance (workflow
``guarantee.compensation``: risk officer's review, then the executive's approval; see ``approval``). When the instance
ends (:func:`claim_ended`) the claim becomes ``approved`` or ``rejected`` (rejected or withdrawn). The payment to the
bank (:func:`pay`, exactly the payable amount) lowers the project's in-force balance by the claim's principal,
gives that back to the bank's credit line (``banks.release``), opens a compensation receivable of the amount paid
and raises GuaranteeCompensationPaid; the claim is ``compensated``, and so is the project once no principal remains
in force (warnings.classification then raises its risk class to at least 次级). Recovery actions
(:func:`record_recovery`) reduce the receivable by what they recovered (GuaranteeRecovered). The remainder can be
written off as a loss: :func:`propose_write_off` (a reason) starts the approval instance
``guarantee.loss_write_off`` (the executive); when it ends approved (:func:`write_off_ended`) the outstanding
remainder is written off and the receivable closed (GuaranteeLossWrittenOff); rejected or withdrawn, the proposal is
cleared. Four-eyes rule: a claim finally approved by who recorded it ends ``rejected``, a write-off approved by who
proposed it writes nothing off (the proposal is cleared). A recovery that clears the receivable while a write-off is
pending withdraws that instance.
Non-financing guarantees (保函: bid, performance, litigation, advance payment): the claimant is the letter's
beneficiary (受益人, kept on the claim as ``claimant``; the bank's name for a financing guarantee), the claim covers
the guaranteed sum only (principal: DEFAULT_COMPONENTS, and :func:`set_covered_components` refuses more), at most the
in-force balance, and a claim dated after the letter's expiry date is refused (``GUARANTEE_EXPIRED``).
Each step locks the rows it changes, is audited and names the field of any refusal.

Permissions: claim guarantee:compensation:claim, pay guarantee:compensation:pay, recovery
guarantee:compensation:recover, the write-off proposal guarantee:loss:write_off, the covered components
guarantee:contract:manage; the decisions are the workflow
tasks' (core:workflow_task:act and being the task's assignee); reading guarantee:compensation:read within the
project's data scope.
"""

from __future__ import annotations

import dataclasses
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
from surety.core.i18n import N_, translate
from surety.core.words import Words
from surety.core.workflow import engine
from surety.core.workflow.helpers import last_decision
from surety.core.workflow.models import INSTANCE_RUNNING
from surety.plugins.guarantee.compensation import approval
from surety.plugins.guarantee.compensation.approval import (
    CLAIM_DEFINITION,
    CLAIM_SUBJECT,
    RECEIVABLE_SUBJECT,
    WRITE_OFF_DEFINITION,
    claim_fields,
    receivable_fields,
)
from surety.plugins.guarantee.compensation.events import (
    GuaranteeCompensationPaid,
    GuaranteeLossWrittenOff,
    GuaranteeRecovered,
)
from surety.plugins.guarantee.compensation.models import (
    CLAIM_APPROVED,
    CLAIM_CLAIMED,
    CLAIM_COMPENSATED,
    CLAIM_OPEN,
    CLAIM_REJECTED,
    RECEIVABLE_CLOSED,
    RECEIVABLE_OPEN,
    RECOVERY_KINDS,
    GuaranteeCompensation,
    GuaranteeCompensationReceivable,
    GuaranteeRecoveryAction,
)
from surety.plugins.guarantee.compensation.words import component, scope
from surety.plugins.guarantee.finance import banks
from surety.plugins.guarantee.permissions import COMPENSATION, CONTRACT, LOSS
from surety.plugins.guarantee.project.models import (
    CATEGORY_FINANCING,
    CATEGORY_NON_FINANCING,
    COMPONENT_INTEREST,
    COMPONENT_PENALTY,
    COMPONENT_PRINCIPAL,
    COMPONENTS,
    DEFAULT_COMPONENTS,
    STATUS_APPROVED,
    STATUS_COMPENSATED,
    STATUS_CONTRACTED,
    STATUS_DRAFT,
    STATUS_EFFECTIVE,
    STATUS_IN_APPROVAL,
    GuaranteeBank,
    GuaranteeProduct,
    GuaranteeProject,
)
from surety.plugins.guarantee.project.projects import get_project, lock_project
from surety.plugins.guarantee.project.words import project_status

CLAIM_ENTITY = CLAIM_SUBJECT
#: Statuses in which a project's covered components (保证范围) may still be set: before the guarantee takes effect.
COVERAGE_STATUSES = (STATUS_DRAFT, STATUS_IN_APPROVAL, STATUS_APPROVED, STATUS_CONTRACTED)
RECEIVABLE_ENTITY = RECEIVABLE_SUBJECT
ZERO = Decimal("0.00")


def _percent(ratio: Decimal) -> str:
    return f"{(Decimal(ratio) * 100).quantize(Decimal('0.01'))}%"


def _claim_image(c: GuaranteeCompensation) -> dict:
    return {"project_id": str(c.project_id), "status": c.status, "claimed_amount": str(c.claimed_amount),
            "principal": str(c.principal), "interest": str(c.interest), "penalty": str(c.penalty),
            "bank_share_ratio": str(c.bank_share_ratio), "bank_share": str(c.bank_share),
            "payable_amount": str(c.payable_amount),
            "claim_date": c.claim_date.isoformat(), "claimant": c.claimant, "notes": c.notes, "decision_comment": c.decision_comment,
            "paid_amount": None if c.paid_amount is None else str(c.paid_amount),
            "paid_on": c.paid_on.isoformat() if c.paid_on else None,
            "workflow_instance_id": None if c.workflow_instance_id is None else str(c.workflow_instance_id)}


def _receivable_image(r: GuaranteeCompensationReceivable) -> dict:
    return {"project_id": str(r.project_id), "compensation_id": str(r.compensation_id), "status": r.status,
            "paid": str(r.paid), "recovered": str(r.recovered), "written_off": str(r.written_off),
            "outstanding": str(r.outstanding), "write_off_reason": r.write_off_reason,
            "write_off_instance_id": None if r.write_off_instance_id is None else str(r.write_off_instance_id)}


def _lock_claim(session: Session, actor: Actor, compensation_id: uuid.UUID) -> GuaranteeCompensation:
    claim_row = lock_by_id(session, GuaranteeCompensation, compensation_id, "status",
                           Words(N_("compensation claim")), "compensation_id")
    get_project(session, actor, claim_row.project_id)  # data scope: NotFound outside it
    return claim_row


def _lock_receivable(session: Session, actor: Actor, receivable_id: uuid.UUID) -> GuaranteeCompensationReceivable:
    row = lock_by_id(session, GuaranteeCompensationReceivable, receivable_id, "status",
                     Words(N_("compensation receivable")), "receivable_id")
    get_project(session, actor, row.project_id)
    return row


# ---------------------------------------------------------------- the claim and its payment ------------------------


def covered_components(session: Session, project: GuaranteeProject) -> tuple[str, ...]:
    """The components a claim on ``project`` may cover (保证范围), in COMPONENTS order: the project's own
    ``covered_components``, else its product category's default (DEFAULT_COMPONENTS)."""
    if project.covered_components:
        return tuple(c for c in COMPONENTS if c in project.covered_components)
    return DEFAULT_COMPONENTS.get(_category(session, project), DEFAULT_COMPONENTS[CATEGORY_FINANCING])


def _category(session: Session, project: GuaranteeProject) -> str:
    category = session.scalar(select(GuaranteeProduct.category).where(GuaranteeProduct.id == project.product_id))
    return category or CATEGORY_FINANCING


def claimant_of(session: Session, project: GuaranteeProject) -> str:
    """Who claims on ``project`` (索赔方): the beneficiary (受益人) the letter of a non-financing guarantee is
    addressed to; the bank of a financing guarantee ('' when the project names none)."""
    if _category(session, project) == CATEGORY_NON_FINANCING:
        return project.beneficiary_name or ""
    if project.bank_id is None:
        return ""
    return session.scalar(select(GuaranteeBank.name).where(GuaranteeBank.id == project.bank_id)) or ""


def scope_text(components: tuple[str, ...] | list[str]) -> str:
    """The components in words, as the contract and letter state them (``本金、利息、罚息``)."""
    return "、".join(COMPONENTS[c] for c in COMPONENTS if c in components)


def set_covered_components(session: Session, actor: Actor, project_id: uuid.UUID,
                           components: list[str] | tuple[str, ...] | None) -> GuaranteeProject:
    """Set what a claim on the project may cover (guarantee:contract:manage), before the guarantee takes effect:
    keys of COMPONENTS including ``principal`` (stored in COMPONENTS order); None or empty goes back to the product's
    default. Audited."""
    require(session, actor, CONTRACT, "manage")
    chosen = None
    if components:
        unknown = [c for c in components if c not in COMPONENTS]
        if unknown:
            raise ValidationFailed("The covered components are among {components}; unknown: {unknown}.",
                                   field="covered_components", components=", ".join(COMPONENTS),
                                   unknown=", ".join(map(str, unknown)))
        if COMPONENT_PRINCIPAL not in components:
            raise ValidationFailed("The covered components include the principal (principal).",
                                   field="covered_components")
        chosen = [c for c in COMPONENTS if c in components]
    project = lock_project(session, actor, project_id)
    if chosen and chosen != [COMPONENT_PRINCIPAL] and _category(session, project) == CATEGORY_NON_FINANCING:
        raise ValidationFailed("A non-financing guarantee (保函) covers its guaranteed sum only: its scope is the "
                               "principal (本金) alone.", field="covered_components")
    if project.status not in COVERAGE_STATUSES:
        raise Conflict("The covered components are set before the guarantee takes effect; project {project_no} is "
                       "{status}.", field="project_id", project_no=project.project_no,
                       status=project_status(project.status))
    before = {"covered_components": project.covered_components}
    project.covered_components, project.updated_at = chosen, utcnow()
    session.flush()
    audit(session, "guarantee.project.coverage_set", entity_type="guarantee:project", entity_id=project.id,
          before=before, after={"covered_components": chosen,
                                "effective_components": list(covered_components(session, project))}, actor=actor)
    return project


#: The amounts of a claim and its payment as refusals name them (the ``what`` of core.inputs.money).
AMOUNT_WORDS = {"principal": N_("The claimed principal (principal)"),
                "interest": N_("The claimed interest (interest)"),
                "penalty": N_("The claimed penalty interest (penalty)"),
                "amount": N_("The claimed amount (amount)"),
                "total": N_("The claim's total (amount)"),
                "paid": N_("The compensation paid (amount)")}


def _component(value: Any, field: str) -> Decimal:
    if value is None or (isinstance(value, str) and not value.strip()):
        return ZERO
    return inputs.money(value, field, what=Words(AMOUNT_WORDS[field]))


def claim_components(session: Session, project: GuaranteeProject, *, amount: Any = None, principal: Any = None,
                     interest: Any = None, penalty: Any = None) -> dict[str, Decimal]:
    """The checked components of a claim on ``project`` and their sum (``principal``, ``interest``, ``penalty``,
    ``total``). Given no component, ``amount`` is a claim of principal only. Each component >= 0; one the contract
    does not cover (:func:`covered_components`) must be 0; ``0 <= principal <= in-force balance``; the total > 0 and,
    when ``amount`` is given with components, equal to it. zh-CN refusals name the field."""
    given = [v for v in (principal, interest, penalty) if v is not None]
    if not given:
        if amount is None:
            raise ValidationFailed("Give the claimed principal (principal), interest (interest) and penalty "
                                   "interest (penalty).", field="principal")
        parts = {COMPONENT_PRINCIPAL: inputs.money(amount, "amount", what=Words(AMOUNT_WORDS["amount"])),
                 COMPONENT_INTEREST: ZERO, COMPONENT_PENALTY: ZERO}
        total_field = "amount"
    else:
        parts = {COMPONENT_PRINCIPAL: _component(principal, "principal"),
                 COMPONENT_INTEREST: _component(interest, "interest"),
                 COMPONENT_PENALTY: _component(penalty, "penalty")}
        total_field = "principal"
    covered = covered_components(session, project)
    for key, value in parts.items():
        if value > 0 and key not in covered:
            raise ValidationFailed("The project's guarantee covers {scope}, not {component}: the claimed "
                                   "{component} ({key}) must be 0, not {amount} yuan.", field=key,
                                   scope=scope(covered), component=component(key), key=key,
                                   amount=inputs.yuan(value))
    total = sum(parts.values(), ZERO)
    if total <= 0:
        raise ValidationFailed("The claimed amount (principal, interest and penalty interest together) must be "
                               "above 0.", field=total_field)
    if parts[COMPONENT_PRINCIPAL] > project.in_force_balance:
        field = "amount" if not given else "principal"
        raise ValidationFailed("The claimed principal ({name}) {amount} yuan is more than the in-force balance "
                               "{balance} yuan.", field=field, name=field,
                               amount=inputs.yuan(parts[COMPONENT_PRINCIPAL]),
                               balance=inputs.yuan(project.in_force_balance))
    if given and amount is not None:
        stated = inputs.money(amount, "amount", what=Words(AMOUNT_WORDS["total"]))
        if stated != total:
            raise ValidationFailed("The claim's total (amount) {stated} yuan differs from the sum of principal, "
                                   "interest and penalty interest, {total} yuan.", field="amount",
                                   stated=inputs.yuan(stated), total=inputs.yuan(total))
    return {**parts, "total": total}


def claim(session: Session, actor: Actor, project_id: uuid.UUID, *, amount: Any = None, principal: Any = None,
          interest: Any = None, penalty: Any = None, claim_date: dt.date | None = None,
          notes: str = "") -> GuaranteeCompensation:
    """Record the bank's compensation claim on an effective project: its components (:func:`claim_components`:
    principal at most the in-force balance, interest and penalty >= 0 and only where the contract covers them; or
    ``amount`` alone, a claim of principal only), ``claim_date`` (the business date by default) not before the
    guarantee took effect and, for a non-financing guarantee (保函), not after its expiry date (ValidationFailed
    ``GUARANTEE_EXPIRED``). The claimant (:func:`claimant_of`: the bank, or the letter's beneficiary) is kept on
    the claim. The bank's share (the project's credit line's risk-share ratio, kept on the claim) is
    taken off: ``payable_amount = claimed_amount - bank_share``. A project has at most one claim awaiting decision or
    payment. Starts the claim's approval instance (``guarantee.compensation``) in the same transaction and keeps its
    id on the claim."""
    require(session, actor, COMPENSATION, "claim")
    day = inputs.day(claim_date, "claim_date")
    text = inputs.text(notes, "notes", 500)
    project = lock_project(session, actor, project_id)
    if project.status != STATUS_EFFECTIVE:
        raise Conflict("Compensation is claimed on an effective guarantee only; project {project_no} is {status}.",
                       field="project_id", project_no=project.project_no, status=project_status(project.status))
    parts = claim_components(session, project, amount=amount, principal=principal, interest=interest,
                             penalty=penalty)
    if project.effective_date is not None and day < project.effective_date:
        raise ValidationFailed("The claim date (claim_date) is before the guarantee took effect on "
                               "{effective_date}.", field="claim_date",
                               effective_date=project.effective_date.isoformat())
    if project.expiry_date is not None and day > project.expiry_date \
            and _category(session, project) == CATEGORY_NON_FINANCING:
        raise ValidationFailed("The letter of guarantee of project {project_no} expired on {expiry_date}: a claim "
                               "dated {claim_date} is not accepted (claims are accepted until the expiry date).",
                               code="GUARANTEE_EXPIRED", field="claim_date", project_no=project.project_no,
                               expiry_date=project.expiry_date.isoformat(), claim_date=day.isoformat())
    pending = session.scalar(select(GuaranteeCompensation.id).where(
        GuaranteeCompensation.project_id == project.id, GuaranteeCompensation.status.in_(CLAIM_OPEN)))
    if pending is not None:
        raise Conflict("This project already has a compensation claim awaiting approval or payment.",
                       field="project_id", compensation_id=str(pending))
    ratio = banks.project_share_ratio(session, project)
    total = parts["total"]
    share = banks.bank_share(total, ratio)
    row = GuaranteeCompensation(project_id=project.id, claimed_amount=total, principal=parts[COMPONENT_PRINCIPAL],
                                interest=parts[COMPONENT_INTEREST], penalty=parts[COMPONENT_PENALTY],
                                bank_share_ratio=ratio, bank_share=share, payable_amount=total - share,
                                claim_date=day, claimant=claimant_of(session, project)[:200], notes=text,
                                status=CLAIM_CLAIMED, claimed_by=actor.id_uuid)
    session.add(row)
    session.flush()
    instance = engine.start(session, actor, definition_key=CLAIM_DEFINITION, subject_type=CLAIM_SUBJECT,
                            subject_id=str(row.id), subject=claim_fields(session, str(row.id)),
                            title=f"代偿 {project.project_no} {inputs.yuan(total)}")
    row.workflow_instance_id = instance.id
    session.flush()
    audit(session, "guarantee.compensation.claimed", entity_type=CLAIM_ENTITY, entity_id=row.id, before=None,
          after=_claim_image(row), actor=actor)
    return row


def pay(session: Session, actor: Actor, compensation_id: uuid.UUID, *, amount: Any = None,
        paid_on: dt.date | None = None) -> GuaranteeCompensationReceivable:
    """Record the payment to the bank on an approved claim: ``amount`` (default: the claim's ``payable_amount``) is
    the company's liability, ``claimed_amount - bank_share``, to the fen; ``paid_on`` (the business date by default)
    not before the claim. The claim's principal must still be in force. The in-force balance drops by the principal,
    the bank's credit line gets it back (at most what the project holds on it), the claim is ``compensated``, a
    receivable of the amount paid is opened (returned); when no principal remains in force the project becomes
    ``compensated``. GuaranteeCompensationPaid is raised (its components included)."""
    require(session, actor, COMPENSATION, "pay")
    day = inputs.day(paid_on, "paid_on")
    row = _lock_claim(session, actor, compensation_id)
    if row.status != CLAIM_APPROVED:
        raise Conflict("Compensation is paid on an approved claim only; this claim is {status} (not approved "
                       "yet)." if row.status == CLAIM_CLAIMED else
                       "Compensation is paid on an approved claim only; this claim is {status}.",
                       field="compensation_id", status=row.status)
    paid = row.payable_amount if amount is None else inputs.money(amount, "amount", positive=True,
                                                                  what=Words(AMOUNT_WORDS["paid"]))
    if paid != row.payable_amount:
        raise ValidationFailed(
            "The compensation paid (amount) is the company's share, {payable_yuan} yuan: the claim is "
            "{claimed_yuan} yuan and the bank bears {bank_share_yuan} yuan at its risk-share ratio of {ratio}; "
            "{paid_yuan} yuan was given.", field="amount",
            payable=str(row.payable_amount), bank_share=str(row.bank_share),
            payable_yuan=inputs.yuan(row.payable_amount), claimed_yuan=inputs.yuan(row.claimed_amount),
            bank_share_yuan=inputs.yuan(row.bank_share), ratio=_percent(row.bank_share_ratio),
            paid_yuan=inputs.yuan(paid))
    if day < row.claim_date:
        raise ValidationFailed("The payment date (paid_on) is before the claim date.", field="paid_on")
    project = lock_by_id(session, GuaranteeProject, row.project_id, "in_force_balance", "guarantee project",
                         "project_id")
    if row.principal > project.in_force_balance:
        raise Conflict("The claimed principal {principal} yuan is more than the in-force balance {balance} yuan "
                       "now (a repayment or release came after the claim); withdraw this claim and claim again.",
                       field="compensation_id", principal=inputs.yuan(row.principal),
                       balance=inputs.yuan(project.in_force_balance))
    before = _claim_image(row)
    project_before = {"in_force_balance": str(project.in_force_balance), "status": project.status}
    project.in_force_balance = project.in_force_balance - row.principal
    if project.in_force_balance == 0 and project.status == STATUS_EFFECTIVE:
        project.status = STATUS_COMPENSATED
    project.updated_at = utcnow()
    to_line = min(row.principal, project.credit_line_held) if project.credit_line_id is not None else ZERO
    if to_line > 0:
        banks.release(session, project, to_line)
    row.status, row.paid_amount, row.paid_on, row.paid_by = CLAIM_COMPENSATED, paid, day, actor.id_uuid
    row.updated_at = utcnow()
    receivable = GuaranteeCompensationReceivable(compensation_id=row.id, project_id=project.id, paid=paid,
                                                 recovered=ZERO, written_off=ZERO, status=RECEIVABLE_OPEN,
                                                 opened_on=day)
    session.add(receivable)
    session.flush()
    audit(session, "guarantee.compensation.paid", entity_type=CLAIM_ENTITY, entity_id=row.id, before=before,
          after={**_claim_image(row), "in_force_balance_before": project_before["in_force_balance"],
                 "in_force_balance": str(project.in_force_balance), "project_status_before": project_before["status"],
                 "project_status": project.status, "receivable_id": str(receivable.id)},
          actor=actor)
    raise_event(session, GuaranteeCompensationPaid(
        project_id=project.id, compensation_id=row.id, receivable_id=receivable.id, bank_id=project.bank_id,
        amount=paid, paid_on=day, in_force_balance=project.in_force_balance, claimed_amount=row.claimed_amount,
        principal=row.principal, interest=row.interest, penalty=row.penalty, bank_share=row.bank_share,
        project_status=project.status))
    return receivable


# ---------------------------------------------------------------- the end of an approval instance -----------------


def _subject_row(session: Session, model, event, what: str):
    """The subject row of an ended instance, row-locked; None when there is none."""
    try:
        row_id = uuid.UUID(str(event.subject_id))
    except ValueError:
        return None
    try:
        return lock_by_id(session, model, row_id, "status", what)
    except NotFound:
        return None


#: Separation of duties (four-eyes rule): the final approval of a claim or of a write-off by the person who
#: recorded the claim / proposed the write-off does not count (admins hold every permission and tasks escalate to
#: them, so the engine alone does not exclude it).
#: The comments are stored in English (the catalogue's msgid); GraphQL shows a claim's in the request's language
#: (:func:`decision_comment_text`).
FOUR_EYES_CLAIM = N_("Four-eyes rule: the claim was approved by the person who recorded it, so it is not approved; "
                     "record the claim again for someone else to approve.")
FOUR_EYES_WRITE_OFF = N_("Four-eyes rule: the write-off was approved by the person who proposed it, so nothing is "
                         "written off; propose it again for someone else to approve.")


def decision_comment_text(comment: str) -> str:
    """A claim's decision comment to show: one of the rule's comments above in the request's language, a person's
    own comment as written."""
    return translate(comment) if comment in (FOUR_EYES_CLAIM, FOUR_EYES_WRITE_OFF) else comment


def claim_ended(session: Session, event) -> None:
    """The approval instance of a claim ended (WorkflowInstanceEnded): approved -> the claim is ``approved``;
    rejected or withdrawn -> ``rejected``. ``decided_by`` / ``decision_comment`` are who took the last decision and
    their comment. Four-eyes rule: approved by the person who recorded the claim (``claimed_by``), the claim is
    ``rejected`` with FOUR_EYES_CLAIM as its decision comment (audit ``guarantee.compensation.decided`` with
    ``result`` rejected, ``workflow_result`` approved and ``reason`` four_eyes). An instance that is not the claim's
    current one, or a claim no longer ``claimed``, is ignored."""
    row = _subject_row(session, GuaranteeCompensation, event, "compensation claim")
    if row is None or row.workflow_instance_id != event.instance_id or row.status != CLAIM_CLAIMED:
        return
    before = _claim_image(row)
    who, comment = last_decision(session, event.instance_id)
    result, reason = event.result, None
    if result == "approved" and who is not None and who == row.claimed_by:
        result, reason, comment = "rejected", "four_eyes", FOUR_EYES_CLAIM
    row.status = CLAIM_APPROVED if result == "approved" else CLAIM_REJECTED
    row.decided_by, row.decided_at, row.decision_comment = who, utcnow(), comment[:500]
    row.updated_at = row.decided_at
    session.flush()
    extra = {} if reason is None else {"workflow_result": event.result, "reason": reason}
    audit(session, "guarantee.compensation.decided", entity_type=CLAIM_ENTITY, entity_id=row.id, before=before,
          after={**_claim_image(row), "result": result, "decided_by": None if who is None else str(who), **extra})


def write_off_ended(session: Session, event) -> None:
    """The approval instance of a loss write-off ended (WorkflowInstanceEnded). Approved: the outstanding remainder
    (as it is now) is written off, the receivable closed on the business date, GuaranteeLossWrittenOff raised.
    Rejected or withdrawn: the proposal is cleared. Four-eyes rule: approved by the person who proposed it
    (``write_off_proposed_by``), nothing is written off and the proposal is cleared as for a rejection (audit
    ``guarantee.loss_write_off.rejected`` with ``reason`` four_eyes and FOUR_EYES_WRITE_OFF as the comment). Ignored
    when the receivable is closed or its pending instance is another one (a newer proposal, or none: a recovery
    cleared it)."""
    rec = _subject_row(session, GuaranteeCompensationReceivable, event, "compensation receivable")
    if rec is None or rec.status != RECEIVABLE_OPEN or rec.write_off_instance_id != event.instance_id:
        return
    before = _receivable_image(rec)
    who, comment = last_decision(session, event.instance_id)
    result, reason = event.result, None
    if result == "approved" and who is not None and who == rec.write_off_proposed_by:
        result, reason, comment = "rejected", "four_eyes", FOUR_EYES_WRITE_OFF
    rec.write_off_instance_id = None
    rec.updated_at = utcnow()
    if result != "approved":
        rec.write_off_reason, rec.write_off_proposed_by, rec.write_off_proposed_at = "", None, None
        session.flush()
        extra = {} if reason is None else {"workflow_result": event.result, "reason": reason,
                                           "approved_by": str(who)}
        audit(session, f"guarantee.loss_write_off.{result}", entity_type=RECEIVABLE_ENTITY, entity_id=rec.id,
              before=before, after={**_receivable_image(rec), "instance_id": str(event.instance_id),
                                    "comment": comment, **extra})
        return
    day = max(engine.business_today(), rec.opened_on)
    amount = rec.outstanding
    rec.written_off = rec.written_off + amount
    rec.status, rec.closed_on, rec.written_off_by, rec.written_off_on = RECEIVABLE_CLOSED, day, who, day
    session.flush()
    audit(session, "guarantee.loss_write_off.approved", entity_type=RECEIVABLE_ENTITY, entity_id=rec.id,
          before=before, after={**_receivable_image(rec), "amount": str(amount), "written_off_on": day.isoformat(),
                                "instance_id": str(event.instance_id),
                                "approved_by": None if who is None else str(who)})
    raise_event(session, GuaranteeLossWrittenOff(project_id=rec.project_id, receivable_id=rec.id, amount=amount,
                                                 written_off_on=day))


# ---------------------------------------------------------------- recovery and write-off ---------------------------


def _peek_receivable(session: Session, actor: Actor, receivable_id: uuid.UUID) -> GuaranteeCompensationReceivable:
    """The receivable (not locked), within the actor's data scope: NotFound otherwise."""
    row = session.scalar(select(GuaranteeCompensationReceivable)
                         .where(GuaranteeCompensationReceivable.id == receivable_id))
    if row is None:
        raise NotFound("No compensation receivable with that id.", field="receivable_id")
    get_project(session, actor, row.project_id)
    return row


def record_recovery(session: Session, actor: Actor, receivable_id: uuid.UUID, *, kind: str, notes: str = "",
                    amount: Any = "0", action_date: dt.date | None = None) -> GuaranteeRecoveryAction:
    """Record a recovery action (negotiation, lawsuit, enforcement, collateral_disposal) on an open receivable, with
    notes and what it recovered (>= 0, at most the outstanding amount). A recovery > 0 reduces the receivable
    (GuaranteeRecovered); recovering all of it closes the receivable, and a write-off pending on it is withdrawn
    (its instance ends ``withdrawn``, the proposal is cleared). An action that recovered nothing needs notes.

    Locks: the pending write-off instance (if any) before the receivable, the order the engine's actions use."""
    require(session, actor, COMPENSATION, "recover")
    if kind not in RECOVERY_KINDS:
        raise ValidationFailed("A recovery action is one of {kinds}.", field="kind", kinds=", ".join(RECOVERY_KINDS))
    text = inputs.text(notes, "notes", 1000)
    recovered = inputs.money(amount if amount is not None else "0", "amount")
    day = inputs.day(action_date, "action_date")
    if recovered == 0 and not text:
        raise ValidationFailed("Describe the action in the notes (it recovered nothing).", field="notes")
    pending = _peek_receivable(session, actor, receivable_id).write_off_instance_id if recovered > 0 else None
    instance = engine.lock_instance(session, pending) if pending is not None else None
    rec = _lock_receivable(session, actor, receivable_id)
    if rec.status != RECEIVABLE_OPEN:
        raise Conflict("This receivable is closed.", field="receivable_id")
    if recovered > rec.outstanding:
        raise ValidationFailed("The recovered amount {amount} yuan is more than the outstanding receivable "
                               "{outstanding} yuan.", field="amount", amount=inputs.yuan(recovered),
                               outstanding=inputs.yuan(rec.outstanding))
    if day < rec.opened_on:
        raise ValidationFailed("The action date is before the compensation was paid.", field="action_date")
    if recovered > 0 and rec.write_off_instance_id != pending:
        raise Conflict("The write-off proposal of this receivable changed meanwhile; try again.",
                       field="receivable_id")
    before = _receivable_image(rec)
    action = GuaranteeRecoveryAction(receivable_id=rec.id, project_id=rec.project_id, kind=kind, action_date=day,
                                     notes=text, amount=recovered, created_by=actor.id_uuid)
    session.add(action)
    withdrawn = None
    if recovered > 0:
        rec.recovered = rec.recovered + recovered
        if rec.outstanding == 0:
            rec.status, rec.closed_on = RECEIVABLE_CLOSED, day
            rec.write_off_reason, rec.write_off_proposed_by, rec.write_off_proposed_at = "", None, None
            withdrawn, rec.write_off_instance_id = rec.write_off_instance_id, None
        rec.updated_at = utcnow()
    session.flush()
    audit(session, "guarantee.recovery.recorded", entity_type=RECEIVABLE_ENTITY, entity_id=rec.id, before=before,
          after={**_receivable_image(rec), "action_id": str(action.id), "kind": kind, "amount": str(recovered),
                 "write_off_withdrawn": None if withdrawn is None else str(withdrawn)},
          actor=actor)
    if withdrawn is not None and instance is not None and instance.status == INSTANCE_RUNNING:
        engine.record(session, instance, "withdraw", actor=actor,
                      comment="追偿已收回全部代偿款: the receivable was fully recovered, nothing is left to write off.")
        engine.finish(session, instance, "withdrawn", today=day)
    if recovered > 0:
        raise_event(session, GuaranteeRecovered(
            project_id=rec.project_id, receivable_id=rec.id, action_id=action.id, kind=kind, amount=recovered,
            recovered_on=day, outstanding=rec.outstanding))
    return action


def propose_write_off(session: Session, actor: Actor, receivable_id: uuid.UUID, *,
                      reason: str) -> GuaranteeCompensationReceivable:
    """Propose writing off the outstanding remainder of an open receivable as a loss (a reason is required): starts
    the approval instance (``guarantee.loss_write_off``) in the same transaction and keeps its id on the receivable.
    One proposal at a time (Conflict while one is pending: its proposer may withdraw the instance first)."""
    require(session, actor, LOSS, "write_off")
    text = inputs.text(reason, "reason", 500, required=True)
    rec = _lock_receivable(session, actor, receivable_id)
    if rec.status != RECEIVABLE_OPEN:
        raise Conflict("This receivable is closed.", field="receivable_id")
    if rec.write_off_instance_id is not None:
        raise Conflict("A write-off of this receivable is already in approval.", field="receivable_id",
                       instance_id=str(rec.write_off_instance_id))
    before = _receivable_image(rec)
    rec.write_off_reason, rec.write_off_proposed_by, rec.write_off_proposed_at = text, actor.id_uuid, utcnow()
    rec.updated_at = utcnow()
    session.flush()
    project_no = session.scalar(select(GuaranteeProject.project_no).where(GuaranteeProject.id == rec.project_id))
    instance = engine.start(session, actor, definition_key=WRITE_OFF_DEFINITION, subject_type=RECEIVABLE_SUBJECT,
                            subject_id=str(rec.id), subject=receivable_fields(session, str(rec.id)),
                            title=f"损失核销 {project_no} {inputs.yuan(rec.outstanding)}")
    rec.write_off_instance_id = instance.id
    session.flush()
    audit(session, "guarantee.loss_write_off.proposed", entity_type=RECEIVABLE_ENTITY, entity_id=rec.id,
          before=before, after=_receivable_image(rec), actor=actor)
    return rec


# ---------------------------------------------------------------- reading ------------------------------------------


def receivable_of(session: Session, receivable_id: uuid.UUID) -> GuaranteeCompensationReceivable:
    """The receivable row (no permission check: for callers that have just acted on it)."""
    return session.scalars(select(GuaranteeCompensationReceivable)
                           .where(GuaranteeCompensationReceivable.id == receivable_id)).one()


@dataclasses.dataclass(frozen=True)
class ReceivableView:
    receivable: GuaranteeCompensationReceivable
    actions: list[GuaranteeRecoveryAction]


@dataclasses.dataclass(frozen=True)
class CompensationView:
    project: GuaranteeProject
    claims: list[GuaranteeCompensation]
    receivables: list[ReceivableView]
    #: What a claim on the project may cover (:func:`covered_components`).
    covered: tuple[str, ...] = ()

    def totals(self) -> dict[str, Decimal]:
        """paid, recovered, written_off and outstanding over the project's receivables (exact)."""
        rows = [v.receivable for v in self.receivables]
        out = {k: sum((getattr(r, k) for r in rows), ZERO) for k in ("paid", "recovered", "written_off")}
        out["outstanding"] = out["paid"] - out["recovered"] - out["written_off"]
        return out


def compensation_of(session: Session, actor: Actor, project_id: uuid.UUID) -> CompensationView:
    """A project's claims (oldest first), receivables and their recovery actions (by date); needs
    guarantee:compensation:read and the project within the data scope."""
    require(session, actor, COMPENSATION, "read")
    project = get_project(session, actor, project_id)
    claims = list(session.scalars(select(GuaranteeCompensation).where(GuaranteeCompensation.project_id == project.id)
                                  .order_by(GuaranteeCompensation.created_at, GuaranteeCompensation.id)))
    recs = list(session.scalars(select(GuaranteeCompensationReceivable)
                                .where(GuaranteeCompensationReceivable.project_id == project.id)
                                .order_by(GuaranteeCompensationReceivable.created_at,
                                          GuaranteeCompensationReceivable.id)))
    actions: dict[uuid.UUID, list[GuaranteeRecoveryAction]] = {}
    for a in session.scalars(select(GuaranteeRecoveryAction).where(GuaranteeRecoveryAction.project_id == project.id)
                             .order_by(GuaranteeRecoveryAction.action_date, GuaranteeRecoveryAction.created_at,
                                       GuaranteeRecoveryAction.id)):
        actions.setdefault(a.receivable_id, []).append(a)
    return CompensationView(project=project, claims=claims,
                            receivables=[ReceivableView(r, actions.get(r.id, [])) for r in recs],
                            covered=covered_components(session, project))


#: Process module (``plugin.PROCESSES``): the default definitions (approval.py) and, per subject type,
#: ``(fields, ended)``.
DEFINITIONS: list[dict] = approval.DEFINITIONS
SUBJECTS: dict = {CLAIM_SUBJECT: (approval.claim_fields, claim_ended),
                  RECEIVABLE_SUBJECT: (approval.receivable_fields, write_off_ended)}
