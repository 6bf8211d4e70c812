"""microloan: loans, installments, settings

Revision ID: microloan_0002
Revises: microloan_0001
Create Date: 2026-12-03 13:14:04.191564
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import surety.core.db.types
from surety.core.db.rls import disable_rls, enable_rls

revision: str = "microloan_0002"
down_revision: str | Sequence[str] | None = "microloan_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None
#: Tenant tables of this revision: row-level security enabled and forced on each (PostgreSQL).
TABLES = ("microloan_settings", "microloan_loans", "microloan_installments")


def upgrade() -> None:
    op.create_table(
        "microloan_settings",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("number_pattern", sa.String(length=60), nullable=False),
        sa.Column("prior_year_net_assets", surety.core.db.types.Money(), nullable=True),
        sa.Column("single_borrower_ratio", surety.core.db.types.Rate(), nullable=False),
        sa.Column("related_group_ratio", surety.core.db.types.Rate(), nullable=False),
        sa.Column("online_consumer_cap", surety.core.db.types.Money(), nullable=False),
        sa.Column("business_cap", surety.core.db.types.Money(), nullable=False),
        sa.Column("approval_routes", sa.JSON(), nullable=False),
        sa.Column("class_days", sa.JSON(), nullable=False),
        sa.Column("provision_rates", sa.JSON(), nullable=False),
        sa.Column("collection_stages", sa.JSON(), nullable=False),
        sa.Column("remind_days_before", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_microloan_settings_tenant_id_tenants"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_microloan_settings")),
        sa.UniqueConstraint("tenant_id", name=op.f("uq_microloan_settings_tenant_id")),
    )
    op.create_table(
        "microloan_loans",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("loan_no", sa.String(length=40), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("product_version", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("online", sa.Boolean(), nullable=False),
        sa.Column("purpose", sa.String(length=200), nullable=False),
        sa.Column("amount", surety.core.db.types.Money(), nullable=False),
        sa.Column("term_months", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("workflow_instance_id", sa.Uuid(), nullable=True),
        sa.Column("contract_no", sa.String(length=60), nullable=True),
        sa.Column("contract_signed_on", sa.Date(), nullable=True),
        sa.Column("disbursed_on", sa.Date(), nullable=True),
        sa.Column("first_due_date", sa.Date(), nullable=True),
        sa.Column("maturity_date", sa.Date(), nullable=True),
        sa.Column("upfront_fee", surety.core.db.types.Money(), nullable=False),
        sa.Column("schedule_revision", sa.Integer(), nullable=False),
        sa.Column("principal_balance", surety.core.db.types.Money(), nullable=False),
        sa.Column("accrued_interest", surety.core.db.types.Money(), nullable=False),
        sa.Column("accrued_to", sa.Date(), nullable=True),
        sa.Column("penalty_balance", surety.core.db.types.Money(), nullable=False),
        sa.Column("costs_balance", surety.core.db.types.Money(), nullable=False),
        sa.Column("held_amount", surety.core.db.types.Money(), nullable=False),
        sa.Column("days_past_due", sa.Integer(), nullable=False),
        sa.Column("overdue_since", sa.Date(), nullable=True),
        sa.Column("risk_class", sa.String(length=20), nullable=False),
        sa.Column("risk_class_override", sa.String(length=20), nullable=True),
        sa.Column("provision", surety.core.db.types.Money(), nullable=False),
        sa.Column("settled_on", sa.Date(), nullable=True),
        sa.Column("written_off_on", sa.Date(), nullable=True),
        sa.Column("written_off_principal", surety.core.db.types.Money(), nullable=False),
        sa.Column("written_off_interest", surety.core.db.types.Money(), nullable=False),
        sa.Column("recovered_amount", surety.core.db.types.Money(), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("manager_id", sa.Uuid(), nullable=True),
        sa.Column("department_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", surety.core.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", surety.core.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "product_id"],
            ["microloan_products.tenant_id", "microloan_products.id"],
            name=op.f("fk_microloan_loans_tenant_id_product_id_microloan_products"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_microloan_loans_tenant_id_tenants"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_microloan_loans")),
        sa.UniqueConstraint("tenant_id", "loan_no", name=op.f("uq_microloan_loans_tenant_id_loan_no")),
    )
    with op.batch_alter_table("microloan_loans", schema=None) as batch_op:
        batch_op.create_index("ix_microloan_loans_customer", ["tenant_id", "customer_id"], unique=False)
        batch_op.create_index("ix_microloan_loans_status", ["tenant_id", "status"], unique=False)

    op.create_table(
        "microloan_installments",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("loan_id", sa.Uuid(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("period", sa.Integer(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("principal", surety.core.db.types.Money(), nullable=False),
        sa.Column("interest", surety.core.db.types.Money(), nullable=False),
        sa.Column("fee", surety.core.db.types.Money(), nullable=False),
        sa.Column("paid_principal", surety.core.db.types.Money(), nullable=False),
        sa.Column("paid_interest", surety.core.db.types.Money(), nullable=False),
        sa.Column("paid_fee", surety.core.db.types.Money(), nullable=False),
        sa.Column("penalty", surety.core.db.types.Money(), nullable=False),
        sa.Column("paid_penalty", surety.core.db.types.Money(), nullable=False),
        sa.Column("settled_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id", "loan_id"],
            ["microloan_loans.tenant_id", "microloan_loans.id"],
            name=op.f("fk_microloan_installments_tenant_id_loan_id_microloan_loans"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_microloan_installments_tenant_id_tenants"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_microloan_installments")),
        sa.UniqueConstraint(
            "tenant_id",
            "loan_id",
            "revision",
            "period",
            name=op.f("uq_microloan_installments_tenant_id_loan_id_revision_period"),
        ),
    )
    with op.batch_alter_table("microloan_installments", schema=None) as batch_op:
        batch_op.create_index("ix_microloan_installments_due", ["tenant_id", "due_date"], unique=False)

    for table in TABLES:
        enable_rls(op.get_bind(), table)


def downgrade() -> None:
    for table in TABLES:
        disable_rls(op.get_bind(), table)
    with op.batch_alter_table("microloan_installments", schema=None) as batch_op:
        batch_op.drop_index("ix_microloan_installments_due")

    op.drop_table("microloan_installments")
    with op.batch_alter_table("microloan_loans", schema=None) as batch_op:
        batch_op.drop_index("ix_microloan_loans_status")
        batch_op.drop_index("ix_microloan_loans_customer")

    op.drop_table("microloan_loans")
    op.drop_table("microloan_settings")
