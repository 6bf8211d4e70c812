"""Vendor the files strawberry's GraphiQL page loads from unpkg.com into graphql/static/graphiql/ (issue 14 item 9).

Run from the repository root with the project's venv (needs node's ``npm`` and the npm registry):

    .venv/bin/python tools/vendor_graphiql.py

It reads the page of the installed strawberry-graphql, fetches each named package at the exact version with
``npm pack``, copies only the named files (unpkg's layout: ``<package>@<version>/<path>``) with the package's
LICENSE next to them, checks every file against the sha384 ``integrity`` the page gives (stops on a mismatch),
writes the favicon the page inlines as favicon.svg, and rewrites manifest.json and README.md. The directory is
replaced as a whole, so files of older versions go away. Run it again after upgrading strawberry-graphql.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from importlib.metadata import version as dist_version
from pathlib import Path

from strawberry.http.ides import get_graphql_ide_html

from surety.graphql import graphiql

# Packages whose npm tarball has no LICENSE file: where their licence text comes from instead. The explorer plugin is
# published from the graphql/graphiql monorepo (MIT, "license" in its package.json) and its UMD bundle includes
# OneGraph's graphiql-explorer (MIT).
LICENSE_FROM = {
    "@graphiql/plugin-explorer": [("graphiql", "LICENSE"), ("graphiql-explorer@0.9.0", "LICENSE.graphiql-explorer")],
}
PAGE = "strawberry/static/graphiql.html"


def sha384(data: bytes) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode()


def npm_pack(spec: str, workdir: Path) -> tarfile.TarFile:
    """The npm tarball of ``spec`` (name@version), opened."""
    out = subprocess.run(["npm", "pack", "--silent", "--json", "--pack-destination", str(workdir), spec],
                         check=True, capture_output=True, text=True).stdout
    filename = json.loads(out)[0]["filename"].replace("@", "").replace("/", "-")
    data = (workdir / filename).read_bytes()
    return tarfile.open(fileobj=io.BytesIO(data), mode="r:gz")


def member(tar: tarfile.TarFile, path: str) -> bytes | None:
    try:
        extracted = tar.extractfile(f"package/{path}")
    except KeyError:
        return None
    return extracted.read() if extracted else None


def license_of(tar: tarfile.TarFile) -> bytes | None:
    for name in ("LICENSE", "LICENSE.md", "LICENSE.txt", "license", "LICENCE"):
        data = member(tar, name)
        if data:
            return data
    return None


def vendor(target: Path) -> dict:
    html = get_graphql_ide_html(graphql_ide="graphiql")
    assets = graphiql.cdn_assets(html)
    if not assets:
        sys.exit("strawberry's GraphiQL page names no unpkg.com files: nothing to vendor (check graphiql.py)")
    manifest: dict = {
        "source": f"strawberry-graphql {dist_version('strawberry-graphql')} {PAGE}",
        "cdn": graphiql.CDN,
        "packages": {},
        "files": {},
    }
    staging = Path(tempfile.mkdtemp(prefix="graphiql-static-"))
    with tempfile.TemporaryDirectory(prefix="graphiql-npm-") as work:
        workdir = Path(work)
        tarballs: dict[str, tarfile.TarFile] = {}
        for spec in dict.fromkeys(f"{asset.package}@{asset.version}" for asset in assets):
            print(f"npm pack {spec}")
            tarballs[spec] = npm_pack(spec, workdir)
        for asset in assets:
            spec = f"{asset.package}@{asset.version}"
            tar = tarballs[spec]
            data = member(tar, asset.path)
            if not data:
                sys.exit(f"{spec} has no file {asset.path}")
            digest = sha384(data)
            if asset.integrity and asset.integrity != digest:
                sys.exit(f"{asset.url}: npm's file hashes to {digest}, the page expects {asset.integrity}")
            out = staging / asset.local
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(data)
            manifest["files"][asset.local] = {"url": asset.url, "sha384": digest, "bytes": len(data)}
            package = manifest["packages"].setdefault(spec, {"name": asset.package, "version": asset.version,
                                                             "licenses": []})
            if package["licenses"]:
                continue
            licenses = []
            own = license_of(tar)
            if own:
                licenses.append(("LICENSE", own, f"{spec} (npm tarball)"))
            for source, name in LICENSE_FROM.get(asset.package, []):
                if "@" not in source.lstrip("@"):  # a package the page also loads: the same version
                    source = next((s for s in tarballs if s.rsplit("@", 1)[0] == source), source)
                if source not in tarballs:
                    print(f"npm pack {source} (licence)")
                    tarballs[source] = npm_pack(source, workdir)
                source_tar = tarballs[source]
                text = license_of(source_tar)
                if not text:
                    sys.exit(f"{source} has no LICENSE for {spec}")
                licenses.append((name, text, f"{source} (npm tarball)"))
            if not licenses:
                sys.exit(f"{spec} has no LICENSE file and LICENSE_FROM names none")
            for name, text, origin in licenses:
                (staging / spec / name).write_bytes(text)
                package["licenses"].append({"file": f"{spec}/{name}", "from": origin})
    icon = graphiql.favicon_svg(html)
    if icon:
        (staging / graphiql.FAVICON).write_text(icon, encoding="utf-8")
    (staging / graphiql.MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n",
                                             encoding="utf-8")
    (staging / "README.md").write_text(readme(manifest, bool(icon)), encoding="utf-8")
    graphiql.offline_html(html, manifest)  # the rewritten page must name nothing outside the server
    if target.exists():
        shutil.rmtree(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(str(staging), target)
    return manifest


def readme(manifest: dict, icon: bool) -> str:
    lines = [
        "# Vendored GraphiQL assets (generated: do not edit by hand)",
        "",
        "The files strawberry's GraphiQL page loads from unpkg.com, served from the package at `/graphiql/static/`",
        "in development so GraphiQL works without internet access (issue 14 item 9). Layout is unpkg's:",
        "`<package>@<version>/<path>`, with each package's licence next to its files. The page itself is",
        "strawberry's, rewritten by `graphql/graphiql.py` (`offline_html`).",
        "",
        f"Page: {manifest['source']}.",
        "",
        "| file | from | bytes | sha384 |",
        "|---|---|---|---|",
    ]
    for local, entry in manifest["files"].items():
        lines.append(f"| `{local}` | `npm pack` of {entry['url']} | {entry['bytes']} | `{entry['sha384']}` |")
    lines += ["", "Licences:", ""]
    for spec, package in manifest["packages"].items():
        for lic in package["licenses"]:
            lines.append(f"- `{lic['file']}` — {spec}, licence text taken from {lic['from']}")
    if icon:
        lines += ["", "`favicon.svg` is the inline `data:` favicon of strawberry's page, as a file."]
    lines += [
        "",
        "Each file's sha384 equals the `integrity` strawberry's page gives for the CDN copy (checked when vendored);",
        "the served page carries the same hash, recomputed from these files (`manifest.json`).",
        "",
        "## Refresh (after upgrading strawberry-graphql)",
        "",
        "    .venv/bin/python tools/vendor_graphiql.py",
        "",
        "It needs node's `npm` and the npm registry; it replaces this directory as a whole.",
        "Then run `tests/graphql/test_graphiql_offline.py` and commit the directory.",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    manifest = vendor(graphiql.STATIC_DIR)
    total = sum(entry["bytes"] for entry in manifest["files"].values())
    print(f"{len(manifest['files'])} files, {total} bytes, in {graphiql.STATIC_DIR}")


if __name__ == "__main__":
    main()
