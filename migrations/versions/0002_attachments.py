"""attachments

Revision ID: 0002_attachments
Revises: 0001_core
Create Date: 2026-11-22 20:02:23.192225
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import surety.core.db.types
from surety.core.db.rls import disable_rls, enable_rls

revision: str = '0002_attachments'
down_revision: str | Sequence[str] | None = '0001_core'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Tenant tables created by this revision: row-level security enabled and forced on each (PostgreSQL).
TENANT_TABLES = ('attachments',)


def upgrade() -> None:
    op.create_table('attachments',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('entity_type', sa.String(length=100), nullable=False),
    sa.Column('entity_id', sa.String(length=64), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('storage_backend', sa.String(length=50), nullable=False),
    sa.Column('storage_key', sa.String(length=200), nullable=False),
    sa.Column('uploaded_by', sa.String(length=80), nullable=False),
    sa.Column('uploaded_by_name', sa.String(length=100), nullable=True),
    sa.Column('created_at', surety.core.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', surety.core.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('deleted_by', sa.String(length=80), nullable=True),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_attachments_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_attachments'))
    )
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.create_index('ix_attachments_entity', ['tenant_id', 'entity_type', 'entity_id'], unique=False)

    bind = op.get_bind()
    for table in TENANT_TABLES:
        enable_rls(bind, table)


def downgrade() -> None:
    bind = op.get_bind()
    for table in TENANT_TABLES:
        disable_rls(bind, table)
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.drop_index('ix_attachments_entity')

    op.drop_table('attachments')
