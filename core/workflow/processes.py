"""A plugin's processes put together: each process module of a plugin exports ``DEFINITIONS`` (its default workflow
definitions) and ``SUBJECTS``: subject type -> ``(fields, ended)`` with ``fields(session, subject_id) -> dict | None``
(what the definition's conditions and assignee rules read) and ``ended(session, event)`` (called with the
``WorkflowInstanceEnded`` event of an instance about such a subject). ``Processes(modules)`` answers the three
workflow hooks and the event for the plugin, so no plugin writes that glue again."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import ModuleType
from typing import Any

from sqlalchemy.orm import Session


class Processes:
    """The processes of one plugin, from its process modules (in order)."""

    def __init__(self, modules: Iterable[ModuleType]):
        self.modules = tuple(modules)
        self.subjects = {t: pair for m in self.modules for t, pair in m.SUBJECTS.items()}

    def definitions(self) -> list[Mapping[str, Any]]:
        """Every module's default definitions, in module order (``surety_workflow_definitions``)."""
        return [d for m in self.modules for d in m.DEFINITIONS]

    def subject(self, session: Session, subject_type: str, subject_id: str) -> Mapping[str, Any] | None:
        """The current fields of a subject of one of these processes; None for another plugin's subject type
        (``surety_workflow_subject``)."""
        pair = self.subjects.get(subject_type)
        return pair[0](session, subject_id) if pair else None

    def on_event(self, session: Session, event: Any) -> None:
        """An instance of one of these processes ended: its module's ``ended`` (other events: nothing)."""
        if event.event_type != "WorkflowInstanceEnded":
            return
        pair = self.subjects.get(getattr(event, "subject_type", None))
        if pair:
            pair[1](session, event)
