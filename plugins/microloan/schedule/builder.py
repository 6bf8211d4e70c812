"""Schedules of the five repayment methods (docs/microloan-schedules.md states the conventions with worked tables).

All figures are Decimal. Conventions:

- Period ``k`` runs from the previous due date (the start date for the first) to its due date (``daycount``).
- Monthly-rate methods (等额本息, 等额本金, 先息后本, 等本等息) charge ``annual_rate / 12`` on a whole period, whatever
  its calendar days. Only a broken first period (a first due date other than one month after the start) is charged
  by the day count: ``balance x annual_rate x days / basis``. 到期一次还本付息 (bullet) charges the day count over the
  whole term: ``amount x annual_rate x days(start, maturity) / basis``. In 等额本息 a broken first period repays the
  principal a whole period would (installment minus a whole month's interest), so its installment differs from the
  level one by the interest of the extra or missing days, and the later installments stay level.
- Every amount is rounded to the fen with the product's rounding (default half-up) when it is computed: the
  installment of 等额本息, the principal part of 等额本金 and 等本等息, each period's interest and fee. The last period
  absorbs the remainder: its principal is whatever balance is left, so the principal always sums to the amount.
- A period's principal never exceeds the balance left (tiny loans over long terms), so no amount is negative.
- A monthly fee (``monthly_fee_rate x amount``, rounded) is added to every installment; an up-front fee is charged
  at disbursement and is not part of the schedule.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, localcontext

from surety.plugins.microloan.conventions import (
    DAY_COUNTS,
    DEFAULT_DAY_COUNT,
    DEFAULT_ROUNDING,
    REPAYMENT_METHODS,
    ROUNDINGS,
)
from surety.plugins.microloan.schedule.daycount import BASIS, add_months, days_between, due_dates

FEN = Decimal("0.01")
ZERO = Decimal("0.00")
#: Rounding -> the decimal module's mode (every rounding is to the fen).
_MODES = {"fen_half_up": ROUND_HALF_UP, "fen_half_even": ROUND_HALF_EVEN}
#: Longest term a schedule is built for (30 years), as core.inputs.MAX_TERM_MONTHS.
MAX_TERM_MONTHS = 360


@dataclasses.dataclass(frozen=True)
class Terms:
    """What a schedule is computed from: the loan's amount, term and start and its product's settings."""

    amount: Decimal
    annual_rate: Decimal
    term_months: int
    method: str
    start: dt.date
    day_count: str = DEFAULT_DAY_COUNT
    rounding: str = DEFAULT_ROUNDING
    monthly_fee_rate: Decimal = ZERO
    #: None: one month after ``start``. Otherwise after ``start`` and at most two months after it (a broken first
    #: period, charged by the day count). Ignored by ``bullet``, which has one period to maturity.
    first_due: dt.date | None = None


@dataclasses.dataclass(frozen=True)
class Installment:
    """One row of a schedule. ``installment`` = ``principal`` + ``interest`` + ``fee``."""

    period: int
    due_date: dt.date
    days: int
    opening_balance: Decimal
    principal: Decimal
    interest: Decimal
    fee: Decimal
    installment: Decimal
    closing_balance: Decimal


@dataclasses.dataclass(frozen=True)
class Schedule:
    terms: Terms
    rows: tuple[Installment, ...]

    @property
    def total_principal(self) -> Decimal:
        return sum((r.principal for r in self.rows), ZERO)

    @property
    def total_interest(self) -> Decimal:
        return sum((r.interest for r in self.rows), ZERO)

    @property
    def total_fees(self) -> Decimal:
        return sum((r.fee for r in self.rows), ZERO)

    @property
    def total(self) -> Decimal:
        return sum((r.installment for r in self.rows), ZERO)


def check_terms(terms: Terms) -> None:
    """Refuse terms no schedule can be built from (ValueError: callers check client input before, in services)."""
    if terms.method not in REPAYMENT_METHODS:
        raise ValueError(f"unknown repayment method {terms.method!r}")
    if terms.day_count not in DAY_COUNTS:
        raise ValueError(f"unknown day count {terms.day_count!r}")
    if terms.rounding not in ROUNDINGS:
        raise ValueError(f"unknown rounding {terms.rounding!r}")
    for name in ("amount", "annual_rate", "monthly_fee_rate"):
        value = getattr(terms, name)
        if not isinstance(value, Decimal) or not value.is_finite() or value < 0:
            raise ValueError(f"{name} must be a Decimal of zero or more, not {value!r}")
    if terms.amount <= 0 or terms.amount != terms.amount.quantize(FEN):
        raise ValueError(f"amount must be above zero in whole fen, not {terms.amount}")
    if isinstance(terms.term_months, bool) or not isinstance(terms.term_months, int) \
            or not 1 <= terms.term_months <= MAX_TERM_MONTHS:
        raise ValueError(f"term_months is 1 to {MAX_TERM_MONTHS}, not {terms.term_months!r}")
    if terms.first_due is not None and not terms.start < terms.first_due <= add_months(terms.start, 2):
        raise ValueError("first_due is after the start date and at most two months after it")


def round_fen(value: Decimal, rounding: str) -> Decimal:
    """``value`` rounded to the fen the way a product rounds (``rounding``: a key of conventions.ROUNDINGS); what
    every amount of a schedule goes through, and what a rebuild (repayment/reschedule.py) rounds with."""
    return value.quantize(FEN, rounding=_MODES[rounding])


def build(terms: Terms) -> Schedule:
    """The schedule of ``terms`` (see the module for the conventions)."""
    check_terms(terms)
    rounding = terms.rounding

    def rnd(value: Decimal) -> Decimal:
        return round_fen(value, rounding)

    with localcontext() as ctx:
        ctx.prec = 50  # (1 + r) ** 360 and the quotients keep every digit the fen needs
        if terms.method == "bullet":
            return _bullet(terms, rnd)
        return _monthly(terms, rnd)


def _bullet(terms: Terms, rnd) -> Schedule:
    maturity = add_months(terms.start, terms.term_months)
    days = days_between(terms.start, maturity, terms.day_count)
    interest = rnd(terms.amount * terms.annual_rate * days / BASIS[terms.day_count])
    fee = rnd(terms.amount * terms.monthly_fee_rate) * terms.term_months
    row = Installment(1, maturity, days, terms.amount, terms.amount, interest, fee,
                      terms.amount + interest + fee, ZERO)
    return Schedule(terms, (row,))


def _monthly(terms: Terms, rnd) -> Schedule:
    amount, n, method = terms.amount, terms.term_months, terms.method
    monthly = terms.annual_rate / 12
    if terms.first_due is None:  # every due date counted from the start date (the month-end rule)
        dates = [add_months(terms.start, k) for k in range(1, n + 1)]
    else:  # every due date counted from the first one
        dates = due_dates(terms.first_due, n)
    broken = dates[0] != add_months(terms.start, 1)
    fee = rnd(amount * terms.monthly_fee_rate)
    if method == "equal_installment":
        if monthly == 0:
            level = rnd(amount / n)
        else:
            growth = (1 + monthly) ** n
            level = rnd(amount * monthly * growth / (growth - 1))
    elif method in ("equal_principal", "flat"):
        level = rnd(amount / n)
    else:  # interest_first: no principal before the last period
        level = ZERO

    rows = []
    balance, previous = amount, terms.start
    for k, due in enumerate(dates, start=1):
        days = days_between(previous, due, terms.day_count)
        base = amount if method == "flat" else balance  # 等本等息 charges interest on the original amount
        whole_period = rnd(base * monthly)
        if k == 1 and broken:
            interest = rnd(base * terms.annual_rate * days / BASIS[terms.day_count])
        else:
            interest = whole_period
        if k == n:
            principal = balance
        elif method == "equal_installment":  # the principal of a whole period, even when the first is broken
            principal = min(max(level - whole_period, ZERO), balance)
        else:
            principal = min(level, balance)
        closing = balance - principal
        rows.append(Installment(k, due, days, balance, principal, interest, fee, principal + interest + fee, closing))
        balance, previous = closing, due
    return Schedule(terms, tuple(rows))
