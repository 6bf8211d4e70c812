"""microloan: loan products and their versions (the lending terms)

Revision ID: microloan_0001
Revises:
Create Date: 2026-12-03 10:26:13.495468
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import surety.core.db.types
from surety.core.db.rls import disable_rls, enable_rls

revision: str = 'microloan_0001'
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ('microloan',)
depends_on: str | Sequence[str] | None = ['0001_core']
#: Tenant tables of this revision: row-level security enabled and forced on each (PostgreSQL).
TABLES = ('microloan_products', 'microloan_product_versions')


def upgrade() -> None:
    op.create_table(
        'microloan_products',
        sa.Column('tenant_id', sa.Uuid(), nullable=False),
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('code', sa.String(length=40), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('created_at', surety.core.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_at', surety.core.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_microloan_products_tenant_id_tenants'),
                                ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_microloan_products')),
        sa.UniqueConstraint('tenant_id', 'code', name=op.f('uq_microloan_products_tenant_id_code')),
    )
    op.create_table(
        'microloan_product_versions',
        sa.Column('tenant_id', sa.Uuid(), nullable=False),
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('product_id', sa.Uuid(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('min_amount', surety.core.db.types.Money(), nullable=False),
        sa.Column('max_amount', surety.core.db.types.Money(), nullable=False),
        sa.Column('min_term_months', sa.Integer(), nullable=False),
        sa.Column('max_term_months', sa.Integer(), nullable=False),
        sa.Column('annual_rate', surety.core.db.types.Rate(), nullable=False),
        sa.Column('repayment_method', sa.String(length=20), nullable=False),
        sa.Column('day_count', sa.String(length=10), nullable=False),
        sa.Column('rounding', sa.String(length=20), nullable=False),
        sa.Column('upfront_fee_rate', surety.core.db.types.Rate(), nullable=False),
        sa.Column('monthly_fee_rate', surety.core.db.types.Rate(), nullable=False),
        sa.Column('penalty_uplift', surety.core.db.types.Rate(), nullable=False),
        sa.Column('grace_days', sa.Integer(), nullable=False),
        sa.Column('allocation_order', sa.String(length=100), nullable=True),
        sa.Column('created_at', surety.core.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('created_by', sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(['tenant_id', 'product_id'], ['microloan_products.tenant_id', 'microloan_products.id'],
                                name=op.f('fk_microloan_product_versions_tenant_id_product_id_microloan_products')),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'],
                                name=op.f('fk_microloan_product_versions_tenant_id_tenants'), ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_microloan_product_versions')),
        sa.UniqueConstraint('tenant_id', 'product_id', 'version',
                            name=op.f('uq_microloan_product_versions_tenant_id_product_id_version')),
    )
    for table in TABLES:
        enable_rls(op.get_bind(), table)


def downgrade() -> None:
    for table in TABLES:
        disable_rls(op.get_bind(), table)
    op.drop_table('microloan_product_versions')
    op.drop_table('microloan_products')
