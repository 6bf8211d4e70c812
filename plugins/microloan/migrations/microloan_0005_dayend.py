"""microloan: day-end runs, the daily accrual ledger, reminders sent

Revision ID: microloan_0005
Revises: microloan_0004
Create Date: 2026-12-03 13:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import surety.core.db.types
from surety.core.db.rls import disable_rls, enable_rls

revision: str = "microloan_0005"
down_revision: str | Sequence[str] | None = "microloan_0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None
#: Tenant tables of this revision: row-level security enabled and forced on each (PostgreSQL).
TABLES = ("microloan_day_end_runs", "microloan_accruals", "microloan_reminders")


def upgrade() -> None:
    op.create_table(
        "microloan_day_end_runs",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("started_at", surety.core.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", surety.core.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("loans_processed", sa.Integer(), nullable=False),
        sa.Column("interest", surety.core.db.types.Money(), nullable=False),
        sa.Column("penalty", surety.core.db.types.Money(), nullable=False),
        sa.Column("compound", surety.core.db.types.Money(), nullable=False),
        sa.Column("provision_total", surety.core.db.types.Money(), nullable=False),
        sa.Column("provision_delta", surety.core.db.types.Money(), nullable=False),
        sa.Column("reminders", sa.Integer(), nullable=False),
        sa.Column("ledger_hash", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_microloan_day_end_runs_tenant_id_tenants"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_microloan_day_end_runs")),
        sa.UniqueConstraint(
            "tenant_id", "business_date", name=op.f("uq_microloan_day_end_runs_tenant_id_business_date")
        ),
    )
    op.create_table(
        "microloan_accruals",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("loan_id", sa.Uuid(), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("amount", surety.core.db.types.Money(), nullable=False),
        sa.Column("carry", surety.core.db.types.Rate(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "loan_id"],
            ["microloan_loans.tenant_id", "microloan_loans.id"],
            name=op.f("fk_microloan_accruals_tenant_id_loan_id_microloan_loans"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_microloan_accruals_tenant_id_tenants"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_microloan_accruals")),
        sa.UniqueConstraint(
            "tenant_id",
            "loan_id",
            "business_date",
            "kind",
            name=op.f("uq_microloan_accruals_tenant_id_loan_id_business_date_kind"),
        ),
    )
    with op.batch_alter_table("microloan_accruals", schema=None) as batch_op:
        batch_op.create_index("ix_microloan_accruals_date", ["tenant_id", "business_date"], unique=False)

    op.create_table(
        "microloan_reminders",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("installment_id", sa.Uuid(), nullable=False),
        sa.Column("loan_id", sa.Uuid(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("sent_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "installment_id"],
            ["microloan_installments.tenant_id", "microloan_installments.id"],
            name=op.f("fk_microloan_reminders_tenant_id_installment_id_microloan_installments"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_microloan_reminders_tenant_id_tenants"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_microloan_reminders")),
        sa.UniqueConstraint(
            "tenant_id", "installment_id", name=op.f("uq_microloan_reminders_tenant_id_installment_id")
        ),
    )

    for table in TABLES:
        enable_rls(op.get_bind(), table)


def downgrade() -> None:
    for table in TABLES:
        disable_rls(op.get_bind(), table)
    op.drop_table("microloan_reminders")
    with op.batch_alter_table("microloan_accruals", schema=None) as batch_op:
        batch_op.drop_index("ix_microloan_accruals_date")

    op.drop_table("microloan_accruals")
    op.drop_table("microloan_day_end_runs")
