"""Tenant keys: creation, wrapping, the keyring cache, destruction."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from surety.core.crypto.envelope import kek_for, unwrap_key
from surety.core.crypto.errors import KeyUnavailable
from surety.core.crypto.fields import decrypt_field, encrypt_field
from surety.core.crypto.keyring import Keyring, keyring
from surety.core.crypto.keys import create_tenant_keys, destroy_tenant_keys
from surety.core.crypto.models import KEY_DATA, KEY_INDEX, TenantKey
from surety.core.errors import TenantNotBound
from surety.core.settings import get_settings

B = "crypto_sample.note"


def _keys(db, tenant_id):
    with db.tenant_session(tenant_id) as s:
        return sorted((k.purpose, k.version, k.status, k.kek_id, k.wrapped_key) for k in s.scalars(select(TenantKey)))


def test_create_tenant_keys_makes_one_wrapped_data_and_index_key(db, bare_tenant):
    with db.tenant_session(bare_tenant.id) as s:
        create_tenant_keys(s)
    keys = _keys(db, bare_tenant.id)
    assert [(p, v, st, kid) for p, v, st, kid, _ in keys] == [
        (KEY_DATA, 1, "active", get_settings().kek_id), (KEY_INDEX, 1, "active", get_settings().kek_id)]
    for purpose, version, _, kek_id, wrapped in keys:
        key = unwrap_key(kek_for(kek_id), wrapped, tenant_id=bare_tenant.id, purpose=purpose, version=version)
        assert len(key) == 32 and key not in wrapped


def test_create_tenant_keys_is_idempotent(db, tenant):
    before = _keys(db, tenant.id)
    with db.tenant_session(tenant.id) as s:
        create_tenant_keys(s)
    assert _keys(db, tenant.id) == before


def test_wrapped_key_is_bound_to_tenant_purpose_and_version(db, tenant, other_tenant):
    (purpose, version, _, kek_id, wrapped), _ = _keys(db, tenant.id)
    kek = kek_for(kek_id)
    for meta in ({"tenant_id": other_tenant.id, "purpose": purpose, "version": version},
                 {"tenant_id": tenant.id, "purpose": KEY_INDEX, "version": version},
                 {"tenant_id": tenant.id, "purpose": purpose, "version": version + 1}):
        with pytest.raises(KeyUnavailable):
            unwrap_key(kek, wrapped, **meta)
    with pytest.raises(KeyUnavailable):
        unwrap_key(bytes(32), wrapped, tenant_id=tenant.id, purpose=purpose, version=version)


def test_create_tenant_keys_needs_a_tenant_session(db):
    with pytest.raises(TenantNotBound), db.platform_session() as s:
        create_tenant_keys(s)


def test_keys_cached_from_a_rolled_back_transaction_are_forgotten(db, bare_tenant):
    with pytest.raises(RuntimeError, match="boom"), db.tenant_session(bare_tenant.id) as s:
        create_tenant_keys(s)
        assert keyring.cached(bare_tenant.id)
        raise RuntimeError("boom")
    assert not keyring.cached(bare_tenant.id)
    assert _keys(db, bare_tenant.id) == []
    with pytest.raises(KeyUnavailable), db.tenant_session(bare_tenant.id):
        encrypt_field(bare_tenant.id, B, "x")


def test_cached_keys_cost_no_database_round_trip(db, tenant):
    ring = Keyring()
    ring.get(tenant.id)
    assert ring.loads == 1
    for _ in range(100):
        ring.get(tenant.id)
        ring.cipher(tenant.id, 1)
    assert ring.loads == 1
    with db.tenant_session(tenant.id):
        token = encrypt_field(tenant.id, B, "secret")
        loads = keyring.loads
        for _ in range(100):
            assert decrypt_field(tenant.id, B, encrypt_field(tenant.id, B, "secret")) == "secret"
        assert keyring.loads == loads
    keyring.invalidate(tenant.id)
    assert decrypt_field(tenant.id, B, token) == "secret"  # reloaded from the database
    assert keyring.loads == loads + 1


def test_expired_entries_are_reloaded(db, tenant):
    ring = Keyring(ttl=-1)
    ring.get(tenant.id)
    ring.get(tenant.id)
    assert ring.loads == 2


def test_unknown_key_version_is_an_error(db, tenant):
    with pytest.raises(KeyUnavailable, match="version 9"):
        keyring.cipher(tenant.id, 9)


def test_destroying_keys_makes_data_unreadable(db, tenant):
    with db.tenant_session(tenant.id):
        token = encrypt_field(tenant.id, B, "110105194912310021")
    with db.tenant_session(tenant.id) as s:
        assert destroy_tenant_keys(s) == 2
    assert not keyring.cached(tenant.id)
    assert _keys(db, tenant.id) == []
    with pytest.raises(KeyUnavailable):
        decrypt_field(tenant.id, B, token)
    with pytest.raises(KeyUnavailable):
        encrypt_field(tenant.id, B, "x")
