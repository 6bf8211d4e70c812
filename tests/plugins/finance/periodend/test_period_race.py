"""Closing a period never interleaves with a voucher being written in it (PostgreSQL, two sessions): the writer
holds the period's row with a shared lock until it commits, close locks it exclusively before counting the unposted
vouchers. A close waits for the writer in flight and then refuses (a draft is there); a writer waits for a close in
flight and then refuses (the period is closed)."""

from __future__ import annotations

import datetime as dt

import pytest

from surety.core.errors import ValidationFailed
from surety.core.testing import in_thread
from surety.plugins.finance.vouchers import services as vouchers

pytestmark = pytest.mark.postgres
DAY = dt.date(2026, 10, 9)


def _write(s, a):
    return vouchers.create_voucher(s, a, voucher_date=DAY, word="记", summary="x", lines=[
        {"account": "1002", "debit": "10"}, {"account": "6111", "credit": "10"}])


def test_a_close_waits_for_the_writer_in_flight_and_counts_its_voucher(fw):
    with fw.acting("fin") as (s, a):
        _write(s, a)  # the period's row is inserted (committed) by a first voucher
    with fw.acting("fin") as (s, a):
        _write(s, a)  # holds the period's row until this block commits

        def close():
            with fw.acting("fin2") as (s2, a2):
                return vouchers.close_period(s2, a2, "2026-10")

        thread, out = in_thread(close)
        fw.wait_until_blocked()
    thread.join()
    assert isinstance(out.get("error"), ValidationFailed)
    assert out["error"].params["count"] == 2


def test_a_writer_waits_for_the_close_in_flight_and_is_refused(fw):
    with fw.acting("fin2") as (s, a):
        vouchers.close_period(s, a, "2026-09")
        vouchers.reopen_period(s, a, "2026-09")
    with fw.acting("fin2") as (s, a):
        vouchers.close_period(s, a, "2026-09")  # holds the row exclusively until this block commits

        def write():
            with fw.acting("fin") as (s2, a2):
                return vouchers.create_voucher(s2, a2, voucher_date=dt.date(2026, 9, 30), word="记", summary="x",
                                               lines=[{"account": "1002", "debit": "10"},
                                                      {"account": "6111", "credit": "10"}])

        thread, out = in_thread(write)
        fw.wait_until_blocked()
    thread.join()
    assert isinstance(out.get("error"), ValidationFailed)
    assert out["error"].params["period"] == "2026-09"
