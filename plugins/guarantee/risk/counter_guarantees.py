"""Counter-guarantees (反担保) of a project: add, change and remove them while the project is a draft or in approval,
with kind-specific collateral details, a valuation, its date and a discount rate. After approval they are locked,
except that one may be added while a review committee condition requiring it is open (project/conditions.py:
``add_counter_guarantee`` any kind, ``add_guarantor`` a third-party guarantee). Every change is audited and
recomputes the project's risk (risk.py). docs/guarantee/risk.md, "Counter-guarantees"."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from surety.core import inputs
from surety.core.audit.log import audit
from surety.core.authz.check import require
from surety.core.context import Actor
from surety.core.db.types import to_money
from surety.core.errors import Conflict, NotFound, ValidationFailed
from surety.core.i18n import N_
from surety.core.words import Words
from surety.core.workflow.engine import business_today
from surety.plugins.guarantee.permissions import COUNTER
from surety.plugins.guarantee.project import conditions
from surety.plugins.guarantee.project.models import COUNTER_KINDS, GuaranteeCounterGuarantee, GuaranteeProject
from surety.plugins.guarantee.project.words import project_status
from surety.plugins.guarantee.risk.project_risk import OPEN_STATUSES, project_for, recompute_risk

ENTITY = "guarantee:counter_guarantee"
FIELDS = ("kind", "description", "owner_name", "collateral", "valuation", "valuation_date", "discount_rate")
#: kind -> (required collateral keys, optional collateral keys). ``owner_name`` is the pledgor, mortgagor or
#: guarantor; a third-party guarantee needs it. ``deposit.amount`` is money; the rest are short texts.
COLLATERAL = {
    "pledge": (("pledged_item",), ("certificate_no", "quantity", "location")),
    "mortgage": (("certificate_no", "address"), ("property_type", "area")),
    "third_party": ((), ("relation",)),
    "credit": ((), ()),
    "lien": (("item",), ("location",)),
    "deposit": (("amount",), ("account_note",)),
}
_TEXT_LIMIT = 200
RATE_PLACES = Decimal("0.00000001")  # as the Rate column keeps it


def _collateral(kind: str, details: Any) -> dict[str, str]:
    if details is None:
        details = {}
    if not isinstance(details, Mapping):
        raise ValidationFailed("Collateral details are an object of field -> value.", field="collateral")
    required, optional = COLLATERAL[kind]
    unknown = sorted(set(details) - set(required) - set(optional))
    if unknown:
        allowed = ", ".join(required + optional) or "none"
        raise ValidationFailed("Unknown collateral detail {unknown!r} for a {kind} counter-guarantee (allowed: "
                               "{allowed}).", field="collateral", unknown=unknown[0], kind=kind, allowed=allowed)
    out: dict[str, str] = {}
    for key in required + optional:
        value = details.get(key)
        if key == "amount" and value not in (None, ""):
            out[key] = str(to_money(inputs.number(value, field="collateral", what=Words(N_("The deposit amount")),
                                               low=Decimal("0.01"))))
            continue
        text = inputs.text(value, f"collateral.{key}")
        if text:
            out[key] = text
        elif key in required:
            raise ValidationFailed("A {kind} counter-guarantee needs the collateral detail {key!r}.",
                                   field="collateral", kind=kind, key=key)
    return out


def clean(data: Mapping[str, Any], *, today: dt.date | None = None) -> dict[str, Any]:
    """Validated, normalised values of a complete counter-guarantee (every field of FIELDS, defaults applied)."""
    unknown = sorted(set(data) - set(FIELDS))
    if unknown:
        raise ValidationFailed("Unknown counter-guarantee field {unknown!r}.", field=unknown[0], unknown=unknown[0])
    kind = data.get("kind")
    if kind not in COUNTER_KINDS:
        raise ValidationFailed("A counter-guarantee kind is one of {counter_kinds}; not {kind!r}.",
                               field="kind", counter_kinds=", ".join(COUNTER_KINDS), kind=kind)
    out: dict[str, Any] = {"kind": kind, "description": inputs.text(data.get("description"), "description", 500),
                           "owner_name": inputs.text(data.get("owner_name"), "owner_name") or None,
                           "collateral": _collateral(kind, data.get("collateral"))}
    if kind == "third_party" and not out["owner_name"]:
        raise ValidationFailed("A third-party guarantee needs the guarantor's name.", field="owner_name")
    raw = data.get("valuation")
    valuation = Decimal("0.00") if raw in (None, "") else to_money(
        inputs.number(raw, field="valuation", what=Words(N_("The valuation")), low=Decimal(0)))
    if kind == "deposit":
        deposit = Decimal(out["collateral"]["amount"])
        if raw in (None, ""):
            valuation = deposit
        elif valuation != deposit:
            raise ValidationFailed("A deposit is valued at its amount ({deposit}), not {valuation}.",
                                   field="valuation", deposit=deposit, valuation=valuation)
    if kind == "credit" and valuation > 0:
        raise ValidationFailed("A credit counter-guarantee has no collateral to value: its valuation is 0.",
                               field="valuation")
    out["valuation"] = valuation
    when = data.get("valuation_date")
    if when is not None and not isinstance(when, dt.date):
        try:
            when = dt.date.fromisoformat(str(when))
        except ValueError:
            raise ValidationFailed("The valuation date is a date (YYYY-MM-DD).", field="valuation_date") from None
    today = today or business_today()
    if kind == "deposit" and when is None:
        when = today  # cash: valued when recorded
    if valuation > 0 and when is None:
        raise ValidationFailed("A valuation needs the date it was made.", field="valuation_date")
    if when is not None and when > today:
        raise ValidationFailed("The valuation date {when} is in the future (today is "
                               "{today}).", field="valuation_date", when=when.isoformat(), today=today.isoformat())
    out["valuation_date"] = when
    rate = data.get("discount_rate")
    out["discount_rate"] = (Decimal(1) if rate in (None, "") else inputs.number(
        rate, field="discount_rate", what=Words(N_("The discount rate")), low=Decimal(0), high=Decimal(1))
    ).quantize(RATE_PLACES, rounding=ROUND_HALF_UP)
    return out


def _image(row: GuaranteeCounterGuarantee) -> dict[str, Any]:
    return {"project_id": str(row.project_id), "kind": row.kind, "description": row.description,
            "owner_name": row.owner_name, "collateral": dict(row.collateral or {}), "valuation": str(row.valuation),
            "valuation_date": row.valuation_date.isoformat() if row.valuation_date else None,
            "discount_rate": str(row.discount_rate)}


def _open_project(session: Session, actor: Actor, project_id: uuid.UUID, *, adding: str | None = None
                  ) -> tuple[GuaranteeProject, conditions.GuaranteeApprovalCondition | None]:
    """The project, locked, when its counter-guarantees may change; with ``adding`` (the kind of a counter-guarantee
    being added) after approval, also the open committee condition that requires it."""
    require(session, actor, COUNTER, "manage")
    project = project_for(session, actor, project_id, lock=True)
    if project.status in OPEN_STATUSES:
        return project, None
    condition = conditions.condition_allowing(session, project.id, adding) \
        if adding is not None and project.status in conditions.LIVE_STATUSES else None
    if condition is None:
        raise Conflict("Counter-guarantees change only while the project is a draft or in approval; it is "
                       "{status} (after approval one is added only while a review committee condition "
                       "requiring it is open).", field="project_id", status=project_status(project.status))
    return project, condition


def _row(session: Session, counter_id: uuid.UUID) -> GuaranteeCounterGuarantee:
    row = session.scalar(select(GuaranteeCounterGuarantee).where(GuaranteeCounterGuarantee.id == counter_id))
    if row is None:
        raise NotFound("No counter-guarantee with that id.", field="id")
    return row


def add_counter_guarantee(session: Session, actor: Actor, project_id: uuid.UUID,
                          data: Mapping[str, Any]) -> GuaranteeCounterGuarantee:
    """Record a counter-guarantee of a draft or in-approval project, or of an approved or contracted project while a
    review committee condition requiring it is open (the audit record names the condition)."""
    require(session, actor, COUNTER, "manage")
    values = clean(data)
    project, condition = _open_project(session, actor, project_id, adding=values["kind"])
    row = GuaranteeCounterGuarantee(project_id=project.id, **values)
    session.add(row)
    session.flush()
    after = _image(row) if condition is None else {**_image(row), "condition_id": str(condition.id)}
    audit(session, "guarantee.counter_guarantee.add", entity_type=ENTITY, entity_id=row.id, after=after,
          actor=actor)
    recompute_risk(session, project)
    return row


def update_counter_guarantee(session: Session, actor: Actor, counter_id: uuid.UUID,
                             changes: Mapping[str, Any]) -> GuaranteeCounterGuarantee:
    """Change some fields of a counter-guarantee (the result is validated as a whole; a new kind needs its own
    collateral details)."""
    require(session, actor, COUNTER, "manage")
    row = _row(session, counter_id)
    project, _ = _open_project(session, actor, row.project_id)
    before = _image(row)
    merged = {**{f: getattr(row, f) for f in FIELDS}, **dict(changes)}
    if merged["kind"] == "deposit" and "valuation" not in changes:
        merged.pop("valuation")  # a deposit is valued at its (possibly new) amount
    values = clean(merged)
    for field, value in values.items():
        setattr(row, field, value)
    session.flush()
    audit(session, "guarantee.counter_guarantee.update", entity_type=ENTITY, entity_id=row.id, before=before,
          after=_image(row), actor=actor)
    recompute_risk(session, project)
    return row


def remove_counter_guarantee(session: Session, actor: Actor, counter_id: uuid.UUID) -> uuid.UUID:
    """Delete a counter-guarantee of a draft or in-approval project; returns the project's id."""
    require(session, actor, COUNTER, "manage")
    row = _row(session, counter_id)
    project, _ = _open_project(session, actor, row.project_id)
    before = _image(row)
    session.delete(row)
    session.flush()
    audit(session, "guarantee.counter_guarantee.remove", entity_type=ENTITY, entity_id=counter_id, before=before,
          actor=actor)
    recompute_risk(session, project)
    return project.id


def list_counter_guarantees(session: Session, actor: Actor, project_id: uuid.UUID
                            ) -> list[GuaranteeCounterGuarantee]:
    """The project's counter-guarantees, oldest first."""
    require(session, actor, COUNTER, "read")
    project = project_for(session, actor, project_id)
    return list(session.scalars(select(GuaranteeCounterGuarantee)
                                .where(GuaranteeCounterGuarantee.project_id == project.id)
                                .order_by(GuaranteeCounterGuarantee.created_at, GuaranteeCounterGuarantee.id)))
