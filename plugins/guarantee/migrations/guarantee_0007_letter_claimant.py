"""guarantee: the number of a non-financing letter of guarantee (保函编号), given when it is issued; the claimant of a
compensation claim (索赔方: the bank, or a non-financing guarantee's beneficiary)

Revision ID: guarantee_0007
Revises: guarantee_0006
Create Date: 2026-12-03 11:00:00.000000

NULL for existing projects: financing guarantees have none, and a non-financing project gets it at issuance
(finance/issuance.py). Existing claims get claimant '' (not recorded then).
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

    with op.batch_alter_table('guarantee_compensations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claimant', sa.String(length=200), nullable=False, server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('guarantee_compensations', schema=None) as batch_op:
        batch_op.drop_column('claimant')

    with op.batch_alter_table('guarantee_projects', schema=None) as batch_op:
        batch_op.drop_column('letter_no')
