"""The top-level graphql/ folder must never shadow graphql-core (DESIGN.md section 2)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from alembic.script import ScriptDirectory

from surety.core.db.migrate import alembic_config
from surety.core.settings import PACKAGE_ROOT, REPO_ROOT, default_var_dir

ROOT = Path(__file__).resolve().parent.parent


def test_graphql_core_and_our_schema_both_import_from_the_repo_root():
    code = ("import graphql, surety.graphql.schema as s; "
            "assert hasattr(graphql, 'graphql_sync'), graphql.__file__; "
            "assert 'site-packages' in graphql.__file__; print(s.build_schema().as_str()[:10])")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert not (ROOT / "graphql" / "__init__.py").exists()


def test_surety_db_builds_its_alembic_config_in_code_from_the_package():
    """An installed wheel has no alembic.ini: the environment and every version folder come from the package."""
    cfg = alembic_config("sqlite://")
    assert cfg.config_file_name is None
    script = ScriptDirectory.from_config(cfg)
    assert Path(script.dir) == PACKAGE_ROOT / "migrations"
    assert {Path(loc) for loc in script.version_locations} >= {
        PACKAGE_ROOT / "migrations" / "versions", PACKAGE_ROOT / "plugins" / "customers" / "migrations",
        PACKAGE_ROOT / "plugins" / "guarantee" / "migrations"}
    assert script.get_revision("0001_core") is not None
    # In a checkout the package is the repository root and var/ is the checkout's.
    assert REPO_ROOT == PACKAGE_ROOT == ROOT and default_var_dir() == ROOT / "var"
