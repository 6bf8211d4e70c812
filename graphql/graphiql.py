"""GraphiQL without the internet (issue 14 item 9).

strawberry's GraphiQL page loads React, GraphiQL and its explorer plugin from unpkg.com, so on a network that cannot
reach the CDN (staff networks, CI) it shows "Loading..." forever. The exact files it names are vendored under
graphql/static/graphiql/ (by tools/vendor_graphiql.py, laid out as unpkg does: ``<package>@<version>/<path>``) and
served at ``/graphiql/static/`` in development; ``offline_html`` rewrites strawberry's page to point there, with the
favicon as a file, no ``crossorigin`` and each ``integrity`` recomputed from the vendored file (manifest.json).
The page is checked: any ``http://`` or ``https://`` left in it is an error, so a strawberry upgrade that names new
asset versions fails loudly (refresh the vendored files) instead of silently reaching for the CDN again.
"""

from __future__ import annotations

import functools
import json
import re
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

from starlette.staticfiles import StaticFiles
from strawberry.http.ides import get_graphql_ide_html

STATIC_DIR = Path(__file__).resolve().parent / "static" / "graphiql"
STATIC_PATH = "/graphiql/static"
MANIFEST = "manifest.json"
FAVICON = "favicon.svg"
CDN = "https://unpkg.com/"
CACHE_CONTROL = "public, max-age=86400"

_UNPKG = re.compile(r"https://unpkg\.com/((?:@[^/@\"]+/)?[^/@\"]+)@([^/\"]+)/([^\"]+)")
_TAG = re.compile(r"<(?:script|link)\b[^>]*>", re.S)
_URL_ATTR = re.compile(r'(\s(?:src|href)=")(https://unpkg\.com/[^"]+)(")')
_INTEGRITY = re.compile(r'\s+integrity="[^"]*"')
_CROSSORIGIN = re.compile(r'\s+crossorigin(?:="[^"]*")?(?=[\s>/])')
_FAVICON = re.compile(r'(<link\s+rel="icon"\s+href=")(data:image/svg\+xml,[^"]*)(")', re.S)
_ANY_URL = re.compile(r"https?://[^\s\"'<>)]*")


class GraphiQLAssetsMissing(RuntimeError):
    """The page names a file that is not vendored (run tools/vendor_graphiql.py)."""


@dataclass(frozen=True)
class CdnAsset:
    """One file strawberry's page loads from the CDN."""

    url: str
    package: str
    version: str
    path: str
    integrity: str | None

    @property
    def local(self) -> str:
        """Its path under STATIC_DIR (and under STATIC_PATH): unpkg's own layout."""
        return f"{self.package}@{self.version}/{self.path}"


def cdn_assets(html: str) -> list[CdnAsset]:
    """The CDN files a GraphiQL page loads, in page order, with the integrity hash the page gives each."""
    assets = []
    for tag in _TAG.findall(html):
        found = _URL_ATTR.search(tag)
        if not found:
            continue
        url = found.group(2)
        parts = _UNPKG.fullmatch(url)
        if not parts:
            raise GraphiQLAssetsMissing(f"unexpected CDN address in GraphiQL page: {url}")
        integrity = re.search(r'\sintegrity="([^"]*)"', tag)
        assets.append(CdnAsset(url, parts.group(1), parts.group(2), parts.group(3),
                               integrity.group(1) if integrity else None))
    return assets


def favicon_svg(html: str) -> str | None:
    """The SVG of the page's inline ``data:`` favicon (None when the page has none)."""
    found = _FAVICON.search(html)
    if not found:
        return None
    return urllib.parse.unquote(found.group(2).split(",", 1)[1]).strip() + "\n"


def load_manifest(static_dir: Path = STATIC_DIR) -> dict:
    """tools/vendor_graphiql.py's record of the vendored files: {"files": {local path: {"sha384": ...}}}."""
    path = static_dir / MANIFEST
    if not path.is_file():
        raise GraphiQLAssetsMissing(f"{path} is missing: run tools/vendor_graphiql.py")
    return json.loads(path.read_text(encoding="utf-8"))


def offline_html(html: str, manifest: dict, static_path: str = STATIC_PATH) -> str:
    """strawberry's GraphiQL page with every CDN file served from ``static_path`` and no outside address left."""
    files = manifest.get("files", {})

    def local_tag(match: re.Match) -> str:
        tag = match.group(0)
        found = _URL_ATTR.search(tag)
        if not found:
            return tag
        asset = cdn_assets(tag)[0]
        entry = files.get(asset.local)
        if entry is None:
            raise GraphiQLAssetsMissing(f"{asset.url} is not vendored: run tools/vendor_graphiql.py")
        tag = _CROSSORIGIN.sub("", _INTEGRITY.sub("", tag))
        local = f"{static_path}/{asset.local}"
        return _URL_ATTR.sub(lambda m: f'{m.group(1)}{local}" integrity="{entry["sha384"]}"', tag)

    page = _TAG.sub(local_tag, html)
    if favicon_svg(page) is not None:
        page = _FAVICON.sub(lambda m: f"{m.group(1)}{static_path}/{FAVICON}{m.group(3)}", page)
    left = _ANY_URL.findall(page)
    if left:
        raise GraphiQLAssetsMissing(f"GraphiQL page still names outside addresses: {sorted(set(left))}")
    return page


@functools.cache
def graphiql_html() -> str:
    """The offline GraphiQL page (built once per process; development only)."""
    return offline_html(get_graphql_ide_html(graphql_ide="graphiql"), load_manifest())


class _CachedStaticFiles(StaticFiles):
    def file_response(self, full_path, stat_result, scope, status_code=200):
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers["Cache-Control"] = CACHE_CONTROL
        return response


def static_files() -> StaticFiles:
    """The ASGI app serving the vendored files (mounted at STATIC_PATH in development)."""
    return _CachedStaticFiles(directory=STATIC_DIR)
