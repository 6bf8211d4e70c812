"""Figure 16: creating a customer whose phone 500 others already share, against creating one that shares nothing.

Related parties detected from shared particulars used to be stored pairwise: the 501st customer on one phone wrote
500 relation rows (and the group as a whole 124,750). Now a shared particular is one key row per customer
(``customers_keys``) and pairs are derived when read, so both sides write the same rows.

One tenant; 500 customers with the same phone are imported first (``import_customers``). Timed: ``create_customer``
with that phone against ``create_customer`` with a phone nobody has, interleaved, each in a tenant transaction that
is rolled back after the flush (so the group stays at 500 and every run measures the same thing; the statements,
the INSERTs and their WAL are all included, the final COMMIT is not, on either side). Rows written are counted on
one untimed creation per side: the rows of every table, before and after, in the same transaction. The notes also
give what reading the group costs: the graph service for one of the 500, to depth 2.
"""

from __future__ import annotations

import contextlib
import time
import uuid

from bench_stats import Figure, SqlMeter, interleaved_ms, median, percentile
from sqlalchemy import create_engine, func, select, text

from surety.core.db.base import Base
from surety.core.db.session import Database, bind_tenant_context
from surety.core.identity.models import User
from surety.core.testing import TEST_PASSWORD
from surety.plugins.customers.imports import import_customers, rows_for
from surety.plugins.customers.models import Customer
from surety.plugins.customers.records import create_customer
from surety.plugins.customers.related import graph
from surety.plugins.customers.testing import actor_for, make_id
from surety.tenants.service import create_tenant

SHARED_PHONE = "13700000000"
#: Target: a creation sharing the phone costs at most this many times a lone one, and writes the same rows.
MAX_RATIO = 1.5


@contextlib.contextmanager
def rolled_back(db: Database, tenant_id: uuid.UUID):
    """A tenant session in one transaction that is rolled back at the end."""
    with bind_tenant_context(tenant_id), db.session(tenant_id) as s:
        s.begin()
        try:
            yield s
        finally:
            s.rollback()


def _rows(s) -> int:
    return sum(s.scalar(select(func.count()).select_from(t)) for t in Base.metadata.sorted_tables)


def run(db: Database, owner_url: str, *, others: int = 500, runs: int = 100, warmup: int = 10) -> Figure:
    tenant = create_tenant(db, slug="bench-related", name="Bench Related", plugins=["customers"],
                           admin_password=TEST_PASSWORD)
    with db.tenant_session(tenant.id) as s:
        actor = actor_for(s.scalar(select(User).where(User.username == "admin")))
    data = rows_for({"kind": "individual", "name": f"同号客户{n}", "id_number": make_id(n, born="19700101"),
                     "phone": SHARED_PHONE} for n in range(others))
    with db.tenant_session(tenant.id) as s:
        report = import_customers(s, actor, data)
    if report.imported != others:
        raise RuntimeError(f"imported {report.imported} of {others}")
    engine = create_engine(owner_url)
    try:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            for t in ("customers", "customers_keys", "customers_relations"):
                conn.execute(text(f"ANALYZE {t}"))  # as autovacuum would have by then
    finally:
        engine.dispose()
    serial = iter(range(1, 10**6))

    def create(shared: bool) -> int:
        n = next(serial)
        with rolled_back(db, tenant.id) as s:
            c = create_customer(s, actor, "individual", {
                "name": f"新客户{n}", "id_number": make_id(n % 1000, born=f"19{80 + n // 1000:02d}0101"),
                "phone": SHARED_PHONE if shared else f"136{n:08d}"})
            s.flush()
            return c.id

    def metered(shared: bool) -> tuple[int, int]:
        """Rows written and statements run by one creation (untimed)."""
        n = next(serial)
        with rolled_back(db, tenant.id) as s:
            before = _rows(s)
            with SqlMeter(db.engine) as meter:
                create_customer(s, actor, "individual", {
                    "name": f"计数客户{n}", "id_number": make_id(n % 1000, born=f"19{80 + n // 1000:02d}0101"),
                    "phone": SHARED_PHONE if shared else f"136{n:08d}"})
                s.flush()
            return _rows(s) - before, meter.statements

    def graph_of_a_holder() -> str:
        """What reading the group costs (untimed by the figure): the graph service for one of the 500, depth 2."""

        spent = []
        for _ in range(3):  # the first call also warms the permission cache; the best of three is reported
            with db.tenant_session(tenant.id) as s:
                holder = s.scalar(select(Customer.id).order_by(Customer.name_norm).limit(1))
                with SqlMeter(db.engine) as meter:
                    start = time.perf_counter()
                    g = graph(s, actor, holder, depth=2)
                    spent.append((time.perf_counter() - start) * 1000)
        return (f"graph(depth=2) of one of the {others}: {min(spent):.1f} ms (best of 3), {meter.statements} "
                f"statements, {len(g.nodes)} node(s), {len(g.edges)} edge(s), "
                f"{len(getattr(g, 'groups', ()))} group node(s)")

    rows_shared, stmts_shared = metered(True)
    rows_lone, stmts_lone = metered(False)
    ta, tb = interleaved_ms(lambda: create(True), lambda: create(False), runs, warmup)
    m_shared, m_lone = median(ta), median(tb)
    passed = rows_shared == rows_lone and m_shared <= MAX_RATIO * m_lone
    return Figure(
        what=f"Create a customer sharing a phone with {others} others vs one sharing nothing, median; rows written",
        surety=m_shared, baseline=m_lone, unit="ms", target=f"same rows written, ratio <= {MAX_RATIO}",
        passed=passed,
        notes=(f"create_customer (validation, encryption, blind indexes, key rows, engagement, version, audit, "
               f"event) in a tenant transaction rolled back after the flush; {runs} pairs interleaved after "
               f"{warmup} warm-up pairs; p95 {percentile(ta, 95):.2f} / {percentile(tb, 95):.2f} ms",
               f"rows written by one creation: {rows_shared} sharing the phone, {rows_lone} sharing nothing; "
               f"statements: {stmts_shared} / {stmts_lone}; the {others} customers on the phone were imported "
               "first (one transaction)", graph_of_a_holder()))
