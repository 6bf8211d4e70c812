"""This plugin's answer to the regulatory plugin's ``regulatory_credit_events`` hook (core/ports/regulatory.py
``CreditEvent``; docs/regulatory/credit.md): the guarantee-account events of a period for the credit-reporting file
(二代征信), rebuilt from the ledger entries (台账) and the approved classification changes.

For every project with a ledger entry or an approved classification change in the period, its entries up to the
period's end are walked in business-date order (then as entered) to keep the balances after each one:

* ``loan`` (the guarantee took effect) -> ``opened`` with the loan (or the letter's sum) as amount and balance;
* ``repayment`` and a partial ``release`` -> ``balance_changed`` (the balance less the amount);
* a full ``release`` -> ``closed`` (balance 0);
* ``compensation`` -> ``balance_changed`` by the claim's principal (``closed`` when nothing is left), then
  ``collection_opened``: account ``<project number>-ZC`` whose balance is what the company paid (a later
  compensation of the same project adds to it: ``collection_changed``);
* ``recovery`` and ``write_off`` -> ``collection_changed`` (the collection balance less the amount);
* an approved classification change (the Beijing date of its decision) -> ``class_changed`` with the guarantee
  balance of that day and the new class.

Only the events dated in the period are returned; earlier entries only set the balances. A backdated entry shows in
the file of a later period's call for its own date range (the file of a past period is rebuilt when asked again).
The account number is the project number (its id before one is given); business type as regulatory_figures.py."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from surety.core.ports.regulatory import CreditEvent
from surety.core.workflow.engine import CHINA
from surety.plugins.guarantee.ledger.models import (
    KIND_COMPENSATION,
    KIND_LOAN,
    KIND_RECOVERY,
    KIND_RELEASE,
    KIND_REPAYMENT,
    KIND_WRITE_OFF,
    GuaranteeLedgerEntry,
)
from surety.plugins.guarantee.ledger.regulatory_figures import business_type
from surety.plugins.guarantee.project.models import RISK_NORMAL, GuaranteeProduct, GuaranteeProject
from surety.plugins.guarantee.release.models import RELEASE_FULL
from surety.plugins.guarantee.warnings.models import CHANGE_APPROVED, GuaranteeClassificationChange

ZERO = Decimal("0.00")
KINDS = (KIND_LOAN, KIND_REPAYMENT, KIND_RELEASE, KIND_COMPENSATION, KIND_RECOVERY, KIND_WRITE_OFF)
COLLECTION_SUFFIX = "-ZC"


def _day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(CHINA).date()


def credit_events(session: Session, period_start: dt.date, period_end: dt.date) -> list[CreditEvent]:
    """The account events dated ``period_start`` .. ``period_end`` (module docstring), by date then account."""
    e, c = GuaranteeLedgerEntry, GuaranteeClassificationChange
    # a change decided on a Beijing date: its UTC moment lies within a day either side of the date's UTC bounds
    low = dt.datetime.combine(period_start, dt.time(), CHINA)
    high = dt.datetime.combine(period_end + dt.timedelta(days=1), dt.time(), CHINA)
    touched = select(e.project_id).where(e.kind.in_(KINDS), e.entry_date >= period_start,
                                         e.entry_date <= period_end)
    changed = select(c.project_id).where(c.status == CHANGE_APPROVED, c.decided_at >= low, c.decided_at < high)
    projects = session.execute(
        select(GuaranteeProject.id, GuaranteeProject.project_no, GuaranteeProject.customer_id,
               GuaranteeProject.loan_category, GuaranteeProduct.kind)
        .join(GuaranteeProduct, GuaranteeProduct.id == GuaranteeProject.product_id)
        .where(or_(GuaranteeProject.id.in_(touched), GuaranteeProject.id.in_(changed)))).all()
    if not projects:
        return []
    ids = [p.id for p in projects]
    entries: dict[uuid.UUID, list] = {}
    for row in session.execute(select(e.project_id, e.kind, e.amount, e.entry_date, e.detail, e.principal)
                               .where(e.project_id.in_(ids), e.kind.in_(KINDS), e.entry_date <= period_end)
                               .order_by(e.entry_date, e.created_at, e.id)):
        entries.setdefault(row.project_id, []).append(row)
    changes: dict[uuid.UUID, list] = {}
    for row in session.execute(select(c.project_id, c.to_class, c.decided_at)
                               .where(c.project_id.in_(ids), c.status == CHANGE_APPROVED, c.decided_at < high)
                               .order_by(c.decided_at)):
        changes.setdefault(row.project_id, []).append(row)
    out: list[CreditEvent] = []
    for p in projects:
        out.extend(_walk(p, entries.get(p.id, []), changes.get(p.id, []), period_start, period_end))
    out.sort(key=lambda ev: (ev.day, ev.account))
    return out


def _walk(p, entries: list, changes: list, start: dt.date, end: dt.date) -> list[CreditEvent]:
    account = p.project_no or str(p.id)
    btype = business_type(p.kind, p.loan_category)
    # the ledger's facts and the class changes of one day: entries first, then the changes of that day
    steps = sorted([(r.entry_date, 0, n, r) for n, r in enumerate(entries)]
                   + [(_day(ch.decided_at), 1, n, ch) for n, ch in enumerate(changes)], key=lambda t: t[:3])
    balance = collection = ZERO
    risk_class = RISK_NORMAL
    out: list[CreditEvent] = []

    def emit(kind: str, day: dt.date, amount: Decimal, after: Decimal, acct: str = account) -> None:
        if start <= day <= end:
            out.append(CreditEvent(kind, day, acct, p.customer_id, btype, amount, after, risk_class))

    for day, is_change, _, row in steps:
        if is_change:
            risk_class = row.to_class
            emit("class_changed", day, ZERO, balance)
        elif row.kind == KIND_LOAN:
            balance += row.amount
            emit("opened", day, row.amount, balance)
        elif row.kind == KIND_REPAYMENT or (row.kind == KIND_RELEASE and row.detail != RELEASE_FULL):
            balance = max(balance - row.amount, ZERO)
            emit("balance_changed", day, row.amount, balance)
        elif row.kind == KIND_RELEASE:
            moved, balance = balance, ZERO
            emit("closed", day, moved, balance)
        elif row.kind == KIND_COMPENSATION:
            principal = row.principal if row.principal is not None else row.amount
            balance = max(balance - principal, ZERO)
            emit("closed" if balance == ZERO else "balance_changed", day, principal, balance)
            opened, collection = collection == ZERO, collection + row.amount
            emit("collection_opened" if opened else "collection_changed", day, row.amount, collection,
                 account + COLLECTION_SUFFIX)
        else:  # recovery, write-off
            collection = max(collection - row.amount, ZERO)
            emit("collection_changed", day, row.amount, collection, account + COLLECTION_SUFFIX)
    return out
