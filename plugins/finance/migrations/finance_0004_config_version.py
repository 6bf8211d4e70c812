"""finance: config_version on finance_charts (the process caches of rules and chart compare it)

Revision ID: finance_0004
Revises: finance_0003
Create Date: 2026-12-03 17:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "finance_0004"
down_revision: str | Sequence[str] | None = "finance_0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None
#: No new table: the column goes on finance_charts, whose row-level security finance_0001 enabled and forced.
TABLES: tuple[str, ...] = ()


def upgrade() -> None:
    with op.batch_alter_table("finance_charts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("config_version", sa.BigInteger(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("finance_charts", schema=None) as batch_op:
        batch_op.drop_column("config_version")
