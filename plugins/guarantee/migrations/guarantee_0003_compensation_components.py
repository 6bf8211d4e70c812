"""guarantee: compensation components (principal, interest, penalty), the bank's risk share on claims and ledger
entries, a project's covered components (保证范围)

Revision ID: guarantee_0003
Revises: guarantee_0002
Create Date: 2026-12-20 10:00:00.000000

Existing claims were paid in full by the company on the old rule (principal only, no risk share): they get
``principal = claimed_amount``, interest and penalty 0, ratio 0, bank share 0 and ``payable_amount =
claimed_amount``; existing compensation ledger entries get ``principal = amount`` and zeros. Projects keep
``covered_components`` NULL: the product's default (docs/guarantee/compensation.md).
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import surety.core.db.types

revision: str = 'guarantee_0003'
down_revision: str | Sequence[str] | None = 'guarantee_0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Money = surety.core.db.types.Money
Rate = surety.core.db.types.Rate


def upgrade() -> None:
    with op.batch_alter_table('guarantee_projects', schema=None) as batch_op:
        batch_op.add_column(sa.Column('covered_components', sa.JSON(), nullable=True))

    with op.batch_alter_table('guarantee_compensations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('principal', Money(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('interest', Money(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('penalty', Money(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('bank_share_ratio', Rate(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('bank_share', Money(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('payable_amount', Money(), nullable=False, server_default='0'))

    # Backfill: the old claims were principal only and paid in full (column to column, no values interpolated).
    claims = sa.table('guarantee_compensations', sa.column('claimed_amount'), sa.column('principal'),
                      sa.column('payable_amount'))
    op.execute(claims.update().values(principal=claims.c.claimed_amount, payable_amount=claims.c.claimed_amount))

    with op.batch_alter_table('guarantee_ledger_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('principal', Money(), nullable=True))
        batch_op.add_column(sa.Column('interest', Money(), nullable=True))
        batch_op.add_column(sa.Column('penalty', Money(), nullable=True))
        batch_op.add_column(sa.Column('bank_share', Money(), nullable=True))

    entries = sa.table('guarantee_ledger_entries', sa.column('kind', sa.String), sa.column('amount'),
                       sa.column('principal'), sa.column('interest', Money()), sa.column('penalty', Money()),
                       sa.column('bank_share', Money()))
    zero = sa.bindparam('zero', 0, type_=Money())
    op.execute(entries.update().where(entries.c.kind == sa.bindparam('kind', 'compensation'))
               .values(principal=entries.c.amount, interest=zero, penalty=zero, bank_share=zero))


def downgrade() -> None:
    with op.batch_alter_table('guarantee_ledger_entries', schema=None) as batch_op:
        batch_op.drop_column('bank_share')
        batch_op.drop_column('penalty')
        batch_op.drop_column('interest')
        batch_op.drop_column('principal')

    with op.batch_alter_table('guarantee_compensations', schema=None) as batch_op:
        batch_op.drop_column('payable_amount')
        batch_op.drop_column('bank_share')
        batch_op.drop_column('bank_share_ratio')
        batch_op.drop_column('penalty')
        batch_op.drop_column('interest')
        batch_op.drop_column('principal')

    with op.batch_alter_table('guarantee_projects', schema=None) as batch_op:
        batch_op.drop_column('covered_components')
