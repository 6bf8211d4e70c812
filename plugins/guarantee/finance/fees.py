"""A project's fees: the fee plan (guarantee fee by yearly rate or fixed, charged once, monthly, quarterly or yearly;
review fee; margin deposit), the schedule it generates, and receipts and refunds against the schedule's items, each
raising its domain event (amounts in Decimal) and audited.

Amounts are rounded half-up to the fen. The rate is yearly: the whole guarantee fee is ``amount x rate x
term_months / 12``. Instalments cover the months of their period (the last one may be shorter) and carry their
share of the whole; the rounding remainder goes to the last instalment, so the items sum exactly to the total.
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from surety.core import inputs
from surety.core.audit.log import audit
from surety.core.authz.check import require
from surety.core.context import Actor
from surety.core.db.locking import lock_by_id
from surety.core.db.types import to_money, utcnow
from surety.core.errors import Conflict, ValidationFailed
from surety.core.events import raise_event
from surety.core.workflow.engine import business_today
from surety.plugins.guarantee.finance.events import GuaranteeFeeReceived, GuaranteeFeeRefunded
from surety.plugins.guarantee.finance.models import (
    BY_FIXED,
    BY_RATE,
    FEE_GUARANTEE,
    FEE_MARGIN,
    FEE_REVIEW,
    FEE_TYPES,
    FREQUENCY_MONTHS,
    METHODS,
    GuaranteeFeeItem,
    GuaranteeFeePlan,
    GuaranteeFeeReceipt,
    GuaranteeFeeRefund,
)
from surety.plugins.guarantee.permissions import FEE
from surety.plugins.guarantee.project.models import (
    STATUS_APPROVED,
    STATUS_CONTRACTED,
    STATUS_EFFECTIVE,
    GuaranteeProject,
)
from surety.plugins.guarantee.project.projects import get_project
from surety.plugins.guarantee.project.words import project_status

PLAN_ENTITY = "guarantee:fee_plan"
ITEM_ENTITY = "guarantee:fee_item"
#: A fee plan is set for an approved project or later.
PLAN_STATUSES = (STATUS_APPROVED, STATUS_CONTRACTED, STATUS_EFFECTIVE)


# ---------------------------------------------------------------- the schedule (pure) ------------------------------


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus ``months`` calendar months; the day of month is clamped to the month's end (31 Jan + 1 = 28/29
    Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


@dataclasses.dataclass(frozen=True)
class Instalment:
    seq: int
    due_date: dt.date
    period_start: dt.date
    period_end: dt.date
    amount: Decimal


def guarantee_fee_total(amount: Decimal, rate: Decimal, term_months: int) -> Decimal:
    """The whole guarantee fee at a yearly ``rate``: amount x rate x term_months / 12, half-up to the fen."""
    return to_money(amount * rate * term_months / 12)


def schedule(total: Decimal, term_months: int, frequency: str, start: dt.date) -> list[Instalment]:
    """The guarantee-fee instalments of ``total`` over ``term_months`` from ``start``: each due at the start of its
    period (charged in advance), its amount the total's share of the months it covers, half-up to the fen; the last
    takes the rounding remainder so the instalments sum exactly to ``total``."""
    if frequency not in FREQUENCY_MONTHS:
        raise ValidationFailed("A frequency is one of {frequency_months}.", field="frequency",
                               frequency_months=", ".join(FREQUENCY_MONTHS))
    if term_months < 1:
        raise ValidationFailed("The term is at least one month.", field="term_months")
    step = FREQUENCY_MONTHS[frequency] or term_months
    bounds = list(range(0, term_months, step)) + [term_months]
    out: list[Instalment] = []
    for n, (first, last) in enumerate(zip(bounds, bounds[1:]), start=1):
        share = to_money(total * (last - first) / term_months)
        if n == len(bounds) - 1:
            share = total - sum((i.amount for i in out), Decimal("0.00"))
            if share < 0:
                raise ValidationFailed("A guarantee fee of {total_yuan} yuan is too small to split into "
                                       "{n} instalments; charge it once.", field="frequency",
                                       total_yuan=inputs.yuan(total), n=n)
        out.append(Instalment(seq=n, due_date=add_months(start, first), period_start=add_months(start, first),
                              period_end=add_months(start, last) - dt.timedelta(days=1), amount=share))
    return out


# ---------------------------------------------------------------- the plan -----------------------------------------


def plan_of(session: Session, project_id: uuid.UUID) -> GuaranteeFeePlan | None:
    return session.scalar(select(GuaranteeFeePlan).where(GuaranteeFeePlan.project_id == project_id))


def _plan_image(p: GuaranteeFeePlan) -> dict:
    return {"project_id": str(p.project_id), "guarantee_fee_method": p.guarantee_fee_method,
            "guarantee_fee_rate": None if p.guarantee_fee_rate is None else str(p.guarantee_fee_rate),
            "guarantee_fee_total": str(p.guarantee_fee_total), "frequency": p.frequency,
            "review_fee": str(p.review_fee), "margin_method": p.margin_method,
            "margin_rate": None if p.margin_rate is None else str(p.margin_rate),
            "margin_amount": str(p.margin_amount), "base_amount": str(p.base_amount),
            "term_months": p.term_months, "start_date": p.start_date.isoformat()}


def _method(method: str, rate: Any, fixed: Any, what: str, *, required: bool) -> tuple:
    """(rate, None) or (None, fixed amount) of a fee set by ``method``: a rate in (0, 1] or a fixed amount (> 0 when
    ``required``, else >= 0 and 0 when not given)."""
    if method not in METHODS:
        raise ValidationFailed("The {what} is set by one of {methods}.", field=f"{what}_method", what=what,
                               methods=", ".join(METHODS))
    other = f"{what}_amount" if method == BY_RATE else f"{what}_rate"
    if (fixed if method == BY_RATE else rate) is not None:
        raise ValidationFailed("Give either a rate or a fixed {item}, not both.", field=other,
                               item=what.replace("_", " "))
    if method == BY_RATE:
        return inputs.rate(rate, f"{what}_rate", low_open=True), None
    if fixed is None and required:
        raise ValidationFailed("Give the fixed {item} amount.", field=f"{what}_amount", item=what.replace("_", " "))
    return None, inputs.money(fixed if fixed is not None else "0", f"{what}_amount", positive=required)


@dataclasses.dataclass(frozen=True)
class Proposal:
    """The guarantee fee proposed with the application and approved with it (拟收担保费): the yearly ``rate`` (None
    when only an amount was proposed) and the whole fee ``total`` it stands for over the project's term (the proposed
    amount when one was given, else amount x rate x term_months / 12)."""

    rate: Decimal | None
    total: Decimal


def proposal_of(project: GuaranteeProject) -> Proposal | None:
    """The project's approved fee proposal; None when the application proposed no fee."""
    if project.proposed_fee_rate is None and project.proposed_fee is None:
        return None
    total = project.proposed_fee if project.proposed_fee is not None else guarantee_fee_total(
        project.amount, project.proposed_fee_rate, project.term_months)
    return Proposal(rate=project.proposed_fee_rate, total=total)


def deviates(proposal: Proposal | None, fee_rate: Decimal | None, fee_total: Decimal) -> bool:
    """Whether a plan's guarantee fee differs from the approved proposal: the rates when both are rates, else the
    whole fee over the term. No proposal: nothing to differ from."""
    if proposal is None:
        return False
    if fee_rate is not None and proposal.rate is not None:
        return fee_rate != proposal.rate
    return fee_total != proposal.total


def plan_deviation(session: Session, plan: GuaranteeFeePlan) -> tuple[Proposal | None, bool]:
    """The approved proposal of a plan's project and whether the plan differs from it (for readers of the plan)."""
    project = session.scalar(select(GuaranteeProject).where(GuaranteeProject.id == plan.project_id))
    proposal = proposal_of(project) if project is not None else None
    return proposal, deviates(proposal, plan.guarantee_fee_rate, plan.guarantee_fee_total)


def _from_proposal(project: GuaranteeProject, method: str | None, rate: Any, fixed: Any) -> tuple[str, Any, Any]:
    """The method, rate and fixed amount of the guarantee fee, the approved proposal filling what is not given: no
    method -> ``rate`` when a rate was proposed, else ``fixed`` when an amount was; ``rate`` without a rate -> the
    proposed rate; ``fixed`` without an amount -> the proposed amount."""
    if method is None:
        if project.proposed_fee_rate is not None:
            method = BY_RATE
        elif project.proposed_fee is not None:
            method = BY_FIXED
        else:
            raise ValidationFailed("Give the guarantee fee method (rate or fixed): project {project_no} was approved "
                                   "without a proposed fee.", field="guarantee_fee_method",
                                   project_no=project.project_no)
    if method == BY_RATE and rate is None and fixed is None:
        rate = project.proposed_fee_rate
    if method == BY_FIXED and fixed is None and rate is None:
        fixed = project.proposed_fee
    return method, rate, fixed


def set_plan(session: Session, actor: Actor, project_id: uuid.UUID, *, guarantee_fee_method: str | None = None,
             guarantee_fee_rate: Any = None, guarantee_fee_amount: Any = None, frequency: str = "once",
             review_fee: Any = "0", margin_method: str = BY_FIXED, margin_rate: Any = None,
             margin_amount: Any = None, start_date: dt.date | None = None) -> GuaranteeFeePlan:
    """Set (or replace) an approved project's fee plan and generate its schedule.

    The guarantee fee: ``guarantee_fee_method`` ``rate`` (yearly ``guarantee_fee_rate`` in (0, 1] of the project
    amount over its term) or ``fixed`` (``guarantee_fee_amount`` > 0), charged ``frequency`` (once, monthly,
    quarterly, yearly) from ``start_date`` (the business date by default). What is not given comes from the fee
    proposed with the application and approved with it (:func:`_from_proposal`). A plan whose guarantee fee differs
    from that proposal is recorded as such: the audit record carries the approved figures and
    ``deviates_from_approval`` (:func:`plan_deviation` answers it later). Review fee: a fixed amount >= 0. Margin:
    ``margin_method`` ``rate`` (of the project amount) or ``fixed`` (>= 0). Zero fees get no schedule item.
    A plan with receipts cannot change (Conflict)."""
    require(session, actor, FEE, "manage")
    project = get_project(session, actor, project_id)
    if project.status not in PLAN_STATUSES:
        raise Conflict("Fees are set once the project is approved; it is {status}.", field="project_id",
                       status=project_status(project.status))
    if frequency not in FREQUENCY_MONTHS:
        raise ValidationFailed("A frequency is one of {frequency_months}.", field="frequency",
                               frequency_months=", ".join(FREQUENCY_MONTHS))
    guarantee_fee_method, guarantee_fee_rate, guarantee_fee_amount = _from_proposal(
        project, guarantee_fee_method, guarantee_fee_rate, guarantee_fee_amount)
    fee_rate, fee_total = _method(guarantee_fee_method, guarantee_fee_rate, guarantee_fee_amount, "guarantee_fee",
                                  required=True)
    if fee_rate is not None:
        fee_total = guarantee_fee_total(project.amount, fee_rate, project.term_months)
    proposal = proposal_of(project)
    review = inputs.money(review_fee if review_fee is not None else "0", "review_fee")
    m_rate, margin = _method(margin_method, margin_rate, margin_amount, "margin", required=False)
    if m_rate is not None:
        margin = to_money(project.amount * m_rate)
    start = start_date or business_today()
    instalments = schedule(fee_total, project.term_months, frequency, start)

    plan = plan_of(session, project.id)
    before = _plan_image(plan) if plan else None
    if plan is not None:
        if session.scalar(select(GuaranteeFeeReceipt.id).where(GuaranteeFeeReceipt.project_id == project.id)):
            raise Conflict("Fees have already been received on this plan: it can no longer change (record a "
                           "refund instead).", field="project_id")
        session.execute(delete(GuaranteeFeeItem).where(GuaranteeFeeItem.plan_id == plan.id))
    else:
        plan = GuaranteeFeePlan(project_id=project.id, created_by=actor.id_uuid)
        session.add(plan)
    plan.guarantee_fee_method, plan.guarantee_fee_rate, plan.guarantee_fee_total = \
        guarantee_fee_method, fee_rate, fee_total
    plan.frequency, plan.review_fee = frequency, review
    plan.margin_method, plan.margin_rate, plan.margin_amount = margin_method, m_rate, margin
    plan.base_amount, plan.term_months, plan.start_date = project.amount, project.term_months, start
    plan.updated_at = utcnow()
    session.flush()
    items = [GuaranteeFeeItem(plan_id=plan.id, project_id=project.id, fee_type=FEE_GUARANTEE, seq=i.seq,
                              due_date=i.due_date, period_start=i.period_start, period_end=i.period_end,
                              amount=i.amount) for i in instalments]
    for fee_type, amount in ((FEE_REVIEW, review), (FEE_MARGIN, margin)):
        if amount > 0:
            items.append(GuaranteeFeeItem(plan_id=plan.id, project_id=project.id, fee_type=fee_type, seq=1,
                                          due_date=start, amount=amount))
    session.add_all(items)
    session.flush()
    approved = {"approved_fee_rate": None if proposal is None or proposal.rate is None else str(proposal.rate),
                "approved_fee": None if proposal is None else str(proposal.total),
                "deviates_from_approval": deviates(proposal, fee_rate, fee_total)}
    audit(session, "guarantee.fee_plan.set", entity_type=PLAN_ENTITY, entity_id=plan.id, before=before,
          after={**_plan_image(plan), "items": len(items), **approved}, actor=actor)
    return plan


# ---------------------------------------------------------------- receipts and refunds -----------------------------


def _lock_item(session: Session, item_id: uuid.UUID) -> GuaranteeFeeItem:
    return lock_by_id(session, GuaranteeFeeItem, item_id, "received", "fee schedule item", "item_id")


def _item_image(item: GuaranteeFeeItem) -> dict:
    return {"project_id": str(item.project_id), "fee_type": item.fee_type, "seq": item.seq,
            "amount": str(item.amount), "received": str(item.received), "refunded": str(item.refunded)}


def receive(session: Session, actor: Actor, item_id: uuid.UUID, amount: Any, *, received_on: dt.date | None = None,
            reference: str = "") -> GuaranteeFeeReceipt:
    """Record money received against a schedule item: more than 0 and at most what is outstanding on it (partial
    receipts allowed). Raises GuaranteeFeeReceived."""
    require(session, actor, FEE, "collect")
    amount = inputs.money(amount, "amount", positive=True)
    day = inputs.day(received_on, "received_on")
    reference = " ".join((reference or "").split())
    if len(reference) > 100:
        raise ValidationFailed("A reference is at most 100 characters.", field="reference")
    item = _lock_item(session, item_id)
    outstanding = item.amount - item.received
    if amount > outstanding:
        raise ValidationFailed("Only {outstanding_yuan} yuan is outstanding on this {fee_type} item "
                               "(due {amount_yuan}, received {received_yuan}); {paying_yuan} is too "
                               "much.", field="amount", outstanding_yuan=inputs.yuan(outstanding),
                               fee_type=item.fee_type, amount_yuan=inputs.yuan(item.amount),
                               received_yuan=inputs.yuan(item.received), paying_yuan=inputs.yuan(amount))
    before = _item_image(item)
    item.received = item.received + amount
    receipt = GuaranteeFeeReceipt(project_id=item.project_id, item_id=item.id, fee_type=item.fee_type, amount=amount,
                                  received_on=day, reference=reference, created_by=actor.id_uuid)
    session.add(receipt)
    session.flush()
    audit(session, "guarantee.fee.received", entity_type=ITEM_ENTITY, entity_id=item.id, before=before,
          after={**_item_image(item), "receipt_id": str(receipt.id), "received_on": day.isoformat()}, actor=actor)
    raise_event(session, GuaranteeFeeReceived(project_id=item.project_id, receipt_id=receipt.id,
                                              fee_type=item.fee_type, amount=amount, received_on=day))
    return receipt


def refund(session: Session, actor: Actor, item_id: uuid.UUID, amount: Any, *, reason: str,
           refunded_on: dt.date | None = None) -> GuaranteeFeeRefund:
    """Record money paid back against a schedule item (the margin on release, a fee on early release): more than 0
    and at most what was received and not yet refunded on it; the reason is required. Raises
    GuaranteeFeeRefunded."""
    require(session, actor, FEE, "collect")
    return record_refund(session, item_id, amount, reason=reason, refunded_on=refunded_on, by=actor)


def record_refund(session: Session, item_id: uuid.UUID, amount: Any, *, reason: str,
                  refunded_on: dt.date | None = None, by: Actor | None = None,
                  created_by: uuid.UUID | None = None) -> GuaranteeFeeRefund:
    """:func:`refund` without the permission check, for a caller whose own authority covers the refund (the margin
    refunded when an approved release request is executed: the approval is the authority). ``by`` is the audit's
    actor (default: the current context's), ``created_by`` the refund row's (default: ``by``'s user id)."""
    amount = inputs.money(amount, "amount", positive=True)
    day = inputs.day(refunded_on, "refunded_on")
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationFailed("Say why the money is refunded.", field="reason")
    if len(reason) > 500:
        raise ValidationFailed("A reason is at most 500 characters.", field="reason")
    item = _lock_item(session, item_id)
    refundable = item.received - item.refunded
    if amount > refundable:
        raise ValidationFailed("Only {refundable_yuan} yuan can be refunded on this {fee_type} item "
                               "(received {received_yuan}, refunded {refunded_yuan}); {refund_yuan} "
                               "is too much.", field="amount", refundable_yuan=inputs.yuan(refundable),
                               fee_type=item.fee_type, received_yuan=inputs.yuan(item.received),
                               refunded_yuan=inputs.yuan(item.refunded), refund_yuan=inputs.yuan(amount))
    before = _item_image(item)
    item.refunded = item.refunded + amount
    if created_by is None and by is not None:
        created_by = by.id_uuid
    row = GuaranteeFeeRefund(project_id=item.project_id, item_id=item.id, fee_type=item.fee_type, amount=amount,
                             refunded_on=day, reason=reason, created_by=created_by)
    session.add(row)
    session.flush()
    audit(session, "guarantee.fee.refunded", entity_type=ITEM_ENTITY, entity_id=item.id, before=before,
          after={**_item_image(item), "refund_id": str(row.id), "refunded_on": day.isoformat()}, actor=by)
    raise_event(session, GuaranteeFeeRefunded(project_id=item.project_id, refund_id=row.id, fee_type=item.fee_type,
                                              amount=amount, refunded_on=day))
    return row


# ---------------------------------------------------------------- reading --------------------------------------------


@dataclasses.dataclass(frozen=True)
class FeeTotals:
    due: Decimal
    received: Decimal
    refunded: Decimal

    @property
    def outstanding(self) -> Decimal:
        return self.due - self.received


@dataclasses.dataclass(frozen=True)
class FeePlanView:
    plan: GuaranteeFeePlan
    items: list[GuaranteeFeeItem]
    receipts: list[GuaranteeFeeReceipt]
    refunds: list[GuaranteeFeeRefund]

    def totals(self, fee_type: str | None = None) -> FeeTotals:
        """Due, received, refunded (and outstanding) over the items, or those of one fee type."""
        items = [i for i in self.items if fee_type is None or i.fee_type == fee_type]
        zero = Decimal("0.00")
        return FeeTotals(due=sum((i.amount for i in items), zero), received=sum((i.received for i in items), zero),
                         refunded=sum((i.refunded for i in items), zero))


def fee_plan(session: Session, actor: Actor, project_id: uuid.UUID) -> FeePlanView | None:
    """A project's plan with its schedule (by due date), receipts and refunds; None when no plan is set."""
    require(session, actor, FEE, "read")
    get_project(session, actor, project_id)  # permission and data scope of the project
    plan = plan_of(session, project_id)
    if plan is None:
        return None
    order = {t: n for n, t in enumerate(FEE_TYPES)}
    items = sorted(session.scalars(select(GuaranteeFeeItem).where(GuaranteeFeeItem.plan_id == plan.id)),
                   key=lambda i: (i.due_date, order[i.fee_type], i.seq))
    receipts = list(session.scalars(select(GuaranteeFeeReceipt).where(GuaranteeFeeReceipt.project_id == project_id)
                                    .order_by(GuaranteeFeeReceipt.received_on, GuaranteeFeeReceipt.created_at)))
    refunds = list(session.scalars(select(GuaranteeFeeRefund).where(GuaranteeFeeRefund.project_id == project_id)
                                   .order_by(GuaranteeFeeRefund.refunded_on, GuaranteeFeeRefund.created_at)))
    return FeePlanView(plan=plan, items=items, receipts=receipts, refunds=refunds)
