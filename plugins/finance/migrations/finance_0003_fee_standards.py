"""finance: fee standards catalogue

Revision ID: finance_0003
Revises: finance_0002
Create Date: 2026-12-03 15:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import surety.core.db.types
from surety.core.db.rls import disable_rls, enable_rls

revision: str = "finance_0003"
down_revision: str | Sequence[str] | None = "finance_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None
#: Tenant tables of this revision: row-level security enabled and forced on each (PostgreSQL).
TABLES = ("finance_fee_standards",)


def upgrade() -> None:
    op.create_table(
        "finance_fee_standards",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("business_kind", sa.String(length=40), nullable=False),
        sa.Column("basis", sa.String(length=20), nullable=False),
        sa.Column("rate", surety.core.db.types.Rate(), nullable=True),
        sa.Column("amount", surety.core.db.types.Money(), nullable=True),
        sa.Column("min_fee", surety.core.db.types.Money(), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("updated_at", surety.core.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_finance_fee_standards_tenant_id_tenants"),
            ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_finance_fee_standards")),
        sa.UniqueConstraint("tenant_id", "code", name=op.f("uq_finance_fee_standards_tenant_id_code")),
    )
    for table in TABLES:
        enable_rls(op.get_bind(), table)


def downgrade() -> None:
    for table in TABLES:
        disable_rls(op.get_bind(), table)
    op.drop_table("finance_fee_standards")
