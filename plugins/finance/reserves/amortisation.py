"""Guarantee-fee income recognised over the guarantee term, pure: straight-line by days, month by month.

A fee received for the term [start, end] (both days included) is earned in proportion to the days of each calendar
month inside the term. The amount recognised up to the end of a month is the fee times the days so far over the
term's days, rounded half-up to the fen; a month's amount is that cumulative figure minus the previous month's, so
the last month takes whatever rounding is left and the months always sum to the fee exactly, none negative
(rounding each month's share on its own can overshoot the fee for small fees over many months)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from surety.core.errors import ValidationFailed

FEN = Decimal("0.01")


@dataclass(frozen=True)
class MonthShare:
    """The fee income of one accounting period ``YYYY-MM``: the term's days in it and the amount in yuan, and what
    is recognised through the end of it."""

    period: str
    days: int
    amount: Decimal
    cumulative: Decimal


def _month_end(day: dt.date) -> dt.date:
    following = dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def monthly_schedule(fee: Decimal, start: dt.date, end: dt.date) -> list[MonthShare]:
    """The fee spread over the months of [start, end] straight-line by days (module docstring)."""
    if not isinstance(fee, Decimal) or not fee.is_finite() or fee < 0 or fee != fee.quantize(FEN):
        raise ValidationFailed("The fee must be zero or more yuan with at most two decimal places.", field="fee")
    if end < start:
        raise ValidationFailed("The term ends on {end}, before it starts on {start}.", field="end",
                               end=end.isoformat(), start=start.isoformat())
    total = (end - start).days + 1
    out: list[MonthShare] = []
    so_far, recognised = 0, Decimal("0.00")
    month_start = start
    while month_start <= end:
        month_end = min(_month_end(month_start), end)
        days = (month_end - month_start).days + 1
        so_far += days
        cumulative = (fee * so_far / total).quantize(FEN, rounding=ROUND_HALF_UP)
        out.append(MonthShare(f"{month_start.year:04d}-{month_start.month:02d}", days, cumulative - recognised,
                              cumulative))
        recognised = cumulative
        month_start = month_end + dt.timedelta(days=1)
    return out


def recognised_in(fee: Decimal, start: dt.date, end: dt.date, period: str) -> Decimal:
    """The fee income of one period ``YYYY-MM`` (zero outside the term): what a monthly amortisation job books."""
    return next((share.amount for share in monthly_schedule(fee, start, end) if share.period == period),
                Decimal("0.00"))


def recognised_through(fee: Decimal, start: dt.date, end: dt.date, period: str) -> Decimal:
    """The fee income recognised up to the end of ``period`` (``YYYY-MM``); the rest is still unearned."""
    shares = [share for share in monthly_schedule(fee, start, end) if share.period <= period]
    return shares[-1].cumulative if shares else Decimal("0.00")
