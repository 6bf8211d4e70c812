"""Import customers from an .xlsx template and export them to .xlsx (openpyxl).

A dry run validates every row and reports each bad one with its reason; the real run validates the same way and
imports all rows or none (one transaction; any bad row rejects the file with the full list).

The tenant's custom fields (docs/custom-fields.md) are extra columns after the template's, each headed by the
field's zh-CN label; a row's cells are read for the custom fields of its kind (customer_individual or
customer_corporate). Cells: multi-choice options separated by commas, yes/no as 是/否 (or true/false), an option by
its value or zh-CN label, a table as JSON text."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from surety.core.audit.log import audit
from surety.core.authz.check import allowed, require
from surety.core.context import Actor
from surety.core.crypto.blind_index import blind_index
from surety.core.crypto.masking import mask
from surety.core.custom_fields import service as custom
from surety.core.custom_fields.models import BOOLEAN, CHOICE, DATE, MULTI_CHOICE, TABLE, CustomFieldDefinition
from surety.core.errors import DomainError, ValidationFailed
from surety.core.events import raise_event
from surety.core.i18n import N_, format_message

from surety.plugins.customers import validators as v
from surety.plugins.customers.custom_fields import CORPORATE, INDIVIDUAL
from surety.plugins.customers.errors import ImportRejected
from surety.plugins.customers.events import CustomersImported
from surety.plugins.customers.models import KIND_CORPORATE, Customer, CustomerTag
from surety.plugins.customers.permissions import CUSTOMER

#: Template columns: (header, description). ``id_number`` holds the ID card number of an individual or the unified
#: social credit code of a corporate. ``tags`` are separated by commas; amounts are yuan.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("kind", "individual or corporate (required)"),
    ("name", "customer name (required)"),
    ("id_number", "ID card number / unified social credit code (required)"),
    ("phone", "mobile number"),
    ("address", "address"),
    ("bank_account", "bank account number"),
    ("bank_name", "bank"),
    ("occupation", "individual: occupation"),
    ("annual_income", "individual: annual income, yuan"),
    ("total_assets", "individual: total assets, yuan"),
    ("legal_rep_name", "corporate: legal representative"),
    ("legal_rep_id_number", "corporate: legal representative's ID card number"),
    ("registered_capital", "corporate: registered capital, yuan"),
    ("industry", "corporate: GB/T 4754 industry code, e.g. C13"),
    ("region", "corporate: six-digit region code, e.g. 110105"),
    ("size", "corporate: large, medium, small or micro"),
    ("tags", "tags, comma separated"),
    ("owner_username", "managing user's username (default: the importer)"),
    ("org_unit_code", "org unit code (default: the owner's unit)"),
)
HEADERS = tuple(c for c, _ in COLUMNS)
REQUIRED = ("kind", "name", "id_number")
#: Problems of a row that are no raised error (a row's ``message``).
NOT_OF_KIND = N_("{label} is no custom field of this kind of customer.")
ALREADY_IN_POOL = N_("A customer with this ID number / credit code already exists.")
MAX_ROWS = 100_000
BATCH = 1000


@dataclass(frozen=True)
class RowError:
    row: int  # spreadsheet row number (the header is row 1)
    field: str | None
    message: str


@dataclass
class ImportReport:
    total: int = 0
    valid: int = 0
    imported: int = 0
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = True

    @property
    def ok(self) -> bool:
        return not self.errors


def template() -> bytes:
    """An empty template: the header row, and a second sheet describing each column."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "customers"
    ws.append(list(HEADERS))
    help_ws = wb.create_sheet("columns")
    help_ws.append(["column", "meaning"])
    for name, meaning in COLUMNS:
        help_ws.append([name, meaning])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _read(source: bytes | BinaryIO | Path, extra: Iterable[str] = ()) -> tuple[list[str], list[tuple[int, list[Any]]]]:
    """Header and data rows of the first sheet; ImportRejected (field ``file``) for anything but a usable .xlsx.
    ``extra``: the custom fields' column headers (zh-CN labels) also accepted."""
    from openpyxl import load_workbook

    if isinstance(source, Path):
        source = source.read_bytes()
    data = source if isinstance(source, bytes) else source.read()
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        raise ImportRejected("The file is not a readable .xlsx workbook (use the template from "
                             "`surety customers template`).", field="file") from exc
    try:
        ws = wb.worksheets[0]
        rows = ws.iter_rows(values_only=True)
        header_row = next(rows, None)
        if header_row is None:
            raise ImportRejected("The workbook is empty: the first row must hold the column names.", field="file")
        header = [str(h).strip() if h is not None else "" for h in header_row]
        while header and not header[-1]:
            header.pop()
        known = set(HEADERS) | set(extra)
        unknown = [h for h in header if h not in known]
        if unknown:
            raise ImportRejected("Unknown column {column!r}; the template's columns are: {columns} (and the custom "
                                 "fields' labels).", field="file", column=unknown[0], columns=", ".join(HEADERS))
        missing = [h for h in REQUIRED if h not in header]
        if missing:
            raise ImportRejected("Missing required column {column!r}.", field="file", column=missing[0])
        if len(set(header)) != len(header):
            raise ImportRejected("A column appears twice in the header.", field="file")
        out = []
        for n, values in enumerate(rows, start=2):
            values = list(values[:len(header)])
            if all(x is None or (isinstance(x, str) and not x.strip()) for x in values):
                continue
            out.append((n, values))
            if len(out) > MAX_ROWS:
                raise ImportRejected("At most {max_rows} rows per file.", field="file", max_rows=MAX_ROWS)
        return header, out
    finally:
        wb.close()


def _cell(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def custom_columns(session: Session) -> dict[str, dict[str, CustomFieldDefinition]]:
    """The custom columns of a customers sheet: ``{zh label: {entity type: definition}}`` over both kinds' active
    fields (a label both kinds use is one column)."""
    columns: dict[str, dict[str, CustomFieldDefinition]] = {}
    for entity_type in (INDIVIDUAL, CORPORATE):
        for d in custom.definitions(session, entity_type):
            columns.setdefault(d.label_zh, {})[entity_type] = d
    return columns


YES, NO = ("是", "true", "yes", "y", "1"), ("否", "false", "no", "n", "0")


def _custom_cell(d: CustomFieldDefinition, value: Any) -> Any:
    """A spreadsheet cell as the value custom fields expect (their checks then refuse what is still wrong)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if d.type == DATE and hasattr(value, "date") and callable(value.date):
        return value.date().isoformat()  # openpyxl reads date cells as datetimes
    if d.type == BOOLEAN and isinstance(value, str):
        text = value.strip().lower()
        return True if text in YES else False if text in NO else value
    if d.type in (CHOICE, MULTI_CHOICE):
        by_label = {o["label_zh"]: o["value"] for o in d.options or []}
        items = [value] if d.type == CHOICE else str(value).replace("，", ",").split(",")
        items = [by_label.get(str(x).strip(), str(x).strip()) for x in items if str(x).strip()]
        return items[0] if d.type == CHOICE else items
    if d.type == TABLE and isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def _custom_values(rec: dict[str, Any], columns: dict[str, dict[str, CustomFieldDefinition]], entity_type: str
                   ) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """The custom values of one row for ``entity_type``, and ``(label, message)`` for a value given in a column
    that is no field of the row's kind."""
    values, wrong = {}, []
    for label, by_type in columns.items():
        if label not in rec:
            continue
        d = by_type.get(entity_type)
        if d is None:
            if rec[label] is not None:
                wrong.append((label, format_message(NOT_OF_KIND, {"label": label})))
            continue
        values[d.key] = _custom_cell(d, rec[label])
    return {k: x for k, x in values.items() if x is not None}, wrong


@dataclass
class _Prepared:
    row: int
    kind: str
    fields: dict[str, Any]
    tags: list[str]
    custom: dict[str, Any] = field(default_factory=dict)


def _validate(session: Session, actor: Actor, header: list[str], rows: list[tuple[int, list[Any]]],
              columns: dict[str, dict[str, CustomFieldDefinition]] | None = None
              ) -> tuple[list[_Prepared], list[RowError]]:
    from surety.core.identity.models import OrgUnit, User

    from surety.plugins.customers.records import clean, tenant_of

    tenant = tenant_of(session)
    users = {u.username: u for u in session.scalars(select(User))}
    units = {u.code: u.id for u in session.scalars(select(OrgUnit))}
    columns = columns or {}
    prepared, errors, seen = [], [], {}
    for n, values in rows:
        rec = {h: _cell(x) for h, x in zip(header, values)}
        try:
            kind = v.validate_kind(rec.get("kind"))
            data = {k: rec.get(k) for k in HEADERS if k in rec and k not in
                    ("kind", "tags", "owner_username", "org_unit_code")}
            if kind == KIND_CORPORATE:
                data["credit_code"] = data.pop("id_number", None)
            data = {k: x for k, x in data.items() if x is not None or k in ("name", "credit_code", "id_number")}
            fields = clean(data, kind)
            fields.pop("tags", None)
            fields.pop("shareholders", None)
            tags = v.validate_tags(str(rec.get("tags") or "").replace("，", ",").split(","))
            owner = users.get(rec["owner_username"]) if rec.get("owner_username") else None
            if rec.get("owner_username") and owner is None:
                raise ValidationFailed("No user {username!r}.", field="owner_username", username=rec["owner_username"])
            if rec.get("org_unit_code") and rec["org_unit_code"] not in units:
                raise ValidationFailed("No org unit with code {unit_code!r}.", field="org_unit_code",
                                       unit_code=rec["org_unit_code"])
            fields["owner_id"] = owner.id if owner else actor.id_uuid
            fields["org_unit_id"] = (units[rec["org_unit_code"]] if rec.get("org_unit_code")
                                     else owner.org_unit_id if owner else actor.org_unit_id)
            bidx = blind_index(tenant, fields["id_number"], "id_number")
            if bidx in seen:
                raise ValidationFailed("The same ID number / credit code is on row {row}.", field="id_number",
                                       row=seen[bidx])
            seen[bidx] = n
            entity_type = f"customer_{kind}"
            custom_values, wrong = _custom_values(rec, columns, entity_type)
            problems = [RowError(n, label, message) for label, message in wrong]
            problems += [RowError(n, p.field, p.message)
                         for p in (custom.check_values(session, entity_type, custom_values) if columns else [])]
            if problems:
                errors.extend(problems)
                continue
            prepared.append(_Prepared(n, kind, fields, tags, custom_values))
        except DomainError as exc:
            errors.append(RowError(n, exc.field, exc.message))
    # Already in the pool (one query per chunk of blind indexes).
    keys = list(seen)
    taken = set()
    for i in range(0, len(keys), 500):
        taken |= set(session.scalars(select(Customer.id_number_bidx).where(
            Customer.id_number_bidx.in_(keys[i:i + 500]))))
    for bidx in taken:
        errors.append(RowError(seen[bidx], "id_number", ALREADY_IN_POOL))
    prepared = [p for p in prepared if blind_index(tenant, p.fields["id_number"], "id_number") not in taken]
    errors.sort(key=lambda e: e.row)
    return prepared, errors


def import_customers(session: Session, actor: Actor, source: bytes | BinaryIO | Path, *, dry_run: bool = False,
                     progress: Callable[[int, int], None] | None = None) -> ImportReport:
    """Validate every row; unless ``dry_run``, import all of them or none (ImportRejected lists every bad row)."""
    from surety.plugins.customers.collision import record_engagement
    from surety.plugins.customers.history import record_version
    from surety.plugins.customers.related import keys_for
    from surety.plugins.customers.records import tenant_of

    require(session, actor, CUSTOMER, "import")
    columns = custom_columns(session)
    header, rows = _read(source, columns)
    prepared, errors = _validate(session, actor, header, rows, columns)
    report = ImportReport(total=len(rows), valid=len(prepared), errors=errors, dry_run=dry_run)
    if dry_run:
        return report
    if errors:
        shown = "; ".join(f"row {e.row}: {e.message}" for e in errors[:5])  # the rows' own words (English)
        raise ImportRejected("{count} bad row(s), nothing imported. {shown}" if len(errors) <= 5
                             else "{count} bad row(s), nothing imported. {shown} ...", field="file",
                             count=len(errors), shown=shown, rows=[e.__dict__ for e in errors])
    if not prepared:
        raise ImportRejected("The file has no data rows.", field="file")
    tenant = tenant_of(session)
    ids = []
    for start in range(0, len(prepared), BATCH):
        chunk = prepared[start:start + BATCH]
        customers = [Customer(kind=p.kind, name_norm=v.normalise_name(p.fields["name"]), version=1, tags=p.tags,
                              **p.fields) for p in chunk]
        session.add_all(customers)
        session.flush()
        for p, c in zip(chunk, customers):
            if p.custom:
                custom.write_values(session, actor, f"customer_{c.kind}", c.id, p.custom)
            session.add_all(CustomerTag(customer_id=c.id, tag=t) for t in c.tags)
            session.add_all(keys_for(tenant, c, ()))
            record_engagement(session, c, None, "customer:import", user_id=c.owner_id, org_unit_id=c.org_unit_id)
            record_version(session, c, "imported", actor)
            ids.append(c.id)
        session.flush()
        if progress:
            progress(min(start + BATCH, len(prepared)), len(prepared))
    report.imported = len(ids)
    audit(session, "customers.customer.imported", entity_type="customers:customer", entity_id=None,
          after={"count": len(ids), "first_id": str(ids[0]), "last_id": str(ids[-1])}, actor=actor)
    raise_event(session, CustomersImported(count=len(ids)))
    return report


def export_customers(session: Session, actor: Actor, out: BinaryIO | Path, filter=None) -> int:
    """Write the customers the actor may see to an .xlsx in the template's columns. Personal data is written in
    clear only for holders of core:pii:reveal (masked otherwise); the export is audited."""
    from openpyxl import Workbook

    from surety.core.identity.models import OrgUnit, User

    from surety.plugins.customers.search import search_statement

    require(session, actor, CUSTOMER, "export")
    clear = allowed(session, actor, "core:pii", "reveal")
    users = {u.id: u.username for u in session.scalars(select(User))}
    units = {u.id: u.code for u in session.scalars(select(OrgUnit))}
    columns = custom_columns(session)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("customers")
    ws.append(list(HEADERS) + list(columns))
    kinds = {"id_number": "id_number", "phone": "phone", "bank_account": "bank_account", "address": "address",
             "legal_rep_id_number": "id_number"}
    count = 0
    stmt = search_statement(session, actor, filter).order_by(Customer.name_norm, Customer.id)
    for c in session.scalars(stmt.execution_options(yield_per=1000)):
        row = []
        for h in HEADERS:
            if h == "tags":
                row.append(",".join(c.tags or []))
            elif h == "owner_username":
                row.append(users.get(c.owner_id))
            elif h == "org_unit_code":
                row.append(units.get(c.org_unit_id))
            else:
                value = getattr(c, h)
                if h in kinds and value is not None and not clear:
                    value = mask(value, kinds[h])
                row.append(str(value) if value is not None and not isinstance(value, str) else value)
        if columns:
            row += _custom_row(session, c, columns, clear)
        ws.append(row)
        count += 1
    wb.save(out)
    audit(session, "customers.customer.exported", entity_type="customers:customer",
          after={"count": count, "unmasked": clear}, actor=actor)
    return count


def _custom_row(session: Session, customer: Customer, columns: dict[str, dict[str, CustomFieldDefinition]],
                clear: bool) -> list[Any]:
    """The custom columns' cells of one customer (sensitive values masked unless ``clear``)."""
    entity_type = f"customer_{customer.kind}"
    got = {f.key: (f.value if clear else f.masked)
           for f in custom.read_values(session, entity_type, customer.id, include_retired=False)}
    cells = []
    for by_type in columns.values():
        d = by_type.get(entity_type)
        value = got.get(d.key) if d is not None else None
        if value is None:
            cells.append(None)
        elif d.type == BOOLEAN:
            cells.append("是" if value else "否")
        elif d.type == MULTI_CHOICE:
            cells.append(",".join(value))
        elif d.type == TABLE:
            cells.append(json.dumps(value, ensure_ascii=False))
        else:
            cells.append(value)
    return cells


def rows_for(customers: Iterable[dict]) -> bytes:
    """An .xlsx in the template's columns from dicts (tests, benchmarks, demo files); other keys (custom fields'
    labels) become extra columns after them."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("customers")
    customers = list(customers)
    extra = list(dict.fromkeys(k for c in customers for k in c if k not in HEADERS))
    ws.append(list(HEADERS) + extra)
    for c in customers:
        ws.append([c.get(h) for h in HEADERS] + [c.get(k) for k in extra])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
