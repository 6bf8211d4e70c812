"""Joining a plugin's per-area parts for its hook implementations: each area module exports its own permissions
(``PERMISSIONS``, ``DEFAULT_GRANTS`` and optionally ``ROLE_TEMPLATES``) or GraphQL (``QUERIES``, ``MUTATIONS``,
``TYPES``), and plugin.py lists the modules; these functions answer the hooks from the lists, in list order, so no
plugin writes the joins again."""

from __future__ import annotations

from collections.abc import Iterable
from types import ModuleType

from surety.core.hookspecs import GraphQLContribution, Permission, RoleTemplate


def permissions(modules: Iterable[ModuleType]) -> list[Permission]:
    """Every module's ``PERMISSIONS`` (``surety_permissions``)."""
    return [p for m in modules for p in m.PERMISSIONS]


def role_templates(modules: Iterable[ModuleType]) -> list[RoleTemplate]:
    """Every module's ``ROLE_TEMPLATES``, where it has any (``surety_role_templates``)."""
    return [t for m in modules for t in getattr(m, "ROLE_TEMPLATES", ())]


def default_grants(modules: Iterable[ModuleType]) -> dict[str, list[str]]:
    """Every module's ``DEFAULT_GRANTS`` merged by role, in module order (``surety_default_grants``)."""
    grants: dict[str, list[str]] = {}
    for m in modules:
        for role, names in m.DEFAULT_GRANTS.items():
            grants.setdefault(role, []).extend(names)
    return grants


def graphql(modules: Iterable[ModuleType]) -> GraphQLContribution:
    """Every module's ``QUERIES``, ``MUTATIONS`` and ``TYPES`` joined in module order (``surety_graphql``)."""
    modules = tuple(modules)
    return GraphQLContribution(query=tuple(q for m in modules for q in m.QUERIES),
                               mutation=tuple(q for m in modules for q in m.MUTATIONS),
                               types=tuple(t for m in modules for t in m.TYPES))
