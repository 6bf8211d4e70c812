"""Data-key rotation, purge of retired keys, KEK rewrapping."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import Text, select, type_coerce, update

from surety.core.crypto.envelope import add_kek, forget_kek
from surety.core.crypto.errors import CryptoError, KeyUnavailable
from surety.core.crypto.fields import key_version
from surety.core.crypto.keyring import Keyring, keyring
from surety.core.crypto.models import KEY_DATA, TenantKey
from surety.core.crypto.rotate import (
    encrypted_columns,
    encrypted_models,
    purge_retired_keys,
    rewrap_tenant_keys,
    rotate_tenant_keys,
)
from surety.core.db.base import Base


def _seed(db, tenant_id, model, n):
    with db.tenant_session(tenant_id) as s:
        for i in range(n):
            s.add(model(label=f"r{i}", id_number=f"1101051949123100{i:02d}", phone=f"138001380{i:02d}",
                        note=None if i % 2 else f"note {i}"))


def _raw(db, tenant_id, model):
    cols = [type_coerce(getattr(model, a), Text) for a in ("id_number", "phone", "note")]
    with db.tenant_session(tenant_id) as s:
        return {row[0]: [v for v in row[1:] if v is not None]
                for row in s.execute(select(model.label, *cols).order_by(model.label))}


def _versions(db, tenant_id, model):
    return {key_version(t) for tokens in _raw(db, tenant_id, model).values() for t in tokens}


def _plain(db, tenant_id, model):
    with db.tenant_session(tenant_id) as s:
        return {r.label: (r.id_number, r.phone, r.note) for r in s.scalars(select(model))}


def _data_keys(db, tenant_id):
    with db.tenant_session(tenant_id) as s:
        return sorted((k.version, k.status) for k in s.scalars(select(TenantKey).where(TenantKey.purpose == KEY_DATA)))


def test_encrypted_columns_and_models_are_discovered(sample_model):
    assert encrypted_columns(sample_model.metadata) == {
        "crypto_sample": ["id_number", "phone", "bank_account", "note"]}
    assert encrypted_models(sample_model.registry) == [sample_model]
    assert sample_model not in encrypted_models()  # the default walks Base only
    assert all(issubclass(m, Base) for m in encrypted_models())


def test_rotation_reencrypts_every_row_in_batches(db, sample_model, tenant, other_tenant):
    _seed(db, tenant.id, sample_model, 7)
    _seed(db, other_tenant.id, sample_model, 2)
    before, before_raw = _plain(db, tenant.id, sample_model), _raw(db, tenant.id, sample_model)
    theirs = _raw(db, other_tenant.id, sample_model)
    calls = []

    done = rotate_tenant_keys(db, tenant.id, batch_size=3, progress=lambda d, t: calls.append((d, t)),
                              models=[sample_model])

    assert done == 7
    assert calls == [(3, 7), (6, 7), (7, 7)]
    assert _versions(db, tenant.id, sample_model) == {2}
    after_raw = _raw(db, tenant.id, sample_model)
    old_tokens = {t for tokens in before_raw.values() for t in tokens}
    assert not old_tokens & {t for tokens in after_raw.values() for t in tokens}
    assert _plain(db, tenant.id, sample_model) == before
    keyring.invalidate()
    assert _plain(db, tenant.id, sample_model) == before  # readable after a cold reload too
    assert _data_keys(db, tenant.id) == [(1, "retired"), (2, "active")]
    assert _raw(db, other_tenant.id, sample_model) == theirs
    assert _data_keys(db, other_tenant.id) == [(1, "active")]

    assert rotate_tenant_keys(db, tenant.id, batch_size=500, models=[sample_model]) == 7
    assert _versions(db, tenant.id, sample_model) == {3}
    assert _data_keys(db, tenant.id) == [(1, "retired"), (2, "retired"), (3, "active")]


def test_interrupted_rotation_resumes_and_skips_rows_already_done(db, sample_model, tenant):
    _seed(db, tenant.id, sample_model, 5)
    before = _plain(db, tenant.id, sample_model)

    def crash(done, total):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        rotate_tenant_keys(db, tenant.id, batch_size=2, progress=crash, models=[sample_model])
    assert sorted(key_version(t[0]) for t in _raw(db, tenant.id, sample_model).values()) == [1, 1, 1, 2, 2]
    assert _data_keys(db, tenant.id) == [(1, "active"), (2, "active")]
    assert _plain(db, tenant.id, sample_model) == before  # both versions decrypt meanwhile

    calls = []
    assert rotate_tenant_keys(db, tenant.id, batch_size=2, progress=lambda d, t: calls.append((d, t)),
                              models=[sample_model]) == 3
    assert calls == [(2, 3), (3, 3)]
    assert _versions(db, tenant.id, sample_model) == {2}
    assert _data_keys(db, tenant.id) == [(1, "retired"), (2, "active")]
    assert _plain(db, tenant.id, sample_model) == before


def test_new_writes_during_rotation_use_the_new_version(db, sample_model, tenant):
    _seed(db, tenant.id, sample_model, 2)

    def write(done, total):
        with db.tenant_session(tenant.id) as s:
            s.add(sample_model(label=f"during{done}", phone="13900000000"))

    rotate_tenant_keys(db, tenant.id, batch_size=1, progress=write, models=[sample_model])
    assert _versions(db, tenant.id, sample_model) == {2}


def test_another_process_picks_up_a_new_key_version(db, sample_model, tenant):
    ring = Keyring()  # stands for a process whose cache predates the rotation
    ring.get(tenant.id)
    _seed(db, tenant.id, sample_model, 1)
    rotate_tenant_keys(db, tenant.id, models=[sample_model])
    assert ring.get(tenant.id).active_version == 1
    ring.cipher(tenant.id, 2)  # an unknown version forces a reload
    assert ring.get(tenant.id).active_version == 2
    assert ring.loads == 2


def test_purge_retired_keys(db, sample_model, tenant):
    _seed(db, tenant.id, sample_model, 3)
    stale_token = _raw(db, tenant.id, sample_model)["r0"][0]
    rotate_tenant_keys(db, tenant.id, models=[sample_model])
    with db.tenant_session(tenant.id) as s:  # a row written by a process that still used version 1
        s.execute(update(sample_model).where(sample_model.label == "r0")
                  .values(id_number=type_coerce(stale_token, Text)))
    with pytest.raises(CryptoError, match="1 rows"):
        purge_retired_keys(db, tenant.id, models=[sample_model])
    assert rotate_tenant_keys(db, tenant.id, models=[sample_model]) == 3
    before = _plain(db, tenant.id, sample_model)
    assert purge_retired_keys(db, tenant.id, models=[sample_model]) == 2
    assert _data_keys(db, tenant.id) == [(3, "active")]
    keyring.invalidate()
    assert _plain(db, tenant.id, sample_model) == before
    with pytest.raises(KeyUnavailable):
        keyring.cipher(tenant.id, 1)


def test_rewrap_with_a_new_kek(db, sample_model, tenant):
    _seed(db, tenant.id, sample_model, 2)
    before = _plain(db, tenant.id, sample_model)
    new_kek = os.urandom(32)
    try:
        assert rewrap_tenant_keys(db, tenant.id, new_kek, "k-next") == 2
        assert rewrap_tenant_keys(db, tenant.id, new_kek, "k-next") == 0  # idempotent
        with db.tenant_session(tenant.id) as s:
            assert set(s.scalars(select(TenantKey.kek_id))) == {"k-next"}
        keyring.invalidate()
        assert _plain(db, tenant.id, sample_model) == before
        forget_kek("k-next")
        keyring.invalidate()
        with pytest.raises(KeyUnavailable, match="k-next"):
            _plain(db, tenant.id, sample_model)
    finally:
        add_kek("k-next", new_kek)
