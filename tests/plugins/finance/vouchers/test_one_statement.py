"""The voucher written in one statement on PostgreSQL (vouchers.services._PG_WRITE: the counter's increment, the
voucher, its lines and, for a guarantee fee receipt or refund, the fee schedule's upsert), and in separate statements
for the first voucher of a word in a period and on SQLite: the same rows either way, numbers past 9999, the returned
voucher a loaded row of the session, the fee added to its schedule exactly once, and nothing kept when the voucher is
refused."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from sqlalchemy import inspect, select, update

from surety.core.errors import ValidationFailed
from surety.plugins.finance.periodend.models import FinanceFeeSchedule
from surety.plugins.finance.vouchers import services
from surety.plugins.finance.vouchers.models import FinanceVoucher, FinanceVoucherCounter, FinanceVoucherLine
from surety.plugins.guarantee.finance import fees
from tests.plugins.finance.conftest import fee_item

D = dt.date(2026, 11, 5)
PROJECT = uuid.UUID("01900000-0000-7000-8000-000000000001")
CUSTOMER = uuid.UUID("01900000-0000-7000-8000-000000000002")
#: Three lines with dimensions and a department (1122 needs a customer, 2002 a project).
LINES = [{"account": "1002", "debit": "1000.01", "summary": "到账"},
         {"account": "1122", "credit": "0.01", "customer_id": CUSTOMER, "department": "业务一部"},
         {"account": "2002", "credit": "1000.00", "project_id": PROJECT}]


def _make(s, a, lines=LINES, *, summary="收保证金"):
    return services.create_voucher(s, a, voucher_date=D, word="收", summary=summary, lines=lines)


def test_numbers_go_past_9999_with_four_digits_at_least(fw):
    with fw.acting("fin") as (s, a):
        first = _make(s, a).number  # the series' first: the counter's row is inserted
        s.execute(update(FinanceVoucherCounter).values(last_value=9997))
        numbers = [_make(s, a).number for _ in range(3)]
    with fw.acting("fin") as (s, _a):
        stored = list(s.scalars(select(FinanceVoucher.number).order_by(FinanceVoucher.seq)))
    assert first == "收-0001" and numbers == ["收-9998", "收-9999", "收-10000"] == stored[1:]


def test_the_voucher_returned_is_the_row_written_with_its_lines(fw):
    columns = [c.key for c in inspect(FinanceVoucher).column_attrs]
    with fw.acting("fin") as (s, a):
        _make(s, a)
        v = _make(s, a, summary="第二张")  # the counter's row is there: one statement on PostgreSQL
        assert inspect(v).persistent and v not in s.dirty and v.number == "收-0002" and v.seq == 2
        assert v.status == "draft" and v.total == Decimal("1000.01") and v.maker_id == a.id_uuid
        returned = {c: getattr(v, c) for c in columns}
        s.flush()  # nothing left to write for it
        assert not s.new and not s.dirty
    with fw.acting("fin") as (s, a):
        stored = s.scalar(select(FinanceVoucher).where(FinanceVoucher.id == returned["id"]))
        assert {c: getattr(stored, c) for c in columns} == returned
        lines = s.scalars(select(FinanceVoucherLine).where(FinanceVoucherLine.voucher_id == stored.id)
                          .order_by(FinanceVoucherLine.line_no)).all()
    assert [(x.line_no, x.period, x.account_code, x.summary, x.debit, x.credit, x.customer_id, x.project_id,
             x.bank_id, x.department, x.posted) for x in lines] == [
        (1, "2026-11", "1002", "到账", Decimal("1000.01"), Decimal("0.00"), None, None, None, None, False),
        (2, "2026-11", "1122", "第二张", Decimal("0.00"), Decimal("0.01"), CUSTOMER, None, None, "业务一部", False),
        (3, "2026-11", "2002", "第二张", Decimal("0.00"), Decimal("1000.00"), None, PROJECT, None, None, False)]


def _schedule(w, project):
    with w.acting("admin") as (s, _a):
        return s.scalar(select(FinanceFeeSchedule.amount).where(FinanceFeeSchedule.project_id == project))


def test_receipts_and_refunds_add_to_the_fee_schedule_once_each(fgw):
    project, item = fee_item(fgw, D)
    for amount, day in (("100.00", D), ("20.00", D), ("3.00", D - dt.timedelta(days=10))):  # first, warm, other month
        with fgw.acting("admin") as (s, a):
            fees.receive(s, a, item, amount, received_on=day)
    assert _schedule(fgw, project) == Decimal("123.00")
    with fgw.acting("admin") as (s, a):
        fees.refund(s, a, item, "0.50", reason="多收退回", refunded_on=D)
    assert _schedule(fgw, project) == Decimal("122.50")
    with fgw.acting("admin") as (s, _a):
        written = s.execute(select(FinanceVoucher.period, FinanceVoucher.number, FinanceVoucher.total)
                            .order_by(FinanceVoucher.period, FinanceVoucher.seq)).all()
    assert [tuple(r) for r in written] == [("2026-10", "记-0001", Decimal("3.00")),
                                           ("2026-11", "记-0001", Decimal("100.00")),
                                           ("2026-11", "记-0002", Decimal("20.00")),
                                           ("2026-11", "记-0003", Decimal("0.50"))]


def test_a_receipt_refused_for_a_closed_period_leaves_the_fee_schedule_alone(fgw):
    project, item = fee_item(fgw, D)
    with fgw.acting("admin") as (s, a):
        fees.receive(s, a, item, "100.00", received_on=D)
    with fgw.acting("fin") as (s, a):
        services.close_period(s, a, "2026-10")
    with pytest.raises(ValidationFailed, match="2026-10"):
        with fgw.acting("admin") as (s, a):
            fees.receive(s, a, item, "7.00", received_on=dt.date(2026, 10, 31))
    assert _schedule(fgw, project) == Decimal("100.00")
