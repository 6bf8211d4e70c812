"""PLACEHOLDER (being written)."""

from surety.core.errors import NotFound


def on_event(session, event) -> None:
    return None


def attachment_guard(session, actor, entity_id: str) -> None:
    raise NotFound("No such inspection.")
