"""authz: each default grant already applied (authz_state.granted_defaults)

Revision ID: 0004_authz_granted_defaults
Revises: 0003_workflow
Create Date: 2026-12-01 19:45:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0004_authz_granted_defaults'
down_revision: str | Sequence[str] | None = '0003_workflow'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Existing tenants start with none recorded: their next provisioning (`surety tenant sync`) applies the defaults
    # of their enabled plugins once, then records them (core/authz/provision.py).
    with op.batch_alter_table('authz_state', schema=None) as batch_op:
        batch_op.add_column(sa.Column('granted_defaults', sa.JSON(), nullable=False, server_default='[]'))


def downgrade() -> None:
    with op.batch_alter_table('authz_state', schema=None) as batch_op:
        batch_op.drop_column('granted_defaults')
