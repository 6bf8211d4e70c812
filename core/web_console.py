"""The staff web console (web/, docs/web-console.md) served by the API's own app: the built single-page application
from ``web/dist`` (``make web`` builds it) at ``/`` with the history fallback, its hashed files under ``/assets/``
with long cache headers (gzip-compressed for browsers that accept it). The API's routes (/graphql, /healthz,
/attachments) keep priority: create_app lists these routes last, and the fallback never answers under those
prefixes. Where the console is not built, every page answers a short zh-CN HTML page saying how to build it (503)."""

from __future__ import annotations

import functools
import gzip
import mimetypes
import os
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from surety.core.settings import PACKAGE_ROOT

#: Environment variable naming the built console's folder; default the checkout's ``web/dist``.
DIST_ENV = "SURETY_WEB_DIST"
#: Paths the console never answers (the API's own routes and anything below them).
RESERVED_PREFIXES = ("/graphql", "/graphiql", "/healthz", "/attachments")
#: Vite names every file under assets/ after its content hash: it never changes, so browsers may keep it a year.
ASSET_CACHE = "public, max-age=31536000, immutable"
#: index.html names the current hashed files: always revalidated.
PAGE_CACHE = "no-cache"
#: What the page may load: only this server (Element Plus sets inline styles; ECharts draws on canvas).
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                           "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
                           "object-src 'none'; base-uri 'self'; frame-ancestors 'none'")
#: Files sent gzip-compressed to a browser that accepts it (compressed once per file and process, kept in memory).
COMPRESSIBLE = frozenset({".js", ".mjs", ".css", ".svg", ".json", ".map", ".txt", ".html"})
PAGE_HEADERS = {"Cache-Control": PAGE_CACHE, "Content-Security-Policy": CONTENT_SECURITY_POLICY,
                "X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin"}

NOT_BUILT = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>Surety 管理控制台尚未构建</title></head>
<body style="font-family: sans-serif; max-width: 40rem; margin: 4rem auto; line-height: 1.6">
<h1>管理控制台尚未构建</h1>
<p>服务器找不到已构建的网页控制台（<code>web/dist</code>）。请在代码仓库根目录运行 <code>make web</code>
构建（需要 Node.js 20 和 npm），然后刷新本页。</p>
<p>GraphQL 接口照常可用：<code>/graphql</code>。</p>
<p lang="en"><small>The web console is not built: run <code>make web</code> in the repository, then reload.</small></p>
</body></html>
"""


def dist_dir() -> Path:
    """The built console's folder: ``SURETY_WEB_DIST`` or the package's ``web/dist`` (the checkout's)."""
    configured = os.environ.get(DIST_ENV, "").strip()
    return Path(configured) if configured else PACKAGE_ROOT / "web" / "dist"


def _reserved(path: str) -> bool:
    return any(path == prefix or path.startswith(prefix + "/") for prefix in RESERVED_PREFIXES)


def _inside(base: Path, relative: str) -> Path | None:
    """``base / relative`` when that is an existing file inside ``base`` (no ``..`` or symlink escapes)."""
    root = base.resolve()
    try:
        candidate = (root / relative).resolve()
    except (OSError, RuntimeError, ValueError):
        return None
    if not candidate.is_relative_to(root) or not candidate.is_file():
        return None
    return candidate


@functools.lru_cache(maxsize=128)
def _gzipped(path: str, mtime_ns: int, size: int) -> bytes:
    """The gzip of a file, cached by its path, modification time and size (a rebuilt file is compressed anew)."""
    return gzip.compress(Path(path).read_bytes(), compresslevel=6, mtime=0)


class Console:
    """The console's two handlers over one dist folder (read at each request: building while serving works)."""

    def __init__(self, dist: Path | None = None):
        self._dist = dist

    @property
    def dist(self) -> Path:
        return self._dist or dist_dir()

    async def asset(self, request: Request) -> Response:
        found = _inside(self.dist / "assets", request.path_params["path"])
        if found is None:
            return PlainTextResponse("Not Found", status_code=404)
        headers = {"Cache-Control": ASSET_CACHE, "X-Content-Type-Options": "nosniff", "Vary": "Accept-Encoding"}
        if found.suffix in COMPRESSIBLE and "gzip" in request.headers.get("accept-encoding", ""):
            stat = found.stat()
            body = await run_in_threadpool(_gzipped, str(found), stat.st_mtime_ns, stat.st_size)
            media_type = mimetypes.guess_type(found.name)[0] or "application/octet-stream"
            return Response(b"" if request.method == "HEAD" else body, media_type=media_type,
                            headers={**headers, "Content-Encoding": "gzip", "Content-Length": str(len(body))})
        return FileResponse(found, headers=headers)

    async def page(self, request: Request) -> Response:
        path = request.url.path
        if _reserved(path):
            return PlainTextResponse("Not Found", status_code=404)
        index = self.dist / "index.html"
        if not index.is_file():
            return HTMLResponse(NOT_BUILT, status_code=503, headers={"Cache-Control": "no-store"})
        name = request.path_params["path"]
        if "." in name.rsplit("/", 1)[-1]:  # a file at the top of dist (favicon.svg); the rest are client routes
            found = _inside(self.dist, name)
            if found is None:
                return PlainTextResponse("Not Found", status_code=404)
            return FileResponse(found, headers={"Cache-Control": PAGE_CACHE, "X-Content-Type-Options": "nosniff"})
        return FileResponse(index, media_type="text/html; charset=utf-8", headers=PAGE_HEADERS)


def console_routes(dist: Path | None = None) -> list[BaseRoute]:
    """The console's routes, to be listed after every API route: ``/assets/...`` and the fallback ``/{path}``."""
    console = Console(dist)
    return [Route("/assets/{path:path}", console.asset, methods=["GET", "HEAD"], name="console_asset"),
            Route("/{path:path}", console.page, methods=["GET", "HEAD"], name="console_page")]
