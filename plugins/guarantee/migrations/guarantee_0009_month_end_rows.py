"""guarantee: the month-end rows carry the project's type, its customer's aggregates and the year's flows, so a
regulatory report's month ends are one grouping with no join (plugins/guarantee/ledger/month_end.py)

Revision ID: guarantee_0009
Revises: guarantee_0008
Create Date: 2026-12-03 19:30:00.000000

The rows written before are dropped: they are derived from the ledger, and a month end without rows is rebuilt from the
ledger (the same answer, slower); the day-end writes the next month end with the new columns.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import surety.core.db.types

revision: str = 'guarantee_0009'
down_revision: str | Sequence[str] | None = 'guarantee_0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "guarantee_month_end_balances"
#: (name, type) of the columns this revision adds.
COLUMNS = (
    ("customer_id", sa.Uuid()), ("business_type", sa.String(length=32)), ("customer_type", sa.String(length=32)),
    ("in_force", sa.Integer()), ("bank_share", surety.core.db.types.Money()), ("households", sa.Integer()),
    ("aggregate_gross", surety.core.db.types.Money()), ("aggregate_own", surety.core.db.types.Money()),
    ("issued", surety.core.db.types.Money()), ("issued_n", sa.Integer()), ("issued_households", sa.Integer()),
    ("released_amount", surety.core.db.types.Money()), ("compensation", surety.core.db.types.Money()),
    ("recovery", surety.core.db.types.Money()), ("loss", surety.core.db.types.Money()),
    ("compensation_cum", surety.core.db.types.Money()), ("recovery_cum", surety.core.db.types.Money()),
    ("loss_cum", surety.core.db.types.Money()),
)


def upgrade() -> None:
    op.execute(sa.text(f"DELETE FROM {TABLE}"))  # noqa: S608 - a constant table name, no input
    with op.batch_alter_table(TABLE) as batch:
        for name, type_ in COLUMNS:
            batch.add_column(sa.Column(name, type_, nullable=False))


def downgrade() -> None:
    op.execute(sa.text(f"DELETE FROM {TABLE}"))  # noqa: S608 - a constant table name, no input
    with op.batch_alter_table(TABLE) as batch:
        for name, _type in reversed(COLUMNS):
            batch.drop_column(name)
