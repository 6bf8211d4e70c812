"""idempotency keys of money mutations (core/idempotency.py)

Revision ID: 0006_idempotency_keys
Revises: 0005_tenant_unique_indexes
Create Date: 2026-12-08 10:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import surety.core.db.types
from surety.core.db.rls import disable_rls, enable_rls

revision: str = '0006_idempotency_keys'
down_revision: str | Sequence[str] | None = '0005_tenant_unique_indexes'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Tenant tables created by this revision: row-level security enabled and forced on each (PostgreSQL).
TENANT_TABLES = ('idempotency_keys',)


def upgrade() -> None:
    op.create_table('idempotency_keys',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('scope', sa.String(length=100), nullable=False),
    sa.Column('key', sa.String(length=128), nullable=False),
    sa.Column('actor', sa.String(length=80), nullable=False),
    sa.Column('params_hash', sa.String(length=64), nullable=False),
    sa.Column('result', sa.JSON(), nullable=True),
    sa.Column('created_at', surety.core.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', surety.core.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_idempotency_keys_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_idempotency_keys')),
    sa.UniqueConstraint('tenant_id', 'scope', 'key', name=op.f('uq_idempotency_keys_tenant_id_scope_key'))
    )
    with op.batch_alter_table('idempotency_keys', schema=None) as batch_op:
        batch_op.create_index('ix_idempotency_keys_expires', ['tenant_id', 'expires_at'], unique=False)

    bind = op.get_bind()
    for table in TENANT_TABLES:
        enable_rls(bind, table)


def downgrade() -> None:
    bind = op.get_bind()
    for table in TENANT_TABLES:
        disable_rls(bind, table)
    with op.batch_alter_table('idempotency_keys', schema=None) as batch_op:
        batch_op.drop_index('ix_idempotency_keys_expires')

    op.drop_table('idempotency_keys')
