"""A database dump holds no plaintext personal data."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

ID = "11010519491231002X"
PHONE = "13800138000"
BANK = "6222020200112233445"


def _pg_dump() -> str:
    for path in ("/usr/lib/postgresql/15/bin/pg_dump", shutil.which("pg_dump") or ""):
        if path and os.access(path, os.X_OK):
            return path
    raise RuntimeError("pg_dump not found")


def _libpq_url(sqlalchemy_url: str) -> str:
    return make_url(sqlalchemy_url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.mark.postgres
def test_pg_dump_contains_no_plaintext(db, sample_model, tenant):
    with db.tenant_session(tenant.id) as s:
        s.add_all([
            sample_model(label="dump-marker-1", id_number=ID, phone=PHONE, bank_account=BANK, note=f"{ID} {PHONE}"),
            sample_model(label="dump-marker-2", id_number=ID.lower(), phone="+86 138 0013 8000",
                         bank_account="6222 0202 0011 2233 445"),
        ])
    with db.tenant_session(tenant.id) as s:
        assert set(s.scalars(select(sample_model.phone))) == {PHONE, "+86 138 0013 8000"}

    dump = subprocess.run([_pg_dump(), "--no-owner", _libpq_url(db.owner_url)], check=True,
                          capture_output=True, text=True).stdout

    assert "dump-marker-1" in dump and "dump-marker-2" in dump  # the rows are in the dump
    assert "COPY public.crypto_sample" in dump
    for plaintext in (ID, ID.lower(), PHONE, BANK, "138 0013 8000", "138-0013-8000", "6222 0202"):
        assert plaintext not in dump
