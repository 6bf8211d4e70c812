"""reguarantee: settings, partner institutions and their evaluations, programmes, cooperation agreements

Revision ID: reguarantee_0001
Revises:
Create Date: 2026-12-03 14:27:35.064744
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import surety.core.db.types
from surety.core.db.rls import disable_rls, enable_rls

revision: str = "reguarantee_0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("reguarantee",)
depends_on: str | Sequence[str] | None = ["0001_core"]
#: Tenant tables of this revision: row-level security enabled and forced on each (PostgreSQL).
TABLES = (
    "reguarantee_settings",
    "reguarantee_partners",
    "reguarantee_partner_evaluations",
    "reguarantee_programmes",
    "reguarantee_agreements",
)


def upgrade() -> None:
    op.create_table(
        "reguarantee_partners",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("credit_code", sa.String(length=18), nullable=False),
        sa.Column("region", sa.String(length=100), nullable=False),
        sa.Column("registered_capital", surety.core.db.types.Money(), nullable=True),
        sa.Column("contact_name", sa.Text(), nullable=True),
        sa.Column("contact_phone", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("status_reason", sa.String(length=500), nullable=False),
        sa.Column("analysis_scores", sa.JSON(), nullable=True),
        sa.Column("analysis_score", surety.core.db.types.Rate(), nullable=True),
        sa.Column("analysed_by", sa.Uuid(), nullable=True),
        sa.Column("admission_instance_id", sa.Uuid(), nullable=True),
        sa.Column("admitted_on", sa.Date(), nullable=True),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("created_at", surety.core.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", surety.core.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_reguarantee_partners_tenant_id_tenants"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_reguarantee_partners")),
        sa.UniqueConstraint("tenant_id", "credit_code", name=op.f("uq_reguarantee_partners_tenant_id_credit_code")),
    )
    with op.batch_alter_table("reguarantee_partners", schema=None) as batch_op:
        batch_op.create_index("ix_reguarantee_partners_kind_status", ["tenant_id", "kind", "status"], unique=False)

    op.create_table(
        "reguarantee_programmes",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("fund_share_max", surety.core.db.types.Rate(), nullable=False),
        sa.Column("split", sa.JSON(), nullable=False),
        sa.Column("household_cap", surety.core.db.types.Money(), nullable=False),
        sa.Column("base_fee_rate", surety.core.db.types.Rate(), nullable=False),
        sa.Column("reduced_fee_rate", surety.core.db.types.Rate(), nullable=True),
        sa.Column("reduced_threshold", surety.core.db.types.Money(), nullable=True),
        sa.Column("fee_multiplier", surety.core.db.types.Rate(), nullable=False),
        sa.Column("created_at", surety.core.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", surety.core.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_reguarantee_programmes_tenant_id_tenants"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_reguarantee_programmes")),
        sa.UniqueConstraint("tenant_id", "code", name=op.f("uq_reguarantee_programmes_tenant_id_code")),
    )
    op.create_table(
        "reguarantee_settings",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("admission_scorecard", sa.JSON(), nullable=False),
        sa.Column("admission_min_score", surety.core.db.types.Rate(), nullable=False),
        sa.Column("min_registered_capital", surety.core.db.types.Money(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_reguarantee_settings_tenant_id_tenants"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_reguarantee_settings")),
        sa.UniqueConstraint("tenant_id", name=op.f("uq_reguarantee_settings_tenant_id")),
    )
    op.create_table(
        "reguarantee_agreements",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("agreement_no", sa.String(length=40), nullable=False),
        sa.Column("partner_id", sa.Uuid(), nullable=False),
        sa.Column("programme_id", sa.Uuid(), nullable=False),
        sa.Column("line_amount", surety.core.db.types.Money(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=False),
        sa.Column("share_original", surety.core.db.types.Rate(), nullable=False),
        sa.Column("share_reguarantor", surety.core.db.types.Rate(), nullable=False),
        sa.Column("share_national_fund", surety.core.db.types.Rate(), nullable=False),
        sa.Column("share_bank", surety.core.db.types.Rate(), nullable=False),
        sa.Column("base_fee_rate", surety.core.db.types.Rate(), nullable=False),
        sa.Column("reduced_fee_rate", surety.core.db.types.Rate(), nullable=True),
        sa.Column("reduced_threshold", surety.core.db.types.Money(), nullable=True),
        sa.Column("fee_multiplier", surety.core.db.types.Rate(), nullable=False),
        sa.Column("household_cap", surety.core.db.types.Money(), nullable=False),
        sa.Column("eligibility_rules", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("created_at", surety.core.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", surety.core.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "partner_id"],
            ["reguarantee_partners.tenant_id", "reguarantee_partners.id"],
            name=op.f("fk_reguarantee_agreements_tenant_id_partner_id_reguarantee_partners"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "programme_id"],
            ["reguarantee_programmes.tenant_id", "reguarantee_programmes.id"],
            name=op.f("fk_reguarantee_agreements_tenant_id_programme_id_reguarantee_programmes"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_reguarantee_agreements_tenant_id_tenants"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_reguarantee_agreements")),
        sa.UniqueConstraint("tenant_id", "agreement_no", name=op.f("uq_reguarantee_agreements_tenant_id_agreement_no")),
    )
    with op.batch_alter_table("reguarantee_agreements", schema=None) as batch_op:
        batch_op.create_index("ix_reguarantee_agreements_partner", ["tenant_id", "partner_id", "status"], unique=False)

    op.create_table(
        "reguarantee_partner_evaluations",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("partner_id", sa.Uuid(), nullable=False),
        sa.Column("period", sa.String(length=10), nullable=False),
        sa.Column("score", surety.core.db.types.Rate(), nullable=False),
        sa.Column("remarks", sa.String(length=1000), nullable=False),
        sa.Column("evaluated_on", sa.Date(), nullable=False),
        sa.Column("evaluated_by", sa.Uuid(), nullable=True),
        sa.Column("created_at", surety.core.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "partner_id"],
            ["reguarantee_partners.tenant_id", "reguarantee_partners.id"],
            name=op.f("fk_reguarantee_partner_evaluations_tenant_id_partner_id_reguarantee_partners"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_reguarantee_partner_evaluations_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_reguarantee_partner_evaluations")),
        sa.UniqueConstraint(
            "tenant_id",
            "partner_id",
            "period",
            name=op.f("uq_reguarantee_partner_evaluations_tenant_id_partner_id_period"),
        ),
    )
    for table in TABLES:
        enable_rls(op.get_bind(), table)


def downgrade() -> None:
    for table in TABLES:
        disable_rls(op.get_bind(), table)
    op.drop_table("reguarantee_partner_evaluations")
    with op.batch_alter_table("reguarantee_agreements", schema=None) as batch_op:
        batch_op.drop_index("ix_reguarantee_agreements_partner")

    op.drop_table("reguarantee_agreements")
    op.drop_table("reguarantee_settings")
    op.drop_table("reguarantee_programmes")
    with op.batch_alter_table("reguarantee_partners", schema=None) as batch_op:
        batch_op.drop_index("ix_reguarantee_partners_kind_status")

    op.drop_table("reguarantee_partners")
