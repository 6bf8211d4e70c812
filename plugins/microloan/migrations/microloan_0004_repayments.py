"""microloan: repayments and their lines

Revision ID: microloan_0004
Revises: microloan_0003
Create Date: 2026-12-03 13:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import surety.core.db.types
from surety.core.db.rls import disable_rls, enable_rls

revision: str = "microloan_0004"
down_revision: str | Sequence[str] | None = "microloan_0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None
#: Tenant tables of this revision: row-level security enabled and forced on each (PostgreSQL).
TABLES = ("microloan_repayments", "microloan_repayment_lines")


def upgrade() -> None:
    op.create_table(
        "microloan_repayments",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("loan_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("amount", surety.core.db.types.Money(), nullable=False),
        sa.Column("principal", surety.core.db.types.Money(), nullable=False),
        sa.Column("interest", surety.core.db.types.Money(), nullable=False),
        sa.Column("fees", surety.core.db.types.Money(), nullable=False),
        sa.Column("penalty", surety.core.db.types.Money(), nullable=False),
        sa.Column("costs", surety.core.db.types.Money(), nullable=False),
        sa.Column("held", surety.core.db.types.Money(), nullable=False),
        sa.Column("held_applied", surety.core.db.types.Money(), nullable=False),
        sa.Column("prepay_mode", sa.String(length=20), nullable=True),
        sa.Column("revision_before", sa.Integer(), nullable=True),
        sa.Column("revision_after", sa.Integer(), nullable=True),
        sa.Column("settled_loan", sa.Boolean(), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("reference", sa.String(length=100), nullable=False),
        sa.Column("client_key", sa.String(length=128), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("reversal_of", sa.Uuid(), nullable=True),
        sa.Column("reversed_by_id", sa.Uuid(), nullable=True),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("created_at", surety.core.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "loan_id"],
            ["microloan_loans.tenant_id", "microloan_loans.id"],
            name=op.f("fk_microloan_repayments_loan"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "reversal_of"],
            ["microloan_repayments.tenant_id", "microloan_repayments.id"],
            name=op.f("fk_microloan_repayments_reversal_of"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_microloan_repayments_tenant_id_tenants"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_microloan_repayments")),
    )
    with op.batch_alter_table("microloan_repayments", schema=None) as batch_op:
        batch_op.create_index("ix_microloan_repayments_loan", ["tenant_id", "loan_id", "received_on"], unique=False)

    op.create_table(
        "microloan_repayment_lines",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("repayment_id", sa.Uuid(), nullable=False),
        sa.Column("installment_id", sa.Uuid(), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=True),
        sa.Column("period", sa.Integer(), nullable=True),
        sa.Column("component", sa.String(length=20), nullable=False),
        sa.Column("amount", surety.core.db.types.Money(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "repayment_id"],
            ["microloan_repayments.tenant_id", "microloan_repayments.id"],
            name=op.f("fk_microloan_repayment_lines_repayment"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_microloan_repayment_lines_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_microloan_repayment_lines")),
    )
    with op.batch_alter_table("microloan_repayment_lines", schema=None) as batch_op:
        batch_op.create_index("ix_microloan_repayment_lines_repayment", ["tenant_id", "repayment_id"], unique=False)

    for table in TABLES:
        enable_rls(op.get_bind(), table)


def downgrade() -> None:
    for table in TABLES:
        disable_rls(op.get_bind(), table)
    with op.batch_alter_table("microloan_repayment_lines", schema=None) as batch_op:
        batch_op.drop_index("ix_microloan_repayment_lines_repayment")

    op.drop_table("microloan_repayment_lines")
    with op.batch_alter_table("microloan_repayments", schema=None) as batch_op:
        batch_op.drop_index("ix_microloan_repayments_loan")

    op.drop_table("microloan_repayments")
