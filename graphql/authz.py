"""Core permissions API: roles and the permission matrix (roles x permissions)."""

from __future__ import annotations

import strawberry

from surety.core.authz.matrix import matrix, set_grant
from surety.graphql.auth import require
from surety.graphql.errors import UserError, run_mutation


@strawberry.type
class Role:
    key: str
    name: str
    data_scope: str
    description: str


@strawberry.type
class PermissionInfo:
    key: str = strawberry.field(description="`<plugin>:<resource>:<action>`")
    plugin: str
    description: str


@strawberry.type
class RolePermissions:
    role: str
    permissions: list[str]


@strawberry.type
class PermissionMatrix:
    roles: list[Role]
    permissions: list[PermissionInfo]
    grants: list[RolePermissions] = strawberry.field(description="For each role, the permission keys it holds.")


@strawberry.type
class MatrixPayload:
    matrix: PermissionMatrix | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class GrantInput:
    role: str
    permission: str
    granted: bool


def _matrix(session) -> PermissionMatrix:
    m = matrix(session)
    return PermissionMatrix(
        roles=[Role(key=r.key, name=r.name, data_scope=r.data_scope, description=r.description or "")
               for r in m.roles],
        permissions=[PermissionInfo(key=p.key, plugin=p.obj.split(":", 1)[0], description=p.description)
                     for p in m.permissions],
        grants=[RolePermissions(role=r.key, permissions=m.granted_keys(r.key)) for r in m.roles],
    )


@strawberry.type
class AuthzQuery:
    @strawberry.field(description="Roles x permissions for the caller's tenant and its enabled plugins.")
    def permission_matrix(self, info: strawberry.Info) -> PermissionMatrix:
        require(info, "core:role:read")
        return _matrix(info.context.session)


@strawberry.type
class AuthzMutation:
    @strawberry.mutation(description="Grant or revoke permissions of roles (one change per input item).")
    def permission_matrix_update(self, info: strawberry.Info, changes: list[GrantInput]) -> MatrixPayload:
        def go():
            require(info, "core:role:manage")
            for c in changes:
                set_grant(info.context.session, c.role, c.permission, c.granted)
            return MatrixPayload(matrix=_matrix(info.context.session))

        return run_mutation(info, MatrixPayload, go)
