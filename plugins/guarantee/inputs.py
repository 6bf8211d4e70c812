"""Input checks shared by every service of the ``guarantee`` plugin: exact numbers, amounts in yuan, rates, terms
and text, each refused with a ValidationFailed naming the field. Floats are refused everywhere (they are not exact);
give Decimals, ints or numeric text."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from surety.core import limits
from surety.core.db.types import to_money
from surety.core.errors import ValidationFailed
from surety.core.workflow.engine import business_today

FEN = Decimal("0.01")
#: Places a rate keeps (as the Rate column does).
RATE_PLACES = 8
#: Longest term anything may have (30 years).
MAX_TERM_MONTHS = 360


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def number(value: Any, *, field: str, what: str | None = None, low: Decimal | None = None,
           high: Decimal | None = None, low_open: bool = False, places: int | None = None) -> Decimal:
    """``value`` as a Decimal within ``[low, high]`` (``(low, high]`` when ``low_open``), with at most ``places``
    decimal places."""
    what = what or field
    if _blank(value) or isinstance(value, (float, bool)):
        raise ValidationFailed(f"{what} must be an exact decimal number given as text or Decimal (e.g. 0.015), "
                               f"not {'nothing' if _blank(value) else type(value).__name__}.", field=field)
    try:
        result = Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        raise ValidationFailed(f"{what} must be a number, not {str(value)[:20]!r}.", field=field) from None
    if not result.is_finite():
        raise ValidationFailed(f"{what} must be a finite number.", field=field)
    limits.decimal(result, field)  # the core policy: no number a column cannot hold
    if places is not None and result.as_tuple().exponent < -places:
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
    """An amount in yuan with at most two decimal places (fen), zero or more (above zero when ``positive``); None
    for a blank optional one."""
    if _blank(value):
        if required:
            raise ValidationFailed(f"Give {what or field} (yuan).", field=field)
        return None
    return number(value, field=field, what=what, low=Decimal(0), low_open=positive, places=2).quantize(FEN)


def rate(value: Any, field: str, *, low: Decimal = Decimal(0), high: Decimal = Decimal(1), low_open: bool = False,
         required: bool = True, what: str | None = None) -> Decimal | None:
    """A rate or ratio (0.015 is 1.5 %) within ``[low, high]`` with at most 8 decimal places; None for a blank
    optional one."""
    if _blank(value):
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
