"""``make load``: Surety's request path under load, side by side with a hand-written Starlette baseline.

On a PostgreSQL server (``SURETY_LOAD_DATABASE_URL`` or ``--database-url``, as superuser) it creates a fresh
database and a non-owner application role (``core.testing.fresh_database``, dropped at the end), seeds tenants
(tests/load/seed.py), serves Surety with ``surety serve --workers 2`` in production mode (keys in the environment)
and the baseline (tests/load/baseline_app.py) with uvicorn, 2 workers, then sends the mixed workload
(tests/load/workload.py) at fixed arrival rates to each in turn: an open model, requests start on schedule whether or
not earlier ones finished. Prints one table (throughput, p50/p95/p99, errors per rate, ratios) and the knee, then a
burst check, and rewrites the marked section of docs/benchmarks.md (unless ``--no-write`` or ``--quick``).

Exit status: 0 when it ran (figures are figures, not a pass/fail), 2 when it cannot run.
"""

from __future__ import annotations

import base64
import os
import secrets
import sys
import tempfile


def _environment() -> dict[str, str]:
    """Per-run random keys, given to the seeding process (this one, as ``test``) and to both servers
    (``production``); key ids fixed so production's KEK id check accepts the keys the seed wrapped."""
    env = {
        "SURETY_VAR_DIR": tempfile.mkdtemp(prefix="surety-load-"),
        "SURETY_KEK": base64.b64encode(os.urandom(32)).decode(),
        "SURETY_KEK_ID": "k1",
        "SURETY_JWT_SECRET": secrets.token_urlsafe(48),
        "SURETY_AUDIT_KEY": base64.b64encode(os.urandom(32)).decode(),
        "SURETY_AUDIT_KEY_ID": "a1",
        "SURETY_LOG_LEVEL": "WARNING",
        # The run outlasts the default 15 minutes; one login per user at the start, as a client keeps its token.
        "SURETY_ACCESS_TOKEN_MINUTES": "120",
    }
    os.environ.update(env, SURETY_ENV="test")
    os.environ.pop("SURETY_DATABASE_URL", None)
    os.environ.pop("SURETY_APP_DATABASE_URL", None)
    return env


KEYS_ENV = _environment()

# Everything below is imported after the environment is set (settings are read once, on first use).
import argparse  # noqa: E402
import asyncio  # noqa: E402
import datetime as dt  # noqa: E402
import math  # noqa: E402
import multiprocessing  # noqa: E402
import pickle  # noqa: E402
import platform  # noqa: E402
import re  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import http1  # noqa: E402
import httpx  # noqa: E402
import seed as seeding  # noqa: E402
import workload as wl  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402
from sqlalchemy import create_engine, event, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlalchemy.exc import ArgumentError, DBAPIError  # noqa: E402
from stats import KNEE_P99_MS, Step, cpu_used, kind_medians, knee  # noqa: E402

from surety.core.context import acting  # noqa: E402
from surety.core.db.session import Database, set_database  # noqa: E402
from surety.core.identity.models import User  # noqa: E402
from surety.core.testing import fresh_database  # noqa: E402
from surety.plugins.customers.testing import actor_for  # noqa: E402
from surety.plugins.guarantee.dashboard.figures import dashboard  # noqa: E402

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
DOC = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- load:start -->", "<!-- load:end -->"
PASSWORD = "Load-Test-Pass-9x"
DEFAULT_RATES = (25, 50, 75, 100, 150, 200, 300)


def fail(message: str) -> None:
    print(f"make load: {message}", file=sys.stderr)
    raise SystemExit(2)


def check_server(url: str | None) -> str:
    if not url:
        fail("set SURETY_LOAD_DATABASE_URL (or --database-url) to a PostgreSQL server URL")
    try:
        parsed = make_url(url)
    except ArgumentError:
        fail(f"not a database URL: {url!r}")
    if parsed.get_backend_name() != "postgresql":
        fail(f"the load test needs PostgreSQL; got {parsed.get_backend_name()!r}")
    engine = create_engine(parsed.set(drivername="postgresql+psycopg"), connect_args={"connect_timeout": 5})
    try:
        with engine.connect() as conn:
            conn.execute(select(1))
    except DBAPIError as exc:
        fail(f"PostgreSQL at {parsed.render_as_string(hide_password=True)} is unreachable: "
             f"{str(exc.orig).strip().splitlines()[0]}")
    finally:
        engine.dispose()
    return url


# ---------------------------------------------------------------- seeding ---------------------------------------------

def _seed_one(args) -> seeding.TenantSeed:
    app_url, owner_url, n, drafts, submitted = args
    db = Database(app_url, owner_url=owner_url)
    set_database(db)
    try:
        return seeding.seed_tenant(db, owner_url, n, password=PASSWORD, drafts=drafts, submitted=submitted)
    finally:
        set_database(None)
        db.dispose()


def seed_all(tdb, tenants: int, drafts: int, submitted: int, processes: int, console: Console):
    """Seed ``tenants`` tenants, ``processes`` at a time (forked workers, each with its own engine)."""
    jobs = [(tdb.app_url, tdb.owner_url, n, drafts, submitted) for n in range(tenants)]
    out = []
    ctx = multiprocessing.get_context("fork")
    with console.status(f"seeding {tenants} tenants ...") as status, ctx.Pool(processes) as pool:
        for seeded in pool.imap_unordered(_seed_one, jobs):
            out.append(seeded)
            status.update(f"seeding tenants: {len(out)}/{tenants}")
    return sorted(out, key=lambda s: s.n)


def record_dashboard_sql(tdb, seeds, date_from: dt.date, date_to: dt.date) -> dict:
    """The statements (with parameters) ``dashboard()`` runs for each tenant's executive, for the baseline to
    replay: one warm call first, then one recorded."""
    db = Database(tdb.app_url, owner_url=tdb.owner_url)
    set_database(db)
    out: dict = {}
    try:
        for s in seeds:
            with db.tenant_session(s.tenant_id) as session:
                actor = actor_for(session.scalar(select(User).where(User.username == seeding.EXECUTIVE)))
                with acting(actor):
                    dashboard(session, actor, date_from=date_from, date_to=date_to)
                    recorded: list = []

                    def keep(_conn, _cursor, statement, parameters, _context, _many, recorded=recorded):
                        if "set_config" not in statement:
                            recorded.append((statement, parameters))

                    event.listen(db.engine, "before_cursor_execute", keep)
                    try:
                        dashboard(session, actor, date_from=date_from, date_to=date_to)
                    finally:
                        event.remove(db.engine, "before_cursor_execute", keep)
            out[s.tenant_id] = recorded
    finally:
        set_database(None)
        db.dispose()
    return out


def pools(owner_url: str):
    """Drafts, open acceptance tasks of the real approval, and those the baseline's submissions opened."""
    engine = create_engine(owner_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text(
                "SELECT t.tenant_id, t.id, i.definition_key FROM workflow_tasks t JOIN workflow_instances i "
                "ON i.tenant_id = t.tenant_id AND i.id = t.instance_id "
                "WHERE t.status = 'open' AND t.step_key = 'acceptance' ORDER BY t.created_at")).all()
    finally:
        engine.dispose()
    real: dict = {}
    base: dict = {}
    for tenant_id, task_id, key in rows:
        (real if key == "guarantee.approval" else base).setdefault(tenant_id, []).append(task_id)
    return seeding.open_drafts(owner_url), real, base


# ---------------------------------------------------------------- servers ---------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """One served app (``surety serve`` or the baseline under uvicorn), in its own process group."""

    def __init__(self, name: str, command: list[str], env: dict[str, str], port: int):
        self.name, self.command, self.env, self.port = name, command, env, port
        self.proc: subprocess.Popen | None = None
        self.url = f"http://127.0.0.1:{port}"
        self.log = Path(KEYS_ENV["SURETY_VAR_DIR"]) / f"{name}.log"

    def start(self) -> None:
        self.proc = subprocess.Popen(self.command, env=self.env, cwd=ROOT, start_new_session=True,
                                     stdout=self.log.open("ab"), stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                fail(f"{self.name} exited at start (status {self.proc.returncode}); see {self.log}")
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    time.sleep(1.0)  # the second worker
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        fail(f"{self.name} did not answer /healthz within 60 s; see {self.log}")

    def stop(self) -> None:
        """SIGTERM the process group; SIGKILL what is left after 10 s (a frozen worker does not exit)."""
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def restart(self) -> None:
        self.stop()
        self.start()

    def cpu_by_process(self) -> dict[int, float]:
        """User + system CPU seconds of the server process and of every process below it (the workers), by pid."""
        if self.proc is None:
            return {}
        processes = list(_processes())
        children: dict[int, list[int]] = {}
        usage: dict[int, float] = {}
        for pid, parent, _name, cpu in processes:
            children.setdefault(parent, []).append(pid)
            usage[pid] = cpu
        out: dict[int, float] = {}
        todo = [self.proc.pid]
        while todo:
            pid = todo.pop()
            out[pid] = usage.get(pid, 0.0)
            todo += children.get(pid, [])
        return out


def _processes():
    """(pid, parent pid, name, user + system CPU seconds) of every process on this machine, from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            raw = stat.read_text()
        except OSError:
            continue
        fields = raw[raw.rindex(")") + 2:].split()
        yield (int(stat.parent.name), int(fields[1]), raw[raw.index("(") + 1:raw.rindex(")")],
               (int(fields[11]) + int(fields[12])) / tick)


def postgres_cpu() -> dict[int, float]:
    """User + system CPU seconds of every PostgreSQL process on this machine (the database shares the cores), by
    pid."""
    return {pid: cpu for pid, _parent, name, cpu in _processes() if name == "postgres"}


def servers(tdb, workers: int, dashboard_sql_path: Path, settings: dict[str, str] | None = None) -> dict[str, Server]:
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("SURETY_")}
    env = dict(base_env, **KEYS_ENV, SURETY_ENV="production", SURETY_DATABASE_URL=tdb.owner_url,
               SURETY_APP_DATABASE_URL=tdb.app_url, SURETY_LOG_JSON="1")
    surety_env = dict(env, **(settings or {}))
    bin_dir = Path(sys.executable).parent
    gql_port, base_port = free_port(), free_port()
    graphql = Server("graphql", [str(bin_dir / "surety"), "serve", "--workers", str(workers), "--port",
                                 str(gql_port)], surety_env, gql_port)
    baseline = Server("baseline", [sys.executable, "-m", "uvicorn", "--factory", "baseline_app:create_app",
                                   "--app-dir", str(HERE), "--workers", str(workers), "--port", str(base_port),
                                   "--no-access-log", "--log-level", "warning"],
                      dict(env, LOAD_DASHBOARD_SQL=str(dashboard_sql_path)), base_port)
    return {"graphql": graphql, "baseline": baseline}


# ---------------------------------------------------------------- load generation -------------------------------------

def _client(server: Server, timeout: float) -> http1.Client:
    return http1.Client(server.url, timeout=timeout)


#: What a failed request raised: the client's timeout, a refused or reset connection, an answer that is not HTTP.
SEND_FAILURES = (http1.HttpError, OSError)


async def send(client: http1.Client, side: str, request: wl.Request, step: Step) -> None:
    headers = {"Authorization": f"Bearer {request.token}"}
    start = time.perf_counter()
    try:  # the client's timeout bounds the whole request: connect, write, read
        if side == "graphql":
            r = await client.post("/graphql", json={"query": request.query, "variables": request.variables},
                                  headers=headers)
        else:
            r = await client.post(request.path, json=request.body, headers=headers)
    except TimeoutError:
        step.errors["timeout"] += 1
        return
    except SEND_FAILURES as exc:
        step.errors[f"connection ({type(exc).__name__})"] += 1
        return
    step.latencies_ms.append((time.perf_counter() - start) * 1000)
    step.kind_ms.setdefault(request.kind, []).append(step.latencies_ms[-1])
    try:
        body = r.json()
    except ValueError:
        body = None
    error = wl.classify(side, request, r.status_code, body)
    if error:
        step.errors[f"{error} ({request.kind})"] += 1


async def run_step(server: Server, workload: wl.Workload, side: str, rate: float, seconds: float,
                   timeout: float, during=None) -> Step:
    """``rate`` requests per second for ``seconds``, each started on schedule (open model); returns when every
    request has been answered or has timed out. ``during(end_of_sending)`` runs alongside (the burst's probes)."""
    step = Step(side=side, rate=rate, seconds=seconds)
    count = int(round(rate * seconds))
    loop = asyncio.get_running_loop()
    clients: dict[str, http1.Client] = {}  # a user's own connections, as each user's browser has
    try:
        cpu0, srv0, pg0 = time.process_time(), server.cpu_by_process(), postgres_cpu()
        t0 = loop.time() + 0.05
        wall0 = time.perf_counter()
        tasks = []
        probe = asyncio.create_task(during(t0 + seconds)) if during else None
        for i in range(count):
            at = t0 + i / rate
            delay = at - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            step.lag_ms.append(max(0.0, loop.time() - at) * 1000)
            request = workload.next(side, i)
            client = clients.get(request.token)
            if client is None:
                client = clients[request.token] = _client(server, timeout)
            tasks.append(asyncio.create_task(send(client, side, request, step)))
            step.sent += 1
        await asyncio.gather(*tasks)
        step.wall = time.perf_counter() - wall0
        step.client_cpu = time.process_time() - cpu0
        srv1 = server.cpu_by_process()
        step.database_cpu = cpu_used(pg0, postgres_cpu())
        step.server_cpu = cpu_used(srv0, srv1)
        # the busiest processes (the workers; the supervisor uses next to nothing): one worker at a core while
        # the other idles means the connections, not the CPU, set the knee
        step.process_cpu = sorted((c for c in (srv1[p] - srv0.get(p, 0.0) for p in srv1) if c >= 0.01 * step.wall),
                                  reverse=True)
        if probe is not None:
            step.note = await probe
    finally:
        for client in clients.values():
            await client.aclose()
    return step


async def healthy(server: Server, within: float) -> bool:
    deadline = time.monotonic() + within
    async with _client(server, 2) as client:
        while time.monotonic() < deadline:
            try:
                if (await client.get("/healthz")).status_code == 200:
                    return True
            except (TimeoutError, *SEND_FAILURES):
                pass
            await asyncio.sleep(0.5)
    return False


async def login_all(server: Server, tenants: list[wl.Tenant]) -> None:
    """Each tenant's three users log in once through GraphQL, as a client would (4 at a time)."""
    gate = asyncio.Semaphore(4)
    users = {"manager": seeding.MANAGER, "approver": seeding.APPROVER, "executive": seeding.EXECUTIVE}
    async with _client(server, 30) as client:
        async def one(t: wl.Tenant, role: str, username: str) -> None:
            async with gate:
                r = await client.post("/graphql", json={"query": wl.LOGIN, "variables": {
                    "t": t.slug, "u": username, "p": PASSWORD}})
            payload = r.json()["data"]["login"]
            if payload["errors"]:
                fail(f"login of {username}@{t.slug} failed: {payload['errors']}")
            t.tokens[role] = payload["accessToken"]

        await asyncio.gather(*(one(t, role, u) for t in tenants for role, u in users.items()))


def burst_probe(server: Server, workload: wl.Workload, side: str, limit: float = 60.0):
    """After the burst's last request is sent: seconds until /healthz and a normal request both answer 200."""
    async def probe(end_of_sending: float) -> str:
        loop = asyncio.get_running_loop()
        await asyncio.sleep(max(0.0, end_of_sending - loop.time()))
        tenant = workload.tenants[0]
        async with _client(server, 2) as client:
            while loop.time() - end_of_sending < limit:
                try:
                    h = await client.get("/healthz")
                    if side == "graphql":
                        q = await client.post("/graphql", json={"query": wl.INBOX},
                                              headers={"Authorization": f"Bearer {tenant.tokens['approver']}"})
                        ok = q.status_code == 200 and not q.json().get("errors")
                    else:
                        q = await client.post("/inbox", json={},
                                              headers={"Authorization": f"Bearer {tenant.tokens['approver']}"})
                        ok = q.status_code == 200
                    if h.status_code == 200 and ok:
                        return f"answered {loop.time() - end_of_sending:.1f} s after the burst"
                except (TimeoutError, *SEND_FAILURES):
                    pass
                await asyncio.sleep(0.2)
        return f"not answering {limit:.0f} s after the burst"

    return probe


# ---------------------------------------------------------------- report ----------------------------------------------

def _ms(v: float) -> str:
    return "-" if math.isnan(v) else (f"{v:.0f}" if v >= 100 else f"{v:.1f}")


def _errors(step: Step | None) -> str:
    if step is None:
        return "not run"
    return str(step.error_count) if step.error_count else "0"


def rows(results: dict[str, dict[float, Step]], rates: list[float]) -> list[list[str]]:
    out = []
    for rate in rates:
        g, b = results["graphql"].get(rate), results["baseline"].get(rate)
        row = [f"{rate:g}"]
        for s in (g, b):
            if s is None:
                row += ["-", "-", "-", "-", "not run"]
            else:
                row += [f"{s.throughput:.0f}", _ms(s.p(50)), _ms(s.p(95)), _ms(s.p(99)), _errors(s)]
        ratio = (f"{g.p(50) / b.p(50):.1f}x / {g.p(99) / b.p(99):.1f}x"
                 if g and b and g.latencies_ms and b.latencies_ms else "-")
        cpu = " / ".join(f"{s.client_cpu / s.wall * 100:.0f}%" if s and s.wall else "-" for s in (g, b))
        out.append(row + [ratio, cpu])
    return out


HEADER = ["Rate (req/s)", "GraphQL req/s", "p50 ms", "p95 ms", "p99 ms", "errors", "Baseline req/s", "p50 ms",
          "p95 ms", "p99 ms", "errors", "GraphQL/baseline p50 / p99", "Load generator CPU (G / B)"]


def notes(results, bursts, facts, knees, workload) -> list[str]:
    out = []
    for side in ("graphql", "baseline"):
        for rate, s in sorted(results[side].items()):
            parts = []
            if s.errors:
                parts.append("errors: " + ", ".join(f"{k} x{v}" for k, v in s.errors.most_common()))
            parts.append(f"server CPU {s.server_cpu / s.wall * 100:.0f}% of one core" if s.wall else "")
            if s.wall and s.process_cpu:
                parts.append("busiest processes " + " / ".join(f"{c / s.wall * 100:.0f}%" for c in s.process_cpu))
            if s.wall:
                parts.append(f"PostgreSQL CPU {s.database_cpu / s.wall * 100:.0f}%")
            parts.append(f"send lag p99 {_ms(sorted(s.lag_ms)[int(len(s.lag_ms) * .99) - 1] if s.lag_ms else 0)} ms")
            if s.note:
                parts.append(s.note)
            out.append(f"{side} at {rate:g} req/s: " + "; ".join(p for p in parts if p))
    for rate in sorted(set(results["graphql"]) & set(results["baseline"])):
        medians = kind_medians(results["graphql"][rate], results["baseline"][rate])
        if medians:
            out.append(f"median by kind at {rate:g} req/s, GraphQL / baseline: {medians}")
    for side, s in bursts.items():
        finished = s.sent - s.errors["timeout"]
        out.append(f"burst {side}: {s.rate:g} req/s for {s.seconds:g} s: {s.sent} sent, {finished} finished "
                   f"({s.errors['timeout']} timed out), {s.error_count} errors "
                   f"({', '.join(f'{k} x{v}' for k, v in s.errors.most_common()) or 'none'}); p50 {_ms(s.p(50))} ms, "
                   f"p99 {_ms(s.p(99))} ms; /healthz and the inbox query {s.note}")
    if workload.short:
        out.append("pools ran dry (request sent as a read instead): "
                   + ", ".join(f"{k} x{v}" for k, v in workload.short.items()))
    return out


def markdown(results, rates, bursts, facts, knees, workload) -> str:
    lines = ["| " + " | ".join(HEADER) + " |", "|---" * len(HEADER) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows(results, rates)]
    lines += ["", "Knee (highest rate with p99 < 150 ms and no errors, every lower rate too): "
              + "; ".join(f"{side} {k:g} req/s" if k else f"{side} below the lowest rate" for side, k in knees.items()),
              "", "Notes:", ""]
    lines += [f"- {n}" for n in notes(results, bursts, facts, knees, workload)]
    lines += ["", "Run:", ""] + [f"- {k}: {v}" for k, v in facts.items()]
    return "\n".join(lines)


def write_doc(body: str) -> None:
    section = f"{START}\n{body}\n{END}"
    old = DOC.read_text()
    pattern = re.compile(re.escape(START) + r".*?" + re.escape(END), re.DOTALL)
    new = pattern.sub(lambda _m: section, old, count=1) if pattern.search(old) else old.rstrip() + "\n\n" + section
    DOC.write_text(new.rstrip() + "\n")


def print_report(results, rates, bursts, facts, knees, workload, console: Console) -> None:
    table = Table(title="Request path under load: Surety GraphQL vs hand-written baseline (same run)",
                  show_lines=False)
    for name in HEADER:
        table.add_column(name, justify="right")
    for r in rows(results, rates):
        table.add_row(*r)
    console.print(table)
    for side, k in knees.items():
        console.print(f"[bold]Knee {side}:[/bold] " + (f"{k:g} req/s" if k else "below the lowest rate")
                      + f" (p99 < {KNEE_P99_MS:.0f} ms, no errors)")
    for n in notes(results, bursts, facts, knees, workload):
        console.print(f"  [dim]{n}[/dim]")
    console.print("  " + "; ".join(f"{k}: {v}" for k, v in facts.items()))


def git_facts() -> str:
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True,
                           text=True)
    changed = [line for line in dirty.stdout.splitlines() if line.strip()]
    return head.stdout.strip() + (f" (+ uncommitted changes in {len(changed)} tracked files of the shared working "
                                  "tree)" if changed else "")


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


# ---------------------------------------------------------------- main ------------------------------------------------

async def drive(args, srv: dict[str, Server], tenants: list[wl.Tenant], owner_url: str, console: Console):
    workload = wl.Workload(tenants)
    await login_all(srv["graphql"], tenants)
    results: dict[str, dict[float, Step]] = {"graphql": {}, "baseline": {}}
    hung: dict[str, float] = {}
    for side in ("graphql", "baseline"):  # warm-up: every worker imports, connects and caches
        workload.refill(*pools(owner_url))
        await run_step(srv[side], workload, side, min(args.rates), 4, args.timeout)
    for rate in args.rates:
        for side in args.sides:
            if side in hung:
                continue
            workload.refill(*pools(owner_url))
            with console.status(f"{side} at {rate:g} req/s for {args.seconds:g} s ..."):
                step = await run_step(srv[side], workload, side, rate, args.seconds, args.timeout)
            results[side][rate] = step
            console.print(f"[dim]{side} {rate:g} req/s: {step.throughput:.0f} ok/s, p50 {_ms(step.p(50))} ms, "
                          f"p99 {_ms(step.p(99))} ms, errors {step.error_count}, client CPU "
                          f"{step.client_cpu / step.wall * 100:.0f}%, server CPU "
                          f"{step.server_cpu / step.wall * 100:.0f}% ("
                          + " / ".join(f"{c / step.wall * 100:.0f}%" for c in step.process_cpu)
                          + f"), PostgreSQL CPU {step.database_cpu / step.wall * 100:.0f}%, load {loadavg()}[/dim]")
            if not await healthy(srv[side], 15):
                hung[side] = rate
                step.note = "server stopped answering /healthz (killed and restarted; higher rates not run)"
                console.print(f"[bold red]{side} hung at {rate:g} req/s[/bold red]")
                srv[side].restart()
            await asyncio.sleep(args.pause)
    bursts: dict[str, Step] = {}
    for side in args.sides:
        workload.refill(*pools(owner_url))
        if not await healthy(srv[side], 5):
            srv[side].restart()
        await asyncio.sleep(args.pause)
        with console.status(f"burst: {side} at {args.burst_rate:g} req/s for {args.burst_seconds:g} s ..."):
            bursts[side] = await run_step(srv[side], workload, side, args.burst_rate, args.burst_seconds,
                                          args.timeout, during=burst_probe(srv[side], workload, side))
        console.print(f"[dim]burst {side}: {bursts[side].note}[/dim]")
    return results, bursts, workload, hung


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Surety's request path under load vs a hand-written baseline.")
    parser.add_argument("--database-url", default=os.environ.get("SURETY_LOAD_DATABASE_URL"))
    parser.add_argument("--tenants", type=int, default=50)
    parser.add_argument("--rates", default=",".join(map(str, DEFAULT_RATES)),
                        help="arrival rates in requests per second, comma-separated")
    parser.add_argument("--seconds", type=float, default=20.0, help="duration of each rate step")
    parser.add_argument("--burst-rate", type=float, default=300.0)
    parser.add_argument("--burst-seconds", type=float, default=10.0)
    parser.add_argument("--timeout", type=float, default=10.0, help="client timeout per request (s)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--server-env", action="append", default=[], metavar="NAME=VALUE",
                        help="a setting for Surety's server (repeatable), e.g. SURETY_MAX_CONCURRENT_REQUESTS=3")
    parser.add_argument("--pause", type=float, default=3.0, help="seconds between steps")
    parser.add_argument("--side", action="append", choices=("graphql", "baseline"), dest="sides")
    parser.add_argument("--quick", action="store_true",
                        help="5 tenants, rates 10,20, 5 s steps, a 50 req/s burst of 3 s; docs are not written")
    parser.add_argument("--no-write", action="store_true", help="leave docs/benchmarks.md alone")
    args = parser.parse_args(argv)
    if args.quick:
        args.tenants, args.rates, args.seconds = 5, "10,20", 5.0
        args.burst_rate, args.burst_seconds, args.pause = 50.0, 3.0, 1.0
    args.rates = [float(r) for r in str(args.rates).split(",") if r.strip()]
    args.sides = args.sides or ["graphql", "baseline"]
    if any("=" not in item or not item.startswith("SURETY_") for item in args.server_env):
        fail("--server-env takes SURETY_NAME=VALUE")
    url = check_server(args.database_url)
    console = Console(width=None if sys.stdout.isatty() else 200)
    started = time.perf_counter()
    load_before = loadavg()
    # Pools: the largest step's submissions and approvals for both sides and the burst, plus a margin; between
    # steps the pools are refilled with what the previous steps' submissions opened.
    top = max(args.rates) * args.seconds * 0.1
    per = lambda n: math.ceil(n / args.tenants) + 3  # noqa: E731
    drafts = per(0.1 * 1.3 * (sum(args.rates) * args.seconds + args.burst_rate * args.burst_seconds) * 2)
    submitted = per(1.3 * 2 * top + 0.1 * args.burst_rate * args.burst_seconds * 2)
    today = dt.date.today()
    with fresh_database(url) as tdb:
        t0 = time.perf_counter()
        seeds = seed_all(tdb, args.tenants, drafts, submitted, 2, console)
        seeded_in = time.perf_counter() - t0
        console.print(f"[dim]seeded {len(seeds)} tenants ({drafts} drafts and {submitted} submitted applications "
                      f"each, besides the demo data) in {seeded_in:.0f} s[/dim]")
        sql_path = Path(KEYS_ENV["SURETY_VAR_DIR"]) / "dashboard-sql.pickle"
        sql_path.write_bytes(pickle.dumps(record_dashboard_sql(tdb, seeds, dt.date(today.year, 1, 1), today)))
        srv = servers(tdb, args.workers, sql_path, dict(item.split("=", 1) for item in args.server_env))
        tenants = [wl.Tenant(slug=s.slug, tenant_id=s.tenant_id) for s in seeds]
        try:
            for s in srv.values():
                s.start()
            code = git_facts()  # what the servers loaded (others may commit while the run goes on)
            results, bursts, workload, hung = asyncio.run(drive(args, srv, tenants, tdb.owner_url, console))
        finally:
            for s in srv.values():
                s.stop()
        pg = create_engine(tdb.owner_url)
        with pg.connect() as conn:
            pg_version = conn.scalar(text("SHOW server_version"))
        pg.dispose()
    knees = {side: knee(list(results[side].values())) for side in args.sides}
    cpu = "?"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    facts = {
        "Date (UTC)": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M"),
        "Code (at server start)": code,
        "Tenants": f"{args.tenants} (customers + guarantee, demo data, {drafts} drafts and {submitted} submitted "
                   f"applications each; seeded in {seeded_in:.0f} s)",
        "Steps": f"{args.seconds:g} s per rate, client timeout {args.timeout:g} s, {args.workers} uvicorn workers each"
                 + "".join(f", Surety with {item}" for item in args.server_env),
        "Load average (1/5/15 min)": f"{load_before} before, {loadavg()} after",
        "CPUs": f"{os.cpu_count()} x {cpu}",
        "Python": f"{platform.python_implementation()} {platform.python_version()}",
        "PostgreSQL": pg_version,
        "Run time": f"{time.perf_counter() - started:.0f} s" + (" (--quick)" if args.quick else ""),
    }
    print_report(results, args.rates, bursts, facts, knees, workload, console)
    if not (args.quick or args.no_write):
        write_doc(markdown(results, args.rates, bursts, facts, knees, workload))
        console.print(f"Wrote {DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
