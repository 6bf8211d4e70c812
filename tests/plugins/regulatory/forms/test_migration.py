"""regulatory_0002 creates the forms tables (forms, reports, reminders) as the models have them (autogenerate
finds no difference), with row-level security enabled and forced on PostgreSQL, and downgrades to regulatory_0001
without them."""

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
TABLES = ("regulatory_forms", "regulatory_reports", "regulatory_report_reminders")


def test_regulatory_0002_creates_the_forms_tables_and_goes_back_to_0001():
    load_all_models()
    with fresh_database(os.environ.get("SURETY_TEST_DATABASE_URL") or None, build=False) as tdb:
        migrate.upgrade(tdb.owner_url)
        engine = create_engine(tdb.owner_url)
        assert set(TABLES) <= set(inspect(engine).get_table_names())
        with engine.connect() as conn:
            if tdb.dialect == "postgresql":
                status = rls_status(conn)
                assert all(status[t] == (True, True) for t in TABLES)
            diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        assert [d for d in diffs if any(t in repr(d) for t in TABLES)] == []
        migrate.downgrade(tdb.owner_url, "regulatory_0001")
        tables = set(inspect(engine).get_table_names())
        assert not tables & set(TABLES) and "regulatory_settings" in tables
        engine.dispose()
