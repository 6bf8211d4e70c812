"""End-to-end flows through the engine's services (no HTTP): a three-level approval, a green channel, countersigns,
a committee with recusal and veto, return and resubmission, withdrawal, idempotent actions."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from surety.core.audit.models import AuditRecord
from surety.core.context import ACTOR_SYSTEM, acting
from surety.core.errors import Conflict, PermissionDenied, ValidationFailed
from surety.core.events_models import OutboxEvent
from surety.core.notifications.models import Notification
from surety.core.workflow import engine
from surety.core.workflow.actions import act, withdraw
from surety.core.workflow.models import WorkflowEvent, WorkflowInstance, WorkflowStepRun

THREE_LEVEL = {
    "key": "test.three_level",
    "name": "Three-level approval",
    "subject_type": "test:thing",
    "start": "accept",
    "steps": [
        {"key": "accept", "name": "Acceptance", "kind": "task",
         "assignee": {"role": "customer_manager", "org_unit": "subject"}, "transitions": [{"to": "risk"}]},
        {"key": "risk", "name": "Risk review", "kind": "task", "assignee": {"role": "risk_officer"},
         "transitions": [{"to": "committee", "when": "amount > 5000000 or customer.grade in [\"B\", \"C\"]"},
                         {"to": "head"}]},
        {"key": "committee", "name": "Committee", "kind": "task", "assignee": {"role": "executive"},
         "transitions": [{"to": "head"}]},
        {"key": "head", "name": "Department head", "kind": "task",
         "assignee": {"role": "department_head", "org_unit": "subject"}, "transitions": [{"to": "approved"}]},
        {"key": "approved", "name": "Approved", "kind": "end", "result": "approved"},
    ],
}


def countersign(mode: str, required: int = 1) -> dict:
    return {
        "key": f"test.countersign_{mode}", "name": "Countersign", "subject_type": "test:thing", "start": "sign",
        "steps": [
            {"key": "sign", "name": "Sign", "kind": "countersign", "mode": mode, "required": required,
             "assignees": [{"user": "bob"}, {"user": "carol"}, {"user": "erin"}], "transitions": [{"to": "ok"}]},
            {"key": "ok", "name": "OK", "kind": "end", "result": "approved"},
        ],
    }


COMMITTEE = {
    "key": "test.committee", "name": "Committee", "subject_type": "test:thing", "start": "meeting",
    "steps": [
        {"key": "meeting", "name": "Review committee", "kind": "committee", "assignee": {"user": "sec"},
         "quorum": 4, "pass_ratio": "2/3", "chair_veto": True, "member_role": "committee_member",
         "transitions": [{"to": "ok"}]},
        {"key": "ok", "name": "OK", "kind": "end", "result": "approved"},
    ],
}


def subject(org, amount="1000000", unit="BJ", grade="A"):
    return {"amount": amount, "org_unit_id": str(org.units[unit]), "customer": {"grade": grade}}


def timeline(org, instance_id):
    with org.session() as s:
        return [(e.action, e.step_key) for e in s.scalars(
            select(WorkflowEvent).where(WorkflowEvent.instance_id == instance_id).order_by(WorkflowEvent.seq))]


def test_three_level_approval_routes_by_org_unit_and_ends_approved(org):
    org.publish(THREE_LEVEL)
    iid = org.start("alice", "test.three_level", "P-1", subject(org))
    assert org.act("alice", iid, "approve", comment="accepted") == ("running", "risk")
    assert org.act("bob", iid, "approve") == ("running", "head")
    # The head of the subject's branch (BJ) gets it, not the head of SH.
    with pytest.raises(AssertionError):
        org.task_for(iid, "dave")
    assert org.act("carol", iid, "approve", comment="fine") == ("approved", "approved")
    assert timeline(org, iid) == [("start", None), ("approve", "accept"), ("approve", "risk"),
                                  ("approve", "head"), ("end", "approved")]
    with org.session() as s:
        audited = [r.action for r in s.scalars(select(AuditRecord).where(
            AuditRecord.entity_id == str(iid)).order_by(AuditRecord.seq))]
        assert audited == ["workflow.start", "workflow.approve", "workflow.approve", "workflow.approve",
                           "workflow.end"]
        comment = s.scalar(select(AuditRecord.after).where(AuditRecord.entity_id == str(iid),
                                                           AuditRecord.action == "workflow.approve")
                           .order_by(AuditRecord.seq).limit(1))  # the first approval's
        assert comment["comment"] == "accepted"
        events = [e.event_type for e in s.scalars(select(OutboxEvent).order_by(OutboxEvent.id))
                  if e.payload.get("instance_id") == str(iid)]
        assert events[0] == "WorkflowInstanceStarted" and events[-1] == "WorkflowInstanceEnded"
        decided = s.scalar(select(Notification).where(Notification.user_id == org.id("alice"),
                                                      Notification.kind == "instance_decided"))
        assert decided is not None and "已通过" in decided.title


@pytest.mark.parametrize("amount,grade,via_committee", [
    ("1000000", "A", False), ("5000000", "A", False), ("5000000.01", "A", True), ("10", "C", True)])
def test_condition_routes_to_committee_or_green_channel(org, amount, grade, via_committee):
    org.publish(THREE_LEVEL)
    iid = org.start("alice", "test.three_level", f"P-{amount}-{grade}", subject(org, amount, grade=grade))
    org.act("alice", iid, "approve")
    assert org.act("bob", iid, "approve")[1] == ("committee" if via_committee else "head")


def test_reject_without_route_ends_rejected_and_needs_a_reason(org):
    org.publish(THREE_LEVEL)
    iid = org.start("alice", "test.three_level", "P-2", subject(org))
    org.act("alice", iid, "approve")
    with pytest.raises(ValidationFailed, match="why"):
        org.act("bob", iid, "reject")
    assert org.act("bob", iid, "reject", comment="too risky") == ("rejected", "risk")
    assert org.open_tasks(iid) == []


def test_countersign_n_of_m(org):
    org.publish(countersign("n_of_m", required=2))
    iid = org.start("alice", "test.countersign_n_of_m", "C-1", subject(org))
    assert len(org.open_tasks(iid)) == 3
    assert org.act("bob", iid, "approve")[0] == "running"
    assert org.act("carol", iid, "reject", comment="no")[0] == "running"  # 1 of 2 still possible
    assert org.act("erin", iid, "approve")[0] == "approved"


def test_countersign_all_fails_on_one_rejection_and_any_passes_on_one_approval(org):
    org.publish(countersign("all"))
    org.publish(countersign("any"))
    iid = org.start("alice", "test.countersign_all", "C-2", subject(org))
    org.act("bob", iid, "approve")
    assert org.act("carol", iid, "reject", comment="no")[0] == "rejected"
    assert org.open_tasks(iid) == []  # erin's task was cancelled
    iid = org.start("alice", "test.countersign_any", "C-3", subject(org))
    assert org.act("erin", iid, "approve")[0] == "approved"
    assert org.open_tasks(iid) == []


def test_add_signer_makes_both_sign(org):
    org.publish(THREE_LEVEL)
    iid = org.start("alice", "test.three_level", "P-3", subject(org))
    org.act("alice", iid, "approve")
    org.act("bob", iid, "add_signer", to_user=org.id("erin"), comment="please co-sign")
    assert org.act("bob", iid, "approve") == ("running", "risk")  # erin has not signed yet
    assert org.act("erin", iid, "approve") == ("running", "head")


def test_transfer_moves_the_task(org):
    org.publish(THREE_LEVEL)
    iid = org.start("alice", "test.three_level", "P-4", subject(org))
    org.act("alice", iid, "approve")
    org.act("bob", iid, "transfer", to_user=org.id("erin"), comment="on leave")
    with pytest.raises(AssertionError):
        org.task_for(iid, "bob")
    assert org.act("erin", iid, "approve")[1] == "head"


def _meeting(org, key_suffix):
    org.publish(COMMITTEE)
    iid = org.start("alice", "test.committee", f"M-{key_suffix}", subject(org))
    members = [org.id(m) for m in ("mem1", "mem2", "mem3", "mem4", "mem5")]
    org.act("sec", iid, "convene", members=members, chair=org.id("mem1"))
    return iid


def _run(org, iid):
    with org.session() as s:
        return s.scalar(select(WorkflowStepRun).where(WorkflowStepRun.instance_id == iid))


def test_committee_with_recusal_passes_with_conditions(org):
    iid = _meeting(org, "pass")
    org.act("mem5", iid, "vote", vote="recuse", comment="related to the borrower")
    org.act("mem2", iid, "vote", vote="approve")
    org.act("mem3", iid, "vote", vote="reject", comment="weak collateral")
    org.act("mem4", iid, "vote", vote="approve_with_conditions", comment="add a mortgage")
    assert org.act("mem1", iid, "vote", vote="approve")[0] == "approved"  # 3 of 4 eligible >= 2/3
    resolution = _run(org, iid).resolution
    assert (resolution["result"], resolution["eligible"], resolution["approvals"], resolution["recusals"]) == (
        "approved_with_conditions", 4, 3, 1)
    assert resolution["conditions"] == ["add a mortgage"]
    assert org.instance(iid).variables["conditions"] == ["add a mortgage"]


def test_committee_chair_veto_rejects(org):
    iid = _meeting(org, "veto")
    for m in ("mem2", "mem3", "mem4", "mem5"):
        org.act(m, iid, "vote", vote="approve")
    assert org.act("mem1", iid, "vote", vote="reject", comment="veto")[0] == "rejected"
    assert _run(org, iid).resolution["vetoed"] is True


def test_committee_without_quorum_is_convened_again(org):
    iid = _meeting(org, "quorum")
    org.act("mem4", iid, "vote", vote="recuse", comment="conflict")
    org.act("mem5", iid, "vote", vote="recuse", comment="conflict")
    for m in ("mem1", "mem2", "mem3"):
        org.act(m, iid, "vote", vote="approve")
    assert org.instance(iid).status == "running"
    assert org.task_for(iid, "sec").kind == "convene"
    assert _run(org, iid).resolution["history"][0]["result"] == "no_quorum"


def test_committee_convening_is_checked(org):
    org.publish(COMMITTEE)
    iid = org.start("alice", "test.committee", "M-bad", subject(org))
    with pytest.raises(ValidationFailed, match="quorum"):
        org.act("sec", iid, "convene", members=[org.id("mem1"), org.id("mem2")])
    with pytest.raises(ValidationFailed, match="committee_member"):
        org.act("sec", iid, "convene", members=[org.id(m) for m in ("mem1", "mem2", "mem3", "bob")])
    with pytest.raises(ValidationFailed, match="chair"):
        org.act("sec", iid, "convene", members=[org.id(m) for m in ("mem1", "mem2", "mem3", "mem4")],
                chair=org.id("mem5"))
    with pytest.raises(ValidationFailed, match="conditions"):
        org.act("sec", iid, "convene", members=[org.id(m) for m in ("mem1", "mem2", "mem3", "mem4")])
        org.act("mem1", iid, "vote", vote="approve_with_conditions")


def test_return_and_resubmission(org):
    org.publish(THREE_LEVEL)
    iid = org.start("alice", "test.three_level", "P-5", subject(org))
    org.act("alice", iid, "approve")
    org.act("bob", iid, "approve")
    with pytest.raises(ValidationFailed, match="not passed|earlier"):
        org.act("carol", iid, "return", to_step="committee", comment="x")
    assert org.act("carol", iid, "return", to_step="accept", comment="missing documents") == ("running", "accept")
    with org.session() as s:
        assert s.scalar(select(Notification.kind).where(Notification.user_id == org.id("alice"),
                                                        Notification.kind == "task_returned")) == "task_returned"
    org.act("alice", iid, "approve", comment="documents added")
    org.act("bob", iid, "approve")
    assert org.act("carol", iid, "approve") == ("approved", "approved")
    actions = [a for a, _ in timeline(org, iid)]
    assert actions == ["start", "approve", "approve", "return", "approve", "approve", "approve", "end"]


def test_withdrawal_by_the_initiator_only(org):
    org.publish(THREE_LEVEL)
    iid = org.start("alice", "test.three_level", "P-6", subject(org))
    org.act("alice", iid, "approve")
    with org.session() as s, pytest.raises(PermissionDenied):
        withdraw(s, org.actor("bob"), iid, comment="not mine")
    with org.session() as s, acting(org.actor("alice")):
        assert withdraw(s, org.actor("alice"), iid, comment="customer withdrew").status == "withdrawn"
    assert org.open_tasks(iid) == []
    with org.session() as s, pytest.raises(Conflict):
        withdraw(s, org.actor("alice"), iid)
    assert [a for a, _ in timeline(org, iid)][-2:] == ["withdraw", "end"]


def test_wrong_person_and_closed_task_are_refused(org):
    org.publish(THREE_LEVEL)
    iid = org.start("alice", "test.three_level", "P-7", subject(org))
    task = org.task_for(iid, "alice")

    with org.session() as s, pytest.raises(PermissionDenied, match="not yours"):
        act(s, org.actor("bob"), task.id, "approve")
    org.act("alice", iid, "approve")
    with org.session() as s, pytest.raises(Conflict, match="no longer open"):
        act(s, org.actor("alice"), task.id, "approve")


def test_client_key_makes_an_action_take_effect_once(org):
    org.publish(THREE_LEVEL)
    iid = org.start("alice", "test.three_level", "P-8", subject(org), client_key="start-P-8")
    assert org.start("alice", "test.three_level", "P-8", subject(org), client_key="start-P-8") == iid
    task = org.task_for(iid, "alice")
    for _ in range(2):
        with org.session() as s:
            assert act(s, org.actor("alice"), task.id, "approve", client_key="k-approve-1").current_step == "risk"
    assert [a for a, _ in timeline(org, iid)] == ["start", "approve"]
    with org.session() as s, pytest.raises(Conflict, match="client key"):
        act(s, org.actor("bob"), org.task_for(iid, "bob").id, "approve", client_key="start-P-8")


def _seqs(org, iid):
    with org.session() as s:
        seqs = list(s.scalars(select(WorkflowEvent.seq).where(WorkflowEvent.instance_id == iid)
                              .order_by(WorkflowEvent.seq)))
        return seqs, s.scalar(select(WorkflowInstance.last_seq).where(WorkflowInstance.id == iid))


def test_the_timeline_stays_numbered_without_gaps_when_an_action_is_replayed_or_refused(org):
    """An action takes its timeline number with the instance's lock; a replayed action (its client key already
    used) and a refused one give it back, so the entries stay 1..n and ``last_seq`` is n."""
    org.publish(THREE_LEVEL)
    iid = org.start("alice", "test.three_level", "P-11", subject(org))
    task = org.task_for(iid, "alice")
    with org.session() as s:
        act(s, org.actor("alice"), task.id, "approve", client_key="k-seq-1")
    assert _seqs(org, iid) == ([1, 2], 2)
    with org.session() as s:  # replayed: nothing recorded, and the number taken with the lock is given back
        act(s, org.actor("alice"), task.id, "approve", client_key="k-seq-1")
    assert _seqs(org, iid) == ([1, 2], 2)
    with org.session() as s, pytest.raises(PermissionDenied):  # refused: rolled back with the transaction
        act(s, org.actor("alice"), org.task_for(iid, "bob").id, "approve")
    assert _seqs(org, iid) == ([1, 2], 2)
    org.act("bob", iid, "approve")
    seqs, last = _seqs(org, iid)
    assert seqs == list(range(1, len(seqs) + 1)) and last == len(seqs) >= 3


def test_a_second_running_instance_for_one_subject_is_refused(org):
    org.publish(THREE_LEVEL)
    org.start("alice", "test.three_level", "P-9", subject(org))
    with pytest.raises(Conflict, match="already has a running instance"):
        org.start("alice", "test.three_level", "P-9", subject(org))


def test_running_instances_keep_their_version(org):
    first = org.publish(THREE_LEVEL)
    iid = org.start("alice", "test.three_level", "P-10", subject(org, amount="1"))
    green = {"to": "approved", "when": "amount < 100"}  # version 2: small amounts end after acceptance
    changed = {**THREE_LEVEL, "steps": [
        {**THREE_LEVEL["steps"][0], "transitions": [green, {"to": "risk"}]}, *THREE_LEVEL["steps"][1:]]}
    second = org.publish(changed)
    assert (first.version, second.version) == (1, 2)
    assert org.act("alice", iid, "approve")[1] == "risk"  # still version 1
    new = org.start("alice", "test.three_level", "P-11", subject(org, amount="1"))
    assert org.act("alice", new, "approve") == ("approved", "approved")
    assert (org.instance(iid).definition_version, org.instance(new).definition_version) == (1, 2)


def test_plugin_code_starts_a_process_as_the_system(org):
    org.publish(THREE_LEVEL)
    with org.session() as s:
        instance = engine.start_as_system(s, "test.scanner", definition_key="test.three_level",
                                          subject_type="test:thing", subject_id="P-S", subject=subject(org))
        iid = instance.id
    with org.session() as s:
        row = s.scalars(select(WorkflowInstance).where(WorkflowInstance.id == iid)).one()
        assert (row.initiator_id, row.subject["initiator_id"], row.current_step) == (None, None, "accept")
        start = s.scalars(select(WorkflowEvent).where(WorkflowEvent.instance_id == iid)
                          .order_by(WorkflowEvent.seq)).first()
        assert (start.action, start.actor_type, start.actor_id) == ("start", ACTOR_SYSTEM, "test.scanner")
    assert org.act("alice", iid, "approve") == ("running", "risk")
    with org.session() as s, pytest.raises(Conflict, match="already has a running instance"):
        engine.start_as_system(s, "test.scanner", definition_key="test.three_level", subject_type="test:thing",
                               subject_id="P-S", subject=subject(org))
