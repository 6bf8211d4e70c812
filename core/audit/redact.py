"""Audit images as plain JSON with sensitive values redacted (keys from :mod:`surety.core.redaction`)."""

from __future__ import annotations

from typing import Any

from surety.core.audit.canonical import jsonable
from surety.core.redaction import REDACTED, sensitive_keys

__all__ = ["REDACTED", "redact", "sensitive_keys"]


def redact(value: Any) -> Any:
    """``value`` as plain JSON types with every sensitive key's value replaced by ``[REDACTED]``, at any depth."""
    return jsonable(value, sensitive_keys(), REDACTED)
