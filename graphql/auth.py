"""Resolver helpers: who is calling, and permission checks (each denial is a typed error and audited)."""

from __future__ import annotations

import uuid

from strawberry.relay import GlobalID

from surety.core.authz import check as authz_check
from surety.core.context import Actor
from surety.core.errors import NotFound


def actor(info) -> Actor:
    return info.context.require_actor()


def require(info, permission: str) -> Actor:
    """Check ``<plugin>:<resource>:<action>`` for the caller; raises PermissionDenied (audited) when not granted."""

    who = actor(info)
    obj, act = permission.rsplit(":", 1)
    authz_check.require(info.context.session, who, obj, act)
    return who


def allowed(info, permission: str) -> bool:
    who = info.context.actor
    if who is None:
        return False
    obj, act = permission.rsplit(":", 1)
    return authz_check.allowed(info.context.session, who, obj, act)


def parse_uuid(value: str, *, field: str = "id", what: str = "record") -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError as exc:
        raise NotFound("No {what} with that id.", field=field, what=what) from exc


def decode_node_id(global_id, expected_type: str, *, field: str = "id") -> uuid.UUID:
    """The UUID inside a Relay global id of ``expected_type``; anything else is NOT_FOUND (never a 500)."""

    try:
        gid = global_id if isinstance(global_id, GlobalID) else GlobalID.from_id(str(global_id))
    except Exception as exc:  # malformed base64 or missing separator
        raise NotFound("No {expected_type} with that id.", field=field, expected_type=expected_type) from exc
    if gid.type_name != expected_type:
        raise NotFound("No {expected_type} with that id.", field=field, expected_type=expected_type)
    return parse_uuid(gid.node_id, field=field, what=expected_type)
