"""The web console served by the API's app (core/web_console.py): a built dist folder (a temporary one here) at ``/``
with the history fallback to index.html, hashed files under ``/assets/`` cached for a year, the API's routes first,
and a zh-CN page saying how to build the console where it is not built."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from surety.core import web_console

INDEX = "<!doctype html><html><body><div id=app></div><script type=module src=/assets/index-abc123.js></script>"


@pytest.fixture
def dist(tmp_path, monkeypatch):
    folder = tmp_path / "dist"
    (folder / "assets").mkdir(parents=True)
    (folder / "index.html").write_text(INDEX)
    (folder / "assets" / "index-abc123.js").write_text("console.log('surety')")
    (folder / "favicon.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    (tmp_path / "secret.txt").write_text("outside dist")
    monkeypatch.setenv(web_console.DIST_ENV, str(folder))
    return folder


@pytest.fixture
def client(app):
    with TestClient(app) as c:
        yield c


def test_the_root_and_every_client_route_answer_index_html_revalidated(dist, client):
    for path in ("/", "/inbox", "/customers/Q3VzdG9tZXI6MQ==", "/projects/x/ledger"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.text == INDEX
        assert response.headers["content-type"].startswith("text/html")
        assert response.headers["cache-control"] == "no-cache"
        assert "default-src 'self'" in response.headers["content-security-policy"]


def test_assets_are_served_with_a_year_long_immutable_cache(dist, client):
    response = client.get("/assets/index-abc123.js")
    assert response.status_code == 200
    assert response.text == "console.log('surety')"
    assert "javascript" in response.headers["content-type"]
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"


def test_a_missing_asset_or_file_is_a_404_not_the_page(dist, client):
    assert client.get("/assets/index-gone.js").status_code == 404
    assert client.get("/robots.txt").status_code == 404
    assert client.get("/favicon.svg").status_code == 200


def test_no_path_escapes_the_dist_folder(dist, client):
    for path in ("/assets/..%2F..%2Fsecret.txt", "/assets/%2E%2E/%2E%2E/secret.txt", "/..%2Fsecret.txt"):
        response = client.get(path)
        assert "outside dist" not in response.text, path


def test_the_api_routes_keep_priority(dist, client):
    assert client.get("/healthz").json() == {"status": "ok"}
    body = client.post("/graphql", json={"query": "{ __typename }"}).json()
    assert body == {"data": {"__typename": "Query"}}
    # under the API's prefixes the fallback never answers the page
    for path in ("/graphql/anything", "/healthz/x", "/attachments", "/graphiql/static/x.js"):
        response = client.get(path)
        assert response.text != INDEX, path
        assert response.status_code in (404, 405), path


def test_only_get_and_head_reach_the_console(dist, client):
    assert client.head("/inbox").status_code == 200
    assert client.post("/inbox").status_code == 405


def test_an_unbuilt_console_answers_a_zh_cn_page_naming_make_web(tmp_path, monkeypatch, client):
    monkeypatch.setenv(web_console.DIST_ENV, str(tmp_path / "nothing-here"))
    for path in ("/", "/inbox"):
        response = client.get(path)
        assert response.status_code == 503
        assert response.headers["content-type"].startswith("text/html")
        assert "管理控制台尚未构建" in response.text and "make web" in response.text
    assert client.get("/healthz").status_code == 200


def test_the_default_dist_is_the_checkouts_web_dist(monkeypatch):
    monkeypatch.delenv(web_console.DIST_ENV, raising=False)
    assert web_console.dist_dir() == web_console.PACKAGE_ROOT / "web" / "dist"
    monkeypatch.setenv(web_console.DIST_ENV, "/srv/console")
    assert str(web_console.dist_dir()) == "/srv/console"


def test_assets_are_gzipped_for_a_browser_that_accepts_it(dist, client):
    big = "const surety = 'console';\n" * 400
    (dist / "assets" / "big-0123.js").write_text(big)
    zipped = client.get("/assets/big-0123.js", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert zipped.status_code == 200
    assert zipped.headers["content-encoding"] == "gzip"
    assert int(zipped.headers["content-length"]) < len(big) / 10
    assert zipped.text == big  # the client decompresses it
    assert "javascript" in zipped.headers["content-type"]
    assert zipped.headers["cache-control"] == "public, max-age=31536000, immutable"
    plain = client.get("/assets/big-0123.js", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.text == big
    # a rebuilt file with the same name is compressed anew
    (dist / "assets" / "big-0123.js").write_text(big + "// rebuilt\n")
    assert client.get("/assets/big-0123.js", headers={"Accept-Encoding": "gzip"}).text.endswith("// rebuilt\n")
