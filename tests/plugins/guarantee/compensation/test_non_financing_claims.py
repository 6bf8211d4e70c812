"""Claims on a non-financing guarantee (保函): the beneficiary claims, the claim covers the guaranteed sum only
(principal, at most what is in force; interest and penalty refused, and the scope cannot be widened), a claim dated
after the letter's expiry is refused (the expiry day itself is accepted); paid in full it compensates the project."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from surety.core.audit.models import AuditRecord
from surety.core.errors import ValidationFailed
from surety.core.workflow.actions import act
from surety.core.workflow.engine import business_today
from surety.core.workflow.models import WorkflowTask
from surety.plugins.guarantee.compensation import claims as comp
from surety.plugins.guarantee.finance.issuance import issue_guarantee
from surety.plugins.guarantee.ledger.models import GuaranteeLedgerEntry
from surety.plugins.guarantee.project.models import GuaranteeProject
from surety.plugins.guarantee.testing import make_bank, make_product, make_project

TODAY = business_today()
DAY = dt.timedelta(days=1)
EFFECTIVE, EXPIRY = TODAY - 100 * DAY, TODAY - 10 * DAY
BENEFICIARY = "某市公共资源交易中心"


def _issued(s, a, gw, *, kind="bid", amount="800000.00", issued="800000.00"):
    p = make_project(s, a, gw.customers["corp"], product=make_product(s, kind=kind, requires_counter_guarantee=False),
                     amount=amount, status="contracted", term_months=6, beneficiary_name=BENEFICIARY)
    issue_guarantee(s, a, p.id, effective_date=EFFECTIVE, expiry_date=EXPIRY, amount=issued)
    return p


def _approve(gw, claim) -> None:
    for who in ("risk", "boss"):
        with gw.acting(who) as (s, a):
            task = s.scalars(select(WorkflowTask).where(WorkflowTask.instance_id == claim.workflow_instance_id,
                                                        WorkflowTask.status == "open")).first()
            act(s, a, task.id, "approve")


def test_no_claim_after_the_expiry(gw):
    with gw.acting("fin") as (s, a):
        p = _issued(s, a, gw)
        for day in (EXPIRY + DAY, TODAY):
            with pytest.raises(ValidationFailed) as late:
                comp.claim(s, a, p.id, amount="100000", claim_date=day)
            assert (late.value.code, late.value.field) == ("GUARANTEE_EXPIRED", "claim_date")
            assert f"expired on {EXPIRY.isoformat()}" in late.value.message
        # The claim date defaults to today: after the expiry too.
        with pytest.raises(ValidationFailed) as default_day:
            comp.claim(s, a, p.id, amount="100000")
        assert default_day.value.code == "GUARANTEE_EXPIRED"
        # On the expiry day itself the claim is accepted, made by the beneficiary.
        c = comp.claim(s, a, p.id, amount="100000", claim_date=EXPIRY)
        assert (c.claimant, c.claim_date, c.principal) == (BENEFICIARY, EXPIRY, Decimal("100000.00"))
        record = s.scalars(select(AuditRecord).where(AuditRecord.action == "guarantee.compensation.claimed")).one()
        assert record.after["claimant"] == BENEFICIARY


def test_the_guaranteed_sum_only(gw):
    with gw.acting("fin") as (s, a):
        p = _issued(s, a, gw, kind="performance", issued="600000.00")
        assert comp.covered_components(s, p) == ("principal",)
        with pytest.raises(ValidationFailed) as interest:
            comp.claim(s, a, p.id, principal="500000", interest="10000", claim_date=EXPIRY)
        assert interest.value.field == "interest"
        with pytest.raises(ValidationFailed) as penalty:
            comp.claim(s, a, p.id, principal="500000", penalty="1", claim_date=EXPIRY)
        assert penalty.value.field == "penalty"
        with pytest.raises(ValidationFailed) as over:  # more than the letter's sum in force
            comp.claim(s, a, p.id, amount="600000.01", claim_date=EXPIRY)
        assert over.value.field == "amount"
    with gw.acting("legal") as (s, a):
        q = make_project(s, a, gw.customers["corp"], product=make_product(s, kind="litigation"), status="contracted")
        with pytest.raises(ValidationFailed) as wider:  # the scope of a 保函 is not widened to interest
            comp.set_covered_components(s, a, q.id, ["principal", "interest"])
        assert wider.value.field == "covered_components"
        assert comp.set_covered_components(s, a, q.id, ["principal"]).covered_components == ["principal"]
    with gw.acting("fin") as (s, a):
        c = comp.claim(s, a, p.id, amount="600000", claim_date=EXPIRY, notes="受益人索赔函 2026-08")
        # No bank, no credit line: the company pays the whole sum claimed.
        assert (c.claimed_amount, c.interest, c.penalty, c.bank_share, c.payable_amount) == (
            Decimal("600000.00"), Decimal("0.00"), Decimal("0.00"), Decimal("0.00"), Decimal("600000.00"))
    _approve(gw, c)
    with gw.acting("fin") as (s, a):
        rec = comp.pay(s, a, c.id, paid_on=TODAY)
        assert rec.paid == Decimal("600000.00")
    with gw.session() as s:
        row = s.scalars(select(GuaranteeProject).where(GuaranteeProject.id == p.id)).one()
        assert (row.status, row.in_force_balance) == ("compensated", Decimal("0.00"))
        kinds = {e.kind: e.amount for e in s.scalars(select(GuaranteeLedgerEntry)
                                                      .where(GuaranteeLedgerEntry.project_id == p.id))}
        assert kinds == {"loan": Decimal("600000.00"), "compensation": Decimal("600000.00")}


def test_a_financing_claimant_is_the_bank_and_its_expiry_is_not_checked(gw):
    with gw.acting("fin") as (s, a):
        bank, _ = make_bank(s, name="工商银行某支行")
        p = make_project(s, a, gw.customers["corp"], bank=bank, status="effective", effective_date=EFFECTIVE,
                         in_force_balance=Decimal("500000.00"), expiry_date=EXPIRY)
        c = comp.claim(s, a, p.id, amount="100000", claim_date=TODAY)
        assert c.claimant == "工商银行某支行"
