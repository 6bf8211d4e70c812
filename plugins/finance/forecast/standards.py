"""The fee standards catalogue (收费标准, docs/finance/forecast.md): create, update and list the tenant's
standards, and what a standard charges (:func:`fee_of`, pure)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from surety.core import inputs
from surety.core.audit.log import audit
from surety.core.authz.check import require
from surety.core.context import Actor
from surety.core.errors import Conflict, NotFound, ValidationFailed
from surety.plugins.finance.forecast.models import FinanceFeeStandard
from surety.plugins.finance.forecast.permissions import FEE_STANDARD

ENTITY = "finance:fee_standard"
ANNUAL_RATE, ONE_OFF_RATE, FIXED = "annual_rate", "one_off_rate", "fixed"
#: Basis -> zh-CN label.
BASES = {ANNUAL_RATE: "按年费率（担保金额 × 年费率 × 天数 / 365）", ONE_OFF_RATE: "一次性费率（担保金额 × 费率）",
         FIXED: "固定金额"}
FIELDS = ("code", "name", "business_kind", "basis", "rate", "amount", "min_fee", "valid_from", "valid_to")
_CODE = re.compile(r"^[a-z][a-z0-9_]*$")
_STANDARD_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
FEN = Decimal("0.01")


def fee_of(basis: str, rate: Decimal | None, amount: Decimal | None, min_fee: Decimal | None, guaranteed: Decimal,
           days: int) -> Decimal:
    """The fee (yuan, half-up to the fen) a standard charges for ``guaranteed`` yuan over ``days`` days of term:
    rate x amount x days / 365, rate x amount, or the fixed amount; at least ``min_fee``. Pure."""
    if basis == ANNUAL_RATE:
        fee = guaranteed * rate * days / 365
    elif basis == ONE_OFF_RATE:
        fee = guaranteed * rate
    else:
        fee = amount
    return max(fee.quantize(FEN, rounding=ROUND_HALF_UP), min_fee or Decimal("0.00"))


def _image(s: FinanceFeeStandard) -> dict:
    return {f: getattr(s, f) for f in FIELDS}


def _standard_code(value: Any) -> str:
    result = inputs.text(value, "code", 40, required=True)
    if not _STANDARD_CODE.match(result):
        raise ValidationFailed("The code may hold only letters, digits, underscores, dots and hyphens (such as "
                               "{example}), not {value}.", field="code", example="DB-2026.1", value=result)
    return result


def _kind(value: Any) -> str:
    result = inputs.text(value, "business_kind", 40, required=True)
    if not _CODE.match(result):
        raise ValidationFailed("The business kind is a code of lower-case letters, digits and underscores (such as "
                               "{example}), not {value}.", field="business_kind", example="loan_guarantee",
                               value=result)
    return result


def _date(value: Any, field: str, *, required: bool) -> dt.date | None:
    if value is None and not required:
        return None
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise ValidationFailed("{name} is a date.", field=field, name=field)
    return value


def _checked(data: Mapping[str, Any]) -> dict[str, Any]:
    """Every field of a standard checked, and the fields that go together (rate or amount by basis, the dates)."""
    basis = data.get("basis")
    if basis not in BASES:
        raise ValidationFailed("{name} is one of {choices}, not {value}.", field="basis", name="basis",
                               choices=", ".join(BASES), value=str(basis)[:40])
    out = {"code": _standard_code(data.get("code")),
           "name": inputs.text(data.get("name"), "name", 100, required=True),
           "business_kind": _kind(data.get("business_kind")),
           "basis": basis, "rate": None, "amount": None,
           "min_fee": inputs.money(data.get("min_fee"), "min_fee", required=False, what="最低收费"),
           "valid_from": _date(data.get("valid_from"), "valid_from", required=True),
           "valid_to": _date(data.get("valid_to"), "valid_to", required=False)}
    if basis == FIXED:
        if not inputs.blank(data.get("rate")):
            raise ValidationFailed("A fixed-amount standard has no rate.", field="rate")
        out["amount"] = inputs.money(data.get("amount"), "amount", positive=True, what="固定金额")
    else:
        if not inputs.blank(data.get("amount")):
            raise ValidationFailed("A rate standard has no fixed amount; give its rate.", field="amount")
        out["rate"] = inputs.rate(data.get("rate"), "rate", low_open=True, what="费率")
    if out["valid_to"] is not None and out["valid_to"] < out["valid_from"]:
        raise ValidationFailed("valid_to ({valid_to}) is before valid_from ({valid_from}).", field="valid_to",
                               valid_to=out["valid_to"].isoformat(), valid_from=out["valid_from"].isoformat())
    return out


def get_standard(session: Session, code: str) -> FinanceFeeStandard:
    row = session.scalar(select(FinanceFeeStandard).where(FinanceFeeStandard.code == code))
    if row is None:
        raise NotFound("No fee standard with the code {code}.", field="code", code=str(code)[:40])
    return row


def create_standard(session: Session, actor: Actor, data: Mapping[str, Any]) -> FinanceFeeStandard:
    """A new fee standard (needs finance:fee_standard:manage; fields: FIELDS, see the model); a code already in
    the catalogue is refused. Audited."""
    require(session, actor, FEE_STANDARD, "manage")
    values = _checked(data)
    if session.scalar(select(FinanceFeeStandard.id).where(FinanceFeeStandard.code == values["code"])):
        raise Conflict("A fee standard with the code {code} already exists.", field="code", code=values["code"])
    row = FinanceFeeStandard(**values)
    session.add(row)
    session.flush()
    audit(session, "finance.fee_standard.created", entity_type=ENTITY, entity_id=row.code, after=_image(row),
          actor=actor)
    return row


def update_standard(session: Session, actor: Actor, code: str, data: Mapping[str, Any]) -> FinanceFeeStandard:
    """Change the standard ``code`` (needs finance:fee_standard:manage): the given fields (not the code), checked
    with the others as one standard (a change of basis needs its rate or amount; the other is cleared). Audited."""
    require(session, actor, FEE_STANDARD, "manage")
    row = get_standard(session, code)
    if "code" in data and data["code"] != row.code:
        raise ValidationFailed("The code of a fee standard does not change.", field="code")
    merged = {**_image(row), **data}
    if "basis" in data:
        merged.update({k: data.get(k) for k in ("rate", "amount")})
    values = _checked(merged)
    before = _image(row)
    for key, value in values.items():
        setattr(row, key, value)
    session.flush()
    audit(session, "finance.fee_standard.updated", entity_type=ENTITY, entity_id=row.code, before=before,
          after=_image(row), actor=actor)
    return row


def list_standards(session: Session, actor: Actor, *, on: dt.date | None = None,
                   business_kind: str | None = None) -> list[FinanceFeeStandard]:
    """The catalogue by business kind and code (needs finance:fee_standard:read); ``on``: only the standards valid
    that day; ``business_kind``: only that kind."""
    require(session, actor, FEE_STANDARD, "read")
    stmt = select(FinanceFeeStandard).order_by(FinanceFeeStandard.business_kind, FinanceFeeStandard.code)
    if on is not None:
        stmt = stmt.where(FinanceFeeStandard.valid_from <= on,
                          or_(FinanceFeeStandard.valid_to.is_(None), FinanceFeeStandard.valid_to >= on))
    if business_kind:
        stmt = stmt.where(FinanceFeeStandard.business_kind == business_kind)
    return list(session.scalars(stmt))
