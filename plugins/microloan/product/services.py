"""Loan products of a tenant: create, change (a change of terms writes a new version), list, read a version, and
the schedule preview of a product (docs/microloan/README.md, "Products").

A product's identity (code, name, offered or not) is on ``MicroloanProduct``; its lending terms are on
``MicroloanProductVersion`` rows, numbered from 1, never changed once written. A loan made under a product keeps the
version it was made under, so a later change never moves an existing loan's figures.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from surety.core import inputs
from surety.core.audit.log import audit
from surety.core.authz.check import require
from surety.core.context import Actor
from surety.core.errors import Conflict, NotFound, ValidationFailed
from surety.plugins.microloan.conventions import (
    DAY_COUNTS,
    DEFAULT_ALLOCATION_ORDER,
    DEFAULT_DAY_COUNT,
    DEFAULT_ROUNDING,
    REPAYMENT_METHODS,
    ROUNDINGS,
    OrderRefused,
    effective_order,
)
from surety.plugins.microloan.permissions import PRODUCT
from surety.plugins.microloan.product.models import MicroloanProduct, MicroloanProductVersion
from surety.plugins.microloan.schedule.builder import Schedule, Terms, build
from surety.plugins.microloan.schedule.daycount import add_months

ENTITY = PRODUCT
#: Fields of the product row (a change does not make a new version).
PRODUCT_FIELDS = ("code", "name", "active")
#: Fields of a version (the lending terms): a change makes a new version.
TERM_FIELDS = ("min_amount", "max_amount", "min_term_months", "max_term_months", "annual_rate", "repayment_method",
               "day_count", "rounding", "upfront_fee_rate", "monthly_fee_rate", "penalty_uplift", "grace_days",
               "allocation_order")
#: What a new product gets for a term not given.
DEFAULTS: dict[str, Any] = {"min_amount": Decimal("1000.00"), "min_term_months": 1, "max_term_months": 36,
                            "day_count": DEFAULT_DAY_COUNT, "rounding": DEFAULT_ROUNDING,
                            "upfront_fee_rate": Decimal(0), "monthly_fee_rate": Decimal(0),
                            "penalty_uplift": Decimal("0.5"), "grace_days": 0,
                            "allocation_order": DEFAULT_ALLOCATION_ORDER}
#: Longest grace period a product may give.
MAX_GRACE_DAYS = 30
#: Most a fee may be per month or up front (a part of the amount).
MAX_FEE_RATE = Decimal("0.1")


# ---------------------------------------------------------------- input checks --------------------------------------


def _choice(value: Any, field: str, choices: Mapping[str, str]) -> str:
    if value not in choices:
        raise ValidationFailed("{name} is one of {choices}, not {value}.", field=field, name=field,
                               choices=", ".join(choices), value=str(value)[:40])
    return value


def _order(value: Any) -> str | None:
    """Allocation order as stored: components joined by commas; None (the product is silent) stays None."""
    if value is None:
        return None
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise ValidationFailed("allocation_order is a list of components or null.", field="allocation_order")
    try:
        effective_order(value)
    except OrderRefused as exc:  # quoted as it is: shown in the reader's language (core/i18n)
        raise ValidationFailed("allocation_order is not a valid order: {reason}.", field="allocation_order",
                               reason=exc) from None
    return ",".join(value)


def _clean(data: Mapping[str, Any], *, partial: bool) -> dict[str, Any]:
    unknown = sorted(set(data) - set(PRODUCT_FIELDS) - set(TERM_FIELDS))
    if unknown:
        raise ValidationFailed("Unknown product field {name}.", field=unknown[0], name=unknown[0])
    values = dict(data) if partial else {**DEFAULTS, **data}
    out: dict[str, Any] = {}
    checks = {
        "code": lambda v: inputs.text(v, "code", 40, required=True),
        "name": lambda v: inputs.text(v, "name", 200, required=True),
        "min_amount": lambda v: inputs.money(v, "min_amount", positive=True),
        "max_amount": lambda v: inputs.money(v, "max_amount", positive=True),
        "min_term_months": lambda v: inputs.months(v, "min_term_months"),
        "max_term_months": lambda v: inputs.months(v, "max_term_months"),
        "annual_rate": lambda v: inputs.rate(v, "annual_rate"),
        "repayment_method": lambda v: _choice(v, "repayment_method", REPAYMENT_METHODS),
        "day_count": lambda v: _choice(v, "day_count", DAY_COUNTS),
        "rounding": lambda v: _choice(v, "rounding", ROUNDINGS),
        "upfront_fee_rate": lambda v: inputs.rate(v, "upfront_fee_rate", high=MAX_FEE_RATE),
        "monthly_fee_rate": lambda v: inputs.rate(v, "monthly_fee_rate", high=MAX_FEE_RATE),
        "penalty_uplift": lambda v: inputs.rate(v, "penalty_uplift"),
        "grace_days": lambda v: inputs.whole(v, "grace_days", 0, MAX_GRACE_DAYS, "days"),
        "allocation_order": _order,
    }
    for name in (*PRODUCT_FIELDS, *TERM_FIELDS):
        if name == "active":
            if "active" in values:
                if not isinstance(values["active"], bool):
                    raise ValidationFailed("active is true or false.", field="active")
                out["active"] = values["active"]
            continue
        if name in values:
            out[name] = checks[name](values[name])
        elif not partial:
            raise ValidationFailed("Give {name}.", field=name, name=name)
    if "code" in out and " " in out["code"]:
        raise ValidationFailed("A product code has no spaces.", field="code")
    return out


def _check_ranges(v: MicroloanProductVersion) -> None:
    if v.min_amount > v.max_amount:
        raise ValidationFailed("The minimum amount {min_amount} is above the maximum {max_amount}.",
                               field="min_amount", min_amount=v.min_amount, max_amount=v.max_amount)
    if v.min_term_months > v.max_term_months:
        raise ValidationFailed("The minimum term ({min_term} months) is above the maximum ({max_term} months).",
                               field="min_term_months", min_term=v.min_term_months, max_term=v.max_term_months)


# ---------------------------------------------------------------- reading -------------------------------------------


def _image(p: MicroloanProduct, v: MicroloanProductVersion) -> dict:
    return {**{f: getattr(p, f) for f in (*PRODUCT_FIELDS, "version")}, **{f: getattr(v, f) for f in TERM_FIELDS}}


def order_of(v: MicroloanProductVersion) -> tuple[str, ...] | None:
    """A version's allocation order as a tuple; None where the product is silent (the statutory order applies)."""
    return None if v.allocation_order is None else tuple(v.allocation_order.split(","))


def list_products(session: Session, actor: Actor, *, include_retired: bool = False) -> list[MicroloanProduct]:
    """The tenant's products by code (needs microloan:product:read); products no longer offered only when asked."""
    require(session, actor, PRODUCT, "read")
    stmt = select(MicroloanProduct).order_by(MicroloanProduct.code)
    if not include_retired:
        stmt = stmt.where(MicroloanProduct.active.is_(True))
    return list(session.scalars(stmt))


def get_product(session: Session, actor: Actor | None, product_id: uuid.UUID, *,
                act: str = "read") -> MicroloanProduct:
    """One product (needs microloan:product:``act`` unless ``actor`` is None, for internal callers)."""
    if actor is not None:
        require(session, actor, PRODUCT, act)
    product = session.scalar(select(MicroloanProduct).where(MicroloanProduct.id == product_id))
    if product is None:
        raise NotFound("No loan product with that id.", field="product_id")
    return product


def terms_of(session: Session, product: MicroloanProduct, version: int | None = None) -> MicroloanProductVersion:
    """The terms of ``version`` of ``product`` (its current one by default)."""
    wanted = product.version if version is None else version
    row = session.scalar(select(MicroloanProductVersion).where(MicroloanProductVersion.product_id == product.id,
                                                               MicroloanProductVersion.version == wanted))
    if row is None:
        raise NotFound("Loan product {product_code} has no version {version}.", field="version",
                       product_code=product.code, version=wanted)
    return row


def current_terms(session: Session, products: Iterable[MicroloanProduct]) -> dict[uuid.UUID, MicroloanProductVersion]:
    """Product id -> its current terms, for many products in one query."""
    wanted = {p.id: p.version for p in products}
    if not wanted:
        return {}
    rows = session.scalars(select(MicroloanProductVersion)
                           .where(MicroloanProductVersion.product_id.in_(list(wanted))))
    return {r.product_id: r for r in rows if wanted[r.product_id] == r.version}


def versions(session: Session, actor: Actor, product_id: uuid.UUID) -> list[MicroloanProductVersion]:
    """Every version of a product, oldest first (needs microloan:product:read)."""
    product = get_product(session, actor, product_id)
    return list(session.scalars(select(MicroloanProductVersion)
                                .where(MicroloanProductVersion.product_id == product.id)
                                .order_by(MicroloanProductVersion.version)))


# ---------------------------------------------------------------- writing -------------------------------------------


def _refuse_duplicate_code(session: Session, code: str, exclude: uuid.UUID | None = None) -> None:
    found = session.scalar(select(MicroloanProduct.id).where(MicroloanProduct.code == code))
    if found is not None and found != exclude:
        raise Conflict("A loan product with the code {product_code} already exists.", field="code",
                       product_code=code)


def create_product(session: Session, actor: Actor, data: Mapping[str, Any]) -> MicroloanProduct:
    """A new product offered from now on, with its terms as version 1 (needs microloan:product:manage). Terms not
    given take ``DEFAULTS``; ``code``, ``name``, ``max_amount``, ``annual_rate`` and ``repayment_method`` are
    required."""
    require(session, actor, PRODUCT, "manage")
    fields = _clean(data, partial=False)
    terms = MicroloanProductVersion(version=1, created_by=actor.id_uuid, **{f: fields[f] for f in TERM_FIELDS})
    _check_ranges(terms)
    _refuse_duplicate_code(session, fields["code"])
    product = MicroloanProduct(code=fields["code"], name=fields["name"], active=fields.get("active", True),
                               version=1)
    session.add(product)
    session.flush()
    terms.product_id = product.id
    session.add(terms)
    session.flush()
    audit(session, "microloan.product.created", entity_type=ENTITY, entity_id=product.id,
          after=_image(product, terms), actor=actor)
    return product


def update_product(session: Session, actor: Actor, product_id: uuid.UUID,
                   data: Mapping[str, Any]) -> MicroloanProduct:
    """Change the given fields (needs microloan:product:manage). A change of any term writes version n+1 with the
    other terms carried over; loans made earlier keep their version. Code, name and ``active`` change in place."""
    product = get_product(session, actor, product_id, act="manage")
    fields = _clean(data, partial=True)
    current = terms_of(session, product)
    before = _image(product, current)
    if "code" in fields:
        _refuse_duplicate_code(session, fields["code"], exclude=product.id)
    for name in PRODUCT_FIELDS:
        if name in fields:
            setattr(product, name, fields[name])
    changed = {f: v for f, v in fields.items() if f in TERM_FIELDS and getattr(current, f) != v}
    terms = current
    if changed:
        terms = MicroloanProductVersion(product_id=product.id, version=current.version + 1,
                                        created_by=actor.id_uuid,
                                        **{f: changed.get(f, getattr(current, f)) for f in TERM_FIELDS})
        _check_ranges(terms)
        product.version = terms.version
        session.add(terms)
    session.flush()
    after = _image(product, terms)
    if after != before:
        audit(session, "microloan.product.updated", entity_type=ENTITY, entity_id=product.id, before=before,
              after=after, actor=actor)
    return product


# ---------------------------------------------------------------- schedule preview ----------------------------------


def schedule_terms(terms: MicroloanProductVersion, amount: Any, term_months: Any, start: Any,
                   first_due: dt.date | None = None) -> Terms:
    """The schedule terms of a loan of ``amount`` over ``term_months`` from ``start`` under ``terms``: client input
    checked (amount and term inside the version's ranges, dates)."""
    money = inputs.money(amount, "amount", positive=True)
    if not terms.min_amount <= money <= terms.max_amount:
        raise ValidationFailed("The amount {amount} is outside the product's range ({low} to {high}).",
                               field="amount", amount=inputs.yuan(money), low=inputs.yuan(terms.min_amount),
                               high=inputs.yuan(terms.max_amount))
    months = inputs.months(term_months, "term_months")
    if not terms.min_term_months <= months <= terms.max_term_months:
        raise ValidationFailed("The term of {months} months is outside the product's range ({low} to {high} months).",
                               field="term_months", months=months, low=terms.min_term_months,
                               high=terms.max_term_months)
    if not isinstance(start, dt.date):
        raise ValidationFailed("start_date is a date.", field="start_date")
    if first_due is not None and not start < first_due <= add_months(start, 2):
        raise ValidationFailed("The first due date is after the start date and at most two months after it.",
                               field="first_due_date")
    return Terms(amount=money, annual_rate=terms.annual_rate, term_months=months, method=terms.repayment_method,
                 start=start, day_count=terms.day_count, rounding=terms.rounding,
                 monthly_fee_rate=terms.monthly_fee_rate, first_due=first_due)


def preview_schedule(session: Session, actor: Actor, product_id: uuid.UUID, amount: Any, term_months: Any,
                     start: Any, first_due: dt.date | None = None) -> tuple[MicroloanProductVersion, Schedule]:
    """The schedule a loan would have under the product's current terms (needs microloan:product:read); nothing is
    stored. Returns the version it was computed under with the schedule."""
    product = get_product(session, actor, product_id)
    terms = terms_of(session, product)
    return terms, build(schedule_terms(terms, amount, term_months, start, first_due))
