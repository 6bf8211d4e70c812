"""guarantee: month-end balances per project (guarantee_month_end_balances), read by the regulatory figures for a
month end instead of regrouping the whole ledger (plugins/guarantee/ledger/month_end.py)

Revision ID: guarantee_0008
Revises: guarantee_0007
Create Date: 2026-12-03 17:30:00.000000

Empty after the upgrade: the day-end writes each month end from then on; a month end without rows is rebuilt from the
ledger (the same answer), so nothing needs back-filling.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import surety.core.db.types
from surety.core.db.rls import disable_rls, enable_rls

revision: str = 'guarantee_0008'
down_revision: str | Sequence[str] | None = 'guarantee_0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None
#: Tenant tables of this revision: row-level security enabled and forced on each (PostgreSQL).
TABLES = ("guarantee_month_end_balances",)


def upgrade() -> None:
    op.create_table(
        "guarantee_month_end_balances",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("month_end", sa.Date(), nullable=False),
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.Column("balance", surety.core.db.types.Money(), nullable=False),
        sa.Column("released", sa.Integer(), nullable=False),
        sa.Column("effective", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"],
                                name=op.f("fk_guarantee_month_end_balances_tenant_id_tenants"), ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_guarantee_month_end_balances")),
    )
    with op.batch_alter_table("guarantee_month_end_balances", schema=None) as batch_op:
        batch_op.create_index("ix_guarantee_month_end_balances_month", ["tenant_id", "month_end", "project_id"],
                              unique=True)
    for table in TABLES:
        enable_rls(op.get_bind(), table)


def downgrade() -> None:
    for table in TABLES:
        disable_rls(op.get_bind(), table)
    with op.batch_alter_table("guarantee_month_end_balances", schema=None) as batch_op:
        batch_op.drop_index("ix_guarantee_month_end_balances_month")
    op.drop_table("guarantee_month_end_balances")
