"""Tenant registry and provisioning: create, list, suspend, resume, enable and disable plugins."""

from __future__ import annotations

import re
import uuid

from sqlalchemy import select

from surety.core.audit.log import audit
from surety.core.authz import provision
from surety.core.context import ACTOR_PLATFORM, Actor, acting, current
from surety.core.crypto.keys import create_tenant_keys
from surety.core.db.session import Database
from surety.core.db.types import utcnow
from surety.core.errors import Conflict, NotFound, ValidationFailed
from surety.core.identity.models import ORG_HEAD_OFFICE, OrgUnit
from surety.core.identity.service import create_user
from surety.core.plugins import CORE_KEY, get_registry
from surety.core.workflow.definitions import install_defaults
from surety.tenants.models import TENANT_ACTIVE, TENANT_SUSPENDED, Tenant
from surety.tenants.registry import forget

SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")


def _validate_slug(slug: str) -> str:
    slug = (slug or "").strip()
    if not SLUG_RE.match(slug):
        raise ValidationFailed(
            "A tenant slug is 1-63 lowercase letters, digits and hyphens, not starting or ending with a hyphen.",
            field="slug",
        )
    return slug


def _resolve_plugins(plugins: list[str]) -> list[str]:
    """Enable ``plugins`` in the order given, refusing any whose dependency is not enabled before it."""
    registry = get_registry()
    enabled = [CORE_KEY]
    for key in plugins:
        if key != CORE_KEY:
            enabled = registry.check_enable(enabled, key)
    return enabled


def get_tenant_by_slug(db: Database, slug: str) -> Tenant:
    with db.platform_session() as s:
        tenant = s.scalar(select(Tenant).where(Tenant.slug == slug))
        if tenant is None:
            raise NotFound("No tenant with slug {slug!r}.", field="slug", slug=slug)
        return tenant


def list_tenants(db: Database) -> list[Tenant]:
    with db.platform_session() as s:
        return list(s.scalars(select(Tenant).order_by(Tenant.slug)))


def create_tenant(
    db: Database,
    *,
    slug: str,
    name: str,
    plugins: list[str] = (),
    admin_username: str = "admin",
    admin_password: str,
    settings: dict | None = None,
) -> Tenant:
    """Register a tenant and provision it: data keys, head office, role templates with default grants, an admin
    user, then each enabled plugin's ``surety_tenant_provisioned``. All or nothing."""

    slug = _validate_slug(slug)
    if not (name or "").strip():
        raise ValidationFailed("A tenant needs a name.", field="name")
    enabled = _resolve_plugins(list(plugins))
    with db.platform_session() as s:
        if s.scalar(select(Tenant.id).where(Tenant.slug == slug)) is not None:
            raise Conflict("A tenant with slug {slug!r} already exists.", field="slug", slug=slug)
        tenant = Tenant(id=uuid.uuid4(), slug=slug, name=name.strip(), status=TENANT_ACTIVE,
                        enabled_plugins=enabled, settings=settings or {})
        s.add(tenant)
    try:
        actor = current().actor if current().actor.type == ACTOR_PLATFORM else Actor(type=ACTOR_PLATFORM)
        with acting(Actor(type=actor.type, id=actor.id, tenant_id=tenant.id)), db.tenant_session(tenant.id) as s:
            create_tenant_keys(s)
            head = OrgUnit(code="HQ", name=name.strip(), kind=ORG_HEAD_OFFICE, path="/")
            s.add(head)
            s.flush()
            head.path = f"/{head.id}/"
            provision.provision_roles(s)
            create_user(s, username=admin_username, password=admin_password, display_name="Administrator",
                        org_unit_id=head.id, roles=["admin"])
            audit(s, "tenant.provisioned", entity_type="tenant", entity_id=str(tenant.id),
                  after={"slug": slug, "name": tenant.name, "plugins": enabled})
            hook = get_registry().hook_for("surety_tenant_provisioned", enabled)
            hook(session=s, tenant=tenant)
            install_defaults(s, enabled)
    except BaseException:
        with db.platform_session() as s:
            row = s.get(Tenant, tenant.id)
            if row is not None:
                s.delete(row)
        raise
    return tenant


def _tenant_id(db: Database, slug: str) -> uuid.UUID:
    with db.platform_session() as s:
        tenant_id = s.scalar(select(Tenant.id).where(Tenant.slug == slug))
    if tenant_id is None:
        raise NotFound("No tenant with slug {slug!r}.", field="slug", slug=slug)
    return tenant_id


def _locked(session, tenant_id: uuid.UUID) -> Tenant:
    """The registry row, locked until the transaction ends (two operators changing one tenant serialise)."""
    session.info.pop("enabled_plugins", None)  # drop any cached copy of the enabled set
    return session.scalars(select(Tenant).where(Tenant.id == tenant_id).with_for_update()).one()


def _set_status(db: Database, slug: str, status: str) -> Tenant:
    """Change status and audit it in one transaction (the tenant's own, which may also write the global row)."""
    tenant_id = _tenant_id(db, slug)
    with db.tenant_session(tenant_id) as s:
        tenant = _locked(s, tenant_id)
        before = tenant.status
        tenant.status = status
        tenant.suspended_at = utcnow() if status == TENANT_SUSPENDED else None
        audit(s, f"tenant.{'suspended' if status == TENANT_SUSPENDED else 'resumed'}", entity_type="tenant",
              entity_id=str(tenant.id), before={"status": before}, after={"status": status})
    return tenant


def suspend_tenant(db: Database, slug: str) -> Tenant:
    return _set_status(db, slug, TENANT_SUSPENDED)


def resume_tenant(db: Database, slug: str) -> Tenant:
    return _set_status(db, slug, TENANT_ACTIVE)


def enable_plugin(db: Database, slug: str, key: str) -> Tenant:
    """Enable plugin ``key`` for a tenant (refused with a clear message when a dependency is not enabled), grant
    its default permissions, run its provisioning hook and install its default process definitions: all in one
    transaction, all or nothing."""

    registry = get_registry()
    tenant_id = _tenant_id(db, slug)
    with db.tenant_session(tenant_id) as s:
        tenant = _locked(s, tenant_id)
        before = list(tenant.enabled_plugins)
        tenant.enabled_plugins = registry.check_enable(before, key)
        s.flush()
        provision.provision_roles(s)
        audit(s, "tenant.plugin_enabled", entity_type="tenant", entity_id=str(tenant.id),
              before={"plugins": before}, after={"plugins": tenant.enabled_plugins})
        if key != CORE_KEY:
            registry.hook_for("surety_tenant_provisioned", [key])(session=s, tenant=tenant)
            install_defaults(s, [key])
    forget(tenant_id)
    return tenant


def sync_tenant(db: Database, slug: str) -> Tenant:
    """Bring a tenant up to the installed release (after ``surety db upgrade``): create missing role templates,
    apply default grants its roles have never had (each once: ``AuthzState.granted_defaults``), run each enabled
    plugin's provisioning hook (idempotent: new settings, default records, backfills) and install default process
    definitions it does not have yet. One transaction; audited ``tenant.synced``. Safe to run again."""

    registry = get_registry()
    tenant_id = _tenant_id(db, slug)
    with acting(Actor(type=ACTOR_PLATFORM, id="tenant-sync", tenant_id=tenant_id)), \
            db.tenant_session(tenant_id) as s:
        tenant = _locked(s, tenant_id)
        enabled = list(tenant.enabled_plugins)
        provision.provision_roles(s)
        plugins = [k for k in enabled if k != CORE_KEY]
        if plugins:
            registry.hook_for("surety_tenant_provisioned", plugins)(session=s, tenant=tenant)
        installed = install_defaults(s, enabled)
        audit(s, "tenant.synced", entity_type="tenant", entity_id=str(tenant.id),
              after={"plugins": enabled, "definitions_installed": sorted(d.key for d in installed)})
    forget(tenant_id)
    return tenant


def disable_plugin(db: Database, slug: str, key: str) -> Tenant:
    registry = get_registry()
    tenant_id = _tenant_id(db, slug)
    with db.tenant_session(tenant_id) as s:
        tenant = _locked(s, tenant_id)
        before = list(tenant.enabled_plugins)
        tenant.enabled_plugins = registry.check_disable(before, key)
        audit(s, "tenant.plugin_disabled", entity_type="tenant", entity_id=str(tenant.id),
              before={"plugins": before}, after={"plugins": tenant.enabled_plugins})
    forget(tenant_id)
    return tenant
