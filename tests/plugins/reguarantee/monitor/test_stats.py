"""monitor/stats.py on the hand-checked set of conftest.py: by partner, bank, customer kind, quarter and month,
the window, the totals, the permission, and the same number of statements whatever the number of filings."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import event

from surety.core.errors import PermissionDenied, ValidationFailed
from surety.plugins.reguarantee.monitor import stats
from surety.plugins.reguarantee.testing import make_agreement, make_filing, make_partner
from tests.plugins.reguarantee.monitor.conftest import AS_OF

D = Decimal
W = D("10000")  # 万元


def _by_label(result):
    return {r.label: r for r in result.rows}


def test_by_partner(rw, stats_set):
    with rw.acting("viewer") as (s, actor):
        result = stats.statistics(s, actor, "partner", as_of=AS_OF)
    assert result.date_from == dt.date(2026, 1, 1)
    rows = _by_label(result)
    a, b = rows["甲县融资担保有限公司"], rows["乙县融资担保有限公司"]
    assert [r.label for r in result.rows] == ["甲县融资担保有限公司", "乙县融资担保有限公司"]  # filed amount first
    assert (a.filed_count, a.filed_amount) == (2, 800 * W)  # A0 filed in 2025: outside the window
    assert (a.balance_count, a.balance, a.reguarantor_balance) == (2, 1500 * W, 300 * W)
    assert a.risk_share_ratio == D("0.200000")
    assert a.avg_loan_rate == D("0.043750")  # (500 x 4 % + 300 x 5 %) / 800
    assert (a.released, a.compensated, a.compensation_rate) == (300 * W, D("0.00"), D("0.000000"))
    assert a.key == str(stats_set.a)
    assert (b.filed_count, b.filed_amount) == (2, 300 * W)  # B1 and B3; B2 rejected
    assert (b.balance_count, b.balance, b.risk_share_ratio) == (0, D("0.00"), None)
    assert b.avg_loan_rate == D("0.038500")  # B1 has no rate: only B3 counts
    assert (b.released, b.compensated, b.compensation_rate) == (200 * W, 200 * W, D("1.000000"))
    assert (b.recovered, b.recovered_share) == (50 * W, 10 * W)
    t = result.total
    assert (t.filed_count, t.filed_amount, t.balance, t.reguarantor_balance) == (4, 1100 * W, 1500 * W, 300 * W)
    assert (t.released, t.compensated, t.compensation_rate, t.recovered) == (500 * W, 200 * W, D("0.400000"),
                                                                           50 * W)
    assert t.avg_loan_rate == D("0.043167")  # (500 x 4 % + 300 x 5 % + 100 x 3.85 %) / 900 = 38.85 / 900


def test_by_bank_and_customer_kind(rw, stats_set):
    with rw.acting("viewer") as (s, actor):
        banks = _by_label(stats.statistics(s, actor, "bank", as_of=AS_OF))
        kinds = _by_label(stats.statistics(s, actor, "customer_kind", as_of=AS_OF))
    assert set(banks) == {"南京银行", "江苏银行"}
    assert (banks["南京银行"].filed_count, banks["南京银行"].filed_amount, banks["南京银行"].balance) == (
        3, 800 * W, 1500 * W)
    assert (banks["江苏银行"].filed_amount, banks["江苏银行"].balance, banks["江苏银行"].released) == (
        300 * W, D("0.00"), 300 * W)
    assert set(kinds) == {"企业", "农户", "自然人"}
    assert (kinds["企业"].filed_count, kinds["企业"].balance, kinds["自然人"].compensation_rate) == (
        2, 1500 * W, D("1.000000"))


def test_by_quarter_balances_at_each_period_end(rw, stats_set):
    with rw.acting("viewer") as (s, actor):
        result = stats.statistics(s, actor, "quarter", as_of=AS_OF)
    q1, q2 = result.rows
    assert (q1.label, q1.period_end, q2.label, q2.period_end) == ("2026Q1", dt.date(2026, 3, 31), "2026Q2", AS_OF)
    assert (q1.filed_count, q1.filed_amount) == (2, 800 * W)
    assert (q1.balance_count, q1.balance, q1.reguarantor_balance) == (3, 1800 * W, 360 * W)  # A0, A1, A2
    assert (q2.filed_count, q2.filed_amount, q2.released, q2.compensated) == (2, 300 * W, 500 * W, 200 * W)
    assert (q2.balance_count, q2.balance, q2.recovered) == (2, 1500 * W, 50 * W)
    assert (result.total.filed_amount, result.total.balance) == (1100 * W, 1500 * W)


def test_by_month_and_year_and_a_window(rw, stats_set):
    with rw.acting("viewer") as (s, actor):
        months = stats.statistics(s, actor, "month", as_of=dt.date(2026, 5, 15), date_from=dt.date(2026, 4, 10))
        years = stats.statistics(s, actor, "year", as_of=AS_OF, date_from=dt.date(2025, 1, 1))
    assert [(r.label, r.period_end) for r in months.rows] == [("2026-04", dt.date(2026, 4, 30)),
                                                               ("2026-05", dt.date(2026, 5, 15))]
    # B1 started on 04-01, before the window: not filed in it, but in force at the end of April (A0, A1, A2, B1)
    assert (months.rows[0].filed_count, months.rows[0].balance_count, months.rows[0].balance) == (0, 4, 2000 * W)
    assert months.rows[1].released == 300 * W and months.rows[1].balance == 1700 * W
    assert [(r.label, r.filed_amount, r.balance) for r in years.rows] == [("2025", 1000 * W, 1000 * W),
                                                                        ("2026", 1100 * W, 1500 * W)]


def test_refusals(rw, stats_set):
    with rw.acting("viewer") as (s, actor):
        with pytest.raises(ValidationFailed):
            stats.statistics(s, actor, "colour", as_of=AS_OF)
        with pytest.raises(ValidationFailed):
            stats.statistics(s, actor, "bank", as_of=AS_OF, date_from=dt.date(2026, 7, 1))
        with pytest.raises(ValidationFailed):
            stats.statistics(s, actor, "month", as_of=AS_OF, date_from=dt.date(2000, 1, 1))
        with pytest.raises(ValidationFailed):
            stats.statistics(s, actor, "year", as_of=dt.date(9999, 12, 31))
        assert len(stats.statistics(s, actor, "year", as_of=AS_OF, date_from=dt.date(2006, 7, 1)).rows) == 21
    with rw.acting("legal") as (s, actor), pytest.raises(PermissionDenied):
        stats.statistics(s, actor, "bank", as_of=AS_OF)


def _statements(rw, dimension: str) -> int:
    seen = []
    with rw.acting("viewer") as (s, actor):
        def count(conn, cursor, statement, *args):
            if statement.lstrip().upper().startswith("SELECT"):
                seen.append(statement)
        event.listen(s.get_bind(), "before_cursor_execute", count)
        try:
            stats.statistics(s, actor, dimension, as_of=AS_OF)
        finally:
            event.remove(s.get_bind(), "before_cursor_execute", count)
    return len(seen)


@pytest.mark.parametrize("dimension", ["partner", "region", "quarter"])
def test_set_based_same_statements_whatever_the_filings(rw, dimension):
    with rw.session() as s:
        a = make_agreement(s, make_partner(s))
        make_filing(s, a, amount="1000000.00", region="南京")
    _statements(rw, dimension)  # warms the permission cache
    few = _statements(rw, dimension)
    with rw.session() as s:
        for n in range(25):
            a = make_agreement(s, make_partner(s)) if n % 5 == 0 else a
            make_filing(s, a, amount="1000000.00", region=f"地区{n}", status="released" if n % 3 else "confirmed",
                        released_on=dt.date(2026, 4, 1) if n % 3 else None)
    assert _statements(rw, dimension) == few
