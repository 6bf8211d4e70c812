"""Custom fields: defining them (core:custom_field:manage), reading and writing a record's values, their history,
exact search by choice value, and what workflow conditions and scorecards read. docs/custom-fields.md.

Which entity types exist comes from the enabled plugins (``surety_custom_field_entities``). Values belong to the
owning plugin's record: the plugin authorises the caller on the record, then calls these functions with the record's
id (they check no permission of their own, except revealing a sensitive value: core:pii:reveal, audited).

Definitions change without breaking stored records: a retired field's values stay stored and readable (no new
values); a type change, or making a field sensitive or not, is refused while any record holds a value of it.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from surety.core.attachments.models import Attachment
from surety.core.audit.log import audit, audit_detached
from surety.core.authz.check import require
from surety.core.context import Actor
from surety.core.crypto.fields import decrypt_field, encrypt_field
from surety.core.crypto.masking import mask
from surety.core.custom_fields import schema as sch
from surety.core.custom_fields.models import (
    CHOICE,
    COLUMN_TYPES,
    DATE,
    MONEY,
    MULTI_CHOICE,
    NUMBER,
    SENSITIVE_TYPES,
    STATUS_ACTIVE,
    STATUS_RETIRED,
    TABLE,
    TEXT,
    TYPES,
    CustomFieldChoice,
    CustomFieldDefinition,
    CustomFieldValues,
    CustomFieldValuesVersion,
)
from surety.core.db.session import session_tenant
from surety.core.db.types import utcnow
from surety.core.errors import Conflict, NotFound, TenantNotBound, ValidationFailed
from surety.core.events import enabled_plugins
from surety.core.hookspecs import CustomFieldEntity
from surety.core.plugins import get_registry

#: The permission defining fields needs.
MANAGE = ("core:custom_field", "manage")
#: Audit entity type of definitions; values are audited on ``custom_fields:<entity type>``.
DEFINITION_ENTITY = "core:custom_field"
KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
MASK_KINDS = ("generic", "id_number", "phone", "bank_account", "name", "email")
MAX_OPTIONS = 200
MAX_COLUMNS = 30
MAX_PATTERN = 200
#: Rules each type may carry in ``validation``.
RULES = {TEXT: ("min_length", "max_length", "pattern"), NUMBER: ("min", "max"), MONEY: ("min", "max"),
         DATE: ("min", "max"), MULTI_CHOICE: ("min_length", "max_length"), TABLE: ("min_length", "max_length")}
IN_USE = "CUSTOM_FIELD_IN_USE"


def _tenant(session: Session) -> uuid.UUID:
    tenant = session_tenant(session)
    if not isinstance(tenant, uuid.UUID):
        raise TenantNotBound("custom fields live in a tenant session")
    return tenant


# ---------------------------------------------------------------- entity types -------------------------------------

def entity_types(session: Session) -> dict[str, CustomFieldEntity]:
    """The entity types the tenant's enabled plugins offer (``surety_custom_field_entities``), by key."""
    caller = get_registry().hook_for("surety_custom_field_entities", enabled_plugins(session, _tenant(session)))
    found: dict[str, CustomFieldEntity] = {}
    for contribution in caller():
        for entity in contribution or ():
            found[entity.key] = entity
    return found


def _entity(session: Session, entity_type: str) -> str:
    if entity_type not in entity_types(session):
        raise ValidationFailed("There is no entity type {entity_type} with custom fields here.",
                               field="entity_type", entity_type=str(entity_type)[:60])
    return entity_type


# ---------------------------------------------------------------- definitions --------------------------------------

def _label(value: Any, field: str, *, required: bool) -> str:
    text = " ".join(str(value or "").split())
    if required and not text:
        raise ValidationFailed("Give {field}.", field=field)
    if len(text) > 100:
        raise ValidationFailed("{field} is at most 100 characters.", field=field)
    return text


def _key(value: Any, field: str = "key") -> str:
    key = str(value or "")
    if not KEY.match(key):
        raise ValidationFailed("A key is lower-case letters, digits and _ starting with a letter, at most 40 "
                               "characters; {key} is not.", field=field, key=key[:50])
    return key


def _rules(kind: str, raw: Any, field: str) -> dict[str, Any]:
    raw = dict(raw or {})
    allowed = RULES.get(kind, ())
    unknown = sorted(set(raw) - set(allowed))
    if unknown:
        raise ValidationFailed("A {type} field takes no rule {rule}.", field=field, type=kind, rule=unknown[0])
    out: dict[str, Any] = {}
    for name in ("min_length", "max_length"):
        if raw.get(name) not in (None, ""):
            value = raw[name]
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100_000:
                raise ValidationFailed("{rule} is a whole number from 0 to 100000.", field=field, rule=name)
            out[name] = value
    if "min_length" in out and "max_length" in out and out["min_length"] > out["max_length"]:
        raise ValidationFailed("min_length is above max_length.", field=field)
    if raw.get("pattern"):
        pattern = str(raw["pattern"])
        if len(pattern) > MAX_PATTERN or not sch.valid_pattern(pattern):
            raise ValidationFailed("The pattern is not a regular expression of at most {limit} characters.",
                                   field=field, limit=MAX_PATTERN)
        out["pattern"] = pattern
    for name in ("min", "max"):
        if raw.get(name) in (None, ""):
            continue
        try:
            out[name] = (sch.read_date(raw[name]) if kind == DATE else
                         format(sch.read_decimal(raw[name]), "f"))
        except sch.Refused:
            raise ValidationFailed("{rule} of a {type} field must be a {what}.", field=field, rule=name, type=kind,
                                   what="date" if kind == DATE else "number") from None
    if "min" in out and "max" in out:
        low, high = (out["min"], out["max"]) if kind == DATE else (Decimal(out["min"]), Decimal(out["max"]))
        if low > high:
            raise ValidationFailed("min is above max.", field=field)
    return out


def _options(kind: str, raw: Any, field: str) -> list[dict]:
    if kind not in (CHOICE, MULTI_CHOICE):
        if raw:
            raise ValidationFailed("Only choice fields have options.", field=field)
        return []
    if not raw or not isinstance(raw, (list, tuple)) or len(raw) > MAX_OPTIONS:
        raise ValidationFailed("A choice field needs a list of 1 to {limit} options.", field=field,
                               limit=MAX_OPTIONS)
    out, seen = [], set()
    for option in raw:
        if not isinstance(option, Mapping):
            raise ValidationFailed("Each option is an object with value and label_zh.", field=field)
        value = " ".join(str(option.get("value") or "").split())
        if not value or len(value) > 100 or value in seen:
            raise ValidationFailed("Each option has a distinct value of 1 to 100 characters; {value} is not.",
                                   field=field, value=value[:100])
        seen.add(value)
        out.append({"value": value, "label_zh": _label(option.get("label_zh") or value, field, required=True),
                    "label_en": _label(option.get("label_en"), field, required=False)})
    return out


def _columns(raw: Any, field: str) -> list[dict]:
    if not raw or not isinstance(raw, (list, tuple)) or len(raw) > MAX_COLUMNS:
        raise ValidationFailed("A table field needs a list of 1 to {limit} columns.", field=field,
                               limit=MAX_COLUMNS)
    out, seen = [], set()
    for column in raw:
        if not isinstance(column, Mapping):
            raise ValidationFailed("Each column is an object with key, label_zh and type.", field=field)
        key = _key(column.get("key"), field)
        if key in seen:
            raise ValidationFailed("The column key {key} appears twice.", field=field, key=key)
        seen.add(key)
        kind = str(column.get("type") or "")
        if kind not in COLUMN_TYPES:
            raise ValidationFailed("A column's type is one of {types}; not {type}.", field=field,
                                   types=", ".join(COLUMN_TYPES), type=str(kind)[:20])
        out.append({"key": key, "label_zh": _label(column.get("label_zh"), field, required=True),
                    "label_en": _label(column.get("label_en"), field, required=False), "type": kind,
                    "required": bool(column.get("required", False)),
                    "validation": _rules(kind, column.get("validation"), field),
                    "options": _options(kind, column.get("options"), field)})
    return out


def clean_definition(spec: Mapping[str, Any]) -> dict[str, Any]:
    """The validated columns of a definition from ``spec`` (key, label_zh, label_en, type, required, validation,
    options, columns, section, position, sensitive, mask_kind)."""
    known = {"key", "label_zh", "label_en", "type", "required", "validation", "options", "columns", "section",
             "position", "sensitive", "mask_kind"}
    unknown = sorted(set(spec) - known)
    if unknown:
        raise ValidationFailed("A field definition has no attribute {name}.", field=unknown[0], name=unknown[0])
    kind = str(spec.get("type") or "")
    if kind not in TYPES:
        raise ValidationFailed("A field's type is one of {types}; not {type}.", field="type",
                               types=", ".join(TYPES), type=str(kind)[:20])
    sensitive = bool(spec.get("sensitive", False))
    if sensitive and kind not in SENSITIVE_TYPES:
        raise ValidationFailed("Only text, number, money and date fields may be sensitive.", field="sensitive")
    mask_kind = spec.get("mask_kind") or "generic"
    if mask_kind not in MASK_KINDS:
        raise ValidationFailed("mask_kind is one of {kinds}.", field="mask_kind", kinds=", ".join(MASK_KINDS))
    position = spec.get("position", 0)
    if isinstance(position, bool) or not isinstance(position, int) or not 0 <= position <= 100_000:
        raise ValidationFailed("position is a whole number from 0 to 100000.", field="position")
    return {
        "key": _key(spec.get("key")), "type": kind,
        "label_zh": _label(spec.get("label_zh"), "label_zh", required=True),
        "label_en": _label(spec.get("label_en"), "label_en", required=False),
        "required": bool(spec.get("required", False)),
        "validation": _rules(kind, spec.get("validation"), "validation"),
        "options": _options(kind, spec.get("options"), "options"),
        "columns": _columns(spec.get("columns"), "columns") if kind == TABLE else [],
        "section": _label(spec.get("section"), "section", required=False),
        "position": position, "sensitive": sensitive, "mask_kind": mask_kind,
    }


def _image(d: CustomFieldDefinition) -> dict[str, Any]:
    return {"entity_type": d.entity_type, "key": d.key, "label_zh": d.label_zh, "label_en": d.label_en,
            "type": d.type, "required": d.required, "validation": d.validation, "options": d.options,
            "columns": d.columns, "section": d.section, "position": d.position, "sensitive": d.sensitive,
            "mask_kind": d.mask_kind, "status": d.status, "version": d.version}


def define_field(session: Session, actor: Actor, entity_type: str, spec: Mapping[str, Any]
                 ) -> CustomFieldDefinition:
    """Define a new field of ``entity_type`` (core:custom_field:manage); its key is unique per entity type, a
    retired field's key included."""
    require(session, actor, *MANAGE)
    _entity(session, entity_type)
    clean = clean_definition(spec)
    if session.scalar(select(CustomFieldDefinition.id).where(CustomFieldDefinition.entity_type == entity_type,
                                                             CustomFieldDefinition.key == clean["key"])):
        raise Conflict("A field {key} exists already for {entity_type} (a retired one can be made active again).",
                       field="key", key=clean["key"], entity_type=entity_type)
    row = CustomFieldDefinition(entity_type=entity_type, status=STATUS_ACTIVE, version=1, updated_by=actor.id_uuid,
                                **clean)
    session.add(row)
    session.flush()
    audit(session, "custom_fields.definition.created", entity_type=DEFINITION_ENTITY, entity_id=row.id,
          after=_image(row), actor=actor)
    return row


def get_definition(session: Session, definition_id: uuid.UUID) -> CustomFieldDefinition:
    row = session.scalar(select(CustomFieldDefinition).where(CustomFieldDefinition.id == definition_id))
    if row is None:
        raise NotFound("No custom field with that id.", field="id")
    return row


def values_exist(session: Session, entity_type: str, key: str) -> bool:
    """Whether any record of ``entity_type`` holds a value of field ``key`` (a JSON key test on the values
    document: ``jsonb_exists`` on PostgreSQL, ``json_type`` on SQLite)."""
    doc = CustomFieldValues.values
    has: ColumnElement[bool] = (func.jsonb_exists(doc, key) if session.get_bind().dialect.name == "postgresql"
                                else func.json_type(doc, f'$."{_key(key)}"').is_not(None))
    return session.scalar(select(CustomFieldValues.id).where(CustomFieldValues.entity_type == entity_type, has)
                          .limit(1)) is not None


def update_field(session: Session, actor: Actor, definition_id: uuid.UUID, changes: Mapping[str, Any]
                 ) -> CustomFieldDefinition:
    """Change a definition (core:custom_field:manage). Its key stays; its type, a table's column types and whether
    it is sensitive cannot change while any record holds a value of it (Conflict, code CUSTOM_FIELD_IN_USE).
    ``status`` ``active`` makes a retired field active again."""
    require(session, actor, *MANAGE)
    row = get_definition(session, definition_id)
    changes = dict(changes)
    status = changes.pop("status", None)
    if status not in (None, STATUS_ACTIVE, STATUS_RETIRED):
        raise ValidationFailed("status is active or retired.", field="status")
    if "key" in changes and changes["key"] != row.key:
        raise ValidationFailed("A field's key cannot change; define a new field and retire this one.", field="key")
    before = _image(row)
    clean = clean_definition({**{k: v for k, v in before.items() if k not in ("entity_type", "status", "version")},
                              **changes})
    old_types = {c["key"]: c["type"] for c in row.columns} if row.type == TABLE else {}
    column_change = clean["type"] == TABLE and any(
        c["key"] in old_types and old_types[c["key"]] != c["type"] for c in clean["columns"])
    what = "type" if clean["type"] != row.type else "sensitive" if clean["sensitive"] != row.sensitive else None
    if (what or column_change) and values_exist(session, row.entity_type, row.key):
        if what is None:
            raise Conflict("{label}: a column's type cannot change while records hold values of the table.",
                           code=IN_USE, field="columns", label=row.label_zh)
        raise Conflict("{label}: its {what} cannot change while records hold values of it (retire it and define a "
                       "new field instead).", code=IN_USE, field=what, label=row.label_zh, what=what)
    for name, value in clean.items():
        setattr(row, name, value)
    if status is not None:
        row.status = status
    row.version += 1
    row.updated_by, row.updated_at = actor.id_uuid, utcnow()
    session.flush()
    audit(session, "custom_fields.definition.updated", entity_type=DEFINITION_ENTITY, entity_id=row.id,
          before=before, after=_image(row), actor=actor)
    return row


def retire_field(session: Session, actor: Actor, definition_id: uuid.UUID) -> CustomFieldDefinition:
    """Retire a field (core:custom_field:manage): it leaves the form and takes no new values; stored values are
    kept and stay readable."""
    require(session, actor, *MANAGE)
    row = get_definition(session, definition_id)
    if row.status == STATUS_RETIRED:
        return row
    before = _image(row)
    row.status, row.version = STATUS_RETIRED, row.version + 1
    row.updated_by, row.updated_at = actor.id_uuid, utcnow()
    session.flush()
    audit(session, "custom_fields.definition.retired", entity_type=DEFINITION_ENTITY, entity_id=row.id,
          before=before, after=_image(row), actor=actor)
    return row


def definitions(session: Session, entity_type: str, *, include_retired: bool = False
                ) -> list[CustomFieldDefinition]:
    """The fields of ``entity_type`` in form order (section, position, key)."""
    stmt = select(CustomFieldDefinition).where(CustomFieldDefinition.entity_type == entity_type)
    if not include_retired:
        stmt = stmt.where(CustomFieldDefinition.status == STATUS_ACTIVE)
    return list(session.scalars(stmt.order_by(CustomFieldDefinition.section, CustomFieldDefinition.position,
                                              CustomFieldDefinition.key)))


# ---------------------------------------------------------------- values -------------------------------------------

@dataclass(frozen=True)
class FieldValue:
    """One field of a record as stored: ``value`` in clear (decrypted), None when the record has none."""

    definition: CustomFieldDefinition
    value: Any

    @property
    def key(self) -> str:
        return self.definition.key

    @property
    def masked(self) -> Any:
        """The value as shown by default: a sensitive one masked (``definition.mask_kind``)."""
        if self.value is None or not self.definition.sensitive:
            return self.value
        return mask(str(self.value), self.definition.mask_kind)


def _binding(entity_type: str, record_id: uuid.UUID, key: str) -> str:
    """Associated data of a sensitive value: a ciphertext moved to another tenant, record or field never decrypts."""
    return f"custom_field_values.{entity_type}.{record_id}.{key}"


def _row(session: Session, entity_type: str, record_id: uuid.UUID, *, lock: bool = False
         ) -> CustomFieldValues | None:
    stmt = select(CustomFieldValues).where(CustomFieldValues.entity_type == entity_type,
                                           CustomFieldValues.record_id == record_id)
    return session.scalar(stmt.with_for_update() if lock else stmt)


def values_version(session: Session, entity_type: str, record_id: uuid.UUID) -> int:
    """The number of kept versions of the record's custom values (0: none yet)."""
    return session.scalar(select(CustomFieldValues.version).where(
        CustomFieldValues.entity_type == entity_type, CustomFieldValues.record_id == record_id)) or 0


def _plain(tenant: uuid.UUID, entity_type: str, record_id: uuid.UUID, d: CustomFieldDefinition, stored: Any) -> Any:
    if stored is None or not d.sensitive:
        return stored
    return decrypt_field(tenant, _binding(entity_type, record_id, d.key), stored)


def read_values(session: Session, entity_type: str, record_id: uuid.UUID, *, include_retired: bool = True
                ) -> list[FieldValue]:
    """Every field of the record in form order, active ones first then retired ones holding a value (their values
    are kept and readable); sensitive values decrypted (show :attr:`FieldValue.masked` unless revealing)."""
    return read_many(session, entity_type, [record_id], include_retired=include_retired)[record_id]


def read_many(session: Session, entity_type: str, record_ids: Iterable[uuid.UUID], *,
              include_retired: bool = True) -> dict[uuid.UUID, list[FieldValue]]:
    """:func:`read_values` of several records of one entity type in two queries (definitions, values)."""
    found = read_records(session, [(entity_type, r) for r in record_ids], include_retired=include_retired)
    return {record_id: values for (_, record_id), values in found.items()}


def read_records(session: Session, keys: Iterable[tuple[str, uuid.UUID]], *, include_retired: bool = True
                 ) -> dict[tuple[str, uuid.UUID], list[FieldValue]]:
    """:func:`read_values` of records of any entity types, ``(entity type, record id) -> fields``, in two queries
    whatever the number of records and types (definitions, values; one when the types have no fields)."""
    tenant = _tenant(session)
    keys = list(dict.fromkeys(keys))
    if not keys:
        return {}
    types = sorted({t for t, _ in keys})
    stmt = select(CustomFieldDefinition).where(CustomFieldDefinition.entity_type.in_(types))
    if not include_retired:
        stmt = stmt.where(CustomFieldDefinition.status == STATUS_ACTIVE)
    every: dict[str, list[CustomFieldDefinition]] = {}
    for d in session.scalars(stmt.order_by(CustomFieldDefinition.section, CustomFieldDefinition.position,
                                           CustomFieldDefinition.key)):
        every.setdefault(d.entity_type, []).append(d)
    if not every:  # no fields defined: nothing stored can be shown, so the values are not read
        return {key: [] for key in keys}
    rows = {(r.entity_type, r.record_id): r for r in session.scalars(select(CustomFieldValues).where(
        CustomFieldValues.entity_type.in_(types), CustomFieldValues.record_id.in_({r for _, r in keys})))}
    out = {}
    for entity_type, record_id in keys:
        row = rows.get((entity_type, record_id))
        stored = dict(row.values or {}) if row is not None else {}
        found = [FieldValue(d, _plain(tenant, entity_type, record_id, d, stored.get(d.key)))
                 for d in every.get(entity_type, []) if d.status == STATUS_ACTIVE or d.key in stored]
        found.sort(key=lambda f: f.definition.status != STATUS_ACTIVE)
        out[(entity_type, record_id)] = found
    return out


def _shown(d: CustomFieldDefinition | None, value: Any) -> Any:
    if value is None or d is None or not d.sensitive:
        return value
    return mask(str(value), d.mask_kind)


def _files_exist(session: Session, ids: Iterable[str]) -> set[str]:
    wanted = []
    for value in ids:
        try:
            wanted.append(uuid.UUID(value))
        except ValueError:
            continue
    if not wanted:
        return set()
    return {str(i) for i in session.scalars(select(Attachment.id).where(Attachment.id.in_(wanted),
                                                                      Attachment.deleted_at.is_(None)))}


def _merge(session: Session, every: Mapping[str, CustomFieldDefinition], plain: Mapping[str, Any],
           values: Any) -> tuple[dict[str, Any], list[ValidationFailed]]:
    """``plain`` (the stored values in clear) with ``values`` applied, and every problem of ``values`` (unknown or
    retired keys, bad values, required fields left without one)."""
    if not isinstance(values, Mapping):
        raise ValidationFailed("Custom values are an object of field key to value.", field="values")
    active = {k: d for k, d in every.items() if d.status == STATUS_ACTIVE}
    problems: list[ValidationFailed] = []
    for key in values:
        if key not in every:
            problems.append(sch.problem(sch.UNKNOWN, sch.MSG_UNKNOWN, str(key)[:60], key=str(key)[:60]))
        elif key not in active:
            problems.append(sch.problem(sch.RETIRED, sch.MSG_RETIRED, key, label=every[key].label_zh))
    incoming = {k: x for k, x in values.items() if k in active}
    specs = {k: sch.FieldSpec.of(d) for k, d in active.items()}
    good, cleared, found = sch.check([specs[k] for k in incoming], incoming)
    problems += found
    files = [x for k, x in good.items() if active[k].type == "file"]
    if files:
        existing = _files_exist(session, files)
        for k in [k for k, x in good.items() if active[k].type == "file" and x not in existing]:
            problems.append(sch.problem(sch.NO_FILE, sch.MSG_NO_FILE, k, label=active[k].label_zh))
            good.pop(k)
    merged = {**plain, **good}
    for k in cleared:
        merged.pop(k, None)
    failed = {p.field.split(".")[0] for p in problems if p.field}
    for key, d in active.items():
        if d.required and key not in merged and key not in failed:
            problems.append(sch.problem(sch.REQUIRED, sch.MSG_REQUIRED, key, label=d.label_zh))
    return merged, problems


def check_values(session: Session, entity_type: str, values: Mapping[str, Any]) -> list[ValidationFailed]:
    """Every problem ``values`` would have as the custom values of a new record (a dry run: nothing is written)."""
    _entity(session, entity_type)
    every = {d.key: d for d in definitions(session, entity_type, include_retired=True)}
    return _merge(session, every, {}, values)[1]


def write_values(session: Session, actor: Actor, entity_type: str, record_id: uuid.UUID,
                 values: Mapping[str, Any], *, expected_version: int | None = None) -> CustomFieldValues:
    """Set the given fields of a record (others keep their values; a blank value clears a field) after checking
    every value and every required field at once: CustomFieldsInvalid lists each problem with its field key. A new
    version is kept and audited when anything changed. The caller has authorised ``actor`` on the record."""
    tenant = _tenant(session)
    _entity(session, entity_type)
    every = {d.key: d for d in definitions(session, entity_type, include_retired=True)}
    row = _row(session, entity_type, record_id, lock=True)
    stored = dict(row.values or {}) if row else {}
    plain = {k: _plain(tenant, entity_type, record_id, every[k], x) for k, x in stored.items() if k in every}
    merged, problems = _merge(session, every, plain, values)
    if problems:
        raise sch.CustomFieldsInvalid(problems)
    if row is not None and expected_version is not None and expected_version != row.version:
        raise Conflict("The custom values were changed meanwhile (now version {version}); reload and retry.",
                       field="version", version=row.version)
    changed = sorted(k for k in set(plain) | set(merged) if plain.get(k) != merged.get(k))
    if not changed:  # nothing to keep (a record with no values yet gets an unsaved, version-0 row)
        return row if row is not None else CustomFieldValues(entity_type=entity_type, record_id=record_id,
                                                             values={}, version=0)
    document = {k: (encrypt_field(tenant, _binding(entity_type, record_id, k), str(x)) if every[k].sensitive else x)
                for k, x in merged.items()}
    # Unchanged sensitive values keep their ciphertext (no new encryption, no spurious difference).
    for k in set(stored) & set(document):
        if every.get(k) is not None and every[k].sensitive and k not in changed:
            document[k] = stored[k]
    if row is None:
        row = CustomFieldValues(entity_type=entity_type, record_id=record_id, values=document, version=1)
        session.add(row)
    else:
        row.values, row.version = document, row.version + 1
    row.updated_by, row.updated_at = actor.id_uuid, utcnow()
    session.add(CustomFieldValuesVersion(entity_type=entity_type, record_id=record_id, version=row.version,
                                         values=document, changed=changed, changed_by=actor.id_uuid))
    _index_choices(session, entity_type, record_id, every, merged)
    session.flush()
    audit(session, "custom_fields.values.updated", entity_type=f"custom_fields:{entity_type}"[:100],
          entity_id=record_id, actor=actor,
          before={k: _shown(every.get(k), plain.get(k)) for k in changed if k in plain},
          after={"version": row.version, "changed": changed,
                 "values": {k: _shown(every.get(k), merged.get(k)) for k in changed if k in merged}})
    return row


def _index_choices(session: Session, entity_type: str, record_id: uuid.UUID,
                   every: Mapping[str, CustomFieldDefinition], merged: Mapping[str, Any]) -> None:
    session.execute(delete(CustomFieldChoice).where(CustomFieldChoice.entity_type == entity_type,
                                                    CustomFieldChoice.record_id == record_id))
    for key, value in merged.items():
        d = every.get(key)
        if d is None or d.type not in (CHOICE, MULTI_CHOICE):
            continue
        for chosen in dict.fromkeys(value if isinstance(value, list) else [value]):
            session.add(CustomFieldChoice(entity_type=entity_type, record_id=record_id, key=key, value=chosen))


def find_records(session: Session, entity_type: str, key: str, value: str) -> list[uuid.UUID]:
    """Ids of the records of ``entity_type`` whose choice or multi-choice field ``key`` holds ``value`` exactly
    (through the choice index). The caller filters them by what its user may see."""
    return list(session.scalars(select(CustomFieldChoice.record_id).where(
        CustomFieldChoice.entity_type == entity_type, CustomFieldChoice.key == key,
        CustomFieldChoice.value == value).order_by(CustomFieldChoice.record_id).distinct()))


def matching(entity_types: Iterable[str], key: str, value: str):
    """A SELECT of the record ids whose choice or multi-choice field ``key`` holds ``value`` (any of
    ``entity_types``): for an owning plugin's search (``Record.id.in_(matching(...))``), which adds its scope."""
    return select(CustomFieldChoice.record_id).where(CustomFieldChoice.entity_type.in_(list(entity_types)),
                                                     CustomFieldChoice.key == key, CustomFieldChoice.value == value)


def history(session: Session, entity_type: str, record_id: uuid.UUID) -> list[dict[str, Any]]:
    """Every kept version of the record's custom values, oldest first: ``{"version", "changed", "changed_by",
    "changed_at", "values"}`` with sensitive values masked."""
    tenant = _tenant(session)
    every = {d.key: d for d in definitions(session, entity_type, include_retired=True)}
    out = []
    for v in session.scalars(select(CustomFieldValuesVersion).where(
            CustomFieldValuesVersion.entity_type == entity_type, CustomFieldValuesVersion.record_id == record_id)
            .order_by(CustomFieldValuesVersion.version)):
        shown = {k: _shown(every.get(k), _plain(tenant, entity_type, record_id, every[k], x) if k in every else x)
                 for k, x in (v.values or {}).items()}
        out.append({"version": v.version, "changed": list(v.changed or []), "changed_by": v.changed_by,
                    "changed_at": v.changed_at, "values": shown})
    return out


def reveal_value(session: Session, actor: Actor, entity_type: str, record_id: uuid.UUID, key: str, *,
                 audit_entity: str | None = None) -> Any:
    """A sensitive value in clear, for a holder of core:pii:reveal (PermissionDenied, audited, otherwise); the
    reveal is audited as ``pii.revealed`` with the field's key (never its value) on ``audit_entity`` (default
    ``custom_fields:<entity type>``) and the record's id, in a transaction of its own."""
    require(session, actor, "core:pii", "reveal")
    found = next((f for f in read_values(session, entity_type, record_id) if f.key == key), None)
    if found is None:
        raise NotFound("There is no custom field {key} for this record.", field="key", key=key[:60])
    audit_detached(session, "pii.revealed", entity_type=audit_entity or f"custom_fields:{entity_type}"[:100],
                   entity_id=record_id, after={"field": f"custom.{key}"}, actor=actor)
    return found.value


# ---------------------------------------------------------------- workflow subjects and scorecards -----------------

def typed(d: CustomFieldDefinition, value: Any) -> Any:
    """A stored value as conditions read it: numbers and amounts as Decimal, everything else as stored."""
    if value is None:
        return None
    if d.type in (NUMBER, MONEY):
        return Decimal(str(value))
    return value


def subject_values(session: Session, entity_type: str, record_id: uuid.UUID | str) -> dict[str, Any]:
    """``{"custom": {key: value}}`` of a record for workflow conditions (``custom.family_members > 2``) and other
    rules: the active fields holding a value, numbers and amounts as Decimal. Sensitive fields are left out (a
    workflow instance keeps its subject's fields, and those keep no personal data)."""
    return subject_values_of(session, [(entity_type, record_id)])[0]


def subject_values_of(session: Session, records: Sequence[tuple[str, uuid.UUID | str]]) -> list[dict[str, Any]]:
    """:func:`subject_values` of several records (of any entity types) in one read, in the order given."""
    keys = [(t, r if isinstance(r, uuid.UUID) else uuid.UUID(str(r))) for t, r in records]
    found = read_records(session, keys, include_retired=False)
    return [{"custom": {f.key: typed(f.definition, f.value) for f in found[key]
                        if f.value is not None and not f.definition.sensitive}} for key in keys]


def number_value(session: Session, entity_type: str, record_id: uuid.UUID, key: str) -> Decimal | None:
    """The value of a number or money field of a record (None when it holds none); ValidationFailed when ``key``
    is no such active, non-sensitive field."""
    d = session.scalar(select(CustomFieldDefinition).where(CustomFieldDefinition.entity_type == entity_type,
                                                           CustomFieldDefinition.key == key))
    if d is None or d.status != STATUS_ACTIVE or d.type not in (NUMBER, MONEY) or d.sensitive:
        raise ValidationFailed("{key} is no active, non-sensitive number or money field of {entity_type}.",
                               field="source", key=key, entity_type=entity_type)
    return subject_values(session, entity_type, record_id)["custom"].get(key)

