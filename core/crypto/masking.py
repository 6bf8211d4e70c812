"""Masked display of personal data: ``mask("110105194912310021", "id_number") == "110105********0021"``.

Rules per kind: id_number keeps the first 6 and last 4 characters, phone the first 3 and last 4 digits (after
normalising, so "+86 138 0013 8000" shows as ``138****8000``), bank_account the last 4 digits, name the first
character, email the first character and the domain. Any other kind keeps the first and last character. Values too
short to hide anything under their rule fall back to that generic rule.
"""

from __future__ import annotations

from surety.core.crypto.blind_index import normalise_digits, normalise_id_number, normalise_phone

STAR = "*"


def _keep(value: str, head: int, tail: int) -> str:
    if len(value) <= head + tail:
        return _generic(value)
    return value[:head] + STAR * (len(value) - head - tail) + (value[-tail:] if tail else "")


def _generic(value: str) -> str:
    if len(value) <= 1:
        return STAR * len(value)
    if len(value) == 2:
        return value[0] + STAR
    return value[0] + STAR * (len(value) - 2) + value[-1]


def _email(value: str) -> str:
    local, at, domain = value.partition("@")
    if not at:
        return _generic(value)
    return (local[:1] + STAR * max(len(local) - 1, 1)) + "@" + domain


def mask(value: str | None, kind: str) -> str | None:
    """``value`` masked for display according to ``kind`` (None stays None)."""
    if value is None:
        return None
    if kind == "id_number":
        return _keep(normalise_id_number(value), 6, 4)
    if kind == "phone":
        return _keep(normalise_phone(value), 3, 4)
    if kind == "bank_account":
        return _keep(normalise_digits(value), 0, 4)
    if kind == "name":
        value = value.strip()
        return value[:1] + STAR * (len(value) - 1) if len(value) > 1 else STAR * len(value)
    if kind == "email":
        return _email(value.strip())
    return _generic(value)
