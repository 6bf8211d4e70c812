"""Core's own hook implementations: it is registered as the plugin ``core``, always enabled."""

from __future__ import annotations

from pathlib import Path

from surety.core.hookspecs import PluginManifest
from surety.core.plugins import hookimpl

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations" / "versions"


@hookimpl
def surety_manifest():
    from surety import __version__

    return PluginManifest(key="core", version=__version__, title="Platform core")


@hookimpl
def surety_models():
    from surety.core.audit import models as audit
    from surety.core.authz import models as authz
    from surety.core.crypto import models as crypto
    from surety.core import events_models
    from surety.core.identity import models as identity
    from surety.tenants import models as tenants

    return [tenants, identity, authz, crypto, audit, events_models]


@hookimpl
def surety_migration_location():
    return str(MIGRATIONS)


@hookimpl
def surety_permissions():
    from surety.core.permissions import CORE_PERMISSIONS

    return CORE_PERMISSIONS


@hookimpl
def surety_role_templates():
    from surety.core.permissions import ROLE_TEMPLATES

    return ROLE_TEMPLATES


@hookimpl
def surety_default_grants():
    from surety.core.permissions import CORE_DEFAULT_GRANTS

    return CORE_DEFAULT_GRANTS


@hookimpl
def surety_sensitive_keys():
    from surety.core.permissions import CORE_SENSITIVE_KEYS

    return CORE_SENSITIVE_KEYS


@hookimpl
def surety_graphql():
    from surety.core.hookspecs import GraphQLContribution
    from surety.graphql.audit import AuditQuery
    from surety.graphql.authz import AuthzMutation, AuthzQuery
    from surety.graphql.identity import IdentityMutation, IdentityQuery
    from surety.graphql.platform import PlatformMutation, PlatformQuery

    return GraphQLContribution(
        query=(IdentityQuery, AuthzQuery, AuditQuery, PlatformQuery),
        mutation=(IdentityMutation, AuthzMutation, PlatformMutation),
    )
