"""``make bench``: Surety's speed figures side by side with baselines measured in the same run.

Needs a PostgreSQL server URL (``SURETY_BENCH_DATABASE_URL`` or ``--database-url``) on which it may create a
database and a role (as superuser); both are dropped afterwards. Prints one table and rewrites the marked section of
docs/benchmarks.md. Exit status: 0 when every target is met, 1 when one is missed, 2 when it cannot run.
"""

from __future__ import annotations

import base64
import os
import secrets
import sys
import tempfile


def _isolated_env() -> None:
    """Test settings with per-run random keys, set before any settings are read."""
    os.environ["SURETY_ENV"] = "test"
    os.environ["SURETY_VAR_DIR"] = tempfile.mkdtemp(prefix="surety-bench-")
    os.environ["SURETY_KEK"] = base64.b64encode(os.urandom(32)).decode()
    os.environ["SURETY_JWT_SECRET"] = secrets.token_urlsafe(48)
    os.environ["SURETY_AUDIT_KEY"] = base64.b64encode(os.urandom(32)).decode()
    os.environ.setdefault("SURETY_LOG_LEVEL", "WARNING")  # no access-log line per request on the terminal
    os.environ.pop("SURETY_DATABASE_URL", None)
    os.environ.pop("SURETY_APP_DATABASE_URL", None)


_isolated_env()

# Everything below is imported after the environment is set (settings are read once, on first use).
import argparse
import time
from dataclasses import dataclass
from pathlib import Path

import bench_audit
import bench_authz
import bench_crypto
import bench_customers
import bench_dashboard
import bench_finance
import bench_graphql
import bench_guarantee
import bench_ledger
import bench_microloan
import bench_reguarantee
import bench_regulatory
import bench_regulatory_limits
import bench_related
import bench_rls
import bench_workflow
from bench_report import machine_facts, markdown, print_table, write_doc
from rich.console import Console
from sqlalchemy import create_engine, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

from surety.core.db.session import Database, set_database
from surety.core.testing import fresh_database

DOC = Path(__file__).resolve().parents[2] / "docs" / "benchmarks.md"


@dataclass(frozen=True)
class Scale:
    gql_users: int = 1000
    gql_runs: int = 400
    authz_tenants: int = 1000
    authz_rules: int = 50
    authz_sessions: int = 2000
    authz_checks: int = 10
    crypto_batch: int = 2000
    crypto_rounds: int = 25
    audit_runs: int = 1000
    rls_tenants: int = 100
    rls_users: int = 1000
    rls_runs: int = 2000
    customers_rows: int = 1_000_000
    customers_other_rows: int = 1_000_000
    customers_runs: int = 1000
    customers_import: int = 10_000
    wf_instances: int = 100_000
    wf_mine: int = 500
    wf_runs: int = 300
    guar_submissions: int = 1000
    guar_workers: int = 16
    guar_projects: int = 100_000
    guar_customers: int = 10_000
    guar_runs: int = 300
    dash_projects: int = 100_000
    dash_customers: int = 10_000
    dash_runs: int = 20
    ledger_projects: int = 100_000
    related_others: int = 500
    related_runs: int = 100
    microloan_loans: int = 100_000
    finance_receipts: int = 400
    finance_lines: int = 1_000_000
    finance_tb_runs: int = 5
    reguarantee_filing_rows: int = 10_000
    reg_guarantees: int = 1_000_000
    reg_limit_guarantees: int = 10_000


QUICK = Scale(gql_users=200, gql_runs=40, authz_tenants=50, authz_sessions=100, crypto_batch=200, crypto_rounds=5,
              audit_runs=40, rls_tenants=5, rls_users=200, rls_runs=100,
              customers_rows=20_000, customers_other_rows=20_000, customers_runs=100, customers_import=1000,
              wf_instances=5000, wf_runs=40, guar_submissions=200, guar_projects=5000, guar_customers=500,
              guar_runs=40, dash_projects=5000, dash_customers=500, dash_runs=5,
              ledger_projects=2000, related_others=50, related_runs=20,
              microloan_loans=2000, finance_receipts=40, finance_lines=20_000, finance_tb_runs=3,
              reguarantee_filing_rows=1000, reg_guarantees=5000, reg_limit_guarantees=2000)


def fail(message: str) -> None:
    print(f"make bench: {message}", file=sys.stderr)
    raise SystemExit(2)


def check_server(url: str | None) -> str:
    if not url:
        fail("set SURETY_BENCH_DATABASE_URL (or --database-url) to a PostgreSQL server URL, e.g. "
             "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    try:
        parsed = make_url(url)
    except ArgumentError:
        fail(f"not a database URL: {url!r}")
    if parsed.get_backend_name() != "postgresql":
        fail(f"the benchmarks need PostgreSQL (row-level security); got {parsed.get_backend_name()!r}")
    shown = parsed.render_as_string(hide_password=True)
    engine = create_engine(parsed.set(drivername="postgresql+psycopg"), connect_args={"connect_timeout": 5})
    try:
        with engine.connect() as conn:
            conn.execute(select(1))
    except DBAPIError as exc:
        fail(f"PostgreSQL at {shown} is unreachable: {str(exc.orig).strip().splitlines()[0]}")
    finally:
        engine.dispose()
    return url


def run_all(tdb, scale: Scale, console: Console, only: set[str] | None = None) -> list:
    """Run the benchmarks (``only``: the groups to run, e.g. {"customers"}; default all)."""
    db = Database(tdb.app_url, owner_url=tdb.owner_url)
    set_database(db)
    figures = []

    def wanted(group: str) -> bool:
        return not only or group in only

    try:
        def step(name, fn):
            start = time.perf_counter()
            with console.status(f"{name} ..."):
                result = fn()
            console.print(f"[dim]{name}: {time.perf_counter() - start:.1f} s[/dim]")
            return result

        if wanted("core"):
            gql, tenant_id = step("1 GraphQL page", lambda: bench_graphql.run(
                db, users=scale.gql_users, runs=scale.gql_runs, warmup=max(10, scale.gql_runs // 10)))
            figures.append(gql)
            figures.append(step("2 permission check", lambda: bench_authz.run(
                db, tenants=scale.authz_tenants, rules=scale.authz_rules, sessions=scale.authz_sessions,
                checks_per_session=scale.authz_checks)))
            figures += step("3 field encryption", lambda: bench_crypto.run(
                db, tenant_id, batch=scale.crypto_batch, rounds=scale.crypto_rounds))
            figures.append(step("4 audit append", lambda: bench_audit.run(
                db, tenant_id, runs=scale.audit_runs, warmup=max(10, scale.audit_runs // 10))))
            figures.append(step("5 row-level security", lambda: bench_rls.run(
                db, tdb.app_url, tdb.owner_url, tenants=scale.rls_tenants, users_per_tenant=scale.rls_users,
                runs=scale.rls_runs, warmup=max(10, scale.rls_runs // 20))))
        if wanted("customers"):
            figures += step("7-8 customer search", lambda: bench_customers.run_search(
                db, tdb.owner_url, rows=scale.customers_rows, other_rows=scale.customers_other_rows,
                runs=scale.customers_runs, warmup=max(10, scale.customers_runs // 20)))
            figures.append(step("9 customer import", lambda: bench_customers.run_import(
                db, rows=scale.customers_import)))
        if wanted("workflow"):
            figures += step("10-11 workflow", lambda: bench_workflow.run(
                db, tdb.owner_url, instances=scale.wf_instances, mine=scale.wf_mine, runs=scale.wf_runs,
                warmup=max(10, scale.wf_runs // 10)))
        if wanted("guarantee"):
            figures += step("12-13 guarantee", lambda: bench_guarantee.run(
                db, tdb.owner_url, submissions=scale.guar_submissions, workers=scale.guar_workers,
                projects=scale.guar_projects, customers=scale.guar_customers, runs=scale.guar_runs,
                warmup=max(10, scale.guar_runs // 10)))
        if wanted("reports"):
            figures += step("14 guarantee dashboard", lambda: bench_dashboard.run(
                db, tdb.owner_url, projects=scale.dash_projects, customers=scale.dash_customers,
                runs=scale.dash_runs, warmup=max(2, scale.dash_runs // 10)))
            figures += step("15 company ledger export", lambda: bench_ledger.run(
                db, tdb.owner_url, projects=scale.ledger_projects, customers=scale.dash_customers))
        if wanted("customers"):
            # Last, so rows 1-15 keep their numbers.
            figures.append(step("16 customer sharing a phone", lambda: bench_related.run(
                db, tdb.owner_url, others=scale.related_others, runs=scale.related_runs,
                warmup=max(5, scale.related_runs // 10))))
        if wanted("microloan"):
            figures += step("17-18 microloan day-end and schedule", lambda: bench_microloan.run(
                db, tdb.owner_url, loans=scale.microloan_loans))
        if wanted("finance"):
            figures += step("19-20 finance voucher and trial balance", lambda: bench_finance.run(
                db, tdb.owner_url, receipts=scale.finance_receipts, lines=scale.finance_lines,
                tb_runs=scale.finance_tb_runs))
        if wanted("reguarantee"):
            figures += step("21 re-guarantee batch filing", lambda: bench_reguarantee.run_filing_import(
                db, rows=scale.reguarantee_filing_rows))
        if wanted("regulatory"):
            figures += step("22 regulatory month-end figures", lambda: bench_regulatory.run_monthly_figures(
                db, guarantees=scale.reg_guarantees, owner_url=tdb.owner_url))
            figures += step("23 limit check before approval", lambda: bench_regulatory_limits.run_limit_check(
                db, guarantees=scale.reg_limit_guarantees))
        if wanted("web"):
            import bench_web  # noqa: PLC0415 - needs the built console and chromium: only when asked for

            figures += step("24 web console first load", lambda: bench_web.run(db))
    finally:
        set_database(None)
        db.dispose()
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Surety benchmarks against baselines (PostgreSQL).")
    parser.add_argument("--database-url", default=os.environ.get("SURETY_BENCH_DATABASE_URL"),
                        help="PostgreSQL server URL (default: $SURETY_BENCH_DATABASE_URL)")
    parser.add_argument("--quick", action="store_true", help="small sizes, a smoke run; docs are not written")
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/benchmarks.md alone")
    parser.add_argument("--only", action="append", choices=("core", "customers", "workflow", "guarantee", "reports",
                                                              "microloan", "finance", "reguarantee",
                                                              "regulatory", "web"),
                        help="run only this group (repeat); implies --no-write")
    args = parser.parse_args(argv)
    url = check_server(args.database_url)
    console = Console(width=None if sys.stdout.isatty() else 150)
    scale = QUICK if args.quick else Scale()
    start = time.perf_counter()
    with fresh_database(url) as tdb:
        figures = run_all(tdb, scale, console, set(args.only or ()))
        facts = machine_facts(tdb.owner_url)
    facts["Run time"] = f"{time.perf_counter() - start:.0f} s" + (" (--quick)" if args.quick else "")
    print_table(figures, facts, console)
    if not (args.quick or args.no_write or args.only):
        write_doc(DOC, markdown(figures, facts))
        console.print(f"Wrote {DOC}")
    missed = [f"#{n} {f.what}" for n, f in enumerate(figures, 1) if not f.passed]
    if missed:
        console.print("[bold red]Targets missed:[/bold red] " + "; ".join(missed))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
