"""Period semantics of report rows and indicators (docs/regulatory/figures.md, "Periods"): which business dates a
figure is read for. :func:`period_dates` answers ``(period_start, as_of)`` for :func:`gather.figures_for`: flows
sum ``period_start`` .. ``as_of``, stocks are read at the end of ``as_of``.

A stock kind (``balance_end``, ``beginning_of_year``) gets the first day of its end date's year as its start, so it
shares the memoised call of the year-to-date figures of the same date; its flows are not meant to be read."""

from __future__ import annotations

import datetime as dt

from surety.core.errors import ValidationFailed

CUMULATIVE_YEAR = "cumulative_year"
BALANCE_END = "balance_end"
BEGINNING_OF_YEAR = "beginning_of_year"
SAME_PERIOD_LAST_YEAR = "same_period_last_year"
THIS_MONTH = "this_month"
THIS_QUARTER = "this_quarter"
SINCE_INCEPTION = "since_inception"
#: Period kind -> zh-CN label.
PERIOD_KINDS = {
    CUMULATIVE_YEAR: "本年累计", BALANCE_END: "期末余额", BEGINNING_OF_YEAR: "年初数",
    SAME_PERIOD_LAST_YEAR: "上年同期",
    THIS_MONTH: "本月", THIS_QUARTER: "本季", SINCE_INCEPTION: "成立以来累计",
}
#: The start of ``since_inception``: before any business date.
INCEPTION = dt.date(1900, 1, 1)


def year_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 1, 1)


def one_year_before(day: dt.date) -> dt.date:
    """The same day a year earlier; 29 February gives 28 February."""
    if day.month == 2 and day.day == 29:
        return dt.date(day.year - 1, 2, 28)
    return day.replace(year=day.year - 1)


def period_dates(kind: str, as_of: dt.date) -> tuple[dt.date, dt.date]:
    """``(period_start, end)`` of ``kind`` for a report as of ``as_of``:

    * ``cumulative_year``: 1 January .. ``as_of``;
    * ``balance_end``: the stock at ``as_of``;
    * ``beginning_of_year``: the stock at 31 December of the prior year;
    * ``same_period_last_year``: ``as_of`` one year earlier (29 Feb -> 28 Feb), from that year's 1 January
      (a stock row reads its balance then, a cumulative row that year's year-to-date);
    * ``this_month`` / ``this_quarter``: the month's / quarter's first day .. ``as_of``;
    * ``since_inception``: every business date up to ``as_of``.
    """
    if kind in (CUMULATIVE_YEAR, BALANCE_END):
        return year_start(as_of), as_of
    if kind == BEGINNING_OF_YEAR:
        end = dt.date(as_of.year - 1, 12, 31)
        return year_start(end), end
    if kind == SAME_PERIOD_LAST_YEAR:
        end = one_year_before(as_of)
        return year_start(end), end
    if kind == THIS_MONTH:
        return as_of.replace(day=1), as_of
    if kind == THIS_QUARTER:
        return dt.date(as_of.year, 3 * ((as_of.month - 1) // 3) + 1, 1), as_of
    if kind == SINCE_INCEPTION:
        return INCEPTION, as_of
    raise ValidationFailed("Unknown period kind {kind}; give one of: {allowed}.", field="period", kind=repr(kind),
                           allowed=", ".join(PERIOD_KINDS))
