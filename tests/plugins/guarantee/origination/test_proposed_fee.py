"""The fee proposed with the application (拟收担保费) is reviewed with it: it is in the approval subject's fields (a
rate below the product's default is flagged, and a tenant's definition routes on it), and the fee plan finance sets
after approval starts from it; a plan that differs from the approved proposal is recorded with the approved
figures."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from surety.core.audit.models import AuditRecord
from surety.core.errors import ValidationFailed
from surety.core.workflow.actions import act
from surety.core.workflow.definitions import publish, save_draft
from surety.core.workflow.models import WorkflowInstance, WorkflowTask
from surety.plugins.guarantee.finance import fees
from surety.plugins.guarantee.origination import applications as ap
from surety.plugins.guarantee.origination.approval import APPROVAL, fee_below_default, project_basics
from surety.plugins.guarantee.plugin import surety_workflow_subject as subject
from surety.plugins.guarantee.project.models import GuaranteeCounterGuarantee, GuaranteeProject
from surety.plugins.guarantee.testing import make_bank, make_product, make_project

M = Decimal


def submitted(gw, **fee) -> GuaranteeProject:
    """A submitted application of 3,000,000 over 12 months under a product whose default rate is 1.5 %."""
    with gw.acting("admin") as (s, a):
        product = make_product(s, default_fee_rate=M("0.015"))
        bank, _ = make_bank(s)
    with gw.acting("mgr") as (s, a):
        p = ap.create_application(s, a, {"customer_id": gw.customers["corp"], "product_id": product.id,
                                         "bank_id": bank.id, "amount": "3000000", "term_months": 12,
                                         "purpose": "流动资金", "loan_category": "small_micro", **fee})
        s.add(GuaranteeCounterGuarantee(project_id=p.id, kind="pledge", valuation=M("1")))
        s.flush()
        return ap.submit_application(s, a, p.id)


def fields(gw, project) -> dict:
    with gw.session() as s:
        return subject(s, "guarantee:project", str(project.id))


def test_the_proposal_is_in_the_subject_fields_and_a_low_rate_is_flagged(gw):
    low = submitted(gw, proposed_fee_rate="0.012")
    got = fields(gw, low)
    assert (got["proposed_fee_rate"], got["proposed_fee"], got["product_default_fee_rate"],
            got["fee_below_default"]) == (M("0.012"), None, M("0.015"), True)
    assert "fee_below_default" in got["flags"]
    with gw.session() as s:  # the stored project keeps its screening flags only
        assert "fee_below_default" not in s.scalar(select(GuaranteeProject.flags)
                                                   .where(GuaranteeProject.id == low.id))
        # What the engine kept at start carries the proposal too (no personal data in it).
        started = s.scalar(select(WorkflowInstance.subject).where(WorkflowInstance.id == low.workflow_instance_id))
    assert started["fee_below_default"] is True and "name" not in started["customer"]

    at_default = fields(gw, submitted(gw, proposed_fee_rate="0.015"))
    assert (at_default["fee_below_default"], at_default["flags"]) == (False, [])
    # Only an amount proposed: compared with the default rate's fee over the term (3,000,000 x 1.5 % = 45,000.00).
    assert fields(gw, submitted(gw, proposed_fee="44999.99"))["fee_below_default"] is True
    assert fields(gw, submitted(gw, proposed_fee="45000.00"))["fee_below_default"] is False
    none = fields(gw, submitted(gw))
    assert (none["proposed_fee_rate"], none["proposed_fee"], none["fee_below_default"]) == (None, None, False)


def test_fee_below_default_without_a_default_rate(gw):
    with gw.acting("admin") as (s, a):
        product = make_product(s, default_fee_rate=None)
        p = make_project(s, a, gw.customers["corp"], product=product, proposed_fee_rate=M("0.001"))
        assert fee_below_default(p, product) is False
        assert project_basics(p)["proposed_fee_rate"] == M("0.001")


def test_a_tenants_definition_routes_a_low_fee_to_the_general_manager(gw):
    """The documented example: a fee rate below the product's default needs the executive (general manager)."""
    doc = {**APPROVAL, "steps": [
        {**APPROVAL["steps"][0], "transitions": [{"to": "gm_review", "when": "fee_below_default"},
                                                  {"to": "due_diligence"}]},
        {"key": "gm_review", "name": "总经理审批", "kind": "task", "assignee": {"role": "executive"},
         "transitions": [{"to": "due_diligence"}]},
        *APPROVAL["steps"][1:]]}
    with gw.acting("admin") as (s, a):
        version = save_draft(s, a, doc).version
        publish(s, a, "guarantee.approval", version)

    def after_acceptance(project) -> str:
        with gw.acting("head") as (s, a):
            task = s.scalars(select(WorkflowTask).where(WorkflowTask.instance_id == project.workflow_instance_id,
                                                        WorkflowTask.status == "open")).one()
            return act(s, a, task.id, "approve").current_step

    assert after_acceptance(submitted(gw, proposed_fee_rate="0.01")) == "gm_review"
    assert after_acceptance(submitted(gw, proposed_fee_rate="0.02")) == "due_diligence"


def approved(gw, **proposal) -> GuaranteeProject:
    with gw.acting("mgr") as (s, a):
        return make_project(s, a, gw.customers["corp"], status="approved", amount="3000000.00", term_months=12,
                            **{k: M(v) for k, v in proposal.items()})


def plan_audit(gw, plan_id) -> dict:
    with gw.session() as s:
        return s.scalars(select(AuditRecord).where(AuditRecord.action == "guarantee.fee_plan.set",
                                                   AuditRecord.entity_id == str(plan_id))
                         .order_by(AuditRecord.seq.desc())).first().after


def test_the_plan_starts_from_the_approved_proposal(gw):
    by_rate = approved(gw, proposed_fee_rate="0.018")
    by_amount = approved(gw, proposed_fee="40000.00")
    with gw.acting("fin") as (s, a):
        plan = fees.set_plan(s, a, by_rate.id)  # no method, no rate: the proposed rate
        assert (plan.guarantee_fee_method, plan.guarantee_fee_rate, plan.guarantee_fee_total) == (
            "rate", M("0.018"), M("54000.00"))
        same = fees.set_plan(s, a, by_rate.id, guarantee_fee_method="rate")  # a method without its rate
        assert same.guarantee_fee_rate == M("0.018")
        fixed = fees.set_plan(s, a, by_amount.id)
        assert (fixed.guarantee_fee_method, fixed.guarantee_fee_rate, fixed.guarantee_fee_total) == (
            "fixed", None, M("40000.00"))
        assert fees.plan_deviation(s, fixed) == (fees.Proposal(rate=None, total=M("40000.00")), False)
    assert {k: plan_audit(gw, plan.id)[k] for k in ("approved_fee_rate", "approved_fee", "deviates_from_approval")} \
        == {"approved_fee_rate": "0.01800000", "approved_fee": "54000.00", "deviates_from_approval": False}


def test_a_plan_that_differs_from_the_approval_is_recorded_with_the_approved_figures(gw):
    p = approved(gw, proposed_fee_rate="0.018")
    with gw.acting("fin") as (s, a):
        plan = fees.set_plan(s, a, p.id, guarantee_fee_method="rate", guarantee_fee_rate="0.012")
        assert plan.guarantee_fee_total == M("36000.00")
        proposal, differs = fees.plan_deviation(s, plan)
        assert (proposal.rate, proposal.total, differs) == (M("0.018"), M("54000.00"), True)
    after = plan_audit(gw, plan.id)
    assert (after["guarantee_fee_rate"], after["approved_fee_rate"], after["approved_fee"],
            after["deviates_from_approval"]) == ("0.012", "0.01800000", "54000.00", True)
    with gw.acting("fin") as (s, a):  # a fixed fee compared with the proposal's whole fee
        plan = fees.set_plan(s, a, p.id, guarantee_fee_method="fixed", guarantee_fee_amount="54000")
        assert fees.plan_deviation(s, plan)[1] is False


def test_without_a_proposal_the_method_is_required(gw):
    p = approved(gw)
    with gw.acting("fin") as (s, a):
        with pytest.raises(ValidationFailed) as e:
            fees.set_plan(s, a, p.id)
        assert e.value.field == "guarantee_fee_method" and p.project_no in e.value.message
        with pytest.raises(ValidationFailed) as e:
            fees.set_plan(s, a, p.id, guarantee_fee_method="rate")
        assert e.value.field == "guarantee_fee_rate"
        plan = fees.set_plan(s, a, p.id, guarantee_fee_method="fixed", guarantee_fee_amount="1000")
        assert fees.plan_deviation(s, plan) == (None, False)
    assert plan_audit(gw, plan.id)["deviates_from_approval"] is False
