"""Fixtures of the authz tests: provisioned bare tenants, subjects, a fresh enforcer cache, a test plugin."""

from __future__ import annotations

import secrets
import uuid

import pytest

from surety.core.authz import enforcer
from surety.core.authz.provision import provision_roles
from surety.core.context import ACTOR_USER, Actor
from surety.core.hookspecs import Permission, PluginManifest, RoleTemplate
from surety.core.plugins import PluginRegistry, build_plugin_manager, hookimpl, reset_registry
from surety.tenants.models import Tenant


@pytest.fixture(autouse=True)
def fresh_cache():
    """Each test starts with an empty enforcer cache (recheck interval 1 h unless a test configures otherwise)."""
    cache = enforcer.configure(max_tenants=2048, recheck_seconds=3600)
    yield cache
    enforcer.configure(max_tenants=2048, recheck_seconds=1.0)


@pytest.fixture
def new_tenant(db):
    """``new_tenant(plugins=("core",), provision=True) -> tenant id``: a registered tenant with roles provisioned."""

    def factory(plugins=("core",), provision=True) -> uuid.UUID:
        with db.platform_session() as s:
            tenant = Tenant(id=uuid.uuid4(), slug=f"authz-{secrets.token_hex(4)}", name="Authz",
                            enabled_plugins=list(plugins))
            s.add(tenant)
        if provision:
            with db.tenant_session(tenant.id) as s:
                provision_roles(s)
        return tenant.id

    return factory


@pytest.fixture
def tenant(new_tenant):
    return new_tenant()


@pytest.fixture
def set_plugins(db):
    """``set_plugins(tenant_id, [keys])``: change a tenant's enabled plugins (as the tenant registry does)."""

    def setter(tenant_id: uuid.UUID, plugins: list[str]) -> None:
        with db.platform_session() as s:
            s.get(Tenant, tenant_id).enabled_plugins = list(plugins)

    return setter


@pytest.fixture
def user_actor():
    """``user_actor(tenant_id, org_unit_id=None, id=None) -> Actor`` of type user (a fresh id by default)."""

    def make(tenant_id: uuid.UUID, org_unit_id: uuid.UUID | None = None, id: uuid.UUID | None = None) -> Actor:
        return Actor(type=ACTOR_USER, id=str(id or uuid.uuid4()), tenant_id=tenant_id, org_unit_id=org_unit_id)

    return make


class DemoPlugin:
    """A plugin declaring two permissions, one role template and default grants."""

    @hookimpl
    def surety_manifest(self):
        return PluginManifest(key="demo", version="1")

    @hookimpl
    def surety_permissions(self):
        return [Permission("demo:thing", "read", "See things"), Permission("demo:thing", "approve", "Approve")]

    @hookimpl
    def surety_role_templates(self):
        return [RoleTemplate("thing_clerk", "Thing clerk", "own")]

    @hookimpl
    def surety_default_grants(self):
        return {"admin": ["demo:thing:read", "demo:thing:approve"], "customer_manager": ["demo:thing:read"],
                "thing_clerk": ["demo:thing:read", "core:user:read"]}


@pytest.fixture
def demo_plugin():
    """The plugin registry with :class:`DemoPlugin` installed (restored afterwards)."""
    reset_registry(PluginRegistry(build_plugin_manager(extra=[("demo", DemoPlugin())], entry_points=False)))
    yield
    reset_registry(None)
