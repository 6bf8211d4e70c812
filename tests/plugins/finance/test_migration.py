"""The ``finance`` migration branch: upgrading creates every table of the plugin's models (RLS enabled and forced on
PostgreSQL), the models and the migration agree (autogenerate finds no difference on the finance tables), and the
branch downgrades to base on its own."""

from __future__ import annotations

import pytest

from surety.core.db import migrate
from surety.core.db.base import Base
from surety.core.plugins import load_all_models
from surety.core.testing import migrated, table_names

pytestmark = pytest.mark.slow


def _finance_tables() -> set[str]:
    return {t for t in Base.metadata.tables if t.startswith("finance_")}


def test_the_finance_branch_upgrades_matches_the_models_and_downgrades():
    load_all_models()
    assert len(_finance_tables()) == 11
    with migrated(_finance_tables()) as (tdb, engine):
        migrate.downgrade(tdb.owner_url, "finance@base")
        assert not _finance_tables() & table_names(engine)
