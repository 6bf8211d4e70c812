"""identity: API-key prefixes and refresh-token hashes unique per tenant (tenant_id in every unique index)

A unique index on a table distributed by tenant_id (Citus) must include tenant_id. Both lookups already run inside
the tenant (an API key's tenant comes from the global ``api_key_routes``, a refresh token names its tenant), so the
new composite indexes serve them; ``api_key_routes`` still keeps prefixes unique across tenants.

Revision ID: 0005_tenant_unique_indexes
Revises: 0004_authz_granted_defaults
Create Date: 2026-12-08 10:00:00
"""
from collections.abc import Sequence

from alembic import op

revision: str = '0005_tenant_unique_indexes'
down_revision: str | Sequence[str] | None = '0004_authz_granted_defaults'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        batch_op.drop_index('ix_api_keys_prefix')
        batch_op.create_unique_constraint('uq_api_keys_tenant_id_prefix', ['tenant_id', 'prefix'])
    with op.batch_alter_table('refresh_tokens', schema=None) as batch_op:
        batch_op.drop_index('ix_refresh_tokens_hash')
        batch_op.create_unique_constraint('uq_refresh_tokens_tenant_id_token_hash', ['tenant_id', 'token_hash'])


def downgrade() -> None:
    # Going back to the global unique indexes fails if two tenants meanwhile hold the same prefix or token hash
    # (neither happens in practice: prefixes are unique across tenants, hashes are of 256-bit random tokens).
    with op.batch_alter_table('refresh_tokens', schema=None) as batch_op:
        batch_op.drop_constraint('uq_refresh_tokens_tenant_id_token_hash', type_='unique')
        batch_op.create_index('ix_refresh_tokens_hash', ['token_hash'], unique=True)
    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        batch_op.drop_constraint('uq_api_keys_tenant_id_prefix', type_='unique')
        batch_op.create_index('ix_api_keys_prefix', ['prefix'], unique=True)
