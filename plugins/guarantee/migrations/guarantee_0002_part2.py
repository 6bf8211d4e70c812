"""guarantee part 2: monitoring, warnings, classification, reminders, ledger, portal

Revision ID: guarantee_0002
Revises: guarantee_0001
Create Date: 2026-12-01 19:23:49.462570
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import surety.core.db.types
from surety.core.db.rls import disable_rls, enable_rls

revision: str = 'guarantee_0002'
down_revision: str | Sequence[str] | None = 'guarantee_0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None
#: New tenant tables of this revision: row-level security enabled and forced on each (PostgreSQL).
TABLES = (
    'guarantee_warning_indicators',
    'guarantee_portal_links',
    'guarantee_classification_changes',
    'guarantee_inspection_plans',
    'guarantee_inspections',
    'guarantee_ledger_entries',
    'guarantee_overdue_reports',
    'guarantee_reminders',
    'guarantee_warnings',
)


def upgrade() -> None:
    op.create_table('guarantee_warning_indicators',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('threshold', surety.core.db.types.Rate(), nullable=True),
    sa.Column('level', sa.String(length=10), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', surety.core.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_guarantee_warning_indicators_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_guarantee_warning_indicators')),
    sa.UniqueConstraint('tenant_id', 'code', name=op.f('uq_guarantee_warning_indicators_tenant_id_code'))
    )
    op.create_table('guarantee_portal_links',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('customer_id', sa.Uuid(), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('created_at', surety.core.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'customer_id'], ['customers.tenant_id', 'customers.id'], name=op.f('fk_guarantee_portal_links_tenant_id_customer_id_customers')),
    sa.ForeignKeyConstraint(['tenant_id', 'user_id'], ['users.tenant_id', 'users.id'], name=op.f('fk_guarantee_portal_links_tenant_id_user_id_users')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_guarantee_portal_links_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_guarantee_portal_links')),
    sa.UniqueConstraint('tenant_id', 'user_id', name=op.f('uq_guarantee_portal_links_tenant_id_user_id'))
    )
    with op.batch_alter_table('guarantee_portal_links', schema=None) as batch_op:
        batch_op.create_index('ix_guarantee_portal_links_customer', ['tenant_id', 'customer_id'], unique=False)

    op.create_table('guarantee_classification_changes',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('project_id', sa.Uuid(), nullable=False),
    sa.Column('from_class', sa.String(length=20), nullable=False),
    sa.Column('to_class', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.String(length=1000), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('workflow_instance_id', sa.Uuid(), nullable=True),
    sa.Column('proposed_by', sa.Uuid(), nullable=True),
    sa.Column('decided_at', surety.core.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', surety.core.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'project_id'], ['guarantee_projects.tenant_id', 'guarantee_projects.id'], name=op.f('fk_guarantee_classification_changes_tenant_id_project_id_guarantee_projects')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_guarantee_classification_changes_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_guarantee_classification_changes'))
    )
    with op.batch_alter_table('guarantee_classification_changes', schema=None) as batch_op:
        batch_op.create_index('ix_guarantee_classification_changes_project', ['tenant_id', 'project_id'], unique=False)

    op.create_table('guarantee_inspection_plans',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('project_id', sa.Uuid(), nullable=False),
    sa.Column('first_due', sa.Date(), nullable=False),
    sa.Column('interval_days', sa.Integer(), nullable=False),
    sa.Column('next_due', sa.Date(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', surety.core.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', surety.core.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'project_id'], ['guarantee_projects.tenant_id', 'guarantee_projects.id'], name=op.f('fk_guarantee_inspection_plans_tenant_id_project_id_guarantee_projects')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_guarantee_inspection_plans_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_guarantee_inspection_plans')),
    sa.UniqueConstraint('tenant_id', 'project_id', name=op.f('uq_guarantee_inspection_plans_tenant_id_project_id'))
    )
    with op.batch_alter_table('guarantee_inspection_plans', schema=None) as batch_op:
        batch_op.create_index('ix_guarantee_inspection_plans_due', ['tenant_id', 'active', 'next_due'], unique=False)

    op.create_table('guarantee_inspections',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('project_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('inspected_on', sa.Date(), nullable=False),
    sa.Column('findings', sa.String(length=4000), nullable=False),
    sa.Column('conclusion', sa.String(length=12), nullable=False),
    sa.Column('inspector_id', sa.Uuid(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('created_at', surety.core.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'project_id'], ['guarantee_projects.tenant_id', 'guarantee_projects.id'], name=op.f('fk_guarantee_inspections_tenant_id_project_id_guarantee_projects')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_guarantee_inspections_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_guarantee_inspections'))
    )
    with op.batch_alter_table('guarantee_inspections', schema=None) as batch_op:
        batch_op.create_index('ix_guarantee_inspections_project', ['tenant_id', 'project_id', 'inspected_on'], unique=False)

    op.create_table('guarantee_ledger_entries',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('project_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('amount', surety.core.db.types.Money(), nullable=False),
    sa.Column('entry_date', sa.Date(), nullable=False),
    sa.Column('source_type', sa.String(length=40), nullable=False),
    sa.Column('source_id', sa.Uuid(), nullable=False),
    sa.Column('detail', sa.String(length=24), nullable=False),
    sa.Column('stage', sa.String(length=10), nullable=False),
    sa.Column('manager_by', sa.Uuid(), nullable=True),
    sa.Column('manager_at', surety.core.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('risk_by', sa.Uuid(), nullable=True),
    sa.Column('risk_at', surety.core.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('finance_by', sa.Uuid(), nullable=True),
    sa.Column('finance_at', surety.core.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', surety.core.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'project_id'], ['guarantee_projects.tenant_id', 'guarantee_projects.id'], name=op.f('fk_guarantee_ledger_entries_tenant_id_project_id_guarantee_projects')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_guarantee_ledger_entries_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_guarantee_ledger_entries')),
    sa.UniqueConstraint('tenant_id', 'source_type', 'source_id', name=op.f('uq_guarantee_ledger_entries_tenant_id_source_type_source_id'))
    )
    with op.batch_alter_table('guarantee_ledger_entries', schema=None) as batch_op:
        batch_op.create_index('ix_guarantee_ledger_entries_project', ['tenant_id', 'project_id', 'entry_date'], unique=False)
        batch_op.create_index('ix_guarantee_ledger_entries_stage', ['tenant_id', 'stage'], unique=False)

    op.create_table('guarantee_overdue_reports',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('project_id', sa.Uuid(), nullable=False),
    sa.Column('reported_on', sa.Date(), nullable=False),
    sa.Column('overdue_principal', surety.core.db.types.Money(), nullable=False),
    sa.Column('overdue_interest', surety.core.db.types.Money(), nullable=False),
    sa.Column('days_past_due', sa.Integer(), nullable=False),
    sa.Column('notes', sa.String(length=500), nullable=False),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('close_reason', sa.String(length=12), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('created_at', surety.core.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'project_id'], ['guarantee_projects.tenant_id', 'guarantee_projects.id'], name=op.f('fk_guarantee_overdue_reports_tenant_id_project_id_guarantee_projects')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_guarantee_overdue_reports_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_guarantee_overdue_reports'))
    )
    with op.batch_alter_table('guarantee_overdue_reports', schema=None) as batch_op:
        batch_op.create_index('ix_guarantee_overdue_reports_project', ['tenant_id', 'project_id'], unique=False)

    op.create_table('guarantee_reminders',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('subject_id', sa.Uuid(), nullable=False),
    sa.Column('project_id', sa.Uuid(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('sent_on', sa.Date(), nullable=False),
    sa.Column('created_at', surety.core.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'project_id'], ['guarantee_projects.tenant_id', 'guarantee_projects.id'], name=op.f('fk_guarantee_reminders_tenant_id_project_id_guarantee_projects')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_guarantee_reminders_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_guarantee_reminders')),
    sa.UniqueConstraint('tenant_id', 'kind', 'subject_id', 'due_on', name=op.f('uq_guarantee_reminders_tenant_id_kind_subject_id_due_on'))
    )
    op.create_table('guarantee_warnings',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('project_id', sa.Uuid(), nullable=False),
    sa.Column('indicator_id', sa.Uuid(), nullable=True),
    sa.Column('level', sa.String(length=10), nullable=False),
    sa.Column('observed', surety.core.db.types.Rate(), nullable=True),
    sa.Column('details', sa.String(length=1000), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('raised_on', sa.Date(), nullable=False),
    sa.Column('basis', sa.String(length=100), nullable=False),
    sa.Column('raised_by', sa.Uuid(), nullable=True),
    sa.Column('workflow_instance_id', sa.Uuid(), nullable=True),
    sa.Column('handled_by', sa.Uuid(), nullable=True),
    sa.Column('handled_at', surety.core.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('handling_note', sa.String(length=1000), nullable=False),
    sa.Column('created_at', surety.core.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'indicator_id'], ['guarantee_warning_indicators.tenant_id', 'guarantee_warning_indicators.id'], name=op.f('fk_guarantee_warnings_tenant_id_indicator_id_guarantee_warning_indicators')),
    sa.ForeignKeyConstraint(['tenant_id', 'project_id'], ['guarantee_projects.tenant_id', 'guarantee_projects.id'], name=op.f('fk_guarantee_warnings_tenant_id_project_id_guarantee_projects')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_guarantee_warnings_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_guarantee_warnings'))
    )
    with op.batch_alter_table('guarantee_warnings', schema=None) as batch_op:
        batch_op.create_index('ix_guarantee_warnings_project', ['tenant_id', 'project_id'], unique=False)
        batch_op.create_index('ix_guarantee_warnings_status', ['tenant_id', 'status'], unique=False)

    with op.batch_alter_table('guarantee_compensation_receivables', schema=None) as batch_op:
        batch_op.add_column(sa.Column('write_off_instance_id', sa.Uuid(), nullable=True))

    with op.batch_alter_table('guarantee_compensations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('workflow_instance_id', sa.Uuid(), nullable=True))

    with op.batch_alter_table('guarantee_projects', schema=None) as batch_op:
        batch_op.add_column(sa.Column('risk_class', sa.String(length=20), nullable=False,
                                      server_default='normal'))

    with op.batch_alter_table('guarantee_settings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('first_inspection_days', sa.Integer(), nullable=False,
                                      server_default='30'))
        batch_op.add_column(sa.Column('inspection_interval_days', sa.Integer(), nullable=False,
                                      server_default='90'))
        batch_op.add_column(sa.Column('expiring_within_days', sa.Integer(), nullable=False,
                                      server_default='30'))
        batch_op.add_column(sa.Column('fee_due_within_days', sa.Integer(), nullable=False,
                                      server_default='7'))

    bind = op.get_bind()
    for table in TABLES:
        enable_rls(bind, table)


def downgrade() -> None:
    bind = op.get_bind()
    for table in TABLES:
        disable_rls(bind, table)
    with op.batch_alter_table('guarantee_settings', schema=None) as batch_op:
        batch_op.drop_column('fee_due_within_days')
        batch_op.drop_column('expiring_within_days')
        batch_op.drop_column('inspection_interval_days')
        batch_op.drop_column('first_inspection_days')

    with op.batch_alter_table('guarantee_projects', schema=None) as batch_op:
        batch_op.drop_column('risk_class')

    with op.batch_alter_table('guarantee_compensations', schema=None) as batch_op:
        batch_op.drop_column('workflow_instance_id')

    with op.batch_alter_table('guarantee_compensation_receivables', schema=None) as batch_op:
        batch_op.drop_column('write_off_instance_id')

    with op.batch_alter_table('guarantee_warnings', schema=None) as batch_op:
        batch_op.drop_index('ix_guarantee_warnings_status')
        batch_op.drop_index('ix_guarantee_warnings_project')

    op.drop_table('guarantee_warnings')
    op.drop_table('guarantee_reminders')
    with op.batch_alter_table('guarantee_overdue_reports', schema=None) as batch_op:
        batch_op.drop_index('ix_guarantee_overdue_reports_project')

    op.drop_table('guarantee_overdue_reports')
    with op.batch_alter_table('guarantee_ledger_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_guarantee_ledger_entries_stage')
        batch_op.drop_index('ix_guarantee_ledger_entries_project')

    op.drop_table('guarantee_ledger_entries')
    with op.batch_alter_table('guarantee_inspections', schema=None) as batch_op:
        batch_op.drop_index('ix_guarantee_inspections_project')

    op.drop_table('guarantee_inspections')
    with op.batch_alter_table('guarantee_inspection_plans', schema=None) as batch_op:
        batch_op.drop_index('ix_guarantee_inspection_plans_due')

    op.drop_table('guarantee_inspection_plans')
    with op.batch_alter_table('guarantee_classification_changes', schema=None) as batch_op:
        batch_op.drop_index('ix_guarantee_classification_changes_project')

    op.drop_table('guarantee_classification_changes')
    with op.batch_alter_table('guarantee_portal_links', schema=None) as batch_op:
        batch_op.drop_index('ix_guarantee_portal_links_customer')

    op.drop_table('guarantee_portal_links')
    op.drop_table('guarantee_warning_indicators')
