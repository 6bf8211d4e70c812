"""Server CPU per request of each kind in the load test's mix, in one process: where ``make load``'s knee goes.

The knee of ``make load`` is set by CPU per request (docs/benchmarks.md, "Request path under load"); this measures
it by kind without the noise of a load run. On a fresh PostgreSQL database it seeds ``--tenants`` tenants like the
load test (tests/load/seed.py), serves Surety in-process (``create_app`` over httpx's ASGI transport), logs the three
users in, tunes the garbage collector as a production worker does (``core.runtime.tune_gc``), then sends
``--requests`` requests of each kind one after another and prints, per kind, the median CPU time the request threads
spent (``time.thread_time``: the GraphQL operation, database driver included, without the event loop's HTTP
parsing), the process's CPU time (``time.process_time``: everything, the in-process client too) and the
wall time of the whole request, and the statements it ran; then the process CPU of the load test's mix (weighted).
``--profile KIND`` adds a cProfile of that kind's request threads, ``--statements KIND`` lists one request's
statements. Not a test (pytest collects ``test_*.py`` only); figures are figures, nothing passes or fails.

    .venv/bin/python tests/load/cpu_per_op.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations  # noqa: I001 - runner first: it sets the environment before settings are read

import runner  # noqa: F401  (sets the load run's environment and keys)

import argparse
import asyncio
import cProfile
import io
import os
import pstats
import statistics
import time

import httpx
from sqlalchemy import event
import seed as seeding
import workload as wl

from surety.core.db.session import Database, set_database
from surety.core.request_threads import RequestThreads
from surety.core.runtime import tune_gc
from surety.core.settings import get_settings
from surety.core.testing import fresh_database
from surety.core.web import create_app

_complete = RequestThreads._complete
#: CPU seconds of the request threads for the request in flight (requests here run one at a time).
SPENT: list[float] = []
PROFILE: cProfile.Profile | None = None


def _metered_complete(self, fn, args):
    start = time.thread_time()
    if PROFILE is not None:
        PROFILE.enable()
    try:
        return _complete(self, fn, args)
    finally:
        if PROFILE is not None:
            PROFILE.disable()
        SPENT.append(time.thread_time() - start)


RequestThreads._complete = _metered_complete


#: Statements the engine ran (counted by a listener on it; requests here run one at a time).
STATEMENTS: list[int] = [0]


def _count(*_args) -> None:
    STATEMENTS[0] += 1


async def _measure(app, workload: wl.Workload, kind: str, requests: int,
                   warmup: int) -> tuple[float, float, float, float, int]:
    """Median request-thread CPU ms, process CPU ms (client included), wall ms and statements of ``requests``
    requests of ``kind`` (after ``warmup``), and how many were sent as another kind because the kind's pool ran
    dry."""
    workload.kinds = [kind]
    cpu, proc, wall, statements = [], [], [], []
    short_before = dict(workload.short)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://cpu") as client:
        for i in range(warmup + requests):
            request = workload.next("graphql", i)
            SPENT.clear()
            STATEMENTS[0] = 0
            start, start_cpu = time.perf_counter(), time.process_time()
            r = await client.post("/graphql", json={"query": request.query, "variables": request.variables},
                                  headers={"Authorization": f"Bearer {request.token}"})
            elapsed, elapsed_cpu = time.perf_counter() - start, time.process_time() - start_cpu
            error = wl.classify("graphql", request, r.status_code, r.json())
            if error:
                raise SystemExit(f"{kind}: {error}: {r.text[:300]}")
            if i >= warmup:
                cpu.append(sum(SPENT) * 1000)
                proc.append(elapsed_cpu * 1000)
                wall.append(elapsed * 1000)
                statements.append(STATEMENTS[0])
    return (statistics.median(cpu), statistics.median(proc), statistics.median(wall), statistics.median(statements),
            workload.short.get(kind, 0) - short_before.get(kind, 0))


async def _login(app, tenants: list[wl.Tenant]) -> None:
    users = {"manager": seeding.MANAGER, "approver": seeding.APPROVER, "executive": seeding.EXECUTIVE}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://cpu") as client:
        for t in tenants:
            for role, username in users.items():
                r = await client.post("/graphql", json={"query": wl.LOGIN, "variables": {
                    "t": t.slug, "u": username, "p": runner.PASSWORD}})
                t.tokens[role] = r.json()["data"]["login"]["accessToken"]


def _print_statements(app, db: Database, workload: wl.Workload, kind: str) -> None:
    seen: list[str] = []

    def keep(_conn, _cursor, statement, _parameters, _context, _many):
        seen.append(" ".join(statement.split())[:160])

    event.listen(db.engine, "before_cursor_execute", keep)
    try:
        asyncio.run(_measure(app, workload, kind, 1, 0))
    finally:
        event.remove(db.engine, "before_cursor_execute", keep)
    print(f"{kind}: {len(seen)} statements")
    for n, statement in enumerate(seen, 1):
        print(f"{n:>3} {statement}")


def main() -> None:
    global PROFILE
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("SURETY_LOAD_DATABASE_URL",
                                                                 "postgresql+psycopg://postgres@127.0.0.1:5432/test"))
    parser.add_argument("--tenants", type=int, default=2)
    parser.add_argument("--requests", type=int, default=60, help="measured requests per kind")
    parser.add_argument("--warmup", type=int, default=15)
    parser.add_argument("--profile", choices=sorted(wl.MIX), help="profile this kind's request threads")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--statements", choices=sorted(wl.MIX),
                        help="print the statements of one more request of this kind (first 160 characters each)")
    args = parser.parse_args()
    per_tenant = (args.requests + args.warmup) * 2 // args.tenants + 5
    with fresh_database(args.database_url) as tdb:
        db = Database(tdb.app_url, owner_url=tdb.owner_url)
        set_database(db)
        try:
            seeds = [seeding.seed_tenant(db, tdb.owner_url, n, password=runner.PASSWORD, drafts=per_tenant,
                                         submitted=per_tenant) for n in range(args.tenants)]
            tenants = [wl.Tenant(slug=s.slug, tenant_id=s.tenant_id) for s in seeds]
            workload = wl.Workload(tenants)
            workload.refill(*runner.pools(tdb.owner_url))
            app = create_app(get_settings(), db)
            asyncio.run(_login(app, tenants))
            tune_gc()  # as a production worker does after start-up (core/web.py); the test settings skip it
            event.listen(db.engine, "before_cursor_execute", _count)
            print(f"{'kind':<20} {'thread CPU ms':>14} {'process CPU ms':>15} {'wall ms':>8} {'statements':>11}"
                  "  (medians)")
            mix = 0.0
            for kind in wl.MIX:
                if args.profile == kind:
                    PROFILE = cProfile.Profile()
                cpu, proc, wall, statements, short = asyncio.run(
                    _measure(app, workload, kind, args.requests, args.warmup))
                note = f"  ({short} sent as another kind: pool empty)" if short else ""
                print(f"{kind:<20} {cpu:>14.2f} {proc:>15.2f} {wall:>8.2f} {statements:>11g}{note}")
                mix += wl.MIX[kind][0] / 100 * proc
                if PROFILE is not None:
                    prof, PROFILE = PROFILE, None
                    for key in ("cumulative", "tottime"):
                        buf = io.StringIO()
                        pstats.Stats(prof, stream=buf).sort_stats(key).print_stats(args.top)
                        print(buf.getvalue())
            print(f"{'the mix (weighted)':<20} {'':>14} {mix:>15.2f}")
            event.remove(db.engine, "before_cursor_execute", _count)
            if args.statements:
                _print_statements(app, db, workload, args.statements)
        finally:
            set_database(None)
            db.dispose()


if __name__ == "__main__":
    main()
