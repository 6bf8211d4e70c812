"""The top-level graphql/ folder must never shadow graphql-core (DESIGN.md section 2)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_graphql_core_and_our_schema_both_import_from_the_repo_root():
    code = ("import graphql, surety.graphql.schema as s; "
            "assert hasattr(graphql, 'graphql_sync'), graphql.__file__; "
            "assert 'site-packages' in graphql.__file__; print(s.build_schema().as_str()[:10])")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert not (ROOT / "graphql" / "__init__.py").exists()
