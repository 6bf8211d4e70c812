"""guarantee: review committee approval conditions (审保会决议的附加条件)

Revision ID: guarantee_0004
Revises: guarantee_0003
Create Date: 2026-12-20 10:00:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import surety.core.db.types
from surety.core.db.rls import disable_rls, enable_rls

revision: str = 'guarantee_0004'
down_revision: str | Sequence[str] | None = 'guarantee_0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None
#: New tenant tables of this revision: row-level security enabled and forced on each (PostgreSQL).
TABLES = ('guarantee_approval_conditions',)


def upgrade() -> None:
    op.create_table('guarantee_approval_conditions',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('project_id', sa.Uuid(), nullable=False),
    sa.Column('step_run_id', sa.Uuid(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('text', sa.String(length=500), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('proposed_by', sa.Uuid(), nullable=True),
    sa.Column('source', sa.String(length=12), nullable=False),
    sa.Column('recorded_by', sa.String(length=64), nullable=True),
    sa.Column('evidence_attachment_ids', sa.JSON(), nullable=False),
    sa.Column('evidence_note', sa.String(length=1000), nullable=False),
    sa.Column('met_by', sa.Uuid(), nullable=True),
    sa.Column('met_at', surety.core.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('waived_by', sa.Uuid(), nullable=True),
    sa.Column('waived_at', surety.core.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('waive_reason', sa.String(length=1000), nullable=False),
    sa.Column('created_at', surety.core.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', surety.core.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'met_by'], ['users.tenant_id', 'users.id'], name=op.f('fk_guarantee_approval_conditions_tenant_id_met_by_users')),
    sa.ForeignKeyConstraint(['tenant_id', 'project_id'], ['guarantee_projects.tenant_id', 'guarantee_projects.id'], name=op.f('fk_guarantee_approval_conditions_tenant_id_project_id_guarantee_projects')),
    sa.ForeignKeyConstraint(['tenant_id', 'proposed_by'], ['users.tenant_id', 'users.id'], name=op.f('fk_guarantee_approval_conditions_tenant_id_proposed_by_users')),
    sa.ForeignKeyConstraint(['tenant_id', 'step_run_id'], ['workflow_step_runs.tenant_id', 'workflow_step_runs.id'], name=op.f('fk_guarantee_approval_conditions_tenant_id_step_run_id_workflow_step_runs')),
    sa.ForeignKeyConstraint(['tenant_id', 'waived_by'], ['users.tenant_id', 'users.id'], name=op.f('fk_guarantee_approval_conditions_tenant_id_waived_by_users')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_guarantee_approval_conditions_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_guarantee_approval_conditions'))
    )
    with op.batch_alter_table('guarantee_approval_conditions', schema=None) as batch_op:
        batch_op.create_index('ix_guarantee_approval_conditions_project', ['tenant_id', 'project_id', 'status'], unique=False)

    bind = op.get_bind()
    for table in TABLES:
        enable_rls(bind, table)


def downgrade() -> None:
    bind = op.get_bind()
    for table in TABLES:
        disable_rls(bind, table)
    with op.batch_alter_table('guarantee_approval_conditions', schema=None) as batch_op:
        batch_op.drop_index('ix_guarantee_approval_conditions_project')

    op.drop_table('guarantee_approval_conditions')
