"""microloan: collection cases and actions, class overrides, write-offs, recoveries

Revision ID: microloan_0006
Revises: microloan_0005
Create Date: 2026-12-03 14:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import surety.core.db.types
from surety.core.db.rls import disable_rls, enable_rls

revision: str = "microloan_0006"
down_revision: str | Sequence[str] | None = "microloan_0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None
#: Tenant tables of this revision: row-level security enabled and forced on each (PostgreSQL).
TABLES = ("microloan_collection_cases", "microloan_collection_actions", "microloan_class_overrides",
          "microloan_write_offs", "microloan_recoveries")


def _keys(table: str) -> list:
    """The primary key, the tenant's foreign key and the loan's foreign key of a table of this revision."""
    return [
        sa.ForeignKeyConstraint(["tenant_id", "loan_id"], ["microloan_loans.tenant_id", "microloan_loans.id"],
                                name=op.f(f"fk_{table}_loan")),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f(f"fk_{table}_tenant_id_tenants"),
                                ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f(f"pk_{table}")),
    ]


def _ids() -> list:
    return [sa.Column("tenant_id", sa.Uuid(), nullable=False), sa.Column("id", sa.Uuid(), nullable=False),
            sa.Column("loan_id", sa.Uuid(), nullable=False)]


def upgrade() -> None:
    money, stamp = surety.core.db.types.Money, surety.core.db.types.UTCDateTime
    op.create_table(
        "microloan_collection_cases",
        *_ids(),
        sa.Column("loan_no", sa.String(length=40), nullable=False),
        sa.Column("stage", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("assignee_id", sa.Uuid(), nullable=True),
        sa.Column("days_past_due", sa.Integer(), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("stage_since", sa.Date(), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("close_reason", sa.String(length=10), nullable=True),
        sa.Column("recovered", money(), nullable=False),
        sa.Column("created_at", stamp(timezone=True), nullable=False),
        sa.Column("updated_at", stamp(timezone=True), nullable=False),
        *_keys("microloan_collection_cases"),
    )
    with op.batch_alter_table("microloan_collection_cases", schema=None) as batch_op:
        batch_op.create_index("ix_microloan_collection_cases_loan", ["tenant_id", "loan_id"], unique=False)
        batch_op.create_index("ix_microloan_collection_cases_status", ["tenant_id", "status", "stage"], unique=False)

    op.create_table(
        "microloan_collection_actions",
        *_ids(),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("happened_on", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("promised_amount", money(), nullable=True),
        sa.Column("promised_date", sa.Date(), nullable=True),
        sa.Column("paid_toward", money(), nullable=False),
        sa.Column("kept", sa.Boolean(), nullable=True),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("created_at", stamp(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id", "case_id"],
                                ["microloan_collection_cases.tenant_id", "microloan_collection_cases.id"],
                                name=op.f("fk_microloan_collection_actions_case")),
        *_keys("microloan_collection_actions"),
    )
    with op.batch_alter_table("microloan_collection_actions", schema=None) as batch_op:
        batch_op.create_index("ix_microloan_collection_actions_case", ["tenant_id", "case_id", "happened_on"],
                              unique=False)
        batch_op.create_index("ix_microloan_collection_actions_loan", ["tenant_id", "loan_id", "kind"], unique=False)

    op.create_table(
        "microloan_class_overrides",
        *_ids(),
        sa.Column("from_class", sa.String(length=20), nullable=False),
        sa.Column("to_class", sa.String(length=20), nullable=True),
        sa.Column("reason", sa.String(length=1000), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("proposed_by", sa.Uuid(), nullable=True),
        sa.Column("workflow_instance_id", sa.Uuid(), nullable=True),
        sa.Column("decided_by", sa.Uuid(), nullable=True),
        sa.Column("decided_at", stamp(timezone=True), nullable=True),
        sa.Column("refusal", sa.String(length=20), nullable=True),
        sa.Column("created_at", stamp(timezone=True), nullable=False),
        *_keys("microloan_class_overrides"),
    )
    with op.batch_alter_table("microloan_class_overrides", schema=None) as batch_op:
        batch_op.create_index("ix_microloan_class_overrides_loan", ["tenant_id", "loan_id", "status"], unique=False)

    op.create_table(
        "microloan_write_offs",
        *_ids(),
        sa.Column("ground", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.String(length=1000), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("proposed_by", sa.Uuid(), nullable=True),
        sa.Column("workflow_instance_id", sa.Uuid(), nullable=True),
        sa.Column("decided_at", stamp(timezone=True), nullable=True),
        sa.Column("refusal", sa.String(length=20), nullable=True),
        sa.Column("principal", money(), nullable=False),
        sa.Column("interest", money(), nullable=False),
        sa.Column("written_off_on", sa.Date(), nullable=True),
        sa.Column("created_at", stamp(timezone=True), nullable=False),
        *_keys("microloan_write_offs"),
    )
    with op.batch_alter_table("microloan_write_offs", schema=None) as batch_op:
        batch_op.create_index("ix_microloan_write_offs_loan", ["tenant_id", "loan_id", "status"], unique=False)

    op.create_table(
        "microloan_recoveries",
        *_ids(),
        sa.Column("amount", money(), nullable=False),
        sa.Column("recovered_on", sa.Date(), nullable=False),
        sa.Column("recorded_by", sa.Uuid(), nullable=True),
        sa.Column("created_at", stamp(timezone=True), nullable=False),
        *_keys("microloan_recoveries"),
    )
    with op.batch_alter_table("microloan_recoveries", schema=None) as batch_op:
        batch_op.create_index("ix_microloan_recoveries_loan", ["tenant_id", "loan_id", "recovered_on"], unique=False)

    for table in TABLES:
        enable_rls(op.get_bind(), table)


def downgrade() -> None:
    for table in TABLES:
        disable_rls(op.get_bind(), table)
    for table in reversed(TABLES):  # their indexes and keys go with them
        op.drop_table(table)
