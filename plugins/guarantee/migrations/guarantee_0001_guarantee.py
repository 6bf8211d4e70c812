"""guarantee: products, numbers, banks, credit lines, projects, counter-guarantees, ratings, fees, contracts, meetings, releases, compensation

Revision ID: guarantee_0001
Revises: 
Create Date: 2026-12-01 18:03:20.869468
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import surety.core.db.types
from surety.core.db.rls import disable_rls, enable_rls

revision: str = 'guarantee_0001'
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ('guarantee',)
#: Tenant tables of this revision: row-level security enabled and forced on each (PostgreSQL).
TABLES = (
    'guarantee_banks',
    'guarantee_contract_templates',
    'guarantee_number_sequences',
    'guarantee_products',
    'guarantee_scorecard_templates',
    'guarantee_settings',
    'guarantee_credit_lines',
    'guarantee_meetings',
    'guarantee_meeting_members',
    'guarantee_projects',
    'guarantee_compensations',
    'guarantee_counter_guarantees',
    'guarantee_fee_plans',
    'guarantee_meeting_items',
    'guarantee_ratings',
    'guarantee_releases',
    'guarantee_repayments',
    'guarantee_compensation_receivables',
    'guarantee_contracts',
    'guarantee_due_diligence_reports',
    'guarantee_fee_items',
    'guarantee_fee_receipts',
    'guarantee_fee_refunds',
    'guarantee_recovery_actions',
)

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
    op.create_table('guarantee_contract_templates',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('contract_type', sa.String(length=30), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('placeholders', sa.JSON(), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=True),
    sa.Column('created_at', surety.core.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_guarantee_contract_templates_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_guarantee_contract_templates')),
    sa.UniqueConstraint('tenant_id', 'contract_type', 'version', name=op.f('uq_guarantee_contract_templates_tenant_id_contract_type_version'))
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
    op.create_table('guarantee_scorecard_templates',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('customer_kind', sa.String(length=16), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('indicators', sa.JSON(), nullable=False),
    sa.Column('grades', sa.JSON(), nullable=False),
    sa.Column('updated_by', sa.Uuid(), nullable=True),
    sa.Column('created_at', surety.core.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', surety.core.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_guarantee_scorecard_templates_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_guarantee_scorecard_templates')),
    sa.UniqueConstraint('tenant_id', 'code', name=op.f('uq_guarantee_scorecard_templates_tenant_id_code'))
    )
    with op.batch_alter_table('guarantee_scorecard_templates', schema=None) as batch_op:
        batch_op.create_index('ix_guarantee_scorecard_templates_kind', ['tenant_id', 'customer_kind'], unique=False)

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

    op.create_table('guarantee_meetings',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('meeting_date', sa.Date(), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('chair_id', sa.Uuid(), nullable=False),
    sa.Column('quorum_note', sa.String(length=500), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('opened_at', surety.core.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('minutes_attachment_id', sa.Uuid(), nullable=True),
    sa.Column('created_by', sa.String(length=64), nullable=True),
    sa.Column('created_at', surety.core.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'chair_id'], ['users.tenant_id', 'users.id'], name=op.f('fk_guarantee_meetings_tenant_id_chair_id_users')),
    sa.ForeignKeyConstraint(['tenant_id', 'minutes_attachment_id'], ['attachments.tenant_id', 'attachments.id'], name=op.f('fk_guarantee_meetings_tenant_id_minutes_attachment_id_attachments')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_guarantee_meetings_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_guarantee_meetings'))
    )
    with op.batch_alter_table('guarantee_meetings', schema=None) as batch_op:
        batch_op.create_index('ix_guarantee_meetings_date', ['tenant_id', 'meeting_date', 'id'], unique=False)

    op.create_table('guarantee_meeting_members',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('meeting_id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'meeting_id'], ['guarantee_meetings.tenant_id', 'guarantee_meetings.id'], name=op.f('fk_guarantee_meeting_members_tenant_id_meeting_id_guarantee_meetings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id', 'user_id'], ['users.tenant_id', 'users.id'], name=op.f('fk_guarantee_meeting_members_tenant_id_user_id_users')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_guarantee_meeting_members_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_guarantee_meeting_members')),
    sa.UniqueConstraint('tenant_id', 'meeting_id', 'user_id', name=op.f('uq_guarantee_meeting_members_tenant_id_meeting_id_user_id'))
    )
    op.create_table('guarantee_projects',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('project_no', sa.String(length=60), nullable=True),
    sa.Column('customer_id', sa.Uuid(), nullable=False),
    sa.Column('customer_kind', sa.String(length=16), nullable=False),
    sa.Column('product_id', sa.Uuid(), nullable=False),
    sa.Column('bank_id', sa.Uuid(), nullable=True),
    sa.Column('credit_line_id', sa.Uuid(), nullable=True),
    sa.Column('credit_line_held', surety.core.db.types.Money(), nullable=False),
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

    op.create_table('guarantee_compensations',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('project_id', sa.Uuid(), nullable=False),
    sa.Column('claimed_amount', surety.core.db.types.Money(), nullable=False),
    sa.Column('claim_date', sa.Date(), nullable=False),
    sa.Column('notes', sa.String(length=500), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('claimed_by', sa.Uuid(), nullable=True),
    sa.Column('decided_by', sa.Uuid(), nullable=True),
    sa.Column('decided_at', surety.core.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decision_comment', sa.String(length=500), nullable=False),
    sa.Column('paid_amount', surety.core.db.types.Money(), nullable=True),
    sa.Column('paid_on', sa.Date(), nullable=True),
    sa.Column('paid_by', sa.Uuid(), nullable=True),
    sa.Column('created_at', surety.core.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', surety.core.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'project_id'], ['guarantee_projects.tenant_id', 'guarantee_projects.id'], name=op.f('fk_guarantee_compensations_tenant_id_project_id_guarantee_projects')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_guarantee_compensations_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_guarantee_compensations'))
    )
    with op.batch_alter_table('guarantee_compensations', schema=None) as batch_op:
        batch_op.create_index('ix_guarantee_compensations_project', ['tenant_id', 'project_id'], unique=False)

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

    op.create_table('guarantee_fee_plans',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('project_id', sa.Uuid(), nullable=False),
    sa.Column('guarantee_fee_method', sa.String(length=10), nullable=False),
    sa.Column('guarantee_fee_rate', surety.core.db.types.Rate(), nullable=True),
    sa.Column('guarantee_fee_total', surety.core.db.types.Money(), nullable=False),
    sa.Column('frequency', sa.String(length=10), nullable=False),
    sa.Column('review_fee', surety.core.db.types.Money(), nullable=False),
    sa.Column('margin_method', sa.String(length=10), nullable=False),
    sa.Column('margin_rate', surety.core.db.types.Rate(), nullable=True),
    sa.Column('margin_amount', surety.core.db.types.Money(), nullable=False),
    sa.Column('base_amount', surety.core.db.types.Money(), nullable=False),
    sa.Column('term_months', sa.Integer(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('created_at', surety.core.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', surety.core.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'project_id'], ['guarantee_projects.tenant_id', 'guarantee_projects.id'], name=op.f('fk_guarantee_fee_plans_tenant_id_project_id_guarantee_projects')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_guarantee_fee_plans_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_guarantee_fee_plans')),
    sa.UniqueConstraint('tenant_id', 'project_id', name=op.f('uq_guarantee_fee_plans_tenant_id_project_id'))
    )
    op.create_table('guarantee_meeting_items',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('meeting_id', sa.Uuid(), nullable=False),
    sa.Column('project_id', sa.Uuid(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('workflow_instance_id', sa.Uuid(), nullable=False),
    sa.Column('step_run_id', sa.Uuid(), nullable=True),
    sa.Column('convened_at', surety.core.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['tenant_id', 'meeting_id'], ['guarantee_meetings.tenant_id', 'guarantee_meetings.id'], name=op.f('fk_guarantee_meeting_items_tenant_id_meeting_id_guarantee_meetings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id', 'project_id'], ['guarantee_projects.tenant_id', 'guarantee_projects.id'], name=op.f('fk_guarantee_meeting_items_tenant_id_project_id_guarantee_projects')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_guarantee_meeting_items_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_guarantee_meeting_items')),
    sa.UniqueConstraint('tenant_id', 'meeting_id', 'project_id', name=op.f('uq_guarantee_meeting_items_tenant_id_meeting_id_project_id'))
    )
    with op.batch_alter_table('guarantee_meeting_items', schema=None) as batch_op:
        batch_op.create_index('ix_guarantee_meeting_items_project', ['tenant_id', 'project_id'], unique=False)

    op.create_table('guarantee_ratings',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('project_id', sa.Uuid(), nullable=False),
    sa.Column('customer_id', sa.Uuid(), nullable=False),
    sa.Column('template_id', sa.Uuid(), nullable=False),
    sa.Column('template_version', sa.Integer(), nullable=False),
    sa.Column('template', sa.JSON(), nullable=False),
    sa.Column('statement_period_type', sa.String(length=16), nullable=True),
    sa.Column('statement_period_end', sa.Date(), nullable=True),
    sa.Column('scores', sa.JSON(), nullable=False),
    sa.Column('total', surety.core.db.types.Rate(), nullable=False),
    sa.Column('grade', sa.String(length=10), nullable=False),
    sa.Column('comment', sa.String(length=1000), nullable=False),
    sa.Column('rated_by', sa.Uuid(), nullable=True),
    sa.Column('rated_at', surety.core.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'project_id'], ['guarantee_projects.tenant_id', 'guarantee_projects.id'], name=op.f('fk_guarantee_ratings_tenant_id_project_id_guarantee_projects'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id', 'template_id'], ['guarantee_scorecard_templates.tenant_id', 'guarantee_scorecard_templates.id'], name=op.f('fk_guarantee_ratings_tenant_id_template_id_guarantee_scorecard_templates')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_guarantee_ratings_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_guarantee_ratings'))
    )
    with op.batch_alter_table('guarantee_ratings', schema=None) as batch_op:
        batch_op.create_index('ix_guarantee_ratings_project', ['tenant_id', 'project_id', 'rated_at'], unique=False)

    op.create_table('guarantee_releases',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('project_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('reason', sa.String(length=20), nullable=False),
    sa.Column('amount', surety.core.db.types.Money(), nullable=False),
    sa.Column('balance_after', surety.core.db.types.Money(), nullable=False),
    sa.Column('released_on', sa.Date(), nullable=False),
    sa.Column('credit_line_id', sa.Uuid(), nullable=True),
    sa.Column('line_released', surety.core.db.types.Money(), nullable=False),
    sa.Column('margin_refunded', surety.core.db.types.Money(), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('created_at', surety.core.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'credit_line_id'], ['guarantee_credit_lines.tenant_id', 'guarantee_credit_lines.id'], name=op.f('fk_guarantee_releases_tenant_id_credit_line_id_guarantee_credit_lines')),
    sa.ForeignKeyConstraint(['tenant_id', 'project_id'], ['guarantee_projects.tenant_id', 'guarantee_projects.id'], name=op.f('fk_guarantee_releases_tenant_id_project_id_guarantee_projects')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_guarantee_releases_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_guarantee_releases'))
    )
    with op.batch_alter_table('guarantee_releases', schema=None) as batch_op:
        batch_op.create_index('ix_guarantee_releases_project', ['tenant_id', 'project_id'], unique=False)

    op.create_table('guarantee_repayments',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('project_id', sa.Uuid(), nullable=False),
    sa.Column('amount', surety.core.db.types.Money(), nullable=False),
    sa.Column('repaid_on', sa.Date(), nullable=False),
    sa.Column('balance_after', surety.core.db.types.Money(), nullable=False),
    sa.Column('reference', sa.String(length=100), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('created_at', surety.core.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'project_id'], ['guarantee_projects.tenant_id', 'guarantee_projects.id'], name=op.f('fk_guarantee_repayments_tenant_id_project_id_guarantee_projects')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_guarantee_repayments_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_guarantee_repayments'))
    )
    with op.batch_alter_table('guarantee_repayments', schema=None) as batch_op:
        batch_op.create_index('ix_guarantee_repayments_project', ['tenant_id', 'project_id'], unique=False)

    op.create_table('guarantee_compensation_receivables',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('compensation_id', sa.Uuid(), nullable=False),
    sa.Column('project_id', sa.Uuid(), nullable=False),
    sa.Column('paid', surety.core.db.types.Money(), nullable=False),
    sa.Column('recovered', surety.core.db.types.Money(), nullable=False),
    sa.Column('written_off', surety.core.db.types.Money(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('opened_on', sa.Date(), nullable=False),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('write_off_reason', sa.String(length=500), nullable=False),
    sa.Column('write_off_proposed_by', sa.Uuid(), nullable=True),
    sa.Column('write_off_proposed_at', surety.core.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('written_off_by', sa.Uuid(), nullable=True),
    sa.Column('written_off_on', sa.Date(), nullable=True),
    sa.Column('created_at', surety.core.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', surety.core.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'compensation_id'], ['guarantee_compensations.tenant_id', 'guarantee_compensations.id'], name=op.f('fk_guarantee_compensation_receivables_tenant_id_compensation_id_guarantee_compensations')),
    sa.ForeignKeyConstraint(['tenant_id', 'project_id'], ['guarantee_projects.tenant_id', 'guarantee_projects.id'], name=op.f('fk_guarantee_compensation_receivables_tenant_id_project_id_guarantee_projects')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_guarantee_compensation_receivables_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_guarantee_compensation_receivables')),
    sa.UniqueConstraint('tenant_id', 'compensation_id', name=op.f('uq_guarantee_compensation_receivables_tenant_id_compensation_id'))
    )
    with op.batch_alter_table('guarantee_compensation_receivables', schema=None) as batch_op:
        batch_op.create_index('ix_guarantee_compensation_receivables_project', ['tenant_id', 'project_id'], unique=False)

    op.create_table('guarantee_contracts',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('project_id', sa.Uuid(), nullable=False),
    sa.Column('contract_type', sa.String(length=30), nullable=False),
    sa.Column('contract_no', sa.String(length=80), nullable=False),
    sa.Column('counter_guarantee_id', sa.Uuid(), nullable=True),
    sa.Column('template_id', sa.Uuid(), nullable=False),
    sa.Column('template_version', sa.Integer(), nullable=False),
    sa.Column('attachment_id', sa.Uuid(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('esign_reference', sa.String(length=200), nullable=True),
    sa.Column('sent_at', surety.core.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('sent_by', sa.String(length=64), nullable=True),
    sa.Column('signed_at', surety.core.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('signed_on', sa.Date(), nullable=True),
    sa.Column('signed_via', sa.String(length=16), nullable=True),
    sa.Column('signed_attachment_id', sa.Uuid(), nullable=True),
    sa.Column('signers', sa.JSON(), nullable=False),
    sa.Column('recorded_by', sa.String(length=64), nullable=True),
    sa.Column('created_by', sa.String(length=64), nullable=True),
    sa.Column('created_at', surety.core.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', surety.core.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'attachment_id'], ['attachments.tenant_id', 'attachments.id'], name=op.f('fk_guarantee_contracts_tenant_id_attachment_id_attachments')),
    sa.ForeignKeyConstraint(['tenant_id', 'counter_guarantee_id'], ['guarantee_counter_guarantees.tenant_id', 'guarantee_counter_guarantees.id'], name=op.f('fk_guarantee_contracts_tenant_id_counter_guarantee_id_guarantee_counter_guarantees')),
    sa.ForeignKeyConstraint(['tenant_id', 'project_id'], ['guarantee_projects.tenant_id', 'guarantee_projects.id'], name=op.f('fk_guarantee_contracts_tenant_id_project_id_guarantee_projects')),
    sa.ForeignKeyConstraint(['tenant_id', 'signed_attachment_id'], ['attachments.tenant_id', 'attachments.id'], name=op.f('fk_guarantee_contracts_tenant_id_signed_attachment_id_attachments')),
    sa.ForeignKeyConstraint(['tenant_id', 'template_id'], ['guarantee_contract_templates.tenant_id', 'guarantee_contract_templates.id'], name=op.f('fk_guarantee_contracts_tenant_id_template_id_guarantee_contract_templates')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_guarantee_contracts_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_guarantee_contracts')),
    sa.UniqueConstraint('tenant_id', 'esign_reference', name=op.f('uq_guarantee_contracts_tenant_id_esign_reference'))
    )
    with op.batch_alter_table('guarantee_contracts', schema=None) as batch_op:
        batch_op.create_index('ix_guarantee_contracts_project', ['tenant_id', 'project_id', 'status'], unique=False)

    op.create_table('guarantee_due_diligence_reports',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('project_id', sa.Uuid(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('business_overview', sa.Text(), nullable=False),
    sa.Column('financial_analysis', sa.Text(), nullable=False),
    sa.Column('repayment_source', sa.Text(), nullable=False),
    sa.Column('counter_guarantee_analysis', sa.Text(), nullable=False),
    sa.Column('risks', sa.Text(), nullable=False),
    sa.Column('conclusion', sa.Text(), nullable=False),
    sa.Column('recommended_amount', surety.core.db.types.Money(), nullable=True),
    sa.Column('recommended_term_months', sa.Integer(), nullable=True),
    sa.Column('recommended_rate', surety.core.db.types.Rate(), nullable=True),
    sa.Column('rating_id', sa.Uuid(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Uuid(), nullable=True),
    sa.Column('submitted_by', sa.Uuid(), nullable=True),
    sa.Column('submitted_at', surety.core.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', surety.core.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', surety.core.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'project_id'], ['guarantee_projects.tenant_id', 'guarantee_projects.id'], name=op.f('fk_guarantee_due_diligence_reports_tenant_id_project_id_guarantee_projects'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id', 'rating_id'], ['guarantee_ratings.tenant_id', 'guarantee_ratings.id'], name=op.f('fk_guarantee_due_diligence_reports_tenant_id_rating_id_guarantee_ratings')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_guarantee_due_diligence_reports_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_guarantee_due_diligence_reports')),
    sa.UniqueConstraint('tenant_id', 'project_id', name=op.f('uq_guarantee_due_diligence_reports_tenant_id_project_id'))
    )
    op.create_table('guarantee_fee_items',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('plan_id', sa.Uuid(), nullable=False),
    sa.Column('project_id', sa.Uuid(), nullable=False),
    sa.Column('fee_type', sa.String(length=20), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=True),
    sa.Column('period_end', sa.Date(), nullable=True),
    sa.Column('amount', surety.core.db.types.Money(), nullable=False),
    sa.Column('received', surety.core.db.types.Money(), nullable=False),
    sa.Column('refunded', surety.core.db.types.Money(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'plan_id'], ['guarantee_fee_plans.tenant_id', 'guarantee_fee_plans.id'], name=op.f('fk_guarantee_fee_items_tenant_id_plan_id_guarantee_fee_plans'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id', 'project_id'], ['guarantee_projects.tenant_id', 'guarantee_projects.id'], name=op.f('fk_guarantee_fee_items_tenant_id_project_id_guarantee_projects')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_guarantee_fee_items_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_guarantee_fee_items')),
    sa.UniqueConstraint('tenant_id', 'project_id', 'fee_type', 'seq', name=op.f('uq_guarantee_fee_items_tenant_id_project_id_fee_type_seq'))
    )
    with op.batch_alter_table('guarantee_fee_items', schema=None) as batch_op:
        batch_op.create_index('ix_guarantee_fee_items_due', ['tenant_id', 'due_date'], unique=False)

    op.create_table('guarantee_fee_receipts',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('project_id', sa.Uuid(), nullable=False),
    sa.Column('item_id', sa.Uuid(), nullable=False),
    sa.Column('fee_type', sa.String(length=20), nullable=False),
    sa.Column('amount', surety.core.db.types.Money(), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('reference', sa.String(length=100), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('created_at', surety.core.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'item_id'], ['guarantee_fee_items.tenant_id', 'guarantee_fee_items.id'], name=op.f('fk_guarantee_fee_receipts_tenant_id_item_id_guarantee_fee_items')),
    sa.ForeignKeyConstraint(['tenant_id', 'project_id'], ['guarantee_projects.tenant_id', 'guarantee_projects.id'], name=op.f('fk_guarantee_fee_receipts_tenant_id_project_id_guarantee_projects')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_guarantee_fee_receipts_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_guarantee_fee_receipts'))
    )
    with op.batch_alter_table('guarantee_fee_receipts', schema=None) as batch_op:
        batch_op.create_index('ix_guarantee_fee_receipts_project', ['tenant_id', 'project_id'], unique=False)

    op.create_table('guarantee_fee_refunds',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('project_id', sa.Uuid(), nullable=False),
    sa.Column('item_id', sa.Uuid(), nullable=False),
    sa.Column('fee_type', sa.String(length=20), nullable=False),
    sa.Column('amount', surety.core.db.types.Money(), nullable=False),
    sa.Column('refunded_on', sa.Date(), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('created_at', surety.core.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'item_id'], ['guarantee_fee_items.tenant_id', 'guarantee_fee_items.id'], name=op.f('fk_guarantee_fee_refunds_tenant_id_item_id_guarantee_fee_items')),
    sa.ForeignKeyConstraint(['tenant_id', 'project_id'], ['guarantee_projects.tenant_id', 'guarantee_projects.id'], name=op.f('fk_guarantee_fee_refunds_tenant_id_project_id_guarantee_projects')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_guarantee_fee_refunds_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_guarantee_fee_refunds'))
    )
    with op.batch_alter_table('guarantee_fee_refunds', schema=None) as batch_op:
        batch_op.create_index('ix_guarantee_fee_refunds_project', ['tenant_id', 'project_id'], unique=False)

    op.create_table('guarantee_recovery_actions',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('receivable_id', sa.Uuid(), nullable=False),
    sa.Column('project_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('action_date', sa.Date(), nullable=False),
    sa.Column('notes', sa.String(length=1000), nullable=False),
    sa.Column('amount', surety.core.db.types.Money(), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('created_at', surety.core.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'project_id'], ['guarantee_projects.tenant_id', 'guarantee_projects.id'], name=op.f('fk_guarantee_recovery_actions_tenant_id_project_id_guarantee_projects')),
    sa.ForeignKeyConstraint(['tenant_id', 'receivable_id'], ['guarantee_compensation_receivables.tenant_id', 'guarantee_compensation_receivables.id'], name=op.f('fk_guarantee_recovery_actions_tenant_id_receivable_id_guarantee_compensation_receivables')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_guarantee_recovery_actions_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_guarantee_recovery_actions'))
    )
    with op.batch_alter_table('guarantee_recovery_actions', schema=None) as batch_op:
        batch_op.create_index('ix_guarantee_recovery_actions_receivable', ['tenant_id', 'receivable_id'], unique=False)

    bind = op.get_bind()
    for table in TABLES:
        enable_rls(bind, table)


def downgrade() -> None:
    bind = op.get_bind()
    for table in TABLES:
        disable_rls(bind, table)
    with op.batch_alter_table('guarantee_recovery_actions', schema=None) as batch_op:
        batch_op.drop_index('ix_guarantee_recovery_actions_receivable')

    op.drop_table('guarantee_recovery_actions')
    with op.batch_alter_table('guarantee_fee_refunds', schema=None) as batch_op:
        batch_op.drop_index('ix_guarantee_fee_refunds_project')

    op.drop_table('guarantee_fee_refunds')
    with op.batch_alter_table('guarantee_fee_receipts', schema=None) as batch_op:
        batch_op.drop_index('ix_guarantee_fee_receipts_project')

    op.drop_table('guarantee_fee_receipts')
    with op.batch_alter_table('guarantee_fee_items', schema=None) as batch_op:
        batch_op.drop_index('ix_guarantee_fee_items_due')

    op.drop_table('guarantee_fee_items')
    op.drop_table('guarantee_due_diligence_reports')
    with op.batch_alter_table('guarantee_contracts', schema=None) as batch_op:
        batch_op.drop_index('ix_guarantee_contracts_project')

    op.drop_table('guarantee_contracts')
    with op.batch_alter_table('guarantee_compensation_receivables', schema=None) as batch_op:
        batch_op.drop_index('ix_guarantee_compensation_receivables_project')

    op.drop_table('guarantee_compensation_receivables')
    with op.batch_alter_table('guarantee_repayments', schema=None) as batch_op:
        batch_op.drop_index('ix_guarantee_repayments_project')

    op.drop_table('guarantee_repayments')
    with op.batch_alter_table('guarantee_releases', schema=None) as batch_op:
        batch_op.drop_index('ix_guarantee_releases_project')

    op.drop_table('guarantee_releases')
    with op.batch_alter_table('guarantee_ratings', schema=None) as batch_op:
        batch_op.drop_index('ix_guarantee_ratings_project')

    op.drop_table('guarantee_ratings')
    with op.batch_alter_table('guarantee_meeting_items', schema=None) as batch_op:
        batch_op.drop_index('ix_guarantee_meeting_items_project')

    op.drop_table('guarantee_meeting_items')
    op.drop_table('guarantee_fee_plans')
    with op.batch_alter_table('guarantee_counter_guarantees', schema=None) as batch_op:
        batch_op.drop_index('ix_guarantee_counter_guarantees_project')

    op.drop_table('guarantee_counter_guarantees')
    with op.batch_alter_table('guarantee_compensations', schema=None) as batch_op:
        batch_op.drop_index('ix_guarantee_compensations_project')

    op.drop_table('guarantee_compensations')
    with op.batch_alter_table('guarantee_projects', schema=None) as batch_op:
        batch_op.drop_index('ix_guarantee_projects_status')
        batch_op.drop_index('ix_guarantee_projects_org_unit')
        batch_op.drop_index('ix_guarantee_projects_manager')
        batch_op.drop_index('ix_guarantee_projects_list')
        batch_op.drop_index('ix_guarantee_projects_customer')

    op.drop_table('guarantee_projects')
    op.drop_table('guarantee_meeting_members')
    with op.batch_alter_table('guarantee_meetings', schema=None) as batch_op:
        batch_op.drop_index('ix_guarantee_meetings_date')

    op.drop_table('guarantee_meetings')
    with op.batch_alter_table('guarantee_credit_lines', schema=None) as batch_op:
        batch_op.drop_index('ix_guarantee_credit_lines_bank')

    op.drop_table('guarantee_credit_lines')
    op.drop_table('guarantee_settings')
    with op.batch_alter_table('guarantee_scorecard_templates', schema=None) as batch_op:
        batch_op.drop_index('ix_guarantee_scorecard_templates_kind')

    op.drop_table('guarantee_scorecard_templates')
    op.drop_table('guarantee_products')
    op.drop_table('guarantee_number_sequences')
    op.drop_table('guarantee_contract_templates')
    op.drop_table('guarantee_banks')
