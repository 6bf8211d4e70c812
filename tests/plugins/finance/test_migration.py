"""The ``finance`` migration branch: upgrading creates every table of the plugin's models (RLS enabled and forced on
PostgreSQL), the models and the migration agree (autogenerate finds no difference on the finance tables), and the
branch downgrades to base on its own."""

from __future__ import annotations

import os

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from surety.core.db import migrate
from surety.core.db.base import Base
from surety.core.db.rls import rls_status
from surety.core.plugins import load_all_models
from surety.core.testing import fresh_database

pytestmark = pytest.mark.slow


def _finance_tables() -> set[str]:
    return {t for t in Base.metadata.tables if t.startswith("finance_")}


def test_the_finance_branch_upgrades_matches_the_models_and_downgrades():
    load_all_models()
    assert len(_finance_tables()) == 11
    with fresh_database(os.environ.get("SURETY_TEST_DATABASE_URL") or None, build=False) as tdb:
        migrate.upgrade(tdb.owner_url)
        engine = create_engine(tdb.owner_url)
        assert _finance_tables() <= set(inspect(engine).get_table_names())
        with engine.connect() as conn:
            if tdb.dialect == "postgresql":
                status = rls_status(conn)
                assert all(status[t] == (True, True) for t in _finance_tables())
            diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        ours = [d for d in diffs if "finance_" in repr(d)]
        assert ours == []
        migrate.downgrade(tdb.owner_url, "finance@base")
        assert not _finance_tables() & set(inspect(engine).get_table_names())
        engine.dispose()
