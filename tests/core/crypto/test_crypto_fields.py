"""EncryptedString: round trip, storage format, tamper detection, binding to tenant, table and column."""

from __future__ import annotations

import base64

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, Text, select, type_coerce, update
from sqlalchemy.exc import StatementError

from surety.core.crypto.errors import DecryptionFailed
from surety.core.crypto.fields import EncryptedString, decrypt_field, encrypt_field, key_version
from surety.core.errors import CrossTenantWrite, TenantNotBound

ID = "11010519491231002X"
PHONE = "13800138000"
BANK = "6222020200112233445"


def _add(db, tenant_id, model, **values):
    with db.tenant_session(tenant_id) as s:
        row = model(**values)
        s.add(row)
    return row.id


def _raw(db, tenant_id, model, row_id, attr):
    with db.tenant_session(tenant_id) as s:
        return s.scalar(select(type_coerce(getattr(model, attr), Text)).where(model.id == row_id))


def _write_raw(db, tenant_id, model, row_id, attr, token):
    with db.tenant_session(tenant_id) as s:
        s.execute(update(model).where(model.id == row_id).values({attr: type_coerce(token, Text)}))


def _load(db, tenant_id, model, row_id):
    with db.tenant_session(tenant_id) as s:
        return s.scalar(select(model).where(model.id == row_id))


def _unwrap(exc: BaseException) -> BaseException:
    return exc.orig if isinstance(exc, StatementError) else exc


def test_round_trip(db, sample_model, tenant):
    values = {"id_number": ID, "phone": PHONE, "bank_account": BANK, "note": "备注：客户 ☺ " * 20}
    row_id = _add(db, tenant.id, sample_model, **values)
    row = _load(db, tenant.id, sample_model, row_id)
    assert {k: getattr(row, k) for k in values} == values
    empty_id = _add(db, tenant.id, sample_model, note="", phone=None)
    row = _load(db, tenant.id, sample_model, empty_id)
    assert (row.note, row.phone) == ("", None)
    assert _raw(db, tenant.id, sample_model, empty_id, "phone") is None


def test_stored_format_carries_version_and_key_version_and_hides_plaintext(db, sample_model, tenant):
    row_id = _add(db, tenant.id, sample_model, id_number=ID, phone=PHONE)
    raw = _raw(db, tenant.id, sample_model, row_id, "id_number")
    fmt, version, body = raw.split(".", 2)
    assert (fmt, version, key_version(raw)) == ("v1", "1", 1)
    sealed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    assert len(sealed) == 12 + len(ID) + 16  # nonce, ciphertext, tag
    assert ID not in raw and ID.encode() not in sealed
    assert PHONE not in _raw(db, tenant.id, sample_model, row_id, "phone")


def test_same_value_encrypts_differently_each_time(db, tenant):
    with db.tenant_session(tenant.id):
        tokens = {encrypt_field(tenant.id, "crypto_sample.phone", PHONE) for _ in range(20)}
    assert len(tokens) == 20


def test_tampered_ciphertext_is_refused(db, sample_model, tenant):
    row_id = _add(db, tenant.id, sample_model, phone=PHONE)
    raw = _raw(db, tenant.id, sample_model, row_id, "phone")
    head, body = raw.rsplit(".", 1)
    sealed = bytearray(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    sealed[14] ^= 0x01
    tampered = f"{head}.{base64.urlsafe_b64encode(bytes(sealed)).rstrip(b'=').decode()}"
    _write_raw(db, tenant.id, sample_model, row_id, "phone", tampered)
    with pytest.raises(DecryptionFailed, match="tampered"):
        _load(db, tenant.id, sample_model, row_id)
    for bad in ("v1.1.!!!", "v2.1.AAAA", "plaintext", "v1.x.AAAA", "v1.1." + body[:10]):
        with pytest.raises(DecryptionFailed):
            decrypt_field(tenant.id, "crypto_sample.phone", bad)


def test_ciphertext_moved_to_another_column_fails(db, sample_model, tenant):
    row_id = _add(db, tenant.id, sample_model, id_number=ID, note="n")
    _write_raw(db, tenant.id, sample_model, row_id, "note", _raw(db, tenant.id, sample_model, row_id, "id_number"))
    with pytest.raises(DecryptionFailed, match="crypto_sample.note"):
        _load(db, tenant.id, sample_model, row_id)
    token = _raw(db, tenant.id, sample_model, row_id, "id_number")
    with pytest.raises(DecryptionFailed):
        decrypt_field(tenant.id, "other_table.id_number", token)


def test_ciphertext_moved_to_another_tenant_fails(db, sample_model, tenant, other_tenant):
    source = _add(db, tenant.id, sample_model, bank_account=BANK)
    target = _add(db, other_tenant.id, sample_model, bank_account="6222000000000000")
    _write_raw(db, other_tenant.id, sample_model, target, "bank_account",
               _raw(db, tenant.id, sample_model, source, "bank_account"))
    with pytest.raises(DecryptionFailed):
        _load(db, other_tenant.id, sample_model, target)
    assert _load(db, tenant.id, sample_model, source).bank_account == BANK


def test_encrypting_without_a_bound_tenant_fails_loudly(db, sample_model, tenant):
    with pytest.raises(TenantNotBound, match="crypto_sample.note"):
        EncryptedString("crypto_sample.note").process_bind_param("x", db.engine.dialect)
    with pytest.raises(TenantNotBound):
        EncryptedString("crypto_sample.note").process_result_value("v1.1.AAAA", db.engine.dialect)
    with db.session(tenant.id) as s, pytest.raises((TenantNotBound, StatementError)) as info:
        s.add(sample_model(note="x"))
        s.flush()
    assert isinstance(_unwrap(info.value), TenantNotBound)


def test_session_of_another_tenant_than_the_current_one_is_refused(db, sample_model, tenant, other_tenant):
    row_id = _add(db, other_tenant.id, sample_model, note="theirs")
    with db.tenant_session(tenant.id), db.session(other_tenant.id) as s:
        with pytest.raises(CrossTenantWrite):
            s.scalar(select(sample_model).where(sample_model.id == row_id))
        s.add(sample_model(note="x"))
        with pytest.raises(CrossTenantWrite):
            s.flush()


def test_encrypted_columns_refuse_sql_comparison(sample_model):
    for compare in (lambda c: c == PHONE, lambda c: c != PHONE, lambda c: c.in_([PHONE]),
                    lambda c: c.like("138%"), lambda c: c.startswith("138")):
        with pytest.raises(TypeError, match="blind index"):
            compare(sample_model.phone)
    assert "IS NULL" in str(sample_model.phone == None)  # noqa: E711
    assert "IS NOT NULL" in str(sample_model.phone.is_not(None))


def test_binding_must_name_its_own_table_and_column():
    with pytest.raises(ValueError, match="table.column"):
        EncryptedString("phone")
    with pytest.raises(ValueError, match="declared as"):
        Table("people", MetaData(), Column("id", Integer, primary_key=True),
              Column("phone", EncryptedString("customers.phone")))
    table = Table("people", MetaData(), Column("id", Integer, primary_key=True),
                  Column("phone", EncryptedString("people.phone")))
    assert table.c.phone.type.binding == "people.phone"


def test_non_string_values_are_refused(db, tenant):
    with db.tenant_session(tenant.id), pytest.raises(TypeError):
        EncryptedString("crypto_sample.note").process_bind_param(12345, db.engine.dialect)
