"""core.workflow.processes: a plugin's process modules joined for the three workflow hooks and the end event."""

from __future__ import annotations

import types

from surety.core.workflow.processes import Processes


def _module(name, definitions, subject_type, seen):
    def fields(session, subject_id):
        return {"subject": subject_id, "module": name}

    def ended(session, event):
        seen.append((name, event.subject_id))

    return types.SimpleNamespace(DEFINITIONS=definitions, SUBJECTS={subject_type: (fields, ended)})


class _Event:
    def __init__(self, event_type, subject_type, subject_id="s-1"):
        self.event_type, self.subject_type, self.subject_id = event_type, subject_type, subject_id


def test_definitions_subjects_and_end_events_go_to_the_owning_module():
    seen: list = []
    one = _module("one", [{"key": "a"}], "thing.one", seen)
    two = _module("two", [{"key": "b"}, {"key": "c"}], "thing.two", seen)
    processes = Processes((one, two))
    assert [d["key"] for d in processes.definitions()] == ["a", "b", "c"]
    assert processes.subject(None, "thing.two", "x") == {"subject": "x", "module": "two"}
    assert processes.subject(None, "other.plugin", "x") is None
    processes.on_event(None, _Event("WorkflowInstanceEnded", "thing.one", "s-9"))
    processes.on_event(None, _Event("WorkflowInstanceEnded", "other.plugin"))
    processes.on_event(None, _Event("SomethingElse", "thing.two"))
    assert seen == [("one", "s-9")]
