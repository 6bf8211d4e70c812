"""Report periods: ``2026M11`` (a month) and ``2026Q3`` (a quarter), their first and last days and zh-CN labels."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

from surety.core.errors import ValidationFailed

_PATTERN = re.compile(r"^(\d{4})([MQ])(\d{1,2})$")
CADENCE_LETTER = {"month": "M", "quarter": "Q"}


@dataclasses.dataclass(frozen=True)
class Period:
    cadence: str
    key: str
    start: dt.date
    end: dt.date

    @property
    def label(self) -> str:
        if self.cadence == "month":
            return f"{self.start.year}年{self.start.month}月"
        return f"{self.start.year}年第{(self.start.month - 1) // 3 + 1}季度"


def _month_end(year: int, month: int) -> dt.date:
    return (dt.date(year + month // 12, month % 12 + 1, 1)) - dt.timedelta(days=1)


def make(cadence: str, year: int, number: int) -> Period:
    if cadence == "month":
        return Period("month", f"{year}M{number:02d}", dt.date(year, number, 1), _month_end(year, number))
    return Period("quarter", f"{year}Q{number}", dt.date(year, 3 * number - 2, 1), _month_end(year, 3 * number))


def parse(key: str) -> Period:
    """The period of ``key`` (``2026M11``, ``2026M3`` or ``2026Q3``); ValidationFailed otherwise."""
    m = _PATTERN.match((key or "").strip().upper())
    if m is not None:
        year, letter, number = int(m[1]), m[2], int(m[3])
        if 2000 <= year <= 2999 and ((letter == "M" and 1 <= number <= 12) or (letter == "Q" and 1 <= number <= 4)):
            return make("month" if letter == "M" else "quarter", year, number)
    raise ValidationFailed("A period is written like 2026M11 (a month) or 2026Q3 (a quarter), not {period}.",
                           field="period", period=str(key)[:20])


def containing(cadence: str, day: dt.date) -> Period:
    """The period of ``cadence`` that ``day`` falls in."""
    return make(cadence, day.year, day.month if cadence == "month" else (day.month - 1) // 3 + 1)


def last_ended(cadence: str, day: dt.date) -> Period:
    """The last period of ``cadence`` that ended before ``day``."""
    return containing(cadence, containing(cadence, day).start - dt.timedelta(days=1))
