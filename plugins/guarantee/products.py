"""Guarantee products of a tenant: create, change, retire, list; and the input checks (amounts, terms, text) that
the application services share.

A product's ``kind`` is one of ``models.PRODUCT_KINDS``; its ``category`` (financing / non-financing) follows from
the kind and is never set by hand. Amount and term ranges bound the applications made under it.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from surety.core.audit.log import audit
from surety.core.authz.check import require
from surety.core.context import Actor
from surety.core.errors import Conflict, NotFound, ValidationFailed

from surety.plugins.guarantee.models import PRODUCT_KINDS, GuaranteeProduct
from surety.plugins.guarantee.permissions import PRODUCT

ENTITY = "guarantee:product"
FIELDS = ("code", "name", "kind", "min_amount", "max_amount", "min_term_months", "max_term_months",
          "default_fee_rate", "requires_counter_guarantee")
#: Longest term a product may allow (30 years).
MAX_TERM_MONTHS = 360


# ---------------------------------------------------------------- input checks (shared with applications) ----------


def parse_money(value: Any, field: str, *, positive: bool = False, required: bool = True) -> Decimal | None:
    """An amount in yuan: a Decimal (or int / numeric text; floats refused), at most two decimal places, not
    negative (above zero when ``positive``)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ValidationFailed(f"Give {field} (yuan).", field=field)
        return None
    if isinstance(value, float) or isinstance(value, bool):
        raise ValidationFailed(f"{field} must be an exact amount (Decimal or text), not {type(value).__name__}.",
                               field=field)
    try:
        amount = Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        raise ValidationFailed(f"{field} must be an amount in yuan, e.g. 1000000.00.", field=field) from None
    if not amount.is_finite():
        raise ValidationFailed(f"{field} must be an amount in yuan, e.g. 1000000.00.", field=field)
    if amount.as_tuple().exponent < -2:
        raise ValidationFailed(f"{field} has more than two decimal places (fen): {amount}.", field=field)
    if amount < 0 or (positive and amount == 0):
        raise ValidationFailed(f"{field} must be {'above zero' if positive else 'zero or more'}, not {amount}.",
                               field=field)
    return amount.quantize(Decimal("0.01"))


def parse_rate(value: Any, field: str) -> Decimal | None:
    """A rate between 0 and 1 with at most 8 decimal places (e.g. 0.015 for 1.5 %), or None."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, (float, bool)):
        raise ValidationFailed(f"{field} must be an exact rate (Decimal or text), e.g. 0.015.", field=field)
    try:
        rate = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationFailed(f"{field} must be a rate such as 0.015 (1.5 %).", field=field) from None
    if not rate.is_finite() or not 0 <= rate <= 1:
        raise ValidationFailed(f"{field} is a rate between 0 and 1 (0.015 is 1.5 %), not {rate}.", field=field)
    if rate.as_tuple().exponent < -8:
        raise ValidationFailed(f"{field} has more than 8 decimal places.", field=field)
    return rate


def parse_months(value: Any, field: str, *, minimum: int = 1) -> int:
    """A whole number of months, at least ``minimum`` and at most MAX_TERM_MONTHS."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationFailed(f"{field} is a whole number of months.", field=field)
    if not minimum <= value <= MAX_TERM_MONTHS:
        raise ValidationFailed(f"{field} is between {minimum} and {MAX_TERM_MONTHS} months, not {value}.",
                               field=field)
    return value


def parse_text(value: Any, field: str, limit: int, *, required: bool = False) -> str:
    """Text with runs of whitespace collapsed, at most ``limit`` characters."""
    text = " ".join(str(value or "").split())
    if required and not text:
        raise ValidationFailed(f"Give {field}.", field=field)
    if len(text) > limit:
        raise ValidationFailed(f"{field} is at most {limit} characters.", field=field)
    return text


# ---------------------------------------------------------------- products -----------------------------------------


def _image(p: GuaranteeProduct) -> dict:
    return {f: getattr(p, f) for f in (*FIELDS, "category", "active")}


def _clean(data: Mapping[str, Any], *, partial: bool) -> dict[str, Any]:
    unknown = sorted(set(data) - set(FIELDS))
    if unknown:
        raise ValidationFailed(f"Unknown product field {unknown[0]!r}.", field=unknown[0])
    out: dict[str, Any] = {}

    def has(f: str) -> bool:
        return f in data or not partial

    if has("code"):
        code = parse_text(data.get("code"), "code", 40, required=True)
        if " " in code:
            raise ValidationFailed("A product code has no spaces.", field="code")
        out["code"] = code
    if has("name"):
        out["name"] = parse_text(data.get("name"), "name", 200, required=True)
    if has("kind"):
        if data.get("kind") not in PRODUCT_KINDS:
            raise ValidationFailed(f"A product kind is one of {', '.join(PRODUCT_KINDS)}.", field="kind")
        out["kind"] = data["kind"]
    if has("min_amount"):
        out["min_amount"] = parse_money(data.get("min_amount") or 0, "min_amount")
    if has("max_amount"):
        out["max_amount"] = parse_money(data.get("max_amount"), "max_amount", positive=True, required=False)
    if has("min_term_months"):
        out["min_term_months"] = parse_months(data.get("min_term_months", 1), "min_term_months")
    if has("max_term_months"):
        out["max_term_months"] = parse_months(data.get("max_term_months", 60), "max_term_months")
    if has("default_fee_rate"):
        out["default_fee_rate"] = parse_rate(data.get("default_fee_rate"), "default_fee_rate")
    if has("requires_counter_guarantee"):
        flag = data.get("requires_counter_guarantee", True)
        if not isinstance(flag, bool):
            raise ValidationFailed("requires_counter_guarantee is true or false.", field="requires_counter_guarantee")
        out["requires_counter_guarantee"] = flag
    return out


def _check_ranges(p: GuaranteeProduct) -> None:
    if p.max_amount is not None and p.min_amount > p.max_amount:
        raise ValidationFailed(f"The minimum amount ({p.min_amount}) is above the maximum ({p.max_amount}).",
                               field="min_amount")
    if p.min_term_months > p.max_term_months:
        raise ValidationFailed(f"The minimum term ({p.min_term_months} months) is above the maximum "
                               f"({p.max_term_months} months).", field="min_term_months")


def _refuse_duplicate_code(session: Session, code: str, exclude: uuid.UUID | None = None) -> None:
    found = session.scalar(select(GuaranteeProduct.id).where(GuaranteeProduct.code == code))
    if found is not None and found != exclude:
        raise Conflict(f"A product with the code {code!r} already exists.", field="code")


def list_products(session: Session, actor: Actor, *, include_retired: bool = False) -> list[GuaranteeProduct]:
    """The tenant's products by code (needs guarantee:product:read); retired ones only when asked."""
    require(session, actor, PRODUCT, "read")
    stmt = select(GuaranteeProduct).order_by(GuaranteeProduct.code)
    if not include_retired:
        stmt = stmt.where(GuaranteeProduct.active.is_(True))
    return list(session.scalars(stmt))


def get_product(session: Session, actor: Actor | None, product_id: uuid.UUID, *,
                act: str = "read") -> GuaranteeProduct:
    """One product (needs guarantee:product:``act`` unless ``actor`` is None, for internal callers)."""
    if actor is not None:
        require(session, actor, PRODUCT, act)
    product = session.scalar(select(GuaranteeProduct).where(GuaranteeProduct.id == product_id))
    if product is None:
        raise NotFound("No guarantee product with that id.", field="product_id")
    return product


def create_product(session: Session, actor: Actor, data: Mapping[str, Any]) -> GuaranteeProduct:
    """A new active product (needs guarantee:product:manage). The category follows from the kind."""
    require(session, actor, PRODUCT, "manage")
    fields = _clean(data, partial=False)
    product = GuaranteeProduct(category=PRODUCT_KINDS[fields["kind"]], active=True, **fields)
    _check_ranges(product)
    _refuse_duplicate_code(session, product.code)
    session.add(product)
    session.flush()
    audit(session, "guarantee.product.created", entity_type=ENTITY, entity_id=product.id, after=_image(product),
          actor=actor)
    return product


def update_product(session: Session, actor: Actor, product_id: uuid.UUID,
                   data: Mapping[str, Any]) -> GuaranteeProduct:
    """Change the given fields of a product (needs guarantee:product:manage). Projects already entered keep their
    figures; the new ranges apply to applications saved or submitted from now on."""
    product = get_product(session, actor, product_id, act="manage")
    fields = _clean(data, partial=True)
    before = _image(product)
    if "code" in fields:
        _refuse_duplicate_code(session, fields["code"], exclude=product.id)
    for f, value in fields.items():
        setattr(product, f, value)
    if "kind" in fields:
        product.category = PRODUCT_KINDS[product.kind]
    _check_ranges(product)
    session.flush()
    if _image(product) != before:
        audit(session, "guarantee.product.updated", entity_type=ENTITY, entity_id=product.id, before=before,
              after=_image(product), actor=actor)
    return product


def retire_product(session: Session, actor: Actor, product_id: uuid.UUID) -> GuaranteeProduct:
    """Retire a product (needs guarantee:product:manage): no new applications under it; projects keep it."""
    product = get_product(session, actor, product_id, act="manage")
    if not product.active:
        raise Conflict("This product is already retired.", field="product_id")
    product.active = False
    session.flush()
    audit(session, "guarantee.product.retired", entity_type=ENTITY, entity_id=product.id,
          after={"code": product.code}, actor=actor)
    return product
