"""The tenant's programmes (业务品种): created from conventions.DEFAULT_PROGRAMMES on first use, then the tenant's
own rows to edit (docs/reguarantee/README.md, "Programmes"). An agreement copies its programme's split, fee rules and
cap when it does not give its own; a later change of a programme does not move existing agreements."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from surety.core import inputs
from surety.core.audit.log import audit
from surety.core.authz.check import require
from surety.core.context import Actor
from surety.core.db.locking import lock_by_id
from surety.core.errors import Conflict, NotFound, ValidationFailed
from surety.plugins.reguarantee.agreement.models import ReguaranteeProgramme
from surety.plugins.reguarantee.agreement.permissions import AGREEMENT, PROGRAMME
from surety.plugins.reguarantee.agreement.rules import PARTIES
from surety.plugins.reguarantee.conventions import DEFAULT_PROGRAMMES

ENTITY = PROGRAMME
#: Fields of a programme a person may give.
FIELDS = ("code", "name", "active", "fund_share_max", "split", "household_cap", "base_fee_rate",
          "reduced_fee_rate", "reduced_threshold", "fee_multiplier")
#: Highest yearly fee rate a programme or an agreement may hold (a fraction: 5 %).
MAX_FEE_RATE = Decimal("0.05")


def ensure_programmes(session: Session) -> None:
    """Create the default programmes when the tenant has none yet (once: after that the rows are the tenant's)."""
    if session.scalar(select(ReguaranteeProgramme.id).limit(1)) is not None:
        return
    for p in DEFAULT_PROGRAMMES:
        session.add(ReguaranteeProgramme(**p))
    session.flush()


def clean_split(value: Any, field: str = "split") -> dict[str, Decimal]:
    """A risk-sharing split: every party of ``rules.PARTIES`` with a fraction 0-1, summing to exactly 1."""
    if not isinstance(value, Mapping) or set(value) != set(PARTIES):
        raise ValidationFailed("A split names each of {parties} once.", field=field, parties=", ".join(PARTIES))
    parts = {p: inputs.rate(value[p], field) for p in PARTIES}
    total = sum(parts.values(), Decimal(0))
    if total != 1:
        raise ValidationFailed("The parts of a split sum to 1, not {total}.", field=field, total=total)
    return parts


def clean_fee_rules(values: Mapping[str, Any]) -> dict[str, Any]:
    """The fee fields given in ``values``, checked: rates 0-5 %, threshold an amount, multiplier 0-1."""
    checks = {
        "base_fee_rate": lambda v: inputs.rate(v, "base_fee_rate", high=MAX_FEE_RATE),
        "reduced_fee_rate": lambda v: inputs.rate(v, "reduced_fee_rate", high=MAX_FEE_RATE, required=False),
        "reduced_threshold": lambda v: inputs.money(v, "reduced_threshold", positive=True, required=False),
        "fee_multiplier": lambda v: inputs.rate(v, "fee_multiplier"),
        "household_cap": lambda v: inputs.money(v, "household_cap", positive=True),
    }
    return {k: check(values[k]) for k, check in checks.items() if k in values}


def _clean(data: Mapping[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(data) - set(FIELDS))
    if unknown:
        raise ValidationFailed("Unknown programme field {name}.", field=unknown[0], name=unknown[0])
    out = clean_fee_rules(data)
    if "code" in data:
        out["code"] = inputs.text(data["code"], "code", 40, required=True)
    if "name" in data:
        out["name"] = inputs.text(data["name"], "name", 100, required=True)
    if "active" in data:
        if not isinstance(data["active"], bool):
            raise ValidationFailed("active (usable for new agreements) is true or false.", field="active")
        out["active"] = data["active"]
    if "fund_share_max" in data:
        out["fund_share_max"] = inputs.rate(data["fund_share_max"], "fund_share_max")
    if "split" in data:
        out["split"] = {p: str(v) for p, v in clean_split(data["split"]).items()}
    return out


def _check(p: ReguaranteeProgramme) -> None:
    if Decimal(p.split["national_fund"]) > p.fund_share_max:
        raise ValidationFailed("The national fund's part {part} is above the programme's maximum {maximum}.",
                               field="split", part=p.split["national_fund"], maximum=p.fund_share_max)
    if (p.reduced_fee_rate is None) != (p.reduced_threshold is None):
        raise ValidationFailed("Give the reduced fee rate and its threshold together.", field="reduced_fee_rate")


def _image(p: ReguaranteeProgramme) -> dict:
    return {f: getattr(p, f) for f in FIELDS}


def list_programmes(session: Session, actor: Actor, *, include_inactive: bool = True) -> list[ReguaranteeProgramme]:
    """The tenant's programmes by code (needs reguarantee:agreement:read); the defaults are created on first use."""
    require(session, actor, AGREEMENT, "read")
    ensure_programmes(session)
    stmt = select(ReguaranteeProgramme).order_by(ReguaranteeProgramme.code)
    if not include_inactive:
        stmt = stmt.where(ReguaranteeProgramme.active.is_(True))
    return list(session.scalars(stmt))


def get_programme(session: Session, programme_id: uuid.UUID, field: str = "programme_id") -> ReguaranteeProgramme:
    row = session.scalar(select(ReguaranteeProgramme).where(ReguaranteeProgramme.id == programme_id))
    if row is None:
        raise NotFound("No programme with that id.", field=field)
    return row


def _refuse_duplicate(session: Session, code: str, exclude: uuid.UUID | None = None) -> None:
    found = session.scalar(select(ReguaranteeProgramme.id).where(ReguaranteeProgramme.code == code))
    if found is not None and found != exclude:
        raise Conflict("A programme with the code {programme_code} already exists.", field="code",
                       programme_code=code)


def create_programme(session: Session, actor: Actor, data: Mapping[str, Any]) -> ReguaranteeProgramme:
    """A new programme (needs reguarantee:programme:manage): code, name, fund share maximum, split, cap and base
    fee rate are required; audited."""
    require(session, actor, PROGRAMME, "manage")
    ensure_programmes(session)
    values = _clean(data)
    for name in ("code", "name", "fund_share_max", "split", "household_cap", "base_fee_rate"):
        if name not in values:
            raise ValidationFailed("Give {name}.", field=name, name=name)
    _refuse_duplicate(session, values["code"])
    row = ReguaranteeProgramme(**{"fee_multiplier": Decimal(1), **values})
    _check(row)
    session.add(row)
    session.flush()
    audit(session, "reguarantee.programme.created", entity_type=ENTITY, entity_id=row.id, after=_image(row))
    return row


def update_programme(session: Session, actor: Actor, programme_id: uuid.UUID,
                     data: Mapping[str, Any]) -> ReguaranteeProgramme:
    """Change the given fields of a programme (needs reguarantee:programme:manage); audited. Existing agreements
    keep the terms they copied."""
    require(session, actor, PROGRAMME, "manage")
    values = _clean(data)
    row = lock_by_id(session, ReguaranteeProgramme, programme_id, "name", "programme", "id")
    if "code" in values:
        _refuse_duplicate(session, values["code"], exclude=row.id)
    before = _image(row)
    for name, value in values.items():
        setattr(row, name, value)
    _check(row)
    session.flush()
    audit(session, "reguarantee.programme.updated", entity_type=ENTITY, entity_id=row.id, before=before,
          after=_image(row))
    return row
