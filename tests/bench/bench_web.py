"""The web console's first load (issue 19's budget: the inbox in under 2 s on this machine).

The whole app (API and the built console from web/dist) served by uvicorn on a free local port over ``db`` with the
demo tenant; Debian's chromium headless through playwright. Each run is a new browser context (empty cache, a cold
load), already signed in as the branch head ``wangqiang`` (his tokens put in sessionStorage before the page loads,
so the login form is not timed), opening ``/inbox``; the time is ``performance.now()`` (milliseconds since the
navigation started) when the first row of the to-do list is in the DOM. Median of ``runs`` (5). The baseline is the
API alone: the two requests the page waits for (``me`` and ``myTasks``) posted back to back from Python over HTTP.
Notes: DOMContentLoaded, the bytes the page fetched, and the spread.

Needs `make web` (the build) and /usr/bin/chromium. Standalone (SQLite unless SURETY_BENCH_DATABASE_URL is set):
``.venv/bin/python tests/bench/bench_web.py``
"""

from __future__ import annotations

if __name__ == "__main__":  # standalone: the isolated test environment is set before any settings are read
    import run as runner  # noqa: F401

import contextlib
import json
import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from unittest import mock

import httpx
import uvicorn
from bench_stats import Figure, median
from playwright.sync_api import sync_playwright

from surety.core.db.session import Database
from surety.core.settings import get_settings
from surety.core.web import create_app
from surety.core.web_console import dist_dir
from surety.tenants import demo

TARGET_MS = 2000.0
USER = "wangqiang"
PASSWORD = "Bench-Web-Pw-9x"
CHROMIUM = Path(os.environ.get("SURETY_CHROMIUM", "/usr/bin/chromium"))
FIRST_ROW = "[data-test=inbox-list][data-loaded=true] .el-table__body tr"
ME = "query Me { me { user { id username displayName } tenant { slug name status enabledPlugins } roles permissions } }"
MY_TASKS = ("query MyTasks($first: Int) { myTasks(first: $first) { totalCount edges { node { id stepKey kind title "
            "status dueDate createdAt completedAt decision comment instance { id title subjectType subjectId "
            "definitionKey status currentStep } } } } }")


@contextlib.contextmanager
def _served(db: Database) -> Iterator[str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(get_settings(), db), host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    if not server.started:
        raise RuntimeError("uvicorn did not start")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


def _seed(db: Database) -> None:
    with mock.patch("surety.tenants.demo.password", lambda: PASSWORD), \
            mock.patch("surety.tenants.demo.keep_credentials", lambda *lines, echo=True: None):
        for _line in demo.ensure_demo(db):
            pass


def _login(client: httpx.Client) -> dict:
    body = client.post("/graphql", json={
        "query": "mutation($t: String!, $u: String!, $p: String!) { login(tenant: $t, username: $u, password: $p) "
                 "{ accessToken refreshToken errors { message } } }",
        "variables": {"t": demo.DEMO_SLUG, "u": USER, "p": PASSWORD}}).json()
    payload = body["data"]["login"]
    if payload["errors"] or not payload["accessToken"]:
        raise RuntimeError(f"bench login refused: {payload['errors']}")
    return payload


def _api_ms(client: httpx.Client, token: str) -> float:
    headers = {"Authorization": f"Bearer {token}", "Accept-Language": "zh-CN"}
    start = time.perf_counter()
    for query, variables in ((ME, {}), (MY_TASKS, {"first": 50})):
        body = client.post("/graphql", json={"query": query, "variables": variables}, headers=headers).json()
        if body.get("errors"):
            raise RuntimeError(f"bench API call failed: {body['errors']}")
    return (time.perf_counter() - start) * 1000


def run(db: Database, *, runs: int = 5) -> list[Figure]:
    if not CHROMIUM.exists():
        raise RuntimeError(f"chromium is not installed at {CHROMIUM}: apt-get install -y chromium")
    if not (dist_dir() / "index.html").is_file():
        raise RuntimeError(f"the web console is not built ({dist_dir()}): make web")
    _seed(db)
    loads, ready, fetched, api = [], [], [], []
    with _served(db) as url, httpx.Client(base_url=url, timeout=30) as client, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                     args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
        try:
            _api_ms(client, _login(client)["accessToken"])  # warm the server (schema, enforcer), not the browser
            for _ in range(runs):
                tokens = _login(client)
                stored = json.dumps({"tenant": demo.DEMO_SLUG, "accessToken": tokens["accessToken"],
                                     "refreshToken": tokens["refreshToken"]})
                context = browser.new_context(locale="zh-CN")  # a new profile: nothing cached
                context.add_init_script(f"sessionStorage.setItem('surety.session', {json.dumps(stored)})")
                page = context.new_page()
                page.goto(f"{url}/inbox", wait_until="commit")
                handle = page.wait_for_function(
                    f"() => document.querySelector({json.dumps(FIRST_ROW)}) ? performance.now() : null",
                    polling="raf", timeout=30_000)
                loads.append(float(handle.json_value()))
                timing = page.evaluate("""() => {
                    const nav = performance.getEntriesByType('navigation')[0];
                    const bytes = performance.getEntriesByType('resource').reduce((s, r) => s + r.transferSize,
                                                                                 nav.transferSize);
                    return [nav.domContentLoadedEventEnd, bytes];
                }""")
                ready.append(float(timing[0]))
                fetched.append(int(timing[1]))
                context.close()
                api.append(_api_ms(client, tokens["accessToken"]))
        finally:
            browser.close()
    surety, baseline = median(loads), median(api)
    return [Figure(what="web console: first load of the inbox (cold cache, headless chromium)", surety=surety,
                   baseline=baseline, unit="ms", target=f"< {TARGET_MS:.0f} ms", passed=surety < TARGET_MS,
                   notes=(f"inbox first load: median {surety:.0f} ms of {runs} cold loads "
                          f"(min {min(loads):.0f}, max {max(loads):.0f}); DOMContentLoaded median "
                          f"{median(ready):.0f} ms; {median(fetched) / 1024:.0f} KiB fetched",
                          f"baseline: me + myTasks over HTTP from Python, median {baseline:.1f} ms"))]


if __name__ == "__main__":
    from surety.core.db.session import set_database  # noqa: PLC0415 - standalone run only
    from surety.core.testing import fresh_database  # noqa: PLC0415 - standalone run only

    with fresh_database(os.environ.get("SURETY_BENCH_DATABASE_URL") or None) as tdb:
        database = Database(tdb.app_url, owner_url=tdb.owner_url)
        set_database(database)
        try:
            for figure in run(database):
                print(f"{figure.what}: {figure.surety:.0f} {figure.unit} (baseline {figure.baseline:.1f} "
                      f"{figure.unit}, target {figure.target}: {'met' if figure.passed else 'missed'})")
                for note in figure.notes:
                    print("  " + note)
        finally:
            database.dispose()
