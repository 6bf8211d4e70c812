"""The schedule left after a prepayment (提前还款), rebuilt with the schedule builder (pure, no database;
docs/microloan/repayments.md, "Early repayment").

- The new schedule starts on the prepayment date over the principal left. Its first period runs to the due date of
  the current period (a broken period, charged by the day count; a whole period when the prepayment falls on the
  period's start); the later periods keep the due dates and the fees of the schedule they replace.
- ``lower_installment`` (减少月供): as many periods as were left, so the maturity stays; the installments are lower.
- ``shorten_term`` (缩短期限): the fewest periods whose level does not exceed the current one: 等额本息 keeps the
  installment (principal + a whole period's interest), 等额本金 and 等本等息 the principal part; the last period
  absorbs the remainder, so the installments are at most what they were. 先息后本 and 到期一次还本付息 have no level
  to keep: only ``lower_installment``.
- 到期一次还本付息: one period to the maturity, interest by the day count from the prepayment date.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from surety.plugins.microloan.schedule.builder import Installment, Schedule, Terms, build, round_fen
from surety.plugins.microloan.schedule.daycount import BASIS, days_between

ZERO = Decimal("0.00")
#: Prepayment mode -> zh-CN label.
PREPAY_MODES = {
    "shorten_term": "缩短期限（月供基本不变）",
    "lower_installment": "减少月供（到期日不变）",
}
#: Methods with a level a shorter schedule can keep (the others only lower the installment).
SHORTEN_METHODS = frozenset({"equal_installment", "equal_principal", "flat"})


@dataclasses.dataclass(frozen=True)
class Remaining:
    """A period of the schedule in force from the current one on: its due date, and the principal and fee not yet
    paid of it."""

    period: int
    due_date: dt.date
    principal: Decimal
    fee: Decimal


@dataclasses.dataclass(frozen=True)
class LoanTerms:
    """What the rebuild needs of the loan's product version."""

    annual_rate: Decimal
    method: str
    day_count: str
    rounding: str


def interest_between(principal: Decimal, terms: LoanTerms, start: dt.date, end: dt.date) -> Decimal:
    """Interest on ``principal`` from ``start`` to ``end`` by the day count (``principal x rate x days / basis``),
    rounded to the fen; 0 for no days."""
    days = days_between(start, end, terms.day_count)
    if days <= 0:
        return ZERO
    return round_fen(principal * terms.annual_rate * days / BASIS[terms.day_count], terms.rounding)


def reschedule(terms: LoanTerms, outstanding: Decimal, start: dt.date, period_start: dt.date,
               remaining: Sequence[Remaining], mode: str) -> Schedule:
    """The schedule of ``outstanding`` (above 0) from ``start`` (the prepayment date, inside the current period,
    which began on ``period_start``) replacing ``remaining`` (the current period first), by ``mode``. Rows are
    numbered from 1; ValueError for a mode the method does not allow or nothing remaining."""
    if mode not in PREPAY_MODES:
        raise ValueError(f"unknown prepayment mode {mode!r}")
    if not remaining or outstanding <= 0:
        raise ValueError("a reschedule needs a principal left and a period to put it in")
    if mode == "shorten_term" and terms.method not in SHORTEN_METHODS:
        raise ValueError(f"{terms.method} has no level installment to keep")
    if terms.method == "bullet":
        due = remaining[-1].due_date
        interest = interest_between(outstanding, terms, start, due)
        fee = remaining[-1].fee
        row = Installment(1, due, days_between(start, due, terms.day_count), outstanding, outstanding, interest, fee,
                          outstanding + interest + fee, ZERO)
        return Schedule(Terms(outstanding, terms.annual_rate, 1, "bullet", start, terms.day_count, terms.rounding),
                        (row,))

    first_due = None if start == period_start else remaining[0].due_date

    def built(months: int) -> Schedule:
        return build(Terms(outstanding, terms.annual_rate, months, terms.method, start, terms.day_count,
                           terms.rounding, first_due=first_due))

    months = len(remaining)
    if mode == "shorten_term" and months > 1:
        months = _fewest_periods(terms, outstanding, remaining, built)
    schedule = built(months)
    rows, previous = [], start
    for row, old in zip(schedule.rows, remaining, strict=False):
        rows.append(dataclasses.replace(row, due_date=old.due_date, fee=old.fee,
                                        days=days_between(previous, old.due_date, terms.day_count),
                                        installment=row.principal + row.interest + old.fee))
        previous = old.due_date
    return Schedule(schedule.terms, tuple(rows))


def _fewest_periods(terms: LoanTerms, outstanding: Decimal, remaining: Sequence[Remaining], built) -> int:
    """The fewest periods (at most as many as remain) whose level does not exceed the current period's."""
    monthly = terms.annual_rate / 12
    before = sum((r.principal for r in remaining), ZERO)

    def level(first: Installment) -> Decimal:
        if terms.method == "equal_installment":
            return first.principal + round_fen(first.opening_balance * monthly, terms.rounding)
        return first.principal

    current = level(Installment(0, remaining[0].due_date, 0, before, remaining[0].principal, ZERO, ZERO, ZERO, ZERO))
    low, high = 1, len(remaining)
    while low < high:  # the level falls as the periods grow: the first count that fits
        middle = (low + high) // 2
        if level(built(middle).rows[0]) <= current:
            high = middle
        else:
            low = middle + 1
    return low
