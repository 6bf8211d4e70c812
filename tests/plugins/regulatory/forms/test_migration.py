"""regulatory_0002 creates the forms tables (forms, reports, reminders) as the models have them (autogenerate
finds no difference), with row-level security enabled and forced on PostgreSQL, and downgrades to regulatory_0001
without them."""

from __future__ import annotations

import pytest

from surety.core.db import migrate
from surety.core.testing import migrated, table_names

pytestmark = pytest.mark.slow
TABLES = ("regulatory_forms", "regulatory_reports", "regulatory_report_reminders")


def test_regulatory_0002_creates_the_forms_tables_and_goes_back_to_0001():
    with migrated(TABLES) as (tdb, engine):
        migrate.downgrade(tdb.owner_url, "regulatory_0001")
        tables = table_names(engine)
        assert not tables & set(TABLES) and "regulatory_settings" in tables
