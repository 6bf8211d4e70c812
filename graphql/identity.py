"""Core identity API: login, refresh, logout, me, users, org units, API keys."""

from __future__ import annotations

import datetime as dt

import strawberry
from sqlalchemy import or_, select
from strawberry import relay
from strawberry.dataloader import DataLoader

from surety.core.authz import provision
from surety.core.authz.catalog import permission_catalog
from surety.core.authz.enforcer import get_enforcer
from surety.core.authz.rules import subjects_roles
from surety.core.crypto.blind_index import blind_index
from surety.core.errors import DomainError, NotFound, PermissionDenied
from surety.core.identity.api_keys import create_api_key, revoke_api_key
from surety.core.identity.auth import login, logout, refresh
from surety.core.identity.models import OrgUnit as OrgUnitRow
from surety.core.identity.models import User as UserRow
from surety.core.identity.org import create_org_unit
from surety.core.identity.service import create_user, disable_user, enable_user
from surety.graphql.auth import actor, decode_node_id, parse_uuid, require
from surety.graphql.errors import UserError, run_mutation
from surety.graphql.loaders import load
from surety.graphql.nodes import load_nodes
from surety.graphql.pagination import Connection, paginate
from surety.graphql.pii import shown
from surety.tenants.models import Tenant


@strawberry.type
class OrgUnit(relay.Node):
    id: relay.NodeID[str]
    code: str
    name: str
    kind: str
    parent_id: strawberry.ID | None
    path: str

    @classmethod
    def from_row(cls, row: OrgUnitRow) -> OrgUnit:
        return cls(id=str(row.id), code=row.code, name=row.name, kind=row.kind,
                   parent_id=relay.to_base64("OrgUnit", row.parent_id) if row.parent_id else None, path=row.path)

    @classmethod
    def resolve_nodes(cls, *, info, node_ids, required=False):
        return load_nodes(info, OrgUnitRow, cls.from_row, node_ids, "core:org_unit:read")


@strawberry.type
class User(relay.Node):
    id: relay.NodeID[str]
    username: str
    display_name: str
    status: str
    created_at: dt.datetime
    last_login_at: dt.datetime | None
    org_unit_id: strawberry.Private[object]
    phone_plain: strawberry.Private[str | None]

    @classmethod
    def from_row(cls, row: UserRow) -> User:
        return cls(id=str(row.id), username=row.username, display_name=row.display_name, status=row.status,
                   created_at=row.created_at, last_login_at=row.last_login_at, org_unit_id=row.org_unit_id,
                   phone_plain=row.phone)

    @strawberry.field(description="Mobile number, masked (138****8000) unless `reveal` is true and you hold "
                                  "core:pii:reveal; every reveal is audited.")
    def phone(self, info: strawberry.Info, reveal: bool = False) -> str | None:
        return shown(info, "user", self.id, "phone", self.phone_plain, "phone", reveal)

    @classmethod
    def resolve_nodes(cls, *, info, node_ids, required=False):
        return load_nodes(info, UserRow, cls.from_row, node_ids, "core:user:read")

    @strawberry.field
    async def org_unit(self, info: strawberry.Info) -> OrgUnit | None:
        if self.org_unit_id is None:
            return None
        row = await info.context.loader("org_unit", _org_unit_loader).load(self.org_unit_id)
        return OrgUnit.from_row(row) if row else None

    @strawberry.field
    async def roles(self, info: strawberry.Info) -> list[str]:
        return await load(info, "core.user_roles", _roles, f"user:{self.id}", default=list)


def _roles(ctx, subjects):
    return subjects_roles(ctx.session, subjects)


def _org_unit_loader(ctx):
    async def load(ids):
        rows = ctx.session.scalars(select(OrgUnitRow).where(OrgUnitRow.id.in_(list(ids))))
        by_id = {r.id: r for r in rows}
        return [by_id.get(i) for i in ids]

    return DataLoader(load_fn=load)


@strawberry.type
class TenantInfo:
    slug: str
    name: str
    status: str
    enabled_plugins: list[str]


@strawberry.type
class Me:
    user: User
    tenant: TenantInfo
    roles: list[str]
    permissions: list[str]


@strawberry.type
class TokenPayload:
    access_token: str | None = None
    refresh_token: str | None = None
    expires_in: int | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class OkPayload:
    ok: bool = False
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class UserPayload:
    user: User | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class OrgUnitPayload:
    org_unit: OrgUnit | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class ApiKeyPayload:
    id: strawberry.ID | None = None
    secret: str | None = strawberry.field(default=None, description="Shown once; store it now.")
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class UserFilter:
    search: str | None = strawberry.field(default=None, description="Prefix of username or display name")
    status: str | None = None
    org_unit_id: strawberry.ID | None = None
    phone: str | None = strawberry.field(default=None, description="Exact mobile number (blind index)")


@strawberry.input
class UserCreateInput:
    username: str
    password: str
    display_name: str = ""
    org_unit_id: strawberry.ID | None = None
    roles: list[str] = strawberry.field(default_factory=list)
    phone: str | None = None
    email: str | None = strawberry.field(default=None, description="Where email notifications go (encrypted).")


@strawberry.input
class OrgUnitCreateInput:
    code: str
    name: str
    kind: str = "department"
    parent_id: strawberry.ID | None = None


def _token_payload(pair) -> TokenPayload:
    return TokenPayload(access_token=pair.access_token, refresh_token=pair.refresh_token, expires_in=pair.expires_in)


def _login_errors(fn):
    """Login-type mutations run outside any tenant session: their DomainErrors become typed payload errors."""

    try:
        return fn()
    except DomainError as exc:
        return TokenPayload(errors=[UserError.of(exc)])


@strawberry.type
class IdentityQuery:
    @strawberry.field(description="Any object by its global id (null when absent or not visible to you).")
    def node(self, info: strawberry.Info, id: strawberry.ID) -> relay.Node | None:
        try:
            gid = relay.GlobalID.from_id(id)
            node_type = gid.resolve_type(info)
        except Exception:  # malformed id or unknown type name: simply not found
            return None
        if not (isinstance(node_type, type) and issubclass(node_type, relay.Node)) or node_type is relay.Node:
            return None
        return node_type.resolve_node(gid.node_id, info=info, required=False)

    @strawberry.field(description="The caller, their tenant, roles and effective permissions.")
    def me(self, info: strawberry.Info) -> Me:
        who = actor(info)
        s = info.context.session
        user = s.scalars(select(UserRow).where(UserRow.id == who.id_uuid)).one() if who.type == "user" else None
        tenant = s.get(Tenant, who.tenant_id)
        if user is None:
            raise PermissionDenied("`me` is for users; API keys have no user profile.")
        return Me(user=User.from_row(user),
                  tenant=TenantInfo(slug=tenant.slug, name=tenant.name, status=tenant.status,
                                    enabled_plugins=list(tenant.enabled_plugins)),
                  roles=provision.roles_of(s, who.subject),
                  permissions=sorted(p.key for p in permission_catalog(info.context.enabled_plugins)
                                     if get_enforcer(s).enforce(who.subject, p.obj, p.act)))

    @strawberry.field(description="Users of the caller's tenant, by username.")
    def users(self, info: strawberry.Info, first: int | None = None, after: str | None = None,
              filter: UserFilter | None = None) -> Connection[User]:
        require(info, "core:user:read")
        stmt = select(UserRow)
        if filter:
            if filter.search:
                stmt = stmt.where(or_(UserRow.username.startswith(filter.search, autoescape=True),
                                      UserRow.display_name.startswith(filter.search, autoescape=True)))
            if filter.status:
                stmt = stmt.where(UserRow.status == filter.status)
            if filter.phone:
                stmt = stmt.where(UserRow.phone_bidx == blind_index(actor(info).tenant_id, filter.phone, "phone"))
            if filter.org_unit_id:
                stmt = stmt.where(UserRow.org_unit_id == decode_node_id(filter.org_unit_id, "OrgUnit",
                                                                        field="orgUnitId"))
        return paginate(info, info.context.session, stmt, order=[UserRow.username, UserRow.id],
                        to_node=User.from_row, first=first, after=after)

    @strawberry.field(description="The org-unit tree, as a list ordered by path.")
    def org_units(self, info: strawberry.Info) -> list[OrgUnit]:
        require(info, "core:org_unit:read")
        rows = info.context.session.scalars(select(OrgUnitRow).order_by(OrgUnitRow.path))
        return [OrgUnit.from_row(r) for r in rows]


def _set_user_status(info, id, *, enable: bool) -> UserPayload:
    def go():
        require(info, "core:user:disable")
        uid = decode_node_id(id, "User")
        row = (enable_user if enable else disable_user)(info.context.session, uid)
        return UserPayload(user=User.from_row(row))

    return run_mutation(info, UserPayload, go)


@strawberry.type
class IdentityMutation:
    @strawberry.mutation(description="Log in with tenant slug, username and password.")
    def login(self, info: strawberry.Info, tenant: str, username: str, password: str) -> TokenPayload:
        return _login_errors(lambda: _token_payload(
            login(info.context.db, tenant, username, password, client_addr=info.context.client_addr)))

    @strawberry.mutation(description="Exchange a refresh token for a new pair (the old one is revoked).")
    def token_refresh(self, info: strawberry.Info, refresh_token: str) -> TokenPayload:
        return _login_errors(lambda: _token_payload(
            refresh(info.context.db, refresh_token, client_addr=info.context.client_addr)))

    @strawberry.mutation(description="Revoke a refresh token.")
    def logout(self, info: strawberry.Info, refresh_token: str) -> OkPayload:
        try:
            logout(info.context.db, refresh_token, client_addr=info.context.client_addr)
        except DomainError as exc:
            return OkPayload(errors=[UserError.of(exc)])
        return OkPayload(ok=True)

    @strawberry.mutation
    def user_create(self, info: strawberry.Info, input: UserCreateInput) -> UserPayload:
        def go():
            require(info, "core:user:create")
            org = decode_node_id(input.org_unit_id, "OrgUnit", field="orgUnitId") if input.org_unit_id else None
            row = create_user(info.context.session, username=input.username, password=input.password,
                              display_name=input.display_name, org_unit_id=org, roles=list(input.roles),
                              phone=input.phone, email=input.email)
            return UserPayload(user=User.from_row(row))

        return run_mutation(info, UserPayload, go)

    @strawberry.mutation
    def user_disable(self, info: strawberry.Info, id: strawberry.ID) -> UserPayload:
        return _set_user_status(info, id, enable=False)

    @strawberry.mutation
    def user_enable(self, info: strawberry.Info, id: strawberry.ID) -> UserPayload:
        return _set_user_status(info, id, enable=True)

    @strawberry.mutation(description="Replace a user's roles.")
    def user_roles_set(self, info: strawberry.Info, id: strawberry.ID, roles: list[str]) -> UserPayload:
        def go():
            require(info, "core:user:update")
            uid = decode_node_id(id, "User")
            s = info.context.session
            row = s.scalars(select(UserRow).where(UserRow.id == uid)).one_or_none()
            if row is None:
                raise NotFound("No User with that id.", field="id")
            provision.assign_roles(s, f"user:{uid}", roles)  # audited as authz.roles_assigned
            return UserPayload(user=User.from_row(row))

        return run_mutation(info, UserPayload, go)

    @strawberry.mutation
    def org_unit_create(self, info: strawberry.Info, input: OrgUnitCreateInput) -> OrgUnitPayload:
        def go():
            require(info, "core:org_unit:manage")
            parent = decode_node_id(input.parent_id, "OrgUnit", field="parentId") if input.parent_id else None
            row = create_org_unit(info.context.session, code=input.code, name=input.name, kind=input.kind,
                                  parent_id=parent)
            return OrgUnitPayload(org_unit=OrgUnit.from_row(row))

        return run_mutation(info, OrgUnitPayload, go)

    @strawberry.mutation(description="Create an API key for a system integration; the secret is returned once.")
    def api_key_create(self, info: strawberry.Info, name: str, roles: list[str]) -> ApiKeyPayload:
        def go():
            who = require(info, "core:api_key:manage")
            row, secret = create_api_key(info.context.session, name, roles, created_by=who.id_uuid)
            return ApiKeyPayload(id=str(row.id), secret=secret)

        return run_mutation(info, ApiKeyPayload, go)

    @strawberry.mutation
    def api_key_revoke(self, info: strawberry.Info, id: strawberry.ID) -> OkPayload:
        def go():
            require(info, "core:api_key:manage")
            key_id = parse_uuid(id, what="API key")
            revoke_api_key(info.context.session, key_id)
            return OkPayload(ok=True)

        return run_mutation(info, OkPayload, go)


