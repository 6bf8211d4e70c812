"""Who is acting, for the current request, CLI command or job: read by the audit log and the logger."""

from __future__ import annotations

import contextlib
import contextvars
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

ACTOR_USER = "user"
ACTOR_API_KEY = "apikey"
ACTOR_PLATFORM = "platform"
ACTOR_SYSTEM = "system"


@dataclass(frozen=True)
class Actor:
    """The principal acting. ``subject`` is the Casbin subject (``user:<id>`` or ``apikey:<id>``)."""

    type: str = ACTOR_SYSTEM
    id: str | None = None
    tenant_id: uuid.UUID | None = None
    org_unit_id: uuid.UUID | None = None
    username: str | None = None

    @property
    def subject(self) -> str:
        return f"{self.type}:{self.id}"

    @property
    def id_uuid(self) -> uuid.UUID | None:
        return uuid.UUID(self.id) if self.id and self.type in (ACTOR_USER, ACTOR_API_KEY) else None


SYSTEM = Actor()


@dataclass(frozen=True)
class ActionContext:
    actor: Actor = SYSTEM
    request_id: str | None = None
    client_addr: str | None = None
    extra: dict = field(default_factory=dict)


_ctx: contextvars.ContextVar[ActionContext] = contextvars.ContextVar(
    "surety_action", default=ActionContext())  # noqa: B039 - frozen; nothing mutates its extra dict


def current() -> ActionContext:
    return _ctx.get()


@contextlib.contextmanager
def acting(actor: Actor | None = None, **changes) -> Iterator[ActionContext]:
    """Run a block as ``actor`` (and/or with ``request_id``/``client_addr``)."""
    ctx = current()
    if actor is not None:
        changes["actor"] = actor
    token = _ctx.set(replace(ctx, **changes))
    try:
        yield _ctx.get()
    finally:
        _ctx.reset(token)
