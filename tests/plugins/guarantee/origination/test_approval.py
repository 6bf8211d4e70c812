"""Approval through the workflow engine: the default route with and without the review committee, the green
channel, rejection, withdrawal, wrong-role actions, the subject's fields, and a tenant's edited definition."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from sqlalchemy import select

from surety.core.errors import PermissionDenied
from surety.core.events_models import OutboxEvent
from surety.core.workflow.actions import act
from surety.core.workflow.definitions import publish, save_draft
from surety.core.workflow.models import WorkflowInstance, WorkflowTask
from surety.plugins.guarantee.origination import applications as ap
from surety.plugins.guarantee.origination.approval import APPROVAL
from surety.plugins.guarantee.plugin import surety_workflow_subject as subject
from surety.plugins.guarantee.project.models import GuaranteeCounterGuarantee, GuaranteeProject
from surety.plugins.guarantee.testing import make_bank, make_product

MEMBERS = ("mem1", "mem2", "mem3", "mem4", "mem5")


def submitted(gw, amount="3000000", renewal=False) -> GuaranteeProject:
    with gw.acting("admin") as (s, a):
        product = make_product(s)
        bank, _ = make_bank(s)
    with gw.acting("mgr") as (s, a):
        p = ap.create_application(s, a, {"customer_id": gw.customers["corp"], "product_id": product.id,
                                         "bank_id": bank.id, "amount": amount, "term_months": 12,
                                         "purpose": "流动资金", "loan_category": "small_micro", "renewal": renewal})
        s.add(GuaranteeCounterGuarantee(project_id=p.id, kind="pledge", valuation=Decimal("1")))
        s.flush()
        return ap.submit_application(s, a, p.id)


def step(gw, project) -> tuple[str, str]:
    with gw.session() as s:
        inst = s.scalars(select(WorkflowInstance).where(WorkflowInstance.id == project.workflow_instance_id)).one()
        status = s.scalar(select(GuaranteeProject.status).where(GuaranteeProject.id == project.id))
        return inst.current_step, status


def do(gw, user, project, action="approve", **kw):
    """``user`` acts on the open task of the project's approval that they may take."""
    with gw.acting(user) as (s, a):
        tasks = s.scalars(select(WorkflowTask).where(WorkflowTask.instance_id == project.workflow_instance_id,
                                                     WorkflowTask.status == "open")
                          .order_by(WorkflowTask.created_at)).all()
        mine = [t for t in tasks if t.assignee_id in (None, a.id_uuid)]
        act(s, a, (mine or tasks)[0].id, action, **kw)
    return step(gw, project)


def decided_events(gw) -> list[dict]:
    with gw.session() as s:
        return [e.payload for e in s.scalars(select(OutboxEvent).where(
            OutboxEvent.event_type == "GuaranteeProjectDecided").order_by(OutboxEvent.occurred_at))]


def test_a_large_amount_goes_through_the_committee(gw):
    p = submitted(gw, amount="8000000")  # above the default threshold of 5,000,000
    assert step(gw, p) == ("acceptance", "in_approval")
    assert do(gw, "head", p) == ("due_diligence", "in_approval")
    assert do(gw, "mgr", p) == ("preliminary_review", "in_approval")
    assert do(gw, "risk", p) == ("re_review", "in_approval")
    assert do(gw, "boss", p) == ("committee", "in_approval")
    members = [str(gw.actors[m].id_uuid) for m in MEMBERS]
    do(gw, "legal", p, "convene", members=members, chair=members[0])
    do(gw, "mem1", p, "vote", vote="approve")
    do(gw, "mem2", p, "vote", vote="approve_with_conditions", comment="追加保证金 10%")
    do(gw, "mem3", p, "vote", vote="approve")
    do(gw, "mem4", p, "vote", vote="approve")
    assert do(gw, "mem5", p, "vote", vote="reject", comment="行业风险") == ("reply", "in_approval")
    assert do(gw, "boss", p) == ("approved", "approved")
    with gw.session() as s:
        row = s.scalars(select(GuaranteeProject).where(GuaranteeProject.id == p.id)).one()
    assert row.decided_at is not None
    assert decided_events(gw) == [{"project_id": str(p.id), "project_no": p.project_no, "result": "approved",
                                   "amount": "8000000.00", "conditions": ["追加保证金 10%"]}]


def test_an_amount_within_the_threshold_skips_the_committee(gw):
    p = submitted(gw, amount="5000000")  # not above the threshold
    for user in ("head", "mgr", "risk"):
        do(gw, user, p)
    assert do(gw, "boss", p) == ("reply", "in_approval")
    assert do(gw, "boss", p) == ("approved", "approved")


def test_the_threshold_is_the_tenants_setting(gw):
    with gw.acting("admin") as (s, a):
        ap.update_settings(s, a, committee_threshold="2000000")
    p = submitted(gw, amount="3000000")
    for user in ("head", "mgr", "risk"):
        do(gw, user, p)
    assert do(gw, "boss", p) == ("committee", "in_approval")


def test_a_small_renewal_takes_the_green_channel(gw):
    p = submitted(gw, amount="800000", renewal=True)
    assert do(gw, "head", p) == ("reply", "in_approval")
    big = submitted(gw, amount="1500000", renewal=True)  # above green_channel_max: the full route
    assert do(gw, "head", big) == ("due_diligence", "in_approval")


def test_a_rejection_ends_the_project_rejected(gw):
    p = submitted(gw)
    do(gw, "head", p)
    do(gw, "mgr", p)
    assert do(gw, "risk", p, "reject", comment="反担保不足") == ("preliminary_review", "rejected")
    assert decided_events(gw)[0]["result"] == "rejected"


def test_wrong_people_cannot_act_on_a_step(gw):
    p = submitted(gw)
    for user in ("mgr", "risk", "boss"):  # acceptance is the branch head's
        with pytest.raises(PermissionDenied, match="not yours"):
            do(gw, user, p)
    do(gw, "head", p)
    with pytest.raises(PermissionDenied):  # due diligence is manager A's, not the second manager's
        do(gw, "mgr2", p)
    assert step(gw, p) == ("due_diligence", "in_approval")


def test_withdrawing_marks_the_project_withdrawn(gw):
    p = submitted(gw)
    with gw.acting("head") as (s, a), pytest.raises(PermissionDenied):
        ap.withdraw_application(s, a, p.id, comment="not mine")
    with gw.acting("mgr") as (s, a):
        assert ap.withdraw_application(s, a, p.id, comment="客户撤回申请").status == "withdrawn"
    assert decided_events(gw)[0]["result"] == "withdrawn"


def test_subject_fields_for_conditions_and_assignees(gw):
    p = submitted(gw, amount="1234567.89")
    with gw.session() as s:
        fields = subject(s, "guarantee:project", str(p.id))
        assert subject(s, "other:thing", str(p.id)) is None
        assert subject(s, "guarantee:project", str(uuid.uuid4())) is None
        stored = s.scalar(select(WorkflowInstance.subject).where(WorkflowInstance.id == p.workflow_instance_id))
    assert fields["amount"] == Decimal("1234567.89") and fields["committee_threshold"] == Decimal("5000000.00")
    assert fields["manager_a_id"] == str(gw.actors["mgr"].id_uuid) and fields["org_unit_id"] == str(gw.units["A"])
    assert fields["customer"]["kind"] == "corporate" and fields["customer"]["name"] == "华夏建材有限公司"
    assert (fields["product_kind"], fields["renewal"], fields["project_no"]) == ("loan", False, p.project_no)
    assert "name" not in stored["customer"]  # what the engine keeps holds no names


def test_a_tenant_edits_the_definition_and_new_projects_follow_it(gw):
    running = submitted(gw)
    acceptance = {**APPROVAL["steps"][0], "transitions": [{"to": "preliminary_review"}]}
    edited = {**APPROVAL, "steps": [acceptance, *(x for x in APPROVAL["steps"][1:] if x["key"] != "due_diligence")]}
    with gw.acting("admin") as (s, a):
        draft = save_draft(s, a, edited)
        publish(s, a, draft.key, draft.version)
    fresh = submitted(gw)
    assert do(gw, "head", fresh) == ("preliminary_review", "in_approval")  # no due diligence any more
    assert do(gw, "head", running) == ("due_diligence", "in_approval")  # keeps the version it started on
