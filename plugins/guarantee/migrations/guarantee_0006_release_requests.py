"""guarantee: release requests (申请解保) decided through the workflow ``guarantee.release``; the released amount
(解保金额) of each release

Revision ID: guarantee_0006
Revises: guarantee_0005
Create Date: 2026-12-22 10:00:00.000000

Existing releases get ``released_amount``: a partial release its ``amount``; a full release its ``amount`` (the
balance it released) plus every repayment of its project (a full release is a project's last, so every repayment
came before it). Their ledger entries (kind ``release``, source the release row) take that amount: a full release
after repayment wrote 0 (docs/guarantee/ledger.md). ``request_id`` stays NULL: released before the approval existed.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import surety.core.db.types
from surety.core.db.rls import disable_rls, enable_rls

revision: str = 'guarantee_0006'
down_revision: str | Sequence[str] | None = 'guarantee_0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Money = surety.core.db.types.Money
UTCDateTime = surety.core.db.types.UTCDateTime
#: New tenant tables of this revision: row-level security enabled and forced on each (PostgreSQL).
TABLES = ('guarantee_release_requests',)


def upgrade() -> None:
    with op.batch_alter_table('guarantee_releases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('released_amount', Money(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('request_id', sa.Uuid(), nullable=True))

    # Backfill (column to column and correlated sums, no values interpolated).
    rel = sa.table('guarantee_releases', sa.column('tenant_id', sa.Uuid()), sa.column('id', sa.Uuid()),
                   sa.column('project_id', sa.Uuid()), sa.column('kind', sa.String()), sa.column('amount', Money()),
                   sa.column('released_amount', Money()))
    rep = sa.table('guarantee_repayments', sa.column('tenant_id', sa.Uuid()), sa.column('project_id', sa.Uuid()),
                   sa.column('amount', Money()))
    repaid = (sa.select(sa.func.coalesce(sa.func.sum(rep.c.amount), 0))
              .where(rep.c.tenant_id == rel.c.tenant_id, rep.c.project_id == rel.c.project_id).scalar_subquery())
    op.execute(rel.update().where(rel.c.kind == sa.bindparam('partial', 'partial')).values(released_amount=rel.c.amount))
    op.execute(rel.update().where(rel.c.kind == sa.bindparam('full', 'full'))
               .values(released_amount=rel.c.amount + repaid))
    entries = sa.table('guarantee_ledger_entries', sa.column('tenant_id', sa.Uuid()), sa.column('kind', sa.String()),
                       sa.column('source_type', sa.String()), sa.column('source_id', sa.Uuid()),
                       sa.column('amount', Money()))
    released = (sa.select(rel.c.released_amount)
                .where(rel.c.tenant_id == entries.c.tenant_id, rel.c.id == entries.c.source_id).scalar_subquery())
    op.execute(entries.update().where(entries.c.kind == sa.bindparam('release', 'release'),
                                      entries.c.source_type == sa.bindparam('source', 'guarantee_releases'))
               .values(amount=released))

    op.create_table('guarantee_release_requests',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('project_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('amount', Money(), nullable=True),
    sa.Column('released_on', sa.Date(), nullable=True),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('workflow_instance_id', sa.Uuid(), nullable=True),
    sa.Column('release_id', sa.Uuid(), nullable=True),
    sa.Column('requested_by', sa.Uuid(), nullable=True),
    sa.Column('decided_by', sa.Uuid(), nullable=True),
    sa.Column('decided_at', UTCDateTime(timezone=True), nullable=True),
    sa.Column('decision_comment', sa.String(length=500), nullable=False),
    sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'project_id'], ['guarantee_projects.tenant_id', 'guarantee_projects.id'], name=op.f('fk_guarantee_release_requests_tenant_id_project_id_guarantee_projects')),
    sa.ForeignKeyConstraint(['tenant_id', 'release_id'], ['guarantee_releases.tenant_id', 'guarantee_releases.id'], name=op.f('fk_guarantee_release_requests_tenant_id_release_id_guarantee_releases')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_guarantee_release_requests_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_guarantee_release_requests'))
    )
    with op.batch_alter_table('guarantee_release_requests', schema=None) as batch_op:
        batch_op.create_index('ix_guarantee_release_requests_project', ['tenant_id', 'project_id', 'status'],
                              unique=False)

    bind = op.get_bind()
    for table in TABLES:
        enable_rls(bind, table)


def downgrade() -> None:
    bind = op.get_bind()
    for table in TABLES:
        disable_rls(bind, table)
    with op.batch_alter_table('guarantee_release_requests', schema=None) as batch_op:
        batch_op.drop_index('ix_guarantee_release_requests_project')
    op.drop_table('guarantee_release_requests')
    with op.batch_alter_table('guarantee_releases', schema=None) as batch_op:
        batch_op.drop_column('request_id')
        batch_op.drop_column('released_amount')
