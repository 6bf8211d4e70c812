"""finance_0003 creates the fee standards table as the model has it (autogenerate finds no difference), with
row-level security on PostgreSQL, and downgrades to finance_0002 without it."""

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
TABLE = "finance_fee_standards"


def test_finance_0003_creates_the_fee_standards_and_goes_back_to_0002():
    load_all_models()
    with fresh_database(os.environ.get("SURETY_TEST_DATABASE_URL") or None, build=False) as tdb:
        migrate.upgrade(tdb.owner_url)
        engine = create_engine(tdb.owner_url)
        assert TABLE in inspect(engine).get_table_names()
        with engine.connect() as conn:
            if tdb.dialect == "postgresql":
                assert rls_status(conn)[TABLE] == (True, True)
            diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        assert [d for d in diffs if TABLE in repr(d)] == []
        migrate.downgrade(tdb.owner_url, "finance_0002")
        tables = set(inspect(engine).get_table_names())
        assert TABLE not in tables and "finance_fee_schedules" in tables
        engine.dispose()
