"""PLACEHOLDER (being written)."""

DEFINITIONS: list[dict] = []
SUBJECTS: dict = {}
