"""workflow and notifications

Revision ID: 0003_workflow
Revises: 0002_attachments
Create Date: 2026-12-01 16:07:50.025485
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import surety.core.db.types
from surety.core.db.rls import disable_rls, enable_rls

revision: str = '0003_workflow'
down_revision: str | Sequence[str] | None = '0002_attachments'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Tenant tables created by this revision: row-level security enabled and forced on each (PostgreSQL).
TENANT_TABLES = ('notification_deliveries', 'notifications', 'workday_overrides', 'workflow_definitions',
                 'workflow_events', 'workflow_instances', 'workflow_step_runs', 'workflow_task_candidates',
                 'workflow_tasks')


def upgrade() -> None:
    op.create_table('platform_workday_overrides',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('working', sa.Boolean(), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_platform_workday_overrides')),
    sa.UniqueConstraint('day', name=op.f('uq_platform_workday_overrides_day')),
    info={'global': True}
    )
    op.create_table('workday_overrides',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('working', sa.Boolean(), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_workday_overrides_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_workday_overrides')),
    sa.UniqueConstraint('tenant_id', 'day', name=op.f('uq_workday_overrides_tenant_id_day'))
    )
    op.create_table('workflow_definitions',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('subject_type', sa.String(length=100), nullable=False),
    sa.Column('document', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('source', sa.String(length=100), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=True),
    sa.Column('created_at', surety.core.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('published_at', surety.core.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_workflow_definitions_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_workflow_definitions')),
    sa.UniqueConstraint('tenant_id', 'key', 'version', name=op.f('uq_workflow_definitions_tenant_id_key_version'))
    )
    op.create_table('workflow_instances',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('definition_id', sa.Uuid(), nullable=False),
    sa.Column('definition_key', sa.String(length=100), nullable=False),
    sa.Column('definition_version', sa.Integer(), nullable=False),
    sa.Column('subject_type', sa.String(length=100), nullable=False),
    sa.Column('subject_id', sa.String(length=64), nullable=False),
    sa.Column('subject', sa.JSON(), nullable=False),
    sa.Column('variables', sa.JSON(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('current_step', sa.String(length=100), nullable=True),
    sa.Column('initiator_id', sa.Uuid(), nullable=True),
    sa.Column('org_unit_id', sa.Uuid(), nullable=True),
    sa.Column('lock_version', sa.Integer(), nullable=False),
    sa.Column('last_seq', sa.Integer(), nullable=False),
    sa.Column('started_at', surety.core.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ended_at', surety.core.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['tenant_id', 'definition_id'], ['workflow_definitions.tenant_id', 'workflow_definitions.id'], name=op.f('fk_workflow_instances_tenant_id_definition_id_workflow_definitions')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_workflow_instances_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_workflow_instances'))
    )
    with op.batch_alter_table('workflow_instances', schema=None) as batch_op:
        batch_op.create_index('ix_workflow_instances_initiator', ['tenant_id', 'initiator_id', 'status'], unique=False)
        batch_op.create_index('ix_workflow_instances_subject', ['tenant_id', 'subject_type', 'subject_id'], unique=False)

    op.create_table('notifications',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=50), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('entity_type', sa.String(length=100), nullable=True),
    sa.Column('entity_id', sa.String(length=64), nullable=True),
    sa.Column('created_at', surety.core.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('read_at', surety.core.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['tenant_id', 'user_id'], ['users.tenant_id', 'users.id'], name=op.f('fk_notifications_tenant_id_user_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_notifications_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_notifications'))
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index('ix_notifications_inbox', ['tenant_id', 'user_id', 'read_at'], unique=False)

    op.create_table('workflow_events',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('instance_id', sa.Uuid(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Uuid(), nullable=True),
    sa.Column('step_key', sa.String(length=100), nullable=True),
    sa.Column('action', sa.String(length=30), nullable=False),
    sa.Column('actor_type', sa.String(length=16), nullable=False),
    sa.Column('actor_id', sa.String(length=64), nullable=True),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('client_key', sa.String(length=100), nullable=True),
    sa.Column('occurred_at', surety.core.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'instance_id'], ['workflow_instances.tenant_id', 'workflow_instances.id'], name=op.f('fk_workflow_events_tenant_id_instance_id_workflow_instances'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_workflow_events_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_workflow_events')),
    sa.UniqueConstraint('tenant_id', 'client_key', name=op.f('uq_workflow_events_tenant_id_client_key'))
    )
    with op.batch_alter_table('workflow_events', schema=None) as batch_op:
        batch_op.create_index('ix_workflow_events_instance', ['tenant_id', 'instance_id', 'seq'], unique=False)

    op.create_table('workflow_step_runs',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('instance_id', sa.Uuid(), nullable=False),
    sa.Column('step_key', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('mode', sa.String(length=10), nullable=False),
    sa.Column('required', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('decision', sa.String(length=30), nullable=True),
    sa.Column('resolution', sa.JSON(), nullable=True),
    sa.Column('started_at', surety.core.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ended_at', surety.core.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['tenant_id', 'instance_id'], ['workflow_instances.tenant_id', 'workflow_instances.id'], name=op.f('fk_workflow_step_runs_tenant_id_instance_id_workflow_instances'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_workflow_step_runs_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_workflow_step_runs'))
    )
    with op.batch_alter_table('workflow_step_runs', schema=None) as batch_op:
        batch_op.create_index('ix_workflow_step_runs_instance', ['tenant_id', 'instance_id'], unique=False)

    op.create_table('notification_deliveries',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('notification_id', sa.Uuid(), nullable=False),
    sa.Column('channel', sa.String(length=50), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.String(length=500), nullable=True),
    sa.Column('sent_at', surety.core.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['tenant_id', 'notification_id'], ['notifications.tenant_id', 'notifications.id'], name=op.f('fk_notification_deliveries_tenant_id_notification_id_notifications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_notification_deliveries_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_notification_deliveries')),
    sa.UniqueConstraint('tenant_id', 'notification_id', 'channel', name=op.f('uq_notification_deliveries_tenant_id_notification_id_channel'))
    )
    with op.batch_alter_table('notification_deliveries', schema=None) as batch_op:
        batch_op.create_index('ix_notification_deliveries_pending', ['tenant_id', 'status'], unique=False)

    op.create_table('workflow_tasks',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('instance_id', sa.Uuid(), nullable=False),
    sa.Column('step_run_id', sa.Uuid(), nullable=False),
    sa.Column('step_key', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('assignee_id', sa.Uuid(), nullable=True),
    sa.Column('org_unit_id', sa.Uuid(), nullable=True),
    sa.Column('decision', sa.String(length=30), nullable=True),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('reminded_on', sa.Date(), nullable=True),
    sa.Column('escalated_on', sa.Date(), nullable=True),
    sa.Column('created_at', surety.core.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('completed_at', surety.core.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('completed_by', sa.Uuid(), nullable=True),
    sa.ForeignKeyConstraint(['tenant_id', 'instance_id'], ['workflow_instances.tenant_id', 'workflow_instances.id'], name=op.f('fk_workflow_tasks_tenant_id_instance_id_workflow_instances'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id', 'step_run_id'], ['workflow_step_runs.tenant_id', 'workflow_step_runs.id'], name=op.f('fk_workflow_tasks_tenant_id_step_run_id_workflow_step_runs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_workflow_tasks_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_workflow_tasks'))
    )
    with op.batch_alter_table('workflow_tasks', schema=None) as batch_op:
        batch_op.create_index('ix_workflow_tasks_completed_by', ['tenant_id', 'completed_by', 'completed_at'], unique=False)
        batch_op.create_index('ix_workflow_tasks_instance', ['tenant_id', 'instance_id'], unique=False)
        batch_op.create_index('ix_workflow_tasks_open_due', ['tenant_id', 'status', 'due_date'], unique=False)
        batch_op.create_index('ix_workflow_tasks_step_run', ['tenant_id', 'step_run_id'], unique=False)
        batch_op.create_index('ix_workflow_tasks_org_open', ['tenant_id', 'org_unit_id', 'status'], unique=False)

    op.create_table('workflow_task_candidates',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('task_id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('reason', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'task_id'], ['workflow_tasks.tenant_id', 'workflow_tasks.id'], name=op.f('fk_workflow_task_candidates_tenant_id_task_id_workflow_tasks'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_workflow_task_candidates_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_workflow_task_candidates')),
    sa.UniqueConstraint('tenant_id', 'task_id', 'user_id', name=op.f('uq_workflow_task_candidates_tenant_id_task_id_user_id'))
    )
    with op.batch_alter_table('workflow_task_candidates', schema=None) as batch_op:
        batch_op.create_index('ix_workflow_task_candidates_inbox', ['tenant_id', 'user_id', 'active'], unique=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email', sa.Text(), nullable=True))

    bind = op.get_bind()
    for table in TENANT_TABLES:
        enable_rls(bind, table)


def downgrade() -> None:
    bind = op.get_bind()
    for table in TENANT_TABLES:
        disable_rls(bind, table)
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('email')

    with op.batch_alter_table('workflow_task_candidates', schema=None) as batch_op:
        batch_op.drop_index('ix_workflow_task_candidates_inbox')

    op.drop_table('workflow_task_candidates')
    with op.batch_alter_table('workflow_tasks', schema=None) as batch_op:
        batch_op.drop_index('ix_workflow_tasks_org_open')
        batch_op.drop_index('ix_workflow_tasks_step_run')
        batch_op.drop_index('ix_workflow_tasks_open_due')
        batch_op.drop_index('ix_workflow_tasks_instance')
        batch_op.drop_index('ix_workflow_tasks_completed_by')

    op.drop_table('workflow_tasks')
    with op.batch_alter_table('notification_deliveries', schema=None) as batch_op:
        batch_op.drop_index('ix_notification_deliveries_pending')

    op.drop_table('notification_deliveries')
    with op.batch_alter_table('workflow_step_runs', schema=None) as batch_op:
        batch_op.drop_index('ix_workflow_step_runs_instance')

    op.drop_table('workflow_step_runs')
    with op.batch_alter_table('workflow_events', schema=None) as batch_op:
        batch_op.drop_index('ix_workflow_events_instance')

    op.drop_table('workflow_events')
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_notifications_inbox')

    op.drop_table('notifications')
    with op.batch_alter_table('workflow_instances', schema=None) as batch_op:
        batch_op.drop_index('ix_workflow_instances_subject')
        batch_op.drop_index('ix_workflow_instances_initiator')

    op.drop_table('workflow_instances')
    op.drop_table('workflow_definitions')
    op.drop_table('workday_overrides')
    op.drop_table('platform_workday_overrides')
