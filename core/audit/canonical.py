"""Canonical JSON and the record hash of the audit chain.

A record's hash is the HMAC-SHA256 (hex), with the tenant's record key (:mod:`surety.core.audit.keys`), of the
canonical JSON of its content fields plus ``prev_hash`` and ``key_id``: keys sorted, no whitespace, UTF-8 with
``ensure_ascii=False``; Decimal, UUID and dates as strings, timestamps as ISO 8601 UTC with microseconds and a ``Z``.
Records written before the chain was keyed (``key_id`` empty) hash the same document without ``key_id`` with plain
SHA-256. ``seq`` is not hashed: a record's position is fixed by ``prev_hash`` and the chain head, so a moved record
shows as a broken link (reordered) rather than as an edit.
"""

from __future__ import annotations

import base64
import datetime as dt
import enum
import hashlib
import hmac
import json
import math
import uuid
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

#: ``prev_hash`` of a tenant's first record.
ZERO_HASH = "0" * 64

#: Hashed fields, besides ``prev_hash``, in the order they are exported.
CONTENT_FIELDS = (
    "tenant_id", "id", "occurred_at", "actor_type", "actor_id", "action", "entity_type", "entity_id",
    "before", "after", "request_id", "client_addr",
)


def format_timestamp(value: dt.datetime) -> str:
    """ISO 8601 in UTC with microseconds: ``2026-01-02T03:04:05.000006Z``. Naive values are refused."""
    if value.tzinfo is None:
        raise ValueError("naive datetime refused: audit timestamps are UTC-aware")
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def jsonable(value: Any, redact_keys: frozenset[str] = frozenset(), mask: str = "[REDACTED]") -> Any:
    """``value`` as plain JSON types (dict with str keys, list, str, int, finite float, bool, None).

    The stored before/after images are this form, so the hash computed on write is the hash recomputed on read.
    Values under a key whose lower-cased name is in ``redact_keys`` become ``mask`` (None stays None), at any depth.
    """
    if value is None or isinstance(value, (bool, int, str)):
        return value.value if isinstance(value, enum.Enum) else value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, Mapping):
        out = {}
        for k, v in value.items():
            key = str(k.value if isinstance(k, enum.Enum) else k)
            out[key] = mask if (v is not None and key.lower() in redact_keys) else jsonable(v, redact_keys, mask)
        return out
    if isinstance(value, (list, tuple)):
        return [jsonable(v, redact_keys, mask) for v in value]
    if isinstance(value, (set, frozenset)):
        items = [jsonable(v, redact_keys, mask) for v in value]
        return sorted(items, key=canonical_json)
    if isinstance(value, enum.Enum):
        return jsonable(value.value, redact_keys, mask)
    if isinstance(value, (Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, dt.datetime):
        return format_timestamp(value) if value.tzinfo else value.isoformat()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode("ascii")
    return str(value)


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False,
                      default=jsonable)


def hash_content(fields: Mapping[str, Any], key: bytes | hmac.HMAC | None = None) -> str:
    """The hex hash of the content fields and ``prev_hash`` taken from ``fields``: HMAC-SHA256 with ``key`` (the
    key's bytes, or a keyed HMAC object that is copied) of their canonical JSON plus ``key_id`` (also from
    ``fields``), or, with no key (legacy records), SHA-256 of their canonical JSON."""
    doc = {name: fields[name] for name in CONTENT_FIELDS}
    doc["tenant_id"] = str(doc["tenant_id"])
    doc["id"] = str(doc["id"])
    doc["occurred_at"] = format_timestamp(doc["occurred_at"])
    doc["prev_hash"] = fields["prev_hash"]
    if key is None:
        return hashlib.sha256(canonical_json(doc).encode("utf-8")).hexdigest()
    doc["key_id"] = fields["key_id"]
    mac = hmac.new(key, digestmod=hashlib.sha256) if isinstance(key, (bytes, bytearray)) else key.copy()
    mac.update(canonical_json(doc).encode("utf-8"))
    return mac.hexdigest()


def record_hash(record: Any, key: bytes | hmac.HMAC | None = None) -> str:
    """The hash of an :class:`AuditRecord` or of a result row with the same attribute names (``key``: the
    tenant's record key for the record's ``key_id``, None for a legacy record)."""
    names = (*CONTENT_FIELDS, "prev_hash", "key_id") if key is not None else (*CONTENT_FIELDS, "prev_hash")
    return hash_content({name: getattr(record, name) for name in names}, key)
