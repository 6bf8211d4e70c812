"""guarantee: non-financing guarantee particulars (beneficiary, underlying contract, expiry), the fee proposed with
the application, and the guarantor's legal particulars for documents (legal name, address, representative, seal)

Revision ID: guarantee_0005
Revises: guarantee_0004
Create Date: 2026-12-21 10:00:00.000000

All new project columns are NULL for existing projects (financing guarantees need none of them; an existing
non-financing project gets its beneficiary and expiry when it is next edited or issued). The settings columns default
to '' (documents then print the tenant's display name, as before).
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import surety.core.db.types

revision: str = 'guarantee_0005'
down_revision: str | Sequence[str] | None = 'guarantee_0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Money = surety.core.db.types.Money
Rate = surety.core.db.types.Rate
_SETTINGS = (('legal_name', 200), ('legal_address', 300), ('legal_representative', 100), ('seal_text', 100))


def upgrade() -> None:
    with op.batch_alter_table('guarantee_projects', schema=None) as batch_op:
        batch_op.add_column(sa.Column('beneficiary_name', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('underlying_contract', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('expiry_date', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('proposed_fee_rate', Rate(), nullable=True))
        batch_op.add_column(sa.Column('proposed_fee', Money(), nullable=True))

    with op.batch_alter_table('guarantee_settings', schema=None) as batch_op:
        for name, length in _SETTINGS:
            batch_op.add_column(sa.Column(name, sa.String(length=length), nullable=False, server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('guarantee_settings', schema=None) as batch_op:
        for name, _length in reversed(_SETTINGS):
            batch_op.drop_column(name)

    with op.batch_alter_table('guarantee_projects', schema=None) as batch_op:
        batch_op.drop_column('proposed_fee')
        batch_op.drop_column('proposed_fee_rate')
        batch_op.drop_column('expiry_date')
        batch_op.drop_column('underlying_contract')
        batch_op.drop_column('beneficiary_name')
