"""Exporting a tenant's audit records for a date range as CSV, XLSX or JSON lines."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import json
import os
import uuid
from collections.abc import Iterator
from typing import IO, Any

from openpyxl import Workbook
from sqlalchemy import select

from surety.core.audit.canonical import canonical_json, format_timestamp
from surety.core.audit.models import AuditRecord
from surety.core.db.session import Database
from surety.core.errors import ValidationFailed
from surety.core.xlsx import text_cell

FORMATS = ("csv", "xlsx", "jsonl")
COLUMNS = (
    "seq", "id", "tenant_id", "occurred_at", "actor_type", "actor_id", "action", "entity_type", "entity_id",
    "before", "after", "request_id", "client_addr", "prev_hash", "hash", "key_id",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_BATCH = 1000


def export_audit(db: Database, tenant_id: uuid.UUID, *, date_from: dt.date, date_to: dt.date, fmt: str,
                 out: str | os.PathLike | IO[bytes]) -> int:
    """Write the records of ``tenant_id`` that occurred from ``date_from`` to ``date_to`` (both inclusive, UTC
    dates) in seq order to ``out`` (a path or a binary file); return the number of records written.

    CSV is UTF-8 with a byte-order mark (Excel reads Chinese correctly); JSON lines keep before/after as objects.
    """
    if fmt not in FORMATS:
        raise ValidationFailed("Unknown export format {fmt!r}: use one of {formats}.", field="fmt", fmt=fmt,
                               formats=", ".join(FORMATS))
    for name, value in (("date_from", date_from), ("date_to", date_to)):
        if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
            raise ValidationFailed("{name} must be a date.", field=name, name=name)
    if date_from > date_to:
        raise ValidationFailed("The export range ends before it starts.", field="date_to")
    start = dt.datetime.combine(date_from, dt.time.min, dt.UTC)
    end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, dt.UTC)
    stmt = (
        select(*(getattr(AuditRecord, c) for c in COLUMNS))
        .where(AuditRecord.tenant_id == tenant_id, AuditRecord.occurred_at >= start, AuditRecord.occurred_at < end)
        .order_by(AuditRecord.seq)
        .execution_options(yield_per=_BATCH)
    )
    writer = {"csv": _write_csv, "xlsx": _write_xlsx, "jsonl": _write_jsonl}[fmt]
    with db.tenant_session(tenant_id) as session, _binary(out) as stream:
        result = session.execute(stmt)
        try:
            return writer((_as_dict(row) for row in result), stream)
        finally:
            result.close()


@contextlib.contextmanager
def _binary(out) -> Iterator[IO[bytes]]:
    if isinstance(out, (str, os.PathLike)):
        with open(out, "wb") as f:
            yield f
    else:
        yield out


def _as_dict(row) -> dict[str, Any]:
    d = dict(row._mapping)
    d["id"], d["tenant_id"] = str(d["id"]), str(d["tenant_id"])
    d["occurred_at"] = format_timestamp(d["occurred_at"])
    return d


def _cell_text(row: dict[str, Any], name: str) -> Any:
    value = row[name]
    if name in ("before", "after"):
        return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)
    return value


def _write_jsonl(rows, stream: IO[bytes]) -> int:
    n = 0
    for row in rows:
        stream.write(canonical_json(row).encode("utf-8") + b"\n")
        n += 1
    return n


def _csv_safe(value: Any) -> Any:
    """Neutralise spreadsheet formulas (CSV injection): a text cell starting with = + - @ gets a leading quote."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _write_csv(rows, stream: IO[bytes]) -> int:
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    try:
        w = csv.writer(text)
        w.writerow(COLUMNS)
        n = 0
        for row in rows:
            w.writerow([_csv_safe(_cell_text(row, c)) for c in COLUMNS])
            n += 1
        text.flush()
        return n
    finally:
        text.detach()  # leave the caller's stream open


def _write_xlsx(rows, stream: IO[bytes]) -> int:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("audit_log")
    ws.append(list(COLUMNS))
    n = 0
    for row in rows:
        ws.append([text_cell(ws, _cell_text(row, c)) for c in COLUMNS])  # text, never a formula
        n += 1
    wb.save(stream)
    return n
