"""Errors of the encryption layer. They are integrity or configuration failures, never user input errors, and
their messages never contain plaintext."""

from __future__ import annotations


class CryptoError(RuntimeError):
    """Base class of encryption failures."""


class KeyUnavailable(CryptoError):
    """A tenant has no usable key (never created, destroyed, or wrapped with a KEK this process does not hold)."""


class DecryptionFailed(CryptoError):
    """A ciphertext is malformed, was tampered with, or belongs to another tenant, table or column."""
