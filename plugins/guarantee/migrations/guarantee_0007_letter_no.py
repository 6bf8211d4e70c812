"""guarantee: the number of a non-financing letter of guarantee (保函编号), given when it is issued

Revision ID: guarantee_0007
Revises: guarantee_0006
Create Date: 2026-12-03 11:00:00.000000

NULL for existing projects: financing guarantees have none, and a non-financing project gets it at issuance
(finance/issuance.py).
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'guarantee_0007'
down_revision: str | Sequence[str] | None = 'guarantee_0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('guarantee_projects', schema=None) as batch_op:
        batch_op.add_column(sa.Column('letter_no', sa.String(length=100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('guarantee_projects', schema=None) as batch_op:
        batch_op.drop_column('letter_no')
