"""Figure 1: a 50-row GraphQL page against a hand-written Starlette JSON endpoint running the same SQL."""

from __future__ import annotations

import asyncio
import gc
import time
import uuid

import httpx
from bench_stats import Figure, SqlMeter, median, percentile
from sqlalchemy import insert, select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from surety.core.db.base import uuid7
from surety.core.db.session import Database
from surety.core.db.types import utcnow
from surety.core.errors import DomainError
from surety.core.identity.auth import login, resolve_access
from surety.core.identity.models import User
from surety.core.settings import get_settings
from surety.core.testing import TEST_PASSWORD
from surety.core.web import create_app
from surety.tenants.service import create_tenant

QUERY = "{ users(first: 50) { edges { node { id username displayName status createdAt } } } }"
PAGE = 50
PROFILE_REQUESTS = 50


def seed_tenant(db: Database, users: int) -> tuple[uuid.UUID, str]:
    """A provisioned tenant with ``users`` extra users (inserted directly); returns its id and an admin token."""
    tenant = create_tenant(db, slug="bench-gql", name="Bench GraphQL", admin_password=TEST_PASSWORD)
    now = utcnow()
    rows = [dict(tenant_id=tenant.id, id=uuid7(), username=f"user{n:05d}", display_name=f"User {n}",
                 password_hash="x", status="active", failed_logins=0, password_changed_at=now, created_at=now)
            for n in range(users)]
    with db.tenant_session(tenant.id) as s:
        s.execute(insert(User), rows)
    token = login(db, "bench-gql", "admin", TEST_PASSWORD).access_token
    return tenant.id, token


def baseline_app(db: Database) -> Starlette:
    """The hand-written endpoint: same bearer check, same tenant session, same SELECT, JSON out."""

    async def users(request: Request) -> JSONResponse:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            return JSONResponse({"error": "unauthenticated"}, status_code=401)
        try:
            principal = resolve_access(db, token.strip())
        except DomainError as exc:
            return JSONResponse({"error": str(exc)}, status_code=401)
        with db.tenant_session(principal.tenant_id) as s:
            rows = s.scalars(select(User).order_by(User.username, User.id).limit(PAGE + 1)).all()
        return JSONResponse({
            "users": [{"id": str(u.id), "username": u.username, "displayName": u.display_name, "status": u.status,
                       "createdAt": u.created_at.isoformat()} for u in rows[:PAGE]],
            "hasNextPage": len(rows) > PAGE,
        })

    return Starlette(routes=[Route("/users", users, methods=["POST"])])


async def _measure(db: Database, token: str, runs: int, warmup: int
                   ) -> tuple[list[float], list[float], SqlMeter, SqlMeter]:
    headers = {"Authorization": f"Bearer {token}"}
    body = {"query": QUERY}
    gql_app, base_app = create_app(get_settings(), db), baseline_app(db)
    async with (httpx.AsyncClient(transport=httpx.ASGITransport(app=gql_app), base_url="http://bench") as gql,
                httpx.AsyncClient(transport=httpx.ASGITransport(app=base_app), base_url="http://bench") as base):

        async def graphql_page():
            r = await gql.post("/graphql", json=body, headers=headers)
            data = r.json()
            if r.status_code != 200 or data.get("errors") or len(data["data"]["users"]["edges"]) != PAGE:
                raise RuntimeError(f"GraphQL page failed: {r.status_code} {str(data)[:300]}")

        async def baseline_page():
            r = await base.post("/users", json=body, headers=headers)
            if r.status_code != 200 or len(r.json()["users"]) != PAGE:
                raise RuntimeError(f"baseline endpoint failed: {r.status_code} {r.text[:300]}")

        for _ in range(warmup):
            await graphql_page()
            await baseline_page()
        gc.collect()
        tg, tb = [], []
        clock = time.perf_counter
        for i in range(runs):
            pair = [(graphql_page, tg), (baseline_page, tb)]
            for fn, out in pair if i % 2 == 0 else pair[::-1]:
                start = clock()
                await fn()
                out.append((clock() - start) * 1000)
        meters = []
        for fn in (graphql_page, baseline_page):  # profile: SQL per request, on untimed repeats
            with SqlMeter(db.engine) as meter:
                for _ in range(PROFILE_REQUESTS):
                    await fn()
            meters.append(meter)
        return tg, tb, *meters


def _per_request(meter: SqlMeter) -> tuple[float, float, float]:
    """Statements, ms executing them, and ms in all, per profiled request."""
    n = PROFILE_REQUESTS
    return meter.statements / n, meter.seconds * 1000 / n, meter.elapsed * 1000 / n


def run(db: Database, *, users: int, runs: int, warmup: int) -> tuple[Figure, uuid.UUID]:
    tenant_id, token = seed_tenant(db, users)
    tg, tb, mg, mb = asyncio.run(_measure(db, token, runs, warmup))
    g, b = median(tg), median(tb)
    (st_g, sql_g, all_g), (st_b, sql_b, all_b) = _per_request(mg), _per_request(mb)
    ratio = g / b
    figure = Figure(
        what=f"GraphQL page of {PAGE} users vs hand-written endpoint, median request",
        surety=g, baseline=b, unit="ms", target="ratio <= 2.0", passed=ratio <= 2.0,
        notes=(
            (f"POST /graphql `{QUERY}` through create_app vs a Starlette endpoint doing the same bearer check "
             f"(resolve_access), tenant session and SELECT (limit {PAGE + 1}); both in-process over "
             f"httpx.ASGITransport; tenant of {users + 1} users"),
            (f"{runs} requests each, interleaved, after {warmup} warm-up pairs; p95 GraphQL "
             f"{percentile(tg, 95):.2f} ms, baseline {percentile(tb, 95):.2f} ms"),
            (f"where the time goes ({PROFILE_REQUESTS} more requests each, SQL metered, means): GraphQL "
             f"{all_g:.2f} ms per request = {sql_g:.2f} ms executing {st_g:.0f} statements + "
             f"{all_g - sql_g:.2f} ms outside them (HTTP, auth, GraphQL parse, validation, execution, "
             f"serialisation, BEGIN/COMMIT); baseline {all_b:.2f} ms = {sql_b:.2f} ms executing {st_b:.0f} "
             f"statements + {all_b - sql_b:.2f} ms outside them"),
        ),
    )
    return figure, tenant_id
