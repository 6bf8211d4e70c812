"""Which keys hold personal data or secrets (every plugin's ``surety_sensitive_keys``), and redacting them.

Shared by the log processor (core/logging.py) and the audit images (core/audit/redact.py).
"""

from __future__ import annotations

from typing import Any

REDACTED = "[REDACTED]"

_cache: tuple[object, frozenset[str]] | None = None


def sensitive_keys() -> frozenset[str]:
    """Lower-cased key names whose values are redacted. Recomputed when the plugin registry is replaced."""
    global _cache
    from surety.core.plugins import get_registry

    registry = get_registry()
    cached = _cache
    if cached is not None and cached[0] is registry:
        return cached[1]
    keys = frozenset(
        str(key).lower() for result in registry.hook.surety_sensitive_keys() if result for key in result
    )
    _cache = (registry, keys)
    return keys


def redact(value: Any, keys: frozenset[str] | None = None) -> Any:
    """A copy of ``value`` (structure and value types kept) with sensitive keys' values replaced, at any depth."""
    keys = sensitive_keys() if keys is None else keys
    if isinstance(value, dict):
        return {k: (REDACTED if str(k).lower() in keys and v is not None else redact(v, keys))
                for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [redact(v, keys) for v in value]
    return value
