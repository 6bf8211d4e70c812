"""The engine asks a plugin for its subject's fields once per action, and again as soon as anything but the engine's
own bookkeeping has been written (engine.subject_fields): conditions see the subject as it is at their step."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select, update

from surety.core.context import acting
from surety.core.hookspecs import PluginManifest
from surety.core.identity.models import User
from surety.core.plugins import PluginRegistry, build_plugin_manager, hookimpl, reset_registry
from surety.core.workflow import engine
from surety.core.workflow.models import WorkdayOverride, WorkflowInstance, WorkflowTask
from surety.tenants.models import Tenant
from surety.tenants.service import enable_plugin

LOAN_REVIEW = {
    "key": "loans.review", "name": "Loan review", "subject_type": "loans:loan", "start": "review",
    "steps": [
        {"key": "review", "name": "Review", "kind": "task", "assignee": {"field": "manager_id"},
         "transitions": [{"to": "second", "when": "amount < 50"}, {"to": "rescore"}]},
        {"key": "second", "name": "Second review", "kind": "task", "assignee": {"field": "manager_id"},
         "transitions": [{"to": "ok"}]},
        # The handler changes the subject (and writes it): the route after it must see the new amount.
        {"key": "rescore", "name": "Rescore", "kind": "automatic", "handler": "loans.rescore",
         "transitions": [{"to": "big", "when": "amount >= 100"}, {"to": "ok"}]},
        {"key": "big", "name": "Executive", "kind": "task", "assignee": {"role": "executive"},
         "transitions": [{"to": "ok"}]},
        {"key": "ok", "kind": "end", "result": "approved"},
    ],
}


class Loans:
    """A test plugin owning ``loans:loan`` subjects; it counts how often the engine asks for their fields."""

    def __init__(self):
        self.amounts: dict[str, str] = {}
        self.manager: str | None = None
        self.asked = 0

    @hookimpl
    def surety_manifest(self):
        return PluginManifest(key="loans", version="1")

    @hookimpl
    def surety_workflow_definitions(self):
        return [LOAN_REVIEW]

    @hookimpl
    def surety_workflow_handlers(self):
        return {"loans.rescore": self.rescore}

    def rescore(self, session, call):
        self.amounts[call.subject_id] = str(Decimal(call.subject["amount"]) * 2)
        # A plugin keeps its subjects in its own tables: any such write stands for "the subject changed".
        session.add(WorkdayOverride(day=dt.date(2099, 1, 1), working=True, note="rescored"))
        return "done"

    @hookimpl
    def surety_workflow_subject(self, session, subject_type, subject_id):
        if subject_type != "loans:loan":
            return None
        self.asked += 1
        session.scalar(select(User.id).limit(1))  # a plugin reads its tables (which flushes pending changes)
        return {"amount": self.amounts[subject_id], "manager_id": self.manager, "org_unit_id": None,
                "customer": {"grade": "A"}}


@pytest.fixture
def loans(org, db):
    plugin = Loans()
    reset_registry(PluginRegistry(build_plugin_manager(extra=[("loans", plugin)])))
    with db.platform_session() as s:
        slug = s.get(Tenant, org.tenant_id).slug
    enable_plugin(db, slug, "loans")
    plugin.manager = str(org.id("bob"))
    yield plugin
    reset_registry(None)


def start_loan(org, loan_id: str):
    with org.session() as s, acting(org.actor("alice")):
        return engine.start(s, org.actor("alice"), definition_key="loans.review", subject_type="loans:loan",
                            subject_id=loan_id, title=f"Loan {loan_id}").id


def test_an_action_that_routes_and_opens_the_next_step_asks_once(org, loans):
    loans.amounts["L-1"] = "20"
    iid = start_loan(org, "L-1")
    loans.asked = 0
    # Route (amount < 50) and the next step's assignee (manager_id) read the subject: one question.
    assert org.act("bob", iid, "approve") == ("running", "second")
    assert loans.asked == 1
    assert org.act("bob", iid, "approve") == ("approved", "ok")  # the next action asks again
    assert loans.asked == 2


def test_a_write_within_the_action_makes_the_next_route_read_the_subject_again(org, loans):
    loans.amounts["L-2"] = "60"
    iid = start_loan(org, "L-2")
    loans.asked = 0
    # review -> rescore (amount 60: not < 50); the handler doubles it to 120 and writes; the route after it sees 120.
    assert org.act("bob", iid, "approve") == ("running", "big")
    assert loans.amounts["L-2"] == "120"
    assert loans.asked == 2  # review's route (the handler is given the same fields), rescore's route after the write


def test_engine_bookkeeping_keeps_the_fields_other_writes_and_savepoints_drop_them(org, loans):
    loans.amounts["L-3"] = "10"
    iid = start_loan(org, "L-3")
    with org.session() as s, acting(org.actor("bob")):
        instance = s.scalars(select(WorkflowInstance).where(WorkflowInstance.id == iid)).one()
        loans.asked = 0
        first = engine.subject_fields(s, instance)
        first["amount"] = "mutated by a caller"  # every caller gets its own copy
        s.execute(update(WorkflowTask).where(WorkflowTask.instance_id == iid).values(comment="note"))
        engine.record(s, instance, "comment", comment="bookkeeping only")
        s.flush()
        assert engine.subject_fields(s, instance)["amount"] == "10"
        assert loans.asked == 1
        loans.amounts["L-3"] = "11"
        s.execute(update(User).where(User.id == org.id("bob")).values(display_name="Bob B."))  # not bookkeeping
        assert engine.subject_fields(s, instance)["amount"] == "11"
        assert loans.asked == 2
        bob = s.scalar(select(User).where(User.id == org.id("bob")))
        loans.amounts["L-3"] = "12"
        bob.display_name = "Bob B."  # set to what it is: no change
        assert engine.subject_fields(s, instance)["amount"] == "11"
        bob.display_name = "Bob C."  # a pending change, not flushed yet
        assert engine.subject_fields(s, instance)["amount"] == "12"
        loans.amounts["L-3"] = "13"
        s.execute(select(User.id))  # a read is no write
        assert engine.subject_fields(s, instance)["amount"] == "12"
        with s.begin_nested():  # a savepoint's end (its rollback could undo what was read) drops them
            pass
        assert engine.subject_fields(s, instance)["amount"] == "13"
        assert loans.asked == 4
        s.flush()
    with org.session() as s:  # and nothing is kept across transactions
        instance = s.scalars(select(WorkflowInstance).where(WorkflowInstance.id == iid)).one()
        assert engine.subject_fields(s, instance)["amount"] == "13"
        assert loans.asked == 5


def test_start_with_the_current_fields_does_not_ask_the_plugin_again(org, loans):
    """A caller that has just computed the subject's fields gives them as ``current``: the first step's assignee rule
    reads them (here: the manager), and the plugin is not asked."""
    loans.amounts["L-4"] = "10"
    loans.asked = 0
    current = {"amount": "10", "manager_id": str(org.id("bob")), "org_unit_id": None, "customer": {"grade": "A"}}
    with org.session() as s, acting(org.actor("alice")):
        instance = engine.start(s, org.actor("alice"), definition_key="loans.review", subject_type="loans:loan",
                                subject_id="L-4", subject={"amount": "10"}, current=current)
        task = s.scalars(select(WorkflowTask).where(WorkflowTask.instance_id == instance.id)).one()
        assert (task.step_key, task.assignee_id) == ("review", org.id("bob"))
        assert instance.subject["amount"] == "10" and "manager_id" not in instance.subject  # what was given to store
    assert loans.asked == 0


def test_start_asks_the_plugin_when_something_else_is_pending(org, loans):
    """``current`` describes the subject before the caller's unflushed changes: with any pending foreign change the
    engine asks the plugin (here it answers another manager) instead of trusting it."""
    loans.amounts["L-5"] = "10"
    loans.asked = 0
    stale = {"amount": "10", "manager_id": str(org.id("alice")), "org_unit_id": None, "customer": {"grade": "A"}}
    with org.session() as s, acting(org.actor("alice")):
        s.scalar(select(User).where(User.id == org.id("bob"))).display_name = "Bob pending"
        instance = engine.start(s, org.actor("alice"), definition_key="loans.review", subject_type="loans:loan",
                                subject_id="L-5", current=stale)
        task = s.scalars(select(WorkflowTask).where(WorkflowTask.instance_id == instance.id)).one()
        assert task.assignee_id == org.id("bob")
    assert loans.asked == 1
