"""Profile of bench row 13 (a GraphQL page of 50 guarantee projects), for finding where its time goes.

Not part of ``make bench`` (no figure, no target): seeds a small listing tenant on a fresh PostgreSQL database like
row 13 (``bench_guarantee.seed_listing``), warms up, then runs ``--requests`` pages under cProfile and prints the
functions by cumulative and by own time, with the median time of a page and of the row's SQL baseline (unprofiled).

    .venv/bin/python tests/bench/profile_listing.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations  # noqa: I001 - run first: it sets the isolated test environment

import run  # noqa: F401  (sets the isolated test environment before any settings are read)

import argparse
import asyncio
import cProfile
import io
import os
import pstats
import time

import bench_guarantee
import httpx
from bench_stats import median

from surety.core.db.session import Database, set_database
from surety.core.identity.auth import login
from surety.core.request_threads import RequestThreads
from surety.core.settings import get_settings
from surety.core.testing import TEST_PASSWORD, fresh_database
from surety.core.web import create_app


#: The profiler of the request threads (GraphQL operations run there, core/request_threads.py); cProfile profiles
#: the thread that enables it, so each operation enables it on its own thread (requests here run one at a time).
PROFILE: cProfile.Profile | None = None
_complete = RequestThreads._complete


def _profiled_complete(self, fn, args):
    if PROFILE is None:
        return _complete(self, fn, args)
    PROFILE.enable()
    try:
        return _complete(self, fn, args)
    finally:
        PROFILE.disable()


RequestThreads._complete = _profiled_complete


async def _pages(db, tenant_id, token, requests: int, warmup: int, out: str | None, top: int) -> None:
    app = create_app(get_settings(), db)
    headers = {"Authorization": f"Bearer {token}"}
    body = {"query": bench_guarantee.LIST, "variables": {"first": bench_guarantee.PAGE}}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as client:
        async def page():
            r = await client.post("/graphql", json=body, headers=headers)
            assert r.status_code == 200 and not r.json().get("errors"), r.text[:300]

        for _ in range(warmup):
            await page()
        times, base = [], []
        for _ in range(requests):
            start = time.perf_counter()
            await page()
            times.append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            with db.engine.connect() as conn, conn.begin():
                conn.exec_driver_sql("SELECT set_config('app.tenant_id', %s, true)", (str(tenant_id),))
                conn.execute(bench_guarantee._BASELINE, {"t": tenant_id, "limit": bench_guarantee.PAGE + 1}).all()
            base.append((time.perf_counter() - start) * 1000)
        print(f"page median {median(times):.2f} ms, baseline median {median(base):.2f} ms, "
              f"ratio {median(times) / median(base):.2f}x")
        global PROFILE
        main, PROFILE = cProfile.Profile(), cProfile.Profile()
        main.enable()
        for _ in range(requests):
            await page()
        main.disable()
        prof, PROFILE = PROFILE, None
        buf = io.StringIO()
        pstats.Stats(main, stream=buf).sort_stats("tottime").print_stats(15)
        print("server loop and client:", buf.getvalue())
    if out:
        prof.dump_stats(out)
    for key in ("cumulative", "tottime"):
        buf = io.StringIO()
        pstats.Stats(prof, stream=buf).sort_stats(key).print_stats(top)
        print(buf.getvalue())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default=os.environ.get("SURETY_BENCH_DATABASE_URL",
                                                                 "postgresql+psycopg://postgres@127.0.0.1:5432/test"))
    parser.add_argument("--projects", type=int, default=5000)
    parser.add_argument("--customers", type=int, default=500)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--top", type=int, default=45)
    parser.add_argument("--out", help="write the raw profile here (pstats format)")
    args = parser.parse_args()
    with fresh_database(args.database_url) as tdb:
        db = Database(tdb.app_url, owner_url=tdb.owner_url)
        set_database(db)
        try:
            tenant, _ = bench_guarantee.seed_listing(db, tdb.owner_url, projects=args.projects,
                                                     customers=args.customers)
            token = login(db, tenant.slug, "boss", TEST_PASSWORD).access_token
            asyncio.run(_pages(db, tenant.id, token, args.requests, args.warmup, args.out, args.top))
        finally:
            set_database(None)
            db.dispose()


if __name__ == "__main__":
    main()
