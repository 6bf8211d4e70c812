"""Review committee meetings: scheduling with an agenda of projects at their committee step, opening (the engine
convenes each committee with the meeting's members and chair), members voting through the engine, the meeting view
(votes, recusals, outcome, conditions) and the minutes attached to the meeting."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from docx import Document
from sqlalchemy import select

from surety.core.attachments import service as attachments
from surety.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from surety.core.workflow import actions, engine
from surety.core.workflow.definitions import publish, save_draft
from surety.core.workflow.models import WorkflowTask
from surety.plugins.guarantee.documents import meetings
from surety.plugins.guarantee.documents.minutes import export_minutes
from surety.plugins.guarantee.testing import make_project

COMMITTEE = {
    "key": "guarantee.committee_only", "name": "审保会", "subject_type": "guarantee:project", "start": "committee",
    "steps": [
        {"key": "committee", "name": "审保会", "kind": "committee", "assignee": {"role": "legal"}, "quorum": 3,
         "pass_ratio": "2/3", "chair_veto": True, "member_role": "committee_member",
         "transitions": [{"to": "approved"}, {"to": "rejected", "on": "reject"}]},
        {"key": "approved", "kind": "end", "result": "approved"},
        {"key": "rejected", "kind": "end", "result": "rejected"},
    ],
}
MEMBERS = ("mem1", "mem2", "mem3", "mem4", "mem5")
TODAY = engine.business_today()


@pytest.fixture
def at_committee(gw):
    """``make(amount)``: a project whose approval waits at the committee step."""
    with gw.acting("admin") as (s, a):
        draft = save_draft(s, a, COMMITTEE)
        publish(s, a, draft.key, draft.version)

    def make(amount="8000000.00", customer="corp"):
        with gw.acting("mgr") as (s, a):
            project = make_project(s, a, gw.customers[customer], amount=amount, status="in_approval")
            instance = engine.start(s, a, definition_key=COMMITTEE["key"], subject_type="guarantee:project",
                                    subject_id=str(project.id), subject={"amount": str(project.amount)})
            project.workflow_instance_id = instance.id
            s.flush()
            return project
    return make


def uid(gw, name):
    return gw.actors[name].id_uuid


def vote(gw, member, project, choice, comment=None):
    with gw.acting(member) as (s, a):
        instance_id = s.scalar(select(engine.WorkflowInstance.id).where(
            engine.WorkflowInstance.subject_id == str(project.id)))
        task = s.scalar(select(WorkflowTask).where(WorkflowTask.instance_id == instance_id,
                                                   WorkflowTask.assignee_id == a.id_uuid,
                                                   WorkflowTask.kind == "vote", WorkflowTask.status == "open"))
        actions.act(s, a, task.id, "vote", vote=choice, comment=comment)


def schedule(gw, projects, members=MEMBERS, chair="mem1", **kw):
    with gw.acting("legal") as (s, a):
        return meetings.schedule_meeting(
            s, a, meeting_date=kw.pop("meeting_date", TODAY), chair_id=uid(gw, chair),
            member_ids=[uid(gw, m) for m in members], project_ids=[p.id for p in projects],
            title=kw.pop("title", "第12次审保会"), place="三楼会议室", quorum_note="5名委员出席，2/3通过", **kw).id


def test_schedule_open_vote_and_see_the_outcomes(gw, at_committee):
    big, vetoed = at_committee("8000000.00"), at_committee("6000000.00", "person")
    meeting_id = schedule(gw, [big, vetoed])
    with gw.acting("legal") as (s, a):
        view = meetings.meeting_view(s, a, meeting_id)
        assert [i.status for i in view.items] == ["scheduled", "scheduled"]
        assert [name for _, name in view.members] == ["Mem1", "Mem2", "Mem3", "Mem4", "Mem5"]
        assert view.chair_name == "Mem1"
        opened = meetings.open_meeting(s, a, meeting_id)
        assert opened.status == "open" and opened.opened_at is not None
        with pytest.raises(Conflict, match="Nothing to convene"):
            meetings.open_meeting(s, a, meeting_id)

    for m in ("mem1", "mem2", "mem3"):
        vote(gw, m, big, "approve")
    vote(gw, "mem4", big, "approve_with_conditions", "追加实际控制人连带保证")
    vote(gw, "mem5", big, "recuse", "与借款人存在关联关系")
    vote(gw, "mem1", vetoed, "reject", "行业风险过高")  # the chair holds a veto
    for m in ("mem2", "mem3", "mem4", "mem5"):
        vote(gw, m, vetoed, "approve")

    with gw.acting("mem3") as (s, a):  # a committee member may read the meeting
        view = meetings.meeting_view(s, a, meeting_id)
    first, second = view.items
    assert (first.project_no, first.customer_name, first.amount) == (big.project_no, "华夏建材有限公司", big.amount)
    assert (first.status, first.result) == ("decided", "approved_with_conditions")
    assert (first.approvals, first.rejections, first.recusals, first.decided_on) == (4, 0, 1, TODAY)
    assert first.conditions == ["追加实际控制人连带保证"]
    assert [(v.member_name, v.vote) for v in first.votes] == [
        ("Mem1", "approve"), ("Mem2", "approve"), ("Mem3", "approve"), ("Mem4", "approve_with_conditions"),
        ("Mem5", "recuse")]
    assert [(v.member_name, v.comment) for v in first.recused] == [("Mem5", "与借款人存在关联关系")]
    assert (second.status, second.result, second.vetoed, second.approvals) == ("decided", "rejected", True, 4)

    with gw.acting("legal") as (s, a):
        stored, data = export_minutes(s, a, meeting_id)
        assert (stored.entity_type, stored.entity_id) == ("guarantee:meeting", str(meeting_id))
        assert meetings.get_meeting(s, a, meeting_id).minutes_attachment_id == stored.id
        assert attachments.download(s, a, stored.id)[1] == data
    doc = Document(io.BytesIO(data))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "第12次审保会 会议纪要" in text and "三楼会议室" in text and "出席委员：Mem1、Mem2、Mem3、Mem4、Mem5" in text
    assert big.project_no in text and "担保金额：8,000,000.00元（捌佰万元整）" in text
    assert "决议：有条件通过（同意4票，不同意0票，回避1票）" in text and "附加条件：\n（1）追加实际控制人连带保证——未落实" in text
    assert "回避：Mem5" in text and "决议：否决（同意4票，不同意1票，回避0票）；主任委员行使否决权" in text
    rows = [[c.text for c in r.cells] for r in doc.tables[1].rows]
    assert rows[0] == ["委员", "表决意见", "意见说明"] and ["Mem1", "不同意", "行业风险过高"] in rows


def test_recusals_below_quorum_wait_for_the_meeting_to_convene_again(gw, at_committee):
    project = at_committee()
    meeting_id = schedule(gw, [project], members=("mem1", "mem2", "mem3"))
    with gw.acting("legal") as (s, a):
        meetings.open_meeting(s, a, meeting_id)
    vote(gw, "mem1", project, "approve")
    vote(gw, "mem2", project, "approve")
    vote(gw, "mem3", project, "recuse", "利益冲突")
    with gw.acting("legal") as (s, a):
        item = meetings.meeting_view(s, a, meeting_id).items[0]
        assert (item.status, item.result, item.recusals) == ("no_quorum", None, 1)
        meetings.open_meeting(s, a, meeting_id)  # the secretary convenes it again
        assert meetings.meeting_view(s, a, meeting_id).items[0].status == "voting"


def test_scheduling_is_checked(gw, at_committee):
    project = at_committee()
    with gw.acting("mgr") as (s, a):
        elsewhere = make_project(s, a, gw.customers["corp"])
    with pytest.raises(ValidationFailed, match="today or a later day"):
        schedule(gw, [project], meeting_date=TODAY - dt.timedelta(days=1))
    with pytest.raises(ValidationFailed, match="chair must be one of the members") as chair:
        schedule(gw, [project], members=("mem2", "mem3", "mem4"))
    assert chair.value.field == "chair_id"
    with pytest.raises(ValidationFailed, match=f"{elsewhere.project_no} has no approval in progress"):
        schedule(gw, [project, elsewhere])
    with pytest.raises(ValidationFailed, match="at least one project"):
        schedule(gw, [])
    schedule(gw, [project], meeting_date=TODAY + dt.timedelta(days=7))
    with pytest.raises(Conflict, match="already on the agenda of '第12次审保会'"):
        schedule(gw, [project])
    with pytest.raises(PermissionDenied, match="guarantee:meeting:manage"):
        with gw.acting("mgr") as (s, a):
            meetings.schedule_meeting(s, a, meeting_date=TODAY, chair_id=uid(gw, "mem1"),
                                      member_ids=[uid(gw, "mem1")], project_ids=[project.id])


def test_opening_checks_the_members_role_and_the_secretary(gw, at_committee):
    project = at_committee()
    meeting_id = schedule(gw, [project], members=("mem1", "mem2", "risk"))
    with gw.acting("legal") as (s, a), pytest.raises(ValidationFailed, match="do not hold the role"):
        meetings.open_meeting(s, a, meeting_id)
    with gw.acting("admin") as (s, a), pytest.raises(PermissionDenied, match="not yours"):
        meetings.open_meeting(s, a, meeting_id)
    with gw.acting("viewer") as (s, a), pytest.raises(PermissionDenied, match="guarantee:meeting:read"):
        meetings.meeting_view(s, a, meeting_id)
    with gw.acting("legal") as (s, a), pytest.raises(NotFound):
        meetings.meeting_view(s, a, project.id)
