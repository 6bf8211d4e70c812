"""The regulatory measures for a business date (docs/regulatory/measures.md): the figures and exposures gathered by
the measures area, read through the pure rules (``rules.py``) with the tenant's settings; and the settings' reading
and update (regulatory:settings:manage, every value checked).

- :func:`compute` answers without a permission check (the limit check reads it inside an approval);
  :func:`regulatory_measures` is the checked read (regulatory:report:read) behind the ``regulatoryMeasures`` query.
- Flows read: compensation and releases of 1 January .. ``as_of`` (this year); cumulative compensation and losses
  since :data:`INCEPTION`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from surety.core import inputs
from surety.core.audit.log import audit
from surety.core.authz.check import allowed, require
from surety.core.context import Actor
from surety.core.errors import ValidationFailed
from surety.core.i18n import N_
from surety.core.ports import customers as customers_door
from surety.core.ports.regulatory import BUSINESS_TYPES, CUSTOMER_TYPES, Figure, total
from surety.core.words import Words
from surety.plugins.regulatory import conventions as c
from surety.plugins.regulatory.indicators import rules
from surety.plugins.regulatory.indicators.permissions import SETTINGS
from surety.plugins.regulatory.measures import gather
from surety.plugins.regulatory.measures.permissions import REPORT
from surety.plugins.regulatory.settings import RegulatorySettings, get_settings

#: The first day cumulative flows are counted from ("since inception").
INCEPTION = dt.date(1900, 1, 1)
ZERO = Decimal("0.00")


def params_of(row: RegulatorySettings) -> rules.Params:
    """The settings row as the rules read it."""
    return rules.Params(
        weights=rules.weight_rules(row.weights or c.DEFAULT_WEIGHTS),
        thresholds={k: Decimal(str(v)) for k, v in (row.thresholds or {}).items()},
        threshold_basis=row.threshold_basis, deduct_reguaranteed=bool(row.deduct_reguaranteed),
        mainly_small_micro=bool(row.mainly_small_micro), leverage_cap=row.leverage_cap,
        leverage_cap_small_micro=row.leverage_cap_small_micro, single_party_limit=row.single_party_limit,
        related_group_limit=row.related_group_limit, class_i_min=row.class_i_min,
        class_i_ii_min=row.class_i_ii_min, class_iii_max=row.class_iii_max)


@dataclasses.dataclass(frozen=True)
class Base:
    """The net-asset base of leverage and concentration, from the finance figures."""

    net_assets: Decimal
    equity_in_guarantee_companies: Decimal

    @property
    def amount(self) -> Decimal:
        return rules.net_asset_base(self.net_assets, self.equity_in_guarantee_companies)


def base_of(figures: Iterable[Figure]) -> Base:
    found = list(figures)
    return Base(total(found, "finance.net_assets"), total(found, "finance.equity_in_guarantee_companies"))


@dataclasses.dataclass(frozen=True)
class Measures:
    """Every measure of a business date (see the module and rules.py)."""

    as_of: dt.date
    params: rules.Params
    base: Base
    liability: rules.LiabilityBalance
    leverage: rules.Limit
    concentration: rules.Concentration
    assets: rules.AssetRatios
    total_assets: Decimal
    compensation_receivable: Decimal
    indicators: rules.Indicators
    microloan: rules.MicroloanRatios | None
    #: Customer names of the top parties (empty unless the reader may read customers).
    names: Mapping[uuid.UUID, str] = dataclasses.field(default_factory=dict)

    @property
    def limits(self) -> tuple[rules.Limit, ...]:
        return (self.leverage, self.concentration.single, self.concentration.group, self.assets.class_i,
                self.assets.class_i_ii, self.assets.class_iii)


def _microloan(figures: list[Figure]) -> rules.MicroloanRatios | None:
    balances = [f for f in figures if f.measure == "microloan.loan_balance"]
    if not balances:
        return None
    by_class: dict[str, Decimal] = {}
    for f in balances:
        key = f.dim("loan_class") or "unclassified"
        by_class[key] = by_class.get(key, ZERO) + f.value
    return rules.microloan_ratios(by_class, total(figures, "microloan.provision_balance"))


def compute(session: Session, as_of: dt.date) -> Measures:
    """The measures at the end of ``as_of`` (no permission check)."""
    params = params_of(get_settings(session))
    year = list(gather.figures_for(session, as_of, dt.date(as_of.year, 1, 1)))
    ever = list(gather.figures_for(session, as_of, INCEPTION))
    exposures = gather.exposures_for(session, as_of)
    base = base_of(year)
    liability = rules.liability_balance(exposures, params)
    related = customers_door.related_many(session, list(liability.by_customer))
    classes = {k: total(year, "finance.assets_by_class", asset_class=k) for k in ("I", "II", "III")}
    total_assets = total(year, "finance.total_assets")
    receivable = total(year, "finance.compensation_receivable")
    return Measures(
        as_of=as_of, params=params, base=base, liability=liability,
        leverage=rules.leverage(liability.total, base.amount, params),
        concentration=rules.concentration(liability.by_customer, related, base.amount, params),
        assets=rules.asset_ratios(total_assets, receivable, classes, params),
        total_assets=total_assets, compensation_receivable=receivable,
        indicators=rules.indicators(
            compensation_this_year=total(year, "guarantee.compensation_amount"),
            released_this_year=total(year, "guarantee.released_amount"),
            cumulative_loss=total(ever, "guarantee.loss_amount"),
            cumulative_compensation=total(ever, "guarantee.compensation_amount"),
            unearned_premium_reserve=total(year, "finance.unearned_premium_reserve"),
            compensation_reserve=total(year, "finance.compensation_reserve"),
            compensation_balance=total(year, "guarantee.compensation_balance")),
        microloan=_microloan(year))


def may_see_names(session: Session, actor: Actor) -> bool:
    """Whether ``actor`` may see customer names next to the figures (customers:customer:read)."""
    return allowed(session, actor, "customers:customer", "read")


def regulatory_measures(session: Session, actor: Actor, as_of: dt.date) -> Measures:
    """The measures at the end of ``as_of`` for someone holding regulatory:report:read; the top parties' names only
    for those who may read customers."""
    require(session, actor, REPORT, "read")
    found = compute(session, as_of)
    if not may_see_names(session, actor):
        return found
    ids = [p.customer_id for p in found.concentration.top]
    if found.concentration.largest_group:
        ids += list(found.concentration.largest_group.members)
    return dataclasses.replace(found, names=customers_door.names(session, ids))


# ---------------------------------------------------------------- settings ------------------------------------------


#: Fields of the settings a client may change, in the order they are checked.
FIELDS = ("registered_capital", "mainly_small_micro", "province", "weights", "thresholds", "threshold_basis",
          "deduct_reguaranteed", "leverage_cap", "leverage_cap_small_micro", "single_party_limit",
          "related_group_limit", "class_i_min", "class_i_ii_min", "class_iii_max")
#: The highest leverage cap accepted (times the net-asset base).
MAX_LEVERAGE_CAP = Decimal("100")
_RATE_FIELDS = ("single_party_limit", "related_group_limit", "class_i_min", "class_i_ii_min", "class_iii_max")


def read_settings(session: Session, actor: Actor) -> RegulatorySettings:
    """The tenant's settings, for someone holding regulatory:report:read or regulatory:settings:manage."""
    if not allowed(session, actor, SETTINGS, "manage"):
        require(session, actor, REPORT, "read")
    return get_settings(session)


def _flag(value: Any, field: str) -> bool:
    if not isinstance(value, bool):
        raise ValidationFailed("{field} is true or false.", field=field)
    return value


def _choice(value: Any, field: str, choices: Iterable[str], *, optional: bool = False) -> str | None:
    if optional and inputs.blank(value):
        return None
    options = list(choices)
    if value not in options:
        raise ValidationFailed("{field} is one of {choices}, not {value}.", field=field, choices=", ".join(options),
                               value=str(value)[:40])
    return value


def _weights(value: Any, thresholds: Mapping[str, Any]) -> list[dict]:
    if not isinstance(value, list) or not value or len(value) > 50:
        raise ValidationFailed("weights is a list of 1 to 50 lines.", field="weights")
    out = []
    for i, row in enumerate(value):
        where = f"weights[{i}]"
        if not isinstance(row, Mapping):
            raise ValidationFailed("{field} is an object.", field=where)
        unknown = sorted(set(row) - {"business_type", "customer_type", "threshold", "min_rating", "weight"})
        if unknown:
            raise ValidationFailed("{field} has unknown keys: {keys}.", field=where, keys=", ".join(unknown))
        line = {"business_type": _choice(row.get("business_type"), f"{where}.business_type",
                                         [k for k, (_, financing) in BUSINESS_TYPES.items() if financing])}
        for key, choices in (("customer_type", CUSTOMER_TYPES), ("threshold", thresholds), ("min_rating", c.RATINGS)):
            picked = _choice(row.get(key), f"{where}.{key}", choices, optional=True)
            if picked:
                line[key] = picked
        weight = inputs.rate(row.get("weight"), f"{where}.weight",
                             what=Words(N_("The weight of line {line}"), line=i + 1))
        line["weight"] = str(weight)
        out.append(line)
    return out


def _thresholds(value: Any) -> dict[str, str]:
    if not isinstance(value, Mapping) or set(value) != set(c.DEFAULT_THRESHOLDS):
        raise ValidationFailed("thresholds names each of {names} once.", field="thresholds",
                               names=", ".join(c.DEFAULT_THRESHOLDS))
    return {k: str(inputs.money(v, f"thresholds.{k}", positive=True)) for k, v in value.items()}


def clean_settings(current: RegulatorySettings, data: Mapping[str, Any]) -> dict[str, Any]:
    """The checked values of ``data`` (only the fields given), each refused with a zh-CN message naming it."""
    unknown = sorted(set(data) - set(FIELDS))
    if unknown:
        raise ValidationFailed("Unknown settings: {names}.", field=unknown[0], names=", ".join(unknown))
    out: dict[str, Any] = {}
    for name in FIELDS:
        if name not in data:
            continue
        value = data[name]
        if name == "registered_capital":
            out[name] = inputs.money(value, name, required=False)
        elif name in ("mainly_small_micro", "deduct_reguaranteed"):
            out[name] = _flag(value, name)
        elif name == "province":
            text = inputs.text(value, name, 6)
            if text and not (len(text) == 6 and text.isdigit() and text.endswith("0000")):
                raise ValidationFailed("province is the 6-digit code of a province (e.g. 320000), not {value}.",
                                       field=name, value=text)
            out[name] = text
        elif name == "thresholds":
            out[name] = _thresholds(value)
        elif name == "weights":
            out[name] = _weights(value, out.get("thresholds") or current.thresholds or {})
        elif name == "threshold_basis":
            out[name] = _choice(value, name, c.THRESHOLD_BASES)
        elif name in ("leverage_cap", "leverage_cap_small_micro"):
            out[name] = inputs.number(value, field=name, low=Decimal(0), low_open=True, high=MAX_LEVERAGE_CAP,
                                      places=inputs.RATE_PLACES)
        elif name in _RATE_FIELDS:
            out[name] = inputs.rate(value, name, low=Decimal(0), low_open=True)
    return out


def _image(row: RegulatorySettings) -> dict:
    return {name: getattr(row, name) for name in FIELDS}


def update_settings(session: Session, actor: Actor, data: Mapping[str, Any]) -> RegulatorySettings:
    """Change the settings given in ``data`` (regulatory:settings:manage); audited with before and after."""
    require(session, actor, SETTINGS, "manage")
    row = get_settings(session)
    values = clean_settings(row, data)
    before = _image(row)
    for name, value in values.items():
        setattr(row, name, value)
    session.flush()
    audit(session, "regulatory.settings.updated", entity_type=SETTINGS, entity_id=row.id, before=before,
          after=_image(row), actor=actor)
    return row

