"""The regulatory monthly report's reads (docs/regulatory/figures.md, "Scale"): ``gather.figures_for`` (stocks at the
month end, flows over the year to date) and ``gather.exposures_for`` (in-force exposures per customer) for a
month end, through the port and the business plugins' hooks, over ``guarantees`` in-force guarantees rebuilt from
their ledger entries; side by side with a bare ``SELECT sum(...)`` of the same ledger rows (one scan, no grouping,
no joins) on the same session. Checked: the figures' in-force total equals the baseline's sum.

Seeding is set-based (``INSERT ... SELECT generate_series`` by the owner): customers are copies of one real
customer's ciphertexts (bench_customers), one per five guarantees; ten banks with credit lines (20 % bank share);
nine in ten projects loan guarantees across the four loan categories, one in ten performance letters; entries: the
loan, a repayment 30 days later on two in three, a full release five days after the month end on one in twenty (so
still in force at the month end), a compensation on one in fifty. Then the month-end balances of the three month
ends the form reads (``month_end.write``, as the day-end job writes them), unless asked not to.

The figure timed is the whole monthly fill (``forms.services.fill`` of the monthly main-data form for 2026M6, a refill
of its draft after a first fill that writes the forms and settings), interleaved with the month end's figures +
exposures and the bare sum.

Call (tests/bench/run.py, group "reports"): ``bench_regulatory.run_monthly_figures(db,
guarantees=scale.reg_guarantees)`` with ``reg_guarantees = 1_000_000`` (quick: 5,000); alone:
``SURETY_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/postgres .venv/bin/python
tests/bench/bench_regulatory.py 1000000 2`` (a third argument ``ledger``: without the month-end balances).
"""

from __future__ import annotations

import datetime as dt
import gc
import secrets
import time
from decimal import Decimal

import bench_customers
from bench_stats import Figure, median
from sqlalchemy import create_engine, select, text

from surety.core.context import acting
from surety.core.db.session import Database
from surety.core.identity.models import OrgUnit, User
from surety.core.identity.service import create_user
from surety.core.ports import regulatory as door
from surety.core.ports.regulatory import figure, total
from surety.core.testing import TEST_PASSWORD
from surety.plugins.customers.testing import actor_for
from surety.plugins.guarantee.ledger import month_end, regulatory_figures
from surety.plugins.guarantee.testing import make_bank, make_product
from surety.plugins.regulatory.forms import defaults, layout, periods
from surety.plugins.regulatory.forms import services as forms
from surety.plugins.regulatory.forms.models import RegulatoryReport
from surety.plugins.regulatory.indicators import rules
from surety.plugins.regulatory.indicators import services as indicators
from surety.plugins.regulatory.measures import gather
from surety.plugins.regulatory.settings import get_settings
from surety.tenants.service import create_tenant

#: The month end the report is read for, and its year's first day.
MONTH_END = dt.date(2026, 6, 30)
YEAR_START = dt.date(2026, 1, 1)
TARGET_S = 2.0
#: The month ends the monthly form of June 2026 reads (its three columns' stocks).
MONTH_ENDS = (MONTH_END, dt.date(2025, 12, 31), dt.date(2025, 6, 30))
#: The form and period the whole fill is timed for.
FORM, PERIOD = "monthly_main", "2026M6"
PLUGINS = ["customers", "guarantee", "microloan", "regulatory"]

_PROJECTS = text("""
INSERT INTO guarantee_projects (tenant_id, id, project_no, customer_id, customer_kind, product_id, bank_id,
                                credit_line_id, credit_line_held, amount, term_months, purpose, loan_category,
                                renewal, manager_a_id, owner_id, org_unit_id, status, flags, loan_amount,
                                effective_date, in_force_balance, risk_class, created_by, created_at, updated_at)
SELECT :tenant, gen_random_uuid(), 'RG-' || lpad(i::text, 8, '0'), c.id, 'individual',
       CASE WHEN i % 10 = 9 THEN CAST(:letter AS uuid) ELSE CAST(:loan AS uuid) END,
       CASE WHEN i % 10 = 9 THEN NULL ELSE (CAST(:banks AS uuid[]))[1 + i % 10] END,
       CASE WHEN i % 10 = 9 THEN NULL ELSE (CAST(:lines AS uuid[]))[1 + i % 10] END,
       0, 1000000 + (i % 100) * 10000, 12, '流动资金',
       (ARRAY['small_micro', 'farmer', 'housing', 'other'])[1 + i % 4], false, :mgr, :mgr, :unit, 'effective',
       '[]', 900000 + (i % 100) * 10000, CAST(:day AS date) - (i % 700),
       900000 + (i % 100) * 10000, 'normal', :mgr, now(), now()
FROM generate_series(1, :count) AS i
JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM customers WHERE tenant_id = :tenant) AS c
  ON c.n = i % :customers
""")

_ENTRIES = text("""
INSERT INTO guarantee_ledger_entries (tenant_id, id, project_id, kind, amount, entry_date, source_type, source_id,
                                      detail, principal, stage, created_at)
SELECT p.tenant_id, gen_random_uuid(), p.id, e.kind, e.amount, e.day, e.source_type, gen_random_uuid(), e.detail,
       e.principal, 'confirmed', now()
FROM (SELECT tenant_id, id, loan_amount, effective_date, substr(project_no, 4)::int AS i
      FROM guarantee_projects WHERE tenant_id = :tenant) AS p
CROSS JOIN LATERAL (VALUES
    ('loan', p.loan_amount, p.effective_date, 'guarantee_projects', '', NULL::numeric),
    ('repayment', CASE WHEN p.i % 3 <> 0 THEN 10000.00 + (p.i % 7) * 10000 END, p.effective_date + 30,
     'guarantee_repayments', '', NULL),
    ('release', CASE WHEN p.i % 20 = 0 THEN p.loan_amount END, CAST(:day AS date) + 5, 'guarantee_releases',
     'full', NULL),
    ('compensation', CASE WHEN p.i % 50 = 1 THEN 100000.00 END, p.effective_date + 60,
     'guarantee_compensations', '', 100000.00)
) AS e(kind, amount, day, source_type, detail, principal)
WHERE e.amount IS NOT NULL
""")

#: The baseline: the in-force balance as one bare sum over the same ledger rows (no per-project grouping, no joins).
_BASELINE = text("""
SELECT sum(CASE WHEN kind = 'loan' THEN amount WHEN kind = 'repayment' THEN -amount
                WHEN kind = 'compensation' THEN -coalesce(principal, amount) ELSE 0 END)
FROM guarantee_ledger_entries WHERE tenant_id = :t AND entry_date <= :d
""")


def seed(db: Database, owner_url: str, *, guarantees: int, customers: int, month_ends: bool = True):
    """A tenant with the business plugins and ``regulatory``, ``customers`` customers, ten banks with lines and
    ``guarantees`` effective projects with their ledger entries (module docstring); with ``month_ends``, the
    month-end balances of :data:`MONTH_ENDS` written as the day-end job writes them."""
    tenant = create_tenant(db, slug=f"bench-reg-{secrets.token_hex(3)}", name="Bench regulatory", plugins=PLUGINS,
                           admin_password=TEST_PASSWORD)
    with db.tenant_session(tenant.id) as s:
        hq = s.scalar(select(OrgUnit).where(OrgUnit.code == "HQ"))
        fin = actor_for(create_user(s, username="fin", password=TEST_PASSWORD, display_name="Fin",
                                    org_unit_id=hq.id, roles=["finance"]))
        admin = actor_for(s.scalar(select(User).where(User.username == "admin")))
    with acting(admin), db.tenant_session(tenant.id) as s:
        loan, letter = make_product(s, code="LOAN").id, make_product(s, kind="performance", code="PERF").id
        pairs = [make_bank(s, name=f"合作银行{n}", total="100000000000.00") for n in range(10)]
        banks, lines = [b.id for b, _ in pairs], [line.id for _, line in pairs]
    tpl = bench_customers._template(db, tenant.id, admin)
    engine = create_engine(owner_url)
    try:
        with engine.begin() as conn:
            conn.execute(bench_customers._FILL, dict(tpl, surnames=bench_customers.SURNAMES, tenant=tenant.id,
                                                     salt="r", count=customers - 1, owner=fin.id_uuid,
                                                     unit=fin.org_unit_id))
            conn.execute(_PROJECTS, dict(tenant=tenant.id, loan=loan, letter=letter, banks=banks, lines=lines,
                                         mgr=fin.id_uuid, unit=fin.org_unit_id, count=guarantees,
                                         customers=customers, day=MONTH_END))
            conn.execute(_ENTRIES, dict(tenant=tenant.id, day=MONTH_END))
        written = {}
        if month_ends:
            # what the day-end job (guarantee_month_end_balances) writes at each month end the form reads (timed)
            for day in MONTH_ENDS:
                with db.tenant_session(tenant.id) as s:
                    began = time.perf_counter()
                    month_end.write(s, day)
                    s.commit()
                    written[day] = time.perf_counter() - began
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))
            counted = conn.execute(text(
                "SELECT (SELECT count(*) FROM guarantee_projects WHERE tenant_id = :t), "
                "(SELECT count(*) FROM guarantee_ledger_entries WHERE tenant_id = :t)"), {"t": tenant.id}).one()
    finally:
        engine.dispose()
    if counted[0] != guarantees:
        raise RuntimeError(f"seeded {counted[0]} projects; expected {guarantees}")
    return tenant, counted, written


def _surety(db: Database, tenant_id) -> tuple[Decimal, int, float]:
    """figures_for + exposures_for for the month end in a fresh session (a fresh memo): the in-force total, the
    exposures, and the seconds of the figures alone."""
    with db.tenant_session(tenant_id) as s:
        began = time.perf_counter()
        figures = gather.figures_for(s, MONTH_END, YEAR_START)
        figures_s = time.perf_counter() - began
        exposures = gather.exposures_for(s, MONTH_END)
    return total(figures, "guarantee.in_force_balance"), len(exposures), figures_s


def _fill(db: Database, tenant_id) -> float:
    """The whole monthly fill: ``forms.services.fill`` of the monthly main-data form for June 2026 in a fresh session
    (its three column periods: the month end with the year to date, the beginning of the year, the same period last
    year; each with the business plugins' figures and the 融资担保责任余额 over the exposures), committed; seconds."""
    with db.tenant_session(tenant_id) as s:
        fin = actor_for(s.scalar(select(User).where(User.username == "fin")))
        began = time.perf_counter()
        report = forms.fill(s, fin, FORM, PERIOD, today=MONTH_END)
        s.commit()
        took = time.perf_counter() - began
        if not report.cells:
            raise RuntimeError("the monthly fill wrote no cells")
    return took


def _check_cells(db: Database, tenant_id) -> None:
    """The draft's cells (filled through the batch: month-end rows, bands) equal the cells computed the per-date way
    (every plugin's figures for each column's dates and the liability balance over the per-customer exposures,
    rebuilt from the ledger); the run aborts otherwise."""
    with db.tenant_session(tenant_id) as s:
        report = s.scalars(select(RegulatoryReport).where(RegulatoryReport.period == periods.parse(PERIOD).key)).one()
        form = forms.form_of(s, report)
        settings = get_settings(s)
        params = indicators.params_of(settings)
        measures = {r.get("measure") for r in form.rows}
        by_period = {}
        for col in form.columns:
            start, end = forms.column_dates(col["period"], form.cadence, report.as_of)
            found = list(door.report_figures(s, end, start))
            if defaults.LIABILITY_BALANCE in measures:
                found.append(figure(defaults.LIABILITY_BALANCE,
                                    rules.liability_balance(door.exposures(s, end), params).total))
            if defaults.REGISTERED_CAPITAL in measures and settings.registered_capital is not None:
                found.append(figure(defaults.REGISTERED_CAPITAL, settings.registered_capital))
            by_period[col["period"]] = found
        expected = forms._stored(layout.evaluate({"rows": form.rows, "columns": form.columns}, by_period))
        if report.cells != expected:
            differ = sorted(code for code in expected if expected[code] != report.cells.get(code))
            raise RuntimeError(f"the fill's cells differ from the per-date computation in rows {differ}")


def _guarantee_figures(db: Database, tenant_id, from_ledger: bool) -> float:
    """The guarantee plugin's figures for the month end alone (its hook's function), read from the month-end balances
    or rebuilt from the ledger; seconds."""
    with db.tenant_session(tenant_id) as s:
        began = time.perf_counter()
        regulatory_figures.report_figures(s, MONTH_END, YEAR_START, from_ledger=from_ledger)
        return time.perf_counter() - began


def _baseline(db: Database, tenant_id) -> Decimal:
    with db.tenant_session(tenant_id) as s:
        return Decimal(s.execute(_BASELINE, {"t": tenant_id, "d": MONTH_END}).scalar_one())


def run_monthly_figures(db: Database, guarantees: int = 1_000_000, *, owner_url: str | None = None,
                        runs: int = 3, month_ends: bool = True) -> list[Figure]:
    """The figure (module docstring); ``month_ends=False`` leaves the month-end balances unwritten, so every read
    rebuilds from the ledger (the fallback path)."""
    start = time.perf_counter()
    tenant, counted, written = seed(db, owner_url or db.owner_url, guarantees=guarantees,
                                    customers=max(1, guarantees // 5), month_ends=month_ends)
    seeded = time.perf_counter() - start
    in_force, n_exposures, _ = _surety(db, tenant.id)
    base = _baseline(db, tenant.id)
    if in_force != base:
        raise RuntimeError(f"the figures' in-force total {in_force} differs from the bare sum {base}")
    _fill(db, tenant.id)  # the first fill writes the forms, the settings row and the draft; the timed ones refill
    _check_cells(db, tenant.id)
    ts, tf, tb, tr, tm, tl = [], [], [], [], [], []
    clock = time.perf_counter
    sides = (0, 1, 2, 3, 4) if month_ends else (0, 1, 2)
    for i in range(runs):
        for side in (sides if i % 2 == 0 else sides[::-1]):
            gc.collect()
            began = clock()
            if side == 0:
                tr.append(_fill(db, tenant.id))
            elif side == 1:
                tf.append(_surety(db, tenant.id)[2])
                ts.append(clock() - began)
            elif side == 2:
                _baseline(db, tenant.id)
                tb.append(clock() - began)
            else:
                (tm if side == 3 else tl).append(_guarantee_figures(db, tenant.id, from_ledger=side == 4))
    r_med, s_med, b_med = median(tr), median(ts), median(tb)
    return [Figure(
        what=f"Regulatory monthly report (fill of the monthly main-data form) over {guarantees:,} in-force "
             f"guarantees, Surety vs a bare SELECT sum",
        surety=r_med, baseline=b_med, unit="s", target=f"< {TARGET_S:.0f} s", passed=r_med < TARGET_S,
        notes=(
            ("surety: forms.services.fill(monthly_main, 2026M6) in a fresh session, committed: its three column "
             "periods in one gather.report_for (core.ports.regulatory.report_batch: guarantee's "
             "regulatory_report_batch reads the three month ends from its month-end rows in one grouping, by type "
             "and threshold band; microloan asked per date) and the liability balance over the bands; baseline: one "
             "bare SELECT sum(CASE ...) of the same ledger rows up to the month end (no grouping, no joins)"),
            (f"checked: the figures' in-force total equals the bare sum ({base:,} yuan); the fill's cells equal those "
             f"computed date by date from the per-customer exposures; {n_exposures:,} exposures; "
             f"figures + exposures for the month end alone {s_med:.2f} s (figures {median(tf):.2f} s)"),
            (f"{runs} runs each, interleaved, medians (fill {', '.join(f'{t:.2f}' for t in tr)} s); "
             f"{counted[0]:,} projects and {counted[1]:,} ledger entries in the tenant, seeded in {seeded:.0f} s; "
             + (f"the form's three month ends read from the month-end rows the day-end writes (written in the "
                f"seeding, the day-end job's write of {MONTH_END}: {written[MONTH_END]:.1f} s); the guarantee per-date "
                f"figures for the month end alone: {median(tm):.2f} s from them vs {median(tl):.2f} s rebuilt from "
                f"the ledger" if month_ends else "no month-end rows: every figure rebuilt from the ledger")),
        ),
    )]


if __name__ == "__main__":  # python tests/bench/bench_regulatory.py [guarantees [runs]]: this benchmark alone
    import os
    import sys

    import run  # noqa: F401 - the isolated test environment, set on import

    from surety.core.db.session import set_database
    from surety.core.testing import fresh_database

    with fresh_database(os.environ["SURETY_BENCH_DATABASE_URL"]) as tdb:
        database = Database(tdb.app_url, owner_url=tdb.owner_url)
        set_database(database)
        try:
            size = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
            times = int(sys.argv[2]) if len(sys.argv) > 2 else 3
            written = not (len(sys.argv) > 3 and sys.argv[3] == "ledger")
            for result in run_monthly_figures(database, guarantees=size, owner_url=tdb.owner_url, runs=times,
                                              month_ends=written):
                print(f"{result.what}: {result.surety:.2f} {result.unit} vs {result.baseline:.2f} {result.unit} "
                      f"target {result.target}: {'met' if result.passed else 'MISSED'}")
                for note in result.notes:
                    print("   ", note)
        finally:
            set_database(None)
            database.dispose()
