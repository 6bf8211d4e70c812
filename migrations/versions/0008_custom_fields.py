"""custom fields: definitions, values (JSONB on PostgreSQL), kept versions, choice index (core/custom_fields)

Revision ID: 0008_custom_fields
Revises: 0007_audit_keyed_chain
Create Date: 2026-12-03 10:40:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import surety.core.db.types
from surety.core.db.rls import disable_rls, enable_rls

revision: str = '0008_custom_fields'
down_revision: str | Sequence[str] | None = '0007_audit_keyed_chain'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Tenant tables created by this revision: row-level security enabled and forced on each (PostgreSQL).
TENANT_TABLES = ('custom_field_definitions', 'custom_field_values', 'custom_field_value_versions',
                 'custom_field_choices')


def _document():
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def _keys(table: str):
    return (
        sa.Column('tenant_id', sa.Uuid(), nullable=False),
        sa.Column('id', sa.Uuid(), nullable=False),
    ), (
        sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f(f'fk_{table}_tenant_id_tenants'),
                                ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f(f'pk_{table}')),
    )


def upgrade() -> None:
    cols, keys = _keys('custom_field_definitions')
    op.create_table('custom_field_definitions', *cols,
    sa.Column('entity_type', sa.String(length=60), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('label_zh', sa.String(length=100), nullable=False),
    sa.Column('label_en', sa.String(length=100), nullable=False),
    sa.Column('type', sa.String(length=20), nullable=False),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.Column('validation', sa.JSON(), nullable=False),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.Column('columns', sa.JSON(), nullable=False),
    sa.Column('section', sa.String(length=100), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('sensitive', sa.Boolean(), nullable=False),
    sa.Column('mask_kind', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_by', sa.Uuid(), nullable=True),
    sa.Column('created_at', surety.core.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', surety.core.db.types.UTCDateTime(timezone=True), nullable=False),
    *keys,
    sa.UniqueConstraint('tenant_id', 'entity_type', 'key',
                        name=op.f('uq_custom_field_definitions_tenant_id_entity_type_key'))
    )
    with op.batch_alter_table('custom_field_definitions', schema=None) as batch_op:
        batch_op.create_index('ix_custom_field_definitions_order',
                              ['tenant_id', 'entity_type', 'status', 'section', 'position'], unique=False)

    cols, keys = _keys('custom_field_values')
    op.create_table('custom_field_values', *cols,
    sa.Column('entity_type', sa.String(length=60), nullable=False),
    sa.Column('record_id', sa.Uuid(), nullable=False),
    sa.Column('values', _document(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_by', sa.Uuid(), nullable=True),
    sa.Column('updated_at', surety.core.db.types.UTCDateTime(timezone=True), nullable=False),
    *keys,
    sa.UniqueConstraint('tenant_id', 'entity_type', 'record_id',
                        name=op.f('uq_custom_field_values_tenant_id_entity_type_record_id'))
    )

    cols, keys = _keys('custom_field_value_versions')
    op.create_table('custom_field_value_versions', *cols,
    sa.Column('entity_type', sa.String(length=60), nullable=False),
    sa.Column('record_id', sa.Uuid(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('values', _document(), nullable=False),
    sa.Column('changed', sa.JSON(), nullable=False),
    sa.Column('changed_by', sa.Uuid(), nullable=True),
    sa.Column('changed_at', surety.core.db.types.UTCDateTime(timezone=True), nullable=False),
    *keys,
    sa.UniqueConstraint('tenant_id', 'entity_type', 'record_id', 'version',
                        name=op.f('uq_custom_field_value_versions_tenant_id_entity_type_record_id_version'))
    )

    cols, keys = _keys('custom_field_choices')
    op.create_table('custom_field_choices', *cols,
    sa.Column('entity_type', sa.String(length=60), nullable=False),
    sa.Column('record_id', sa.Uuid(), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('value', sa.String(length=100), nullable=False),
    *keys,
    )
    with op.batch_alter_table('custom_field_choices', schema=None) as batch_op:
        batch_op.create_index('ix_custom_field_choices_lookup',
                              ['tenant_id', 'entity_type', 'key', 'value', 'record_id'], unique=False)
        batch_op.create_index('ix_custom_field_choices_record', ['tenant_id', 'entity_type', 'record_id'],
                              unique=False)

    bind = op.get_bind()
    for table in TENANT_TABLES:
        enable_rls(bind, table)


def downgrade() -> None:
    bind = op.get_bind()
    for table in TENANT_TABLES:
        disable_rls(bind, table)
    with op.batch_alter_table('custom_field_choices', schema=None) as batch_op:
        batch_op.drop_index('ix_custom_field_choices_record')
        batch_op.drop_index('ix_custom_field_choices_lookup')
    op.drop_table('custom_field_choices')
    op.drop_table('custom_field_value_versions')
    op.drop_table('custom_field_values')
    with op.batch_alter_table('custom_field_definitions', schema=None) as batch_op:
        batch_op.drop_index('ix_custom_field_definitions_order')
    op.drop_table('custom_field_definitions')
