"""PLACEHOLDER (being written)."""

DEFINITIONS: list[dict] = []
SUBJECTS: dict = {}


def on_event(session, event) -> None:
    return None


def scan(session, business_date) -> None:
    return None


def install_default_indicators(session) -> None:
    return None
