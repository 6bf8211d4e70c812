"""Export by date range (inclusive, UTC business dates) as CSV, XLSX and JSON lines."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from openpyxl import load_workbook

from surety.core.audit import log as audit_log
from surety.core.audit.canonical import hash_content
from surety.core.audit.export import COLUMNS, export_audit
from surety.core.audit.keys import record_key
from surety.core.audit.log import audit
from surety.core.context import acting
from surety.core.errors import ValidationFailed
from surety.core.settings import get_settings

UTC = dt.UTC
FROM, TO = dt.date(2026, 3, 10), dt.date(2026, 3, 12)
TIMES = [
    dt.datetime(2026, 3, 9, 23, 59, 59, 999999, tzinfo=UTC),   # seq 1: the day before
    dt.datetime(2026, 3, 10, 0, 0, tzinfo=UTC),                 # seq 2: first instant of the range
    dt.datetime(2026, 3, 11, 12, 0, tzinfo=UTC),                # seq 3
    dt.datetime(2026, 3, 12, 23, 59, 59, 999999, tzinfo=UTC),   # seq 4: last instant of the range
    dt.datetime(2026, 3, 13, 0, 0, tzinfo=UTC),                 # seq 5: the day after
]


@pytest.fixture
def seeded(db, bare_tenant, monkeypatch):
    times = iter(TIMES)
    monkeypatch.setattr(audit_log, "utcnow", lambda: next(times))
    with db.tenant_session(bare_tenant.id) as s:
        audit(s, "loan.created", entity_type="loan", entity_id="L0")
        audit(s, "customer.updated", entity_type="customer", entity_id="C1",
              before={"名称": "张三", "phone": "13800000000"}, after={"名称": "张三丰"})
        audit(s, "loan.created", entity_type="loan", entity_id="=HYPERLINK(\"http://x\")")
        with acting(request_id="req\x02x"):
            audit(s, "loan.approved", entity_type="loan", entity_id="#N/A", after={"note": "a\x01b"})
        audit(s, "loan.created", entity_type="loan", entity_id="L9")
    return bare_tenant.id


def test_csv(db, seeded):
    buf = io.BytesIO()
    n = export_audit(db, seeded, date_from=FROM, date_to=TO, fmt="csv", out=buf)
    assert n == 3
    raw = buf.getvalue()
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [r["seq"] for r in rows] == ["2", "3", "4"]
    assert list(rows[0]) == list(COLUMNS)
    assert rows[0]["occurred_at"] == "2026-03-10T00:00:00.000000Z"
    assert json.loads(rows[0]["before"]) == {"名称": "张三", "phone": "[REDACTED]"}
    assert json.loads(rows[0]["after"]) == {"名称": "张三丰"}
    assert rows[1]["entity_id"] == "'=HYPERLINK(\"http://x\")"  # formula neutralised
    assert rows[1]["before"] == "" and len(rows[2]["hash"]) == 64
    assert rows[2]["request_id"] == "req\x02x"


def test_xlsx(db, seeded, tmp_path):
    path = tmp_path / "audit.xlsx"
    assert export_audit(db, seeded, date_from=FROM, date_to=TO, fmt="xlsx", out=path) == 3
    ws = load_workbook(path, read_only=True)["audit_log"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == COLUMNS
    body = [dict(zip(COLUMNS, r, strict=True)) for r in rows[1:]]
    assert [r["seq"] for r in body] == [2, 3, 4]
    assert json.loads(body[0]["before"]) == {"名称": "张三", "phone": "[REDACTED]"}
    assert body[0]["occurred_at"] == "2026-03-10T00:00:00.000000Z"
    assert body[1]["entity_id"] == "=HYPERLINK(\"http://x\")"  # kept as text, not a formula
    assert body[2]["entity_id"] == "#N/A"
    assert json.loads(body[2]["after"]) == {"note": "a\x01b"}  # escaped by JSON
    assert body[2]["request_id"] == "req\ufffdx"  # a raw control character is replaced, not refused
    sheet = load_workbook(path)["audit_log"]
    for row in (3, 4):  # "=HYPERLINK(...)" and "#N/A" are text, not a formula or an error value
        assert sheet.cell(row=row, column=COLUMNS.index("entity_id") + 1).data_type == "s"


def test_jsonl_is_lossless_and_verifiable(db, seeded):
    buf = io.BytesIO()
    assert export_audit(db, seeded, date_from=FROM, date_to=TO, fmt="jsonl", out=buf) == 3
    lines = [json.loads(line) for line in buf.getvalue().decode("utf-8").splitlines()]
    assert [d["seq"] for d in lines] == [2, 3, 4]
    assert lines[0]["before"] == {"名称": "张三", "phone": "[REDACTED]"}
    assert lines[2]["after"] == {"note": "a\x01b"}
    for d in lines:
        fields = dict(d, occurred_at=dt.datetime.fromisoformat(d["occurred_at"]))
        assert d["key_id"] == get_settings().audit_key_id  # the key holder recomputes each line's HMAC
        assert hash_content(fields, record_key(d["key_id"], seeded)) == d["hash"]
        assert hash_content(fields) != d["hash"]  # not a plain SHA-256 anyone could recompute
    assert lines[1]["prev_hash"] == lines[0]["hash"]


def test_single_day_and_empty_ranges(db, seeded):
    buf = io.BytesIO()
    assert export_audit(db, seeded, date_from=TO, date_to=TO, fmt="jsonl", out=buf) == 1
    assert json.loads(buf.getvalue())["seq"] == 4
    buf = io.BytesIO()
    assert export_audit(db, seeded, date_from=dt.date(2020, 1, 1), date_to=dt.date(2020, 1, 2), fmt="csv",
                        out=buf) == 0
    assert buf.getvalue().decode("utf-8-sig").strip() == ",".join(COLUMNS)


def test_caller_stream_stays_open(db, seeded):
    buf = io.BytesIO()
    export_audit(db, seeded, date_from=FROM, date_to=TO, fmt="csv", out=buf)
    assert not buf.closed


@pytest.mark.parametrize("kwargs, field", [
    ({"fmt": "pdf"}, "fmt"),
    ({"date_from": TO, "date_to": FROM}, "date_to"),
    ({"date_from": dt.datetime(2026, 3, 10, tzinfo=UTC)}, "date_from"),
])
def test_bad_arguments_are_refused(db, bare_tenant, kwargs, field):
    args = {"date_from": FROM, "date_to": TO, "fmt": "csv", "out": io.BytesIO(), **kwargs}
    with pytest.raises(ValidationFailed) as err:
        export_audit(db, bare_tenant.id, **args)
    assert err.value.field == field
