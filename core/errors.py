"""Domain errors: the only errors whose message reaches an API client unmasked.

A message is an English template with ``{name}`` placeholders and its parameters as keyword arguments
(docs/i18n.md): ``NotFound("No user {user_id}.", user_id=uid)``. ``message`` (and ``str(exc)``) is the English text,
for logs and service-level tests; the API renders ``template`` with ``params`` in the request's locale from the
Babel catalogues (core/i18n)."""

from __future__ import annotations

from surety.core.i18n import N_, format_message

#: What a client sees of an unexpected error (GraphQL masks it; the upload endpoints answer it).
MASKED_MESSAGE = N_("Unexpected error.")


class DomainError(Exception):
    """An expected, user-facing failure. ``code`` is stable and machine-readable; ``template`` is the gettext msgid,
    ``params`` its parameters (``details`` is the same dict, its older name)."""

    code = "DOMAIN_ERROR"

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None, **params: object):
        self.template = message
        self.params = params
        self.message = format_message(message, params)
        super().__init__(self.message)
        if code:
            self.code = code
        self.field = field

    @property
    def details(self) -> dict:
        return self.params

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

    def __init__(self, message: str = N_("Authentication required."), **kw: object):
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
