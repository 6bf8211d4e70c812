"""customers: detected relations are derived from the key rows when read, no longer stored pairwise

Revision ID: customers_0002
Revises: customers_0001
Create Date: 2026-12-09 10:00:00

A key value shared by n customers was stored as up to n(n-1)/2 rows of ``customers_relations`` (``source =
'auto'``). The groups are the rows of ``customers_keys`` (one per customer and key: kind and blind index), which every
write path has kept since customers_0001, so the upgrade only deletes the pairwise copies; hand-entered relations
(``source = 'manual'``) stay. The downgrade recomputes the pairs of live customers from the key rows, as the previous
release's detection would have stored them. No table or column changes, so ``alembic check`` has nothing to report.

Both directions run once per tenant with ``app.tenant_id`` set: row-level security is forced on these tables, for
their owner too.
"""
import datetime as dt
import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from surety.core.db.types import UTCDateTime

revision: str = 'customers_0002'
down_revision: str | Sequence[str] | None = 'customers_0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: The pairing rules of the previous release (frozen here: the migration must not follow later code changes).
AUTO_TYPES = {
    ("id_number", "legal_rep"): ("legal_representative", True),
    ("id_number", "shareholder"): ("shareholder", True),
    ("legal_rep", "legal_rep"): ("common_legal_representative", False),
    ("shareholder", "shareholder"): ("common_shareholder", False),
    ("legal_rep", "shareholder"): ("shared_person", False),
    ("phone", "phone"): ("same_phone", False),
    ("address", "address"): ("same_address", False),
}
BATCH = 5000

relations = sa.table('customers_relations', sa.column('tenant_id', sa.Uuid), sa.column('id', sa.Uuid),
                     sa.column('from_customer_id', sa.Uuid), sa.column('to_customer_id', sa.Uuid),
                     sa.column('relation_type', sa.String), sa.column('source', sa.String),
                     sa.column('note', sa.String), sa.column('created_by', sa.String),
                     sa.column('created_at', UTCDateTime))
keys = sa.table('customers_keys', sa.column('tenant_id', sa.Uuid), sa.column('customer_id', sa.Uuid),
                sa.column('kind', sa.String), sa.column('value', sa.String))
customers = sa.table('customers', sa.column('tenant_id', sa.Uuid), sa.column('id', sa.Uuid),
                     sa.column('deleted_at', UTCDateTime))
tenants = sa.table('tenants', sa.column('id', sa.Uuid))


def _tenants(conn) -> list[uuid.UUID]:
    return list(conn.scalars(sa.select(tenants.c.id).order_by(tenants.c.id)))


def _bind(conn, tenant: uuid.UUID | None) -> None:
    """Row-level security: the policy reads app.tenant_id (transaction-local)."""
    if conn.dialect.name == 'postgresql':
        conn.execute(sa.select(sa.func.set_config('app.tenant_id', str(tenant) if tenant else '', True)))


def upgrade() -> None:
    conn = op.get_bind()
    for tenant in _tenants(conn):
        _bind(conn, tenant)
        conn.execute(sa.delete(relations).where(relations.c.tenant_id == tenant, relations.c.source == 'auto'))
    _bind(conn, None)


def _pairs(rows) -> dict[tuple, str]:
    """(from, to, type) -> note for the key rows of one tenant's live customers, as the previous release stored."""
    by_value: dict[str, list] = {}
    for customer_id, kind, value in rows:
        by_value.setdefault(value, []).append((customer_id, kind))
    edges: dict[tuple, str] = {}
    for holders in by_value.values():
        for a_id, a_kind in holders:
            for b_id, b_kind in holders:
                if a_id == b_id:
                    continue
                spec = AUTO_TYPES.get((a_kind, b_kind))
                if spec is None:
                    continue
                rel_type, directed = spec
                src, dst = a_id, b_id
                if not directed and str(src) > str(dst):
                    src, dst = dst, src
                edges.setdefault((src, dst, rel_type), f"shared {a_kind}/{b_kind}")
    return edges


def downgrade() -> None:
    conn = op.get_bind()
    now = dt.datetime.now(dt.timezone.utc)
    for tenant in _tenants(conn):
        _bind(conn, tenant)
        rows = conn.execute(sa.select(keys.c.customer_id, keys.c.kind, keys.c.value)
                            .join(customers, sa.and_(customers.c.tenant_id == keys.c.tenant_id,
                                                     customers.c.id == keys.c.customer_id))
                            .where(keys.c.tenant_id == tenant, customers.c.deleted_at.is_(None))).all()
        batch = []
        for (src, dst, rel_type), note in sorted(_pairs(rows).items(), key=lambda kv: tuple(map(str, kv[0]))):
            batch.append(dict(tenant_id=tenant, id=uuid.uuid4(), from_customer_id=src, to_customer_id=dst,
                              relation_type=rel_type, source='auto', note=note, created_by=None, created_at=now))
            if len(batch) >= BATCH:
                conn.execute(sa.insert(relations), batch)
                batch = []
        if batch:
            conn.execute(sa.insert(relations), batch)
    _bind(conn, None)
