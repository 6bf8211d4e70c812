"""tenants/demo.py's credentials helpers, which `surety demo` and every plugin's demo data use."""

from __future__ import annotations

import re
import stat
import types

from surety.core.identity.passwords import check_policy
from surety.tenants import demo


def test_a_demo_password_is_fresh_each_time_and_meets_the_policy():
    first, second = demo.password(), demo.password()
    assert first != second
    assert re.fullmatch(r"Demo-[0-9a-f]{8}-[0-9A-F]{4}x", first)
    check_policy(first)


def test_credentials_are_appended_to_the_owner_only_file_and_printed_unless_told_not(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(demo, "get_settings", lambda: types.SimpleNamespace(var_dir=tmp_path / "var"))
    path = demo.keep_credentials("tenant: demo  staff: a  password: x")
    assert path == tmp_path / "var" / demo.CREDENTIALS_FILE
    assert demo.keep_credentials("line two", "line three", echo=False) == path
    assert path.read_text().splitlines() == ["tenant: demo  staff: a  password: x", "line two", "line three"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert capsys.readouterr().out == "tenant: demo  staff: a  password: x\n"
