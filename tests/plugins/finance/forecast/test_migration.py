"""finance_0003 creates the fee standards table as the model has it (autogenerate finds no difference), with
row-level security on PostgreSQL, and downgrades to finance_0002 without it."""

from __future__ import annotations

import pytest

from surety.core.db import migrate
from surety.core.testing import migrated, table_names

pytestmark = pytest.mark.slow
TABLE = "finance_fee_standards"


def test_finance_0003_creates_the_fee_standards_and_goes_back_to_0002():
    with migrated([TABLE]) as (tdb, engine):
        migrate.downgrade(tdb.owner_url, "finance_0002")
        tables = table_names(engine)
        assert TABLE not in tables and "finance_fee_schedules" in tables
