from __future__ import annotations

import base64

import pytest

from surety.core.errors import ConfigurationError
from surety.core.settings import load_settings


def test_production_refuses_to_start_without_keys(tmp_path):
    with pytest.raises(ConfigurationError, match="SURETY_KEK.*SURETY_JWT_SECRET"):
        load_settings({"SURETY_ENV": "production", "SURETY_VAR_DIR": str(tmp_path)})
    assert not (tmp_path / "keys").exists()


def test_production_starts_with_configured_keys(tmp_path):
    kek = base64.b64encode(b"k" * 32).decode()
    s = load_settings({"SURETY_ENV": "production", "SURETY_KEK": kek, "SURETY_JWT_SECRET": "s" * 40,
                       "SURETY_AUDIT_KEY": base64.b64encode(b"a" * 32).decode(), "SURETY_VAR_DIR": str(tmp_path)})
    assert s.production and s.kek == b"k" * 32 and s.log_json


def test_keys_can_come_from_files(tmp_path):
    (tmp_path / "kek").write_text(base64.b64encode(b"f" * 32).decode())
    (tmp_path / "jwt").write_text("j" * 40)
    (tmp_path / "audit").write_text(base64.b64encode(b"a" * 32).decode())
    s = load_settings({"SURETY_ENV": "production", "SURETY_KEK_FILE": str(tmp_path / "kek"),
                       "SURETY_JWT_SECRET_FILE": str(tmp_path / "jwt"),
                       "SURETY_AUDIT_KEY_FILE": str(tmp_path / "audit")})
    assert s.kek == b"f" * 32 and s.jwt_secret == "j" * 40


def test_development_generates_keys_once_with_a_warning(tmp_path):
    env = {"SURETY_ENV": "development", "SURETY_VAR_DIR": str(tmp_path)}
    with pytest.warns(UserWarning, match="development key"):
        first = load_settings(env)
    second = load_settings(env)
    assert first.kek == second.kek and len(first.kek) == 32
    assert first.jwt_secret == second.jwt_secret
    assert (tmp_path / "keys" / "kek.b64").stat().st_mode & 0o077 == 0
    assert first.database_url == f"sqlite:///{tmp_path / 'surety.db'}"


@pytest.mark.parametrize("env, message", [
    ({"SURETY_ENV": "staging"}, "SURETY_ENV"),
    ({"SURETY_KEK": base64.b64encode(b"short").decode()}, "32 bytes"),
    ({"SURETY_KEK": "not base64!!"}, "base64"),
    ({"SURETY_JWT_SECRET": "short"}, "at least 32"),
])
def test_bad_settings_are_refused_with_a_clear_message(tmp_path, env, message):
    good = {"SURETY_KEK": base64.b64encode(b"k" * 32).decode(), "SURETY_JWT_SECRET": "s" * 40,
            "SURETY_AUDIT_KEY": base64.b64encode(b"a" * 32).decode()}
    with pytest.raises(ConfigurationError, match=message):
        load_settings({"SURETY_VAR_DIR": str(tmp_path), **good, **env})
