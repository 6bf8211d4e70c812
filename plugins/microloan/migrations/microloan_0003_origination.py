"""microloan: pre-loan investigations, loan-number series

Revision ID: microloan_0003
Revises: microloan_0002
Create Date: 2026-12-03 13:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import surety.core.db.types
from surety.core.db.rls import disable_rls, enable_rls

revision: str = "microloan_0003"
down_revision: str | Sequence[str] | None = "microloan_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None
#: Tenant tables of this revision: row-level security enabled and forced on each (PostgreSQL).
TABLES = ("microloan_investigations", "microloan_number_sequences")


def upgrade() -> None:
    op.create_table(
        "microloan_investigations",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("loan_id", sa.Uuid(), nullable=False),
        sa.Column("investigator_id", sa.Uuid(), nullable=True),
        sa.Column("visited_on", sa.Date(), nullable=False),
        sa.Column("findings", sa.Text(), nullable=False),
        sa.Column("annual_income", sa.Text(), nullable=True),
        sa.Column("total_assets", sa.Text(), nullable=True),
        sa.Column("total_liabilities", sa.Text(), nullable=True),
        sa.Column("conclusion", sa.String(length=20), nullable=False),
        sa.Column("created_at", surety.core.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "loan_id"],
            ["microloan_loans.tenant_id", "microloan_loans.id"],
            name=op.f("fk_microloan_investigations_tenant_id_loan_id_microloan_loans"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_microloan_investigations_tenant_id_tenants"),
            ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_microloan_investigations")),
        sa.UniqueConstraint("tenant_id", "loan_id", name=op.f("uq_microloan_investigations_tenant_id_loan_id")),
    )
    op.create_table(
        "microloan_number_sequences",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("series", sa.String(length=60), nullable=False),
        sa.Column("last_value", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_microloan_number_sequences_tenant_id_tenants"),
            ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_microloan_number_sequences")),
        sa.UniqueConstraint("tenant_id", "series", name=op.f("uq_microloan_number_sequences_tenant_id_series")),
    )
    for table in TABLES:
        enable_rls(op.get_bind(), table)


def downgrade() -> None:
    for table in TABLES:
        disable_rls(op.get_bind(), table)
    op.drop_table("microloan_number_sequences")
    op.drop_table("microloan_investigations")
