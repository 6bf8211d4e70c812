"""guarantee: settings, numbers, products, banks, credit lines, projects, counter-guarantees

Revision ID: guarantee_0001
Revises: 
Create Date: 2026-12-01 16:25:44.775313
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import surety.core.db.types
from surety.core.db.rls import disable_rls, enable_rls

revision: str = 'guarantee_0001'
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ('guarantee',)
TABLES = ('guarantee_banks', 'guarantee_number_sequences', 'guarantee_products', 'guarantee_settings', 'guarantee_credit_lines', 'guarantee_projects', 'guarantee_counter_guarantees')

depends_on: str | Sequence[str] | None = ['customers_0001', '0003_workflow']


def upgrade() -> None:
    op.create_table('guarantee_banks',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', surety.core.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_guarantee_banks_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_guarantee_banks')),
    sa.UniqueConstraint('tenant_id', 'code', name=op.f('uq_guarantee_banks_tenant_id_code'))
    )
    op.create_table('guarantee_number_sequences',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('prefix', sa.String(length=60), nullable=False),
    sa.Column('last_value', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_guarantee_number_sequences_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_guarantee_number_sequences')),
    sa.UniqueConstraint('tenant_id', 'prefix', name=op.f('uq_guarantee_number_sequences_tenant_id_prefix'))
    )
    op.create_table('guarantee_products',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('min_amount', surety.core.db.types.Money(), nullable=False),
    sa.Column('max_amount', surety.core.db.types.Money(), nullable=True),
    sa.Column('min_term_months', sa.Integer(), nullable=False),
    sa.Column('max_term_months', sa.Integer(), nullable=False),
    sa.Column('default_fee_rate', surety.core.db.types.Rate(), nullable=True),
    sa.Column('requires_counter_guarantee', sa.Boolean(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', surety.core.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_guarantee_products_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_guarantee_products')),
    sa.UniqueConstraint('tenant_id', 'code', name=op.f('uq_guarantee_products_tenant_id_code'))
    )
    op.create_table('guarantee_settings',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('number_pattern', sa.String(length=60), nullable=False),
    sa.Column('committee_threshold', surety.core.db.types.Money(), nullable=False),
    sa.Column('green_channel_max', surety.core.db.types.Money(), nullable=False),
    sa.Column('risk_weights', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_guarantee_settings_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_guarantee_settings')),
    sa.UniqueConstraint('tenant_id', name=op.f('uq_guarantee_settings_tenant_id'))
    )
    op.create_table('guarantee_credit_lines',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('bank_id', sa.Uuid(), nullable=False),
    sa.Column('total', surety.core.db.types.Money(), nullable=False),
    sa.Column('used', surety.core.db.types.Money(), nullable=False),
    sa.Column('risk_share_ratio', surety.core.db.types.Rate(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', surety.core.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'bank_id'], ['guarantee_banks.tenant_id', 'guarantee_banks.id'], name=op.f('fk_guarantee_credit_lines_tenant_id_bank_id_guarantee_banks')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_guarantee_credit_lines_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_guarantee_credit_lines'))
    )
    with op.batch_alter_table('guarantee_credit_lines', schema=None) as batch_op:
        batch_op.create_index('ix_guarantee_credit_lines_bank', ['tenant_id', 'bank_id'], unique=False)

    op.create_table('guarantee_projects',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('project_no', sa.String(length=60), nullable=False),
    sa.Column('customer_id', sa.Uuid(), nullable=False),
    sa.Column('customer_kind', sa.String(length=16), nullable=False),
    sa.Column('product_id', sa.Uuid(), nullable=False),
    sa.Column('bank_id', sa.Uuid(), nullable=True),
    sa.Column('credit_line_id', sa.Uuid(), nullable=True),
    sa.Column('amount', surety.core.db.types.Money(), nullable=False),
    sa.Column('term_months', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.String(length=500), nullable=False),
    sa.Column('loan_category', sa.String(length=20), nullable=False),
    sa.Column('renewal', sa.Boolean(), nullable=False),
    sa.Column('manager_a_id', sa.Uuid(), nullable=False),
    sa.Column('manager_b_id', sa.Uuid(), nullable=True),
    sa.Column('org_unit_id', sa.Uuid(), nullable=True),
    sa.Column('owner_id', sa.Uuid(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('flags', sa.JSON(), nullable=False),
    sa.Column('workflow_instance_id', sa.Uuid(), nullable=True),
    sa.Column('risk_degree', surety.core.db.types.Rate(), nullable=True),
    sa.Column('risk_amount', surety.core.db.types.Money(), nullable=True),
    sa.Column('loan_contract_no', sa.String(length=100), nullable=True),
    sa.Column('loan_amount', surety.core.db.types.Money(), nullable=True),
    sa.Column('loan_start_date', sa.Date(), nullable=True),
    sa.Column('loan_end_date', sa.Date(), nullable=True),
    sa.Column('loan_rate', surety.core.db.types.Rate(), nullable=True),
    sa.Column('effective_date', sa.Date(), nullable=True),
    sa.Column('in_force_balance', surety.core.db.types.Money(), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('created_at', surety.core.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('submitted_at', surety.core.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decided_at', surety.core.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('updated_at', surety.core.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'bank_id'], ['guarantee_banks.tenant_id', 'guarantee_banks.id'], name=op.f('fk_guarantee_projects_tenant_id_bank_id_guarantee_banks')),
    sa.ForeignKeyConstraint(['tenant_id', 'credit_line_id'], ['guarantee_credit_lines.tenant_id', 'guarantee_credit_lines.id'], name=op.f('fk_guarantee_projects_tenant_id_credit_line_id_guarantee_credit_lines')),
    sa.ForeignKeyConstraint(['tenant_id', 'customer_id'], ['customers.tenant_id', 'customers.id'], name=op.f('fk_guarantee_projects_tenant_id_customer_id_customers')),
    sa.ForeignKeyConstraint(['tenant_id', 'manager_a_id'], ['users.tenant_id', 'users.id'], name=op.f('fk_guarantee_projects_tenant_id_manager_a_id_users')),
    sa.ForeignKeyConstraint(['tenant_id', 'manager_b_id'], ['users.tenant_id', 'users.id'], name=op.f('fk_guarantee_projects_tenant_id_manager_b_id_users')),
    sa.ForeignKeyConstraint(['tenant_id', 'org_unit_id'], ['org_units.tenant_id', 'org_units.id'], name=op.f('fk_guarantee_projects_tenant_id_org_unit_id_org_units')),
    sa.ForeignKeyConstraint(['tenant_id', 'product_id'], ['guarantee_products.tenant_id', 'guarantee_products.id'], name=op.f('fk_guarantee_projects_tenant_id_product_id_guarantee_products')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_guarantee_projects_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_guarantee_projects')),
    sa.UniqueConstraint('tenant_id', 'project_no', name=op.f('uq_guarantee_projects_tenant_id_project_no'))
    )
    with op.batch_alter_table('guarantee_projects', schema=None) as batch_op:
        batch_op.create_index('ix_guarantee_projects_customer', ['tenant_id', 'customer_id'], unique=False)
        batch_op.create_index('ix_guarantee_projects_list', ['tenant_id', 'created_at', 'id'], unique=False)
        batch_op.create_index('ix_guarantee_projects_manager', ['tenant_id', 'manager_a_id'], unique=False)
        batch_op.create_index('ix_guarantee_projects_org_unit', ['tenant_id', 'org_unit_id'], unique=False)
        batch_op.create_index('ix_guarantee_projects_status', ['tenant_id', 'status'], unique=False)

    op.create_table('guarantee_counter_guarantees',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('project_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('description', sa.String(length=500), nullable=False),
    sa.Column('owner_name', sa.String(length=200), nullable=True),
    sa.Column('collateral', sa.JSON(), nullable=False),
    sa.Column('valuation', surety.core.db.types.Money(), nullable=False),
    sa.Column('valuation_date', sa.Date(), nullable=True),
    sa.Column('discount_rate', surety.core.db.types.Rate(), nullable=False),
    sa.Column('created_at', surety.core.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'project_id'], ['guarantee_projects.tenant_id', 'guarantee_projects.id'], name=op.f('fk_guarantee_counter_guarantees_tenant_id_project_id_guarantee_projects'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_guarantee_counter_guarantees_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_guarantee_counter_guarantees'))
    )
    with op.batch_alter_table('guarantee_counter_guarantees', schema=None) as batch_op:
        batch_op.create_index('ix_guarantee_counter_guarantees_project', ['tenant_id', 'project_id'], unique=False)

    bind = op.get_bind()
    for table in TABLES:
        enable_rls(bind, table)


def downgrade() -> None:
    bind = op.get_bind()
    for table in TABLES:
        disable_rls(bind, table)
    with op.batch_alter_table('guarantee_counter_guarantees', schema=None) as batch_op:
        batch_op.drop_index('ix_guarantee_counter_guarantees_project')

    op.drop_table('guarantee_counter_guarantees')
    with op.batch_alter_table('guarantee_projects', schema=None) as batch_op:
        batch_op.drop_index('ix_guarantee_projects_status')
        batch_op.drop_index('ix_guarantee_projects_org_unit')
        batch_op.drop_index('ix_guarantee_projects_manager')
        batch_op.drop_index('ix_guarantee_projects_list')
        batch_op.drop_index('ix_guarantee_projects_customer')

    op.drop_table('guarantee_projects')
    with op.batch_alter_table('guarantee_credit_lines', schema=None) as batch_op:
        batch_op.drop_index('ix_guarantee_credit_lines_bank')

    op.drop_table('guarantee_credit_lines')
    op.drop_table('guarantee_settings')
    op.drop_table('guarantee_products')
    op.drop_table('guarantee_number_sequences')
    op.drop_table('guarantee_banks')
