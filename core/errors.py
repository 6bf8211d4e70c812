"""Domain errors: the only errors whose message reaches an API client unmasked."""

from __future__ import annotations


class DomainError(Exception):
    """An expected, user-facing failure. ``code`` is stable and machine-readable."""

    code = "DOMAIN_ERROR"

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None, **details: object):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.field = field
        self.details = details

    @property
    def extensions(self) -> dict:
        """Read by graphql-core: a GraphQL error caused by a DomainError carries its code."""
        ext = {"code": self.code}
        if self.field:
            ext["field"] = self.field
        return ext


class ValidationFailed(DomainError):
    code = "VALIDATION_FAILED"


class NotFound(DomainError):
    code = "NOT_FOUND"


class Conflict(DomainError):
    code = "CONFLICT"


class Unauthenticated(DomainError):
    code = "UNAUTHENTICATED"

    def __init__(self, message: str = "Authentication required.", **kw: object):
        super().__init__(message, **kw)


class PermissionDenied(DomainError):
    code = "FORBIDDEN"


class TenantSuspended(DomainError):
    code = "TENANT_SUSPENDED"


class PluginNotEnabled(DomainError):
    code = "PLUGIN_NOT_ENABLED"


class PluginDependencyMissing(DomainError):
    code = "PLUGIN_DEPENDENCY_MISSING"


class ConfigurationError(RuntimeError):
    """Raised at start-up when settings are unusable (e.g. production without keys)."""


class TenantNotBound(RuntimeError):
    """A tenant-scoped query ran in a session bound to no tenant: refused (fail closed)."""


class CrossTenantWrite(RuntimeError):
    """An object of one tenant was about to be written through a session bound to another."""
