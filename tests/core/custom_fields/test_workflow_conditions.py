"""A workflow condition reads a custom field: ``custom.family_members > 2`` routes on the subject's custom values
(subject_values), as guarantee's project fields will carry them."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from surety.core.context import acting
from surety.core.custom_fields import service as cf
from surety.core.workflow import actions, definitions, engine
from surety.core.workflow.models import TASK_OPEN, WorkflowTask

ENTITY = "customer_individual"
ROUTED = {
    "key": "test.custom_route", "name": "Route on a custom field", "subject_type": "test:thing", "start": "check",
    "steps": [
        {"key": "check", "name": "Check", "kind": "task", "assignee": {"user": "admin"},
         "transitions": [{"to": "big", "when": "custom.family_members > 2 and custom.housing == \"own\""},
                         {"to": "small"}]},
        {"key": "big", "name": "Large family", "kind": "end", "result": "approved"},
        {"key": "small", "name": "Small family", "kind": "end", "result": "rejected"},
    ],
}


@pytest.mark.parametrize("members,housing,result", [(3, "own", "big"), (2, "own", "small"), (5, "rent", "small")])
def test_condition_on_a_custom_field_routes(place, members, housing, result):
    admin = place.admin
    with place.session() as s, acting(admin):
        cf.define_field(s, admin, ENTITY, {"key": "family_members", "label_zh": "家庭人数", "type": "number"})
        cf.define_field(s, admin, ENTITY, {"key": "housing", "label_zh": "住房", "type": "choice",
                                           "options": [{"value": "own"}, {"value": "rent"}]})
        draft = definitions.save_draft(s, admin, ROUTED)
        definitions.publish(s, admin, draft.key, draft.version)
    record = uuid.uuid4()
    with place.session() as s, acting(admin):
        cf.write_values(s, admin, ENTITY, record, {"family_members": members, "housing": housing})
        inst = engine.start(s, admin, definition_key="test.custom_route", subject_type="test:thing",
                            subject_id=str(record), subject=cf.subject_values(s, ENTITY, record))
        assert inst.subject["custom"]["family_members"] == str(members)
    with place.session() as s, acting(admin):
        task = s.scalar(select(WorkflowTask).where(WorkflowTask.instance_id == inst.id,
                                                   WorkflowTask.status == TASK_OPEN))
        done = actions.act(s, admin, task.id, "approve")
        assert done.current_step == result
