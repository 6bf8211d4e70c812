"""Import (dry run reports every bad row; the real run is all or nothing; malformed files refused), export and the
CLI commands."""

from __future__ import annotations

import io
import secrets

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from surety.core.errors import PermissionDenied
from surety.plugins.customers.errors import ImportRejected
from surety.plugins.customers.imports import HEADERS, export_customers, import_customers, rows_for, template
from surety.plugins.customers.models import Customer
from surety.plugins.customers.related import relations_of
from surety.plugins.customers.records import create_customer
from surety.plugins.customers.testing import individual, make_id, make_uscc


def good_rows(n: int = 3) -> list[dict]:
    rows = [{"kind": "individual", "name": f"导入{i}", "id_number": make_id(300 + i), "phone": f"1390000{i:04d}",
             "tags": "VIP，新客户", "owner_username": "mgr_a"} for i in range(n)]
    rows.append({"kind": "corporate", "name": "导入公司", "id_number": make_uscc(300), "industry": "c13",
                 "region": 110105, "registered_capital": 1000000.5, "legal_rep_name": "导入0",
                 "legal_rep_id_number": make_id(300), "org_unit_code": "B"})
    return rows


def count(s) -> int:
    return s.scalar(select(func.count()).select_from(Customer))


def test_dry_run_reports_every_bad_row_and_real_run_is_all_or_nothing(db, world):
    admin = world.actors["admin"]
    with db.tenant_session(world.tenant.id) as s:
        create_customer(s, admin, "individual", individual(1))
    bad = good_rows() + [
        {"kind": "individual", "name": "坏1", "id_number": make_id(401)[:-1] + ("0" if make_id(401)[-1] != "0"
                                                                               else "1")},
        {"kind": "alien", "name": "坏2", "id_number": make_id(402)},
        {"kind": "individual", "name": "重复", "id_number": make_id(1)},
        {"kind": "individual", "name": "文件内重复", "id_number": make_id(300)},
        {"kind": "individual", "name": "坏手机", "id_number": make_id(403), "phone": "12345"},
        {"kind": "corporate", "name": "坏代码", "id_number": "91350100M000100Y44"},
        {"kind": "individual", "name": "无人", "id_number": make_id(404), "owner_username": "ghost"},
    ]
    data = rows_for(bad)
    with db.tenant_session(world.tenant.id) as s:
        report = import_customers(s, admin, data, dry_run=True)
        assert report.total == 11 and report.valid == 4 and count(s) == 1
        got = [(e.row, e.field) for e in report.errors]
        assert got == [(6, "id_number"), (7, "kind"), (8, "id_number"), (9, "id_number"), (10, "phone"),
                       (11, "credit_code"), (12, "owner_username")]
        assert "check character" in report.errors[0].message and "row 2" in report.errors[3].message
    with pytest.raises(ImportRejected) as err, db.tenant_session(world.tenant.id) as s:
        import_customers(s, admin, data)
    assert "7 bad row(s), nothing imported" in err.value.message and len(err.value.details["rows"]) == 7
    with db.tenant_session(world.tenant.id) as s:
        assert count(s) == 1  # nothing half-saved
        progress = []
        report = import_customers(s, admin, rows_for(good_rows()), progress=lambda d, t: progress.append((d, t)))
        assert report.imported == 4 and count(s) == 5 and progress[-1] == (4, 4)
        co = s.scalar(select(Customer).where(Customer.kind == "corporate"))
        assert str(co.registered_capital) == "1000000.50" and co.industry == "C13"
        assert co.org_unit_id == world.units["B"]
        person = s.scalar(select(Customer).where(Customer.name == "导入0"))
        assert person.owner_id == world.actors["mgr_a"].id_uuid and person.tags == ["VIP", "新客户"]
        rel = relations_of(s, s.scalars(select(Customer.id)))
        assert {(r.from_customer_id, r.to_customer_id, r.relation_type) for r in rel} >= {
            (person.id, co.id, "legal_representative")}


@pytest.mark.parametrize("payload, fragment", [
    (b"not a spreadsheet at all", "not a readable .xlsx"),
    ("header", "Unknown column 'nom'"),
    ("missing", "Missing required column 'id_number'"),
    ("empty", "no data rows"),
])
def test_malformed_files_are_refused(db, world, payload, fragment):
    if payload == "header":
        payload = rows_for([]).replace(b"", b"")
        wb = Workbook()
        wb.active.append(["kind", "nom", "id_number"])
        buf = io.BytesIO()
        wb.save(buf)
        payload = buf.getvalue()
    elif payload == "missing":
        wb = Workbook()
        wb.active.append(["kind", "name"])
        wb.active.append(["individual", "x"])
        buf = io.BytesIO()
        wb.save(buf)
        payload = buf.getvalue()
    elif payload == "empty":
        payload = template()
    with pytest.raises(ImportRejected) as err, db.tenant_session(world.tenant.id) as s:
        import_customers(s, world.actors["admin"], payload)
    assert fragment in err.value.message and err.value.field == "file"


def test_export_masks_without_reveal_and_respects_scope(db, world):
    with db.tenant_session(world.tenant.id) as s:
        create_customer(s, world.actors["mgr_a"], "individual", individual(1))
        create_customer(s, world.actors["mgr_b"], "individual", individual(2))
        out = io.BytesIO()
        assert export_customers(s, world.actors["admin"], out) == 2
        rows = list(load_workbook(io.BytesIO(out.getvalue())).worksheets[0].iter_rows(values_only=True))
        assert rows[0] == HEADERS and make_id(1) in {r[2] for r in rows[1:]}  # admin holds core:pii:reveal
        out = io.BytesIO()
        assert export_customers(s, world.actors["mgr_a"], out) == 1
        rows = list(load_workbook(io.BytesIO(out.getvalue())).worksheets[0].iter_rows(values_only=True))
        assert rows[1][2] == make_id(1)[:6] + "********" + make_id(1)[-4:] and rows[1][3] == "138****0001"
        with pytest.raises(PermissionDenied):
            import_customers(s, world.actors["boss"], template())


def test_cli_template_import_export(db, world, tmp_path):
    from typer.testing import CliRunner

    from surety.core.cli.main import app

    runner = CliRunner()
    tpl = tmp_path / "t.xlsx"
    r = runner.invoke(app, ["customers", "template", "-o", str(tpl)])
    assert r.exit_code == 0, r.output
    assert list(load_workbook(tpl).worksheets[0].iter_rows(values_only=True))[0] == HEADERS
    bad = tmp_path / "bad.xlsx"
    wrong = make_id(1)[:-1] + ("0" if make_id(1)[-1] != "0" else "1")
    bad.write_bytes(rows_for([{"kind": "individual", "name": "x", "id_number": wrong}]))
    r = runner.invoke(app, ["customers", "import", str(bad), "--tenant", world.tenant.slug, "--dry-run"])
    assert r.exit_code == 1 and "row 2: id_number" in r.output and "1 bad" in r.output
    good = tmp_path / "good.xlsx"
    good.write_bytes(rows_for(good_rows(2)))
    r = runner.invoke(app, ["customers", "import", str(good), "--tenant", world.tenant.slug])
    assert r.exit_code == 0 and "imported 3 customers" in r.output, r.output
    out = tmp_path / "out.xlsx"
    r = runner.invoke(app, ["customers", "export", "--tenant", world.tenant.slug, "-o", str(out)])
    assert r.exit_code == 0 and "exported 3" in r.output
    r = runner.invoke(app, ["customers", "import", str(good), "--tenant", f"nope-{secrets.token_hex(2)}"])
    assert r.exit_code != 0


def test_demo_data_is_valid_and_idempotent(db, world):
    from surety.plugins.customers.demo import add_demo_customers

    with db.tenant_session(world.tenant.id) as s:
        add_demo_customers(s)
        n = count(s)
        add_demo_customers(s)
        assert n == 4 and count(s) == 4
        assert relations_of(s, s.scalars(select(Customer.id)))
