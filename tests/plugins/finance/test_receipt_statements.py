"""What the finance plugin adds to a warm guarantee fee receipt (issue 16: "voucher generation adds <= 2 ms p95 to a
money mutation"; tests/bench/bench_finance.py run_receipts measures the time): the same receipt, each the way a
request runs it (a fresh tenant session and transaction, after two warm-up receipts), in a tenant with finance and
in one without, statements counted on the engine.

The counts are deterministic, so they are bounded here (a ceiling, never a time). The time-based re-reads are left
out: the permission cache's ``authz_state`` and the finance configuration cache's ``config_version`` (each at most
once a second per tenant and process; the recheck window is made long here so neither runs). ``-s`` prints the
statements finance adds. Figures and what they were before: docs/finance/README.md ("Benchmarks").
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

import pytest
from sqlalchemy import event

from surety.plugins.finance.accounts import config_cache
from surety.plugins.guarantee.finance import fees
from tests.plugins.finance.conftest import fee_item

D = dt.date(2026, 11, 20)
#: Ceiling on what finance adds to a warm receipt, by dialect. PostgreSQL: one statement, the counter's UPDATE (which
#: also share-locks the open period), the voucher, its lines and the fee schedule's upsert as data-modifying CTEs
#: (vouchers.services._PG_WRITE_WITH_FEE). SQLite (in-process, no round trips to save): those four as four
#: statements. Before the one statement on PostgreSQL: 4 there too; before the process cache of rules and chart and
#: the one-statement period hold: 7 (the rules, the chart, the period's status read once per session, besides the
#: four).
ADDED_CEILING = {"postgresql": 1, "sqlite": 4}
#: What the added statements write, each (the voucher is still written in the receipt's transaction).
WRITTEN = ("UPDATE finance_voucher_counters", "INSERT INTO finance_vouchers ", "INSERT INTO finance_voucher_lines ",
           "INSERT INTO finance_fee_schedules ")
#: Statements finance may never run in a warm receipt (read from the process cache or folded into the counter).
NEVER = ("FROM finance_voucher_rules", "FROM finance_accounts", "SELECT finance_periods.status")


@pytest.fixture(autouse=True)
def long_recheck():
    config_cache.configure(recheck_seconds=3600)
    yield
    config_cache.configure(recheck_seconds=1.0)


def _shape(statement: str) -> str:
    return re.sub(r"\s+", " ", statement).strip()


def _warm_receipt_statements(w) -> list[str]:
    _project, item = fee_item(w, D)

    def receive():
        with w.acting("admin") as (s, a):
            fees.receive(s, a, item, "1.00", received_on=D)

    receive()
    receive()
    seen: list[str] = []

    def count(conn, cursor, statement, *args):
        if "authz_state" not in statement and "config_version" not in statement:
            seen.append(_shape(statement))

    event.listen(w.db.engine, "before_cursor_execute", count)
    try:
        receive()
    finally:
        event.remove(w.db.engine, "before_cursor_execute", count)
    return seen


def test_finance_adds_at_most_its_ceiling_of_statements_to_a_warm_fee_receipt(fgw, make_tenant, world_of):
    without = world_of(make_tenant(plugins=["customers", "guarantee"]))
    on, off = _warm_receipt_statements(fgw), _warm_receipt_statements(without)
    added = Counter(on) - Counter(off)
    ceiling = ADDED_CEILING[fgw.db.engine.dialect.name]
    print(f"\nwith finance {len(on)}, without {len(off)}; finance adds:")
    for shape, n in added.items():
        print(n, shape[:140])
    assert len(on) - len(off) <= ceiling
    assert sum(added.values()) <= ceiling
    assert not [x for x in on if any(n in x for n in NEVER)]
    for write in WRITTEN:  # the voucher, its number and the fee schedule are still written in the receipt
        assert any(write in x for x in added), write
