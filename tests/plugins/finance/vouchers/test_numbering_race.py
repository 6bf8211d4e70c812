"""The one-statement period hold and numbering (vouchers.services.hold_and_number: the counter's ``UPDATE`` carries
the period's ``FOR SHARE`` check) against a close in flight (PostgreSQL, two sessions), once the period and its
counter have rows: a writer waits for the close and is refused when it commits (the number is not taken), and
goes on with the next number when the close rolls back. tests/plugins/finance/periodend/test_period_race.py covers
a period's first voucher and a close waiting for the writer."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from surety.core.errors import ValidationFailed
from surety.core.testing import in_thread
from surety.plugins.finance.vouchers import services as vouchers
from surety.plugins.finance.vouchers.models import FinanceVoucher, FinanceVoucherCounter

pytestmark = pytest.mark.postgres
DAY = dt.date(2026, 8, 12)
LINES = [{"account": "1002", "debit": "10"}, {"account": "6111", "credit": "10"}]


def _posted_first_voucher(fw):
    with fw.acting("fin") as (s, a):
        v = vouchers.create_voucher(s, a, voucher_date=DAY, word="记", summary="x", lines=LINES)
    with fw.acting("fin2") as (s, a):
        vouchers.review_voucher(s, a, v.id)
        vouchers.post_voucher(s, a, v.id)


def _write(fw):
    with fw.acting("fin") as (s, a):
        return vouchers.create_voucher(s, a, voucher_date=DAY, word="记", summary="y", lines=LINES).number


def _counter(fw):
    with fw.session() as s:
        return s.scalar(select(FinanceVoucherCounter.last_value).where(FinanceVoucherCounter.period == "2026-08"))


def test_a_numbered_writer_waits_for_the_close_and_is_refused(fw):
    _posted_first_voucher(fw)
    with fw.acting("fin2") as (s, a):
        vouchers.close_period(s, a, "2026-08")  # holds the period's row exclusively until this block commits
        thread, out = in_thread(lambda: _write(fw))
        fw.wait_until_blocked()
    thread.join()
    assert isinstance(out.get("error"), ValidationFailed) and out["error"].params["period"] == "2026-08"
    assert _counter(fw) == 1
    with fw.session() as s:
        assert s.scalar(select(FinanceVoucher.number).where(FinanceVoucher.summary == "y")) is None


def test_a_numbered_writer_goes_on_when_the_close_rolls_back(fw):
    _posted_first_voucher(fw)
    with pytest.raises(RuntimeError), fw.acting("fin2") as (s, a):
        vouchers.close_period(s, a, "2026-08")
        thread, out = in_thread(lambda: _write(fw))
        fw.wait_until_blocked()
        raise RuntimeError("the close rolls back")
    thread.join()
    assert out.get("value") == "记-0002", out
    assert _counter(fw) == 2
