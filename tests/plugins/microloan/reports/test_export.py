"""The loan ledger and schedule exports (docs/microloan/reports.md): a title row with the tenant, the as-of date and
the unit, zh-CN headers with the unit of every amount, one row per loan (per installment) with its values, a totals
row; loans disbursed after the as-of date left out; refused without microloan:ledger:export; the command line."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
import typer
from openpyxl import load_workbook
from sqlalchemy import select
from typer.testing import CliRunner

from surety.core.audit.models import AuditRecord
from surety.core.errors import PermissionDenied
from surety.core.ports import customers as door
from surety.core.ports.customers import DemoCorporate
from surety.plugins.microloan.loan.book import installments
from surety.plugins.microloan.loan.models import MicroloanLoan
from surety.plugins.microloan.reports.export import (
    LEDGER_COLUMNS,
    SCHEDULE_COLUMNS,
    export_ledger,
    export_schedules,
    ledger_app,
)
from surety.plugins.microloan.testing import make_loan, make_product

AS_OF = dt.date(2026, 3, 31)


def _book(mw):
    """One known loan (disbursed 2026-01-15, first installment paid, 关注) and one disbursed after AS_OF."""
    with mw.acting("admin") as (s, admin):
        customer = door.ensure_demo_corporates(s, admin, [DemoCorporate("北京测试贷款客户有限公司", 911)])
        customer_id = customer["北京测试贷款客户有限公司"]["id"]
        product = make_product(s, code="XD-EXP")
        loan = make_loan(s, product, customer_id=customer_id, amount="100000.00", term_months=12,
                         disbursed_on=dt.date(2026, 1, 15))
        loan.loan_no = "XD-2026-000001"
        first = installments(s, loan)[0]
        first.paid_principal, first.paid_interest, first.settled_on = first.principal, first.interest, first.due_date
        loan.principal_balance = Decimal("100000.00") - first.principal
        loan.accrued_interest, loan.penalty_balance = Decimal("1966.67"), Decimal("12.34")
        loan.days_past_due, loan.risk_class, loan.provision = 15, "special_mention", Decimal("1842.30")
        later = make_loan(s, product, amount="5000.00", term_months=6, disbursed_on=dt.date(2026, 4, 2))
        later.loan_no = "XD-2026-000002"
        s.flush()
        return loan.id, first.principal


def _rows(data: bytes) -> list[tuple]:
    return list(load_workbook(io.BytesIO(data)).worksheets[0].iter_rows(values_only=True))


def test_the_ledger_has_the_title_headers_and_the_known_loan(mw):
    _, paid = _book(mw)
    out = io.BytesIO()
    with mw.acting("admin") as (s, admin):
        assert export_ledger(s, admin, out, AS_OF) == 1
    rows = _rows(out.getvalue())
    assert rows[0][0] == f"{mw.tenant.name} 贷款台账（截至 2026 年 3 月 31 日，金额单位：元）"
    assert rows[1] == tuple(h for _, h, _ in LEDGER_COLUMNS)
    assert rows[1][4] == "贷款金额（元）" and rows[1][6] == "年利率（%）"
    balance = Decimal("100000.00") - paid
    assert rows[2] == ("XD-2026-000001", "北京测试贷款客户有限公司", "测试贷款产品", "经营贷款", 100000, 12, 12,
                       dt.datetime(2026, 1, 15), dt.datetime(2027, 1, 15), float(balance), 1966.67, 12.34, 15, "关注",
                       1842.3, "还款中")
    assert rows[3][:2] == ("合计", "1 笔贷款") and rows[3][4] == 100000 and rows[3][9] == float(balance)
    assert len(rows) == 4


def test_the_ledger_export_is_audited_and_refused_without_the_permission(mw):
    _book(mw)
    with mw.acting("admin") as (s, admin):
        export_ledger(s, admin, io.BytesIO(), AS_OF)
        record = s.scalars(select(AuditRecord).where(AuditRecord.action == "microloan.ledger.exported")).one()
        assert record.after["count"] == 1 and record.after["as_of"] == "2026-03-31"
    with mw.acting("viewer") as (s, viewer), pytest.raises(PermissionDenied):
        export_ledger(s, viewer, io.BytesIO(), AS_OF)


def test_the_schedule_has_one_row_per_installment_with_paid_and_outstanding(mw):
    _book(mw)
    out = io.BytesIO()
    with mw.acting("admin") as (s, admin):
        assert export_schedules(s, admin, out, AS_OF) == 12
    rows = _rows(out.getvalue())
    assert rows[0][0] == f"{mw.tenant.name} 还款计划（截至 2026 年 3 月 31 日，金额单位：元）"
    assert rows[1] == tuple(h for _, h, _ in SCHEDULE_COLUMNS)
    header = {h: n for n, h in enumerate(rows[1])}
    first, second = rows[2], rows[3]
    assert first[:4] == ("XD-2026-000001", "北京测试贷款客户有限公司", 1, dt.datetime(2026, 2, 15))
    # 100,000 at 12 % for 12 months, 等额本息: 8,884.88 a month, the first month's interest 1,000.00.
    assert first[header["应还利息（元）"]] == 1000 and first[header["应还合计（元）"]] == 8884.88
    assert first[header["已还合计（元）"]] == 8884.88 and first[header["未还合计（元）"]] == 0
    assert first[header["结清日"]] == dt.datetime(2026, 2, 15)
    assert second[header["已还合计（元）"]] == 0 and second[header["未还合计（元）"]] == 8884.88
    assert second[header["结清日"]] is None
    footer = rows[-1]
    assert footer[:2] == ("合计", "12 期") and footer[header["应还本金（元）"]] == 100000


def test_a_schedule_of_one_loan(mw):
    _book(mw)
    out = io.BytesIO()
    with mw.acting("admin") as (s, admin):
        assert export_schedules(s, admin, out, dt.date(2026, 12, 31), loan_no="XD-2026-000002") == 6
    assert {r[0] for r in _rows(out.getvalue())[2:-1]} == {"XD-2026-000002"}


def test_text_is_never_a_formula(mw):
    loan_id, _ = _book(mw)
    with mw.acting("admin") as (s, admin):
        s.scalar(select(MicroloanLoan).where(MicroloanLoan.id == loan_id)).loan_no = "=1+1"
        s.flush()
        out = io.BytesIO()
        export_ledger(s, admin, out, AS_OF)
    cell = load_workbook(io.BytesIO(out.getvalue())).worksheets[0].cell(row=3, column=1)
    assert cell.data_type == "s" and cell.value == "=1+1"


def test_the_command_line_exports_the_ledger(mw, tmp_path):
    _book(mw)
    app = typer.Typer()
    app.add_typer(ledger_app, name="ledger")
    out = tmp_path / "ledger.xlsx"
    r = CliRunner().invoke(app, ["ledger", "export", "--tenant", mw.tenant.slug, "--as-of", "2026-03-31",
                                 "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert "exported 1 loans" in r.output
    assert load_workbook(out).worksheets[0].cell(row=3, column=1).value == "XD-2026-000001"
    r = CliRunner().invoke(app, ["ledger", "export", "--tenant", mw.tenant.slug, "--as-user", "viewer",
                                 "-o", str(out)])
    assert r.exit_code != 0
    from surety.core.cli.main import app as surety_app  # noqa: PLC0415 - builds the plugin registry when imported

    out = tmp_path / "schedules.xlsx"
    r = CliRunner().invoke(surety_app, ["microloan", "ledger", "schedules", "--tenant", mw.tenant.slug, "--as-of",
                                        "2026-03-31", "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert load_workbook(out).worksheets[0].max_row == 15
