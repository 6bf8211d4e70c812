"""Input checks for services: exact numbers, amounts in yuan, rates, whole numbers, terms, text and business dates,
each refused with a ValidationFailed naming the field. One Decimal policy for every plugin: a number is a Decimal,
an int or numeric text (thousands separators allowed), finite, inside core's limits (core/limits.py: nothing a
column cannot hold) and with no more decimal places than the field keeps. Floats are refused (they are not exact)
unless the caller reads a spreadsheet, whose cells are floats: ``floats=True`` takes the float's shortest decimal
text (0.1 is 0.1), never its binary value. docs/core-helpers.md.

Messages follow docs/i18n.md: an English template (the catalogue's msgid) and its parameters. ``what``, ``since``
and ``unit`` are the caller's words for the value and are filled in as given.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from surety.core import limits
from surety.core.db.types import to_money
from surety.core.errors import ValidationFailed
from surety.core.i18n import N_
from surety.core.workflow.engine import CHINA, business_today

FEN = Decimal("0.01")
#: Places a rate keeps (as the Rate column does).
RATE_PLACES = 8
#: Longest term anything may have (30 years).
MAX_TERM_MONTHS = 360


def blank(value: Any) -> bool:
    """None, or text of nothing but whitespace."""
    return value is None or (isinstance(value, str) and not value.strip())


#: Messages of a number outside its range, by (bound, with the whole range named).
_BELOW = {
    ("above zero", False): N_("{what} must be above zero, not {value}."),
    ("above zero", True): N_("{what} must be above zero (between {low} and {high}), not {value}."),
    ("zero or more", False): N_("{what} must be zero or more (at least 0), not {value}."),
    ("zero or more", True): N_("{what} must be zero or more (at least 0) (between {low} and {high}), not {value}."),
    ("above", False): N_("{what} must be above {low}, not {value}."),
    ("above", True): N_("{what} must be above {low} (between {low} and {high}), not {value}."),
    ("at least", False): N_("{what} must be at least {low}, not {value}."),
    ("at least", True): N_("{what} must be at least {low} (between {low} and {high}), not {value}."),
}
_ABOVE = {False: N_("{what} must be at most {high}, not {value}."),
          True: N_("{what} must be at most {high} (between {low} and {high}), not {value}.")}


def number(value: Any, *, field: str, what: str | None = None, low: Decimal | None = None,
           high: Decimal | None = None, low_open: bool = False, places: int | None = None,
           floats: bool = False) -> Decimal:
    """``value`` as a Decimal within ``[low, high]`` (``(low, high]`` when ``low_open``), with at most ``places``
    decimal places. ``what`` names the value in messages (default: ``field``); ``floats``: see the module."""
    what = what or field
    if isinstance(value, float) and floats:
        value = repr(value)  # the shortest decimal text, never the binary value
    if blank(value):
        raise ValidationFailed("{what} must be an exact decimal number given as text or Decimal (e.g. 0.015), "
                               "not nothing.", field=field, what=what)
    if isinstance(value, (float, bool)):
        raise ValidationFailed("{what} must be an exact decimal number given as text or Decimal (e.g. 0.015), "
                               "not {kind}.", field=field, what=what, kind=type(value).__name__)
    try:
        result = Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        raise ValidationFailed("{what} must be a number, not {value}.", field=field, what=what,
                               value=repr(str(value)[:20])) from None
    if not result.is_finite():
        raise ValidationFailed("{what} must be a finite number.", field=field, what=what)
    limits.decimal(result, field)  # no number a column cannot hold
    exponent = result.as_tuple().exponent
    if places is not None and isinstance(exponent, int) and exponent < -places:
        if places == 2:
            raise ValidationFailed("{what} has more than two decimal places: {value}.", field=field, what=what,
                                   value=result)
        raise ValidationFailed("{what} has more than {places} decimal places: {value}.", field=field, what=what,
                               places=places, value=result)
    span = low is not None and high is not None
    if low is not None and (result < low or (low_open and result == low)):
        bound = ("above zero" if low_open else "zero or more") if low == 0 else ("above" if low_open else "at least")
        raise ValidationFailed(_BELOW[bound, span], field=field, what=what, low=low, high=high, value=result)
    if high is not None and result > high:
        raise ValidationFailed(_ABOVE[span], field=field, what=what, low=low, high=high, value=result)
    return result


def money(value: Any, field: str, *, positive: bool = False, required: bool = True,
          what: str | None = None) -> Decimal | None:
    """An amount in yuan with at most two decimal places (fen), zero or more (above zero when ``positive``),
    quantized to fen; None for a blank optional one."""
    if blank(value):
        if required:
            raise ValidationFailed("Give {what} (yuan).", field=field, what=what or field)
        return None
    return number(value, field=field, what=what, low=Decimal(0), low_open=positive, places=2).quantize(FEN)


def rate(value: Any, field: str, *, low: Decimal = Decimal(0), high: Decimal = Decimal(1), low_open: bool = False,
         required: bool = True, what: str | None = None) -> Decimal | None:
    """A rate or ratio (0.015 is 1.5 %) within ``[low, high]`` with at most 8 decimal places; None for a blank
    optional one."""
    if blank(value):
        if required:
            raise ValidationFailed("Give {what} (e.g. 0.015 for 1.5 %).", field=field, what=what or field)
        return None
    return number(value, field=field, what=what, low=low, high=high, low_open=low_open, places=RATE_PLACES)


def whole(value: Any, field: str, low: int, high: int, unit: str, *, what: str | None = None) -> int:
    """A whole number (an int, not a bool) of ``unit`` within ``[low, high]``."""
    what = what or field
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationFailed("{what} is a whole number of {unit}.", field=field, what=what, unit=unit)
    if not low <= value <= high:
        raise ValidationFailed("{what} is between {low} and {high} {unit}, not {value}.", field=field, what=what,
                               low=low, high=high, unit=unit, value=value)
    return value


def months(value: Any, field: str, *, minimum: int = 1) -> int:
    """A whole number of months, at least ``minimum`` and at most MAX_TERM_MONTHS."""
    return whole(value, field, minimum, MAX_TERM_MONTHS, "months")


def text(value: Any, field: str, limit: int = 200, *, required: bool = False) -> str:
    """Text with runs of whitespace collapsed, at most ``limit`` characters."""
    result = " ".join(str(value or "").split())
    if required and not result:
        raise ValidationFailed("Give {name}.", field=field, name=field)
    if len(result) > limit:
        raise ValidationFailed("{name} is at most {limit} characters.", field=field, name=field, limit=limit)
    return result


def day(value: dt.date | None, field: str, *, not_before: dt.date | None = None, since: str = "") -> dt.date:
    """A business date of something that happened: today (the business date) when not given, never after today, and
    not before ``not_before`` (``since`` says what that date is, for the message)."""
    today = business_today()
    if value is not None and not isinstance(value, dt.date):
        raise ValidationFailed("{name} is a date.", field=field, name=field)
    result = value or today
    if result > today:
        raise ValidationFailed("{name} cannot be in the future (after today, {today}).", field=field, name=field,
                               today=today.isoformat())
    if not_before is not None and result < not_before:
        if since:
            raise ValidationFailed("{name} cannot be before {since} ({earliest}).", field=field, name=field,
                                   since=since, earliest=not_before.isoformat())
        raise ValidationFailed("{name} cannot be before that ({earliest}).", field=field, name=field,
                               earliest=not_before.isoformat())
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


#: The messages of :func:`business_date`, whose ``what`` and ``since`` the caller gives in its users' words.
BUSINESS_DATE_MESSAGES = {
    "missing": N_("Give {what}."),
    "not_a_date": N_("{what} must be a date (e.g. 2026-03-10)."),
    "before": N_("{what} ({value}) cannot be before {since} ({earliest})."),
    "far": N_("{what} ({value}) is too far ahead: at most {days} days from today ({latest})."),
}
#: The messages of :func:`loan_term` for its start (field ``start_date``) and its end (``end_date``).
LOAN_START_MESSAGES = {
    "missing": N_("Give the loan start date."),
    "not_a_date": N_("The loan start date must be a date (e.g. 2026-03-10)."),
    "before_approval": N_("The loan start date ({value}) cannot be before the approval date ({earliest})."),
    "before_submission": N_("The loan start date ({value}) cannot be before the application's submission date "
                         "({earliest})."),
    "far": N_("The loan start date ({value}) is too far ahead: at most {days} days from today ({latest})."),
}
LOAN_END_MESSAGES = {
    "missing": N_("Give the loan end date."),
    "not_a_date": N_("The loan end date must be a date (e.g. 2026-03-10)."),
    "before": N_("The loan end date ({value}) cannot be before the day after the loan start date ({earliest})."),
    "too_long": N_("The loan end date ({value}) is more than {years} years after the start date."),
}


def _checked_date(value: Any, field: str, messages: dict[str, str], *, before: str = "before",
                  not_before: dt.date | dt.datetime | None = None, horizon_days: int | None = None,
                  **params: Any) -> dt.date:
    """``value`` when it is a date, not before ``not_before`` (read as its Beijing date) and at most
    ``horizon_days`` after today's business date; refused with ``messages[problem]`` (``before`` names the message
    of a date too early) and ``params``."""
    if value is None:
        raise ValidationFailed(messages["missing"], field=field, **params)
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise ValidationFailed(messages["not_a_date"], field=field, **params)
    if not_before is not None:
        earliest = beijing_date(not_before)
        if value < earliest:
            raise ValidationFailed(messages[before], field=field, value=value.isoformat(),
                                   earliest=earliest.isoformat(), **params)
    if horizon_days is not None:
        latest = business_today() + dt.timedelta(days=horizon_days)
        if value > latest:
            raise ValidationFailed(messages["far"], field=field, value=value.isoformat(), days=horizon_days,
                                   latest=latest.isoformat(), **params)
    return value


def business_date(value: Any, field: str, *, what: str, not_before: dt.date | dt.datetime | None = None,
                  since: str = "", horizon_days: int | None = FUTURE_HORIZON_DAYS) -> dt.date:
    """A business date the user enters (required), refused naming ``what`` and ``field``: before ``not_before`` (a
    date or a stored moment, read as its Beijing date; ``since`` names it, e.g. 申请提交日) or more than
    ``horizon_days`` after today's business date (None: no horizon). ``what`` and ``since`` are filled into the
    message as given (BUSINESS_DATE_MESSAGES): give them in the words the users read (zh-CN)."""
    return _checked_date(value, field, BUSINESS_DATE_MESSAGES, not_before=not_before, horizon_days=horizon_days,
                         what=what, since=since or "起始日")


def loan_term(start: Any, end: Any, *, submitted_at: dt.datetime | None, decided_at: dt.datetime | None,
              horizon_days: int | None = FUTURE_HORIZON_DAYS) -> tuple[dt.date, dt.date]:
    """The start and end of a loan confirmed for an application: the start is not before
    the approval date (the application's submission date while it has none; neither: no lower bound, as for rows
    entered before applications were recorded) and at most ``horizon_days`` ahead; the end is after the start and at
    most MAX_TERM_MONTHS (30 years) after it. Fields ``start_date`` and ``end_date``; LOAN_START_MESSAGES and
    LOAN_END_MESSAGES."""
    anchor, before = (decided_at, "before_approval") if decided_at is not None else \
        (submitted_at, "before_submission")
    first = _checked_date(start, "start_date", LOAN_START_MESSAGES, before=before, not_before=anchor,
                          horizon_days=horizon_days)
    last = _checked_date(end, "end_date", LOAN_END_MESSAGES, not_before=first + dt.timedelta(days=1))
    years = MAX_TERM_MONTHS // 12
    if last > (first.replace(day=28) if first.month == 2 and first.day == 29 else first).replace(
            year=first.year + years):
        raise ValidationFailed(LOAN_END_MESSAGES["too_long"], field="end_date", value=last.isoformat(), years=years)
    return first, last
