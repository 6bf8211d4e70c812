"""Creating, changing and deleting customers: validation, duplicates, tags, versions, audit and events in one
transaction (a DomainError leaves nothing half-saved: the caller's transaction or savepoint rolls back)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from surety.core.attachments.service import entity_uuid
from surety.core.audit.log import audit
from surety.core.authz.check import require
from surety.core.authz.scopes import apply_scope
from surety.core.context import Actor
from surety.core.crypto.blind_index import blind_index
from surety.core.db.session import session_tenant
from surety.core.db.types import utcnow
from surety.core.errors import Conflict, NotFound, ValidationFailed
from surety.core.events import raise_event
from surety.core.i18n import N_

from surety.plugins.customers import validators as v
from surety.plugins.customers.errors import DuplicateCustomer
from surety.plugins.customers.events import CustomerCreated, CustomerDeleted, CustomerUpdated
from surety.plugins.customers.history import audit_image, diff, record_version, snapshot
from surety.plugins.customers.models import KIND_CORPORATE, KIND_INDIVIDUAL, Customer, CustomerTag
from surety.plugins.customers.permissions import CUSTOMER

ENTITY = "customers:customer"
COMMON = ("name", "id_number", "phone", "bank_account", "bank_name", "address", "tags", "owner_id", "org_unit_id")
INDIVIDUAL = ("occupation", "annual_income", "total_assets", "family")
CORPORATE = ("legal_rep_name", "legal_rep_id_number", "registered_capital", "industry", "region", "size",
             "shareholders", "key_people")
FIELDS = COMMON + INDIVIDUAL + CORPORATE
#: The refusal of a duplicate, by (corporate?, the existing customer deleted?).
DUPLICATE = {
    (True, False): N_("A customer with this credit code already exists."),
    (True, True): N_("A customer with this credit code already exists (deleted; restore it instead)."),
    (False, False): N_("A customer with this ID card number already exists."),
    (False, True): N_("A customer with this ID card number already exists (deleted; restore it instead)."),
}


def tenant_of(session: Session) -> uuid.UUID:
    tenant = session_tenant(session)
    if not isinstance(tenant, uuid.UUID):
        raise RuntimeError("customers services need a session bound to a tenant")
    return tenant


def _id_for(kind: str, value: Any, field: str) -> str:
    if kind == KIND_CORPORATE:
        return v.validate_credit_code(value, field=field)
    return v.validate_id_number(value, field=field)


def _any_id(value: Any, field: str) -> str:
    """An ID card number or a credit code (shareholders may be people or companies)."""
    for check in (v.validate_id_number, v.validate_credit_code):
        try:
            return check(value, field=field)
        except ValidationFailed:
            continue
    raise ValidationFailed("{value!r} in {field_name} is neither a valid ID card number nor a valid unified social "
                           "credit code (check character).", field=field, value=v._compact(value), field_name=field)


def _text(value: Any, field: str, limit: int = 200) -> str | None:
    if value is None:
        return None
    text = " ".join(str(value).split())
    if len(text) > limit:
        raise ValidationFailed("{field_name} is at most {limit} characters.", field=field, field_name=field,
                               limit=limit)
    return text or None


def _people(values: Any, field: str, *, with_id: bool) -> list[dict]:
    out = []
    for n, item in enumerate(values or ()):
        if not isinstance(item, Mapping):
            raise ValidationFailed("Each entry of {field_name} is an object with a name.", field=field,
                                   field_name=field)
        name = _text(item.get("name"), field)
        if not name:
            raise ValidationFailed("Entry {number} of {field_name} has no name.", field=field, number=n + 1,
                                   field_name=field)
        entry = {"name": name}
        for key in ("relation", "role"):
            if item.get(key):
                entry[key] = _text(item[key], field, 50)
        if item.get("ratio") not in (None, ""):
            ratio = v.validate_money(item["ratio"], field=field)
            if ratio is None or ratio > 1:
                raise ValidationFailed("A shareholding ratio in {field_name} is between 0 and 1.", field=field,
                                       field_name=field)
            entry["ratio"] = str(ratio)
        if with_id and item.get("id_number"):
            entry["id_number"] = _any_id(item["id_number"], field)  # kept only as a blind index (CustomerKey)
        out.append(entry)
    return out


def clean(data: Mapping[str, Any], kind: str, *, partial: bool = False) -> dict[str, Any]:
    """Validated, normalised fields of ``data`` for a customer of ``kind``. ``partial``: only the keys given.

    Corporates give ``credit_code`` (``id_number`` is accepted as its alias); individuals give ``id_number``.
    Fields of the other kind are refused, naming the field.
    """
    data = dict(data)
    if kind == KIND_CORPORATE and "credit_code" in data:
        data["id_number"] = data.pop("credit_code")
    elif "credit_code" in data and data["credit_code"] not in (None, ""):
        raise ValidationFailed("An individual has an ID card number, not a credit code.", field="credit_code")
    else:
        data.pop("credit_code", None)
    other = CORPORATE if kind == KIND_INDIVIDUAL else INDIVIDUAL
    for f in other:
        if data.get(f) not in (None, "", [], ()):
            raise ValidationFailed("{field_name} is a field of corporate customers." if kind == KIND_INDIVIDUAL
                                   else "{field_name} is a field of individual customers.", field=f, field_name=f)
    unknown = set(data) - set(FIELDS)
    if unknown:
        raise ValidationFailed("Unknown customer field {name!r}.", field=sorted(unknown)[0], name=sorted(unknown)[0])
    out: dict[str, Any] = {}

    def has(f: str) -> bool:
        return (f in data) if partial else True

    id_field = "credit_code" if kind == KIND_CORPORATE else "id_number"
    if has("name"):
        out["name"] = v.validate_name(data.get("name"))
    if has("id_number"):
        out["id_number"] = _id_for(kind, data.get("id_number"), id_field)
    if has("phone"):
        out["phone"] = v.validate_phone(data.get("phone"))
    if has("bank_account"):
        out["bank_account"] = v.validate_bank_account(data.get("bank_account"))
    if has("bank_name"):
        out["bank_name"] = _text(data.get("bank_name"), "bank_name")
    if has("address"):
        out["address"] = _text(data.get("address"), "address", 500)
    if has("tags"):
        out["tags"] = v.validate_tags(data.get("tags"))
    for f in ("owner_id", "org_unit_id"):
        if f in data:
            out[f] = data[f]
    if kind == KIND_INDIVIDUAL:
        if has("occupation"):
            out["occupation"] = _text(data.get("occupation"), "occupation")
        for f in ("annual_income", "total_assets"):
            if has(f):
                out[f] = v.validate_money(data.get(f), field=f)
        if has("family"):
            out["family"] = _people(data.get("family"), "family", with_id=False)
    else:
        if has("legal_rep_name"):
            out["legal_rep_name"] = _text(data.get("legal_rep_name"), "legal_rep_name")
        if has("legal_rep_id_number"):
            raw = data.get("legal_rep_id_number")
            out["legal_rep_id_number"] = (v.validate_id_number(raw, field="legal_rep_id_number")
                                          if raw not in (None, "") else None)
        if has("registered_capital"):
            out["registered_capital"] = v.validate_money(data.get("registered_capital"), field="registered_capital")
        if has("industry"):
            out["industry"] = v.validate_industry(data.get("industry"))
        if has("region"):
            out["region"] = v.validate_region(data.get("region"))
        if has("size"):
            out["size"] = v.validate_size(data.get("size"))
        if has("shareholders"):
            out["shareholders"] = _people(data.get("shareholders"), "shareholders", with_id=True)
        if has("key_people"):
            out["key_people"] = _people(data.get("key_people"), "key_people", with_id=False)
    return out


def _check_assignment(session: Session, owner_id: uuid.UUID | None, org_unit_id: uuid.UUID | None) -> None:
    from surety.core.identity.models import OrgUnit, User

    if owner_id is not None and session.scalar(select(User.id).where(User.id == owner_id)) is None:
        raise NotFound("No user with that id to own the customer.", field="owner_id")
    if org_unit_id is not None and session.scalar(select(OrgUnit.id).where(OrgUnit.id == org_unit_id)) is None:
        raise NotFound("No org unit with that id.", field="org_unit_id")


def find_by_id_number(session: Session, value: str, *, include_deleted: bool = True) -> Customer | None:
    """The customer with this ID number or credit code (exact, through the blind index), if any."""
    stmt = select(Customer).where(Customer.id_number_bidx == blind_index(tenant_of(session), value, "id_number"))
    if not include_deleted:
        stmt = stmt.where(Customer.deleted_at.is_(None))
    return session.scalar(stmt)


def _refuse_duplicate(session: Session, id_number: str, kind: str, exclude: uuid.UUID | None = None) -> None:
    existing = find_by_id_number(session, id_number)
    if existing is not None and existing.id != exclude:
        raise DuplicateCustomer(DUPLICATE[kind == KIND_CORPORATE, existing.deleted_at is not None],
                                field="credit_code" if kind == KIND_CORPORATE else "id_number",
                                existing_id=str(existing.id))


def _set_tags(session: Session, customer: Customer, tags: list[str], *, new: bool = False) -> None:
    """Replace the customer's tags (``new``: a customer created in this transaction, which has none to delete)."""
    if not new:
        session.execute(delete(CustomerTag).where(CustomerTag.customer_id == customer.id))
    session.add_all(CustomerTag(customer_id=customer.id, tag=t) for t in tags)
    customer.tags = list(tags)


def get_customer(session: Session, actor: Actor, customer_id: uuid.UUID, *, act: str = "read",
                 include_deleted: bool = False) -> Customer:
    """A customer the actor may ``act`` on (permission and data scope); NotFound when absent or out of scope."""
    require(session, actor, CUSTOMER, act)
    stmt = apply_scope(select(Customer).where(Customer.id == customer_id), Customer, session, actor)
    if not include_deleted:
        stmt = stmt.where(Customer.deleted_at.is_(None))
    customer = session.scalar(stmt)
    if customer is None:
        raise NotFound("No customer with that id.", field="id")
    return customer


def attachment_guard(session: Session, actor: Actor, entity_id: str) -> None:
    """Files of a customer (entity ``customers:customer``) are for those who may read the customer."""
    get_customer(session, actor, entity_uuid(entity_id))


def create_customer(session: Session, actor: Actor, kind: str, data: Mapping[str, Any], *,
                    check: bool = True) -> Customer:
    """Create a customer (needs customers:customer:create). Owner and org unit default to the actor's."""
    from surety.plugins.customers.collision import record_engagement
    from surety.plugins.customers.related import refresh_keys

    if check:
        require(session, actor, CUSTOMER, "create")
    kind = v.validate_kind(kind)
    fields = clean(data, kind)
    fields.setdefault("owner_id", actor.id_uuid if actor.type == "user" else None)
    fields.setdefault("org_unit_id", actor.org_unit_id)
    _check_assignment(session, fields["owner_id"], fields["org_unit_id"])
    _refuse_duplicate(session, fields["id_number"], kind)
    tags = fields.pop("tags", [])
    shareholders = fields.get("shareholders") or []
    fields["shareholders"] = [{k: x for k, x in s.items() if k != "id_number"} for s in shareholders]
    customer = Customer(kind=kind, name_norm=v.normalise_name(fields["name"]), version=1, **fields)
    session.add(customer)
    session.flush()
    _set_tags(session, customer, tags, new=True)
    refresh_keys(session, customer, shareholders, new=True)
    record_engagement(session, customer, actor, "customer:create")
    record_version(session, customer, "created", actor)
    session.flush()
    audit(session, "customers.customer.created", entity_type=ENTITY, entity_id=customer.id,
          after=audit_image(snapshot(customer)), actor=actor)
    raise_event(session, CustomerCreated(customer_id=customer.id, kind=kind, owner_id=customer.owner_id))
    return customer


def update_customer(session: Session, actor: Actor, customer_id: uuid.UUID, data: Mapping[str, Any], *,
                    expected_version: int | None = None) -> Customer:
    """Change the given fields (needs customers:customer:update and the customer in scope). A new version is kept
    when anything changed; ``expected_version`` guards against overwriting someone else's change."""
    from surety.plugins.customers.collision import record_engagement
    from surety.plugins.customers.related import refresh_keys

    customer = get_customer(session, actor, customer_id, act="update")
    if expected_version is not None and expected_version != customer.version:
        raise Conflict("The customer was changed meanwhile (now version {version}); reload and retry.",
                       field="version", version=customer.version)
    fields = clean(data, customer.kind, partial=True)
    before = snapshot(customer)
    if "id_number" in fields:
        _refuse_duplicate(session, fields["id_number"], customer.kind, exclude=customer.id)
    if "owner_id" in fields or "org_unit_id" in fields:
        _check_assignment(session, fields.get("owner_id"), fields.get("org_unit_id"))
    shareholders = fields.get("shareholders")
    if shareholders is not None:
        fields["shareholders"] = [{k: x for k, x in s.items() if k != "id_number"} for s in shareholders]
    tags = fields.pop("tags", None)
    for f, value in fields.items():
        setattr(customer, f, value)
    if "name" in fields:
        customer.name_norm = v.normalise_name(fields["name"])
    if tags is not None and tags != list(customer.tags or []):
        _set_tags(session, customer, tags)
    session.flush()  # blind indexes are filled on flush
    after = snapshot(customer)
    changes = diff(before, after)
    key_fields = {"id_number", "phone", "address", "legal_rep_name", "legal_rep_id_number", "shareholders"}
    if shareholders is not None or any(c.field in key_fields for c in changes):
        refresh_keys(session, customer, shareholders)
    if not changes:
        return customer
    customer.version += 1
    customer.updated_at = utcnow()
    if any(c.field == "owner_id" for c in changes) and customer.owner_id is not None:
        record_engagement(session, customer, None, "customer:assign", user_id=customer.owner_id,
                          org_unit_id=customer.org_unit_id)
    record_version(session, customer, "updated", actor)
    session.flush()
    audit(session, "customers.customer.updated", entity_type=ENTITY, entity_id=customer.id,
          before=audit_image(before), after=audit_image(snapshot(customer)), actor=actor)
    raise_event(session, CustomerUpdated(customer_id=customer.id, version=customer.version,
                                         fields=tuple(c.field for c in changes)))
    return customer


def delete_customer(session: Session, actor: Actor, customer_id: uuid.UUID) -> Customer:
    """Delete a customer (kept as a last version, hidden from search and graphs; its ID number stays taken)."""
    customer = get_customer(session, actor, customer_id, act="delete")
    before = snapshot(customer)
    customer.deleted_at = utcnow()
    customer.version += 1
    record_version(session, customer, "deleted", actor)
    session.flush()
    audit(session, "customers.customer.deleted", entity_type=ENTITY, entity_id=customer.id,
          before=audit_image(before), actor=actor)
    raise_event(session, CustomerDeleted(customer_id=customer.id))
    return customer


def _summary(c) -> dict[str, Any]:
    """What other plugins may show of a customer (a Customer or a row of its plain columns)."""
    return {"id": c.id, "kind": c.kind, "name": c.name, "org_unit_id": c.org_unit_id, "owner_id": c.owner_id,
            "industry": c.industry, "region": c.region, "size": c.size, "deleted": c.deleted_at is not None}


def summaries(session: Session, customer_ids) -> dict[uuid.UUID, dict[str, Any]]:
    """``customers_summaries``: display fields of customers for other plugins, in one query."""
    ids = list(dict.fromkeys(customer_ids))
    if not ids:
        return {}
    # Only plain columns: nothing encrypted is read or decrypted.
    rows = session.execute(select(Customer.id, Customer.kind, Customer.name, Customer.org_unit_id, Customer.owner_id,
                                  Customer.industry, Customer.region, Customer.size, Customer.deleted_at)
                           .where(Customer.id.in_(ids)))
    return {c.id: _summary(c) for c in rows}


def readable_summary(session: Session, actor: Actor, customer_id: uuid.UUID) -> dict[str, Any]:
    """``customers_get``: the summary of a live customer the actor may read (:func:`get_customer`)."""
    return _summary(get_customer(session, actor, customer_id))
