"""Approval conditions (审保会决议的附加条件, project/conditions.py): recorded from a committee resolution approved with
conditions, corrected by the secretary, met with evidence, waived only by the approver with a reason, all audited;
a counter-guarantee a condition requires may be added after approval while it is open; loan confirmation is refused
with the open conditions listed until every one is met or waived."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select, update

from surety.core.attachments import service as attachments
from surety.core.audit.models import AuditRecord
from surety.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from surety.core.i18n import render_error
from surety.core.workflow import actions, engine
from surety.core.workflow.definitions import publish, save_draft
from surety.core.workflow.models import WorkflowTask
from surety.plugins.guarantee.documents import meetings
from surety.plugins.guarantee.finance.loans import confirm_loan
from surety.plugins.guarantee.project import conditions
from surety.plugins.guarantee.project.conditions import GuaranteeApprovalCondition
from surety.plugins.guarantee.project.models import GuaranteeProject
from surety.plugins.guarantee.risk.counter_guarantees import add_counter_guarantee, update_counter_guarantee
from surety.plugins.guarantee.testing import committee_definition, make_bank, make_project

COMMITTEE = committee_definition("guarantee.committee_conditions")
MEMBERS = ("mem1", "mem2", "mem3", "mem4", "mem5")
SPOUSE = "追加借款人配偶连带责任保证"
AUDIT = "补充提供近三年审计报告"
LOAN = dict(loan_contract_no="JK-2026-0100", loan_amount="5000000.00", start_date=engine.business_today(),
            end_date=engine.business_today().replace(year=engine.business_today().year + 1), rate="0.0435")


def _vote(gw, member, project, choice, comment=None):
    with gw.acting(member) as (s, a):
        task = s.scalar(select(WorkflowTask).where(
            WorkflowTask.instance_id == project.workflow_instance_id, WorkflowTask.assignee_id == a.id_uuid,
            WorkflowTask.kind == "vote", WorkflowTask.status == "open"))
        actions.act(s, a, task.id, "vote", vote=choice, comment=comment)


@pytest.fixture
def approved(gw):
    """A project the committee approved with two conditions (the spouse's guarantee; audited statements), and the
    meeting's id."""
    with gw.acting("admin") as (s, a):
        publish(s, a, COMMITTEE["key"], save_draft(s, a, COMMITTEE).version)
    with gw.acting("mgr") as (s, a):
        bank, _ = make_bank(s)
        project = make_project(s, a, gw.customers["corp"], bank=bank, amount="6000000.00", status="in_approval")
        project.workflow_instance_id = engine.start(s, a, definition_key=COMMITTEE["key"],
                                                    subject_type="guarantee:project", subject_id=str(project.id)).id
    with gw.acting("legal") as (s, a):
        meeting = meetings.schedule_meeting(
            s, a, meeting_date=engine.business_today(), chair_id=gw.actors["mem1"].id_uuid,
            member_ids=[gw.actors[m].id_uuid for m in MEMBERS], project_ids=[project.id])
        meetings.open_meeting(s, a, meeting.id)
    for m in ("mem1", "mem2"):
        _vote(gw, m, project, "approve")
    _vote(gw, "mem3", project, "approve_with_conditions", SPOUSE)
    _vote(gw, "mem4", project, "approve_with_conditions", f"  {AUDIT} ")
    _vote(gw, "mem5", project, "approve_with_conditions", SPOUSE)  # the same condition once
    return project, meeting.id


def _rows(gw, project):
    with gw.session() as s:
        return list(s.scalars(select(GuaranteeApprovalCondition).where(
            GuaranteeApprovalCondition.project_id == project.id).order_by(GuaranteeApprovalCondition.position)))


def _status(gw, project, status):
    with gw.session() as s:
        s.execute(update(GuaranteeProject).where(GuaranteeProject.id == project.id).values(status=status))


def _evidence(gw, project, name="配偶保证合同.txt"):
    with gw.acting("mgr") as (s, a):
        return attachments.upload(s, a, "guarantee:project", str(project.id), name, "配偶已签署保证合同".encode()).id


def test_resolution_conditions_become_open_conditions(gw, approved):
    project, meeting_id = approved
    rows = _rows(gw, project)
    assert [(r.text, r.kind, r.status, r.source) for r in rows] == [
        (SPOUSE, "add_guarantor", "open", "vote"), (AUDIT, "document", "open", "vote")]
    assert rows[0].proposed_by == gw.actors["mem3"].id_uuid and rows[1].proposed_by == gw.actors["mem4"].id_uuid
    with gw.session() as s:
        assert s.get(GuaranteeProject, (gw.tenant.id, project.id)).status == "approved"
        assert {r.step_run_id for r in rows} == {s.scalar(select(meetings.GuaranteeMeetingItem.step_run_id).where(
            meetings.GuaranteeMeetingItem.meeting_id == meeting_id))}
        recorded = list(s.scalars(select(AuditRecord).where(AuditRecord.action == "guarantee.condition.recorded")))
        assert sorted(r.after["text"] for r in recorded) == sorted([SPOUSE, AUDIT])
        # Recording again (another step entered, the decision event again) adds nothing.
        assert conditions.record_from_resolutions(s, s.get(GuaranteeProject, (gw.tenant.id, project.id))) == []
    with gw.acting("mem2") as (s, a):  # a member reads the meeting
        item = meetings.meeting_view(s, a, meeting_id).items[0]
        assert item.result == "approved_with_conditions" and item.step_run_id == rows[0].step_run_id
    with gw.acting("mgr") as (s, a):
        assert [c.text for c in conditions.list_conditions(s, a, project.id)] == [SPOUSE, AUDIT]


def test_kind_from_text():
    assert conditions.kind_of("追加房产抵押") == "add_counter_guarantee"
    assert conditions.kind_of("实际控制人提供连带责任保证") == "add_guarantor"
    assert conditions.kind_of("补充营业执照复印件等资料") == "document"
    assert conditions.kind_of("放款前落实销售回款账户监管") == "other"


def test_secretary_adds_and_corrects(gw, approved):
    project, _ = approved
    with gw.acting("mgr") as (s, a), pytest.raises(PermissionDenied):
        conditions.add_condition(s, a, project.id, text="追加房产抵押", kind="add_counter_guarantee")
    with gw.acting("legal") as (s, a):
        added = conditions.add_condition(s, a, project.id, text=" 追加房产抵押 ", kind="add_counter_guarantee")
        assert (added.text, added.source, added.status, added.position) == ("追加房产抵押", "secretary", "open", 3)
        for bad, field in ((dict(text=" ", kind="other"), "text"), (dict(text="x", kind="抵押"), "kind")):
            with pytest.raises(ValidationFailed) as err:
                conditions.add_condition(s, a, project.id, **bad)
            assert err.value.field == field
        first = _rows(gw, project)[1]
        fixed = conditions.update_condition(s, a, first.id, kind="other")
        assert fixed.kind == "other"
        record = s.scalars(select(AuditRecord).where(AuditRecord.action == "guarantee.condition.updated")).one()
        assert (record.before["kind"], record.after["kind"]) == ("document", "other")
    # A project without an approving committee resolution has no conditions to record.
    with gw.acting("mgr") as (s, a):
        plain = make_project(s, a, gw.customers["corp"], status="approved")
    with gw.acting("legal") as (s, a), pytest.raises(Conflict, match="no approving resolution") as none:
        conditions.add_condition(s, a, plain.id, text="追加抵押", kind="add_counter_guarantee")
    assert render_error(none.value, "zh_CN") == f"项目 {plain.project_no} 尚无审保会通过的决议，不能登记附加条件。"


def test_meet_with_evidence_and_waive_by_the_approver(gw, approved):
    project, _ = approved
    spouse, statements = _rows(gw, project)
    proof = _evidence(gw, project)
    with gw.acting("mgr") as (s, a):
        other = make_project(s, a, gw.customers["corp"], status="approved")
        elsewhere = attachments.upload(s, a, "guarantee:project", str(other.id), "x.txt", b"other project").id
    with gw.acting("mgr") as (s, a):
        with pytest.raises(ValidationFailed, match="needs evidence") as none:
            conditions.meet_condition(s, a, spouse.id, attachment_ids=[], note="")
        assert none.value.field == "attachment_ids" and "证明材料" in render_error(none.value, "zh_CN")
        with pytest.raises(NotFound, match="not attachments of this project") as foreign:
            conditions.meet_condition(s, a, spouse.id, attachment_ids=[elsewhere])
        assert render_error(foreign.value, "zh_CN").startswith("1 份证明材料不是本项目的附件")
        with pytest.raises(NotFound):
            conditions.meet_condition(s, a, uuid.uuid4(), attachment_ids=[proof])
        met = conditions.meet_condition(s, a, spouse.id, attachment_ids=[proof, str(proof)], note="配偶已签保证合同")
        assert (met.status, met.evidence_attachment_ids, met.evidence_note) == ("met", [str(proof)], "配偶已签保证合同")
        assert met.met_by == a.id_uuid and met.met_at is not None
        with pytest.raises(Conflict, match="met already") as again:
            conditions.meet_condition(s, a, spouse.id, attachment_ids=[proof])
        assert render_error(again.value, "zh_CN") == "该附加条件已落实，不能再更改。"
        # Only the approver waives.
        with pytest.raises(PermissionDenied):
            conditions.waive_condition(s, a, statements.id, reason="客户为老客户")
    for who in ("fin", "legal", "risk", "mem1"):
        with gw.acting(who) as (s, a), pytest.raises(PermissionDenied):
            conditions.waive_condition(s, a, statements.id, reason="客户为老客户")
    with gw.acting("boss") as (s, a):
        with pytest.raises(ValidationFailed, match="needs a reason") as no_reason:
            conditions.waive_condition(s, a, statements.id, reason="  ")
        assert no_reason.value.field == "reason" and render_error(no_reason.value, "zh_CN") == "豁免附加条件须说明理由。"
        waived = conditions.waive_condition(s, a, statements.id, reason="已取得上年度审计报告，可免于补充")
        assert (waived.status, waived.waived_by, waived.waive_reason) == (
            "waived", a.id_uuid, "已取得上年度审计报告，可免于补充")
    with gw.session() as s:
        trail = {r.action: r for r in s.scalars(select(AuditRecord).where(
            AuditRecord.action.in_(["guarantee.condition.met", "guarantee.condition.waived"])))}
        assert trail["guarantee.condition.met"].before["status"] == "open"
        assert trail["guarantee.condition.met"].after["evidence_attachment_ids"] == [str(proof)]
        assert trail["guarantee.condition.waived"].after["waive_reason"] == "已取得上年度审计报告，可免于补充"
        assert trail["guarantee.condition.waived"].actor_id == str(gw.actors["boss"].id)


def test_loan_confirmation_waits_for_every_condition(gw, approved):
    project, _ = approved
    spouse, statements = _rows(gw, project)
    _status(gw, project, "contracted")
    with gw.acting("fin") as (s, a), pytest.raises(Conflict) as refused:
        confirm_loan(s, a, project.id, **LOAN)
    assert refused.value.code == "GUARANTEE_CONDITIONS_OPEN" and refused.value.field == "project_id"
    zh = render_error(refused.value, "zh_CN")
    assert f"项目 {project.project_no} 尚有 2 项审保会附加条件未落实" in zh and "方可生效（放款确认或开立保函）" in zh
    assert f"1. {SPOUSE}（追加保证人）" in zh and f"2. {AUDIT}（补充资料）" in zh
    assert f"Project {project.project_no} has 2 open condition(s)" in refused.value.message
    assert f"1. {SPOUSE}（追加保证人）" in refused.value.message
    assert refused.value.details["conditions"] == [str(spouse.id), str(statements.id)]

    proof = _evidence(gw, project)
    with gw.acting("mgr") as (s, a):
        conditions.meet_condition(s, a, spouse.id, attachment_ids=[proof], note="已签")
    with gw.acting("fin") as (s, a), pytest.raises(Conflict) as still:
        confirm_loan(s, a, project.id, **LOAN)
    assert "尚有 1 项" in render_error(still.value, "zh_CN") and SPOUSE not in still.value.message
    with gw.acting("boss") as (s, a):
        conditions.waive_condition(s, a, statements.id, reason="上年度审计报告已在档")
    with gw.acting("fin") as (s, a):
        assert confirm_loan(s, a, project.id, **LOAN).status == "effective"
    # Nothing changes once the loan is confirmed.
    with gw.acting("legal") as (s, a), pytest.raises(Conflict, match="before the loan is confirmed") as late:
        conditions.add_condition(s, a, project.id, text="追加抵押", kind="add_counter_guarantee")
    assert "（放款确认前）时登记和落实" in render_error(late.value, "zh_CN")


def test_counter_guarantee_added_while_a_condition_requires_it(gw, approved):
    project, _ = approved
    spouse, statements = _rows(gw, project)
    pledge = {"kind": "pledge", "collateral": {"pledged_item": "应收账款"}}
    third_party = {"kind": "third_party", "owner_name": "李四", "collateral": {"relation": "配偶"}}
    with gw.acting("mgr") as (s, a):
        # add_guarantor allows a third-party guarantee only; nothing allows a pledge.
        with pytest.raises(Conflict, match="requiring it is open"):
            add_counter_guarantee(s, a, project.id, pledge)
        row = add_counter_guarantee(s, a, project.id, third_party)
        record = s.scalars(select(AuditRecord).where(AuditRecord.action == "guarantee.counter_guarantee.add")).one()
        assert record.after["condition_id"] == str(spouse.id)
        # Changing counter-guarantees stays locked after approval.
        with pytest.raises(Conflict):
            update_counter_guarantee(s, a, row.id, {"description": "改"})
    with gw.acting("legal") as (s, a):
        conditions.update_condition(s, a, statements.id, kind="add_counter_guarantee")
    with gw.acting("mgr") as (s, a):
        assert add_counter_guarantee(s, a, project.id, pledge).kind == "pledge"
    proof = _evidence(gw, project)
    with gw.acting("mgr") as (s, a):
        conditions.meet_condition(s, a, spouse.id, attachment_ids=[proof])
    with gw.acting("boss") as (s, a):
        conditions.waive_condition(s, a, statements.id, reason="已追加质押")
    with gw.acting("mgr") as (s, a), pytest.raises(Conflict):  # no open condition: locked again
        add_counter_guarantee(s, a, project.id, third_party)
