"""Figure 14 (docs/benchmarks.md): the leaders' dashboard of the guarantee business.

``dashboard.dashboard`` over one year, as an executive (whole-tenant scope), among ``projects`` projects of one
tenant spread across statuses (half effective, a fifth released, a tenth in approval, ...), 10 banks, 20 managers in
5 branches and ``customers`` customers with industries and regions; with their repayments, releases (full and
partial), compensations, receivables, recovery actions, write-offs and an approval instance with an open task for
each project in approval (a quarter unclaimed, with two candidates). Timed against one bare aggregate over the
projects table (count and sum of the in-force balance of effective projects) on a raw connection; the two agree on
that figure (checked). A department head's dashboard (subtree scope) is timed too and reported in the notes.

Everything is bulk-inserted by the owner (``INSERT ... SELECT generate_series``); customers are copies of one real
customer's ciphertexts, as in bench_customers.

Standalone smoke run (small size):
``SURETY_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/postgres
.venv/bin/python tests/bench/bench_dashboard.py 2000``
"""

from __future__ import annotations

if __name__ == "__main__":  # standalone: the isolated test environment is set before any settings are read
    import run as runner  # noqa: F401

import datetime as dt
import gc
import secrets
import time
import uuid

import bench_customers
from bench_stats import Figure, SqlMeter, interleaved_ms, median, percentile
from sqlalchemy import create_engine, func, select, text

from surety.core.context import acting
from surety.core.db.session import Database
from surety.core.identity.models import OrgUnit, User
from surety.core.identity.org import create_org_unit
from surety.core.identity.service import create_user
from surety.core.testing import TEST_PASSWORD
from surety.plugins.customers.testing import actor_for
from surety.plugins.guarantee.dashboard.figures import dashboard
from surety.plugins.guarantee.testing import make_bank, make_product
from surety.tenants.service import create_tenant

TARGET_MS = 1000.0
MANAGERS = 20
UNITS = 5
BANKS = 10
PERIOD = (dt.date(2024, 1, 1), dt.date(2024, 12, 31))
INDUSTRIES = ["C13", "C30", "F51", "A01", "E47", "G54", "I65", "K70"]
REGIONS = ["110105", "310115", "440305", "330106", "510107", "420106"]

# i = the project's number (DP-0000001 ...). Status by i % 20: 0-9 effective, 10-13 released, 14-15 in approval,
# 16 approved, 17 contracted, 18 rejected, 19 draft. Effective and released projects took effect on a day of
# 2023-01-01 + (i % 900) days, submitted 5-44 days before; a third were repaid 100,000 and one in 50 of the
# effective ones compensated 200,000.
_PROJECTS = text("""
INSERT INTO guarantee_projects (tenant_id, id, project_no, customer_id, customer_kind, product_id, bank_id,
                                credit_line_held, amount, term_months, purpose, loan_category, renewal, manager_a_id,
                                owner_id, org_unit_id, status, flags, loan_contract_no, loan_amount, loan_start_date,
                                loan_end_date, loan_rate, effective_date, in_force_balance, risk_class, created_by,
                                created_at, submitted_at, updated_at)
SELECT :tenant, gen_random_uuid(), 'DP-' || lpad(i::text, 7, '0'), c.id,
       CASE WHEN i % 2 = 0 THEN 'corporate' ELSE 'individual' END, :product,
       (CAST(:banks AS uuid[]))[1 + i % cardinality(CAST(:banks AS uuid[]))], 0, amt, 12, '流动资金', 'small_micro',
       false, (CAST(:mgrs AS uuid[]))[1 + i % :m], (CAST(:mgrs AS uuid[]))[1 + i % :m],
       (CAST(:units AS uuid[]))[1 + i % :m], st, '[]',
       CASE WHEN eff IS NULL THEN NULL ELSE 'JK-' || i END, CASE WHEN eff IS NULL THEN NULL ELSE amt END,
       eff, eff + 365, CASE WHEN eff IS NULL THEN NULL ELSE 0.0435 END, eff,
       CASE WHEN st = 'effective' THEN amt - CASE WHEN i % 3 = 0 THEN 100000 ELSE 0 END
                                       - CASE WHEN i % 50 = 0 THEN 200000 ELSE 0 END
            ELSE 0 END,
       'normal', :creator, now(),
       CASE WHEN st IN ('draft') THEN NULL
            WHEN eff IS NULL THEN now() - (i % 30) * interval '1 day'
            ELSE (eff - (5 + i % 40))::timestamp AT TIME ZONE 'UTC' + (i % 86400) * interval '1 second' END,
       now()
FROM generate_series(1, :count) AS i
CROSS JOIN LATERAL (SELECT (CAST(:statuses AS text[]))[1 + i % 20] AS st,
                           (500000 + (i % 50) * 20000)::numeric(20, 2) AS amt) AS s
CROSS JOIN LATERAL (SELECT CASE WHEN s.st IN ('effective', 'released') THEN DATE '2023-01-01' + i % 900 END AS eff)
    AS e
JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM customers WHERE tenant_id = :tenant) AS c
  ON c.n = i % :customers
""")

_NUMBERED = "FROM guarantee_projects p CROSS JOIN LATERAL (SELECT substr(p.project_no, 4)::int AS i) AS k " \
            "WHERE p.tenant_id = :tenant"

_REPAYMENTS = text(f"""
INSERT INTO guarantee_repayments (tenant_id, id, project_id, amount, repaid_on, balance_after, reference,
                                  created_at)
SELECT p.tenant_id, gen_random_uuid(), p.id, 100000, p.effective_date + 90, p.loan_amount - 100000, 'R', now()
{_NUMBERED} AND p.effective_date IS NOT NULL AND k.i % 3 = 0
""")

#: Full releases of the released projects; a partial release of 50,000 on one effective project in 7.
_RELEASES = text(f"""
INSERT INTO guarantee_releases (tenant_id, id, project_id, kind, reason, amount, balance_after, released_on,
                                line_released, margin_refunded, note, created_at)
SELECT p.tenant_id, gen_random_uuid(), p.id,
       CASE WHEN p.status = 'released' THEN 'full' ELSE 'partial' END,
       CASE WHEN p.status = 'released' THEN 'term_ended' ELSE 'partial' END,
       CASE WHEN p.status = 'released' THEN p.loan_amount - CASE WHEN k.i % 3 = 0 THEN 100000 ELSE 0 END
            ELSE 50000 END,
       0, p.effective_date + 180 + k.i % 180, 0, 0, '', now()
{_NUMBERED} AND (p.status = 'released' OR (p.status = 'effective' AND k.i % 7 = 0))
""")

_COMPENSATIONS = text(f"""
INSERT INTO guarantee_compensations (tenant_id, id, project_id, claimed_amount, claim_date, notes, status,
                                     decision_comment, paid_amount, paid_on, created_at, updated_at)
SELECT p.tenant_id, gen_random_uuid(), p.id, 200000, p.effective_date + 190, '', 'compensated', '', 200000,
       p.effective_date + 200, now(), now()
{_NUMBERED} AND p.status = 'effective' AND k.i % 50 = 0
""")

#: One receivable per compensation; one in two written off (the remainder after two recoveries of 10,000).
_RECEIVABLES = text("""
INSERT INTO guarantee_compensation_receivables (tenant_id, id, compensation_id, project_id, paid, recovered,
                                                written_off, status, opened_on, closed_on, write_off_reason,
                                                written_off_on, created_at, updated_at)
SELECT c.tenant_id, gen_random_uuid(), c.id, c.project_id, c.paid_amount, 20000,
       CASE WHEN w THEN c.paid_amount - 20000 ELSE 0 END, CASE WHEN w THEN 'closed' ELSE 'open' END, c.paid_on,
       CASE WHEN w THEN c.paid_on + 120 END, '', CASE WHEN w THEN c.paid_on + 120 END, now(), now()
FROM guarantee_compensations c CROSS JOIN LATERAL (SELECT get_byte(uuid_send(c.id), 15) % 2 = 0 AS w) AS x
WHERE c.tenant_id = :tenant
""")

_RECOVERIES = text("""
INSERT INTO guarantee_recovery_actions (tenant_id, id, receivable_id, project_id, kind, action_date, notes, amount,
                                        created_at)
SELECT r.tenant_id, gen_random_uuid(), r.id, r.project_id, 'negotiation', r.opened_on + 30 * n, '协商还款', 10000,
       now()
FROM guarantee_compensation_receivables r CROSS JOIN generate_series(1, 2) AS n
WHERE r.tenant_id = :tenant
""")

#: An approval instance, its open step run and one open task for each project in approval: assigned to the
#: project's manager, or (one in four) unclaimed with two candidates.
_INSTANCES = text("""
INSERT INTO workflow_instances (tenant_id, id, definition_id, definition_key, definition_version, subject_type,
                                subject_id, subject, variables, title, status, current_step, initiator_id,
                                org_unit_id, lock_version, last_seq, started_at)
SELECT p.tenant_id, gen_random_uuid(), d.id, d.key, d.version, 'guarantee:project', p.id::text, '{}', '{}',
       p.project_no, 'running', 'due_diligence', p.manager_a_id, p.org_unit_id, 0, 0, now()
FROM guarantee_projects p
JOIN workflow_definitions d ON d.tenant_id = p.tenant_id AND d.key = 'guarantee.approval' AND d.status = 'published'
WHERE p.tenant_id = :tenant AND p.status = 'in_approval'
""")

_STEP_RUNS = text("""
INSERT INTO workflow_step_runs (tenant_id, id, instance_id, step_key, kind, mode, required, status, started_at)
SELECT w.tenant_id, gen_random_uuid(), w.id, 'due_diligence', 'task', 'any', 1, 'open', now()
FROM workflow_instances w WHERE w.tenant_id = :tenant
""")

_TASKS = text("""
INSERT INTO workflow_tasks (tenant_id, id, instance_id, step_run_id, step_key, kind, title, status, assignee_id,
                            org_unit_id, due_date, created_at)
SELECT r.tenant_id, gen_random_uuid(), r.instance_id, r.id, 'due_diligence', 'task', w.title, 'open',
       CASE WHEN get_byte(uuid_send(r.id), 15) % 4 = 0 THEN NULL ELSE w.initiator_id END, w.org_unit_id,
       CURRENT_DATE + (get_byte(uuid_send(r.id), 14) % 20) - 10, now()
FROM workflow_step_runs r JOIN workflow_instances w ON w.tenant_id = r.tenant_id AND w.id = r.instance_id
WHERE r.tenant_id = :tenant
""")

_CANDIDATES = text("""
INSERT INTO workflow_task_candidates (tenant_id, id, task_id, user_id, active, reason)
SELECT t.tenant_id, gen_random_uuid(), t.id, m.user_id, true, 'assigned'
FROM workflow_tasks t
CROSS JOIN LATERAL (SELECT (CAST(:mgrs AS uuid[]))[1 + (get_byte(uuid_send(t.id), 15) + n) % :m] AS user_id
                    FROM generate_series(0, 1) AS n) AS m
WHERE t.tenant_id = :tenant AND t.assignee_id IS NULL
""")

#: Industries and regions of the customers, by their order.
_PROFILE = text("""
UPDATE customers c SET kind = CASE WHEN x.n % 2 = 0 THEN 'corporate' ELSE 'individual' END,
       industry = (CAST(:industries AS text[]))[1 + x.n % cardinality(CAST(:industries AS text[]))],
       region = (CAST(:regions AS text[]))[1 + x.n % cardinality(CAST(:regions AS text[]))]
FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM customers WHERE tenant_id = :tenant) AS x
WHERE c.tenant_id = :tenant AND c.id = x.id
""")

#: The baseline: one bare aggregate over the projects table.
_BASELINE = text("""
SELECT count(*), sum(in_force_balance) FROM guarantee_projects WHERE tenant_id = :t AND status = 'effective'
""")


def seed(db: Database, owner_url: str, *, projects: int, customers: int):
    """The tenant, its branches, managers, executive and department head, and the rows described above."""
    tenant = create_tenant(db, slug=f"bench-dash-{secrets.token_hex(3)}", name="Bench dashboard",
                           plugins=["customers", "guarantee"], admin_password=TEST_PASSWORD)
    actors, mgrs, units = {}, [], []
    with db.tenant_session(tenant.id) as s:
        hq = s.scalar(select(OrgUnit).where(OrgUnit.code == "HQ"))
        branches = [create_org_unit(s, code=f"B{n}", name=f"分支机构{n}", kind="branch", parent_id=hq.id).id
                    for n in range(UNITS)]
        for n in range(MANAGERS):
            user = create_user(s, username=f"mgr{n}", password=TEST_PASSWORD, display_name=f"客户经理{n}",
                               org_unit_id=branches[n % UNITS], roles=["customer_manager"])
            mgrs.append(user.id)
            units.append(branches[n % UNITS])
        for username, role, unit in (("boss", "executive", hq.id), ("head", "department_head", branches[0])):
            actors[username] = actor_for(create_user(s, username=username, password=TEST_PASSWORD,
                                                     display_name=username.title(), org_unit_id=unit, roles=[role]))
        admin = actor_for(s.scalar(select(User).where(User.username == "admin")))
    with acting(admin), db.tenant_session(tenant.id) as s:
        product = make_product(s, code="LOAN").id
        banks = [make_bank(s, name=f"合作银行{n}", total=None)[0].id for n in range(BANKS)]
    tpl = bench_customers._template(db, tenant.id, admin)
    engine = create_engine(owner_url)
    try:
        with engine.begin() as conn:
            conn.execute(bench_customers._FILL, dict(tpl, surnames=bench_customers.SURNAMES, tenant=tenant.id,
                                                     salt="d", count=customers - 1, owner=admin.id_uuid,
                                                     unit=admin.org_unit_id))
            conn.execute(_PROFILE, dict(tenant=tenant.id, industries=INDUSTRIES, regions=REGIONS))
            conn.execute(_PROJECTS, dict(
                tenant=tenant.id, product=product, banks=banks, mgrs=mgrs, units=units, m=MANAGERS,
                creator=admin.id_uuid, count=projects, customers=customers,
                statuses=["effective"] * 10 + ["released"] * 4 + ["in_approval"] * 2
                + ["approved", "contracted", "rejected", "draft"]))
            for statement in (_REPAYMENTS, _RELEASES, _COMPENSATIONS, _RECEIVABLES, _RECOVERIES, _INSTANCES,
                              _STEP_RUNS, _TASKS):
                conn.execute(statement, dict(tenant=tenant.id))
            conn.execute(_CANDIDATES, dict(tenant=tenant.id, mgrs=mgrs, m=MANAGERS))
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))
            counted = conn.execute(text(
                "SELECT (SELECT count(*) FROM guarantee_projects WHERE tenant_id = :t), "
                "(SELECT count(*) FROM guarantee_releases WHERE tenant_id = :t), "
                "(SELECT count(*) FROM guarantee_repayments WHERE tenant_id = :t), "
                "(SELECT count(*) FROM guarantee_compensations WHERE tenant_id = :t), "
                "(SELECT count(*) FROM guarantee_recovery_actions WHERE tenant_id = :t), "
                "(SELECT count(*) FROM workflow_tasks WHERE tenant_id = :t)"), {"t": tenant.id}).one()
    finally:
        engine.dispose()
    if counted[0] != projects:
        raise RuntimeError(f"seeded {counted[0]} projects; expected {projects}")
    return tenant.id, actors, counted


def _board(db: Database, tenant_id: uuid.UUID, actor):
    with acting(actor), db.tenant_session(tenant_id) as s:
        return dashboard(s, actor, date_from=PERIOD[0], date_to=PERIOD[1])


def _baseline(db: Database, tenant_id: uuid.UUID):
    with db.engine.connect() as conn, conn.begin():
        conn.execute(select(func.set_config("app.tenant_id", str(tenant_id), True)))
        return conn.execute(_BASELINE, {"t": tenant_id}).one()


def run(db: Database, owner_url: str, *, projects: int, customers: int, runs: int, warmup: int) -> list[Figure]:
    start = time.perf_counter()
    tenant_id, actors, counted = seed(db, owner_url, projects=projects, customers=customers)
    seeded = time.perf_counter() - start
    boss, head = actors["boss"], actors["head"]

    # Consistency: the dashboard's in-force figure is the baseline's; the world has every kind of movement.
    d, base = _board(db, tenant_id, boss), _baseline(db, tenant_id)
    if (d.in_force.count, d.in_force.balance) != (base[0], base[1]):
        raise RuntimeError(f"dashboard in force {d.in_force} != baseline {tuple(base)}")
    if not (d.new_business.count and d.releases.full_count and d.releases.partial_count and d.compensation.count
            and d.recovery.recovered and d.recovery.written_off and d.compensation.rate is not None
            and d.recovery.rate is not None and d.cycle_time.projects and len(d.people) == MANAGERS
            and any(p.open_tasks for p in d.people) and any(p.claimable_tasks for p in d.people)
            and len(d.breakdowns["bank"]) == BANKS and len(d.breakdowns["industry"]) == len(INDUSTRIES)):
        raise RuntimeError(f"the dashboard misses a figure: {d}")
    h = _board(db, tenant_id, head)
    if not 0 < h.in_force.count < d.in_force.count or len(h.units) != 1:
        raise RuntimeError(f"the department head's dashboard is not limited to its branch: {h.in_force}, "
                           f"{len(h.units)} units")

    with SqlMeter(db.engine) as meter:  # untimed: statements per dashboard
        for _ in range(3):
            _board(db, tenant_id, boss)
    ts, tb = interleaved_ms(lambda: _board(db, tenant_id, boss), lambda: _baseline(db, tenant_id), runs, warmup)
    gc.collect()
    th = [t for t, _ in (_timed(lambda: _board(db, tenant_id, head)) for _ in range(max(5, runs // 2)))]
    p95, p95b = percentile(ts, 95), percentile(tb, 95)
    slowest, slowest_s = meter.slowest()
    return [Figure(
        what=(f"Leaders' dashboard of the guarantee business over a year among {counted[0]:,} projects, service "
              "vs one bare aggregate over the projects table, p95"),
        surety=p95, baseline=p95b, unit="ms", target=f"p95 <= {TARGET_MS:.0f} ms", passed=p95 <= TARGET_MS,
        notes=(
            ("surety: dashboard.dashboard as an executive (whole tenant) in a tenant session: permission, data "
             "scope, in force, new business, releases, repayments, compensation and its rate, recovery and its "
             "rate, write-offs, cycle time, workload per manager and branch (projects and open approval tasks), "
             "breakdowns by industry, region, customer type and bank; baseline: SELECT count(*), "
             "sum(in_force_balance) of the effective projects on a raw connection with app.tenant_id set"),
            (f"checked: both give the same in-force count and balance ({d.in_force.count:,}, "
             f"{d.in_force.balance:,} yuan); every figure is non-empty; a department head's dashboard covers only "
             f"its branch ({h.in_force.count:,} effective projects)"),
            (f"{runs} runs each, interleaved, after {warmup} warm-up pairs; medians {median(ts):.1f} ms dashboard, "
             f"{median(tb):.2f} ms baseline; department head (subtree scope): median {median(th):.1f} ms, p95 "
             f"{percentile(th, 95):.1f} ms; seeded in {seeded:.0f} s: {counted[1]:,} releases, {counted[2]:,} "
             f"repayments, {counted[3]:,} compensations, {counted[4]:,} recovery actions, {counted[5]:,} open tasks"),
            (f"where the time goes (3 dashboards, SQL metered, means): {meter.elapsed * 1000 / 3:.1f} ms = "
             f"{meter.seconds * 1000 / 3:.1f} ms executing {meter.statements / 3:.0f} statements + "
             f"{(meter.elapsed - meter.seconds) * 1000 / 3:.1f} ms outside them; the slowest statement "
             f"({slowest_s * 1000 / 3:.1f} ms per dashboard): {slowest}"),
        ),
    )]


def _timed(fn) -> tuple[float, object]:
    began = time.perf_counter()
    result = fn()
    return (time.perf_counter() - began) * 1000, result


if __name__ == "__main__":  # a standalone smoke run: python tests/bench/bench_dashboard.py [projects]
    import sys

    from rich.console import Console

    from surety.core.db.session import set_database
    from surety.core.testing import fresh_database

    size = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    url = runner.check_server(runner.os.environ.get("SURETY_BENCH_DATABASE_URL"))
    with fresh_database(url) as tdb:
        database = Database(tdb.app_url, owner_url=tdb.owner_url)
        set_database(database)
        try:
            figures = run(database, tdb.owner_url, projects=size, customers=max(10, size // 10), runs=10, warmup=2)
            facts = runner.machine_facts(tdb.owner_url)
        finally:
            set_database(None)
            database.dispose()
    runner.print_table(figures, facts, Console(width=150))
    sys.exit(0 if all(f.passed for f in figures) else 1)
