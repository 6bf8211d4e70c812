"""Admission control (core/admission.py): the gate's arithmetic, the 503 when saturated, liveness while saturated, and
the request model that cannot deadlock: more concurrent GraphQL requests than the pool has connections, each
awaiting a DataLoader between synchronous database calls, all finish."""

from __future__ import annotations

import asyncio
import contextvars
import dataclasses
import gc
import os
import threading
import time

import httpx
import pytest
import strawberry
import structlog
from sqlalchemy import create_engine, text
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

from surety.core import runtime, web
from surety.core.admission import (
    CONNECTIONS_PER_REQUEST,
    DEFAULT_MAX_SLOTS,
    DEFAULT_QUEUE,
    AdmissionGate,
    AdmissionMiddleware,
    slots_for,
)
from surety.core.db.session import Database, connection_budget, pool_capacity
from surety.core.errors import ConfigurationError
from surety.core.request_threads import RequestThreads
from surety.core.settings import get_settings, load_settings
from surety.core.testing import TEST_PASSWORD
from surety.core.web import admission_gate, create_app

USERS_WITH_ROLES = "{ users(first: 20) { edges { node { username roles } } } }"


def run(coro):
    return asyncio.run(coro)


# --- the gate ------------------------------------------------------------------------------------------------------

def test_slots_never_exceed_what_the_pool_can_serve():
    assert slots_for(30) == min(DEFAULT_MAX_SLOTS, 30 // CONNECTIONS_PER_REQUEST)
    assert slots_for(6) == 6 // CONNECTIONS_PER_REQUEST
    assert slots_for(2) == 1  # never zero
    assert slots_for(300, configured=12) == 12
    assert slots_for(30, configured=50) == 30 // CONNECTIONS_PER_REQUEST  # more would make checkouts wait
    assert slots_for(None) == DEFAULT_MAX_SLOTS and slots_for(None, configured=9) == 9


def test_the_gate_admits_up_to_its_slots_and_hands_a_released_slot_to_the_oldest_waiter():
    async def scenario():
        gate = AdmissionGate(slots=2, max_waiting=5, max_wait=30)
        assert await gate.acquire() and await gate.acquire()
        order: list[str] = []

        async def waiter(name):
            assert await gate.acquire()
            order.append(name)

        first = asyncio.create_task(waiter("first"))
        await asyncio.sleep(0)
        second = asyncio.create_task(waiter("second"))
        await asyncio.sleep(0)
        assert gate.waiting == 2 and gate.in_use == 2
        gate.release()
        await asyncio.sleep(0)
        gate.release()
        await asyncio.gather(first, second)
        assert order == ["first", "second"]
        assert gate.in_use == 2 and gate.waiting == 0  # the slots passed on, they were not freed
        gate.release(), gate.release()
        assert gate.in_use == 0

    run(scenario())


def test_a_newcomer_does_not_overtake_the_queue():
    async def scenario():
        gate = AdmissionGate(slots=1, max_waiting=5, max_wait=30)
        assert await gate.acquire()
        queued = asyncio.create_task(gate.acquire())
        await asyncio.sleep(0)
        gate.release()  # handed to the queued caller, not free for anyone
        late = asyncio.create_task(gate.acquire())
        await asyncio.sleep(0)
        assert await queued is True
        assert not late.done() and gate.waiting == 1
        gate.release()
        assert await late is True

    run(scenario())


def test_a_full_queue_refuses_at_once_and_a_long_wait_gives_up():
    async def scenario():
        gate = AdmissionGate(slots=1, max_waiting=1, max_wait=0.05)
        assert await gate.acquire()
        waiting = asyncio.create_task(gate.acquire())
        await asyncio.sleep(0)
        assert await gate.acquire() is False  # queue full: no wait at all
        assert await waiting is False  # waited max_wait, then gave up
        assert gate.waiting == 0 and gate.in_use == 1
        gate.release()
        assert gate.in_use == 0

    run(scenario())


def test_a_waiter_cancelled_by_its_client_leaves_no_slot_behind():
    async def scenario():
        gate = AdmissionGate(slots=1, max_waiting=5, max_wait=30)
        assert await gate.acquire()
        task = asyncio.create_task(gate.acquire())
        await asyncio.sleep(0)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert gate.waiting == 0
        gate.release()
        assert gate.in_use == 0 and await gate.acquire()

    run(scenario())


def test_bad_gate_sizes_are_refused():
    with pytest.raises(ValueError):
        AdmissionGate(slots=0, max_waiting=1, max_wait=1)


# --- the middleware ------------------------------------------------------------------------------------------------

def _slow_app(release: asyncio.Event):
    async def slow(_request):
        await release.wait()
        return JSONResponse({"done": True})

    async def healthz(_request):
        return JSONResponse({"status": "ok"})

    return Starlette(routes=[Route("/slow", slow), Route("/healthz", healthz)])


def test_a_saturated_worker_answers_503_with_retry_after_and_liveness_still_answers():
    async def scenario():
        release = asyncio.Event()
        gate = AdmissionGate(slots=1, max_waiting=0, max_wait=2)
        app = AdmissionMiddleware(_slow_app(release), gate)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
            holder = asyncio.create_task(client.get("/slow"))
            while gate.in_use == 0:
                await asyncio.sleep(0.001)
            busy = await client.get("/slow")
            assert busy.status_code == 503
            assert busy.headers["retry-after"] == "2"
            assert busy.json()["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"
            assert "繁忙" in busy.json()["errors"][0]["message"]
            assert (await client.get("/healthz")).status_code == 200  # bypasses the gate
            release.set()
            assert (await holder).status_code == 200
        assert gate.in_use == 0

    run(scenario())


def test_the_gate_is_released_when_the_app_fails():
    async def boom(scope, receive, send):
        raise RuntimeError("boom")

    async def scenario():
        gate = AdmissionGate(slots=1, max_waiting=0, max_wait=1)
        with pytest.raises(RuntimeError):
            await AdmissionMiddleware(boom, gate)({"type": "http", "path": "/graphql"}, None, None)
        assert gate.in_use == 0

    run(scenario())


def test_the_connection_budget_counts_what_a_context_holds(db):
    with connection_budget(2) as budget:
        with db.engine.connect() as first:
            with db.engine.connect():
                assert budget.held == 2
            first.exec_driver_sql("select 1")
        assert budget.held == 0 and budget.peak == 2 and budget.exceeded == 0
    with structlog.testing.capture_logs() as logs, connection_budget(1) as budget:
        with db.engine.connect(), db.engine.connect():
            pass
    assert budget.exceeded == 1
    assert any(entry["event"] == "db.connection_budget_exceeded" for entry in logs)


def test_the_app_gate_is_sized_from_the_pool_and_settings(test_db):
    small = Database(test_db.app_url, owner_url=test_db.owner_url, pool_size=4, max_overflow=2)
    try:
        capacity = pool_capacity(small.engine)
        settings = get_settings()
        gate = admission_gate(settings, small)
        assert capacity == 6 and gate.slots == 6 // CONNECTIONS_PER_REQUEST
        assert gate.max_waiting == DEFAULT_QUEUE
        assert gate.max_wait == settings.request_queue_seconds
        configured = dataclasses.replace(settings, max_concurrent_requests=1, request_queue=3)
        gate = admission_gate(configured, small)
        assert (gate.slots, gate.max_waiting) == (1, 3)
    finally:
        small.dispose()


# --- the request model ---------------------------------------------------------------------------------------------

@pytest.fixture
def small_pool(test_db):
    """The application on a pool of 3 connections that refuses to wait more than 3 s for one."""
    database = Database(test_db.app_url, owner_url=test_db.owner_url, pool_size=2, max_overflow=1, pool_timeout=3)
    assert pool_capacity(database.engine) == 3
    yield database
    database.dispose()


async def _burst(app, tenant_slug: str, n: int) -> list[httpx.Response]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t", timeout=120) as c:
        login = await c.post("/graphql", json={
            "query": "mutation($t:String!,$p:String!){login(tenant:$t,username:\"admin\",password:$p){accessToken}}",
            "variables": {"t": tenant_slug, "p": TEST_PASSWORD}})
        token = login.json()["data"]["login"]["accessToken"]
        headers = {"Authorization": f"Bearer {token}"}
        return await asyncio.wait_for(asyncio.gather(*(
            c.post("/graphql", json={"query": USERS_WITH_ROLES}, headers=headers) for _ in range(n))), 300)


def test_more_concurrent_requests_than_connections_all_finish(small_pool, make_tenant, db):
    """12 requests at once on a 3-connection pool, each awaiting a DataLoader (``User.roles``) between database calls:
    without the gate the fourth request blocks the loop at checkout while the holders wait at their ``await`` (until
    the pool timeout fails them); with it they queue and every one answers."""
    tenant = make_tenant()
    settings = dataclasses.replace(get_settings(), request_queue=50, request_queue_seconds=120)
    app = create_app(settings, small_pool)
    with structlog.testing.capture_logs() as logs:
        responses = run(_burst(app, tenant.slug, 12))
    assert [r.status_code for r in responses] == [200] * 12
    for response in responses:
        body = response.json()
        assert "errors" not in body, body
        assert body["data"]["users"]["edges"][0]["node"]["roles"]
    assert not [e for e in logs if e["event"] == "db.connection_budget_exceeded"]


def test_a_burst_past_the_queue_is_answered_503_not_left_hanging(small_pool, make_tenant):
    tenant = make_tenant()
    settings = dataclasses.replace(get_settings(), max_concurrent_requests=1, request_queue=2,
                                   request_queue_seconds=60)
    app = create_app(settings, small_pool)
    responses = run(_burst(app, tenant.slug, 10))
    codes = sorted(r.status_code for r in responses)
    assert codes.count(200) >= 3 and set(codes) <= {200, 503} and 503 in codes
    refused = next(r for r in responses if r.status_code == 503)
    assert int(refused.headers["retry-after"]) >= 1


def test_pool_and_admission_settings_are_read_and_checked(tmp_path):
    keys = {k: os.environ[k] for k in ("SURETY_KEK", "SURETY_JWT_SECRET", "SURETY_AUDIT_KEY")}
    base = {"SURETY_ENV": "test", "SURETY_VAR_DIR": str(tmp_path), **keys}
    s = load_settings({**base, "SURETY_DB_POOL_SIZE": "4", "SURETY_DB_MAX_OVERFLOW": "0",
                       "SURETY_DB_POOL_TIMEOUT": "2.5", "SURETY_MAX_CONCURRENT_REQUESTS": "3",
                       "SURETY_REQUEST_QUEUE": "9", "SURETY_REQUEST_QUEUE_SECONDS": "0.5"})
    assert (s.db_pool_size, s.db_max_overflow, s.db_pool_timeout) == (4, 0, 2.5)
    assert (s.max_concurrent_requests, s.request_queue, s.request_queue_seconds) == (3, 9, 0.5)
    for name, bad in [("SURETY_DB_POOL_SIZE", "0"), ("SURETY_DB_MAX_OVERFLOW", "-1"),
                      ("SURETY_REQUEST_QUEUE_SECONDS", "nan"), ("SURETY_DB_POOL_TIMEOUT", "soon")]:
        with pytest.raises(ConfigurationError, match=name):
            load_settings({**base, name: bad})


def test_a_serving_worker_freezes_its_start_up_heap(monkeypatch, db):
    calls = []
    monkeypatch.setattr(web, "tune_gc", lambda: calls.append(True))
    # Production logging would cache loggers for the rest of the process (cache_logger_on_first_use): not here.
    monkeypatch.setattr(web, "configure_logging", lambda settings: None)
    create_app(dataclasses.replace(get_settings(), env="production"), db)
    assert calls == [True]
    create_app(get_settings(), db)  # tests: no freezing
    assert calls == [True]

    before = gc.get_threshold()
    try:
        runtime.tune_gc()
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold() == runtime.GC_THRESHOLDS
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)


# --- request threads -----------------------------------------------------------------------------------------------

def test_request_threads_run_coroutines_on_their_own_loops_in_the_callers_context():
    marker: contextvars.ContextVar[str] = contextvars.ContextVar("marker", default="unset")

    async def probe():
        await asyncio.sleep(0)
        return threading.current_thread().name, id(asyncio.get_running_loop()), marker.get()

    async def scenario():
        threads = RequestThreads(2)
        marker.set("request-7")
        try:
            name, loop_id, seen = await threads.run(probe)
        finally:
            threads.shutdown()
        assert name.startswith("surety-request") and name != threading.current_thread().name
        assert loop_id != id(asyncio.get_running_loop())
        assert seen == "request-7"

    run(scenario())


LOCK_AND_WAIT = "{ lockAndWait }"


def test_a_request_waiting_on_a_row_lock_does_not_stop_the_request_holding_it(test_db):
    """Two operations update the same row and ``await`` while holding its lock (as a mutation holding the tenant's
    audit-chain lock awaits a DataLoader for its payload). On one shared event loop the second blocks the loop in the
    database while the first waits at its ``await`` for that loop: both stay stuck until the lock times out. On
    request threads both finish."""
    owner = create_engine(test_db.owner_url)
    with owner.begin() as conn:
        conn.execute(text("CREATE TABLE IF NOT EXISTS admission_probe (id integer PRIMARY KEY, n integer)"))
        conn.execute(text("DELETE FROM admission_probe"))
        conn.execute(text("INSERT INTO admission_probe VALUES (1, 0)"))
    timeout = "SET LOCAL lock_timeout = '20s'" if owner.dialect.name == "postgresql" else None

    @strawberry.type
    class Query:
        @strawberry.field
        async def lock_and_wait(self) -> int:
            with owner.begin() as conn:
                if timeout:
                    conn.execute(text(timeout))
                conn.execute(text("UPDATE admission_probe SET n = n + 1 WHERE id = 1"))
                await asyncio.sleep(0.3)  # holding the lock, at an await
                return conn.execute(text("SELECT n FROM admission_probe WHERE id = 1")).scalar_one()

    settings = get_settings()
    app = create_app(settings, Database(test_db.app_url, owner_url=test_db.owner_url),
                     schema=strawberry.Schema(query=Query))

    async def both():
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t", timeout=60) as c:
            started = time.monotonic()
            responses = await asyncio.gather(*(c.post("/graphql", json={"query": LOCK_AND_WAIT}) for _ in range(2)))
            return responses, time.monotonic() - started

    try:
        responses, _elapsed = run(both())
        assert [r.status_code for r in responses] == [200, 200]
        assert sorted(r.json()["data"]["lockAndWait"] for r in responses) == [1, 2], [r.text for r in responses]
    finally:
        with owner.begin() as conn:
            conn.execute(text("DROP TABLE admission_probe"))
        owner.dispose()


def test_nothing_of_a_request_resumes_during_the_next_one_on_its_thread():
    threads = RequestThreads(1)
    seen: list[str] = []

    async def first():
        async def straggler():
            await asyncio.sleep(0.05)
            seen.append("straggler ran")

        asyncio.get_running_loop().create_task(straggler())
        return "first"

    async def second():
        await asyncio.sleep(0.2)
        return "second"

    async def scenario():
        try:
            assert await threads.run(first) == "first"
            assert await threads.run(second) == "second"
        finally:
            threads.shutdown()

    run(scenario())
    assert seen == []


def test_the_access_log_line_names_the_tenant_and_user_of_a_threaded_request(api, make_tenant, monkeypatch):
    tenant = make_tenant()
    token = api.login(tenant.slug)
    lines: list[dict] = []

    class Recorder:
        def info(self, event, **fields):
            lines.append({"event": event, **structlog.contextvars.get_contextvars(), **fields})

    monkeypatch.setattr(web, "log", Recorder())
    api("{ me { username } }", token=token)
    request = [line for line in lines if line["event"] == "request"]
    assert request and request[-1]["tenant_id"] == str(tenant.id)
    assert request[-1]["user"].startswith("user:")
