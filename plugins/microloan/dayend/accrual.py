"""The day's figures of one loan (pure: no database), as docs/microloan/dayend.md states them.

- **Contract interest (应计利息)** recognises the installment interest the schedule fixed, spread over its period
  ``(start, due]`` by the product's day count: interest recognised to day ``D`` is
  ``round(I x elapsed(start, D) / days(start, due))`` and day ``D`` accrues that minus the same for ``D - 1``. The
  due date itself reaches ``I``, so a period's daily accruals sum exactly to its interest. ``ACT/360`` and
  ``ACT/365`` count calendar days (each day 1/days of the period); ``30/360`` counts 30E/360 days (a 31st accrues
  nothing, 1 March takes the 2 or 3 days February lacks).
- **Days past due**: the oldest open installment whose ``due_date + grace_days`` is before ``D``; counted from the
  due date (grace only delays when a loan counts as overdue; once it does, the days since the due date count).
- **Penalty interest (罚息)** on each overdue installment's unpaid principal and **compound interest (复利)** on its
  unpaid interest, both at ``annual_rate x (1 + penalty_uplift)``, a day being ``days(D - 1, D) / basis`` of a year
  under the day count. They run from the first day the installment is overdue (past its grace days).
- **Fen and carry**: each kind's exact day amount plus yesterday's carry is rounded to the fen by the product's
  rounding; what is left (below half a fen, kept to 8 places) is carried to the next day's amount of the same kind,
  so no fen is lost over time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

from surety.plugins.microloan.schedule.daycount import BASIS, add_months, days_between

FEN = Decimal("0.01")
CARRY_PLACES = Decimal("0.00000001")
ZERO = Decimal("0.00")
_MODES = {"fen_half_up": ROUND_HALF_UP, "fen_half_even": ROUND_HALF_EVEN}
ONE_DAY = dt.timedelta(days=1)


def to_fen(value: Decimal, rounding: str = "fen_half_up") -> Decimal:
    return value.quantize(FEN, rounding=_MODES[rounding])


def interest_to_date(interest: Decimal, start: dt.date, due: dt.date, day: dt.date, day_count: str,
                     rounding: str = "fen_half_up") -> Decimal:
    """The part of an installment's ``interest`` (period ``(start, due]``) recognised by the end of ``day``."""
    if day <= start:
        return ZERO
    if day >= due:
        return interest
    period = days_between(start, due, day_count)
    if period <= 0:
        return interest
    elapsed = min(max(days_between(start, day, day_count), 0), period)
    return to_fen(interest * elapsed / period, rounding)


def daily_interest(interest: Decimal, start: dt.date, due: dt.date, day: dt.date, day_count: str,
                   rounding: str = "fen_half_up") -> Decimal:
    """Contract interest accrued on ``day`` for the installment whose period ``(start, due]`` holds it."""
    return (interest_to_date(interest, start, due, day, day_count, rounding)
            - interest_to_date(interest, start, due, day - ONE_DAY, day_count, rounding))


def penalty_day_factor(annual_rate: Decimal, penalty_uplift: Decimal, day: dt.date, day_count: str) -> Decimal:
    """The penalty rate for ``day``: ``annual_rate x (1 + uplift) x days(D - 1, D) / basis`` (unrounded)."""
    return annual_rate * (1 + penalty_uplift) * days_between(day - ONE_DAY, day, day_count) / BASIS[day_count]


def round_with_carry(exact: Decimal, carry: Decimal, rounding: str = "fen_half_up") -> tuple[Decimal, Decimal]:
    """``exact + carry`` to the fen and what is left over (to 8 places) for the next day."""
    total = exact + carry
    amount = to_fen(total, rounding)
    return amount, (total - amount).quantize(CARRY_PLACES, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Terms:
    """The product-version terms the day's figures use."""

    annual_rate: Decimal
    penalty_uplift: Decimal
    day_count: str
    rounding: str
    grace_days: int


@dataclass(frozen=True)
class Row:
    """An installment of the loan's schedule in force, as the batch reads it. ``prev_due``: the due date of the
    installment before it in the same revision (None: the first)."""

    id: object
    period: int
    due_date: dt.date
    principal: Decimal
    interest: Decimal
    paid_principal: Decimal
    paid_interest: Decimal
    penalty: Decimal
    settled_on: dt.date | None
    prev_due: dt.date | None = None

    @property
    def open(self) -> bool:
        return self.settled_on is None


@dataclass
class LoanDay:
    """One loan's figures for one day: amounts by kind (to the fen), carries, penalty added per installment id,
    days past due and since when."""

    amounts: dict[str, Decimal] = field(default_factory=dict)
    carries: dict[str, Decimal] = field(default_factory=dict)
    penalty_by_installment: dict[object, Decimal] = field(default_factory=dict)
    days_past_due: int = 0
    overdue_since: dt.date | None = None


def period_start(row: Row, disbursed_on: dt.date, revision: int) -> dt.date:
    """Where the installment's period starts: the previous due date; for the first row of revision 0 the
    disbursement date; for the first row of a later revision (a reschedule) one month before its due date, not
    before disbursement."""
    if row.prev_due is not None:
        return row.prev_due
    if revision == 0:
        return disbursed_on
    return max(add_months(row.due_date, -1), disbursed_on)


def overdue_rows(rows: list[Row], day: dt.date, grace_days: int) -> list[Row]:
    """The open installments overdue on ``day`` (past their due date and grace days), oldest first."""
    return sorted((r for r in rows if r.open and r.due_date + dt.timedelta(days=grace_days) < day),
                  key=lambda r: r.due_date)


def days_past_due(rows: list[Row], day: dt.date, grace_days: int) -> tuple[int, dt.date | None]:
    """Days past due on ``day`` counted from the oldest overdue installment's due date, and that due date."""
    late = overdue_rows(rows, day, grace_days)
    if not late:
        return 0, None
    return (day - late[0].due_date).days, late[0].due_date


def loan_day(rows: list[Row], terms: Terms, *, disbursed_on: dt.date, revision: int, day: dt.date,
             carries: dict[str, Decimal] | None = None) -> LoanDay:
    """The figures of one loan for ``day`` from its installments in force (at least the open ones due before
    ``day`` and the one whose period holds ``day``), its terms and yesterday's carries by kind."""
    carries = carries or {}
    out = LoanDay()
    interest = ZERO
    if day > disbursed_on:
        for r in rows:
            start = period_start(r, disbursed_on, revision)
            if start < day <= r.due_date:
                interest = daily_interest(r.interest, start, r.due_date, day, terms.day_count, terms.rounding)
                break
    out.amounts["interest"], out.carries["interest"] = interest, Decimal(0)
    out.days_past_due, out.overdue_since = days_past_due(rows, day, terms.grace_days)
    factor = penalty_day_factor(terms.annual_rate, terms.penalty_uplift, day, terms.day_count)
    exact = {"penalty": Decimal(0), "compound": Decimal(0)}
    shares: list[tuple[object, Decimal]] = []
    for r in overdue_rows(rows, day, terms.grace_days):
        pen = max(r.principal - r.paid_principal, ZERO) * factor
        comp = max(r.interest - r.paid_interest, ZERO) * factor
        exact["penalty"] += pen
        exact["compound"] += comp
        shares.append((r.id, pen + comp))
    for kind in ("penalty", "compound"):
        carry = carries.get(kind, Decimal(0))
        if exact[kind] == 0 and not shares:
            out.amounts[kind], out.carries[kind] = ZERO, Decimal(0)
        else:
            out.amounts[kind], out.carries[kind] = round_with_carry(exact[kind], carry, terms.rounding)
    out.penalty_by_installment = split(out.amounts["penalty"] + out.amounts["compound"], shares)
    return out


def split(total: Decimal, shares: list[tuple[object, Decimal]]) -> dict[object, Decimal]:
    """``total`` (fen) over the keys in proportion to their shares, by cumulative rounding (the parts sum exactly
    to ``total``; all to the first key when every share is zero)."""
    if not shares:
        return {}
    whole = sum(s for _, s in shares)
    if whole == 0:
        return {shares[0][0]: total, **{k: ZERO for k, _ in shares[1:]}}
    out, running, given = {}, Decimal(0), ZERO
    for key, share in shares:
        running += share
        upto = to_fen(total * running / whole)
        out[key] = upto - given
        given = upto
    return out
