"""Helpers for tests of the finance plugin and of plugins whose events it books."""

from __future__ import annotations

import dataclasses
from typing import Any

from surety.core.events import DomainEvent, jsonable


@dataclasses.dataclass(frozen=True, kw_only=True)
class AnyEvent(DomainEvent):
    """A domain event of any type and payload: the finance plugin reads other plugins' events by name and payload
    only, so a test raises them like this (``AnyEvent(kind="MicroloanRepaid", data={...})``)."""

    kind: str
    data: dict = dataclasses.field(default_factory=dict)

    @property
    def event_type(self) -> str:
        return self.kind

    def payload(self) -> dict[str, Any]:
        return jsonable(self.data)
