"""PostgreSQL: under row-level security the name-prefix range is an index condition (LIKE is not: textlike is not
leakproof, so the planner may not evaluate it before the policy)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from surety.plugins.customers.records import create_customer
from surety.plugins.customers.testing import individual

pytestmark = pytest.mark.postgres

PLAN = "EXPLAIN SELECT id FROM customers WHERE tenant_id = :t AND {cond} ORDER BY name_norm, id LIMIT 50"


def _index_conds(s, tenant_id, cond: str, **params) -> str:
    s.execute(text("SET LOCAL enable_seqscan = off"))
    s.execute(text("SET LOCAL enable_bitmapscan = off"))
    # An index giving the order, not a sort: with the whole suite's rows of other tenants in the table the planner may
    # otherwise read this tenant's few rows by the tenant index and sort them (seen once in CI).
    s.execute(text("SET LOCAL enable_sort = off"))
    rows = s.execute(text(PLAN.format(cond=cond)), {"t": tenant_id, **params}).scalars().all()
    return "\n".join(r for r in rows if "Index Cond" in r)


def test_prefix_range_uses_the_name_index_under_rls(db, world):
    with db.tenant_session(world.tenant.id) as s:
        create_customer(s, world.actors["mgr_a"], "individual", individual(1))
        ranged = _index_conds(s, world.tenant.id, "name_norm >= :p AND name_norm < :q", p="张",
                               q=chr(ord("张") + 1))
        liked = _index_conds(s, world.tenant.id, "name_norm LIKE :p", p="张%")
    assert "name_norm" in ranged
    assert "name_norm" not in liked  # why search.prefix_match avoids LIKE
