"""``surety plugin new KEY`` (core/scaffold, core/cli/plugin_cmd.py): the key is checked, nothing is overwritten, and
the generated plugin is a working one: its hooks register with the plugin manager, its Alembic branch migrates a
fresh database with core (and matches its models), and its own test file passes when pytest runs it."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import typer
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect
from typer.testing import CliRunner

from surety.core.cli.main import app as cli_app
from surety.core.db.base import Base
from surety.core.db.migrate import alembic_config, check, downgrade, upgrade
from surety.core.db.rls import rls_status
from surety.core.plugins import PluginRegistry, build_plugin_manager, reset_registry
from surety.core.scaffold import ScaffoldError, new_plugin, plugin_names, validate_key
from surety.core.scaffold.generator import SUFFIX, TEMPLATES, render
from surety.core.testing import fresh_database
from surety.graphql.schema import build_schema

KEY = "scaffold_probe"
NAMES = plugin_names(KEY)
PACKAGE = NAMES["package"]
TABLE = NAMES["table"]
#: The standard rooms of a plugin (DESIGN.md section 1), as generated.
EXPECTED_FILES = {
    "pyproject.toml", "README.md", "tests/conftest.py", f"tests/test_{KEY}.py",
    *(f"{PACKAGE}/{name}" for name in ("__init__.py", "plugin.py", "models.py", "services.py", "permissions.py",
                                       "graphql.py", "events.py", "migrations/__init__.py",
                                       f"migrations/{KEY}_0001_items.py")),
}
REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "hello_plugin"
#: The house lint (the repository's [tool.ruff]); a plugin outside the repository states it in its own pyproject.
HOUSE_RUFF = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["ruff"]
HOOKS = {"surety_manifest", "surety_models", "surety_migration_location", "surety_permissions",
         "surety_default_grants", "surety_graphql", "surety_handle_event"}


def _cli() -> typer.Typer:
    """The `surety` command line itself (core/cli/main.py registers the sub-app as `plugin`)."""
    return cli_app


# ---------------------------------------------------------------- the key and the target -----------------------------


@pytest.mark.parametrize("key", ["microloan", "finance_voucher", "re2", "ab"])
def test_valid_keys(key):
    assert validate_key(key, installed=("core", "customers")) == key


@pytest.mark.parametrize("key", ["Microloan", "2fast", "finance-voucher", "finance__voucher", "voucher_", "_x", "",
                                 "a b", "x" * 31, "贷款"])
def test_a_key_that_is_no_lowercase_identifier_is_refused_in_chinese(key):
    with pytest.raises(ScaffoldError) as refused:
        validate_key(key)
    assert "插件标识" in refused.value.message


@pytest.mark.parametrize("key", ["core", "customers", "guarantee"])
def test_an_installed_or_reserved_key_is_refused(key, tmp_path):
    with pytest.raises(ScaffoldError) as refused:
        new_plugin(key, tmp_path / "p")  # installed keys from the real registry
    assert repr(key) in refused.value.message
    assert not (tmp_path / "p").exists()


def test_an_existing_folder_is_never_overwritten(tmp_path):
    target = tmp_path / "p"
    target.mkdir()
    (target / "keep.txt").write_text("mine")
    with pytest.raises(ScaffoldError) as refused:
        new_plugin(KEY, target, installed=())
    assert "不会覆盖" in refused.value.message
    assert [p.name for p in target.iterdir()] == ["keep.txt"]
    afile = tmp_path / "afile"
    afile.write_text("x")
    with pytest.raises(ScaffoldError):
        new_plugin(KEY, afile, installed=())
    assert afile.read_text() == "x"


def test_an_empty_folder_is_filled(tmp_path):
    written = new_plugin(KEY, tmp_path, installed=())
    assert {p.relative_to(tmp_path).as_posix() for p in written} == EXPECTED_FILES


def test_the_default_folder_is_named_after_the_distribution(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    new_plugin(KEY, installed=())
    assert (tmp_path / f"surety-{KEY.replace('_', '-')}-plugin" / PACKAGE / "plugin.py").is_file()


def test_every_template_is_package_data_by_its_suffix():
    """pyproject.toml's package-data for surety.core.scaffold is ``templates/**/*.tmpl``: every template matches."""
    files = [p for p in TEMPLATES.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    assert files and all(p.name.endswith(SUFFIX) for p in files), files


def test_the_cli_writes_the_plugin_and_refuses_in_chinese(tmp_path):
    runner = CliRunner()
    done = runner.invoke(_cli(), ["plugin", "new", "acme_loans", "--dir", str(tmp_path / "acme"),
                                  "--title", "Acme loans"])
    assert done.exit_code == 0, done.output
    assert "已生成插件 acme_loans" in done.output
    manifest = (tmp_path / "acme" / "surety_acme_loans" / "plugin.py").read_text(encoding="utf-8")
    assert 'title="Acme loans"' in manifest
    pyproject = (tmp_path / "acme" / "pyproject.toml").read_text(encoding="utf-8")
    assert '[project.entry-points."surety.plugins"]\nacme_loans = "surety_acme_loans.plugin"' in pyproject

    again = runner.invoke(_cli(), ["plugin", "new", "acme_loans", "--dir", str(tmp_path / "acme")])
    assert again.exit_code == 1
    assert "错误" in again.output and "不会覆盖" in again.output
    bad = runner.invoke(_cli(), ["plugin", "new", "Acme", "--dir", str(tmp_path / "bad")])
    assert bad.exit_code == 1
    assert "插件标识 'Acme' 无效" in bad.output
    assert not (tmp_path / "bad").exists()


def _ruff(folder: Path, *options: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", *options, "."], cwd=folder,
                          capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.parametrize("key", [KEY, "ab", "finance_voucher_reguarantee_ab"])  # the shortest and longest keys too
def test_the_generated_plugin_passes_the_house_lint(tmp_path, key):
    """ruff on a freshly generated plugin, first with the house rules given explicitly (the repository's config
    does not reach a folder outside it; surety a dependency, the generated package first-party), then with the
    generated pyproject's own [tool.ruff]: no error either way, so no function-level import without a reason and
    no line too long, whatever the key's length."""
    new_plugin(key, tmp_path, installed=())
    explicit = _ruff(tmp_path, "--isolated", "--select", ",".join(HOUSE_RUFF["lint"]["select"]),
                     "--line-length", str(HOUSE_RUFF["line-length"]), "--target-version", HOUSE_RUFF["target-version"],
                     "--config", f"lint.isort.known-first-party=['{plugin_names(key)['package']}']",
                     "--config", "lint.isort.known-third-party=['surety']")
    assert explicit.returncode == 0, explicit.stdout + explicit.stderr
    assert "All checks passed" in explicit.stdout
    own = _ruff(tmp_path)
    assert own.returncode == 0, own.stdout + own.stderr


@pytest.mark.parametrize(("pyproject", "package"), [
    pytest.param(lambda: render(NAMES)[Path("pyproject.toml")], PACKAGE, id="generated"),
    pytest.param(lambda: (EXAMPLE / "pyproject.toml").read_text(encoding="utf-8"), "surety_hello", id="example"),
])
def test_the_generated_plugin_and_the_example_state_the_house_lint(pyproject, package):
    """Both carry the house's rules, line length and target, seen from the plugin's side (surety is a dependency,
    the plugin's package its own import block), so a copy of either lints like the repository."""
    ruff = tomllib.loads(pyproject())["tool"]["ruff"]
    assert (ruff["line-length"], ruff["target-version"]) == (HOUSE_RUFF["line-length"], HOUSE_RUFF["target-version"])
    assert ruff["lint"]["select"] == HOUSE_RUFF["lint"]["select"]
    assert ruff["lint"]["isort"] == {"known-first-party": [package], "known-third-party": ["surety"]}


# ---------------------------------------------------------------- the generated plugin -------------------------------


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """The plugin generated into a fresh folder, importable from it (sys.path); teardown forgets it everywhere."""
    folder = tmp_path_factory.mktemp("scaffold") / "plugin"
    new_plugin(KEY, folder, title="Scaffold probe")
    sys.path.insert(0, str(folder))
    importlib.invalidate_caches()
    try:
        yield folder
    finally:
        sys.path.remove(str(folder))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]
        if TABLE in Base.metadata.tables:
            Base.metadata.remove(Base.metadata.tables[TABLE])
        reset_registry()


@pytest.fixture(scope="module")
def registry(generated):
    plugin = importlib.import_module(f"{PACKAGE}.plugin")
    reg = PluginRegistry(build_plugin_manager(extra=[(KEY, plugin)]))
    reset_registry(reg)
    try:
        yield reg
    finally:
        reset_registry()


@pytest.fixture(autouse=True)
def _use_registry(request):
    """Keep this module's registry current for each test that uses it (other modules may have reset it)."""
    if "registry" in request.fixturenames:
        reset_registry(request.getfixturevalue("registry"))


def test_plugin_py_holds_hook_implementations_only_and_they_register(registry):
    plugin = registry.plugin(KEY)
    assert plugin.__name__ == f"{PACKAGE}.plugin"
    functions = {n for n, v in vars(plugin).items() if callable(v) and getattr(v, "__module__", "") == plugin.__name__}
    assert functions == HOOKS
    assert {caller.name for caller in registry.pm.get_hookcallers(plugin)} == HOOKS
    registry.pm.check_pending()  # every implementation matches a declared hook
    assert registry.manifests[KEY].title == "Scaffold probe"

    permissions = {p.key for p in registry.results_by_plugin("surety_permissions")[KEY]}
    assert permissions == {f"{KEY}:item:read", f"{KEY}:item:create"}
    assert registry.results_by_plugin("surety_default_grants")[KEY] == {
        "admin": (f"{KEY}:item:read", f"{KEY}:item:create"), "read_only": (f"{KEY}:item:read",)}
    contribution = registry.results_by_plugin("surety_graphql")[KEY]
    assert [t.__name__ for t in contribution.query] == ["ScaffoldProbeQuery"]
    assert [t.__name__ for t in contribution.mutation] == ["ScaffoldProbeMutation"]


def test_the_graphql_contribution_joins_the_schema(registry):
    sdl = str(build_schema(registry))
    assert "scaffoldProbeItems: [ScaffoldProbeItem!]!" in sdl
    assert "scaffoldProbeItemCreate(name: String!): ScaffoldProbeItemCreatePayload!" in sdl


def test_the_revision_is_the_first_of_its_own_branch(registry):
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    first = script.get_revision(KEY)
    assert (first.revision, first.down_revision, first.dependencies) == (f"{KEY}_0001", None, "0001_core")
    assert first.branch_labels == {KEY}
    assert Path(first.path).parent == Path(registry.plugin(KEY).MIGRATIONS)


@pytest.mark.slow
def test_the_migration_runs_with_core_matches_the_models_and_goes_down_again(registry):
    with fresh_database(os.environ.get("SURETY_TEST_DATABASE_URL") or None, build=False) as tdb:
        upgrade(tdb.owner_url)
        engine = create_engine(tdb.owner_url)
        try:
            with engine.connect() as conn:
                assert f"{KEY}_0001" in MigrationContext.configure(conn).get_current_heads()
                if tdb.dialect == "postgresql":
                    assert rls_status(conn)[TABLE] == (True, True)
            insp = inspect(engine)
            assert insp.get_pk_constraint(TABLE)["constrained_columns"] == ["tenant_id", "id"]
            assert [(fk["constrained_columns"], fk["referred_table"]) for fk in insp.get_foreign_keys(TABLE)] == [
                (["tenant_id"], "tenants")]
            check(tdb.owner_url)  # models and migrations agree, the generated table included

            downgrade(tdb.owner_url, f"{KEY}@base")
            assert TABLE not in inspect(engine).get_table_names()
            assert "tenants" in inspect(engine).get_table_names()
        finally:
            engine.dispose()


@pytest.mark.slow
def test_the_generated_tests_pass(generated):
    """pytest on the generated folder, as its author would run it (same database choice as this run)."""
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=generated,
                          capture_output=True, text=True, timeout=600, env=dict(os.environ), check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert " passed" in done.stdout and "error" not in done.stdout.lower(), done.stdout
