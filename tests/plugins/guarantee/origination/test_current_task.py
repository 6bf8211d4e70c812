"""``currentTask`` of a guarantee project (core ``current_steps`` through ``current_task_field``): the running
approval's current step, who holds it or may claim it and when it is due; shown to those who may see the instance
(its initiator, participants, monitors) and null for anyone else, exactly as ``workflowInstance``."""

from __future__ import annotations

from sqlalchemy import select
from strawberry import relay

from surety.core.context import acting
from surety.core.testing import TEST_PASSWORD
from surety.core.workflow.models import WorkflowInstance, WorkflowTask, WorkflowTaskCandidate
from surety.core.workflow.queries import current_steps
from surety.plugins.guarantee.origination.applications import submit_application
from surety.plugins.guarantee.origination.approval import SUBJECT_TYPE
from surety.plugins.guarantee.testing import make_bank, make_product, make_project

PAGE = """{ guaranteeProjects(first: 10) { edges { node { id status currentTask {
  stepKey stepName dueDate assigneeIds candidateIds instance { id status currentStep }
  tasks { id stepKey status dueDate assigneeId candidateIds } } } } } }"""


def _submitted(gw):
    with gw.acting("mgr") as (s, a):
        product = make_product(s, kind="bid", code="BID-CT", requires_counter_guarantee=False)
        bank, _ = make_bank(s)
        running = make_project(s, a, gw.customers["corp"], product=product, bank=bank, amount="600000.00")
        running.project_no = None
        draft = make_project(s, a, gw.customers["corp"], product=product, bank=bank)
        draft.project_no = None
        with acting(a):
            submit_application(s, a, running.id)
        return running.id, draft.id


def _by_id(api, token) -> dict:
    body = api(PAGE, token=token)
    assert "errors" not in body, body
    return {e["node"]["id"]: e["node"] for e in body["data"]["guaranteeProjects"]["edges"]}


def test_current_task_of_a_project_in_approval(gw, api):
    running, draft = _submitted(gw)
    with gw.session() as s:
        instance = s.scalar(select(WorkflowInstance).where(WorkflowInstance.subject_type == SUBJECT_TYPE,
                                                           WorkflowInstance.subject_id == str(running)))
        tasks = list(s.scalars(select(WorkflowTask).where(WorkflowTask.instance_id == instance.id,
                                                          WorkflowTask.status == "open")))
        offered = set(s.scalars(select(WorkflowTaskCandidate.user_id).where(
            WorkflowTaskCandidate.task_id.in_([t.id for t in tasks]), WorkflowTaskCandidate.active.is_(True))))
    assert instance.current_step == "acceptance" and tasks
    holders = {relay.to_base64("User", t.assignee_id) for t in tasks if t.assignee_id}
    claimable = {relay.to_base64("User", u) for u in offered} if not holders else set()
    assert relay.to_base64("User", gw.actors["head"].id_uuid) in holders | claimable

    mine = _by_id(api, api.login(gw.tenant.slug, "mgr", TEST_PASSWORD))  # the initiator
    current = mine[relay.to_base64("GuaranteeProject", running)]["currentTask"]
    assert current["stepKey"] == "acceptance" and current["stepName"].startswith("受理")
    assert current["instance"] == {"id": relay.to_base64("WorkflowInstance", instance.id), "status": "running",
                                   "currentStep": "acceptance"}
    assert set(current["assigneeIds"]) == holders and set(current["candidateIds"]) == claimable
    assert current["dueDate"] == min(t.due_date for t in tasks).isoformat()
    assert {t["id"] for t in current["tasks"]} == {relay.to_base64("WorkflowTask", t.id) for t in tasks}
    assert mine[relay.to_base64("GuaranteeProject", draft)]["currentTask"] is None  # nothing running

    monitor = _by_id(api, api.login(gw.tenant.slug, "boss", TEST_PASSWORD))  # core:workflow:monitor
    assert monitor[relay.to_base64("GuaranteeProject", running)]["currentTask"]["stepKey"] == "acceptance"

    # The read-only user of the branch sees the project (data scope) but is no participant of its approval.
    viewer = _by_id(api, api.login(gw.tenant.slug, "viewer", TEST_PASSWORD))
    assert viewer[relay.to_base64("GuaranteeProject", running)]["status"] == "in_approval"
    assert viewer[relay.to_base64("GuaranteeProject", running)]["currentTask"] is None


def test_current_steps_is_keyed_by_subject_and_hides_what_the_actor_may_not_see(gw):
    running, draft = _submitted(gw)
    keys = [(SUBJECT_TYPE, str(running)), (SUBJECT_TYPE, str(draft)), ("other:thing", str(running))]
    with gw.acting("mgr") as (s, a):
        found = current_steps(s, a, keys)
        assert set(found) == {(SUBJECT_TYPE, str(running))}
        step = found[(SUBJECT_TYPE, str(running))]
        assert step.step_key == "acceptance" and all(t.step_key == "acceptance" for t in step.tasks)
    with gw.acting("viewer") as (s, a):
        assert current_steps(s, a, keys) == {}
    with gw.acting("mgr2") as (s, a):
        assert current_steps(s, a, keys) == {}
