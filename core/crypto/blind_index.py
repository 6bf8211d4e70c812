"""Blind indexes: exact-match search over encrypted fields.

``blind_index(tenant_id, value, kind)`` is the hex HMAC-SHA256, under the tenant's index key, of ``kind`` and the
normalised value, so equal values written differently ("138 0013 8000", "+86 13800138000") match, and the same
value gives different indexes in different tenants and kinds. Only equality can be searched.

Declare the companion column next to the encrypted one; it is filled on flush from ``source``::

    phone: Mapped[str | None] = mapped_column(EncryptedString("customers.phone"))
    phone_bidx: Mapped[str | None] = BlindIndexColumn("phone", source="phone")

    select(Customer).where(Customer.phone_bidx == blind_index(tenant_id, "138 0013 8000", "phone"))
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import Callable
from functools import cache

from sqlalchemy import String, event, inspect
from sqlalchemy.orm import Mapper, Session, mapped_column

from surety.core.crypto.keyring import keyring
from surety.core.db.session import session_tenant
from surety.core.errors import TenantNotBound

INFO_KEY = "blind_index"
_NON_DIGITS = re.compile(r"\D")


def _nfkc(value: str) -> str:
    return unicodedata.normalize("NFKC", value)  # full-width digits and letters become ASCII


def normalise_id_number(value: str) -> str:
    return "".join(_nfkc(value).split()).upper()


def normalise_phone(value: str) -> str:
    text = _nfkc(value).strip()
    if text.startswith("+86"):
        text = text[3:]
    digits = _NON_DIGITS.sub("", text)
    if digits.startswith("0086"):
        digits = digits[4:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits


def normalise_digits(value: str) -> str:
    return _NON_DIGITS.sub("", _nfkc(value))


def normalise_text(value: str) -> str:
    return "".join(_nfkc(value).split())


#: Normaliser per kind; plugins may register more kinds here.
NORMALISERS: dict[str, Callable[[str], str]] = {
    "id_number": normalise_id_number,
    "phone": normalise_phone,
    "bank_account": normalise_digits,
    "name": normalise_text,
}


def normalise(value: str, kind: str) -> str:
    try:
        return NORMALISERS[kind](value)
    except KeyError:
        raise ValueError(f"no blind-index normaliser for kind {kind!r}; known: {', '.join(NORMALISERS)}") from None


def blind_index(tenant_id: uuid.UUID, value: str | None, kind: str) -> str | None:
    """The tenant's blind index of ``value`` (None for None): 64 hex characters."""
    if value is None:
        return None
    mac = keyring.get(tenant_id).index_mac.copy()
    mac.update(f"{kind}\x00{normalise(value, kind)}".encode())
    return mac.hexdigest()


def BlindIndexColumn(kind: str, *, source: str | None = None, index: bool = True, **kw):  # noqa: N802
    """A ``mapped_column`` holding the blind index of kind ``kind``; computed on flush from attribute ``source``
    when given (otherwise set it yourself with :func:`blind_index`)."""
    normalise("", kind)  # unknown kinds fail at declaration
    info = dict(kw.pop("info", {}), **{INFO_KEY: {"kind": kind, "source": source}})
    return mapped_column(String(64), nullable=True, index=index, info=info, **kw)


@cache
def _auto_indexes(mapper: Mapper) -> tuple[tuple[str, str, str], ...]:
    """``(index attribute, source attribute, kind)`` for each blind-index column of ``mapper`` with a source."""
    out = []
    for column in mapper.columns:
        spec = column.info.get(INFO_KEY)
        if spec and spec.get("source"):
            out.append((mapper.get_property_by_column(column).key, spec["source"], spec["kind"]))
    return tuple(out)


@event.listens_for(Session, "before_flush")
def _fill_blind_indexes(session: Session, flush_context, instances) -> None:
    new = set(session.new)
    for obj in list(new) + list(session.dirty):
        mapper = getattr(type(obj), "__mapper__", None)
        specs = _auto_indexes(mapper) if mapper is not None else ()
        if not specs:
            continue
        state = inspect(obj)
        tenant = getattr(obj, "tenant_id", None) or session_tenant(session)
        if not isinstance(tenant, uuid.UUID):
            raise TenantNotBound(f"blind indexes of {type(obj).__name__} need a session bound to a tenant")
        for target, source, kind in specs:
            if obj in new or state.attrs[source].history.has_changes():
                setattr(obj, target, blind_index(tenant, getattr(obj, source), kind))
