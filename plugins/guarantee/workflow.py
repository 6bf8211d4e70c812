"""The approval process of a project through the core workflow engine: the default definition, the subject's fields
for conditions and assignees, and what happens to the project when the instance ends. (Owned by the application
area; placeholders until it lands.)"""

from __future__ import annotations

DEFINITIONS: list[dict] = []
SUBJECT_TYPE = "guarantee:project"


def subject(session, subject_type: str, subject_id: str):
    return None


def on_event(session, event) -> None:
    return None
