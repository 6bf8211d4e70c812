"""audit: keyed hash chain (audit_log.key_id)

Revision ID: 0007_audit_keyed_chain
Revises: 0006_idempotency_keys
Create Date: 2026-12-08 12:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007_audit_keyed_chain'
down_revision: str | Sequence[str] | None = '0006_idempotency_keys'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Existing records get '' (unkeyed legacy records, plain SHA-256: docs/audit.md, "Keys"). On PostgreSQL adding a
    # column with a constant default rewrites no row, so the append-only trigger is not involved.
    op.add_column('audit_log', sa.Column('key_id', sa.String(length=32), nullable=False, server_default=''))
    # Then no default: a process of the previous release still running (it names no key_id) can no longer append,
    # so no unkeyed record is written after a keyed one (verify would report it as a downgrade).
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.alter_column('key_id', existing_type=sa.String(length=32), existing_nullable=False,
                              server_default=None)


def downgrade() -> None:
    # Keyed records hash their key_id: after a downgrade the previous release reports them as edited.
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_column('key_id')
