"""The upgrade backfill (upgrade.backfill): a tenant as it was before the ledger, inspection plans, the compensation
workflow and the default indicators existed gets the same derived records the live path writes; a claim left
``claimed`` without an instance starts its approval (a risk officer's task, then decidable); a second run does
nothing (no count, no audit record, no event)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import delete, func, select

from surety.core.audit.models import AuditRecord
from surety.core.events_models import OutboxEvent
from surety.core.workflow.actions import act
from surety.core.workflow.engine import business_today
from surety.core.workflow.models import WorkflowDefinition, WorkflowInstance, WorkflowTask, WorkflowTaskCandidate
from surety.plugins.guarantee import upgrade
from surety.plugins.guarantee.compensation import claims as comp
from surety.plugins.guarantee.compensation.models import GuaranteeCompensation
from surety.plugins.guarantee.finance import banks, fees
from surety.plugins.guarantee.finance.loans import confirm_loan
from surety.plugins.guarantee.finance.models import GuaranteeFeeItem
from surety.plugins.guarantee.ledger.models import GuaranteeLedgerEntry
from surety.plugins.guarantee.monitoring.models import GuaranteeInspectionPlan
from surety.plugins.guarantee.project.models import GuaranteeProject
from surety.plugins.guarantee.release import releases as rel
from surety.plugins.guarantee.testing import make_bank, make_project
from surety.plugins.guarantee.warnings.early_warnings import DEFAULT_INDICATORS
from surety.plugins.guarantee.warnings.models import GuaranteeWarningIndicator

TODAY = business_today()
START = TODAY - dt.timedelta(days=400)
D = Decimal
E = GuaranteeLedgerEntry
ZEROS = dict.fromkeys(upgrade.COUNTS, 0)


def effective(gw, *, end=None, start=START) -> GuaranteeProject:
    """An effective project led by fin: fee plan (guarantee fee 45,000 once, review fee 20,000, margin 300,000)
    received in full on ``start``, loan 2,800,000 from ``start``."""
    with gw.acting("fin") as (s, a):
        bank, _ = make_bank(s, total="10000000.00")
        p = make_project(s, a, gw.customers["corp"], bank=bank, status="contracted")
        banks.reserve(s, p)
        fees.set_plan(s, a, p.id, guarantee_fee_method="rate", guarantee_fee_rate="0.015", review_fee="20000",
                      margin_amount="300000", start_date=start)
        for item in s.scalars(select(GuaranteeFeeItem).where(GuaranteeFeeItem.project_id == p.id)
                              .order_by(GuaranteeFeeItem.fee_type)).all():
            fees.receive(s, a, item.id, item.amount, received_on=start)
        confirm_loan(s, a, p.id, loan_contract_no="JK-1", loan_amount="2800000.00", start_date=start,
                     end_date=end or TODAY + dt.timedelta(days=300), rate="0.0435")
        return p


def do(gw, user, instance_id, action="approve", **kw) -> tuple[str, str]:
    """``user`` acts on the open task of the instance; the instance's (step, status) after."""
    with gw.acting(user) as (s, a):
        tasks = s.scalars(select(WorkflowTask).where(WorkflowTask.instance_id == instance_id,
                                                     WorkflowTask.status == "open")
                          .order_by(WorkflowTask.created_at)).all()
        mine = [t for t in tasks if t.assignee_id in (None, a.id_uuid)]
        act(s, a, (mine or tasks)[0].id, action, **kw)
    with gw.session() as s:
        inst = s.scalars(select(WorkflowInstance).where(WorkflowInstance.id == instance_id)).one()
        return inst.current_step, inst.status


def item_of(s, pid, fee_type):
    return s.scalars(select(GuaranteeFeeItem.id).where(GuaranteeFeeItem.project_id == pid,
                                                       GuaranteeFeeItem.fee_type == fee_type)).one()


def live_story(gw) -> GuaranteeProject:
    """Every kind of money fact on one project, through the live services and the approvals (balance left:
    2,800,000 - 800,000 repaid - 500,000 released - 1,000,000 compensated principal = 500,000). The claim of
    1,000,000 (principal) is on make_bank's 20 % line: the bank bears 200,000, the company pays 800,000; 300,000 is
    recovered and the remaining 500,000 written off."""
    p = effective(gw)
    with gw.acting("fin") as (s, a):
        fees.refund(s, a, item_of(s, p.id, "guarantee_fee"), "5000", reason="fee reduced",
                    refunded_on=TODAY - dt.timedelta(days=20))
        rel.record_repayment(s, a, p.id, "800000", repaid_on=TODAY - dt.timedelta(days=10))
        rel.release(s, a, p.id, kind="partial", amount="500000", released_on=TODAY - dt.timedelta(days=5))
        claim = comp.claim(s, a, p.id, amount="1000000", claim_date=TODAY - dt.timedelta(days=4))
    do(gw, "risk", claim.workflow_instance_id)
    do(gw, "boss", claim.workflow_instance_id)
    with gw.acting("fin") as (s, a):
        rid = comp.pay(s, a, claim.id, amount="800000", paid_on=TODAY - dt.timedelta(days=3)).id
        comp.record_recovery(s, a, rid, kind="negotiation", amount="300000", action_date=TODAY - dt.timedelta(days=2))
        comp.record_recovery(s, a, rid, kind="lawsuit", notes="立案", action_date=TODAY)  # recovers nothing
    with gw.acting("risk") as (s, a):
        rec = comp.propose_write_off(s, a, rid, reason="借款人破产")
    do(gw, "boss", rec.write_off_instance_id)
    return p


def snapshot_entries(s) -> list[tuple]:
    return sorted((e.project_id, e.kind, e.detail, e.amount, e.principal, e.interest, e.penalty, e.bank_share,
                   e.entry_date, e.source_type, e.source_id, e.stage, e.manager_by, e.risk_by, e.finance_by)
                  for e in s.scalars(select(E)))


def snapshot_plans(s) -> dict:
    return {p.project_id: (p.first_due, p.interval_days, p.next_due, p.active)
            for p in s.scalars(select(GuaranteeInspectionPlan))}


def legacy_claim(s, project_id, amount="400000.00") -> GuaranteeCompensation:
    """A claim as recorded before claims went through the workflow: ``claimed``, no instance."""
    row = GuaranteeCompensation(project_id=project_id, claimed_amount=D(amount), claim_date=TODAY, notes="旧数据",
                                status="claimed", claimed_by=None)
    s.add(row)
    s.flush()
    return row


def counts_of(s, model, *where) -> int:
    return s.scalar(select(func.count()).select_from(model).where(*where))


def test_backfill_writes_what_the_live_path_writes_and_runs_once(gw, monkeypatch):
    monkeypatch.setattr(upgrade, "CHUNK", 2)  # several pages per kind
    story = live_story(gw)
    released = effective(gw, end=TODAY - dt.timedelta(days=30))
    with gw.acting("fin") as (s, a):
        rel.release(s, a, released.id, kind="full", released_on=TODAY)  # margin out, release; plan ended
    waiting = effective(gw)
    with gw.session() as s:
        live = snapshot_entries(s)
        live_plans = snapshot_plans(s)
        kinds = {(row[0], row[1]) for row in live}
        assert {k for p, k in kinds if p == story.id} == {
            "guarantee_fee", "review_fee", "margin_in", "loan", "fee_refund", "repayment", "release",
            "compensation", "recovery", "write_off"}
        assert {k for p, k in kinds if p == released.id} >= {"margin_out", "release"}
        assert live_plans[story.id][3] and not live_plans[released.id][3] and live_plans[waiting.id][3]
        assert s.scalars(select(GuaranteeProject.in_force_balance)
                         .where(GuaranteeProject.id == story.id)).one() == D("500000.00")
        # The story's money entries (amount, principal, interest, penalty, bank share): paid 800,000 of the
        # 1,000,000 claim, recovered 300,000, wrote off 800,000 - 300,000 = 500,000.
        assert sorted((row[1], row[3], row[4], row[5], row[6], row[7]) for row in live if row[0] == story.id
                      and row[1] in ("compensation", "recovery", "write_off")) == [
            ("compensation", D("800000.00"), D("1000000.00"), D("0.00"), D("0.00"), D("200000.00")),
            ("recovery", D("300000.00"), None, None, None, None),
            ("write_off", D("500000.00"), None, None, None, None)]

    # The tenant as it was before the upgrade: none of the derived records, and a claim nobody can decide.
    with gw.session() as s:
        s.execute(delete(E))
        s.execute(delete(GuaranteeInspectionPlan))
        s.execute(delete(GuaranteeWarningIndicator))
        claim_id = legacy_claim(s, waiting.id).id
    with gw.session() as s:
        last_seq = s.scalar(select(func.max(AuditRecord.seq)))
        guarantee_events = counts_of(s, OutboxEvent, OutboxEvent.event_type.like("Guarantee%"))

    with gw.session() as s:
        counts = upgrade.backfill(s)
    assert counts == {"workflow_definitions": 0, "ledger_entries": len(live), "inspection_plans": 2,
                      "compensation_workflows": 1, "warning_indicators": len(DEFAULT_INDICATORS)}

    with gw.session() as s:
        assert snapshot_entries(s) == live  # kinds, details, amounts, dates, sources, stage: as written live
        plans = snapshot_plans(s)
        assert plans == {story.id: live_plans[story.id], waiting.id: live_plans[waiting.id]}  # none once released
        assert counts_of(s, GuaranteeWarningIndicator) == len(DEFAULT_INDICATORS)
        # The ledger was written directly: no domain event of the plugin, no other handler.
        assert counts_of(s, OutboxEvent, OutboxEvent.event_type.like("Guarantee%")) == guarantee_events
        claim = s.scalars(select(GuaranteeCompensation).where(GuaranteeCompensation.id == claim_id)).one()
        assert claim.status == "claimed" and claim.workflow_instance_id is not None
        inst = s.scalars(select(WorkflowInstance).where(WorkflowInstance.id == claim.workflow_instance_id)).one()
        assert (inst.definition_key, inst.subject_type, inst.subject_id, inst.current_step, inst.status) == (
            "guarantee.compensation", "guarantee:compensation", str(claim_id), "review", "running")
        assert inst.subject["amount"] == "400000.00" and inst.subject["project_no"] == waiting.project_no
        assert inst.initiator_id is None and inst.title == f"代偿 {waiting.project_no} 400,000.00"
        task = s.scalars(select(WorkflowTask).where(WorkflowTask.instance_id == inst.id,
                                                    WorkflowTask.status == "open")).one()
        candidates = set(s.scalars(select(WorkflowTaskCandidate.user_id)
                                   .where(WorkflowTaskCandidate.task_id == task.id)))
        assert gw.actors["risk"].id_uuid in candidates and gw.actors["boss"].id_uuid not in candidates
        new = list(s.scalars(select(AuditRecord).where(AuditRecord.seq > last_seq).order_by(AuditRecord.seq)))
        done = [r for r in new if r.action == "guarantee.upgrade.backfilled"]
        assert len(done) == 1 and done[0].entity_id == str(gw.tenant.id)
        assert (done[0].actor_type, done[0].actor_id) == ("system", "guarantee.upgrade")
        assert {k: done[0].after[k] for k in upgrade.COUNTS} == counts
        assert sum(done[0].after["ledger_by_kind"].values()) == len(live)
        started = [r for r in new if r.action == "guarantee.compensation.approval_started"]
        assert [(r.entity_id, r.after["workflow_instance_id"]) for r in started] == [
            (str(claim_id), str(inst.id))]
        assert sum(r.action == "guarantee.inspection_plan.created" for r in new) == 2
        audits = counts_of(s, AuditRecord)
        events = counts_of(s, OutboxEvent)

    # Nothing left to do: all counts 0, nothing written.
    with gw.session() as s:
        assert upgrade.backfill(s) == ZEROS
    with gw.session() as s:
        assert counts_of(s, AuditRecord) == audits and counts_of(s, OutboxEvent) == events
        assert snapshot_entries(s) == live

    # The claim can be decided now: the risk officer's review, then the executive's approval.
    assert do(gw, "risk", inst.id) == ("approval", "running")
    assert do(gw, "boss", inst.id) == ("approved", "approved")
    with gw.session() as s:
        assert s.scalars(select(GuaranteeCompensation.status)
                         .where(GuaranteeCompensation.id == claim_id)).one() == "approved"


def test_backfill_installs_missing_definitions_first_and_skips_unknown_loans(gw):
    with gw.acting("fin") as (s, a):
        bank, _ = make_bank(s, total=None)
        # Took effect without a recorded loan amount (not through confirm_loan): no loan entry is invented.
        bare = make_project(s, a, gw.customers["corp"], bank=bank, status="effective",
                            in_force_balance=D("1000000.00"), effective_date=START)
        claim_id = legacy_claim(s, bare.id, "250000.00").id
        # Effective but nothing left in force (compensated to 0): no plan.
        make_project(s, a, gw.customers["corp"], bank=bank, status="effective", in_force_balance=D("0.00"),
                     effective_date=START)
        s.execute(delete(WorkflowDefinition).where(WorkflowDefinition.key == "guarantee.compensation"))
    with gw.session() as s:
        counts = upgrade.backfill(s)
    assert counts["workflow_definitions"] >= 1 and counts["compensation_workflows"] == 1
    assert (counts["ledger_entries"], counts["inspection_plans"]) == (0, 1)
    with gw.session() as s:
        assert counts_of(s, E) == 0
        assert counts_of(s, GuaranteeInspectionPlan) == 1
        plan = s.scalars(select(GuaranteeInspectionPlan).where(GuaranteeInspectionPlan.project_id == bare.id)).one()
        assert plan.first_due > START and plan.active
        assert s.scalar(select(WorkflowDefinition.status).where(
            WorkflowDefinition.key == "guarantee.compensation")) == "published"
        inst_id = s.scalars(select(GuaranteeCompensation.workflow_instance_id)
                            .where(GuaranteeCompensation.id == claim_id)).one()
    assert inst_id is not None
    with gw.session() as s:
        assert upgrade.backfill(s) == ZEROS
