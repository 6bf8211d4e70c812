"""The audit key: configuration (env, file, development key, production refusal, retired keys) and subkeys."""

from __future__ import annotations

import base64
import dataclasses
import uuid

import pytest

from surety.core import settings as settings_module
from surety.core.audit.keys import AuditKeyUnavailable, checkpoint_key, record_key
from surety.core.errors import ConfigurationError
from surety.core.settings import get_settings, load_settings

KEK = base64.b64encode(b"k" * 32).decode()
AUDIT = base64.b64encode(b"a" * 32).decode()
OLD = base64.b64encode(b"o" * 32).decode()


def test_production_refuses_to_start_without_the_audit_key(tmp_path):
    with pytest.raises(ConfigurationError, match="SURETY_AUDIT_KEY \\(or SURETY_AUDIT_KEY_FILE\\)"):
        load_settings({"SURETY_ENV": "production", "SURETY_KEK": KEK, "SURETY_JWT_SECRET": "s" * 40,
                       "SURETY_VAR_DIR": str(tmp_path)})
    assert not (tmp_path / "keys").exists()


def test_audit_key_from_a_file_with_its_id_and_checkpoint_directory(tmp_path):
    (tmp_path / "audit.key").write_text(AUDIT + "\n")
    s = load_settings({"SURETY_ENV": "production", "SURETY_KEK": KEK, "SURETY_JWT_SECRET": "s" * 40,
                       "SURETY_AUDIT_KEY_FILE": str(tmp_path / "audit.key"), "SURETY_AUDIT_KEY_ID": "a2026",
                       "SURETY_AUDIT_RETIRED_KEYS": f"a2025:{OLD}", "SURETY_VAR_DIR": str(tmp_path),
                       "SURETY_AUDIT_CHECKPOINT_DIR": "/srv/anchors"})
    assert (s.audit_key, s.audit_key_id) == (b"a" * 32, "a2026")
    assert s.audit_retired_keys == {"a2025": b"o" * 32}
    assert str(s.audit_checkpoint_dir) == "/srv/anchors"


def test_production_default_key_id_and_checkpoint_directory(tmp_path):
    s = load_settings({"SURETY_ENV": "production", "SURETY_KEK": KEK, "SURETY_JWT_SECRET": "s" * 40,
                       "SURETY_AUDIT_KEY": AUDIT, "SURETY_VAR_DIR": str(tmp_path)})
    assert s.audit_key_id == "a1" and s.audit_retired_keys == {}
    assert s.audit_checkpoint_dir == tmp_path / "audit-checkpoints"


def test_development_generates_the_audit_key_once_with_a_warning(tmp_path):
    env = {"SURETY_ENV": "development", "SURETY_VAR_DIR": str(tmp_path), "SURETY_KEK": KEK,
           "SURETY_JWT_SECRET": "s" * 40}
    with pytest.warns(UserWarning, match="audit.key.b64"):
        first = load_settings(env)
    second = load_settings(env)
    assert first.audit_key == second.audit_key and len(first.audit_key) == 32
    assert first.audit_key_id == "dev"
    assert (tmp_path / "keys" / "audit.key.b64").stat().st_mode & 0o077 == 0


@pytest.mark.parametrize("env, message", [
    ({"SURETY_AUDIT_KEY": base64.b64encode(b"short").decode()}, "SURETY_AUDIT_KEY must decode to exactly 32"),
    ({"SURETY_AUDIT_KEY": "not base64!!"}, "SURETY_AUDIT_KEY must be base64"),
    ({"SURETY_AUDIT_KEY_ID": ""}, "SURETY_AUDIT_KEY_ID must be 1-32"),
    ({"SURETY_AUDIT_KEY_ID": "a b"}, "SURETY_AUDIT_KEY_ID must be 1-32"),
    ({"SURETY_AUDIT_RETIRED_KEYS": OLD}, "id:base64"),
    ({"SURETY_AUDIT_RETIRED_KEYS": f"dev:{OLD}"}, "given twice"),
    ({"SURETY_AUDIT_RETIRED_KEYS": f"old:{base64.b64encode(b'x').decode()}"}, "Retired audit key 'old'"),
])
def test_bad_audit_key_settings_are_refused(tmp_path, env, message):
    good = {"SURETY_KEK": KEK, "SURETY_JWT_SECRET": "s" * 40, "SURETY_AUDIT_KEY": AUDIT}
    with pytest.raises(ConfigurationError, match=message):
        load_settings({"SURETY_VAR_DIR": str(tmp_path), **good, **env})


def test_subkeys_differ_per_tenant_and_purpose_and_unknown_ids_are_refused(monkeypatch):
    a, b = uuid.uuid4(), uuid.uuid4()
    key_id = get_settings().audit_key_id
    keys = {record_key(key_id, a), record_key(key_id, b), checkpoint_key(key_id, a), checkpoint_key(key_id, b)}
    assert len(keys) == 4 and all(len(k) == 32 for k in keys)
    assert get_settings().audit_key not in keys  # the configured key itself is never used directly
    assert record_key("", a) is None  # legacy records: plain SHA-256
    with pytest.raises(AuditKeyUnavailable, match="'nope' is not configured"):
        record_key("nope", a)
    with pytest.raises(AuditKeyUnavailable):
        checkpoint_key("", a)
    retired = dataclasses.replace(get_settings(), audit_key_id="new", audit_key=b"n" * 32,
                                  audit_retired_keys={key_id: get_settings().audit_key})
    old = record_key(key_id, a)
    monkeypatch.setattr(settings_module, "get_settings", lambda: retired)
    assert record_key(key_id, a) == old  # a retired key still checks what it signed
    assert record_key("new", a) != old
