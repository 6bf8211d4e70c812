"""GraphQL inputs of amounts and rates with an explicit unit, and the unit a query gives its figures in
(core/units.py converts; docs/graphql.md, "Labels and units").

``AmountInput {value, unit = YUAN}`` takes yuan (元) or 万元, ``RateInput {value, unit = FRACTION}`` a fraction or
percent; a mutation that takes one keeps its plain Decimal field too and refuses both at once (:func:`amount_of`,
:func:`rate_of`). A query with a ``unit: AmountUnit = YUAN`` argument gives every amount of its answer in that unit
(:func:`shown`) and says which (``amountUnit``)."""

from __future__ import annotations

import enum
from decimal import Decimal
from typing import Any

import strawberry

from surety.core import units


@strawberry.enum(description="The unit of an amount of money: 元 or 万元.")
class AmountUnit(enum.Enum):
    YUAN = strawberry.enum_value(units.YUAN, description="元 (yuan)")
    WAN = strawberry.enum_value(units.WAN, description="万元 (10,000 yuan)")


@strawberry.enum(description="The unit of a rate or ratio: a fraction (0.015) or percent (1.5).")
class RateUnit(enum.Enum):
    FRACTION = strawberry.enum_value(units.FRACTION, description="小数 (fraction: 0.015 is 1.5 %)")
    PERCENT = strawberry.enum_value(units.PERCENT, description="百分比 (percent: 1.5 is 0.015)")


@strawberry.input(description="An amount with its unit: {value: \"120\", unit: WAN} is 1,200,000.00 yuan. Exact: an "
                              "amount that would need more than two decimals of yuan is refused, not rounded.")
class AmountInput:
    value: Decimal
    unit: AmountUnit = AmountUnit.YUAN


@strawberry.input(description="A rate with its unit: {value: \"1.5\", unit: PERCENT} is 0.015. Exact: a rate that "
                              "would need more than 8 decimals as a fraction is refused.")
class RateInput:
    value: Decimal
    unit: RateUnit = RateUnit.FRACTION


def amount_of(plain: Any, with_unit: AmountInput | None, field: str, unit_field: str, **checks: Any) -> Any:
    """The amount in yuan a mutation was given: ``with_unit`` converted (``checks``: core.units.to_yuan's
    ``positive``, ``what``), else ``plain`` as it was (the service checks it); both given: refused. UNSET and None
    pass through as ``plain``."""
    given = None if with_unit is strawberry.UNSET else with_unit
    units.one_of(None if plain is strawberry.UNSET else plain, given, field, unit_field)
    if given is None:
        return plain
    return units.to_yuan(given.value, given.unit, unit_field, **checks)


def rate_of(plain: Any, with_unit: RateInput | None, field: str, unit_field: str, **checks: Any) -> Any:
    """The fraction a mutation was given: ``with_unit`` converted (``checks``: core.units.to_fraction's ``low``,
    ``high``, ``low_open``, ``what``), else ``plain`` as it was; both given: refused."""
    given = None if with_unit is strawberry.UNSET else with_unit
    units.one_of(None if plain is strawberry.UNSET else plain, given, field, unit_field)
    if given is None:
        return plain
    return units.to_fraction(given.value, given.unit, unit_field, **checks)


def shown(yuan: Decimal | None, unit: AmountUnit) -> Decimal | None:
    """An amount in yuan as the query's ``unit`` shows it (exact)."""
    return units.amount_in(yuan, unit.value)
