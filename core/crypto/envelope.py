"""Wrapping of tenant keys with the key-encryption key (KEK): AES-256-GCM, a random 96-bit nonce, and associated
data that binds tenant, purpose and version, so a wrapped key copied to another row does not unwrap.

Stored form: ``nonce (12 bytes) || ciphertext+tag``. The KEK comes from settings (``get_settings().kek`` with id
``get_settings().kek_id``); :func:`add_kek` makes an extra KEK known to this process (used while rewrapping).
"""

from __future__ import annotations

import os
import uuid

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from surety.core.crypto.errors import KeyUnavailable
from surety.core.settings import get_settings

NONCE_BYTES = 12
KEY_BYTES = 32

_extra_keks: dict[str, bytes] = {}


def _aad(tenant_id: uuid.UUID, purpose: str, version: int) -> bytes:
    return f"surety.kek.v1|{tenant_id}|{purpose}|{version}".encode()


def add_kek(kek_id: str, kek: bytes) -> None:
    """Make another KEK known to this process (besides the one in settings)."""
    if len(kek) != KEY_BYTES:
        raise ValueError("a KEK is exactly 32 bytes (AES-256)")
    _extra_keks[kek_id] = bytes(kek)


def forget_kek(kek_id: str) -> None:
    _extra_keks.pop(kek_id, None)


def kek_for(kek_id: str) -> bytes:
    """The KEK with id ``kek_id``; :class:`KeyUnavailable` when this process does not hold it."""

    settings = get_settings()
    if kek_id == settings.kek_id:
        return settings.kek
    if kek_id in _extra_keks:
        return _extra_keks[kek_id]
    raise KeyUnavailable(f"tenant key is wrapped with KEK {kek_id!r}, which this process does not hold")


def wrap_key(kek: bytes, key: bytes, *, tenant_id: uuid.UUID, purpose: str, version: int) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(kek).encrypt(nonce, key, _aad(tenant_id, purpose, version))


def unwrap_key(kek: bytes, wrapped: bytes, *, tenant_id: uuid.UUID, purpose: str, version: int) -> bytes:
    try:
        return AESGCM(kek).decrypt(wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:], _aad(tenant_id, purpose, version))
    except (InvalidTag, ValueError) as exc:
        raise KeyUnavailable(
            f"{purpose} key version {version} of tenant {tenant_id} does not unwrap (wrong KEK or tampered)"
        ) from exc
