"""Custom fields of customers (docs/custom-fields.md): a customer's entity type is ``customer_individual`` or
``customer_corporate`` after its kind. Reading needs customers:customer:read, writing customers:customer:update (and
the customer in the caller's data scope); core's services then check and store the values. Each change of the
custom values is also a new version of the customer (action ``custom_fields``), its snapshot carrying the custom
values masked as on read."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from surety.core.context import Actor
from surety.core.custom_fields import service as custom
from surety.core.db.types import utcnow
from surety.core.errors import Conflict
from surety.core.hookspecs import CustomFieldEntity

from surety.plugins.customers.models import Customer

INDIVIDUAL = "customer_individual"
CORPORATE = "customer_corporate"
ENTITIES = (CustomFieldEntity(INDIVIDUAL, "个人客户", "Individual customer"),
            CustomFieldEntity(CORPORATE, "企业客户", "Corporate customer"))


def entity_type_of(customer: Customer) -> str:
    return f"customer_{customer.kind}"


def masked_values(session: Session, customer: Customer) -> dict[str, Any]:
    """The customer's custom values as shown by default (sensitive ones masked)."""
    return {f.key: f.masked for f in custom.read_values(session, entity_type_of(customer), customer.id)
            if f.value is not None}


def read(session: Session, actor: Actor, customer_id: uuid.UUID) -> list[custom.FieldValue]:
    """A readable customer's custom fields (customers:customer:read, data scope)."""
    from surety.plugins.customers.records import get_customer  # noqa: PLC0415 - import cycle: records imports this

    customer = get_customer(session, actor, customer_id)
    return custom.read_values(session, entity_type_of(customer), customer.id)


def set_values(session: Session, actor: Actor, customer_id: uuid.UUID, values: Mapping[str, Any], *,
               expected_version: int | None = None) -> Customer:
    """Set custom values of a customer (customers:customer:update, data scope); every problem is reported at once
    (CustomFieldsInvalid). A change is a new version of the customer; ``expected_version`` is the customer's version
    the client edited (Conflict when it changed meanwhile, as for customerUpdate)."""
    from surety.plugins.customers.history import record_version  # noqa: PLC0415 - import cycle: as above
    from surety.plugins.customers.records import get_customer  # noqa: PLC0415 - import cycle: as above

    customer = get_customer(session, actor, customer_id, act="update")
    if expected_version is not None and expected_version != customer.version:
        raise Conflict("The customer was changed meanwhile (now version {version}); reload and retry.",
                       field="version", version=customer.version)
    entity_type = entity_type_of(customer)
    version = custom.values_version(session, entity_type, customer.id)
    row = custom.write_values(session, actor, entity_type, customer.id, values)
    if row.version != version:
        customer.version += 1
        customer.updated_at = utcnow()
        record_version(session, customer, "custom_fields", actor, custom=masked_values(session, customer))
        session.flush()
    return customer
