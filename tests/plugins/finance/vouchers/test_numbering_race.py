"""The one-statement period hold and numbering (vouchers.services.hold_and_number: the counter's ``UPDATE`` carries
the period's ``FOR SHARE`` check) against a close in flight (PostgreSQL, two sessions), once the period and its
counter have rows: a writer waits for the close and is refused when it commits (the number is not taken), and
goes on with the next number when the close rolls back. tests/plugins/finance/periodend/test_period_race.py covers
a period's first voucher and a close waiting for the writer."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from sqlalchemy import select, text

from surety.core.errors import ValidationFailed
from surety.plugins.finance.vouchers import services as vouchers
from surety.plugins.finance.vouchers.models import FinanceVoucher, FinanceVoucherCounter

pytestmark = pytest.mark.postgres
DAY = dt.date(2026, 8, 12)
LINES = [{"account": "1002", "debit": "10"}, {"account": "6111", "credit": "10"}]


def _in_thread(fn):
    out: dict = {}

    def run():
        try:
            out["value"] = fn()
        except Exception as exc:  # noqa: BLE001 - handed to the test
            out["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    return thread, out


def _wait_until_blocked(fw):
    for _ in range(600):
        with fw.session() as s:
            if s.scalar(text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                             "AND datname = current_database()")):
                return
        time.sleep(0.05)
    raise AssertionError("the writer never waited for the period's row")


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
        thread, out = _in_thread(lambda: _write(fw))
        _wait_until_blocked(fw)
    thread.join()
    assert isinstance(out.get("error"), ValidationFailed) and out["error"].params["period"] == "2026-08"
    assert _counter(fw) == 1
    with fw.session() as s:
        assert s.scalar(select(FinanceVoucher.number).where(FinanceVoucher.summary == "y")) is None


def test_a_numbered_writer_goes_on_when_the_close_rolls_back(fw):
    _posted_first_voucher(fw)
    with pytest.raises(RuntimeError), fw.acting("fin2") as (s, a):
        vouchers.close_period(s, a, "2026-08")
        thread, out = _in_thread(lambda: _write(fw))
        _wait_until_blocked(fw)
        raise RuntimeError("the close rolls back")
    thread.join()
    assert out.get("value") == "记-0002", out
    assert _counter(fw) == 2
