"""Posting money received on a loan (docs/microloan/repayments.md): the preview of what a payment would settle,
ordinary repayments, early repayment (提前还款) with the schedule rebuilt, and the list of a loan's repayments.
Reversal (冲正) is in ``reversal.py``.

- What is due as of the date received: the unpaid principal, interest and fee of the installments in force due on or
  before it, the penalty and compound interest accrued on them, and the loan's costs (实现债权的费用). A payment is
  split over it by ``allocation.allocate`` in the order of the product version the loan was made under (the statutory
  order where the product is silent), oldest period first; an overpayment is held on the loan (``held_amount``).
- Held money stays held until asked for: a later posting applies it with ``apply_held``; a prepayment always
  applies it. It is never applied silently (the borrower may want it refunded).
- Refused: a loan not active, an amount not above 0 (0 with ``apply_held`` when money is held), a date before the
  disbursement, after today's business date, or before the loan's last posting (postings go in date order: a
  backdated one would move balances the day-end batch has already accrued on).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from surety.core import inputs
from surety.core.audit.log import audit
from surety.core.authz.check import require
from surety.core.context import Actor
from surety.core.errors import Conflict, NotFound, ValidationFailed
from surety.core.events import raise_event
from surety.core.idempotency import idempotent
from surety.plugins.microloan.events import MicroloanRepaid
from surety.plugins.microloan.loan.book import book_schedule, installments, loan_terms
from surety.plugins.microloan.loan.models import MicroloanInstallment, MicroloanLoan
from surety.plugins.microloan.loan.scope import lock_loan, visible_loan
from surety.plugins.microloan.product.services import order_of
from surety.plugins.microloan.repayment.allocation import Allocation, Due, Line, allocate
from surety.plugins.microloan.repayment.models import MicroloanRepayment, MicroloanRepaymentLine
from surety.plugins.microloan.repayment.permissions import REPAYMENT
from surety.plugins.microloan.repayment.reschedule import (
    PREPAY_MODES,
    SHORTEN_METHODS,
    LoanTerms,
    Remaining,
    interest_between,
    reschedule,
)
from surety.plugins.microloan.schedule.builder import Installment, Schedule, Terms
from surety.plugins.microloan.schedule.daycount import days_between

ZERO = Decimal("0.00")
ENTITY = REPAYMENT
POSTED, REVERSED = "posted", "reversed"
#: Kind of a repayment record -> zh-CN label.
KINDS = {"repayment": "还款", "prepayment": "提前还款", "reversal": "冲正"}
#: Status of a repayment record -> zh-CN label.
STATUSES = {POSTED: "已入账", REVERSED: "已冲正"}
#: Component -> (the installment's amount due, its amount paid); ``costs`` are the loan's, on no installment.
INSTALLMENT_COLUMNS = {"principal": ("principal", "paid_principal"), "interest": ("interest", "paid_interest"),
                       "fees": ("fee", "paid_fee"), "penalty": ("penalty", "paid_penalty")}
#: Component -> the loan balance a payment of it lowers (interest and fees are owed on the installments only).
LOAN_BALANCES = {"principal": "principal_balance", "penalty": "penalty_balance", "costs": "costs_balance"}
SPLIT = ("principal", "interest", "fees", "penalty", "costs")


# ---------------------------------------------------------------- what is due ---------------------------------------


def owed(inst: MicroloanInstallment, component: str) -> Decimal:
    due, paid = INSTALLMENT_COLUMNS[component]
    return getattr(inst, due) - getattr(inst, paid)


def is_paid(inst: MicroloanInstallment) -> bool:
    return all(owed(inst, c) <= 0 for c in INSTALLMENT_COLUMNS)


def due_as_of(session: Session, loan: MicroloanLoan, day: dt.date
              ) -> tuple[list[Due], dict[int, MicroloanInstallment]]:
    """What is due on ``loan`` as of ``day`` as allocation items, and the installments in force by period."""
    rows = installments(session, loan)
    items = [Due(None, "costs", loan.costs_balance)] if loan.costs_balance > 0 else []
    for inst in rows:
        if inst.settled_on is None and inst.due_date <= day:
            items.extend(Due(inst.period, c, owed(inst, c)) for c in INSTALLMENT_COLUMNS if owed(inst, c) > 0)
    return items, {r.period: r for r in rows}


def _total(items: Iterable[Due]) -> Decimal:
    return sum((d.amount for d in items), ZERO)


# ---------------------------------------------------------------- checks --------------------------------------------


def _read_loan(session: Session, loan_id: uuid.UUID) -> MicroloanLoan:
    loan = session.scalar(select(MicroloanLoan).where(MicroloanLoan.id == loan_id))
    if loan is None:
        raise NotFound("No loan with that id.", field="loan_id")
    return loan


def _active(loan: MicroloanLoan) -> None:
    if loan.status != "active":
        raise Conflict("Loan {loan_no} is {status}: repayments are posted on active loans only.", field="loan_id",
                       loan_no=loan.loan_no, status=loan.status)


def last_posting(session: Session, loan_id: uuid.UUID, kinds: tuple[str, ...] = ("repayment", "prepayment")
                 ) -> MicroloanRepayment | None:
    """The loan's latest posting of one of ``kinds`` still standing (not reversed), or None."""
    return session.scalar(select(MicroloanRepayment)
                          .where(MicroloanRepayment.loan_id == loan_id, MicroloanRepayment.status == POSTED,
                                 MicroloanRepayment.kind.in_(kinds))
                          .order_by(MicroloanRepayment.received_on.desc(), MicroloanRepayment.created_at.desc(),
                                    MicroloanRepayment.id.desc()).limit(1))


def _date(session: Session, loan: MicroloanLoan, received_on: Any) -> dt.date:
    day = inputs.business_date(received_on, "received_on", what="还款日期", not_before=loan.disbursed_on,
                               since="放款日", horizon_days=0)
    last = last_posting(session, loan.id)
    if last is not None and day < last.received_on:
        raise ValidationFailed("The date received {value} is before the loan's last repayment ({last}): repayments "
                               "are posted in date order, because a backdated one would change balances the "
                               "day-end batch has already accrued interest on.", field="received_on",
                               value=day.isoformat(), last=last.received_on.isoformat())
    return day


def _amount(amount: Any, loan: MicroloanLoan, apply_held: bool) -> tuple[Decimal, Decimal]:
    """(the money received, the held money applied with it)."""
    money = inputs.money(amount, "amount")
    applied = loan.held_amount if apply_held else ZERO
    if money <= 0 and applied <= 0:
        raise ValidationFailed("The amount must be above 0 (0 only to apply money held on the loan).", field="amount")
    return money, applied


# ---------------------------------------------------------------- preview -------------------------------------------


@dataclasses.dataclass(frozen=True)
class Preview:
    """What a payment would settle (nothing stored): ``lines`` by installment and component, the ``split`` by
    component, ``held`` kept as overpayment, what stays ``unpaid`` of what is due and its total ``remaining_due``."""

    loan: MicroloanLoan
    received_on: dt.date
    amount: Decimal
    held_applied: Decimal
    lines: tuple[Line, ...]
    split: dict[str, Decimal]
    held: Decimal
    unpaid: tuple[Due, ...]
    remaining_due: Decimal
    due_dates: dict[int, dt.date]


def _allocate(session: Session, loan: MicroloanLoan, funds: Decimal, day: dt.date
              ) -> tuple[Allocation, dict[int, MicroloanInstallment]]:
    items, rows = due_as_of(session, loan, day)
    return allocate(funds, items, order_of(loan_terms(session, loan))), rows


def preview(session: Session, actor: Actor, loan_id: uuid.UUID, amount: Any, received_on: Any, *,
            apply_held: bool = False) -> Preview:
    """What ``amount`` received on ``received_on`` would settle on the loan (needs microloan:repayment:read); the
    same checks as posting it; nothing is stored."""
    require(session, actor, REPAYMENT, "read")
    loan = visible_loan(session, actor, loan_id)
    _active(loan)
    day = _date(session, loan, received_on)
    money, applied = _amount(amount, loan, apply_held)
    alloc, rows = _allocate(session, loan, money + applied, day)
    return Preview(loan=loan, received_on=day, amount=money, held_applied=applied, lines=alloc.lines,
                   split={c: alloc.by_component()[c] for c in SPLIT}, held=alloc.held, unpaid=alloc.unpaid,
                   remaining_due=_total(alloc.unpaid), due_dates={p: r.due_date for p, r in rows.items()})


# ---------------------------------------------------------------- writing -------------------------------------------


def loan_image(loan: MicroloanLoan) -> dict:
    return {"status": loan.status, "principal_balance": loan.principal_balance,
            "penalty_balance": loan.penalty_balance, "costs_balance": loan.costs_balance,
            "held_amount": loan.held_amount, "schedule_revision": loan.schedule_revision,
            "maturity_date": loan.maturity_date, "settled_on": loan.settled_on}


def split_of(rep: MicroloanRepayment) -> dict[str, Decimal]:
    return {c: getattr(rep, c) for c in (*SPLIT, "held")}


def _pay(session: Session, loan: MicroloanLoan, rep: MicroloanRepayment,
         lines: Iterable[tuple[MicroloanInstallment | None, str, Decimal]], day: dt.date) -> None:
    """Write the lines and apply them: the installments' amounts paid (settled when nothing is left), the loan's
    balances, the repayment's split."""
    touched = []
    for inst, component, amount in lines:
        session.add(MicroloanRepaymentLine(repayment_id=rep.id, installment_id=None if inst is None else inst.id,
                                           revision=None if inst is None else inst.revision,
                                           period=None if inst is None else inst.period, component=component,
                                           amount=amount))
        setattr(rep, component, getattr(rep, component) + amount)
        if component in LOAN_BALANCES:
            setattr(loan, LOAN_BALANCES[component], getattr(loan, LOAN_BALANCES[component]) - amount)
        if inst is not None:
            paid = INSTALLMENT_COLUMNS[component][1]
            setattr(inst, paid, getattr(inst, paid) + amount)
            touched.append(inst)
    for inst in touched:
        if is_paid(inst):
            inst.settled_on = day


def _close(session: Session, actor: Actor, loan: MicroloanLoan, rep: MicroloanRepayment, before: dict,
           day: dt.date, action: str) -> MicroloanRepayment:
    """Settle the loan when nothing is owed any more, then audit and raise MicroloanRepaid."""
    loan.held_amount = loan.held_amount + rep.held
    if loan.principal_balance == 0 and loan.penalty_balance <= 0 and loan.costs_balance <= 0 and \
            all(r.settled_on is not None for r in installments(session, loan)):
        loan.status, loan.settled_on, rep.settled_loan = "settled", day, True
    session.flush()
    audit(session, action, entity_type=ENTITY, entity_id=rep.id, before=before,
          after={**loan_image(loan), "loan_id": str(loan.id), "received_on": day, "amount": rep.amount,
                 "held_applied": rep.held_applied, **split_of(rep), "prepay_mode": rep.prepay_mode}, actor=actor)
    raise_event(session, MicroloanRepaid(loan_id=loan.id, loan_no=loan.loan_no, customer_id=loan.customer_id,
                                         repayment_id=rep.id, received_on=day, amount=rep.amount, **split_of(rep)))
    return rep


def _text(channel: Any, reference: Any) -> tuple[str, str]:
    return inputs.text(channel, "channel", 20), inputs.text(reference, "reference", 100)


def post(session: Session, actor: Actor, loan_id: uuid.UUID, amount: Any, received_on: Any, *,
         key: str | None = None, prepay: str | None = None, apply_held: bool = False, channel: str = "",
         reference: str = "") -> MicroloanRepayment:
    """Post ``amount`` received on ``received_on`` (needs microloan:repayment:post): split over what is due (see the
    module), the overpayment held; ``apply_held`` adds the money held before. ``prepay`` (a mode): an early
    repayment instead (:func:`prepay`). Idempotent with ``key`` (core.idempotency)."""
    if prepay is not None:
        return _early(session, actor, loan_id, amount, received_on, prepay, key=key, channel=channel,
                      reference=reference)
    require(session, actor, REPAYMENT, "post")
    params = {"loan_id": loan_id, "amount": amount, "received_on": received_on, "apply_held": apply_held,
              "channel": channel, "reference": reference}
    return idempotent(session, actor, scope="microloan.repayment.post", key=key, params=params,
                      perform=lambda: _post(session, actor, loan_id, amount, received_on, key, apply_held, channel,
                                            reference))


def _post(session: Session, actor: Actor, loan_id: uuid.UUID, amount: Any, received_on: Any, key: str | None,
          apply_held: bool, channel: Any, reference: Any) -> MicroloanRepayment:
    channel, reference = _text(channel, reference)
    loan = lock_loan(session, actor, loan_id)
    _active(loan)
    day = _date(session, loan, received_on)
    money, applied = _amount(amount, loan, apply_held)
    alloc, rows = _allocate(session, loan, money + applied, day)
    before = loan_image(loan)
    rep = MicroloanRepayment(loan_id=loan.id, kind="repayment", received_on=day, amount=money, held_applied=applied,
                             channel=channel, reference=reference, client_key=key, status=POSTED,
                             created_by=actor.id_uuid)
    session.add(rep)
    session.flush()
    _pay(session, loan, rep, [(None if ln.period is None else rows[ln.period], ln.component, ln.amount)
                              for ln in alloc.lines], day)
    rep.held = alloc.held - applied
    return _close(session, actor, loan, rep, before, day, "microloan.repayment.posted")


# ---------------------------------------------------------------- early repayment -----------------------------------


def prepay(session: Session, actor: Actor, loan_id: uuid.UUID, amount: Any, received_on: Any, mode: str, *,
           key: str | None = None, channel: str = "", reference: str = "") -> MicroloanRepayment:
    """An early repayment (提前还款, needs microloan:repayment:post) of ``amount`` plus the money held on the loan:
    first everything due as of ``received_on`` and the interest of the current period up to it (the outstanding
    principal x the contract rate x the days since the period began, or since the last prepayment in it, by the
    product's day count), then the rest reduces the principal; the schedule from the current period on is rebuilt
    (``mode``: ``shorten_term`` or ``lower_installment``, reschedule.py) and booked as the next revision. Paying all
    the principal settles the loan (anything beyond is held). Idempotent with ``key``."""
    return _early(session, actor, loan_id, amount, received_on, mode, key=key, channel=channel, reference=reference)


def _early(session: Session, actor: Actor, loan_id: uuid.UUID, amount: Any, received_on: Any, mode: str, *,
           key: str | None, channel: str, reference: str) -> MicroloanRepayment:
    require(session, actor, REPAYMENT, "post")
    if mode not in PREPAY_MODES:
        raise ValidationFailed("The prepayment mode is one of {choices}, not {value}.", field="mode",
                               choices=", ".join(PREPAY_MODES), value=str(mode)[:40])
    params = {"loan_id": loan_id, "amount": amount, "received_on": received_on, "mode": mode, "channel": channel,
              "reference": reference}
    return idempotent(session, actor, scope="microloan.repayment.prepay", key=key, params=params,
                      perform=lambda: _prepay(session, actor, loan_id, amount, received_on, mode, key, channel,
                                              reference))


def period_start(session: Session, loan: MicroloanLoan, period: int) -> dt.date:
    """The day ``period`` began: the previous period's due date (in the latest revision holding it), or the
    disbursement date for the first."""
    previous = session.scalar(select(MicroloanInstallment.due_date)
                              .where(MicroloanInstallment.loan_id == loan.id, MicroloanInstallment.period == period - 1,
                                     MicroloanInstallment.revision <= loan.schedule_revision)
                              .order_by(MicroloanInstallment.revision.desc()).limit(1))
    return previous if previous is not None else loan.disbursed_on


def _prepay(session: Session, actor: Actor, loan_id: uuid.UUID, amount: Any, received_on: Any, mode: str,
            key: str | None, channel: Any, reference: Any) -> MicroloanRepayment:
    channel, reference = _text(channel, reference)
    loan = lock_loan(session, actor, loan_id)
    _active(loan)
    day = _date(session, loan, received_on)
    money = inputs.money(amount, "amount", positive=True)
    version = loan_terms(session, loan)
    terms = LoanTerms(version.annual_rate, version.repayment_method, version.day_count, version.rounding)
    if mode == "shorten_term" and terms.method not in SHORTEN_METHODS:
        raise ValidationFailed("A loan repaid by {method} keeps no level installment: prepay it with "
                               "lower_installment.", field="mode", method=terms.method)
    items, rows = due_as_of(session, loan, day)
    current = next((r for r in rows.values() if r.due_date > day), None)
    if current is None:
        raise Conflict("Everything on loan {loan_no} is due by {date}: post an ordinary repayment.",
                       field="received_on", loan_no=loan.loan_no, date=day.isoformat())
    later = [r for r in rows.values() if r.period >= current.period]
    outstanding = sum((owed(r, "principal") for r in later), ZERO)
    begun = period_start(session, loan, current.period)
    last = last_posting(session, loan.id, ("prepayment",))
    accrual_from = begun if last is None else max(begun, last.received_on)
    broken = interest_between(outstanding, terms, accrual_from, day)
    due_total = _total(items)
    funds = money + loan.held_amount
    if funds < due_total + broken:
        raise ValidationFailed("A prepayment first pays what is due ({due} yuan) and the interest of the current "
                               "period to {date} ({interest} yuan): it needs at least {needed} yuan with the money "
                               "held on the loan.", field="amount", due=inputs.yuan(due_total),
                               date=day.isoformat(), interest=inputs.yuan(broken),
                               needed=inputs.yuan(due_total + broken))
    principal = min(funds - due_total - broken, outstanding)
    before = loan_image(loan)
    rep = MicroloanRepayment(loan_id=loan.id, kind="prepayment", prepay_mode=mode, received_on=day, amount=money,
                             held_applied=loan.held_amount, revision_before=loan.schedule_revision,
                             channel=channel, reference=reference, client_key=key, status=POSTED,
                             created_by=actor.id_uuid)
    session.add(rep)
    session.flush()
    alloc = allocate(due_total, items, order_of(version))
    _pay(session, loan, rep, [(None if ln.period is None else rows[ln.period], ln.component, ln.amount)
                              for ln in alloc.lines], day)
    left = outstanding - principal
    if left > 0:
        schedule = reschedule(terms, left, day, begun, [Remaining(r.period, r.due_date, owed(r, "principal"),
                                                                  owed(r, "fees")) for r in later], mode)
    else:  # paid off: the current period ends today
        schedule = Schedule(Terms(outstanding, terms.annual_rate, 1, terms.method, accrual_from, terms.day_count,
                                  terms.rounding),
                            (Installment(1, day, days_between(accrual_from, day, terms.day_count), outstanding, ZERO,
                                         ZERO, ZERO, ZERO, ZERO),))
    booked = book_schedule(session, loan, schedule, revision=loan.schedule_revision + 1, first_period=current.period)
    first = booked[0]  # carries what was paid of the current period before, and gets this prepayment's part
    for component in ("principal", "interest", "fees"):
        due_col, paid_col = INSTALLMENT_COLUMNS[component]
        setattr(first, due_col, getattr(first, due_col) + getattr(current, paid_col))
        setattr(first, paid_col, getattr(current, paid_col))
    first.interest += broken
    first.principal += principal
    _pay(session, loan, rep, [(first, c, a) for c, a in (("interest", broken), ("principal", principal)) if a > 0],
         day)
    if is_paid(first):
        first.settled_on = day
    rep.revision_after = loan.schedule_revision
    rep.held = funds - due_total - broken - principal - rep.held_applied
    return _close(session, actor, loan, rep, before, day, "microloan.repayment.prepaid")


# ---------------------------------------------------------------- reading -------------------------------------------


def repayments(session: Session, actor: Actor, loan_id: uuid.UUID) -> list[MicroloanRepayment]:
    """The loan's repayments, prepayments and reversals, oldest first (needs microloan:repayment:read; the loan in
    the actor's data scope, NotFound otherwise)."""
    require(session, actor, REPAYMENT, "read")
    visible_loan(session, actor, loan_id)
    return list(session.scalars(select(MicroloanRepayment).where(MicroloanRepayment.loan_id == loan_id)
                                .order_by(MicroloanRepayment.received_on, MicroloanRepayment.created_at,
                                          MicroloanRepayment.id)))


def lines_of(session: Session, repayment_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, list[MicroloanRepaymentLine]]:
    """Repayment id -> its lines (costs first, then by period), for many repayments in one query."""
    wanted = list(repayment_ids)
    out: dict[uuid.UUID, list[MicroloanRepaymentLine]] = {r: [] for r in wanted}
    if wanted:
        for line in session.scalars(select(MicroloanRepaymentLine)
                                    .where(MicroloanRepaymentLine.repayment_id.in_(wanted))):
            out[line.repayment_id].append(line)
    for found in out.values():
        found.sort(key=lambda ln: (-1 if ln.period is None else ln.period, ln.component))
    return out
