"""Guarantee products of a tenant: create, change, retire, list; and the input checks (amounts, terms, text) that
the application services share.

A product's ``kind`` is one of ``models.PRODUCT_KINDS``; its ``category`` (financing / non-financing) follows from
the kind and is never set by hand. Amount and term ranges bound the applications made under it.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from surety.core import inputs
from surety.core.audit.log import audit
from surety.core.authz.check import require
from surety.core.context import Actor
from surety.core.errors import Conflict, NotFound, ValidationFailed
from surety.plugins.guarantee.permissions import PRODUCT
from surety.plugins.guarantee.project.models import PRODUCT_KINDS, GuaranteeProduct

ENTITY = "guarantee:product"
FIELDS = ("code", "name", "kind", "min_amount", "max_amount", "min_term_months", "max_term_months",
          "default_fee_rate", "requires_counter_guarantee")


# ---------------------------------------------------------------- products -----------------------------------------


def _image(p: GuaranteeProduct) -> dict:
    return {f: getattr(p, f) for f in (*FIELDS, "category", "active")}


def _clean(data: Mapping[str, Any], *, partial: bool) -> dict[str, Any]:
    unknown = sorted(set(data) - set(FIELDS))
    if unknown:
        raise ValidationFailed("Unknown product field {unknown!r}.", field=unknown[0], unknown=unknown[0])
    out: dict[str, Any] = {}

    def has(f: str) -> bool:
        return f in data or not partial

    if has("code"):
        code = inputs.text(data.get("code"), "code", 40, required=True)
        if " " in code:
            raise ValidationFailed("A product code has no spaces.", field="code")
        out["code"] = code
    if has("name"):
        out["name"] = inputs.text(data.get("name"), "name", 200, required=True)
    if has("kind"):
        if data.get("kind") not in PRODUCT_KINDS:
            raise ValidationFailed("A product kind is one of {product_kinds}.", field="kind",
                                   product_kinds=", ".join(PRODUCT_KINDS))
        out["kind"] = data["kind"]
    if has("min_amount"):
        out["min_amount"] = inputs.money(data.get("min_amount") or 0, "min_amount")
    if has("max_amount"):
        out["max_amount"] = inputs.money(data.get("max_amount"), "max_amount", positive=True, required=False)
    if has("min_term_months"):
        out["min_term_months"] = inputs.months(data.get("min_term_months", 1), "min_term_months")
    if has("max_term_months"):
        out["max_term_months"] = inputs.months(data.get("max_term_months", 60), "max_term_months")
    if has("default_fee_rate"):
        out["default_fee_rate"] = inputs.rate(data.get("default_fee_rate"), "default_fee_rate", required=False)
    if has("requires_counter_guarantee"):
        flag = data.get("requires_counter_guarantee", True)
        if not isinstance(flag, bool):
            raise ValidationFailed("requires_counter_guarantee is true or false.", field="requires_counter_guarantee")
        out["requires_counter_guarantee"] = flag
    return out


def _check_ranges(p: GuaranteeProduct) -> None:
    if p.max_amount is not None and p.min_amount > p.max_amount:
        raise ValidationFailed("The minimum amount ({min_amount}) is above the maximum ({max_amount}).",
                               field="min_amount", min_amount=p.min_amount, max_amount=p.max_amount)
    if p.min_term_months > p.max_term_months:
        raise ValidationFailed("The minimum term ({min_term_months} months) is above the maximum "
                               "({max_term_months} months).", field="min_term_months",
                               min_term_months=p.min_term_months, max_term_months=p.max_term_months)


def _refuse_duplicate_code(session: Session, code: str, exclude: uuid.UUID | None = None) -> None:
    found = session.scalar(select(GuaranteeProduct.id).where(GuaranteeProduct.code == code))
    if found is not None and found != exclude:
        raise Conflict("A product with the code {product_code!r} already exists.", field="code", product_code=code)


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
