"""Working days on the PRC calendar (docs/work-calendar.md).

Public holidays and make-up working days (调休) come from the ``chinese_calendar`` package. Overrides — a date
marked working or not — beat the package; the caller merges the platform's and the tenant's (``merge_overrides``:
the tenant's win). For a year the package does not know (it ships with a fixed range of years), the calendar does not
crash: it falls back to weekends off and logs ``workday_calendar_year_unknown`` once per year and process.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Mapping
from functools import lru_cache

import chinese_calendar
import structlog

from surety.core import limits
from surety.core.errors import ValidationFailed

__all__ = ["WorkCalendar", "known_years", "merge_overrides"]

_warned_years: set[int] = set()
_warned_lock = threading.Lock()


@lru_cache(maxsize=1)
def known_years() -> range:
    """The years the installed ``chinese_calendar`` knows (e.g. ``range(2004, 2027)`` for version 1.11)."""
    days = list(getattr(chinese_calendar, "holidays", {}) or {})
    if days:
        return range(min(days).year, max(days).year + 1)
    # An unexpected package layout: ask it year by year around today.
    found = []
    for year in range(1990, dt.date.today().year + 5):
        try:
            chinese_calendar.is_workday(dt.date(year, 6, 1))
        except NotImplementedError:
            continue
        found.append(year)
    return range(min(found), max(found) + 1) if found else range(0)


@lru_cache(maxsize=16384)
def _package_is_workday(day: dt.date) -> bool | None:
    """The package's answer, or ``None`` when it does not know the year."""
    if day.year not in known_years():
        return None
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return None


def _warn_unknown_year(year: int) -> None:
    with _warned_lock:
        if year in _warned_years:
            return
        _warned_years.add(year)
    years = known_years()
    # A fresh logger each time (this runs once per year): never one cached before logging was (re)configured.
    structlog.get_logger(__name__).warning(
        "workday_calendar_year_unknown", year=year,
        known=f"{years.start}-{years.stop - 1}" if years else "none",
        fallback="Saturdays and Sundays off; add overrides for the public holidays of this year",
    )


def merge_overrides(platform: Mapping[dt.date, bool], tenant: Mapping[dt.date, bool]) -> dict[dt.date, bool]:
    """One mapping of overrides: the platform's, with the tenant's on top (a tenant's override of a day wins)."""
    merged = {_as_date(d): bool(w) for d, w in platform.items()}
    merged.update({_as_date(d): bool(w) for d, w in tenant.items()})
    return merged


def _as_date(d: dt.date) -> dt.date:
    if isinstance(d, dt.datetime):
        return d.date()
    if not isinstance(d, dt.date):
        raise TypeError(f"expected a date, not {type(d).__name__}")
    return d


class WorkCalendar:
    """Working days: ``overrides`` (True: a working day, False: a day off) first, then the PRC calendar package,
    then — for a year it does not know — Monday to Friday. Answers are cached per date in the instance."""

    def __init__(self, overrides: Mapping[dt.date, bool] | None = None):
        self._overrides: dict[dt.date, bool] = {_as_date(d): bool(w) for d, w in (overrides or {}).items()}
        self._cache: dict[dt.date, bool] = {}

    @property
    def overrides(self) -> Mapping[dt.date, bool]:
        return dict(self._overrides)

    def is_working_day(self, d: dt.date) -> bool:
        d = _as_date(d)
        answer = self._cache.get(d)
        if answer is None:
            answer = self._cache[d] = self._decide(d)
        return answer

    def _decide(self, d: dt.date) -> bool:
        if d in self._overrides:
            return self._overrides[d]
        known = _package_is_workday(d)
        if known is not None:
            return known
        _warn_unknown_year(d.year)
        return d.weekday() < 5

    def add_working_days(self, start: dt.date, n: int) -> dt.date:
        """The ``n``-th working day after ``start`` (``start`` itself is not counted; ``n == 0`` is ``start``;
        a negative ``n`` counts backwards: the ``|n|``-th working day before ``start``)."""
        day = _as_date(start)
        step = dt.timedelta(days=1 if n >= 0 else -1)
        remaining = abs(int(n))
        if remaining > limits.MAX_WORKING_DAYS:  # counted day by day: a definition saved before the cap, a bad input
            raise ValidationFailed("At most {max_working_days} working days can be counted, not {remaining}.",
                                   field="working_days", max_working_days=limits.MAX_WORKING_DAYS,
                                   remaining=remaining)
        while remaining:
            day += step
            if self.is_working_day(day):
                remaining -= 1
        return day

    def next_working_day(self, d: dt.date) -> dt.date:
        """The first working day strictly after ``d``."""
        return self.add_working_days(d, 1)

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days in ``(start, end]``; negative (minus the working days in ``(end, start]``) when ``end`` is
        before ``start``."""
        start, end = _as_date(start), _as_date(end)
        if end < start:
            return -self.working_days_between(end, start)
        count, day, one = 0, start, dt.timedelta(days=1)
        while day < end:
            day += one
            if self.is_working_day(day):
                count += 1
        return count
