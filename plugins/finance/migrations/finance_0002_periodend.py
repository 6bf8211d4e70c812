"""finance: fee schedules, period-end jobs, export settings; posted flag on voucher lines

Revision ID: finance_0002
Revises: finance_0001
Create Date: 2026-12-03 14:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import surety.core.db.types
from surety.core.db.rls import disable_rls, enable_rls

revision: str = "finance_0002"
down_revision: str | Sequence[str] | None = "finance_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None
#: Tenant tables of this revision: row-level security enabled and forced on each (PostgreSQL).
TABLES = ("finance_fee_schedules", "finance_period_jobs", "finance_settings")


def upgrade() -> None:
    op.create_table(
        "finance_fee_schedules",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.Column("amount", surety.core.db.types.Money(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("recognised", surety.core.db.types.Money(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_finance_fee_schedules_tenant_id_tenants"),
            ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_finance_fee_schedules")),
        sa.UniqueConstraint("tenant_id", "project_id", name=op.f("uq_finance_fee_schedules_tenant_id_project_id")),
    )
    op.create_table(
        "finance_period_jobs",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("voucher_id", sa.Uuid(), nullable=True),
        sa.Column("amount", surety.core.db.types.Money(), nullable=False),
        sa.Column("done_at", surety.core.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_finance_period_jobs_tenant_id_tenants"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_finance_period_jobs")),
        sa.UniqueConstraint("tenant_id", "kind", "period", name=op.f("uq_finance_period_jobs_tenant_id_kind_period")),
    )
    op.create_table(
        "finance_settings",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("text_encoding", sa.String(length=20), nullable=False),
        sa.Column("cloud_account_book", sa.String(length=40), nullable=False),
        sa.Column("cloud_organisation", sa.String(length=40), nullable=False),
        sa.Column("cloud_currency", sa.String(length=20), nullable=False),
        sa.Column("updated_at", surety.core.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_finance_settings_tenant_id_tenants"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_finance_settings")),
        sa.UniqueConstraint("tenant_id", name=op.f("uq_finance_settings_tenant_id")),
    )
    with op.batch_alter_table("finance_voucher_lines", schema=None) as batch_op:
        batch_op.add_column(sa.Column("posted", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.execute(
        "UPDATE finance_voucher_lines SET posted = true WHERE EXISTS (SELECT 1 FROM finance_vouchers v "
        "WHERE v.tenant_id = finance_voucher_lines.tenant_id AND v.id = finance_voucher_lines.voucher_id "
        "AND v.status = 'posted')"
    )
    for table in TABLES:
        enable_rls(op.get_bind(), table)


def downgrade() -> None:
    for table in TABLES:
        disable_rls(op.get_bind(), table)
    with op.batch_alter_table("finance_voucher_lines", schema=None) as batch_op:
        batch_op.drop_column("posted")
    op.drop_table("finance_settings")
    op.drop_table("finance_period_jobs")
    op.drop_table("finance_fee_schedules")
