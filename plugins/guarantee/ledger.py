"""PLACEHOLDER (being written)."""


def on_event(session, event) -> None:
    return None
