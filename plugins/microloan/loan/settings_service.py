"""Changing the tenant's microloan settings (settings.MicroloanSettings; needs microloan:settings:manage; audited):
the loan number pattern, the prior year-end net assets, the limit ratios and caps, the approval routes by amount,
the five-category day counts, the provision rates and the collection stages. docs/microloan/loans.md, "Settings".
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from surety.core import inputs
from surety.core.audit.log import audit
from surety.core.authz.check import allowed, require
from surety.core.context import Actor
from surety.core.errors import ValidationFailed
from surety.plugins.microloan.conventions import RISK_CLASSES
from surety.plugins.microloan.loan.approval import APPROVAL_ROLES
from surety.plugins.microloan.loan.numbering import validate_pattern
from surety.plugins.microloan.loan.permissions import LOAN, SETTINGS
from surety.plugins.microloan.settings import MicroloanSettings, get_settings

#: Settings this service changes, in the order they are checked.
FIELDS = ("number_pattern", "prior_year_net_assets", "single_borrower_ratio", "related_group_ratio",
          "online_consumer_cap", "business_cap", "approval_routes", "class_days", "provision_rates",
          "collection_stages", "remind_days_before")
#: Classes that start at a number of days past due (``normal`` is below the first).
OVERDUE_CLASSES = tuple(c for c in RISK_CLASSES if c != "normal")
MAX_DAYS = 3650


def _routes(value: Any) -> list[dict]:
    """Routes: a list of ``{"max": yuan, "steps": [...]}``, max ascending, the last without max; steps the first n of
    APPROVAL_ROLES (the levels of the approval definition)."""
    field = "approval_routes"
    if not isinstance(value, list) or not value:
        raise ValidationFailed("approval_routes is a non-empty list of routes.", field=field)
    out, previous = [], None
    for i, route in enumerate(value):
        if not isinstance(route, Mapping) or set(route) - {"max", "steps"}:
            raise ValidationFailed("Each approval route has max (yuan) and steps.", field=field)
        last = i == len(value) - 1
        top = route.get("max")
        if last and top is not None:
            raise ValidationFailed("The last approval route has no max: it takes every larger amount.", field=field)
        if not last:
            top = inputs.money(top, field, positive=True)
            if previous is not None and top <= previous:
                raise ValidationFailed("The approval routes' max amounts go up: {amount} follows {previous}.",
                                       field=field, amount=inputs.yuan(top), previous=inputs.yuan(previous))
            previous = top
        steps = route.get("steps")
        if not isinstance(steps, list) or not 1 <= len(steps) <= len(APPROVAL_ROLES) or \
                list(steps) != list(APPROVAL_ROLES[:len(steps)]):
            raise ValidationFailed("A route's steps are the first levels of {roles}, in that order.", field=field,
                                   roles=", ".join(APPROVAL_ROLES))
        out.append({"max": str(top), "steps": list(steps)} if top is not None else {"steps": list(steps)})
    return out


def _days(value: Any, field: str, keys: tuple[str, ...] | None) -> dict[str, int]:
    """A mapping of names to day counts going up in order (``keys``: exactly those names, in that order)."""
    if not isinstance(value, Mapping) or not value:
        raise ValidationFailed("{name} maps each name to a number of days.", field=field, name=field)
    names = list(keys) if keys is not None else list(value)
    if keys is not None and set(value) != set(keys):
        raise ValidationFailed("{name} gives exactly {choices}.", field=field, name=field, choices=", ".join(keys))
    out, previous = {}, 0
    for name in names:
        days = inputs.whole(value[name], field, 1, MAX_DAYS, "days")
        if days <= previous:
            raise ValidationFailed("{name}: the days go up from one to the next ({key} at {days}).", field=field,
                                   name=field, key=str(name)[:20], days=days)
        out[str(name)[:20]] = previous = days
    return out


def _rates(value: Any) -> dict[str, str]:
    field = "provision_rates"
    if not isinstance(value, Mapping) or set(value) != set(RISK_CLASSES):
        raise ValidationFailed("{name} gives exactly {choices}.", field=field, name=field,
                               choices=", ".join(RISK_CLASSES))
    return {c: str(inputs.rate(value[c], field)) for c in RISK_CLASSES}


def read_settings(session: Session, actor: Actor) -> MicroloanSettings:
    """The tenant's settings (needs microloan:loan:read or microloan:settings:manage)."""
    if not allowed(session, actor, SETTINGS, "manage"):
        require(session, actor, LOAN, "read")
    return get_settings(session)


def update_settings(session: Session, actor: Actor, data: Mapping[str, Any]) -> MicroloanSettings:
    """Change the given settings (needs microloan:settings:manage): ratios 0 to 1, caps and net assets in yuan
    (net assets may be cleared with None), approval routes (max ascending, the last without max), class days
    ascending, a provision rate (0 to 1) for each of the five classes, collection stages ascending. A value equal
    to the current one changes nothing; a change is audited (before and after)."""
    require(session, actor, SETTINGS, "manage")
    unknown = sorted(set(data) - set(FIELDS))
    if unknown:
        raise ValidationFailed("Unknown setting {name}.", field=unknown[0], name=unknown[0])
    checks = {
        "number_pattern": validate_pattern,
        "prior_year_net_assets": lambda v: inputs.money(v, "prior_year_net_assets", positive=True, required=False),
        "single_borrower_ratio": lambda v: inputs.rate(v, "single_borrower_ratio", low_open=True),
        "related_group_ratio": lambda v: inputs.rate(v, "related_group_ratio", low_open=True),
        "online_consumer_cap": lambda v: inputs.money(v, "online_consumer_cap", positive=True),
        "business_cap": lambda v: inputs.money(v, "business_cap", positive=True),
        "approval_routes": _routes,
        "class_days": lambda v: _days(v, "class_days", OVERDUE_CLASSES),
        "provision_rates": _rates,
        "collection_stages": lambda v: _days(v, "collection_stages", None),
        "remind_days_before": lambda v: inputs.whole(v, "remind_days_before", 0, 30, "days"),
    }
    values = {name: checks[name](data[name]) for name in FIELDS if name in data}
    settings = get_settings(session)
    single = values.get("single_borrower_ratio", settings.single_borrower_ratio)
    group = values.get("related_group_ratio", settings.related_group_ratio)
    if Decimal(group) < Decimal(single):
        raise ValidationFailed("The related-group ratio {group} is below the single-borrower ratio {single}.",
                               field="related_group_ratio", group=group, single=single)
    before = {n: getattr(settings, n) for n in FIELDS}
    for name, value in values.items():
        setattr(settings, name, value)
    after = {n: getattr(settings, n) for n in FIELDS}
    if after != before:
        session.flush()
        audit(session, "microloan.settings.updated", entity_type=SETTINGS, entity_id=settings.id, before=before,
              after=after, actor=actor)
    return settings
