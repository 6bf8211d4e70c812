"""Validating custom values against their definitions: each value is first read into its stored form (numbers and
amounts as Decimal, dates as ISO text), then the whole set is checked by one JSON Schema built from the definitions
(``jsonschema``, draft 2020-12, with two keywords of our own for date ranges). Every problem is collected and
returned at once, each a ValidationFailed with a code, the field's key (``field``; ``key.row.column`` inside a
table) and the field's zh-CN label as ``label``.

Client input: a number or amount is a Decimal, an int or numeric text; a JSON number that arrives as a float is read
by its shortest decimal text (``repr``), never by its binary value, as spreadsheets are (core/inputs.py).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker, ValidationError
from jsonschema.validators import extend

from surety.core import limits
from surety.core.custom_fields.models import (
    BOOLEAN,
    CHOICE,
    DATE,
    FILE,
    MONEY,
    MULTI_CHOICE,
    NUMBER,
    TABLE,
    TEXT,
)
from surety.core.errors import ValidationFailed
from surety.core.i18n import N_

FEN = Decimal("0.01")
#: Longest text value when the definition sets no max_length.
DEFAULT_MAX_TEXT = 2000
#: Most rows of a table value.
MAX_TABLE_ROWS = 500

# Codes of the per-field problems.
REQUIRED = "CUSTOM_FIELD_REQUIRED"
WRONG_TYPE = "CUSTOM_FIELD_TYPE"
OUT_OF_RANGE = "CUSTOM_FIELD_RANGE"
BAD_LENGTH = "CUSTOM_FIELD_LENGTH"
BAD_PATTERN = "CUSTOM_FIELD_PATTERN"
NOT_AN_OPTION = "CUSTOM_FIELD_CHOICE"
UNKNOWN = "CUSTOM_FIELD_UNKNOWN"
RETIRED = "CUSTOM_FIELD_RETIRED"
NO_FILE = "CUSTOM_FIELD_FILE"
INVALID = "CUSTOM_FIELD_INVALID"

#: What each type expects, said when a value is not of it.
TYPE_MESSAGES = {
    TEXT: N_("{label} must be text."),
    NUMBER: N_("{label} must be a number (e.g. 3 or 2.5)."),
    MONEY: N_("{label} must be an amount in yuan with at most two decimal places (e.g. 1200.50)."),
    DATE: N_("{label} must be a date (e.g. 2026-03-10)."),
    CHOICE: N_("{label} must be one of: {options}."),
    MULTI_CHOICE: N_("{label} must be a list of options from: {options}."),
    BOOLEAN: N_("{label} must be yes or no (true or false)."),
    FILE: N_("{label} must be the id of an uploaded file."),
    TABLE: N_("{label} must be a list of rows, each an object of the table's columns."),
}
MSG_REQUIRED = N_("{label} is required.")
MSG_MIN = N_("{label} must be at least {minimum}.")
MSG_MAX = N_("{label} must be at most {maximum}.")
MSG_DATE_MIN = N_("{label} must be on or after {minimum}.")
MSG_DATE_MAX = N_("{label} must be on or before {maximum}.")
MSG_MIN_CHARS = N_("{label} must have at least {min_length} characters.")
MSG_MAX_CHARS = N_("{label} must have at most {max_length} characters.")
MSG_MIN_ITEMS = N_("{label} needs at least {min_length} entries.")
MSG_MAX_ITEMS = N_("{label} takes at most {max_length} entries.")
MSG_PATTERN = N_("{label} does not have the required format.")
MSG_TWICE = N_("{label} names an option twice.")
MSG_UNKNOWN = N_("There is no custom field {key} for this record.")
MSG_UNKNOWN_COLUMN = N_("{label} has no column {column}.")
MSG_RETIRED = N_("{label} is retired: its stored value is kept but can no longer be changed.")
MSG_NO_FILE = N_("{label} names no uploaded file of this tenant.")
MSG_INVALID = N_("{label} is not valid.")


class CustomFieldsInvalid(ValidationFailed):
    """Custom values with one or more problems; ``problems`` lists every one (a ValidationFailed each, ``field`` the
    key). The message counts them; GraphQL returns each problem as a typed error of its own."""

    code = "CUSTOM_FIELDS_INVALID"

    def __init__(self, problems: list[ValidationFailed]):
        super().__init__("{count} custom field value(s) are not valid.", field=problems[0].field,
                         count=len(problems))
        self.problems = problems


@dataclass(frozen=True)
class FieldSpec:
    """What validation needs of a definition (or of a table's column)."""

    key: str
    label: str
    type: str
    required: bool = False
    validation: Mapping[str, Any] = field(default_factory=dict)
    options: tuple[str, ...] = ()
    columns: tuple[FieldSpec, ...] = ()

    @classmethod
    def of(cls, d: Any) -> FieldSpec:
        """From a CustomFieldDefinition row or a column dict."""
        get = (lambda k, default=None: d.get(k, default)) if isinstance(d, Mapping) else \
            (lambda k, default=None: getattr(d, k, default))
        return cls(key=get("key"), label=get("label_zh") or get("key"), type=get("type"),
                   required=bool(get("required", False)), validation=dict(get("validation") or {}),
                   options=tuple(str(o["value"]) for o in get("options") or ()),
                   columns=tuple(cls.of(c) for c in get("columns") or ()))


def problem(code: str, template: str, path: str, **params: Any) -> ValidationFailed:
    return ValidationFailed(template, code=code, field=path, **params)


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value == [] or value == {}


# ---------------------------------------------------------------- reading values into their stored form -----------

class Refused(Exception):
    """A value that cannot be read as its field's type at all."""


def read_decimal(value: Any) -> Decimal:
    if isinstance(value, float):
        value = repr(value)  # the shortest decimal text, never the binary value
    if isinstance(value, bool) or not isinstance(value, (int, str, Decimal)):
        raise Refused
    try:
        result = Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        raise Refused from None
    try:
        limits.decimal(result, "value")
    except ValidationFailed:
        raise Refused from None
    return result


def read_date(value: Any) -> str:
    if isinstance(value, dt.datetime):
        raise Refused
    if isinstance(value, dt.date):
        day = value
    elif isinstance(value, str):
        try:
            day = dt.date.fromisoformat(value.strip())
        except ValueError:
            raise Refused from None
    else:
        raise Refused
    if not limits.MIN_YEAR <= day.year <= limits.MAX_YEAR:
        raise Refused
    return day.isoformat()


def coerce(spec: FieldSpec, value: Any) -> Any:
    """``value`` in the stored form of ``spec``'s type (JSON types, with numbers as Decimal until stored as text);
    raises Refused when it cannot be read as that type at all (ranges and options are the schema's job)."""
    kind = spec.type
    if kind == TEXT:
        if not isinstance(value, str):
            raise Refused
        return value.strip()
    if kind == NUMBER:
        return read_decimal(value)
    if kind == MONEY:
        return read_decimal(value)  # places: the schema's multipleOf
    if kind == DATE:
        return read_date(value)
    if kind in (CHOICE, FILE):
        if not isinstance(value, str):
            raise Refused
        return value.strip()
    if kind == MULTI_CHOICE:
        if not isinstance(value, (list, tuple)) or not all(isinstance(x, str) for x in value):
            raise Refused
        return [x.strip() for x in value]
    if kind == BOOLEAN:
        if not isinstance(value, bool):
            raise Refused
        return value
    if kind == TABLE:
        if not isinstance(value, (list, tuple)) or not all(isinstance(r, Mapping) for r in value):
            raise Refused
        return [dict(r) for r in value]  # cells: see _coerce_rows
    raise Refused


def _coerce_rows(spec: FieldSpec, rows: list[dict], problems: dict[str, ValidationFailed]) -> list[dict]:
    columns = {c.key: c for c in spec.columns}
    out = []
    for n, row in enumerate(rows):
        cells = {}
        for col_key, cell in row.items():
            col = columns.get(col_key)
            if col is None or is_blank(cell):
                cells[col_key] = cell  # unknown columns: the schema's additionalProperties; blanks dropped below
                if col is not None:
                    cells.pop(col_key)
                continue
            try:
                cells[col_key] = coerce(col, cell)
            except Refused:
                path = f"{spec.key}.{n}.{col_key}"
                problems.setdefault(path, problem(WRONG_TYPE, TYPE_MESSAGES[col.type], path,
                                                  label=cell_label(spec, n, col),
                                                  options=", ".join(col.options)))
        for col in spec.columns:
            if col.required and col.key not in cells:
                path = f"{spec.key}.{n}.{col.key}"
                problems.setdefault(path, problem(REQUIRED, MSG_REQUIRED, path, label=cell_label(spec, n, col)))
        out.append(cells)
    return out


def cell_label(table: FieldSpec, row: int, column: FieldSpec) -> str:
    """How a cell is named in messages: ``家庭成员 #2 姓名`` (rows counted from 1)."""
    return f"{table.label} #{row + 1} {column.label}"


def stored(spec: FieldSpec, value: Any) -> Any:
    """A coerced value as JSON: Decimals as text (amounts to the fen), everything else as is."""
    if spec.type == MONEY and isinstance(value, Decimal):
        return str(value.quantize(FEN))
    if isinstance(value, Decimal):
        return format(value, "f")
    if spec.type == TABLE:
        columns = {c.key: c for c in spec.columns}
        return [{k: stored(columns[k], x) for k, x in row.items() if k in columns} for row in value]
    return value


# ---------------------------------------------------------------- the JSON Schema ---------------------------------

def _date_bound(validator, bound, instance, schema, *, after: bool):
    if isinstance(instance, str) and (instance < bound if after else instance > bound):
        yield ValidationError(f"{instance} is {'before' if after else 'after'} {bound}")


_Validator = extend(Draft202012Validator, {
    "dateMinimum": lambda v, b, i, s: _date_bound(v, b, i, s, after=True),
    "dateMaximum": lambda v, b, i, s: _date_bound(v, b, i, s, after=False),
})


def _bound(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    return Decimal(str(value))


def field_schema(spec: FieldSpec) -> dict[str, Any]:
    """The JSON Schema of one field's (coerced) value."""
    rules = spec.validation
    kind = spec.type
    if kind == TEXT:
        schema: dict[str, Any] = {"type": "string", "maxLength": int(rules.get("max_length") or DEFAULT_MAX_TEXT)}
        if rules.get("min_length"):
            schema["minLength"] = int(rules["min_length"])
        if rules.get("pattern"):
            schema["pattern"] = f"^(?:{rules['pattern']})$"
        return schema
    if kind in (NUMBER, MONEY):
        schema = {"type": "number"}
        if kind == MONEY:
            schema["multipleOf"] = FEN
        if _bound(rules.get("min")) is not None:
            schema["minimum"] = _bound(rules["min"])
        if _bound(rules.get("max")) is not None:
            schema["maximum"] = _bound(rules["max"])
        return schema
    if kind == DATE:
        schema = {"type": "string", "format": "date"}
        if rules.get("min"):
            schema["dateMinimum"] = str(rules["min"])
        if rules.get("max"):
            schema["dateMaximum"] = str(rules["max"])
        return schema
    if kind == CHOICE:
        return {"type": "string", "enum": list(spec.options)}
    if kind == MULTI_CHOICE:
        schema = {"type": "array", "items": {"type": "string", "enum": list(spec.options)}, "uniqueItems": True}
        if rules.get("min_length"):
            schema["minItems"] = int(rules["min_length"])
        if rules.get("max_length"):
            schema["maxItems"] = int(rules["max_length"])
        return schema
    if kind == BOOLEAN:
        return {"type": "boolean"}
    if kind == FILE:
        return {"type": "string", "format": "uuid"}
    if kind == TABLE:
        # Required columns are checked while reading the rows (one problem per missing cell, named by its column).
        row = {"type": "object", "properties": {c.key: field_schema(c) for c in spec.columns},
               "additionalProperties": False}
        schema = {"type": "array", "items": row, "maxItems": int(rules.get("max_length") or MAX_TABLE_ROWS)}
        if rules.get("min_length"):
            schema["minItems"] = int(rules["min_length"])
        return schema
    raise ValueError(f"unknown custom field type {kind!r}")


def json_schema(specs: Iterable[FieldSpec], *, required: bool = True) -> dict[str, Any]:
    """The JSON Schema of a record's custom values (``required``: the required fields' keys listed)."""
    specs = list(specs)
    schema: dict[str, Any] = {"type": "object", "properties": {s.key: field_schema(s) for s in specs},
                              "additionalProperties": False}
    if required:
        schema["required"] = [s.key for s in specs if s.required]
    return schema


def _translate(error: ValidationError, specs: Mapping[str, FieldSpec]) -> ValidationFailed:
    path = list(error.absolute_path)
    spec = specs[path[0]]
    target, label, where = spec, spec.label, str(path[0])
    if spec.type == TABLE and len(path) >= 2:
        row = int(path[1])
        where = f"{spec.key}.{row}"
        if len(path) >= 3:
            target = next(c for c in spec.columns if c.key == path[2])
            label, where = cell_label(spec, row, target), f"{where}.{target.key}"
        elif error.validator == "additionalProperties":
            extra = sorted(set(error.instance) - {c.key for c in spec.columns})
            return problem(UNKNOWN, MSG_UNKNOWN_COLUMN, f"{where}.{extra[0]}", label=spec.label, column=extra[0])
    rules = target.validation
    v = error.validator
    params: dict[str, Any] = {"label": label}
    if v in ("type", "format", "enum"):
        return problem(NOT_AN_OPTION if v == "enum" else WRONG_TYPE, TYPE_MESSAGES[target.type], where,
                       options=", ".join(target.options), **params)
    if v == "multipleOf":
        return problem(WRONG_TYPE, TYPE_MESSAGES[MONEY], where, **params)
    if v == "minimum":
        return problem(OUT_OF_RANGE, MSG_MIN, where, minimum=str(rules.get("min")), **params)
    if v == "maximum":
        return problem(OUT_OF_RANGE, MSG_MAX, where, maximum=str(rules.get("max")), **params)
    if v == "dateMinimum":
        return problem(OUT_OF_RANGE, MSG_DATE_MIN, where, minimum=str(rules.get("min")), **params)
    if v == "dateMaximum":
        return problem(OUT_OF_RANGE, MSG_DATE_MAX, where, maximum=str(rules.get("max")), **params)
    if v == "minLength":
        return problem(BAD_LENGTH, MSG_MIN_CHARS, where, min_length=error.validator_value, **params)
    if v == "maxLength":
        return problem(BAD_LENGTH, MSG_MAX_CHARS, where, max_length=error.validator_value, **params)
    if v == "minItems":
        return problem(BAD_LENGTH, MSG_MIN_ITEMS, where, min_length=error.validator_value, **params)
    if v == "maxItems":
        return problem(BAD_LENGTH, MSG_MAX_ITEMS, where, max_length=error.validator_value, **params)
    if v == "pattern":
        return problem(BAD_PATTERN, MSG_PATTERN, where, **params)
    if v == "uniqueItems":
        return problem(NOT_AN_OPTION, MSG_TWICE, where, **params)
    return problem(INVALID, MSG_INVALID, where, **params)


def check(specs: Iterable[FieldSpec], incoming: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any],
                                                                         list[ValidationFailed]]:
    """Read and check ``incoming`` (key -> value) against the active fields ``specs``: ``(values, cleared,
    problems)``: the given values in their stored form, the keys given blank (to clear), and every problem (keys
    that are no active field are the caller's to report). Required fields are the caller's too (they depend on the
    values already stored)."""
    by_key = {s.key: s for s in specs}
    problems: dict[str, ValidationFailed] = {}
    coerced: dict[str, Any] = {}
    cleared: dict[str, Any] = {}
    for key, value in incoming.items():
        spec = by_key[key]
        if is_blank(value):
            cleared[key] = None
            continue
        try:
            coerced[key] = coerce(spec, value)
        except Refused:
            problems[key] = problem(NOT_AN_OPTION if spec.type == CHOICE else WRONG_TYPE, TYPE_MESSAGES[spec.type],
                                    key, label=spec.label, options=", ".join(spec.options))
            continue
        if spec.type == TABLE:
            coerced[key] = _coerce_rows(spec, coerced[key], problems)
    checked = [by_key[k] for k in coerced]
    validator = _Validator(json_schema(checked, required=False), format_checker=FormatChecker(("date", "uuid")))
    for error in sorted(validator.iter_errors(coerced), key=lambda e: [str(p) for p in e.absolute_path]):
        found = _translate(error, by_key)
        if not any(found.field == p or (found.field or "").startswith(f"{p}.") for p in problems):
            problems[found.field or ""] = found
    good = {k: stored(by_key[k], x) for k, x in coerced.items()
            if not any(p == k or p.startswith(f"{k}.") for p in problems)}
    return good, cleared, list(problems.values())


def valid_pattern(pattern: str) -> bool:
    try:
        re.compile(pattern)
    except re.error:
        return False
    return True
