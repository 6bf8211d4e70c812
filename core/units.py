"""Units of amounts and rates a client may give and ask for: amounts in yuan (元) or ten-thousands of yuan (万元),
rates as a fraction (0.015) or in percent (1.5). Services keep yuan and fractions; this module converts on the way in,
exactly, through core/inputs.py's Decimal policy (1.2345 万元 is 12345.00 yuan; an amount that would need more than
two decimals of yuan, or a rate more than 8 decimals of a fraction, is refused, not rounded), and on the way out
(:func:`amount_in`, :func:`rate_in`, exact: 12345.67 yuan is 1.234567 万元). A response gives all its figures in
the one unit its query was asked for (docs/graphql.md, "Labels and units")."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from surety.core import inputs, limits
from surety.core.errors import ValidationFailed

YUAN, WAN = "yuan", "wan"
FRACTION, PERCENT = "fraction", "percent"
#: Decimal places of yuan in one unit: 1 万元 = 10^4 yuan.
AMOUNT_POWERS = {YUAN: 0, WAN: 4}
#: Decimal places of a fraction in one unit: 1 % = 10^-2.
RATE_POWERS = {FRACTION: 0, PERCENT: -2}
#: zh-CN and English names of the units (code list ``core.amount_unit`` / ``core.rate_unit``).
AMOUNT_UNIT_LABELS = {YUAN: ("元", "yuan"), WAN: ("万元", "wan (10,000 yuan)")}
RATE_UNIT_LABELS = {FRACTION: ("小数", "fraction"), PERCENT: ("百分比", "percent")}


def _unit(unit: Any, powers: dict[str, int], field: str) -> str:
    unit = getattr(unit, "value", unit)  # a GraphQL enum member or its value
    if unit not in powers:
        raise ValidationFailed("{name} has an unknown unit {unit}; give one of: {allowed}.", field=field, name=field,
                               unit=repr(unit), allowed=", ".join(powers))
    return unit


def to_yuan(value: Any, unit: Any = YUAN, field: str = "amount", *, positive: bool = False,
            what: str | None = None) -> Decimal:
    """``value`` in ``unit`` (yuan or wan) as yuan with two decimals, exact; zero or more (above zero when
    ``positive``); refused when it needs more than two decimals of yuan."""
    unit = _unit(unit, AMOUNT_POWERS, field)
    raw = inputs.number(value, field=field, what=what, low=Decimal(0), low_open=positive)
    yuan = raw.scaleb(AMOUNT_POWERS[unit])
    limits.decimal(yuan, field)
    if yuan != yuan.quantize(inputs.FEN):
        raise ValidationFailed("{what} of {value} {unit} is {yuan} yuan, which has more than two decimal places: it "
                               "is refused, not rounded.", field=field, what=what or field, value=raw,
                               unit=AMOUNT_UNIT_LABELS[unit][1], yuan=yuan)
    return yuan.quantize(inputs.FEN)


def to_fraction(value: Any, unit: Any = FRACTION, field: str = "rate", *, low: Decimal = Decimal(0),
                high: Decimal = Decimal(1), low_open: bool = False, what: str | None = None) -> Decimal:
    """``value`` in ``unit`` (fraction or percent) as a fraction within ``[low, high]`` (bounds as fractions;
    refused in the unit given), exact, with at most ``inputs.RATE_PLACES`` decimal places."""
    unit = _unit(unit, RATE_POWERS, field)
    power = RATE_POWERS[unit]
    scale = Decimal(10) ** -power  # a bound in the unit given: 1 is 100 percent
    raw = inputs.number(value, field=field, what=what, low=low * scale, high=high * scale, low_open=low_open)
    fraction = raw.scaleb(power)
    places = Decimal(1).scaleb(-inputs.RATE_PLACES)
    if fraction != fraction.quantize(places):
        raise ValidationFailed("{what} of {value} {unit} is the fraction {fraction}, which has more than {places} "
                               "decimal places.", field=field, what=what or field, value=raw,
                               unit=RATE_UNIT_LABELS[unit][1], fraction=fraction, places=inputs.RATE_PLACES)
    return fraction


def amount_in(yuan: Decimal | None, unit: Any = YUAN) -> Decimal | None:
    """An amount in yuan shown in ``unit``, exact (12345.67 yuan is 1.234567 wan); None stays None."""
    if yuan is None:
        return None
    return yuan.scaleb(-AMOUNT_POWERS[_unit(unit, AMOUNT_POWERS, "unit")])


def rate_in(fraction: Decimal | None, unit: Any = FRACTION) -> Decimal | None:
    """A fraction shown in ``unit``, exact (0.015 is 1.5 percent); None stays None."""
    if fraction is None:
        return None
    return fraction.scaleb(-RATE_POWERS[_unit(unit, RATE_POWERS, "unit")])


def one_of(plain: Any, with_unit: Any, field: str, unit_field: str) -> None:
    """Refuse an input that gives a figure both plainly (``field``) and with its unit (``unit_field``)."""
    if plain is not None and with_unit is not None:
        raise ValidationFailed("Give {name} or {unit_name}, not both.", field=unit_field, name=field,
                               unit_name=unit_field)
