"""Fields other plugins add to a workflow subject (hook surety_workflow_subject_extra, engine.extra_fields): asked
only when a transition's condition names a top-level field the subject lacks, only for those keys; the subject's
own fields win; a key nobody answers reads as missing (None)."""

from __future__ import annotations

import pytest

from surety.core.hookspecs import PluginManifest
from surety.core.plugins import PluginRegistry, build_plugin_manager, hookimpl, reset_registry
from surety.tenants.models import Tenant
from surety.tenants.service import enable_plugin

FLOW = {
    "key": "things.extra", "name": "Extra fields", "subject_type": "test:thing", "start": "review",
    "steps": [
        {"key": "review", "name": "Review", "kind": "task", "assignee": {"role": "risk_officer"},
         "transitions": [{"to": "committee", "when": "risk.breach"}, {"to": "ok"}]},
        {"key": "committee", "name": "Committee", "kind": "task", "assignee": {"role": "executive"},
         "transitions": [{"to": "ok"}]},
        {"key": "ok", "kind": "end", "result": "approved"},
    ],
}
PLAIN = {**FLOW, "key": "things.plain", "steps": [
    {**FLOW["steps"][0], "transitions": [{"to": "committee", "when": "amount >= 50"}, {"to": "ok"}]},
    *FLOW["steps"][1:]]}
SHADOWED = {**FLOW, "key": "things.shadowed"}


class Extras:
    """A plugin adding ``risk`` to every subject (``breach`` per subject id) and ``other`` it is never asked for."""

    def __init__(self):
        self.breach: dict[str, bool] = {}
        self.asked: list[tuple[str, frozenset]] = []

    @hookimpl
    def surety_manifest(self):
        return PluginManifest(key="extras", version="1")

    @hookimpl
    def surety_workflow_subject_extra(self, session, subject_type, subject_id, keys):
        self.asked.append((subject_id, keys))
        if "risk" not in keys:
            return None
        return {"risk": {"breach": self.breach.get(subject_id, False)}, "other": {"x": 1}}


@pytest.fixture
def extras(org, db):
    plugin = Extras()
    reset_registry(PluginRegistry(build_plugin_manager(extra=[("extras", plugin)])))
    with db.platform_session() as s:
        slug = s.get(Tenant, org.tenant_id).slug
    enable_plugin(db, slug, "extras")
    for doc in (FLOW, PLAIN, SHADOWED):
        org.publish(doc)
    yield plugin
    reset_registry(None)


def test_a_condition_on_another_plugins_field_routes_by_it(org, extras):
    extras.breach["T-1"] = True
    iid = org.start("alice", "things.extra", "T-1", {"amount": "10"})
    assert org.act("bob", iid, "approve") == ("running", "committee")
    assert extras.asked == [("T-1", frozenset({"risk"}))]
    iid = org.start("alice", "things.extra", "T-2", {"amount": "10"})
    assert org.act("bob", iid, "approve") == ("approved", "ok")


def test_conditions_not_naming_them_never_ask(org, extras):
    iid = org.start("alice", "things.plain", "T-3", {"amount": "60"})
    assert org.act("bob", iid, "approve") == ("running", "committee")
    assert extras.asked == []


def test_the_subjects_own_field_wins(org, extras):
    extras.breach["T-4"] = True
    iid = org.start("alice", "things.shadowed", "T-4", {"risk": {"breach": False}})
    assert org.act("bob", iid, "approve") == ("approved", "ok")
    assert extras.asked == []
