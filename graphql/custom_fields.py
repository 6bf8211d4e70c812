"""Custom fields on GraphQL (docs/custom-fields.md): the definitions a frontend renders a form from, the mutations a
tenant administrator defines them with (core:custom_field:manage), and two helpers an owning plugin's type uses to
carry the values:

* :func:`custom_field_values` for a ``customFields: [CustomFieldValue!]!`` field on the owning type (sensitive values
  masked unless ``value(reveal: true)``, which needs core:pii:reveal and is audited);
* :func:`run_values_mutation` for a mutation that sets them: every per-field problem becomes a typed error of the
  payload, its ``field`` the custom field's key (``key.row.column`` inside a table).

customers' ``Customer.customFields`` and ``customerCustomFieldsSet`` are the example; another plugin's type adds the
same two lines.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

import strawberry
from strawberry.scalars import JSON

from surety.core.custom_fields import service
from surety.core.custom_fields.models import CustomFieldDefinition as DefinitionRow
from surety.core.custom_fields.schema import CustomFieldsInvalid
from surety.core.errors import DomainError
from surety.graphql.auth import actor, decode_node_id
from surety.graphql.errors import UserError, run_mutation
from surety.graphql.loaders import load
from surety.graphql.nodes import global_id
from surety.graphql.pii import reveal as reveal_pii

T = TypeVar("T")
TYPE_NAME = "CustomFieldDefinition"


@strawberry.type(description="One option of a choice or multi-choice field.")
class CustomFieldOption:
    value: str
    label_zh: str
    label_en: str


@strawberry.type(description="A column of a table field.")
class CustomFieldColumn:
    key: str
    label_zh: str
    label_en: str
    type: str = strawberry.field(description="text | number | money | date | choice | boolean")
    required: bool
    validation: JSON
    options: list[CustomFieldOption]


def _options(raw) -> list[CustomFieldOption]:
    return [CustomFieldOption(value=o["value"], label_zh=o["label_zh"], label_en=o.get("label_en", ""))
            for o in raw or []]


@strawberry.type(description="A field a tenant administrator defined for an entity type: what a frontend needs to "
                             "render the form (in section, then position order) and check it before sending.")
class CustomFieldDefinition:
    id: strawberry.ID
    entity_type: str
    key: str = strawberry.field(description="The value's key in `values` and in conditions (`custom.<key>`).")
    label_zh: str
    label_en: str
    type: str = strawberry.field(description="text | number | money | date | choice | multi_choice | boolean | "
                                             "file | table")
    required: bool
    validation: JSON = strawberry.field(description="min/max (numbers, amounts, ISO dates), pattern (text, whole "
                                                    "value), min_length/max_length (text: characters; multi-choice "
                                                    "and table: entries).")
    options: list[CustomFieldOption]
    columns: list[CustomFieldColumn] = strawberry.field(description="A table's columns.")
    section: str
    position: int
    sensitive: bool = strawberry.field(description="Encrypted at rest and masked on read.")
    mask_kind: str
    status: str = strawberry.field(description="active | retired (kept values stay readable; no new ones)")
    version: int
    updated_at: dt.datetime

    @classmethod
    def from_row(cls, r: DefinitionRow) -> CustomFieldDefinition:
        return cls(id=global_id(TYPE_NAME, r.id), entity_type=r.entity_type, key=r.key, label_zh=r.label_zh,
                   label_en=r.label_en, type=r.type, required=r.required, validation=dict(r.validation or {}),
                   options=_options(r.options),
                   columns=[CustomFieldColumn(key=c["key"], label_zh=c["label_zh"], label_en=c.get("label_en", ""),
                                              type=c["type"], required=bool(c.get("required")),
                                              validation=dict(c.get("validation") or {}),
                                              options=_options(c.get("options"))) for c in r.columns or []],
                   section=r.section, position=r.position, sensitive=r.sensitive, mask_kind=r.mask_kind,
                   status=r.status, version=r.version, updated_at=r.updated_at)


@strawberry.type(description="An entity type whose records may carry custom fields.")
class CustomFieldEntityType:
    key: str
    label_zh: str
    label_en: str


@strawberry.type(description="A custom field of a record with its value. Money and numbers are decimal text, "
                             "dates ISO text, a table a list of row objects.")
class CustomFieldValue:
    key: str
    label: str = strawberry.field(description="The zh-CN label.")
    label_en: str
    type: str
    section: str
    sensitive: bool
    status: str = strawberry.field(description="active | retired (a retired field's kept value)")
    plain: strawberry.Private[Any]
    masked: strawberry.Private[Any]
    audit_entity: strawberry.Private[str]
    record_id: strawberry.Private[str]
    basis: strawberry.Private[Callable[[], str | None] | None]

    @strawberry.field(description="The value (JSON; null when none); a sensitive one masked unless `reveal` "
                                  "(core:pii:reveal, audited).")
    def value(self, info: strawberry.Info, reveal: bool = False) -> JSON | None:
        if self.plain is None or not self.sensitive or not reveal:
            return self.masked
        return reveal_pii(info, self.audit_entity, self.record_id, f"custom.{self.key}", self.plain,
                          basis=self.basis)


def _values_batch(ctx, keys) -> dict:
    """The custom fields of every (entity type, record id) of the request: two queries in all."""
    return service.read_records(ctx.session, keys)


async def custom_field_values(info, entity_type: str, record_id: uuid.UUID, *, audit_entity: str,
                              basis: Callable[[], str | None] | None = None) -> list[CustomFieldValue]:
    """The custom fields of a record the caller was allowed to read (the owning type's resolver checked it):
    active fields in form order, then retired ones holding a value; batched per request (a list of records costs
    two queries). ``audit_entity``/``record_id`` name the record on the audit of a reveal;
    ``basis`` is the owning plugin's reveal rule (graphql/pii.py)."""
    fields = await load(info, "custom_fields.values", _values_batch, (entity_type, record_id), default=list)
    return [CustomFieldValue(key=f.key, label=f.definition.label_zh, label_en=f.definition.label_en,
                             type=f.definition.type, section=f.definition.section, sensitive=f.definition.sensitive,
                             status=f.definition.status, plain=f.value, masked=f.masked, audit_entity=audit_entity,
                             record_id=str(record_id), basis=basis)
            for f in fields]


def field_errors(exc: DomainError) -> list[UserError]:
    """Typed errors of a failed write: one per problem of a CustomFieldsInvalid, its ``field`` the custom field's key
    as defined (not camel-cased); any other error as usual."""
    if not isinstance(exc, CustomFieldsInvalid):
        return [UserError.of(exc)]
    out = []
    for problem in exc.problems:
        error = UserError.of(problem)
        error.field = problem.field
        out.append(error)
    return out


def run_values_mutation(info, payload_cls: type[T], fn: Callable[[], T]) -> T:
    """:func:`surety.graphql.errors.run_mutation` for a mutation writing custom values: in a savepoint, every
    problem returned at once as the payload's typed ``errors``."""
    return run_mutation(info, payload_cls, fn, errors_of=field_errors)


@strawberry.input(description="A custom choice or multi-choice field holding a value exactly (search filters).")
class CustomFieldMatchInput:
    key: str
    value: str


# ---------------------------------------------------------------- core's query and mutations -----------------------

@strawberry.input(description="An option of a choice field.")
class CustomFieldOptionInput:
    value: str
    label_zh: str | None = None
    label_en: str | None = None


def _option_dicts(options) -> list[dict] | None:
    if options is None or options is strawberry.UNSET:
        return options
    return [{"value": o.value, "label_zh": o.label_zh, "label_en": o.label_en} for o in options]


@strawberry.input(description="A new custom field of an entity type.")
class CustomFieldDefineInput:
    entity_type: str
    key: str = strawberry.field(description="Lower-case letters, digits and _ (starting with a letter); fixed.")
    label_zh: str
    type: str = strawberry.field(description="text | number | money | date | choice | multi_choice | boolean | "
                                             "file | table (fixed once records hold values)")
    label_en: str = ""
    required: bool = False
    validation: JSON | None = None
    options: list[CustomFieldOptionInput] | None = None
    columns: JSON | None = strawberry.field(default=None, description="A table's columns: [{key, label_zh, "
                                                                      "label_en, type, required, validation, "
                                                                      "options}]")
    section: str = ""
    position: int = 0
    sensitive: bool = strawberry.field(default=False, description="text, number, money or date only; fixed once "
                                                                  "records hold values")
    mask_kind: str = strawberry.field(default="generic", description="generic | id_number | phone | bank_account "
                                                                     "| name | email")


@strawberry.input(description="Only the attributes given change; the key never does.")
class CustomFieldUpdateInput:
    id: strawberry.ID
    label_zh: str | None = strawberry.UNSET
    label_en: str | None = strawberry.UNSET
    type: str | None = strawberry.UNSET
    required: bool | None = strawberry.UNSET
    validation: JSON | None = strawberry.UNSET
    options: list[CustomFieldOptionInput] | None = strawberry.UNSET
    columns: JSON | None = strawberry.UNSET
    section: str | None = strawberry.UNSET
    position: int | None = strawberry.UNSET
    sensitive: bool | None = strawberry.UNSET
    mask_kind: str | None = strawberry.UNSET
    status: str | None = strawberry.field(default=strawberry.UNSET, description="active makes a retired field "
                                                                                "active again")


_SPEC = ("label_zh", "label_en", "type", "required", "validation", "columns", "section", "position", "sensitive",
         "mask_kind")


@strawberry.type
class CustomFieldDefinitionPayload:
    definition: CustomFieldDefinition | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class CustomFieldsQuery:
    @strawberry.field(description="The custom fields of an entity type in form order (active ones unless "
                                  "`includeRetired`).")
    def custom_field_definitions(self, info: strawberry.Info, entity_type: str,
                                 include_retired: bool = False) -> list[CustomFieldDefinition]:
        actor(info)
        return [CustomFieldDefinition.from_row(r) for r in service.definitions(
            info.context.session, entity_type, include_retired=include_retired)]

    @strawberry.field(description="The entity types the tenant's plugins let carry custom fields.")
    def custom_field_entity_types(self, info: strawberry.Info) -> list[CustomFieldEntityType]:
        actor(info)
        return [CustomFieldEntityType(key=e.key, label_zh=e.label_zh, label_en=e.label_en)
                for e in service.entity_types(info.context.session).values()]


@strawberry.type
class CustomFieldsMutation:
    @strawberry.mutation(description="Define a custom field (core:custom_field:manage).")
    def custom_field_define(self, info: strawberry.Info, input: CustomFieldDefineInput
                            ) -> CustomFieldDefinitionPayload:
        def go():
            spec = {k: getattr(input, k) for k in ("key", *_SPEC)}
            spec["options"] = _option_dicts(input.options) or []
            spec = {k: v for k, v in spec.items() if v is not None}
            row = service.define_field(info.context.session, actor(info), input.entity_type, spec)
            return CustomFieldDefinitionPayload(definition=CustomFieldDefinition.from_row(row))

        return run_mutation(info, CustomFieldDefinitionPayload, go)

    @strawberry.mutation(description="Change a custom field (core:custom_field:manage); its type, and whether it "
                                     "is sensitive, only while no record holds a value (CUSTOM_FIELD_IN_USE).")
    def custom_field_update(self, info: strawberry.Info, input: CustomFieldUpdateInput
                            ) -> CustomFieldDefinitionPayload:
        def go():
            changes = {k: getattr(input, k) for k in (*_SPEC, "status") if getattr(input, k) is not strawberry.UNSET}
            if input.options is not strawberry.UNSET:
                changes["options"] = _option_dicts(input.options) or []
            row = service.update_field(info.context.session, actor(info), decode_node_id(input.id, TYPE_NAME),
                                       changes)
            return CustomFieldDefinitionPayload(definition=CustomFieldDefinition.from_row(row))

        return run_mutation(info, CustomFieldDefinitionPayload, go)

    @strawberry.mutation(description="Retire a custom field (core:custom_field:manage): kept values stay readable; "
                                     "it takes no new ones.")
    def custom_field_retire(self, info: strawberry.Info, id: strawberry.ID) -> CustomFieldDefinitionPayload:
        def go():
            row = service.retire_field(info.context.session, actor(info), decode_node_id(id, TYPE_NAME))
            return CustomFieldDefinitionPayload(definition=CustomFieldDefinition.from_row(row))

        return run_mutation(info, CustomFieldDefinitionPayload, go)
