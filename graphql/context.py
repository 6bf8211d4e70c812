"""Per-request GraphQL context: the caller, one tenant-bound session, DataLoaders."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from surety.core.context import Actor
from surety.core.db.session import Database
from surety.core.errors import PermissionDenied, Unauthenticated


@dataclass
class Context:
    db: Database
    request: Any = None
    response: Any = None
    actor: Actor | None = None
    #: Platform operator id when the caller holds a platform token.
    operator_id: str | None = None
    enabled_plugins: tuple[str, ...] = ("core",)
    request_id: str | None = None
    client_addr: str | None = None
    auth_error: Exception | None = None
    loaders: dict[str, Any] = field(default_factory=dict)
    _session: Session | None = None

    @property
    def tenant_id(self) -> uuid.UUID | None:
        return self.actor.tenant_id if self.actor else None

    @property
    def session(self) -> Session:
        """The request's tenant-bound session, opened on first use; committed or rolled back when the operation
        ends (``graphql.extensions.RequestSession``)."""
        if self._session is None:
            actor = self.require_actor()
            self.adopt_session(self.db.session(actor.tenant_id))
            self._session.begin()
        return self._session

    def adopt_session(self, session: Session) -> None:
        """Make ``session`` (bound to the caller's tenant) the request's session: the one the token check ran in
        (core/web.py), or a new one."""
        # The plugins resolved with the caller (tenants.registry's short cache) serve the session's event
        # dispatch too (core/events.enabled_plugins), instead of a read of the tenant row per request.
        session.info["enabled_plugins"] = {self.require_actor().tenant_id: list(self.enabled_plugins)}
        self._session = session

    def close_session(self) -> None:
        """Roll back and close the request's session if it is still open (the operation's end normally commits or
        rolls it back first: graphql.extensions.RequestSession)."""
        session, self._session = self._session, None
        if session is not None:
            session.close()

    def require_actor(self) -> Actor:
        if self.actor is None:
            if self.auth_error is not None:
                raise self.auth_error
            raise Unauthenticated()
        return self.actor

    def require_operator(self) -> str:
        if self.operator_id is None:
            if self.auth_error is not None:
                raise self.auth_error
            raise PermissionDenied("This operation is for platform operators only.")
        return self.operator_id

    def loader(self, name: str, factory):
        """A DataLoader created once per request."""
        if name not in self.loaders:
            self.loaders[name] = factory(self)
        return self.loaders[name]
