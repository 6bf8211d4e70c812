"""Platform-only API (platform operator tokens): tenants."""

from __future__ import annotations

import datetime as dt

import strawberry

from surety.core.context import ACTOR_PLATFORM, Actor, acting
from surety.core.errors import DomainError
from surety.core.identity.operators import login_operator
from surety.graphql.errors import UserError
from surety.tenants.service import (
    create_tenant,
    disable_plugin,
    enable_plugin,
    list_tenants,
    resume_tenant,
    suspend_tenant,
)


@strawberry.type
class PlatformTenant:
    id: strawberry.ID
    slug: str
    name: str
    status: str
    enabled_plugins: list[str]
    created_at: dt.datetime

    @classmethod
    def from_row(cls, t) -> PlatformTenant:
        return cls(id=str(t.id), slug=t.slug, name=t.name, status=t.status,
                   enabled_plugins=list(t.enabled_plugins), created_at=t.created_at)


@strawberry.type
class PlatformTenantPayload:
    tenant: PlatformTenant | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class PlatformTokenPayload:
    access_token: str | None = None
    expires_in: int | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class PlatformTenantCreateInput:
    slug: str
    name: str
    admin_username: str = "admin"
    admin_password: str
    plugins: list[str] = strawberry.field(default_factory=list)


def _op(info, fn) -> PlatformTenantPayload:
    """Platform operations each run in their own transactions (provisioning spans several)."""

    operator = info.context.require_operator()
    try:
        with acting(Actor(type=ACTOR_PLATFORM, id=operator), request_id=info.context.request_id,
                    client_addr=info.context.client_addr):
            return PlatformTenantPayload(tenant=PlatformTenant.from_row(fn(info.context.db)))
    except DomainError as exc:
        return PlatformTenantPayload(errors=[UserError.of(exc)])


@strawberry.type
class PlatformQuery:
    @strawberry.field(description="Platform operators only: every tenant.")
    def platform_tenants(self, info: strawberry.Info) -> list[PlatformTenant]:
        info.context.require_operator()
        return [PlatformTenant.from_row(t) for t in list_tenants(info.context.db)]


@strawberry.type
class PlatformMutation:
    @strawberry.mutation(description="Log in as a platform operator.")
    def platform_login(self, info: strawberry.Info, username: str, password: str) -> PlatformTokenPayload:
        try:
            pair = login_operator(info.context.db, username, password, client_addr=info.context.client_addr)
        except DomainError as exc:
            return PlatformTokenPayload(errors=[UserError.of(exc)])
        return PlatformTokenPayload(access_token=pair.access_token, expires_in=pair.expires_in)

    @strawberry.mutation
    def platform_tenant_create(self, info: strawberry.Info, input: PlatformTenantCreateInput) -> PlatformTenantPayload:
        return _op(info, lambda db: create_tenant(
            db, slug=input.slug, name=input.name, plugins=list(input.plugins),
            admin_username=input.admin_username, admin_password=input.admin_password))

    @strawberry.mutation
    def platform_tenant_suspend(self, info: strawberry.Info, slug: str) -> PlatformTenantPayload:
        return _op(info, lambda db: suspend_tenant(db, slug))

    @strawberry.mutation
    def platform_tenant_resume(self, info: strawberry.Info, slug: str) -> PlatformTenantPayload:
        return _op(info, lambda db: resume_tenant(db, slug))

    @strawberry.mutation
    def platform_tenant_plugin_enable(self, info: strawberry.Info, slug: str, plugin: str) -> PlatformTenantPayload:
        return _op(info, lambda db: enable_plugin(db, slug, plugin))

    @strawberry.mutation
    def platform_tenant_plugin_disable(self, info: strawberry.Info, slug: str, plugin: str) -> PlatformTenantPayload:
        return _op(info, lambda db: disable_plugin(db, slug, plugin))
