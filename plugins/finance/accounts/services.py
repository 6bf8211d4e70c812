"""The tenant's chart of accounts: install a template's accounts, add, rename, deactivate, read
(docs/finance/README.md, "Chart of accounts"). ``rules.services.install_chart`` installs a template's accounts with
its default voucher rules; this module knows accounts only."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from surety.core import inputs
from surety.core.audit.log import audit
from surety.core.authz.check import require
from surety.core.context import Actor
from surety.core.db.types import utcnow
from surety.core.errors import Conflict, NotFound, ValidationFailed
from surety.plugins.finance.accounts import config_cache
from surety.plugins.finance.accounts.models import FinanceAccount, FinanceChart
from surety.plugins.finance.accounts.templates import (
    CATEGORIES,
    DIMENSIONS,
    DIRECTIONS,
    TEMPLATES,
    level_of,
    parent_of,
)
from surety.plugins.finance.permissions import CHART, VOUCHER

ENTITY = "finance:account"


def _image(a: FinanceAccount) -> dict:
    return {"code": a.code, "name": a.name, "direction": a.direction, "category": a.category,
            "dimensions": a.dimensions, "active": a.active}


@dataclass(frozen=True)
class ChartEntry:
    """What a voucher needs of an account: its name, whether it takes lines, the dimensions it requires."""

    name: str
    active: bool
    leaf: bool
    dimensions: tuple[str, ...]


def _read_chart(session: Session) -> Mapping[str, ChartEntry]:
    rows = session.execute(select(FinanceAccount.code, FinanceAccount.name, FinanceAccount.active,
                                  FinanceAccount.dimensions, FinanceAccount.parent_code)).all()
    parents = {r.parent_code for r in rows if r.parent_code}
    return MappingProxyType({r.code: ChartEntry(r.name, r.active, r.code not in parents,
                                                tuple(d for d in r.dimensions.split(",") if d)) for r in rows})


def chart(session: Session) -> Mapping[str, ChartEntry]:
    """Code -> ChartEntry of every account, from the process cache of the tenant's configuration (config_cache:
    re-checked against ``FinanceChart.config_version`` at most once a second and once per session; every writer of
    the chart bumps it)."""
    return config_cache.cached(session, "chart", _read_chart)


def installed_template(session: Session) -> str | None:
    """The key of the chart template the tenant installed, None before any."""
    return session.scalar(select(FinanceChart.template_key))


def install_accounts(session: Session, actor: Actor | None, template_key: str, *,
                     replace: bool = False) -> list[FinanceAccount]:
    """Copy the accounts of template ``template_key`` into the tenant's chart (needs finance:chart:manage unless
    ``actor`` is None, for provisioning). With a chart installed: refused, or with ``replace`` (the caller checked
    that no voucher uses it) its accounts are dropped first."""
    if actor is not None:
        require(session, actor, CHART, "manage")
    if template_key not in TEMPLATES:
        raise ValidationFailed("template_key is one of {choices}, not {value}.", field="template_key",
                               choices=", ".join(TEMPLATES), value=str(template_key)[:40])
    current = installed_template(session)
    if current is not None and not replace:
        raise Conflict("A chart of accounts ({template_key}) is already installed; edit its accounts instead.",
                       field="template_key", template_key=current)
    if current is None:
        session.add(FinanceChart(template_key=template_key))
    else:  # the row stays (its config_version goes on counting)
        session.execute(delete(FinanceAccount))
        session.execute(update(FinanceChart).values(template_key=template_key, installed_at=utcnow())
                        .execution_options(synchronize_session=False))
    rows = [FinanceAccount(code=a.code, name=a.name, direction=a.direction, category=a.category,
                           level=level_of(a.code), parent_code=parent_of(a.code), dimensions=",".join(a.dimensions))
            for a in TEMPLATES[template_key].accounts]
    session.add_all(rows)
    session.flush()
    config_cache.changed(session)
    audit(session, "finance.chart.installed", entity_type=ENTITY, entity_id=template_key,
          before={"template_key": current}, after={"template_key": template_key, "accounts": len(rows)},
          actor=actor)
    return rows


def list_accounts(session: Session, actor: Actor, *, include_inactive: bool = False) -> list[FinanceAccount]:
    """The tenant's accounts by code (needs finance:voucher:read)."""
    require(session, actor, VOUCHER, "read")
    stmt = select(FinanceAccount).order_by(FinanceAccount.code)
    if not include_inactive:
        stmt = stmt.where(FinanceAccount.active.is_(True))
    return list(session.scalars(stmt))


def accounts_by_code(session: Session, codes: Iterable[str]) -> dict[str, FinanceAccount]:
    """Code -> account for the given codes (one query; unknown codes are absent)."""
    wanted = sorted(set(codes))
    if not wanted:
        return {}
    return {a.code: a for a in session.scalars(select(FinanceAccount).where(FinanceAccount.code.in_(wanted)))}


def get_account(session: Session, code: str) -> FinanceAccount:
    account = accounts_by_code(session, [code]).get(code)
    if account is None:
        raise NotFound("No account with the code {account_code}.", field="code", account_code=code)
    return account


def _dimensions(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str) or not isinstance(value, (list, tuple)):
        raise ValidationFailed("dimensions is a list of {choices}.", field="dimensions", choices=", ".join(DIMENSIONS))
    for d in value:
        if d not in DIMENSIONS:
            raise ValidationFailed("dimensions is a list of {choices}, not {value}.", field="dimensions",
                                   choices=", ".join(DIMENSIONS), value=str(d)[:40])
    return ",".join(d for d in DIMENSIONS if d in value)


def _choice(value: Any, field: str, choices: Mapping[str, str]) -> str:
    if value not in choices:
        raise ValidationFailed("{name} is one of {choices}, not {value}.", field=field, name=field,
                               choices=", ".join(choices), value=str(value)[:40])
    return value


def add_account(session: Session, actor: Actor, data: Mapping[str, Any]) -> FinanceAccount:
    """A new account (needs finance:chart:manage): ``code`` (digits: 4 for level 1, 2 more per level; a sub-account's
    parent must exist), ``name``; ``direction`` and ``category`` default to the parent's; ``dimensions``."""
    require(session, actor, CHART, "manage")
    code = inputs.text(data.get("code"), "code", 20, required=True)
    if not code.isdigit() or level_of(code) == 0:
        raise ValidationFailed("An account code is digits: 4 for a first-level account and 2 more per level below, "
                               "not {value}.", field="code", value=code)
    name = inputs.text(data.get("name"), "name", 100, required=True)
    parent = None
    if parent_of(code) is not None:
        parent = accounts_by_code(session, [parent_of(code)]).get(parent_of(code))
        if parent is None:
            raise ValidationFailed("The parent account {account_code} of {child_code} does not exist.", field="code",
                                   account_code=parent_of(code), child_code=code)
    if accounts_by_code(session, [code]):
        raise Conflict("An account with the code {account_code} already exists.", field="code", account_code=code)
    direction = data.get("direction") or (parent.direction if parent else None)
    category = data.get("category") or (parent.category if parent else None)
    account = FinanceAccount(code=code, name=name, direction=_choice(direction, "direction", DIRECTIONS),
                             category=_choice(category, "category", CATEGORIES), level=level_of(code),
                             parent_code=parent_of(code),
                             dimensions=_dimensions(data.get("dimensions", parent.dimension_list if parent else ())))
    session.add(account)
    session.flush()
    config_cache.changed(session)
    audit(session, "finance.account.added", entity_type=ENTITY, entity_id=account.id, after=_image(account),
          actor=actor)
    return account


def update_account(session: Session, actor: Actor, code: str, data: Mapping[str, Any]) -> FinanceAccount:
    """Rename, (de)activate or change the dimensions of an account (needs finance:chart:manage); its code,
    direction and category stay (vouchers already point at them)."""
    require(session, actor, CHART, "manage")
    unknown = sorted(set(data) - {"name", "active", "dimensions"})
    if unknown:
        raise ValidationFailed("Unknown account field {name}.", field=unknown[0], name=unknown[0])
    account = get_account(session, code)
    before = _image(account)
    if "name" in data:
        account.name = inputs.text(data["name"], "name", 100, required=True)
    if "active" in data:
        if not isinstance(data["active"], bool):
            raise ValidationFailed("active is true (in use) or false.", field="active")
        account.active = data["active"]
    if "dimensions" in data:
        account.dimensions = _dimensions(data["dimensions"])
    session.flush()
    config_cache.changed(session)
    audit(session, "finance.account.updated", entity_type=ENTITY, entity_id=account.id, before=before,
          after=_image(account), actor=actor)
    return account
