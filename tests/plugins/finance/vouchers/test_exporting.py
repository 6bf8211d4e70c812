"""Posted vouchers mapped onto the exporters' values: number, maker, account names, dimensions by id, red ink on
the other side; and one round trip through the 用友 U8 text format."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest

from surety.core.errors import PermissionDenied
from surety.plugins.finance.export import yonyou
from surety.plugins.finance.vouchers import exporting, services

PROJECT = uuid.UUID("01900000-0000-7000-8000-000000000001")
D = dt.date(2026, 11, 5)


def test_posted_vouchers_of_a_period_become_export_values(fw):
    with fw.acting("fin") as (s, a):
        made = services.create_voucher(s, a, voucher_date=D, word="收", summary="收保证金", lines=[
            {"account": "1002", "debit": "1000", "department": "营业部"},
            {"account": "2002", "credit": "1000", "project_id": PROJECT}])
        system = services.create_voucher(s, None, voucher_date=D, word="记", summary="系统", lines=[
            {"account": "1002", "debit": "5"}, {"account": "6111", "credit": "5"}])
        services.create_voucher(s, a, voucher_date=D, word="记", summary="草稿", lines=[
            {"account": "1002", "debit": "7"}, {"account": "6111", "credit": "7"}])
    with fw.acting("fin2") as (s, a):
        for vid in (made.id, system.id):
            services.review_voucher(s, a, vid)
            services.post_voucher(s, a, vid)
        red = services.reverse_voucher(s, a, system.id, voucher_date=D)
    with fw.acting("fin") as (s, a):
        services.review_voucher(s, a, red.id)
        services.post_voucher(s, a, red.id)
        out = exporting.vouchers_for_export(s, a, "2026-11")
    assert [(v.word, v.number, v.maker, v.summary) for v in out] == [
        ("收", 1, "Fin", "收保证金"), ("记", 1, "系统", "系统"), ("记", 3, "Fin2", out[2].summary)]
    first = out[0].lines
    assert (first[0].account_name, first[0].debit, first[0].department_code) == ("银行存款", Decimal("1000.00"),
                                                                                 "营业部")
    assert (first[1].account_name, first[1].credit, first[1].project_code) == ("存入保证金", Decimal("1000.00"),
                                                                              str(PROJECT))
    assert [(x.account_code, x.debit, x.credit) for x in out[2].lines] == [
        ("1002", Decimal("0.00"), Decimal("5.00")), ("6111", Decimal("5.00"), Decimal("0.00"))]
    assert yonyou.parse_text(yonyou.to_text(out)) == [yonyou.carried(v) for v in out]


def test_export_needs_the_read_permission(fw):
    with fw.acting("viewer") as (s, a):
        with pytest.raises(PermissionDenied):
            exporting.vouchers_for_export(s, a, "2026-11")
