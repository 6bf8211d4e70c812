"""The permission catalog, role templates and default grants, gathered from core and the plugins' hooks."""

from __future__ import annotations

from collections.abc import Iterable

from surety.core.errors import ConfigurationError
from surety.core.hookspecs import Permission, RoleTemplate
from surety.core.plugins import CORE_KEY, get_registry


def _ordered_results(hook: str, enabled: Iterable[str] | None) -> list[tuple[str, object]]:
    """``[(plugin key, result)]`` of ``hook``: core first, then plugins by key; only ``enabled`` (plus core)
    when given."""
    results = get_registry().results_by_plugin(hook)
    allowed = None if enabled is None else set(enabled) | {CORE_KEY}
    keys = sorted(results, key=lambda k: (k != CORE_KEY, k))
    return [(k, results[k]) for k in keys if (allowed is None or k in allowed) and results[k] is not None]


def permission_catalog(enabled: Iterable[str] | None = None) -> list[Permission]:
    """Every declared permission (or those of core and the ``enabled`` plugins), core first, without duplicates."""
    seen: dict[str, Permission] = {}
    for _plugin, perms in _ordered_results("surety_permissions", enabled):
        for perm in perms:
            seen.setdefault(perm.key, perm)
    return list(seen.values())


def role_templates(enabled: Iterable[str] | None = None) -> list[RoleTemplate]:
    """Role templates of core and the plugins (or only core and ``enabled``); the first declaration of a key wins."""
    seen: dict[str, RoleTemplate] = {}
    for _plugin, templates in _ordered_results("surety_role_templates", enabled):
        for template in templates:
            seen.setdefault(template.key, template)
    return list(seen.values())


def grants_by_plugin(enabled: Iterable[str] | None = None) -> dict[str, dict[str, list[str]]]:
    """``{plugin key: {role key: [permission key, ...]}}`` from ``surety_default_grants``."""
    out: dict[str, dict[str, list[str]]] = {}
    for plugin, grants in _ordered_results("surety_default_grants", enabled):
        out[plugin] = {role: list(dict.fromkeys(keys)) for role, keys in dict(grants).items()}
    return out


def default_grants(enabled: Iterable[str] | None = None) -> dict[str, list[str]]:
    """``{role key: [permission key, ...]}`` merged over core and the ``enabled`` plugins."""
    merged: dict[str, list[str]] = {}
    for grants in grants_by_plugin(enabled).values():
        for role, keys in grants.items():
            bucket = merged.setdefault(role, [])
            bucket.extend(k for k in keys if k not in bucket)
    return merged


def check_grants(enabled: Iterable[str] | None = None) -> None:
    """Refuse default grants naming an undeclared permission or an unknown role template (a plugin bug)."""
    enabled = None if enabled is None else list(enabled)
    known = {p.key for p in permission_catalog(enabled)}
    roles = {t.key for t in role_templates(enabled)}
    problems = []
    for plugin, grants in grants_by_plugin(enabled).items():
        for role, keys in grants.items():
            if role not in roles:
                problems.append(f"{plugin}: grant to unknown role template {role!r}")
            problems.extend(f"{plugin}: {role} granted undeclared permission {k!r}" for k in keys if k not in known)
    if problems:
        raise ConfigurationError("Invalid default grants: " + "; ".join(problems))


def split_permission(key: str) -> tuple[str, str]:
    """``"core:role:manage"`` -> ``("core:role", "manage")``."""
    obj, sep, act = key.rpartition(":")
    if not sep or not obj or not act:
        raise ValueError(f"not a permission key: {key!r}")
    return obj, act
