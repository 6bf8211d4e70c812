"""Figure 14 (docs/benchmarks.md): the company ledger (台账) exported to .xlsx.

14. ``ledger_export.export_company_ledger`` as an executive (whole-tenant scope) over 100,000 effective or released
    projects with about 600,000 ledger entries: one SELECT of the projects outer-joined to their entries' sums,
    streamed with ``yield_per`` (a server-side cursor), customer names through ``customers_summaries`` once per
    chunk, an openpyxl write-only workbook with styled money cells and a totals row; against a baseline of one
    hand-written SQL statement (the same sums, joined to customers and banks) fetched whole on a raw connection and
    written with bare openpyxl (write-only, no styles) -- the same rows with nothing of Surety around them.
    Checked: both write every project, and the totals row of Surety's workbook equals the sums of the baseline's
    rows. Peak Python memory (tracemalloc) of each side is measured on a separate, untimed run.

Customers are copies of one real customer's ciphertexts (bench_customers); projects and entries are inserted by the
owner with ``INSERT ... SELECT generate_series``.
"""

from __future__ import annotations

import datetime as dt
import gc
import os
import tempfile
import time
import tracemalloc
from decimal import Decimal

import bench_customers
from bench_guarantee import _people
from bench_stats import Figure, median
from openpyxl import Workbook, load_workbook
from sqlalchemy import create_engine, func, select, text

from surety.core.context import acting
from surety.core.db.session import Database
from surety.plugins.guarantee.ledger.export import export_company_ledger
from surety.plugins.guarantee.testing import make_bank, make_product

DAY = dt.date(2026, 6, 1)
#: The export may cost at most this multiple of the bare SQL + openpyxl write of the same rows (most of both is
#: openpyxl writing cells, so the ratio holds across machines where seconds do not).
TARGET_RATIO = 2.0
TARGET_MB = 100.0
MONEY = ("review_fee", "guarantee_fee", "margin_held", "loan_amount", "in_force_balance", "repaid", "released",
         "compensated", "recovered", "written_off")

_PROJECTS = text("""
INSERT INTO guarantee_projects (tenant_id, id, project_no, customer_id, customer_kind, product_id, bank_id,
                                credit_line_held, amount, term_months, purpose, loan_category, renewal, manager_a_id,
                                owner_id, org_unit_id, status, flags, loan_contract_no, loan_amount, loan_start_date,
                                loan_end_date, loan_rate, effective_date, in_force_balance, risk_class, created_by,
                                created_at, updated_at)
SELECT :tenant, gen_random_uuid(), 'LP-' || lpad(i::text, 7, '0'), c.id, 'individual', :product,
       (CAST(:banks AS uuid[]))[1 + i % cardinality(CAST(:banks AS uuid[]))], 0, 1000000 + (i % 100) * 10000, 12,
       '流动资金', 'small_micro', false, :mgr, :mgr, :unit,
       CASE WHEN i % 4 = 0 THEN 'released' ELSE 'effective' END, '[]', 'JK-' || i, 900000 + (i % 100) * 10000,
       CAST(:day AS date) - (i % 700), CAST(:day AS date) - (i % 700) + 365, 0.0435, CAST(:day AS date) - (i % 700),
       CASE WHEN i % 4 = 0 THEN 0 ELSE 900000 + (i % 100) * 10000 - (i % 7) * 10000 END,
       (ARRAY['normal', 'special_mention', 'substandard'])[1 + i % 3], :mgr, now() - i * interval '1 second', now()
FROM generate_series(1, :count) AS i
JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM customers WHERE tenant_id = :tenant) AS c
  ON c.n = i % :customers
""")

#: Fees, margin, loan and repayments of every project; release and margin refund of the released ones. Stages at
#: random.
_ENTRIES = text("""
INSERT INTO guarantee_ledger_entries (tenant_id, id, project_id, kind, amount, entry_date, source_type, source_id,
                                      detail, stage, created_at)
SELECT p.tenant_id, gen_random_uuid(), p.id, e.kind, e.amount, p.effective_date + e.days, e.source_type,
       CASE WHEN e.kind = 'loan' THEN p.id ELSE gen_random_uuid() END, e.detail,
       (ARRAY['manager', 'risk', 'finance', 'confirmed'])[1 + floor(random() * 4)::int], now()
FROM guarantee_projects p
CROSS JOIN LATERAL (VALUES
    ('guarantee_fee', round(p.amount * 0.015, 2), 0, 'guarantee_fee_receipts', 'guarantee_fee'),
    ('review_fee', 5000.00, 0, 'guarantee_fee_receipts', 'review_fee'),
    ('margin_in', round(p.amount * 0.1, 2), 0, 'guarantee_fee_receipts', 'margin'),
    ('loan', p.loan_amount, 0, 'guarantee_projects', ''),
    ('repayment', p.loan_amount - p.in_force_balance, 30, 'guarantee_repayments', ''),
    ('release', CASE WHEN p.status = 'released' THEN 0 ELSE NULL END, 31, 'guarantee_releases', 'full'),
    ('margin_out', CASE WHEN p.status = 'released' THEN round(p.amount * 0.1, 2) ELSE NULL END, 31,
     'guarantee_fee_refunds', 'margin')
) AS e(kind, amount, days, source_type, detail)
WHERE p.tenant_id = :tenant AND e.amount IS NOT NULL AND (e.kind <> 'repayment' OR e.amount > 0)
""")

_BASELINE = text("""
SELECT p.project_no, c.name AS customer_name, b.name AS bank_name, p.status, p.risk_class, p.effective_date,
       coalesce(s.review_fee, 0) AS review_fee, coalesce(s.guarantee_fee, 0) AS guarantee_fee,
       coalesce(s.margin_held, 0) AS margin_held, coalesce(s.loan_amount, 0) AS loan_amount, p.in_force_balance,
       coalesce(s.repaid, 0) AS repaid, coalesce(s.released, 0) AS released,
       coalesce(s.compensated, 0) AS compensated, coalesce(s.recovered, 0) AS recovered,
       coalesce(s.written_off, 0) AS written_off, coalesce(s.unconfirmed, 0) AS unconfirmed
FROM guarantee_projects p
LEFT JOIN (
    SELECT project_id,
           sum(CASE WHEN kind = 'review_fee' THEN amount
                    WHEN kind = 'fee_refund' AND detail = 'review_fee' THEN -amount ELSE 0 END) AS review_fee,
           sum(CASE WHEN kind = 'guarantee_fee' THEN amount
                    WHEN kind = 'fee_refund' AND detail = 'guarantee_fee' THEN -amount ELSE 0 END) AS guarantee_fee,
           sum(CASE WHEN kind = 'margin_in' THEN amount WHEN kind = 'margin_out' THEN -amount ELSE 0 END)
               AS margin_held,
           sum(CASE WHEN kind = 'loan' THEN amount ELSE 0 END) AS loan_amount,
           sum(CASE WHEN kind = 'repayment' THEN amount ELSE 0 END) AS repaid,
           sum(CASE WHEN kind = 'release' THEN amount ELSE 0 END) AS released,
           sum(CASE WHEN kind = 'compensation' THEN amount ELSE 0 END) AS compensated,
           sum(CASE WHEN kind = 'recovery' THEN amount ELSE 0 END) AS recovered,
           sum(CASE WHEN kind = 'write_off' THEN amount ELSE 0 END) AS written_off,
           sum(CASE WHEN stage <> 'confirmed' THEN 1 ELSE 0 END) AS unconfirmed
    FROM guarantee_ledger_entries WHERE tenant_id = :t GROUP BY project_id) s ON s.project_id = p.id
JOIN customers c ON c.tenant_id = p.tenant_id AND c.id = p.customer_id
LEFT JOIN guarantee_banks b ON b.tenant_id = p.tenant_id AND b.id = p.bank_id
WHERE p.tenant_id = :t AND p.effective_date IS NOT NULL
ORDER BY p.effective_date, p.id
""")


def seed(db: Database, owner_url: str, *, projects: int, customers: int):
    """A tenant with ``customers`` customers, 10 banks and ``projects`` projects that took effect (1 in 4
    released), with their ledger entries; an executive exports."""
    tenant, actors = _people(db, "bench-ledger", "Bench ledger", {"boss": "executive", "mgr": "customer_manager"})
    admin, mgr = actors["admin"], actors["mgr"]
    with acting(admin), db.tenant_session(tenant.id) as s:
        product = make_product(s, code="LOAN").id
        banks = [make_bank(s, name=f"合作银行{n}", total=None)[0].id for n in range(10)]
    tpl = bench_customers._template(db, tenant.id, admin)
    engine = create_engine(owner_url)
    try:
        with engine.begin() as conn:
            conn.execute(bench_customers._FILL, dict(tpl, surnames=bench_customers.SURNAMES, tenant=tenant.id,
                                                     salt="l", count=customers - 1, owner=mgr.id_uuid,
                                                     unit=mgr.org_unit_id))
            conn.execute(_PROJECTS, dict(tenant=tenant.id, product=product, banks=banks, mgr=mgr.id_uuid,
                                         unit=mgr.org_unit_id, count=projects, customers=customers, day=DAY))
            conn.execute(_ENTRIES, dict(tenant=tenant.id))
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))
            counted = conn.execute(text(
                "SELECT (SELECT count(*) FROM guarantee_projects WHERE tenant_id = :t), "
                "(SELECT count(*) FROM guarantee_ledger_entries WHERE tenant_id = :t)"), {"t": tenant.id}).one()
    finally:
        engine.dispose()
    if counted[0] != projects:
        raise RuntimeError(f"seeded {counted[0]} projects; expected {projects}")
    return tenant, actors["boss"], counted


def _surety(db: Database, tenant_id, boss, path: str) -> int:
    with acting(boss), db.tenant_session(tenant_id) as s, open(path, "wb") as fh:
        return export_company_ledger(s, boss, fh)


def _baseline(db: Database, tenant_id, path: str) -> tuple[int, dict]:
    with db.engine.connect() as conn, conn.begin():
        conn.execute(select(func.set_config("app.tenant_id", str(tenant_id), True)))
        rows = conn.execute(_BASELINE, {"t": tenant_id}).all()
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("ledger")
    ws.append(["项目编号", "客户名称", "合作银行", "项目状态", "风险分类", "生效日期", *MONEY, "待确认笔数"])
    totals = {k: Decimal(0) for k in MONEY}
    for r in rows:
        ws.append(list(r))
        for k in MONEY:
            totals[k] += getattr(r, k)
    ws.append(["合计", len(rows), None, None, None, None, *(totals[k] for k in MONEY), None])
    wb.save(path)
    return len(rows), totals


def _last_row(path: str) -> tuple:
    wb = load_workbook(path, read_only=True)
    last = None
    for row in wb.worksheets[0].iter_rows(values_only=True):
        last = row
    wb.close()
    return last


def _peak_mb(fn) -> float:
    gc.collect()
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def run(db: Database, owner_url: str, *, projects: int, customers: int, runs: int = 3) -> list[Figure]:
    start = time.perf_counter()
    tenant, boss, counted = seed(db, owner_url, projects=projects, customers=customers)
    seeded = time.perf_counter() - start
    tmp = tempfile.mkdtemp(prefix="surety-bench-ledger-")
    mine, theirs = os.path.join(tmp, "surety.xlsx"), os.path.join(tmp, "baseline.xlsx")
    try:
        # Consistency: every project on both sides; Surety's totals row equals the baseline rows' sums.
        n = _surety(db, tenant.id, boss, mine)
        m, totals = _baseline(db, tenant.id, theirs)
        if n != projects or m != projects:
            raise RuntimeError(f"exported {n} rows (Surety) and {m} (baseline); expected {projects}")
        last = _last_row(mine)
        got = [Decimal(str(v)).quantize(Decimal("0.01")) for v in last[6:6 + len(MONEY)]]
        if got != [totals[k].quantize(Decimal("0.01")) for k in MONEY]:
            raise RuntimeError(f"Surety's totals row {got} differs from the baseline's sums {totals}")
        size_mine, size_theirs = os.path.getsize(mine), os.path.getsize(theirs)

        ts, tb = [], []
        clock = time.perf_counter
        for i in range(runs):
            for side in ((0, 1) if i % 2 == 0 else (1, 0)):
                gc.collect()
                began = clock()
                if side == 0:
                    _surety(db, tenant.id, boss, mine)
                else:
                    _baseline(db, tenant.id, theirs)
                (ts if side == 0 else tb).append(clock() - began)
        mem_s = _peak_mb(lambda: _surety(db, tenant.id, boss, mine))
        mem_b = _peak_mb(lambda: _baseline(db, tenant.id, theirs))
    finally:
        for path in (mine, theirs):
            if os.path.exists(path):
                os.remove(path)
        os.rmdir(tmp)
    s_med, b_med = median(ts), median(tb)
    return [Figure(
        what=f"Company ledger of {projects:,} projects exported to .xlsx, Surety vs hand-written SQL + bare openpyxl",
        surety=s_med, baseline=b_med, unit="s",
        target=f"<= {TARGET_RATIO:.0f}x baseline and <= {TARGET_MB:.0f} MB peak",
        passed=s_med <= TARGET_RATIO * b_med and mem_s <= TARGET_MB,
        notes=(
            ("surety: ledger_export.export_company_ledger as an executive (whole-tenant scope): permission and data "
             "scope, one SELECT of the projects outer-joined to their ledger entries' sums streamed with yield_per "
             "(server-side cursor), customer names via customers_summaries once per 1,000 rows, openpyxl "
             "write-only with two header rows, number-formatted money cells and a totals row, audited; baseline: "
             "one hand-written SELECT of the same sums joined to customers and banks, fetched whole on a raw "
             "connection with app.tenant_id set, written with bare openpyxl write-only (no styles)"),
            (f"checked: both write {projects:,} rows; Surety's totals row equals the sums of the baseline's rows; "
             f"files {size_mine / 2**20:.1f} MB (Surety) and {size_theirs / 2**20:.1f} MB (baseline)"),
            (f"peak Python memory (tracemalloc, separate untimed runs): {mem_s:.0f} MB Surety (streamed), "
             f"{mem_b:.0f} MB baseline (all rows fetched first)"),
            (f"{runs} runs each, interleaved, medians; {counted[0]:,} projects and {counted[1]:,} ledger entries in "
             f"the tenant, seeded in {seeded:.0f} s"),
        ),
    )]
