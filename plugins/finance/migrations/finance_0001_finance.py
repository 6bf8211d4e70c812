"""finance: chart of accounts, vouchers, periods, voucher rules

Revision ID: finance_0001
Revises:
Create Date: 2026-12-03 13:32:08.219436
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import surety.core.db.types
from surety.core.db.rls import disable_rls, enable_rls

revision: str = "finance_0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("finance",)
depends_on: str | Sequence[str] | None = ["0001_core"]
#: Tenant tables of this revision: row-level security enabled and forced on each (PostgreSQL).
TABLES = (
    "finance_charts",
    "finance_accounts",
    "finance_periods",
    "finance_voucher_counters",
    "finance_voucher_rules",
    "finance_vouchers",
    "finance_voucher_lines",
)


def upgrade() -> None:
    op.create_table(
        "finance_accounts",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("direction", sa.String(length=6), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("parent_code", sa.String(length=20), nullable=True),
        sa.Column("dimensions", sa.String(length=60), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", surety.core.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", surety.core.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_finance_accounts_tenant_id_tenants"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_finance_accounts")),
        sa.UniqueConstraint("tenant_id", "code", name=op.f("uq_finance_accounts_tenant_id_code")),
    )
    op.create_table(
        "finance_charts",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("template_key", sa.String(length=40), nullable=False),
        sa.Column("installed_at", surety.core.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_finance_charts_tenant_id_tenants"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_finance_charts")),
        sa.UniqueConstraint("tenant_id", name=op.f("uq_finance_charts_tenant_id")),
    )
    op.create_table(
        "finance_periods",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("closed_at", surety.core.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_by", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_finance_periods_tenant_id_tenants"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_finance_periods")),
        sa.UniqueConstraint("tenant_id", "period", name=op.f("uq_finance_periods_tenant_id_period")),
    )
    op.create_table(
        "finance_voucher_counters",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("word", sa.String(length=2), nullable=False),
        sa.Column("last_value", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_finance_voucher_counters_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_finance_voucher_counters")),
        sa.UniqueConstraint(
            "tenant_id", "period", "word", name=op.f("uq_finance_voucher_counters_tenant_id_period_word")
        ),
    )
    op.create_table(
        "finance_voucher_rules",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("event_type", sa.String(length=80), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("word", sa.String(length=2), nullable=False),
        sa.Column("summary", sa.String(length=200), nullable=False),
        sa.Column("date_field", sa.String(length=40), nullable=False),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("updated_at", surety.core.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_finance_voucher_rules_tenant_id_tenants"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_finance_voucher_rules")),
        sa.UniqueConstraint("tenant_id", "event_type", name=op.f("uq_finance_voucher_rules_tenant_id_event_type")),
    )
    op.create_table(
        "finance_vouchers",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("voucher_date", sa.Date(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("word", sa.String(length=2), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("summary", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("total", surety.core.db.types.Money(), nullable=False),
        sa.Column("maker_id", sa.Uuid(), nullable=True),
        sa.Column("reviewer_id", sa.Uuid(), nullable=True),
        sa.Column("poster_id", sa.Uuid(), nullable=True),
        sa.Column("reviewed_at", surety.core.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("posted_at", surety.core.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("source_event_type", sa.String(length=80), nullable=True),
        sa.Column("source_event_id", sa.Uuid(), nullable=True),
        sa.Column("reversal_of", sa.Uuid(), nullable=True),
        sa.Column("reversed_by", sa.Uuid(), nullable=True),
        sa.Column("created_at", surety.core.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_finance_vouchers_tenant_id_tenants"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_finance_vouchers")),
        sa.UniqueConstraint(
            "tenant_id", "period", "word", "seq", name=op.f("uq_finance_vouchers_tenant_id_period_word_seq")
        ),
        sa.UniqueConstraint("tenant_id", "source_event_id", name=op.f("uq_finance_vouchers_tenant_id_source_event_id")),
    )
    with op.batch_alter_table("finance_vouchers", schema=None) as batch_op:
        batch_op.create_index(
            "ix_finance_vouchers_tenant_id_period_status", ["tenant_id", "period", "status"], unique=False
        )

    op.create_table(
        "finance_voucher_lines",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("voucher_id", sa.Uuid(), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("account_code", sa.String(length=20), nullable=False),
        sa.Column("summary", sa.String(length=200), nullable=False),
        sa.Column("debit", surety.core.db.types.Money(), nullable=False),
        sa.Column("credit", surety.core.db.types.Money(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=True),
        sa.Column("project_id", sa.Uuid(), nullable=True),
        sa.Column("bank_id", sa.Uuid(), nullable=True),
        sa.Column("department", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id", "voucher_id"],
            ["finance_vouchers.tenant_id", "finance_vouchers.id"],
            name=op.f("fk_finance_voucher_lines_tenant_id_voucher_id_finance_vouchers"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_finance_voucher_lines_tenant_id_tenants"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_finance_voucher_lines")),
    )
    with op.batch_alter_table("finance_voucher_lines", schema=None) as batch_op:
        batch_op.create_index(
            "ix_finance_voucher_lines_tenant_id_period_account_code",
            ["tenant_id", "period", "account_code"],
            unique=False,
        )
        batch_op.create_index(
            "ix_finance_voucher_lines_tenant_id_voucher_id", ["tenant_id", "voucher_id"], unique=False
        )

    for table in TABLES:
        enable_rls(op.get_bind(), table)


def downgrade() -> None:
    for table in TABLES:
        disable_rls(op.get_bind(), table)
    with op.batch_alter_table("finance_voucher_lines", schema=None) as batch_op:
        batch_op.drop_index("ix_finance_voucher_lines_tenant_id_voucher_id")
        batch_op.drop_index("ix_finance_voucher_lines_tenant_id_period_account_code")

    op.drop_table("finance_voucher_lines")
    with op.batch_alter_table("finance_vouchers", schema=None) as batch_op:
        batch_op.drop_index("ix_finance_vouchers_tenant_id_period_status")

    op.drop_table("finance_vouchers")
    op.drop_table("finance_voucher_rules")
    op.drop_table("finance_voucher_counters")
    op.drop_table("finance_periods")
    op.drop_table("finance_charts")
    op.drop_table("finance_accounts")
