"""Compensation (代偿) and recovery (追偿): claim -> approval instance (risk officer's review, executive's approval)
-> payment (in-force balance, credit line, receivable, event) -> recovery actions -> loss write-off through its own
approval instance; rejections, withdrawals, stale instances, dedicated permissions, exact figures, typed refusals,
and the GraphQL fields."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from sqlalchemy import select
from strawberry import relay

from surety.core.audit.models import AuditRecord
from surety.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from surety.core.events_models import OutboxEvent
from surety.core.i18n import render_error
from surety.core.identity.models import User
from surety.core.identity.org import create_org_unit
from surety.core.identity.service import create_user
from surety.core.testing import TEST_PASSWORD
from surety.core.workflow.actions import act, withdraw
from surety.core.workflow.engine import WorkflowInstanceEnded
from surety.core.workflow.models import WorkflowEvent, WorkflowInstance, WorkflowTask, WorkflowTaskCandidate
from surety.plugins.customers.testing import actor_for
from surety.plugins.guarantee.compensation import claims as comp
from surety.plugins.guarantee.compensation.models import GuaranteeCompensation, GuaranteeCompensationReceivable
from surety.plugins.guarantee.finance import banks
from surety.plugins.guarantee.plugin import surety_workflow_subject as subject
from surety.plugins.guarantee.project.models import GuaranteeCreditLine, GuaranteeProject
from surety.plugins.guarantee.release import releases as rel
from surety.plugins.guarantee.testing import make_bank, make_project

D = dt.date


def _effective(s, a, gw, *, balance="2000000.00", reserve=True, share="0"):
    """An effective project on a fresh bank line whose risk-share ratio is ``share`` (0: the company pays claims in
    full, so the flow's figures stay simple; test_components.py covers the share)."""
    bank, line = make_bank(s, risk_share_ratio=share)
    p = make_project(s, a, gw.customers["corp"], bank=bank, amount="3000000.00", status="effective",
                     in_force_balance=Decimal(balance), effective_date=D(2026, 1, 10))
    if reserve:
        banks.reserve(s, p)  # as the approval's credit-line check does
    return p, line


def _events(s, name):
    return [e.payload for e in s.scalars(select(OutboxEvent).where(OutboxEvent.event_type == name)
                                          .order_by(OutboxEvent.occurred_at))]


def _row(gw, model, row_id):
    with gw.session() as s:
        return s.scalars(select(model).where(model.id == row_id)).one()


def instance(gw, instance_id) -> WorkflowInstance:
    return _row(gw, WorkflowInstance, instance_id)


def do(gw, user, instance_id, action="approve", **kw) -> tuple[str, str]:
    """``user`` acts on the open task of the instance that they may take; the instance's (step, status) after."""
    with gw.acting(user) as (s, a):
        tasks = s.scalars(select(WorkflowTask).where(WorkflowTask.instance_id == instance_id,
                                                     WorkflowTask.status == "open")
                          .order_by(WorkflowTask.created_at)).all()
        mine = [t for t in tasks if t.assignee_id in (None, a.id_uuid)]
        act(s, a, (mine or tasks)[0].id, action, **kw)
    inst = instance(gw, instance_id)
    return inst.current_step, inst.status


def claimed(gw, p, amount="500000", day=D(2026, 6, 1), who="fin") -> GuaranteeCompensation:
    with gw.acting(who) as (s, a):
        return comp.claim(s, a, p.id, amount=amount, claim_date=day)


def approved(gw, p, amount="500000", day=D(2026, 6, 1)) -> GuaranteeCompensation:
    """A claim approved through the engine (risk officer, then the executive)."""
    c = claimed(gw, p, amount, day)
    do(gw, "risk", c.workflow_instance_id)
    do(gw, "boss", c.workflow_instance_id)
    return c


def paid(gw, p, amount="500000", day=D(2026, 6, 2)) -> uuid.UUID:
    c = approved(gw, p, amount)
    with gw.acting("fin") as (s, a):
        return comp.pay(s, a, c.id, amount=amount, paid_on=day).id


def proposed(gw, rid, reason="借款人破产清算完毕", who="risk") -> GuaranteeCompensationReceivable:
    with gw.acting(who) as (s, a):
        return comp.propose_write_off(s, a, rid, reason=reason)


# ---------------------------------------------------------------- the claim's approval ------------------------------


def test_claim_approved_through_the_engine_then_paid_and_recovered(gw):
    with gw.acting("fin") as (s, a):
        p, line = _effective(s, a, gw)
        c = comp.claim(s, a, p.id, amount="1234567.89", claim_date=D(2026, 6, 1), notes=" 银行 代偿通知 ")
        assert (c.status, c.claimed_amount, c.notes) == ("claimed", Decimal("1234567.89"), "银行 代偿通知")
        with pytest.raises(Conflict) as twice:
            comp.claim(s, a, p.id, amount="1", claim_date=D(2026, 6, 2))
        assert twice.value.field == "project_id"
    inst = instance(gw, c.workflow_instance_id)
    assert (inst.definition_key, inst.subject_type, inst.subject_id, inst.current_step, inst.status) == (
        "guarantee.compensation", "guarantee:compensation", str(c.id), "review", "running")
    assert inst.subject["amount"] == "1234567.89" and inst.subject["project_no"] == p.project_no
    with pytest.raises(PermissionDenied):  # the review is the risk officer's
        do(gw, "boss", c.workflow_instance_id)
    assert do(gw, "risk", c.workflow_instance_id, comment="材料齐全") == ("approval", "running")
    assert _row(gw, GuaranteeCompensation, c.id).status == "claimed"
    with gw.acting("fin") as (s, a), pytest.raises(Conflict):  # not approved yet
        comp.pay(s, a, c.id, amount="1234567.89", paid_on=D(2026, 6, 5))
    with pytest.raises(PermissionDenied):  # the approval is the executive's
        do(gw, "risk", c.workflow_instance_id)
    assert do(gw, "boss", c.workflow_instance_id, comment="同意代偿") == ("approved", "approved")
    row = _row(gw, GuaranteeCompensation, c.id)
    assert (row.status, row.decided_by, row.decision_comment) == ("approved", gw.actors["boss"].id_uuid, "同意代偿")
    assert row.decided_at is not None

    for who in ("risk", "boss", "mgr"):  # only finance pays
        with gw.acting(who) as (s, a), pytest.raises(PermissionDenied):
            comp.pay(s, a, c.id, amount="1", paid_on=D(2026, 6, 5))
    with gw.acting("fin") as (s, a):
        with pytest.raises(ValidationFailed) as over:
            comp.pay(s, a, c.id, amount="1234567.90", paid_on=D(2026, 6, 5))
        assert over.value.field == "amount"
        with pytest.raises(ValidationFailed) as under:  # the payable amount, no less either
            comp.pay(s, a, c.id, amount="100", paid_on=D(2026, 6, 5))
        assert under.value.field == "amount"
        with pytest.raises(ValidationFailed) as early:
            comp.pay(s, a, c.id, amount="1234567.89", paid_on=D(2026, 5, 31))
        assert early.value.field == "paid_on"
        rid = comp.pay(s, a, c.id, amount="1234567.89", paid_on=D(2026, 6, 5)).id
    with gw.session() as s:
        project = s.scalars(select(GuaranteeProject).where(GuaranteeProject.id == p.id)).one()
        assert project.in_force_balance == Decimal("765432.11")
        assert s.scalars(select(GuaranteeCreditLine).where(GuaranteeCreditLine.id == line.id)).one().used == \
            Decimal("1765432.11")
        claim_row = s.scalars(select(GuaranteeCompensation).where(GuaranteeCompensation.id == c.id)).one()
        assert (claim_row.status, claim_row.paid_amount, claim_row.paid_on) == (
            "compensated", Decimal("1234567.89"), D(2026, 6, 5))
        assert _events(s, "GuaranteeCompensationPaid") == [{
            "project_id": str(p.id), "compensation_id": str(c.id), "receivable_id": str(rid),
            "bank_id": str(p.bank_id), "amount": "1234567.89", "paid_on": "2026-06-05",
            "in_force_balance": "765432.11", "claimed_amount": "1234567.89", "principal": "1234567.89",
            "interest": "0.00", "penalty": "0.00", "bank_share": "0.00", "project_status": "effective"}]
        audits = {r.action: r for r in s.scalars(select(AuditRecord).where(AuditRecord.entity_id == str(c.id)))}
        assert set(audits) == {"guarantee.compensation.claimed", "guarantee.compensation.decided",
                               "guarantee.compensation.paid"}
        assert audits["guarantee.compensation.decided"].after["result"] == "approved"

    with gw.acting("fin") as (s, a):
        comp.record_recovery(s, a, rid, kind="negotiation", notes="约谈借款人", action_date=D(2026, 6, 10))
        comp.record_recovery(s, a, rid, kind="collateral_disposal", notes="拍卖抵押房产", amount="1000000.10",
                             action_date=D(2026, 9, 1))
        bad = [(dict(kind="prayer", notes="x"), "kind"), (dict(kind="lawsuit"), "notes"),
               (dict(kind="lawsuit", amount="-1", notes="x"), "amount"),
               (dict(kind="lawsuit", amount="234567.80", notes="x"), "amount"),
               (dict(kind="lawsuit", amount="0.001", notes="x"), "amount"),
               (dict(kind="lawsuit", amount="1", notes="x", action_date=D(2026, 6, 1)), "action_date")]
        for kw, field in bad:
            with pytest.raises(ValidationFailed) as err:
                comp.record_recovery(s, a, rid, **kw)
            assert err.value.field == field, kw
        view = comp.compensation_of(s, a, p.id)
        assert view.totals() == {"paid": Decimal("1234567.89"), "recovered": Decimal("1000000.10"),
                                 "written_off": Decimal("0.00"), "outstanding": Decimal("234567.79")}
        assert [x.kind for x in view.receivables[0].actions] == ["negotiation", "collateral_disposal"]
        assert _events(s, "GuaranteeRecovered") == [{
            "project_id": str(p.id), "receivable_id": str(rid), "action_id": str(view.receivables[0].actions[1].id),
            "kind": "collateral_disposal", "amount": "1000000.10", "recovered_on": "2026-09-01",
            "outstanding": "234567.79"}]


def test_a_rejection_or_withdrawal_ends_the_claim_rejected(gw):
    with gw.acting("fin") as (s, a):
        p, _ = _effective(s, a, gw, reserve=False)
    c = claimed(gw, p)
    with pytest.raises(ValidationFailed):  # a rejection needs a comment
        do(gw, "risk", c.workflow_instance_id, "reject")
    assert do(gw, "risk", c.workflow_instance_id, "reject", comment="不属于保证责任范围") == ("rejected", "rejected")
    row = _row(gw, GuaranteeCompensation, c.id)
    assert (row.status, row.decided_by, row.decision_comment) == (
        "rejected", gw.actors["risk"].id_uuid, "不属于保证责任范围")
    with gw.acting("fin") as (s, a), pytest.raises(Conflict):
        comp.pay(s, a, c.id, amount="1", paid_on=D(2026, 6, 5))

    c2 = claimed(gw, p, day=D(2026, 7, 1))  # a rejected claim blocks nothing
    do(gw, "risk", c2.workflow_instance_id)
    assert do(gw, "boss", c2.workflow_instance_id, "reject", comment="先行追偿") == ("rejected", "rejected")
    assert _row(gw, GuaranteeCompensation, c2.id).status == "rejected"

    c3 = claimed(gw, p, day=D(2026, 7, 2), who="risk")  # the risk officer may record a claim too
    with gw.acting("risk") as (s, a):  # the one who started the instance takes it back
        withdraw(s, a, c3.workflow_instance_id, comment="银行撤回")
    row = _row(gw, GuaranteeCompensation, c3.id)
    assert (row.status, row.decision_comment) == ("rejected", "银行撤回")
    with gw.session() as s:
        results = {r.entity_id: r.after["result"] for r in s.scalars(
            select(AuditRecord).where(AuditRecord.action == "guarantee.compensation.decided"))}
    assert results == {str(c.id): "rejected", str(c2.id): "rejected", str(c3.id): "withdrawn"}
    with gw.acting("fin") as (s, a):
        assert [x.status for x in comp.compensation_of(s, a, p.id).claims] == ["rejected", "rejected", "rejected"]


def test_stale_or_foreign_instances_are_ignored(gw):
    with gw.acting("fin") as (s, a):
        p, _ = _effective(s, a, gw, reserve=False)
    c = claimed(gw, p)
    with gw.session() as s:
        for result in ("approved", "rejected"):
            comp.claim_ended(s, WorkflowInstanceEnded(
                instance_id=uuid.uuid4(), definition_key="guarantee.compensation",
                subject_type="guarantee:compensation", subject_id=str(c.id), result=result))
        comp.claim_ended(s, WorkflowInstanceEnded(
            instance_id=c.workflow_instance_id, definition_key="guarantee.compensation",
            subject_type="guarantee:compensation", subject_id="not-a-uuid", result="approved"))
        comp.claim_ended(s, WorkflowInstanceEnded(
            instance_id=c.workflow_instance_id, definition_key="guarantee.compensation",
            subject_type="guarantee:compensation", subject_id=str(uuid.uuid4()), result="approved"))
    assert _row(gw, GuaranteeCompensation, c.id).status == "claimed"
    do(gw, "risk", c.workflow_instance_id)
    do(gw, "boss", c.workflow_instance_id)
    with gw.session() as s:  # the claim's own instance again (a replay): the claim is no longer "claimed"
        comp.claim_ended(s, WorkflowInstanceEnded(
            instance_id=c.workflow_instance_id, definition_key="guarantee.compensation",
            subject_type="guarantee:compensation", subject_id=str(c.id), result="rejected"))
    assert _row(gw, GuaranteeCompensation, c.id).status == "approved"
    with gw.acting("fin") as (s, a):
        rid = comp.pay(s, a, c.id, amount="500000", paid_on=D(2026, 6, 2)).id
    rec = proposed(gw, rid)
    with gw.session() as s:  # another instance about the receivable: the pending proposal stays
        comp.write_off_ended(s, WorkflowInstanceEnded(
            instance_id=uuid.uuid4(), definition_key="guarantee.loss_write_off",
            subject_type="guarantee:compensation_receivable", subject_id=str(rid), result="approved"))
    row = _row(gw, GuaranteeCompensationReceivable, rid)
    assert (row.status, row.written_off, row.write_off_instance_id) == ("open", Decimal("0.00"),
                                                                        rec.write_off_instance_id)


def test_subject_fields_for_routing(gw):
    with gw.acting("fin") as (s, a):
        p, _ = _effective(s, a, gw)
    c = claimed(gw, p, amount="1234567.89")
    with gw.session() as s:
        fields = subject(s, "guarantee:compensation", str(c.id))
        assert subject(s, "guarantee:compensation", str(uuid.uuid4())) is None
        assert subject(s, "guarantee:compensation", "nonsense") is None
    assert fields["amount"] == Decimal("1234567.89") and fields["in_force_balance"] == Decimal("2000000.00")
    assert (fields["project_id"], fields["project_no"], fields["compensation_id"]) == (
        str(p.id), p.project_no, str(c.id))
    assert fields["org_unit_id"] == (str(p.org_unit_id) if p.org_unit_id else None)
    assert fields["claim_date"] == "2026-06-01" and fields["status"] == "claimed"
    assert (fields["principal"], fields["interest"], fields["penalty"], fields["bank_share"],
            fields["payable_amount"]) == (Decimal("1234567.89"), 0, 0, 0, Decimal("1234567.89"))
    do(gw, "risk", c.workflow_instance_id)
    do(gw, "boss", c.workflow_instance_id)
    with gw.acting("fin") as (s, a):
        rid = comp.pay(s, a, c.id, paid_on=D(2026, 6, 2)).id  # the payable amount by default
        comp.record_recovery(s, a, rid, kind="lawsuit", notes="判决", amount="0.11", action_date=D(2026, 6, 3))
    with gw.session() as s:
        rf = subject(s, "guarantee:compensation_receivable", str(rid))
    assert (rf["amount"], rf["paid"], rf["recovered"], rf["receivable_id"], rf["project_no"]) == (
        Decimal("1234567.78"), Decimal("1234567.89"), Decimal("0.11"), str(rid), p.project_no)
    assert rf["in_force_balance"] == Decimal("765432.11") and "org_unit_id" in rf


def test_permissions_and_claim_refusals(gw):
    with gw.acting("fin") as (s, a):
        p, _ = _effective(s, a, gw)
        for kw, field in [(dict(amount="0"), "amount"), (dict(amount="2000000.01"), "amount"),
                          (dict(amount=1.5), "amount"), (dict(amount="1", claim_date=D(2026, 1, 9)), "claim_date"),
                          (dict(amount="1", notes="x" * 501), "notes")]:
            with pytest.raises(ValidationFailed) as err:
                comp.claim(s, a, p.id, **{"claim_date": D(2026, 6, 1), **kw})
            assert err.value.field == field, kw
        contracted = make_project(s, a, gw.customers["corp"], status="contracted")
        with pytest.raises(Conflict) as not_effective:
            comp.claim(s, a, contracted.id, amount="1")
        assert "“已签约”" in render_error(not_effective.value, "zh_CN") and "contracted" in not_effective.value.message
        with pytest.raises(NotFound):
            comp.claim(s, a, uuid.uuid4(), amount="1")
        with pytest.raises(NotFound):
            comp.pay(s, a, uuid.uuid4(), amount="1")
        with pytest.raises(NotFound):
            comp.record_recovery(s, a, uuid.uuid4(), kind="lawsuit", notes="x", amount="1")
        with pytest.raises(PermissionDenied):  # finance does not propose write-offs
            comp.propose_write_off(s, a, uuid.uuid4(), reason="x")
    for who in ("mgr", "legal", "boss", "head"):  # claims are finance's and the risk officer's
        with gw.acting(who) as (s, a):
            with pytest.raises(PermissionDenied):
                comp.claim(s, a, p.id, amount="1")
    with gw.acting("viewer") as (s, a), pytest.raises(PermissionDenied):  # no guarantee:compensation:read
        comp.compensation_of(s, a, p.id)
    with gw.session() as s:  # nothing was started by the refusals
        assert s.scalars(select(WorkflowInstance)).all() == []


# ---------------------------------------------------------------- the write-off's approval --------------------------


def test_write_off_approved_by_the_executive(gw):
    with gw.acting("fin") as (s, a):
        p, _ = _effective(s, a, gw, reserve=False)
    rid = paid(gw, p, "800000")
    with gw.acting("fin") as (s, a):
        comp.record_recovery(s, a, rid, kind="lawsuit", notes="判决执行", amount="300000.5",
                             action_date=D(2026, 7, 1))
    with gw.acting("risk") as (s, a), pytest.raises(ValidationFailed) as no_reason:
        comp.propose_write_off(s, a, rid, reason="  ")
    assert no_reason.value.field == "reason"
    rec = proposed(gw, rid, reason="无可执行财产")
    iid = rec.write_off_instance_id
    inst = instance(gw, iid)
    assert (inst.definition_key, inst.subject_type, inst.subject_id, inst.current_step) == (
        "guarantee.loss_write_off", "guarantee:compensation_receivable", str(rid), "approval")
    assert inst.subject["amount"] == "499999.50"
    with gw.acting("risk") as (s, a), pytest.raises(Conflict):  # one proposal at a time
        comp.propose_write_off(s, a, rid, reason="again")
    with gw.acting("fin") as (s, a):  # a partial recovery leaves the proposal pending
        comp.record_recovery(s, a, rid, kind="enforcement", notes="执行款", amount="0.50", action_date=D(2026, 8, 1))
    assert _row(gw, GuaranteeCompensationReceivable, rid).write_off_instance_id == iid
    with pytest.raises(PermissionDenied):  # the approval is the executive's
        do(gw, "risk", iid)
    assert do(gw, "boss", iid, comment="同意核销") == ("approved", "approved")
    row = _row(gw, GuaranteeCompensationReceivable, rid)
    assert (row.status, row.written_off, row.outstanding, row.written_off_by, row.write_off_instance_id) == (
        "closed", Decimal("499999.00"), Decimal("0.00"), gw.actors["boss"].id_uuid, None)
    assert row.written_off_on is not None and row.closed_on == row.written_off_on
    assert row.write_off_reason == "无可执行财产"
    with gw.session() as s:
        assert _events(s, "GuaranteeLossWrittenOff") == [{
            "project_id": str(p.id), "receivable_id": str(rid), "amount": "499999.00",
            "written_off_on": row.written_off_on.isoformat()}]
        actions = [r.action for r in s.scalars(select(AuditRecord).where(AuditRecord.entity_id == str(rid))
                                               .order_by(AuditRecord.id))]
    assert actions.count("guarantee.loss_write_off.proposed") == 1
    assert actions[-1] == "guarantee.loss_write_off.approved"
    with gw.acting("fin") as (s, a):
        with pytest.raises(Conflict):
            comp.record_recovery(s, a, rid, kind="lawsuit", amount="1", notes="late")
        view = comp.compensation_of(s, a, p.id)
        assert view.totals() == {"paid": Decimal("800000.00"), "recovered": Decimal("300001.00"),
                                 "written_off": Decimal("499999.00"), "outstanding": Decimal("0.00")}
    with gw.acting("risk") as (s, a), pytest.raises(Conflict):
        comp.propose_write_off(s, a, rid, reason="closed")


def test_a_rejected_or_withdrawn_write_off_clears_the_proposal(gw):
    with gw.acting("fin") as (s, a):
        p, _ = _effective(s, a, gw, reserve=False)
    rid = paid(gw, p)
    first = proposed(gw, rid).write_off_instance_id
    assert do(gw, "boss", first, "reject", comment="继续追偿") == ("rejected", "rejected")
    row = _row(gw, GuaranteeCompensationReceivable, rid)
    assert (row.status, row.write_off_reason, row.write_off_proposed_by, row.write_off_instance_id,
            row.written_off) == ("open", "", None, None, Decimal("0.00"))
    second = proposed(gw, rid, reason="再次申请").write_off_instance_id
    assert second != first
    with gw.acting("risk") as (s, a):
        withdraw(s, a, second, comment="撤回")
    row = _row(gw, GuaranteeCompensationReceivable, rid)
    assert (row.status, row.write_off_reason, row.write_off_instance_id) == ("open", "", None)
    with gw.session() as s:
        assert _events(s, "GuaranteeLossWrittenOff") == []
        actions = {r.action for r in s.scalars(select(AuditRecord).where(AuditRecord.entity_id == str(rid)))}
    assert {"guarantee.loss_write_off.rejected", "guarantee.loss_write_off.withdrawn"} <= actions


def test_a_recovery_that_clears_the_receivable_withdraws_the_pending_write_off(gw):
    with gw.acting("fin") as (s, a):
        p, _ = _effective(s, a, gw, reserve=False)
    rid = paid(gw, p)
    iid = proposed(gw, rid).write_off_instance_id
    with gw.acting("fin") as (s, a):  # not the proposer: the recovery withdraws the instance all the same
        comp.record_recovery(s, a, rid, kind="enforcement", amount="500000.00", action_date=D(2026, 8, 1))
    row = _row(gw, GuaranteeCompensationReceivable, rid)
    assert (row.status, row.recovered, row.written_off, row.closed_on, row.write_off_reason,
            row.write_off_instance_id) == ("closed", Decimal("500000.00"), Decimal("0.00"), D(2026, 8, 1), "", None)
    inst = instance(gw, iid)
    assert inst.status == "withdrawn"
    with gw.session() as s:
        timeline = s.scalars(select(WorkflowEvent).where(WorkflowEvent.instance_id == iid)
                             .order_by(WorkflowEvent.seq)).all()
        assert [e.action for e in timeline][-2:] == ["withdraw", "end"]
        assert timeline[-2].actor_id == gw.actors["fin"].id
        assert s.scalars(select(WorkflowTask).where(WorkflowTask.instance_id == iid,
                                                    WorkflowTask.status == "open")).all() == []
        assert _events(s, "GuaranteeLossWrittenOff") == []
        assert [e["result"] for e in _events(s, "WorkflowInstanceEnded") if e["instance_id"] == str(iid)] == [
            "withdrawn"]
    with gw.acting("fin") as (s, a):
        view = comp.compensation_of(s, a, p.id)
        assert view.project.in_force_balance == Decimal("1500000.00")
        assert view.totals()["outstanding"] == Decimal("0.00")


def test_compensation_and_release_share_what_the_project_holds_on_its_line(gw):
    """A compensation and a later release give back at most what was reserved, never the same yuan twice."""

    with gw.acting("fin") as (s, a):
        p, line = _effective(s, a, gw, balance="3000000.00")
    c = approved(gw, p, "1000000")
    with gw.acting("fin") as (s, a):
        comp.pay(s, a, c.id, amount="1000000", paid_on=D(2026, 6, 5))
        rel.release(s, a, p.id, kind="partial", amount="500000", released_on=D(2026, 6, 10))
        project = s.scalars(select(GuaranteeProject).where(GuaranteeProject.id == p.id)).one()
        assert project.in_force_balance == Decimal("1500000.00")
        assert project.credit_line_held == Decimal("1500000.00")
        assert s.scalars(select(GuaranteeCreditLine).where(GuaranteeCreditLine.id == line.id)).one().used == \
            Decimal("1500000.00")
        with pytest.raises(Conflict):  # more than the project still holds
            banks.release(s, project, "1500000.01")


# ---------------------------------------------------------------- GraphQL ------------------------------------------


def g(type_name, value):
    return relay.to_base64(type_name, str(value))


ERR = "errors { code field message }"
CLAIM = f"""mutation($i: GuaranteeCompensationClaimInput!) {{ guaranteeCompensationClaim(input: $i) {{
  compensation {{ id status claimedAmount claimDate workflowInstanceId }} {ERR} }} }}"""
PAY = f"""mutation($i: GuaranteeCompensationPayInput!) {{ guaranteeCompensationPay(input: $i) {{
  receivable {{ id paid outstanding status }} {ERR} }} }}"""
RECOVER = f"""mutation($i: GuaranteeRecoveryRecordInput!) {{ guaranteeRecoveryRecord(input: $i) {{
  receivable {{ recovered outstanding }} {ERR} }} }}"""
PROPOSE = f"""mutation($i: GuaranteeLossWriteOffProposeInput!) {{ guaranteeLossWriteOffPropose(input: $i) {{
  receivable {{ writeOffReason writeOffPending writeOffInstanceId }} {ERR} }} }}"""
TASKS = """query($id: ID!) { workflowInstance(id: $id) { status currentStep definitionKey openTasks { id } } }"""
APPROVE = f"""mutation($i: WorkflowTaskActionInput!) {{ workflowTaskApprove(input: $i) {{
  instance {{ status currentStep }} {ERR} }} }}"""
QUERY = """query($p: ID!) { guaranteeCompensation(projectId: $p) { inForceBalance paid recovered writtenOff
  outstanding claims { status paidAmount decisionComment workflowInstanceId } receivables { paid recovered writtenOff
  outstanding status writeOffPending writeOffInstanceId writtenOffOn actions { kind amount notes actionDate } } } }"""


def test_compensation_api(api, gw):
    with gw.acting("fin") as (s, a):
        p, _ = _effective(s, a, gw)
    slug = gw.tenant.slug
    fin, risk, boss, mgr = (api.login(slug, u, TEST_PASSWORD) for u in ("fin", "risk", "boss", "mgr"))

    def approve(token, iid, comment="ok"):
        task = api(TASKS, {"id": iid}, token=token)["data"]["workflowInstance"]["openTasks"][0]["id"]
        done = api(APPROVE, {"i": {"taskId": task, "comment": comment}}, token=token)["data"]["workflowTaskApprove"]
        assert done["errors"] == [], done
        return done["instance"]

    pid = g("GuaranteeProject", p.id)
    denied = api(CLAIM, {"i": {"projectId": pid, "amount": "1"}}, token=mgr)["data"]["guaranteeCompensationClaim"]
    assert denied["errors"][0]["code"] == "FORBIDDEN" and denied["compensation"] is None
    too_much = api(CLAIM, {"i": {"projectId": pid, "amount": "2000000.01", "claimDate": "2026-06-01"}},
                   token=fin)["data"]["guaranteeCompensationClaim"]
    assert too_much["errors"][0]["field"] == "amount" and too_much["errors"][0]["code"] == "VALIDATION_FAILED"
    made = api(CLAIM, {"i": {"projectId": pid, "amount": "800000", "claimDate": "2026-06-01"}},
               token=fin)["data"]["guaranteeCompensationClaim"]
    assert made["errors"] == [] and made["compensation"]["status"] == "claimed"
    cid, iid = made["compensation"]["id"], made["compensation"]["workflowInstanceId"]
    with gw.session() as s:
        claim_row = s.scalars(select(GuaranteeCompensation)).one()
    assert iid == g("WorkflowInstance", claim_row.workflow_instance_id)
    assert approve(risk, iid) == {"status": "running", "currentStep": "approval"}
    early = api(PAY, {"i": {"compensationId": cid, "amount": "800000", "paidOn": "2026-06-03"}},
                token=fin)["data"]["guaranteeCompensationPay"]
    assert early["errors"][0]["code"] == "CONFLICT"
    assert approve(boss, iid, "同意") == {"status": "approved", "currentStep": "approved"}
    not_fin = api(PAY, {"i": {"compensationId": cid, "amount": "800000"}}, token=risk)["data"]
    assert not_fin["guaranteeCompensationPay"]["errors"][0]["code"] == "FORBIDDEN"
    paid_ = api(PAY, {"i": {"compensationId": cid, "amount": "800000", "paidOn": "2026-06-03"}},
                token=fin)["data"]["guaranteeCompensationPay"]
    assert paid_["errors"] == [] and paid_["receivable"]["paid"] == "800000.00"
    rid = paid_["receivable"]["id"]
    got = api(RECOVER, {"i": {"receivableId": rid, "kind": "lawsuit", "amount": "300000.5", "notes": "判决执行",
                              "actionDate": "2026-07-01"}}, token=fin)["data"]["guaranteeRecoveryRecord"]
    assert got["errors"] == [] and got["receivable"] == {"recovered": "300000.50", "outstanding": "499999.50"}
    over = api(RECOVER, {"i": {"receivableId": rid, "kind": "lawsuit", "amount": "499999.51", "notes": "x"}},
               token=fin)["data"]["guaranteeRecoveryRecord"]
    assert over["errors"][0]["field"] == "amount"
    no_right = api(PROPOSE, {"i": {"receivableId": rid, "reason": "无可执行财产"}}, token=fin)["data"]
    assert no_right["guaranteeLossWriteOffPropose"]["errors"][0]["code"] == "FORBIDDEN"
    prop = api(PROPOSE, {"i": {"receivableId": rid, "reason": "无可执行财产"}},
               token=risk)["data"]["guaranteeLossWriteOffPropose"]
    assert prop["errors"] == [] and prop["receivable"]["writeOffPending"] is True
    woid = prop["receivable"]["writeOffInstanceId"]
    assert api(TASKS, {"id": woid}, token=boss)["data"]["workflowInstance"]["definitionKey"] == \
        "guarantee.loss_write_off"
    assert approve(boss, woid, "同意核销")["status"] == "approved"
    view = api(QUERY, {"p": pid}, token=fin)["data"]["guaranteeCompensation"]
    assert {k: view[k] for k in ("inForceBalance", "paid", "recovered", "writtenOff", "outstanding")} == {
        "inForceBalance": "1200000.00", "paid": "800000.00", "recovered": "300000.50", "writtenOff": "499999.50",
        "outstanding": "0.00"}
    assert view["claims"] == [{"status": "compensated", "paidAmount": "800000.00", "decisionComment": "同意",
                               "workflowInstanceId": iid}]
    receivable = view["receivables"][0]
    assert (receivable["status"], receivable["writeOffPending"], receivable["writeOffInstanceId"]) == (
        "closed", False, None)
    assert receivable["writtenOffOn"] is not None
    assert receivable["actions"] == [
        {"kind": "lawsuit", "amount": "300000.50", "notes": "判决执行", "actionDate": "2026-07-01"}]
    gone = api("mutation { guaranteeLossWriteOff(input: {receivableId: \"x\"}) { errors { code } } }", token=fin)
    assert "errors" in gone  # the confirmation mutation is gone: the workflow task approves


# ---------------------------------------------------------------- routing and separation of duties -----------------


def add_branch(gw, code, **people):
    """Branch ``code`` under HQ with ``people`` (username=role) in it."""

    with gw.session() as s:
        gw.units[code] = create_org_unit(s, code=code, name=f"Branch {code}", kind="branch",
                                         parent_id=gw.units["HQ"]).id
        for username, role in people.items():
            user = create_user(s, username=username, password=TEST_PASSWORD, display_name=username.title(),
                               org_unit_id=gw.units[code], roles=[role], email=f"{username}@example.com")
            gw.actors[username] = actor_for(user)


def candidates(gw, instance_id) -> set[str]:
    with gw.session() as s:
        return set(s.scalars(select(User.username).join(WorkflowTaskCandidate, WorkflowTaskCandidate.user_id == User.id)
                             .join(WorkflowTask, WorkflowTask.id == WorkflowTaskCandidate.task_id)
                             .where(WorkflowTask.instance_id == instance_id, WorkflowTask.status == "open",
                                    WorkflowTaskCandidate.active.is_(True))))


def test_the_review_goes_to_the_risk_officers_covering_the_project(gw):
    add_branch(gw, "B", riskb="risk_officer")
    with gw.acting("fin") as (s, a):
        in_a, _ = _effective(s, a, gw, reserve=False)
        in_b, _ = _effective(s, a, gw, reserve=False)
        in_a.org_unit_id, in_b.org_unit_id = gw.units["A"], gw.units["B"]
    c = claimed(gw, in_a)
    assert candidates(gw, c.workflow_instance_id) == {"risk"}  # branch A has none: HQ's, not branch B's
    with pytest.raises(PermissionDenied):
        do(gw, "riskb", c.workflow_instance_id)
    assert do(gw, "risk", c.workflow_instance_id) == ("approval", "running")
    other = claimed(gw, in_b)
    assert candidates(gw, other.workflow_instance_id) == {"riskb"}
    assert do(gw, "riskb", other.workflow_instance_id) == ("approval", "running")


def transfer_to(gw, instance_id, by, to):
    """``by`` hands the open task of the instance over to ``to`` (as an escalation to an admin would)."""
    with gw.acting(by) as (s, a):
        task = s.scalars(select(WorkflowTask).where(WorkflowTask.instance_id == instance_id,
                                                    WorkflowTask.status == "open")).one()
        act(s, a, task.id, "transfer", to_user=gw.actors[to].id_uuid)


def test_a_claim_approved_by_who_recorded_it_is_rejected(gw):
    with gw.acting("fin") as (s, a):
        p, _ = _effective(s, a, gw, reserve=False)
    c = claimed(gw, p, who="admin")
    do(gw, "risk", c.workflow_instance_id)
    transfer_to(gw, c.workflow_instance_id, "boss", "admin")
    assert do(gw, "admin", c.workflow_instance_id, comment="同意") == ("approved", "approved")
    row = _row(gw, GuaranteeCompensation, c.id)
    assert (row.status, row.decided_by) == ("rejected", gw.actors["admin"].id_uuid)
    assert row.decision_comment == comp.FOUR_EYES_CLAIM and "Four-eyes" in row.decision_comment
    with gw.acting("fin") as (s, a), pytest.raises(Conflict):  # nothing to pay
        comp.pay(s, a, c.id, amount="1", paid_on=D(2026, 6, 5))
    with gw.session() as s:
        [record] = s.scalars(select(AuditRecord).where(AuditRecord.action == "guarantee.compensation.decided")).all()
    assert (record.after["status"], record.after["result"], record.after["workflow_result"],
            record.after["reason"]) == ("rejected", "rejected", "approved", "four_eyes")
    # Someone else's approval counts: a new claim by admin, approved by the executive.
    c2 = claimed(gw, p, day=D(2026, 6, 2), who="admin")
    do(gw, "risk", c2.workflow_instance_id)
    do(gw, "boss", c2.workflow_instance_id)
    assert _row(gw, GuaranteeCompensation, c2.id).status == "approved"


def test_a_write_off_approved_by_its_proposer_writes_nothing_off(gw):
    with gw.acting("fin") as (s, a):
        p, _ = _effective(s, a, gw, reserve=False)
    rid = paid(gw, p, "800000")
    rec = proposed(gw, rid, who="risk")
    transfer_to(gw, rec.write_off_instance_id, "boss", "risk")
    assert do(gw, "risk", rec.write_off_instance_id, comment="同意核销") == ("approved", "approved")
    row = _row(gw, GuaranteeCompensationReceivable, rid)
    assert (row.status, row.written_off, row.outstanding, row.written_off_on) == (
        "open", Decimal("0.00"), Decimal("800000.00"), None)
    assert (row.write_off_reason, row.write_off_proposed_by, row.write_off_instance_id) == ("", None, None)
    with gw.session() as s:
        assert _events(s, "GuaranteeLossWrittenOff") == []
        assert s.scalars(select(AuditRecord).where(
            AuditRecord.action == "guarantee.loss_write_off.approved")).all() == []
        [record] = s.scalars(select(AuditRecord).where(
            AuditRecord.action == "guarantee.loss_write_off.rejected")).all()
    assert (record.after["reason"], record.after["workflow_result"], record.after["comment"],
            record.after["approved_by"]) == ("four_eyes", "approved", comp.FOUR_EYES_WRITE_OFF,
                                             str(gw.actors["risk"].id_uuid))
    # Proposed again and approved by the executive, it is written off.
    again = proposed(gw, rid, who="risk")
    do(gw, "boss", again.write_off_instance_id)
    row = _row(gw, GuaranteeCompensationReceivable, rid)
    assert (row.status, row.written_off) == ("closed", Decimal("800000.00"))
