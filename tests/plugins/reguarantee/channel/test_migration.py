"""reguarantee_0003 creates the channel tables as the models have them (autogenerate finds no difference), with
row-level security enabled and forced on PostgreSQL, and downgrades to reguarantee_0002 without them."""

from __future__ import annotations

import pytest

from surety.core.db import migrate
from surety.core.testing import migrated, table_names

pytestmark = pytest.mark.slow
TABLES = ("reguarantee_channels", "reguarantee_outbound_filings")


def test_reguarantee_0003_creates_the_channel_tables_and_goes_back_to_0002():
    with migrated(TABLES) as (tdb, engine):
        migrate.downgrade(tdb.owner_url, "reguarantee_0002")
        tables = table_names(engine)
        assert not tables & set(TABLES) and "reguarantee_filings" in tables
