"""The authenticated principal handed to the web layer: a user, an API key or a platform operator."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from surety.core.context import ACTOR_API_KEY, ACTOR_PLATFORM, ACTOR_USER, Actor

PRINCIPAL_USER = ACTOR_USER
PRINCIPAL_API_KEY = ACTOR_API_KEY
PRINCIPAL_PLATFORM = ACTOR_PLATFORM


@dataclass(frozen=True)
class Principal:
    """Who a request acts as. ``roles`` is filled for API keys (users' roles live in Casbin)."""

    type: str
    id: uuid.UUID
    tenant_id: uuid.UUID | None
    org_unit_id: uuid.UUID | None = None
    username: str = ""
    display_name: str = ""
    roles: tuple[str, ...] = ()

    @property
    def subject(self) -> str:
        """The Casbin subject: ``user:<id>`` or ``apikey:<id>``."""
        return f"{self.type}:{self.id}"

    def actor(self) -> Actor:
        """The :class:`~surety.core.context.Actor` to run the request as (``with acting(principal.actor())``)."""
        return Actor(type=self.type, id=str(self.id), tenant_id=self.tenant_id, org_unit_id=self.org_unit_id,
                     username=self.username or None)
