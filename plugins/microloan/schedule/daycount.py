"""Due dates and day counts of a schedule (docs/microloan-schedules.md, "Dates" and "Day count").

- Due date ``k`` is ``k`` months after the start date: the same day of the month, or the month's last day in a
  month without that day (start 31 January: 28/29 February, 31 March, 30 April, ...). Where the loan has a first
  due date of its own, due date ``k`` is ``k - 1`` months after that one, the same way. Each is counted from the
  anchor, never from the previous due date, so a short month does not pull the later dates back.
- ``30/360`` is the European 30E/360 count (a day 31 counts as 30, every month 30 days, year 360); ``ACT/360`` and
  ``ACT/365`` count calendar days over a 360- or 365-day year.
"""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import Decimal

from surety.plugins.microloan.conventions import DAY_COUNTS

#: Days in the year of each day count.
BASIS = {"30/360": Decimal(360), "ACT/360": Decimal(360), "ACT/365": Decimal(365)}


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by ``months`` months; the month's last day where that month is shorter."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def due_dates(first_due: dt.date, count: int) -> list[dt.date]:
    """``count`` monthly due dates from ``first_due`` (each counted from the first)."""
    return [add_months(first_due, k) for k in range(count)]


def days_between(start: dt.date, end: dt.date, day_count: str) -> int:
    """Days from ``start`` to ``end`` under ``day_count`` (30E/360 or calendar days)."""
    if day_count not in DAY_COUNTS:
        raise ValueError(f"unknown day count {day_count!r}")
    if day_count == "30/360":
        d1, d2 = min(start.day, 30), min(end.day, 30)
        return (end.year - start.year) * 360 + (end.month - start.month) * 30 + (d2 - d1)
    return (end - start).days


def year_fraction(start: dt.date, end: dt.date, day_count: str) -> Decimal:
    """The part of a year from ``start`` to ``end`` (days / basis), unrounded."""
    return Decimal(days_between(start, end, day_count)) / BASIS[day_count]
