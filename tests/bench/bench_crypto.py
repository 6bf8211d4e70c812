"""Figure 3: encrypting and decrypting one field, against raw AES-GCM on the same bytes."""

from __future__ import annotations

import os
import uuid

from bench_stats import Figure, batch_mean_us, median

from surety.core.crypto.fields import EncryptedString, _aad
from surety.core.crypto.keyring import keyring
from surety.core.db.session import Database, bind_tenant_context

BINDING = "customers.id_number"
VALUE = "110101199003071234"  # an 18-character resident ID number (synthetic)


def run(db: Database, tenant_id: uuid.UUID, *, batch: int, rounds: int) -> list[Figure]:
    column = EncryptedString(BINDING)
    dialect = db.engine.dialect
    keys = keyring.get(tenant_id)  # warm the keyring (one database load)
    loads = keyring.loads
    cipher = keys.ciphers[keys.active_version]  # a cryptography AESGCM: the baseline uses it directly
    data, aad = VALUE.encode(), _aad(tenant_id, BINDING)
    with bind_tenant_context(tenant_id):
        token = column.process_bind_param(VALUE, dialect)
        if column.process_result_value(token, dialect) != VALUE:
            raise RuntimeError("field round trip failed")
        nonce = os.urandom(12)
        sealed = cipher.encrypt(nonce, data, aad)

        def raw_encrypt():
            n = os.urandom(12)
            return cipher.encrypt(n, data, aad)

        def raw_decrypt():
            return cipher.decrypt(nonce, sealed, aad)

        enc = batch_mean_us(lambda: column.process_bind_param(VALUE, dialect), batch, rounds)
        raw_enc = batch_mean_us(raw_encrypt, batch, rounds)
        dec = batch_mean_us(lambda: column.process_result_value(token, dialect), batch, rounds)
        raw_dec = batch_mean_us(raw_decrypt, batch, rounds)
    if keyring.loads != loads:
        raise RuntimeError("the keyring reloaded during timing: the cached path was not measured")
    note = (f"{rounds} batches of {batch} calls after a warm-up batch; median of the per-batch means; value of "
            f"{len(VALUE)} bytes; Surety path = EncryptedString.process_bind_param / process_result_value "
            "(keyring look-up, AAD, version prefix, base64)")
    figures = []
    for what, surety, base in (("encrypt", enc, raw_enc), ("decrypt", dec, raw_dec)):
        s_us, b_us = median(surety), median(base)
        figures.append(Figure(
            what=f"Field {what}, warm keyring, vs raw AES-GCM, per call",
            surety=s_us, baseline=b_us, unit="us", target="<= 20 us", passed=s_us <= 20,
            notes=(note,) if what == "encrypt" else (),
        ))
    return figures
