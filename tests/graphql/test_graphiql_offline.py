"""GraphiQL works offline (issue 14 item 9): in development the page at GET /graphql names no address outside the
server, and every script and stylesheet it loads is served from the package (graphql/static/graphiql/) with the
integrity hash the page gives; production has neither the page nor the static route. A page naming a file that is
not vendored, or any outside address, is refused when the page is built. Where Debian's chromium is installed, a
slow test (marker ``browser``, deselected elsewhere) loads the page headless with every outside host unreachable and
sees the editor render."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import re
import shutil
import socket
import subprocess
import threading
import time

import pytest
import uvicorn
from starlette.testclient import TestClient
from strawberry.http.ides import get_graphql_ide_html

from surety.core.logging import configure_logging
from surety.core.settings import get_settings
from surety.core.web import create_app
from surety.graphql import graphiql
from surety.graphql.schema import build_schema

HTML = {"Accept": "text/html"}
BASE = "http://testserver"
TYPES = {".js": "javascript", ".css": "text/css", ".svg": "image/svg+xml"}
ASSET = "graphiql@3.8.3/graphiql.min.js"


def _settings(env: str):
    return dataclasses.replace(get_settings(), env=env, log_json=env == "production",
                               kek=base64.b64decode(base64.b64encode(b"k" * 32)))


@pytest.fixture
def client_for(db):
    def make(env: str):
        settings = _settings(env)
        return TestClient(create_app(settings, db, schema=build_schema(settings=settings)), base_url=BASE)

    yield make
    configure_logging(get_settings())


def _sha384(data: bytes) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode()


def _loaded(page: str) -> list[tuple[str, str | None]]:
    """(address, integrity) of every <script src> and <link href> of the page."""
    found = []
    for tag in re.findall(r"<(?:script|link)\b[^>]*>", page, re.S):
        address = re.search(r'\s(?:src|href)="([^"]+)"', tag)
        if address:
            integrity = re.search(r'\sintegrity="([^"]+)"', tag)
            found.append((address.group(1), integrity.group(1) if integrity else None))
    return found


def test_development_page_names_nothing_outside_the_server(client_for):
    with client_for("development") as client:
        response = client.get("/graphql", headers=HTML)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert 'id="graphiql"' in page and "GraphiQL.createFetcher" in page
    outside = [url for url in re.findall(r"https?://[^\s\"'<>)]*", page) if not url.startswith(BASE + "/")]
    assert outside == []
    assert "unpkg" not in page and "crossorigin" not in page and "data:image" not in page


def test_every_file_the_page_loads_is_served_with_its_hash(client_for):
    with client_for("development") as client:
        page = client.get("/graphql", headers=HTML).text
        loaded = _loaded(page)
        # react, react-dom, js-cookie, graphiql js+css, the explorer plugin js+css, and the favicon
        assert len(loaded) == 8
        assert {address for address, _ in loaded} >= {f"{graphiql.STATIC_PATH}/{ASSET}",
                                                     f"{graphiql.STATIC_PATH}/{graphiql.FAVICON}"}
        for address, integrity in loaded:
            assert address.startswith(graphiql.STATIC_PATH + "/"), address
            response = client.get(address)
            assert response.status_code == 200, address
            assert response.content, address
            suffix = address[address.rindex("."):]
            assert TYPES[suffix] in response.headers["content-type"], (address, response.headers["content-type"])
            assert response.headers["cache-control"] == graphiql.CACHE_CONTROL
            if suffix != ".svg":
                assert integrity == _sha384(response.content), address  # what the browser checks before running it


def test_production_has_no_graphiql_and_no_static_route(client_for):
    with client_for("production") as client:
        page = client.get("/graphql", headers=HTML)
        assert "GraphiQL" not in page.text and "<script" not in page.text
        assert page.status_code in (400, 404)
        assert client.get(f"{graphiql.STATIC_PATH}/{ASSET}").status_code == 404
        assert client.get(f"{graphiql.STATIC_PATH}/{graphiql.FAVICON}").status_code == 404


def test_vendored_files_match_the_manifest_and_carry_their_licences():
    manifest = graphiql.load_manifest()
    assert set(manifest["files"]) >= {ASSET, "react@18.2.0/umd/react.production.min.js"}
    for local, entry in manifest["files"].items():
        data = (graphiql.STATIC_DIR / local).read_bytes()
        assert len(data) == entry["bytes"] and _sha384(data) == entry["sha384"], local
    for spec, package in manifest["packages"].items():
        assert (graphiql.STATIC_DIR / spec / "LICENSE").read_text(encoding="utf-8").strip(), spec
        assert package["licenses"], spec
    readme = (graphiql.STATIC_DIR / "README.md").read_text(encoding="utf-8")
    assert "tools/vendor_graphiql.py" in readme and all(local in readme for local in manifest["files"])


PAGE = """<html><head><link rel="icon" href="data:image/svg+xml,<svg xmlns=%22http://www.w3.org/2000/svg%22/>" />
<script crossorigin src="https://unpkg.com/react@18.2.0/umd/react.production.min.js" integrity="sha384-cdn"></script>
<link crossorigin rel="stylesheet" href="https://unpkg.com/@graphiql/plugin-explorer@1.0.2/dist/style.css" />
</head><body></body></html>"""
MANIFEST = {"files": {"react@18.2.0/umd/react.production.min.js": {"sha384": "sha384-local"},
                      "@graphiql/plugin-explorer@1.0.2/dist/style.css": {"sha384": "sha384-css"}}}


def test_the_page_is_rewritten_to_the_vendored_files():
    page = graphiql.offline_html(PAGE, MANIFEST, static_path="/s")
    assert _loaded(page) == [("/s/favicon.svg", None),
                             ("/s/react@18.2.0/umd/react.production.min.js", "sha384-local"),
                             ("/s/@graphiql/plugin-explorer@1.0.2/dist/style.css", "sha384-css")]
    assert "http" not in page and "crossorigin" not in page and "sha384-cdn" not in page
    assert graphiql.favicon_svg(PAGE) == '<svg xmlns="http://www.w3.org/2000/svg"/>\n'


def test_a_page_naming_an_unvendored_file_is_refused():
    newer = PAGE.replace("react@18.2.0", "react@19.0.0")
    with pytest.raises(graphiql.GraphiQLAssetsMissing, match="react@19.0.0.*tools/vendor_graphiql.py"):
        graphiql.offline_html(newer, MANIFEST)


def test_a_page_keeping_an_outside_address_is_refused():
    tracking = PAGE.replace("</body>", '<img src="https://example.com/pixel.gif"></body>')
    with pytest.raises(graphiql.GraphiQLAssetsMissing, match="example.com"):
        graphiql.offline_html(tracking, MANIFEST)
    with pytest.raises(graphiql.GraphiQLAssetsMissing, match="missing"):
        graphiql.load_manifest(graphiql.STATIC_DIR / "nowhere")


def test_the_installed_strawberry_page_is_fully_vendored():
    """strawberry's own page names exactly the vendored files, with the hashes they were checked against."""
    html = get_graphql_ide_html(graphql_ide="graphiql")
    manifest = graphiql.load_manifest()
    assets = graphiql.cdn_assets(html)
    assert {asset.local for asset in assets} == set(manifest["files"])
    for asset in assets:
        assert manifest["files"][asset.local]["sha384"] == asset.integrity, asset.url


CHROMIUM = shutil.which("chromium")
OFFLINE = ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
           # every host name but the server's fails to resolve, and anything else would go to a dead proxy
           "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1", "--proxy-server=http://0.0.0.0:1",
           "--proxy-bypass-list=127.0.0.1", "--virtual-time-budget=15000", "--dump-dom"]


@pytest.fixture
def dev_server(db):
    """The development app served over real HTTP on a free local port (a browser needs a socket)."""
    settings = _settings("development")
    app = create_app(settings, db, schema=build_schema(settings=settings))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)
    configure_logging(get_settings())


@pytest.mark.slow
@pytest.mark.browser
def test_graphiql_renders_in_a_browser_with_the_network_blocked(dev_server, tmp_path):
    dom = subprocess.run([CHROMIUM, *OFFLINE, f"--user-data-dir={tmp_path}", f"{dev_server}/graphql"],
                         capture_output=True, text=True, timeout=120).stdout
    assert "graphiql-query-editor" in dom and "graphiql-execute-button" in dom, dom[-2000:]
    assert "Loading..." not in dom
