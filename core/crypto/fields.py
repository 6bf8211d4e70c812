"""``EncryptedString``: a column type that stores a string encrypted with the tenant's data key.

Design: a type decorator sees neither its column nor the session, so

* the column is named explicitly, ``EncryptedString("customers.id_number")`` (``table.column``); a listener checks
  that the name matches the table and column the type is attached to, so a copy-pasted declaration fails at import;
* the tenant is :func:`surety.core.db.session.current_tenant_id`, set by ``Database.tenant_session``. Binding or
  loading an encrypted value with no tenant bound raises :class:`TenantNotBound`; a flush or query of an encrypted
  model in a session bound to a tenant other than the current one raises :class:`CrossTenantWrite`.

Scheme: AES-256-GCM with a random 96-bit nonce; associated data binds tenant id, table and column, so a ciphertext
moved to another tenant, table or column does not decrypt. Stored text: ``v1.<key version>.<base64url(nonce +
ciphertext + tag)>`` (unpadded). Keys come from the in-process :data:`surety.core.crypto.keyring.keyring`.

Encrypted columns cannot be compared in SQL (every encryption differs): ``==``, ``LIKE``, ``IN`` ... with a
literal value raise ``TypeError`` (``== None`` is allowed). Search through a blind index
(:mod:`surety.core.crypto.blind_index`).
"""

from __future__ import annotations

import base64
import os
import uuid
from functools import cache

from cryptography.exceptions import InvalidTag
from sqlalchemy import Column, Table, Text, event
from sqlalchemy.orm import Mapper, ORMExecuteState, Session
from sqlalchemy.sql import ClauseElement, operators
from sqlalchemy.types import TypeDecorator

from surety.core.crypto.errors import DecryptionFailed
from surety.core.crypto.keyring import keyring
from surety.core.db.session import current_tenant_id, session_tenant
from surety.core.errors import CrossTenantWrite, TenantNotBound

FORMAT = "v1"
NONCE_BYTES = 12

_REFUSED = frozenset({
    operators.eq, operators.ne, operators.lt, operators.le, operators.gt, operators.ge, operators.in_op,
    operators.not_in_op, operators.like_op, operators.not_like_op, operators.ilike_op, operators.not_ilike_op,
    operators.startswith_op, operators.endswith_op, operators.contains_op, operators.between_op,
    operators.not_between_op, operators.regexp_match_op,
})


def _aad(tenant_id: uuid.UUID, binding: str) -> bytes:
    return f"surety.field.{FORMAT}|{tenant_id}|{binding}".encode()


def encrypt_field(tenant_id: uuid.UUID, binding: str, value: str) -> str:
    """Encrypt ``value`` for column ``binding`` (``table.column``) of ``tenant_id`` with its active data key."""
    keys = keyring.get(tenant_id)
    version = keys.active_version
    nonce = os.urandom(NONCE_BYTES)
    sealed = keys.ciphers[version].encrypt(nonce, value.encode(), _aad(tenant_id, binding))
    return f"{FORMAT}.{version}.{base64.urlsafe_b64encode(nonce + sealed).rstrip(b'=').decode()}"


def key_version(token: str) -> int:
    """The data-key version a stored ciphertext was made with."""
    try:
        fmt, version, _ = token.split(".", 2)
        if fmt != FORMAT:
            raise ValueError(fmt)
        return int(version)
    except ValueError as exc:
        raise DecryptionFailed("not a Surety ciphertext (unknown format)") from exc


def decrypt_field(tenant_id: uuid.UUID, binding: str, token: str) -> str:
    """Decrypt a stored ciphertext of column ``binding`` of ``tenant_id``; :class:`DecryptionFailed` if it was
    tampered with or belongs to another tenant, table or column."""
    version = key_version(token)
    body = token.split(".", 2)[2]
    try:
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except ValueError as exc:
        raise DecryptionFailed(f"ciphertext of {binding} is not valid base64") from exc
    cipher = keyring.cipher(tenant_id, version)
    try:
        return cipher.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], _aad(tenant_id, binding)).decode()
    except (InvalidTag, ValueError) as exc:
        raise DecryptionFailed(
            f"ciphertext of {binding} does not decrypt for tenant {tenant_id}: tampered with, or moved from "
            "another tenant, table or column"
        ) from exc


def _tenant(binding: str) -> uuid.UUID:
    tenant = current_tenant_id()
    if tenant is None:
        raise TenantNotBound(f"{binding} is encrypted per tenant: use it inside Database.tenant_session()")
    return tenant


class EncryptedString(TypeDecorator):
    """A string encrypted per tenant; declare as ``mapped_column(EncryptedString("table.column"))``."""

    impl = Text
    cache_ok = True

    class comparator_factory(Text.Comparator):
        def operate(self, op, *other, **kwargs):
            # Only literal values are refused: SQLAlchemy itself compares column objects internally.
            if op in _REFUSED and any(o is not None and not isinstance(o, ClauseElement) for o in other):
                raise TypeError(
                    f"{self.type.binding} is encrypted and cannot be compared in SQL; query its blind index"
                )
            return super().operate(op, *other, **kwargs)

    def __init__(self, binding: str):
        table, _, column = binding.partition(".")
        if not table or not column or "." in column:
            raise ValueError(f"EncryptedString needs 'table.column', not {binding!r}")
        super().__init__()
        self.binding = binding

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if not isinstance(value, str):
            raise TypeError(f"{self.binding} takes a str, not {type(value).__name__}")
        return encrypt_field(_tenant(self.binding), self.binding, value)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return decrypt_field(_tenant(self.binding), self.binding, value)

    def __repr__(self) -> str:
        return f"EncryptedString({self.binding!r})"


@event.listens_for(Column, "after_parent_attach")
def _check_binding(column: Column, table) -> None:
    if isinstance(column.type, EncryptedString) and isinstance(table, Table):
        actual = f"{table.name}.{column.name}"
        if column.type.binding != actual:
            raise ValueError(f"column {actual} is declared as EncryptedString({column.type.binding!r})")


@cache
def has_encrypted_columns(mapper: Mapper) -> bool:
    return any(isinstance(c.type, EncryptedString) for c in mapper.columns)


def _foreign_session(session: Session) -> bool:
    """Whether the session is bound to another tenant than the current one (the request's or ``tenant_session``'s)."""
    bound, current = session_tenant(session), current_tenant_id()
    return isinstance(bound, uuid.UUID) and current is not None and bound != current


def _check_tenant(session: Session, what: str) -> None:
    if _foreign_session(session):
        raise CrossTenantWrite(f"{what}: the session is bound to another tenant than the current one")


@event.listens_for(Session, "before_flush")
def _flush_in_own_tenant(session: Session, flush_context, instances) -> None:
    if not _foreign_session(session):
        return
    for obj in list(session.new) + list(session.dirty):
        mapper = getattr(type(obj), "__mapper__", None)
        if mapper is not None and has_encrypted_columns(mapper):
            _check_tenant(session, f"writing encrypted {type(obj).__name__}")


@event.listens_for(Session, "do_orm_execute")
def _query_in_own_tenant(state: ORMExecuteState) -> None:
    # The tenants first: ``all_mappers`` builds the statement's column descriptions (~0.1 ms a statement), which
    # only matters for a session of another tenant.
    if _foreign_session(state.session) and any(has_encrypted_columns(m) for m in state.all_mappers):
        _check_tenant(state.session, "querying an encrypted model")
