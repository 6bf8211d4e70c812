"""Microloan figures (docs/microloan/dayend.md, "Benchmark"; the lead merges them into docs/benchmarks.md).

- **Day-end**: ``dayend.batch.run_day`` over ``loans`` active loans of 12 monthly installments (1 in 10 with its
  past installments unpaid, so penalty and compound interest accrue; the others paid up to date) against a
  baseline of one hand-written ``INSERT ... SELECT`` doing the same accrual arithmetic (the day's contract interest
  of the current period by cumulative rounding, penalty and compound on the overdue installments) into
  ``microloan_accruals`` itself (same indexes, foreign key and row-level security; under a date no run uses, rolled
  back): no carries, no balances, classes, provisions, events or reminders. Target: < 60 s and <= 3x the baseline.
- **Kill and rerun**: a second tenant with the identical book runs half its chunks, stops (``Interrupted``, as a
  killed process would leave it: the chunks committed, the run ``running``), reruns; its ledger hash must equal
  the clean run's.
- **Schedule**: ``schedule.builder.build`` of a 360-month 等额本息 loan against a bare Decimal annuity loop of the
  same 360 rows (no rounding rules, no dates).

Loans are inserted by the owner through SQLAlchemy Core (so every column default of the model applies), their
installments with ``INSERT ... SELECT generate_series``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import secrets
import time
import uuid
from decimal import ROUND_HALF_UP, Decimal

from bench_stats import Figure, batch_mean_us, median
from sqlalchemy import create_engine, func, insert, select, text

from surety.core.db.session import Database
from surety.core.testing import TEST_PASSWORD
from surety.plugins.microloan.dayend.batch import CHUNK_SIZE, Interrupted, run_day
from surety.plugins.microloan.loan.models import MicroloanLoan
from surety.plugins.microloan.schedule.builder import Terms, build
from surety.plugins.microloan.testing import make_product
from surety.tenants.service import create_tenant

DAY = dt.date(2026, 9, 15)
TARGET_SECONDS = 60.0
TARGET_RATIO = 3.0
TARGET_SCHEDULE_US = 20_000.0

_INSTALLMENTS = text("""
INSERT INTO microloan_installments (tenant_id, id, loan_id, revision, period, due_date, principal, interest, fee,
                                    paid_principal, paid_interest, paid_fee, penalty, paid_penalty, settled_on)
SELECT l.tenant_id, gen_random_uuid(), l.id, 0, k, d.due, p.principal, p.interest, 0,
       CASE WHEN paid THEN p.principal ELSE 0 END, CASE WHEN paid THEN p.interest ELSE 0 END, 0, 0, 0,
       CASE WHEN paid THEN d.due END
FROM microloan_loans l
CROSS JOIN generate_series(1, 12) AS k
CROSS JOIN LATERAL (SELECT (l.disbursed_on + k * interval '1 month')::date AS due) d
CROSS JOIN LATERAL (SELECT CASE WHEN k = 12 THEN l.amount - 11 * round(l.amount / 12, 2) ELSE round(l.amount / 12, 2)
                           END AS principal,
                           round((l.amount - (k - 1) * round(l.amount / 12, 2)) * 0.01, 2) AS interest) p
CROSS JOIN LATERAL (SELECT d.due < CAST(:day AS date) AND right(l.loan_no, 1) <> '0' AS paid) s
WHERE l.tenant_id = :tenant
""")
_BALANCES = text("""
UPDATE microloan_loans l SET principal_balance = l.amount - s.paid, first_due_date = s.first_due,
                             maturity_date = s.last_due
FROM (SELECT loan_id, sum(paid_principal) AS paid, min(due_date) AS first_due, max(due_date) AS last_due
      FROM microloan_installments WHERE tenant_id = :tenant GROUP BY loan_id) s
WHERE l.tenant_id = :tenant AND l.id = s.loan_id
""")
_BASELINE = text("""
INSERT INTO microloan_accruals (tenant_id, id, loan_id, business_date, kind, amount, carry)
WITH rows AS (
    SELECT i.loan_id, i.due_date, i.interest, i.principal - i.paid_principal AS op, i.interest - i.paid_interest AS oi,
           i.settled_on,
           COALESCE(lag(i.due_date) OVER (PARTITION BY i.loan_id ORDER BY i.period), l.disbursed_on) AS start
    FROM microloan_installments i
    JOIN microloan_loans l ON l.tenant_id = i.tenant_id AND l.id = i.loan_id AND l.schedule_revision = i.revision
    WHERE i.tenant_id = :tenant AND l.status = 'active' AND l.disbursed_on <= CAST(:day AS date)
)
SELECT :tenant, gen_random_uuid(), loan_id, CAST(:ledger_day AS date), 'interest',
       round(interest * (CAST(:day AS date) - start) / (due_date - start), 2)
       - round(interest * (CAST(:day AS date) - 1 - start) / (due_date - start), 2), 0
FROM rows WHERE start < CAST(:day AS date) AND CAST(:day AS date) <= due_date
UNION ALL
SELECT :tenant, gen_random_uuid(), loan_id, CAST(:ledger_day AS date), k.kind,
       round(sum(CASE k.kind WHEN 'penalty' THEN op ELSE oi END) * 0.18 / 360, 2), 0
FROM rows CROSS JOIN (VALUES ('penalty'), ('compound')) AS k(kind)
WHERE settled_on IS NULL AND due_date < CAST(:day AS date)
GROUP BY loan_id, k.kind
""")


def _tenant(db: Database, slug: str):
    return create_tenant(db, slug=f"{slug}-{secrets.token_hex(3)}", name="Bench microloan",
                         plugins=["customers", "microloan"], admin_password=TEST_PASSWORD)


def seed(db: Database, owner_url: str, tenant_id: uuid.UUID, *, loans: int) -> None:
    """``loans`` active loans (number ``B-<n>``, the same book in every tenant) disbursed over the 300 days before
    DAY, amounts 10,000.00 to 209,900.00, with 12 installments each; every tenth with its past installments unpaid."""
    with db.tenant_session(tenant_id) as s:
        product = make_product(s, code="BENCH")
        product_id = product.id
    customer = uuid.uuid4()
    rows = [dict(tenant_id=tenant_id, loan_no=f"B-{n:07d}", customer_id=customer, product_id=product_id,
                 product_version=1, kind="business", amount=Decimal(10000 + (n % 2000) * 100), term_months=12,
                 status="active", disbursed_on=DAY - dt.timedelta(days=1 + n % 300), contract_no=f"HT-{n}")
            for n in range(loans)]
    engine = create_engine(owner_url)
    try:
        with engine.begin() as conn:
            for start in range(0, loans, 10_000):
                conn.execute(insert(MicroloanLoan.__table__), rows[start:start + 10_000])
            conn.execute(_INSTALLMENTS, {"tenant": tenant_id, "day": DAY})
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))  # before the join below, or the planner loops over the installments
            conn.execute(_BALANCES, {"tenant": tenant_id})
            conn.execute(text("ANALYZE"))
    finally:
        engine.dispose()


def _sessions(db: Database, tenant_id):
    def open_session():
        return db.tenant_session(tenant_id)
    return open_session


def _baseline(db: Database, tenant_id) -> tuple[float, int]:
    """Seconds of the bare INSERT ... SELECT (as the app role, under row-level security, into the accrual table
    itself under a date no run uses, rolled back) and the rows written."""
    with db.engine.connect() as conn:
        with conn.begin() as tx:
            conn.execute(select(func.set_config("app.tenant_id", str(tenant_id), True)))
            began = time.perf_counter()
            written = conn.execute(_BASELINE, {"tenant": tenant_id, "day": DAY,
                                               "ledger_day": DAY + dt.timedelta(days=10_000)}).rowcount
            seconds = time.perf_counter() - began
            tx.rollback()
    return seconds, written


def _bare_annuity(amount: Decimal, monthly: Decimal, months: int) -> list[tuple[Decimal, Decimal]]:
    payment = (amount * monthly / (1 - (1 + monthly) ** -months)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    balance, out = amount, []
    for _ in range(months):
        interest = (balance * monthly).quantize(Decimal("0.01"), ROUND_HALF_UP)
        out.append((payment - interest, interest))
        balance -= payment - interest
    return out


def run(db: Database, owner_url: str, *, loans: int, chunk_size: int | None = None) -> list[Figure]:
    chunk_size = chunk_size or min(CHUNK_SIZE, max(1, loans // 20))  # 20 chunks at most: the kill stops halfway
    clean, killed = _tenant(db, "bench-ml"), _tenant(db, "bench-ml-kill")
    for tenant in (clean, killed):
        seed(db, owner_url, tenant.id, loans=loans)
    measured = [_baseline(db, clean.id) for _ in range(3)]
    baseline, accrued = median([m[0] for m in measured]), measured[0][1]
    began = time.perf_counter()
    summary = run_day(_sessions(db, clean.id), DAY, chunk_size=chunk_size)
    seconds = time.perf_counter() - began
    chunks = -(-loans // chunk_size)
    with contextlib.suppress(Interrupted):
        run_day(_sessions(db, killed.id), DAY, chunk_size=chunk_size, stop_after_chunks=max(1, chunks // 2))
    resumed = run_day(_sessions(db, killed.id), DAY, chunk_size=chunk_size)
    same = resumed["hash"] == summary["hash"] and resumed == summary
    if summary["loans"] != loans:
        raise RuntimeError(f"the day-end processed {summary['loans']} loans; expected {loans}")

    terms = Terms(amount=Decimal("1000000.00"), annual_rate=Decimal("0.0435"), term_months=360,
                  method="equal_installment", start=dt.date(2026, 1, 15))
    ours = median(batch_mean_us(lambda: build(terms), batch=5, rounds=20))
    bare = median(batch_mean_us(lambda: _bare_annuity(Decimal("1000000.00"), Decimal("0.0435") / 12, 360),
                                batch=5, rounds=20))
    return [
        Figure(what=f"Microloan day-end over {loans:,} loans (accrual, penalty, class, provision, events), Surety "
                    "vs one bare INSERT ... SELECT of the same accruals",
               surety=seconds, baseline=baseline, unit="s",
               target=f"< {TARGET_SECONDS:.0f} s and <= {TARGET_RATIO:.0f}x baseline",
               passed=seconds < TARGET_SECONDS and seconds <= TARGET_RATIO * baseline and same,
               notes=(f"chunks of {chunk_size}: interest {summary['interest']}, penalty {summary['penalty']}, "
                      f"compound {summary['compound']} yuan; baseline rows {accrued:,}",
                      f"kill after {max(1, chunks // 2)} of {chunks} chunks and rerun: ledger hash "
                      f"{'identical' if same else 'DIFFERENT'} ({summary['hash'][:16]}...)")),
        Figure(what="Schedule of a 360-month 等额本息 loan, schedule.builder.build vs a bare Decimal annuity loop",
               surety=ours, baseline=bare, unit="µs", target=f"< {TARGET_SCHEDULE_US:,.0f} µs",
               passed=ours < TARGET_SCHEDULE_US),
    ]


if __name__ == "__main__":  # python tests/bench/bench_microloan.py [loans]: this benchmark alone
    import os
    import sys

    from surety.core.db.session import set_database
    from surety.core.testing import fresh_database

    with fresh_database(os.environ["SURETY_BENCH_DATABASE_URL"]) as tdb:
        database = Database(tdb.app_url, owner_url=tdb.owner_url)
        set_database(database)
        try:
            for figure in run(database, tdb.owner_url, loans=int(sys.argv[1]) if len(sys.argv) > 1 else 100_000):
                print(f"{figure.what}: {figure.surety:.3f} {figure.unit} vs {figure.baseline:.3f} {figure.unit} "
                      f"({figure.ratio:.2f}x) target {figure.target}: {'met' if figure.passed else 'MISSED'}")
                for note in figure.notes:
                    print("   ", note)
        finally:
            set_database(None)
            database.dispose()
