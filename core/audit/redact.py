"""Sensitive keys for audit images: the union of every plugin's ``surety_sensitive_keys``, cached per registry."""

from __future__ import annotations

from typing import Any

from surety.core.audit.canonical import jsonable

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


def redact(value: Any) -> Any:
    """``value`` as plain JSON types with every sensitive key's value replaced by ``[REDACTED]``, at any depth."""
    return jsonable(value, sensitive_keys(), REDACTED)
