"""Compensation components (本金/利息/罚息) within the contract's 保证范围, the bank's risk share taken off the claim,
the project's compensated state and risk class after payment, the ledger's components, the net exposure and
dashboard figures, and the GraphQL claim with components (issue 14 items 2 and 3)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select
from strawberry import relay

from surety.core.errors import Conflict, ValidationFailed
from surety.core.i18n import render_error
from surety.core.testing import TEST_PASSWORD
from surety.core.workflow.actions import act
from surety.core.workflow.models import WorkflowTask
from surety.plugins.guarantee.compensation import claims as comp
from surety.plugins.guarantee.dashboard.figures import dashboard
from surety.plugins.guarantee.finance import banks
from surety.plugins.guarantee.ledger.models import GuaranteeLedgerEntry
from surety.plugins.guarantee.project.exposure import exposure
from surety.plugins.guarantee.project.models import GuaranteeCreditLine, GuaranteeProject
from surety.plugins.guarantee.testing import make_bank, make_product, make_project
from surety.plugins.guarantee.warnings import classification
from surety.plugins.guarantee.warnings.models import GuaranteeClassificationChange

D = dt.date


def _effective(s, a, gw, *, balance="5000000.00", share="0.20", product=None, status="effective"):
    bank, line = make_bank(s, risk_share_ratio=share)
    p = make_project(s, a, gw.customers["corp"], bank=bank, amount="6000000.00", status=status, product=product,
                     in_force_balance=Decimal(balance), effective_date=D(2026, 1, 10))
    banks.reserve(s, p)
    return p, line


def _approve(gw, claim) -> None:
    for who in ("risk", "boss"):
        with gw.acting(who) as (s, a):
            task = s.scalars(select(WorkflowTask).where(WorkflowTask.instance_id == claim.workflow_instance_id,
                                                        WorkflowTask.status == "open")).first()
            act(s, a, task.id, "approve")


def _get(gw, model, row_id):
    with gw.session() as s:
        return s.scalars(select(model).where(model.id == row_id)).one()


def test_a_5_5m_claim_on_a_20_percent_line_costs_the_company_4_4m(gw):
    with gw.acting("fin") as (s, a):
        p, line = _effective(s, a, gw)
        assert comp.covered_components(s, p) == ("principal", "interest", "penalty")  # a loan product's default
        # Exposure before the default: 5,000,000.00 in force, the bank bears 20 %: the company's risk 4,000,000.00.
        assert exposure(s, [gw.customers["corp"]]) == {gw.customers["corp"]: Decimal("4000000.00")}
        assert exposure(s, [gw.customers["corp"]], net=False) == {gw.customers["corp"]: Decimal("5000000.00")}
        c = comp.claim(s, a, p.id, principal="5000000", interest="400000", penalty="100000", amount="5500000",
                       claim_date=D(2026, 6, 1))
        assert (c.principal, c.interest, c.penalty, c.claimed_amount) == (
            Decimal("5000000.00"), Decimal("400000.00"), Decimal("100000.00"), Decimal("5500000.00"))
        assert (c.bank_share_ratio, c.bank_share, c.payable_amount) == (
            Decimal("0.20000000"), Decimal("1100000.00"), Decimal("4400000.00"))
    with gw.acting("boss") as (s, a):
        board = dashboard(s, a, date_from=D(2026, 1, 1), date_to=D(2026, 6, 1))
        assert (board.in_force.balance, board.in_force.net_balance) == (Decimal("5000000.00"), Decimal("4000000.00"))
        bank_slice = [x for x in board.breakdowns["bank"] if x.key == str(p.bank_id)][0]
        assert (bank_slice.in_force_balance, bank_slice.in_force_net_balance) == (
            Decimal("5000000.00"), Decimal("4000000.00"))
    _approve(gw, c)
    with gw.acting("fin") as (s, a):
        with pytest.raises(ValidationFailed) as in_full:  # the old bug: paying the whole claim on a 20 % line
            comp.pay(s, a, c.id, amount="5500000", paid_on=D(2026, 6, 5))
        assert in_full.value.field == "amount" and "4,400,000.00" in in_full.value.message
        assert "1,100,000.00" in in_full.value.message and "20.00%" in in_full.value.message
        rec = comp.pay(s, a, c.id, amount="4400000", paid_on=D(2026, 6, 5))
        assert (rec.paid, rec.outstanding) == (Decimal("4400000.00"), Decimal("4400000.00"))
    project = _get(gw, GuaranteeProject, p.id)
    # No principal left in force: the project is compensated (已代偿), its class at least 次级, its line given back.
    assert (project.status, project.in_force_balance, project.risk_class) == ("compensated", 0, "substandard")
    assert _get(gw, GuaranteeCreditLine, line.id).used == Decimal("1000000.00")  # 6,000,000 reserved - 5,000,000
    with gw.session() as s:
        change = s.scalars(select(GuaranteeClassificationChange)
                           .where(GuaranteeClassificationChange.project_id == p.id)).one()
        assert (change.from_class, change.to_class, change.status, change.workflow_instance_id) == (
            "normal", "substandard", "approved", None)
        entry = s.scalars(select(GuaranteeLedgerEntry).where(GuaranteeLedgerEntry.project_id == p.id,
                                                             GuaranteeLedgerEntry.kind == "compensation")).one()
        assert (entry.amount, entry.principal, entry.interest, entry.penalty, entry.bank_share) == (
            Decimal("4400000.00"), Decimal("5000000.00"), Decimal("400000.00"), Decimal("100000.00"),
            Decimal("1100000.00"))
        assert exposure(s, [gw.customers["corp"]]) == {}  # nothing in force any more
    with gw.acting("boss") as (s, a):
        board = dashboard(s, a, date_from=D(2026, 6, 1), date_to=D(2026, 6, 30))
        assert (board.compensation.count, board.compensation.paid_amount, board.compensation.claimed_amount,
                board.compensation.bank_share) == (1, Decimal("4400000.00"), Decimal("5500000.00"),
                                                   Decimal("1100000.00"))
        # The in-force balance the payment ended is the principal; 代偿率 = 4,400,000 / 5,000,000.
        assert board.releases.compensated_amount == Decimal("5000000.00")
        assert board.compensation.rate == Decimal("0.880000")
    with gw.acting("risk") as (s, a), pytest.raises(ValidationFailed) as below:  # the floor holds
        classification.propose_change(s, a, p.id, to_class="special_mention", reason="已追回部分")
    assert below.value.field == "to_class" and "次级" in render_error(below.value, "zh_CN")
    assert "substandard" in below.value.message


def test_a_claim_of_part_of_the_principal_leaves_the_project_effective_but_substandard(gw):
    with gw.acting("fin") as (s, a):
        p, _ = _effective(s, a, gw, share="0.25")
        c = comp.claim(s, a, p.id, principal="1000000", interest="33333.33", claim_date=D(2026, 6, 1))
        # 1,033,333.33 x 25 % = 258,333.3325 -> 258,333.33 (half up, to the fen); the company pays the rest.
        assert (c.claimed_amount, c.bank_share, c.payable_amount) == (
            Decimal("1033333.33"), Decimal("258333.33"), Decimal("775000.00"))
    _approve(gw, c)
    with gw.acting("fin") as (s, a):
        comp.pay(s, a, c.id, paid_on=D(2026, 6, 2))
    project = _get(gw, GuaranteeProject, p.id)
    assert (project.status, project.in_force_balance, project.risk_class) == (
        "effective", Decimal("4000000.00"), "substandard")
    with gw.session() as s:
        assert classification.floor_class(s, project) == "substandard"


def test_caps_and_refusals_name_the_field_in_chinese(gw):
    with gw.acting("fin") as (s, a):
        p, _ = _effective(s, a, gw)
        cases = [(dict(principal="5000000.01"), "principal", "在保余额"),
                 (dict(principal="1", interest="-1"), "interest", "代偿利息"),
                 (dict(principal="1", penalty="0.001"), "penalty", "代偿罚息"),
                 (dict(principal="0", interest="0"), "principal", "大于 0"),
                 (dict(principal="100", interest="10", amount="111"), "amount", "不符"),
                 (dict(), "principal", "请填写")]
        for kw, field, words in cases:
            with pytest.raises(ValidationFailed) as err:
                comp.claim(s, a, p.id, claim_date=D(2026, 6, 1), **kw)
            zh = render_error(err.value, "zh_CN")
            assert (err.value.field, words in zh) == (field, True), (kw, zh)
        draft = make_project(s, a, gw.customers["corp"], status="contracted")
    # A contract covering principal and interest only (legal sets it before the guarantee takes effect).
    with gw.acting("legal") as (s, a):
        got = comp.set_covered_components(s, a, draft.id, ["interest", "principal", "interest"])
        assert comp.scope_text(comp.covered_components(s, got)) == "本金、利息"
        for bad in (["interest"], ["fees", "principal"]):
            with pytest.raises(ValidationFailed) as err:
                comp.set_covered_components(s, a, draft.id, bad)
            assert err.value.field == "covered_components"
        with pytest.raises(Conflict) as late:  # fixed once the guarantee is effective
            comp.set_covered_components(s, a, p.id, ["principal"])
        assert late.value.field == "project_id" and "生效前" in render_error(late.value, "zh_CN")
    with gw.acting("fin") as (s, a):
        draft = s.scalars(select(GuaranteeProject).where(GuaranteeProject.id == draft.id)).one()
        assert draft.covered_components == ["principal", "interest"]
        draft.status, draft.in_force_balance, draft.effective_date = "effective", Decimal("100000.00"), D(2026, 1, 10)
        s.flush()
        with pytest.raises(ValidationFailed) as penalty:
            comp.claim(s, a, draft.id, principal="100", penalty="1", claim_date=D(2026, 6, 1))
        assert penalty.value.field == "penalty" and "不含罚息" in render_error(penalty.value, "zh_CN")
        assert "not penalty interest" in penalty.value.message
        # A performance guarantee covers the guaranteed sum only (its product's default).
        bond, _ = _effective(s, a, gw, product=make_product(s, kind="performance"), share="0")
        assert comp.covered_components(s, bond) == ("principal",)
        with pytest.raises(ValidationFailed) as interest:
            comp.claim(s, a, bond.id, principal="100", interest="1", claim_date=D(2026, 6, 1))
        assert interest.value.field == "interest"


def test_a_payment_refused_when_the_principal_is_no_longer_in_force(gw):
    with gw.acting("fin") as (s, a):
        p, _ = _effective(s, a, gw, share="0")
        c = comp.claim(s, a, p.id, principal="3000000", claim_date=D(2026, 6, 1))
    _approve(gw, c)
    with gw.acting("fin") as (s, a):
        row = s.scalars(select(GuaranteeProject).where(GuaranteeProject.id == p.id)).one()
        row.in_force_balance = Decimal("2999999.99")  # a repayment reported meanwhile
        s.flush()
        with pytest.raises(Conflict) as gone:
            comp.pay(s, a, c.id, paid_on=D(2026, 6, 2))
        assert gone.value.field == "compensation_id"


CLAIM = """mutation($i: GuaranteeCompensationClaimInput!) { guaranteeCompensationClaim(input: $i) {
  compensation { id status claimedAmount principal interest penalty bankShareRatio bankShare payableAmount }
  errors { code field message } } }"""
PAY = """mutation($i: GuaranteeCompensationPayInput!) { guaranteeCompensationPay(input: $i) {
  receivable { paid outstanding } errors { code field message } } }"""
SUMMARY = """query($p: ID!) { guaranteeCompensation(projectId: $p) { projectStatus projectStatusLabel riskClass
  coveredComponents coveredComponentsText inForceBalance paid } }"""
LEDGER = """query($p: ID!) { guaranteeProjectLedger(projectId: $p) {
  entries { kind amount principal interest penalty bankShare }
  figures { compensated compensatedPrincipal compensatedInterest compensatedPenalty compensationBankShare } } }"""


def test_claim_with_components_through_graphql(api, gw):
    with gw.acting("fin") as (s, a):
        p, _ = _effective(s, a, gw)
    fin = api.login(gw.tenant.slug, "fin", TEST_PASSWORD)
    pid = relay.to_base64("GuaranteeProject", str(p.id))
    bad = api(CLAIM, {"i": {"projectId": pid, "principal": "5000000.01", "claimDate": "2026-06-01"}},
              token=fin)["data"]["guaranteeCompensationClaim"]
    assert (bad["errors"][0]["code"], bad["errors"][0]["field"]) == ("VALIDATION_FAILED", "principal")
    made = api(CLAIM, {"i": {"projectId": pid, "principal": "5000000", "interest": "400000", "penalty": "100000",
                             "amount": "5500000", "claimDate": "2026-06-01"}},
               token=fin)["data"]["guaranteeCompensationClaim"]
    assert made["errors"] == []
    got = made["compensation"]
    assert {k: got[k] for k in ("status", "claimedAmount", "principal", "interest", "penalty", "bankShareRatio",
                                "bankShare", "payableAmount")} == {
        "status": "claimed", "claimedAmount": "5500000.00", "principal": "5000000.00", "interest": "400000.00",
        "penalty": "100000.00", "bankShareRatio": "0.20000000", "bankShare": "1100000.00",
        "payableAmount": "4400000.00"}
    with gw.session() as s:
        claim = s.scalars(select(comp.GuaranteeCompensation)).one()
    _approve(gw, claim)
    paid = api(PAY, {"i": {"compensationId": got["id"], "paidOn": "2026-06-05"}},
               token=fin)["data"]["guaranteeCompensationPay"]
    assert paid == {"receivable": {"paid": "4400000.00", "outstanding": "4400000.00"}, "errors": []}
    view = api(SUMMARY, {"p": pid}, token=fin)["data"]["guaranteeCompensation"]
    assert view == {"projectStatus": "compensated", "projectStatusLabel": "已代偿", "riskClass": "substandard",
                    "coveredComponents": ["principal", "interest", "penalty"],
                    "coveredComponentsText": "本金、利息、罚息", "inForceBalance": "0.00", "paid": "4400000.00"}
    ledger = api(LEDGER, {"p": pid}, token=fin)["data"]["guaranteeProjectLedger"]
    assert [e for e in ledger["entries"] if e["kind"] == "compensation"] == [{
        "kind": "compensation", "amount": "4400000.00", "principal": "5000000.00", "interest": "400000.00",
        "penalty": "100000.00", "bankShare": "1100000.00"}]
    assert ledger["figures"] == {"compensated": "4400000.00", "compensatedPrincipal": "5000000.00",
                                 "compensatedInterest": "400000.00", "compensatedPenalty": "100000.00",
                                 "compensationBankShare": "1100000.00"}
