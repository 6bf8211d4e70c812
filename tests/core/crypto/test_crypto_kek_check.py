"""Production refuses to start when stored tenant keys are wrapped with a KEK this process does not hold
(core/crypto/kek_check.py, called by `surety serve`)."""

from __future__ import annotations

import dataclasses
import os

import pytest
import uvicorn
from typer.testing import CliRunner

from surety.core import settings as settings_module
from surety.core.cli.main import app
from surety.core.crypto.envelope import add_kek, forget_kek, wrap_key
from surety.core.crypto.kek_check import check_kek, stored_kek_ids
from surety.core.crypto.keys import create_tenant_keys
from surety.core.crypto.models import KEY_DATA, KEY_INDEX, TenantKey
from surety.core.db import session as session_module
from surety.core.db.session import Database
from surety.core.errors import ConfigurationError
from surety.core.settings import get_settings
from surety.core.testing import fresh_database, new_bare_tenant

OLD_KEK = os.urandom(32)


@pytest.fixture(scope="module")
def kek_db():
    """A database of its own (other tests leave keys under other KEK ids in the shared one): one tenant whose keys
    are wrapped with the configured KEK, one whose keys are still under the old KEK ``k-old``."""
    with fresh_database(os.environ.get("SURETY_TEST_DATABASE_URL") or None) as tdb:
        db = Database(tdb.app_url, owner_url=tdb.owner_url)
        current = new_bare_tenant(db, "Current")
        with db.tenant_session(current.id) as s:
            create_tenant_keys(s)
        old = new_bare_tenant(db, "Old")
        with db.tenant_session(old.id) as s:
            for purpose in (KEY_DATA, KEY_INDEX):
                s.add(TenantKey(purpose=purpose, version=1, kek_id="k-old", status="active",
                                wrapped_key=wrap_key(OLD_KEK, os.urandom(32), tenant_id=old.id, purpose=purpose,
                                                     version=1)))
        yield db
        db.dispose()


def _production(**fields):
    return dataclasses.replace(get_settings(), env="production", **fields)


def test_stored_ids_are_counted_over_every_tenant(kek_db):
    assert stored_kek_ids(kek_db) == {get_settings().kek_id: 2, "k-old": 2}


def test_production_refuses_a_kek_id_that_does_not_match_the_stored_keys(kek_db):
    with pytest.raises(ConfigurationError) as exc:
        check_kek(_production(kek_id="k2"), kek_db)
    message = str(exc.value)
    assert "'k2'" in message and "'k-old' (2 keys)" in message and f"'{get_settings().kek_id}' (2 keys)" in message


def test_an_old_kek_held_during_rotation_is_accepted(kek_db):
    add_kek("k-old", OLD_KEK)
    try:
        check_kek(_production(), kek_db)
    finally:
        forget_kek("k-old")
    with pytest.raises(ConfigurationError, match="'k-old'"):
        check_kek(_production(), kek_db)


def test_the_right_id_with_the_wrong_key_is_refused(kek_db):
    add_kek("k-old", OLD_KEK)
    try:
        with pytest.raises(ConfigurationError, match="does not unwrap"):
            check_kek(_production(kek=os.urandom(32)), kek_db)
    finally:
        forget_kek("k-old")


def test_other_environments_are_not_checked(kek_db):
    check_kek(dataclasses.replace(get_settings(), env="development", kek_id="k2"), kek_db)


def test_surety_serve_refuses_to_start(kek_db, monkeypatch):
    served = []
    monkeypatch.setattr(settings_module, "get_settings", lambda: _production(kek_id="k2"))
    monkeypatch.setattr(session_module, "_database", kek_db)
    monkeypatch.setattr(uvicorn, "run", lambda *a, **kw: served.append(a))
    result = CliRunner().invoke(app, ["serve"])
    assert isinstance(result.exception, ConfigurationError) and "'k2'" in str(result.exception)
    assert served == []
