"""The permission catalog, role templates and default grants gathered from core and plugins."""

from __future__ import annotations

import pytest

from surety.core.authz.catalog import (
    check_grants,
    default_grants,
    permission_catalog,
    role_templates,
    split_permission,
)
from surety.core.errors import ConfigurationError
from surety.core.hookspecs import Permission, PluginManifest
from surety.core.permissions import CORE_DEFAULT_GRANTS, CORE_PERMISSIONS, ROLE_TEMPLATES
from surety.core.plugins import PluginRegistry, build_plugin_manager, hookimpl, reset_registry


def test_core_catalog_is_complete_and_ordered():
    assert [p.key for p in permission_catalog(["core"])] == [p.key for p in CORE_PERMISSIONS]
    assert [t.key for t in role_templates(["core"])] == [t.key for t in ROLE_TEMPLATES]
    assert len(role_templates(["core"])) == 10
    assert default_grants(["core"]) == {role: list(keys) for role, keys in CORE_DEFAULT_GRANTS.items()}


def test_plugin_permissions_only_when_enabled(demo_plugin):
    everything = [p.key for p in permission_catalog()]
    assert everything[: len(CORE_PERMISSIONS)] == [p.key for p in CORE_PERMISSIONS]  # core first
    assert {"demo:thing:read", "demo:thing:approve"} <= set(everything)
    assert "demo:thing:read" not in {p.key for p in permission_catalog(["core"])}
    assert "demo:thing:read" in {p.key for p in permission_catalog(["demo"])}  # core is always included
    assert "core:user:read" in {p.key for p in permission_catalog(["demo"])}
    assert "thing_clerk" not in {t.key for t in role_templates(["core"])}
    assert "thing_clerk" in {t.key for t in role_templates(["core", "demo"])}


def test_default_grants_merge_core_and_plugins(demo_plugin):
    merged = default_grants(["core", "demo"])
    assert merged["admin"][: len(CORE_PERMISSIONS)] == [p.key for p in CORE_PERMISSIONS]
    assert merged["admin"][-2:] == ["demo:thing:read", "demo:thing:approve"]

    assert merged["customer_manager"] == [*CORE_DEFAULT_GRANTS["customer_manager"], "demo:thing:read"]
    assert "demo:thing:read" not in default_grants(["core"])["admin"]
    check_grants(["core", "demo"])


class _BadPlugin:
    @hookimpl
    def surety_manifest(self):
        return PluginManifest(key="bad", version="1")

    @hookimpl
    def surety_permissions(self):
        return [Permission("bad:thing", "read")]

    @hookimpl
    def surety_default_grants(self):
        return {"admin": ["bad:thing:reed"], "no_such_role": ["bad:thing:read"]}


def test_grants_naming_undeclared_permissions_or_roles_are_refused():
    reset_registry(PluginRegistry(build_plugin_manager(extra=[("bad", _BadPlugin())], entry_points=False)))
    try:
        with pytest.raises(ConfigurationError) as err:
            check_grants(["core", "bad"])
        assert "bad:thing:reed" in str(err.value) and "no_such_role" in str(err.value)
        check_grants(["core"])  # a plugin that is not enabled is not checked
    finally:
        reset_registry(None)


def test_split_permission():
    assert split_permission("core:role:manage") == ("core:role", "manage")
    for bad in ("manage", ":manage", "core:role:"):
        with pytest.raises(ValueError):
            split_permission(bad)
