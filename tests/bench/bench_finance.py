"""Finance figures (issue 16; docs/finance/README.md, "Benchmarks"; the lead merges them into docs/benchmarks.md).

- **Voucher on a money mutation**: a guarantee fee receipt (``fees.receive``, one transaction each) in a tenant with
  the finance plugin enabled (the voucher and the fee schedule written in the receipt's transaction) against the
  same receipt in a tenant without it, calls interleaved; p95 of each. Target: finance adds <= 2 ms at p95.
- **Trial balance**: ``ledger.trial_balance`` over ``lines`` posted voucher lines (bulk-inserted by the owner with
  ``INSERT ... SELECT generate_series``, 12 periods, 12 accounts) against a bare ``GROUP BY account_code`` of the
  same lines in the same session (row-level security on both). Target: < 1 s.
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid

from bench_stats import Figure, interleaved_ms, median, percentile
from sqlalchemy import create_engine, event, select, text

from surety.core.context import acting
from surety.core.db.session import Database
from surety.core.identity.auth import user_actor
from surety.core.identity.models import User
from surety.core.testing import TEST_PASSWORD
from surety.plugins.customers.records import create_customer
from surety.plugins.customers.testing import corporate
from surety.plugins.finance.ledger.services import trial_balance
from surety.plugins.guarantee.finance import fees
from surety.plugins.guarantee.finance.models import GuaranteeFeeItem
from surety.plugins.guarantee.testing import make_project
from surety.tenants.service import create_tenant

DAY = dt.date(2026, 11, 20)
TARGET_ADDED_MS = 2.0
TARGET_TB_SECONDS = 1.0
#: Leaf accounts of the default chart that carry no dimension: the bulk lines go to pairs of them.
CODES = ("1001", "1002", "1123", "1501", "1601", "2203", "2211", "2221", "2241", "4001", "6111", "6711")

_VOUCHERS = text("""
INSERT INTO finance_vouchers (tenant_id, id, voucher_date, period, word, seq, number, summary, status, total,
                              created_at)
SELECT :tenant, gen_random_uuid(), make_date(2026, 1 + n % 12, 1 + n % 28), to_char(make_date(2026, 1 + n % 12, 1),
       'YYYY-MM'), '记', n, '记-' || lpad(n::text, 6, '0'), 'bench', 'posted', (n % 1000) + (n % 100) / 100.0, now()
FROM generate_series(1, :vouchers) AS n
""")
_LINES = text("""
INSERT INTO finance_voucher_lines (tenant_id, id, voucher_id, line_no, period, account_code, summary, debit, credit,
                                   posted)
SELECT v.tenant_id, gen_random_uuid(), v.id, side, v.period,
       (CAST(:codes AS text[]))[1 + (v.seq + CASE WHEN side = 1 THEN 0 ELSE 5 END) % 12], 'bench',
       CASE WHEN side = 1 THEN v.total ELSE 0 END, CASE WHEN side = 2 THEN v.total ELSE 0 END, true
FROM finance_vouchers v CROSS JOIN generate_series(1, 2) AS side
WHERE v.tenant_id = :tenant
""")
_BARE = text("""
SELECT account_code, sum(debit), sum(credit) FROM finance_voucher_lines
WHERE tenant_id = :tenant AND period <= :period GROUP BY account_code
""")


def _tenant(db: Database, slug: str, plugins: list[str]):
    return create_tenant(db, slug=f"{slug}-{secrets.token_hex(3)}", name="Bench finance", plugins=plugins,
                         admin_password=TEST_PASSWORD)


def _admin(db: Database, tenant_id: uuid.UUID):
    with db.tenant_session(tenant_id) as s:
        return user_actor(s.scalar(select(User).where(User.username == "admin")))


def _fee_item(db: Database, tenant_id: uuid.UUID, admin) -> uuid.UUID:
    """A project with a guarantee fee of 20,000,000.00 yuan due: room for many receipts of 1 yuan."""
    with acting(admin), db.tenant_session(tenant_id) as s:
        customer = create_customer(s, admin, "corporate", corporate(7)).id
        p = make_project(s, admin, customer, amount="1000000000.00", term_months=12, status="approved")
        fees.set_plan(s, admin, p.id, guarantee_fee_method="rate", guarantee_fee_rate="0.02", frequency="once",
                      start_date=DAY)
        return s.scalar(select(GuaranteeFeeItem.id).where(GuaranteeFeeItem.project_id == p.id,
                                                          GuaranteeFeeItem.fee_type == "guarantee_fee"))


def _receipt(db: Database, tenant_id: uuid.UUID, admin, item_id: uuid.UUID):
    def one():
        with acting(admin), db.tenant_session(tenant_id) as s:
            fees.receive(s, admin, item_id, "1.00", received_on=DAY)

    return one


def _statements_per_call(db: Database, call, calls: int = 20) -> float:
    """Statements sent per ``call`` (mean of ``calls``, after the timing; the time-based cache re-reads included)."""
    seen = []

    def count(*_args):
        seen.append(1)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        for _ in range(calls):
            call()
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(seen) / calls


def run_receipts(db: Database, *, runs: int, warmup: int) -> Figure:
    on = _tenant(db, "bench-fin-on", ["customers", "guarantee", "finance"])
    off = _tenant(db, "bench-fin-off", ["customers", "guarantee"])
    calls = []
    for tenant in (on, off):
        admin = _admin(db, tenant.id)
        calls.append(_receipt(db, tenant.id, admin, _fee_item(db, tenant.id, admin)))
    with_finance, without = interleaved_ms(calls[0], calls[1], runs, warmup)
    p95_on, p95_off = percentile(with_finance, 95), percentile(without, 95)
    with db.tenant_session(on.id) as s:
        written = s.scalar(text("SELECT count(*) FROM finance_vouchers"))
    statements = [_statements_per_call(db, call) for call in calls]
    return Figure(what="Guarantee fee receipt p95 with the finance plugin (voucher + fee schedule in the same "
                       "transaction) vs without it",
                  surety=p95_on, baseline=p95_off, unit="ms", target=f"<= {TARGET_ADDED_MS:.0f} ms added",
                  passed=p95_on - p95_off <= TARGET_ADDED_MS and written == runs + warmup,
                  difference=p95_on - p95_off,
                  notes=(f"{runs} receipts each, interleaved; medians {median(with_finance):.2f} ms vs "
                         f"{median(without):.2f} ms; {written} vouchers written; statements per receipt "
                         f"{statements[0]:.1f} vs {statements[1]:.1f}",))


def run_trial_balance(db: Database, owner_url: str, *, lines: int, runs: int) -> Figure:
    tenant = _tenant(db, "bench-fin-tb", ["finance"])
    admin = _admin(db, tenant.id)
    engine = create_engine(owner_url)
    try:
        with engine.begin() as conn:
            conn.execute(_VOUCHERS, {"tenant": tenant.id, "vouchers": lines // 2})
            conn.execute(_LINES, {"tenant": tenant.id, "codes": list(CODES)})
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE finance_vouchers"))
            conn.execute(text("ANALYZE finance_voucher_lines"))
    finally:
        engine.dispose()

    def ours():
        with acting(admin), db.tenant_session(tenant.id) as s:
            return trial_balance(s, admin, "2026-12")

    def bare():
        with db.tenant_session(tenant.id) as s:
            return s.execute(_BARE, {"tenant": tenant.id, "period": "2026-12"}).all()

    tb, grouped = ours(), bare()
    closing = {r.code: r.opening + r.debit - r.credit for r in tb.rows}
    assert tb.balanced and closing == {code: debit - credit for code, debit, credit in grouped}, \
        "the trial balance disagrees with the GROUP BY"
    timed_ours, timed_bare = interleaved_ms(ours, bare, runs, 1)
    seconds, baseline = median(timed_ours) / 1000, median(timed_bare) / 1000
    return Figure(what=f"Trial balance (科目余额表) over {lines:,} posted voucher lines vs a bare GROUP BY "
                       "account_code of the same lines",
                  surety=seconds, baseline=baseline, unit="s", target=f"< {TARGET_TB_SECONDS:.0f} s",
                  passed=seconds < TARGET_TB_SECONDS,
                  notes=(f"median of {runs} runs each; balanced, {len(closing)} accounts, closing balances equal "
                         "the GROUP BY's",))


def run(db: Database, owner_url: str, *, receipts: int, lines: int, tb_runs: int) -> list[Figure]:
    return [run_receipts(db, runs=receipts, warmup=max(10, receipts // 10)),
            run_trial_balance(db, owner_url, lines=lines, runs=tb_runs)]
