"""core/workflow/helpers.py: step builders make definitions the engine publishes, ``start`` picks the person or the
system, ``last_decision`` reads the timeline."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from surety.core.context import ACTOR_SYSTEM, Actor, acting
from surety.core.errors import PermissionDenied
from surety.core.identity.service import create_user
from surety.core.testing import TEST_PASSWORD
from surety.core.workflow import helpers
from surety.core.workflow.models import WorkflowEvent
from tests.core.conftest import MONDAY

DEFINITION = {
    "key": "test.helpers", "name": "Helpers", "subject_type": "test:thing", "start": "review",
    "steps": [
        helpers.task_step("review", "审查 Review", {"role": "risk_officer"},
                          [{"to": "approved"}, {"to": "rejected", "on": "reject"}], days=3, escalate_to="executive"),
        helpers.end_step("approved"),
        helpers.end_step("rejected"),
    ],
}


def test_step_builders():
    assert DEFINITION["steps"][0] == {
        "key": "review", "name": "审查 Review", "kind": "task", "assignee": {"role": "risk_officer"},
        "timeout": {"working_days": 3, "remind_before": 1, "escalate_to": "executive"},
        "transitions": [{"to": "approved"}, {"to": "rejected", "on": "reject"}]}
    assert helpers.end_step("approved") == {"key": "approved", "name": "Approved", "kind": "end",
                                            "result": "approved"}
    assert helpers.end_step("written_off", "approved", "核销") == {"key": "written_off", "name": "核销",
                                                                  "kind": "end", "result": "approved"}


def _start(org, actor, subject_id: str):
    with org.session() as s, acting(actor):
        return helpers.start(s, actor, "test.helpers_job", definition_key="test.helpers", subject_type="test:thing",
                             subject_id=subject_id, subject={}, title="Thing", today=MONDAY).id


def test_start_as_the_person_or_as_the_system(org):
    org.publish(DEFINITION)
    by_bob = _start(org, org.actor("bob"), "t1")  # a risk officer may start processes
    assert org.instance(by_bob).initiator_id == org.id("bob")
    by_job = _start(org, None, "t2")
    system = _start(org, Actor(type=ACTOR_SYSTEM, id="x", tenant_id=org.tenant_id), "t3")
    with org.session() as s:
        starts = dict(s.execute(select(WorkflowEvent.instance_id, WorkflowEvent.actor_id)
                                .where(WorkflowEvent.action == "start")).all())
    assert starts[by_job] == starts[system] == "test.helpers_job"
    assert org.instance(by_job).initiator_id is None
    with org.session() as s:
        org.users["reader"] = create_user(s, username="reader", password=TEST_PASSWORD, org_unit_id=org.units["BJ"],
                                          roles=["read_only"])
    with pytest.raises(PermissionDenied):  # a person's permission is checked: read_only may not start
        _start(org, org.actor("reader"), "t4")


def test_last_decision(org):
    org.publish(DEFINITION)
    instance_id = _start(org, None, "t5")
    with org.session() as s:
        assert helpers.last_decision(s, instance_id) == (None, "")
    org.act("bob", instance_id, "reject", comment="材料不全")
    with org.session() as s:
        who, comment = helpers.last_decision(s, instance_id)
    assert (who, comment) == (org.id("bob"), "材料不全")
