"""The wheel works installed on its own (docs/adr/0006-wheel-layout.md, docs/operations.md "Installing").

The wheel is built from a copy of the working tree (so the build leaves nothing in the repository), installed with
``--no-deps`` into a fresh venv that sees the project venv's third-party packages through a .pth file pointing at a
folder of links to them: everything except Surety's own editable install, whose finder would otherwise serve
``surety`` from the checkout. Then, from a working directory outside the repository: ``surety db upgrade`` on a new
SQLite file and ``surety serve`` answering /healthz.
"""

from __future__ import annotations

import configparser
import json
import os
import shutil
import socket
import subprocess
import sys
import sysconfig
import time
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect

from surety.core.db.base import Base
from surety.core.plugins import load_all_models

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
#: The folders of the repository root that are code (setup.py's CODE_FOLDERS).
CODE_FOLDERS = ("core", "tenants", "graphql", "plugins", "migrations")
#: Never copied into the build tree: they are not source, and a stale build/ would leak old files into the wheel.
NOT_SOURCE = {".git", ".venv", "var", "build", "dist", ".pytest_cache", ".bench"}


def _ignore(folder: str, names: list[str]) -> set[str]:
    ignored = {n for n in names if n == "__pycache__" or n.endswith((".pyc", ".egg-info"))}
    if Path(folder).resolve() == ROOT:
        ignored |= NOT_SOURCE & set(names)
    return ignored


def _run(args, **kwargs) -> subprocess.CompletedProcess:
    out = subprocess.run([str(a) for a in args], capture_output=True, text=True, **kwargs)
    assert out.returncode == 0, f"{args}\nstdout:\n{out.stdout}\nstderr:\n{out.stderr}"
    return out


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("wheel")
    shutil.copytree(ROOT, work / "src", ignore=_ignore, symlinks=True)
    _run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-index", "--no-build-isolation",
          "--wheel-dir", work / "dist", work / "src"])
    (built,) = (work / "dist").glob("surety-*.whl")
    return built


def _code_files() -> list[Path]:
    return [p for folder in CODE_FOLDERS for p in (ROOT / folder).rglob("*")
            if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"]


def test_the_wheel_holds_every_code_file_and_nothing_else(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    # Every module and every run-time data file of the code folders (Markdown notes are not needed at run time).
    wanted = {f"surety/{p.relative_to(ROOT).as_posix()}" for p in _code_files() if p.suffix != ".md"}
    assert wanted - names == set()
    assert {"surety/__init__.py", "surety/graphql/schema.graphql", "surety/migrations/env.py",
            "surety/migrations/script.py.mako", "surety/core/cli/main.py"} <= names
    assert any(n.startswith("surety/plugins/guarantee/migrations/guarantee_") for n in names)
    assert any(n.startswith("surety/migrations/versions/0001_") for n in names)
    # Nothing else: no tests, docs, deploy files, local data or build helpers; no top-level package but surety.
    own = {n for n in names if not n.startswith("surety-")}
    assert all(n.startswith("surety/") for n in own), sorted(own)
    assert {n.split("/")[1] for n in own if n.count("/") > 1} <= set(CODE_FOLDERS)
    assert {n for n in own if n.count("/") == 1} == {"surety/__init__.py"}
    assert own - wanted == {"surety/__init__.py"}
    # graphql/ stays a namespace portion inside surety: nothing may ever shadow graphql-core (DESIGN.md section 2).
    assert "surety/graphql/__init__.py" not in names and "graphql/__init__.py" not in names


def _entry_points(wheel: Path) -> configparser.ConfigParser:
    with zipfile.ZipFile(wheel) as zf:
        (path,) = [n for n in zf.namelist() if n.endswith(".dist-info/entry_points.txt")]
        text = zf.read(path).decode()
    parser = configparser.ConfigParser(delimiters=("=",))
    parser.optionxform = str
    parser.read_string(text)
    return parser


def _dockerfile_cmd() -> list[str]:
    lines = [ln for ln in (ROOT / "deploy" / "Dockerfile").read_text().splitlines() if ln.startswith("CMD ")]
    assert len(lines) == 1, lines
    return json.loads(lines[0][len("CMD "):])


def test_the_images_command_is_a_console_script_of_the_wheel(wheel):
    cmd = _dockerfile_cmd()
    scripts = _entry_points(wheel)["console_scripts"]
    assert cmd[0] in scripts, (cmd, dict(scripts))
    module, _, func = scripts[cmd[0]].partition(":")
    source = zipfile.ZipFile(wheel).read(module.replace(".", "/") + ".py").decode()
    assert f"def {func}(" in source
    assert cmd[1] == "serve"
    plugins = _entry_points(wheel)["surety.plugins"]
    assert {"core", "customers", "guarantee"} <= set(plugins)


def _venv_with(wheel: Path, where: Path) -> Path:
    """A fresh venv holding the wheel (installed without its dependencies) and, through a .pth file, the project
    venv's third-party packages without Surety's own editable install."""
    _run([sys.executable, "-m", "venv", "--without-pip", where / "venv"])
    python = where / "venv" / "bin" / "python"
    _run([sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-deps", "--no-index", wheel])
    deps = where / "deps"
    deps.mkdir()
    project_site = Path(sysconfig.get_paths()["purelib"])
    for entry in project_site.iterdir():
        if "surety" in entry.name.lower() or entry.suffix == ".pth":
            continue  # __editable__*surety* finder and .pth, surety-*.dist-info: the checkout, not the wheel
        (deps / entry.name).symlink_to(entry)
    venv_site = _run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).stdout.strip()
    Path(venv_site, "project-deps.pth").write_text(f"{deps}\n")
    return python


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, data: bytes | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, response.read()


def test_the_installed_wheel_migrates_and_serves_on_its_own(wheel, tmp_path):
    python = _venv_with(wheel, tmp_path)
    surety = python.parent / "surety"
    cwd = tmp_path / "run"
    cwd.mkdir()
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SURETY_", "PYTHON", "VIRTUAL_ENV")) and k != "PATH"}
    env |= {"PATH": f"{python.parent}:/usr/bin:/bin", "SURETY_ENV": "development",
            "SURETY_VAR_DIR": str(tmp_path / "var"),
            "SURETY_DATABASE_URL": f"sqlite:///{tmp_path / 'var' / 'surety.db'}"}

    # Surety comes from the wheel, graphql from graphql-core; the checkout is nowhere on the path.
    probe = ("import sys, graphql, surety, surety.core.settings as s, surety.graphql.schema as g;"
             "import importlib.metadata as m;"
             "print(surety.__file__); print(graphql.__file__); print(g.SDL_PATH.is_file()); print(s.REPO_ROOT);"
             "print(m.distribution('surety').locate_file('surety'));"
             "print(any('__editable__' in n for n in sys.modules))")
    out = _run([python, "-c", probe], cwd=cwd, env=env).stdout.split("\n")
    venv = tmp_path / "venv"
    assert Path(out[0]).is_relative_to(venv) and not Path(out[0]).is_relative_to(ROOT), out
    assert Path(out[1]).parts[-2:] == ("graphql", "__init__.py") and "surety" not in Path(out[1]).parts, out
    assert out[2:6] == ["True", "None", str(Path(out[0]).parent), "False"], out

    # Installed, the default var directory is under the working directory, never inside site-packages.
    default_var = _run([python, "-c", "from surety.core.settings import default_var_dir; print(default_var_dir())"],
                       cwd=cwd, env=env).stdout.strip()
    assert default_var == str(cwd / "var")

    upgraded = _run([surety, "db", "upgrade"], cwd=cwd, env=env)
    assert "database is up to date" in upgraded.stdout + upgraded.stderr
    load_all_models()
    engine = create_engine(env["SURETY_DATABASE_URL"])
    try:
        tables = set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    # core's and every plugin's migrations ran (their version folders were found inside the installed package)
    assert set(Base.metadata.tables) - tables == set()
    assert not (venv / "var").exists() and not list(venv.rglob("surety.db"))

    port = _free_port()
    log = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen([str(surety), "serve", "--host", "127.0.0.1", "--port", str(port)], cwd=cwd, env=env,
                              stdout=log, stderr=subprocess.STDOUT)
    try:
        status = None
        deadline = time.monotonic() + 120  # only so a broken start cannot hang the suite
        while status is None and server.poll() is None and time.monotonic() < deadline:
            try:
                status, body = _get(f"http://127.0.0.1:{port}/healthz")
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.2)
        assert status == 200, (tmp_path / "serve.log").read_text()
        assert json.loads(body) == {"status": "ok"}
        status, body = _get(f"http://127.0.0.1:{port}/graphql", json.dumps({"query": "{ __typename }"}).encode())
        assert (status, json.loads(body)) == (200, {"data": {"__typename": "Query"}})
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()
