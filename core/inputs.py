"""Input checks for services: exact numbers, amounts in yuan, rates, whole numbers, terms, text and business dates,
each refused with a ValidationFailed naming the field. One Decimal policy for every plugin: a number is a Decimal,
an int or numeric text (thousands separators allowed), finite, inside core's limits (core/limits.py: nothing a
column cannot hold) and with no more decimal places than the field keeps. Floats are refused (they are not exact)
unless the caller reads a spreadsheet, whose cells are floats: ``floats=True`` takes the float's shortest decimal
text (0.1 is 0.1), never its binary value. docs/core-helpers.md.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from surety.core import limits
from surety.core.db.types import to_money
from surety.core.errors import ValidationFailed
from surety.core.workflow.engine import CHINA, business_today

FEN = Decimal("0.01")
#: Places a rate keeps (as the Rate column does).
RATE_PLACES = 8
#: Longest term anything may have (30 years).
MAX_TERM_MONTHS = 360


def blank(value: Any) -> bool:
    """None, or text of nothing but whitespace."""
    return value is None or (isinstance(value, str) and not value.strip())


def number(value: Any, *, field: str, what: str | None = None, low: Decimal | None = None,
           high: Decimal | None = None, low_open: bool = False, places: int | None = None,
           floats: bool = False) -> Decimal:
    """``value`` as a Decimal within ``[low, high]`` (``(low, high]`` when ``low_open``), with at most ``places``
    decimal places. ``what`` names the value in messages (default: ``field``); ``floats``: see the module."""
    what = what or field
    if isinstance(value, float) and floats:
        value = repr(value)  # the shortest decimal text, never the binary value
    if blank(value) or isinstance(value, (float, bool)):
        raise ValidationFailed(f"{what} must be an exact decimal number given as text or Decimal (e.g. 0.015), "
                               f"not {'nothing' if blank(value) else type(value).__name__}.", field=field)
    try:
        result = Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        raise ValidationFailed(f"{what} must be a number, not {str(value)[:20]!r}.", field=field) from None
    if not result.is_finite():
        raise ValidationFailed(f"{what} must be a finite number.", field=field)
    limits.decimal(result, field)  # no number a column cannot hold
    exponent = result.as_tuple().exponent
    if places is not None and isinstance(exponent, int) and exponent < -places:
        count = "two" if places == 2 else str(places)
        raise ValidationFailed(f"{what} has more than {count} decimal places: {result}.", field=field)
    span = f" (between {low} and {high})" if low is not None and high is not None else ""
    if low is not None and (result < low or (low_open and result == low)):
        bound = ("above zero" if low_open else "zero or more (at least 0)") if low == 0 else \
            f"{'above' if low_open else 'at least'} {low}"
        raise ValidationFailed(f"{what} must be {bound}{span}, not {result}.", field=field)
    if high is not None and result > high:
        raise ValidationFailed(f"{what} must be at most {high}{span}, not {result}.", field=field)
    return result


def money(value: Any, field: str, *, positive: bool = False, required: bool = True,
          what: str | None = None) -> Decimal | None:
    """An amount in yuan with at most two decimal places (fen), zero or more (above zero when ``positive``),
    quantized to fen; None for a blank optional one."""
    if blank(value):
        if required:
            raise ValidationFailed(f"Give {what or field} (yuan).", field=field)
        return None
    return number(value, field=field, what=what, low=Decimal(0), low_open=positive, places=2).quantize(FEN)


def rate(value: Any, field: str, *, low: Decimal = Decimal(0), high: Decimal = Decimal(1), low_open: bool = False,
         required: bool = True, what: str | None = None) -> Decimal | None:
    """A rate or ratio (0.015 is 1.5 %) within ``[low, high]`` with at most 8 decimal places; None for a blank
    optional one."""
    if blank(value):
        if required:
            raise ValidationFailed(f"Give {what or field} (e.g. 0.015 for 1.5 %).", field=field)
        return None
    return number(value, field=field, what=what, low=low, high=high, low_open=low_open, places=RATE_PLACES)


def whole(value: Any, field: str, low: int, high: int, unit: str, *, what: str | None = None) -> int:
    """A whole number (an int, not a bool) of ``unit`` within ``[low, high]``."""
    what = what or field
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationFailed(f"{what} is a whole number of {unit}.", field=field)
    if not low <= value <= high:
        raise ValidationFailed(f"{what} is between {low} and {high} {unit}, not {value}.", field=field)
    return value


def months(value: Any, field: str, *, minimum: int = 1) -> int:
    """A whole number of months, at least ``minimum`` and at most MAX_TERM_MONTHS."""
    return whole(value, field, minimum, MAX_TERM_MONTHS, "months")


def text(value: Any, field: str, limit: int = 200, *, required: bool = False) -> str:
    """Text with runs of whitespace collapsed, at most ``limit`` characters."""
    result = " ".join(str(value or "").split())
    if required and not result:
        raise ValidationFailed(f"Give {field}.", field=field)
    if len(result) > limit:
        raise ValidationFailed(f"{field} is at most {limit} characters.", field=field)
    return result


def day(value: dt.date | None, field: str, *, not_before: dt.date | None = None, since: str = "") -> dt.date:
    """A business date of something that happened: today (the business date) when not given, never after today, and
    not before ``not_before`` (``since`` says what that date is, for the message)."""
    today = business_today()
    if value is not None and not isinstance(value, dt.date):
        raise ValidationFailed(f"{field} is a date.", field=field)
    result = value or today
    if result > today:
        raise ValidationFailed(f"{field} cannot be in the future (after today, {today.isoformat()}).", field=field)
    if not_before is not None and result < not_before:
        raise ValidationFailed(f"{field} cannot be before {since or 'that'} ({not_before.isoformat()}).",
                               field=field)
    return result


def yuan(amount: Decimal) -> str:
    """``1,234,567.89`` (yuan, two decimals, thousands separated) for messages."""
    return f"{to_money(amount):,.2f}"


# ---------------------------------------------------------------- business dates with a horizon ---------------------

#: How many days after today's business date a date the user enters may lie (a loan drawn next month, a letter
#: effective from a set day); further out it is a typing error (2062 for 2026). Callers pass their own
#: ``horizon_days`` where the business allows more or less.
FUTURE_HORIZON_DAYS = 90


def beijing_date(moment: dt.datetime | dt.date) -> dt.date:
    """The business (Beijing) date of a stored moment (timestamps are stored in UTC; a naive one is UTC); a date is
    itself."""
    if not isinstance(moment, dt.datetime):
        return moment
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(CHINA).date()


def business_date(value: Any, field: str, *, what: str, not_before: dt.date | dt.datetime | None = None,
                  since: str = "", horizon_days: int | None = FUTURE_HORIZON_DAYS) -> dt.date:
    """A business date the user enters (required), refused in zh-CN naming ``what`` and ``field``: before
    ``not_before`` (a date or a stored moment, read as its Beijing date; ``since`` names it, e.g. 申请提交日) or more
    than ``horizon_days`` after today's business date (None: no horizon)."""
    if value is None:
        raise ValidationFailed(f"请填写{what}。", field=field)
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise ValidationFailed(f"{what}须为日期（如 2026-03-10）。", field=field)
    if not_before is not None:
        earliest = beijing_date(not_before)
        if value < earliest:
            raise ValidationFailed(f"{what}（{value.isoformat()}）不能早于{since or '起始日'}"
                                   f"（{earliest.isoformat()}）。", field=field)
    if horizon_days is not None:
        latest = business_today() + dt.timedelta(days=horizon_days)
        if value > latest:
            raise ValidationFailed(f"{what}（{value.isoformat()}）过于遥远：最晚为今天起 {horizon_days} 天内"
                                   f"（{latest.isoformat()}）。", field=field)
    return value


def loan_term(start: Any, end: Any, *, submitted_at: dt.datetime | None, decided_at: dt.datetime | None,
              horizon_days: int | None = FUTURE_HORIZON_DAYS) -> tuple[dt.date, dt.date]:
    """The start and end of a loan confirmed for an application: the start is not before
    the approval date (the application's submission date while it has none; neither: no lower bound, as for rows
    entered before applications were recorded) and at most ``horizon_days`` ahead; the end is after the start and at
    most MAX_TERM_MONTHS (30 years) after it. Fields ``start_date`` and ``end_date``; messages in zh-CN."""
    anchor, since = (decided_at, "审批通过日") if decided_at is not None else (submitted_at, "申请提交日")
    first = business_date(start, "start_date", what="贷款起始日", not_before=anchor, since=since,
                          horizon_days=horizon_days)
    last = business_date(end, "end_date", what="贷款到期日", not_before=first + dt.timedelta(days=1),
                         since="贷款起始日的次日", horizon_days=None)
    years = MAX_TERM_MONTHS // 12
    if last > (first.replace(day=28) if first.month == 2 and first.day == 29 else first).replace(
            year=first.year + years):
        raise ValidationFailed(f"贷款到期日（{last.isoformat()}）距起始日超过 {years} 年。",
                               field="end_date")
    return first, last
