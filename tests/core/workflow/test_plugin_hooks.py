"""A business plugin and the engine: default definitions installed on enabling, an automatic step calling the
plugin's handler, fresh subject fields from the plugin, and the end event delivered to it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from surety.core.context import acting
from surety.core.errors import ValidationFailed
from surety.core.hookspecs import PluginManifest
from surety.core.plugins import PluginRegistry, build_plugin_manager, hookimpl, reset_registry
from surety.core.workflow import engine
from surety.core.workflow.models import WorkflowDefinition
from surety.tenants.models import Tenant
from surety.tenants.service import enable_plugin

DEAL_APPROVAL = {
    "key": "deals.approval", "name": "Deal approval", "subject_type": "deals:deal", "start": "limit",
    "steps": [
        {"key": "limit", "name": "Limit check", "kind": "automatic", "handler": "deals.limit_check",
         "params": {"limit": "100"},
         "transitions": [{"to": "refused", "when": "outcome == \"breach\""}, {"to": "review"}]},
        {"key": "review", "name": "Review", "kind": "task", "assignee": {"field": "manager_id"},
         "transitions": [{"to": "big", "when": "amount >= 50"}, {"to": "ok"}]},
        {"key": "big", "name": "Executive", "kind": "task", "assignee": {"role": "executive"},
         "transitions": [{"to": "ok"}]},
        {"key": "ok", "kind": "end", "result": "approved"},
        {"key": "refused", "kind": "end", "result": "rejected"},
    ],
}


class Deals:
    """A test business plugin owning subjects of type ``deals:deal`` (amounts kept in ``self.amounts``)."""

    def __init__(self):
        self.amounts: dict[str, str] = {}
        self.manager: str | None = None
        self.calls = []
        self.ended = []

    @hookimpl
    def surety_manifest(self):
        return PluginManifest(key="deals", version="1")

    @hookimpl
    def surety_workflow_definitions(self):
        return [DEAL_APPROVAL]

    @hookimpl
    def surety_workflow_handlers(self):
        return {"deals.limit_check": self.limit_check}

    def limit_check(self, session, call):
        self.calls.append((call.step_key, call.subject_id, dict(call.params)))

        return "breach" if Decimal(call.subject["amount"]) > Decimal(call.params["limit"]) else "pass"

    @hookimpl
    def surety_workflow_subject(self, session, subject_type, subject_id):
        if subject_type != "deals:deal":
            return None
        return {"amount": self.amounts[subject_id], "manager_id": self.manager, "org_unit_id": None}

    @hookimpl
    def surety_handle_event(self, session, event):
        if event.event_type == "WorkflowInstanceEnded":
            self.ended.append((event.subject_id, event.result))


@pytest.fixture
def deals(org, db):
    plugin = Deals()
    reset_registry(PluginRegistry(build_plugin_manager(extra=[("deals", plugin)])))

    with db.platform_session() as s:
        slug = s.get(Tenant, org.tenant_id).slug
    enable_plugin(db, slug, "deals")
    plugin.manager = str(org.id("bob"))
    yield plugin
    reset_registry(None)


def start_deal(org, deal_id):
    with org.session() as s, acting(org.actor("alice")):
        return engine.start(s, org.actor("alice"), definition_key="deals.approval", subject_type="deals:deal",
                            subject_id=deal_id, title=f"Deal {deal_id}").id


def test_enabling_the_plugin_installs_and_publishes_its_definition(org, deals):
    with org.session() as s:
        row = s.scalar(select(WorkflowDefinition).where(WorkflowDefinition.key == "deals.approval"))
    assert (row.status, row.source, row.version) == ("published", "deals", 1)


def test_automatic_step_and_fresh_subject_fields(org, deals):
    deals.amounts["D-1"] = "500"
    iid = start_deal(org, "D-1")
    assert org.instance(iid).status == "rejected"  # the handler found a breach
    assert deals.calls == [("limit", "D-1", {"limit": "100"})]
    deals.amounts["D-2"] = "20"
    iid = start_deal(org, "D-2")
    assert org.instance(iid).current_step == "review"
    deals.amounts["D-2"] = "60"  # the subject changed while in review: the route reads the new amount
    assert org.act("bob", iid, "approve") == ("running", "big")
    assert org.act("erin", iid, "approve") == ("approved", "ok")
    assert deals.ended == [("D-1", "rejected"), ("D-2", "approved")]


def test_a_definition_naming_a_missing_handler_is_refused(org, deals):
    doc = {**DEAL_APPROVAL, "key": "deals.other", "steps": [
        {**DEAL_APPROVAL["steps"][0], "handler": "deals.nothing"}, *DEAL_APPROVAL["steps"][1:]]}
    with pytest.raises(ValidationFailed, match="unknown handler 'deals.nothing'"):
        org.publish(doc)
