"""Compensation (代偿) and recovery (追偿): claim -> decision by another person -> payment (in-force balance, credit
line, receivable, event) -> recovery actions -> loss write-off by another person; exact figures, typed refusals,
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
from surety.core.testing import TEST_PASSWORD
from surety.plugins.guarantee import banks, compensation as comp
from surety.plugins.guarantee.compensation_models import GuaranteeCompensation
from surety.plugins.guarantee.models import GuaranteeCreditLine, GuaranteeProject
from surety.plugins.guarantee.testing import make_bank, make_project

D = dt.date


def _effective(s, a, gw, *, balance="2000000.00", reserve=True):
    bank, line = make_bank(s)
    p = make_project(s, a, gw.customers["corp"], bank=bank, amount="3000000.00", status="effective",
                     in_force_balance=Decimal(balance), effective_date=D(2026, 1, 10))
    if reserve:
        banks.reserve(s, p)  # as the approval's credit-line check does
    return p, line


def _events(s, name):
    return [e.payload for e in s.scalars(select(OutboxEvent).where(OutboxEvent.event_type == name))]


def test_claim_decide_pay_recover_write_off(gw):
    with gw.acting("fin") as (s, a):
        p, line = _effective(s, a, gw)
        c = comp.claim(s, a, p.id, amount="1500000", claim_date=D(2026, 6, 1), notes=" 银行 代偿通知 ")
        assert (c.status, c.claimed_amount, c.notes) == ("claimed", Decimal("1500000.00"), "银行 代偿通知")
        with pytest.raises(PermissionDenied):  # the recorder cannot decide their own claim
            comp.decide(s, a, c.id, approve=True)
        with pytest.raises(Conflict):  # not approved yet
            comp.pay(s, a, c.id, amount="1500000", paid_on=D(2026, 6, 5))
        with pytest.raises(Conflict) as twice:
            comp.claim(s, a, p.id, amount="1", claim_date=D(2026, 6, 2))
        assert twice.value.field == "project_id"
    with gw.acting("admin") as (s, a):
        comp.decide(s, a, c.id, approve=True, comment="ok")
    with gw.acting("fin") as (s, a):
        with pytest.raises(ValidationFailed) as over:
            comp.pay(s, a, c.id, amount="1500000.01", paid_on=D(2026, 6, 5))
        assert over.value.field == "amount"
        with pytest.raises(ValidationFailed) as early:
            comp.pay(s, a, c.id, amount="100", paid_on=D(2026, 5, 31))
        assert early.value.field == "paid_on"
        rec = comp.pay(s, a, c.id, amount="1234567.89", paid_on=D(2026, 6, 5))
        rid = rec.id
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
            "in_force_balance": "765432.11"}]
        actions = {r.action for r in s.scalars(select(AuditRecord).where(AuditRecord.entity_id == str(c.id)))}
        assert actions == {"guarantee.compensation.claimed", "guarantee.compensation.decided",
                           "guarantee.compensation.paid"}

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
        with pytest.raises(ValidationFailed) as no_reason:
            comp.propose_write_off(s, a, rid, reason="  ")
        assert no_reason.value.field == "reason"
        with pytest.raises(Conflict):  # nothing proposed yet
            comp.write_off(s, a, rid)
        comp.propose_write_off(s, a, rid, reason="借款人破产清算完毕")
        with pytest.raises(PermissionDenied):
            comp.write_off(s, a, rid)
    with gw.acting("admin") as (s, a):
        done = comp.write_off(s, a, rid, written_off_on=D(2026, 11, 30))
        assert (done.status, done.written_off, done.outstanding) == ("closed", Decimal("234567.79"), Decimal("0.00"))
    with gw.acting("fin") as (s, a):
        with pytest.raises(Conflict):
            comp.record_recovery(s, a, rid, kind="lawsuit", amount="1", notes="late")
        view = comp.compensation_of(s, a, p.id)
        assert view.totals() == {"paid": Decimal("1234567.89"), "recovered": Decimal("1000000.10"),
                                 "written_off": Decimal("234567.79"), "outstanding": Decimal("0.00")}
        assert [x.kind for x in view.receivables[0].actions] == ["negotiation", "collateral_disposal"]
        assert _events(s, "GuaranteeRecovered") == [{
            "project_id": str(p.id), "receivable_id": str(rid), "action_id": str(view.receivables[0].actions[1].id),
            "kind": "collateral_disposal", "amount": "1000000.10", "recovered_on": "2026-09-01",
            "outstanding": "234567.79"}]
        assert _events(s, "GuaranteeLossWrittenOff") == [{
            "project_id": str(p.id), "receivable_id": str(rid), "amount": "234567.79",
            "written_off_on": "2026-11-30"}]


def test_full_recovery_closes_and_rejection(gw):
    with gw.acting("fin") as (s, a):
        p, _ = _effective(s, a, gw, reserve=False)
        c = comp.claim(s, a, p.id, amount="500000", claim_date=D(2026, 6, 1))
    with gw.acting("admin") as (s, a):
        with pytest.raises(ValidationFailed) as why:
            comp.decide(s, a, c.id, approve=False)
        assert why.value.field == "comment"
        comp.decide(s, a, c.id, approve=False, comment="不属于保证责任范围")
        with pytest.raises(Conflict):
            comp.decide(s, a, c.id, approve=True)
    with gw.acting("fin") as (s, a):
        c2 = comp.claim(s, a, p.id, amount="500000", claim_date=D(2026, 7, 1))  # a rejected claim blocks nothing
    with gw.acting("admin") as (s, a):
        comp.decide(s, a, c2.id, approve=True)
        rec = comp.pay(s, a, c2.id, amount="500000", paid_on=D(2026, 7, 2))  # no credit line held: nothing released
        comp.record_recovery(s, a, rec.id, kind="enforcement", amount="500000.00", action_date=D(2026, 8, 1))
        assert (rec.status, rec.recovered, rec.outstanding, rec.closed_on) == (
            "closed", Decimal("500000.00"), Decimal("0.00"), D(2026, 8, 1))
        view = comp.compensation_of(s, a, p.id)
        assert view.project.in_force_balance == Decimal("1500000.00")
        assert [x.status for x in view.claims] == ["rejected", "compensated"]


def test_claim_refusals_and_roles(gw):
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
        assert "is contracted" in not_effective.value.message
        with pytest.raises(NotFound):
            comp.claim(s, a, uuid.uuid4(), amount="1")
        with pytest.raises(NotFound):
            comp.decide(s, a, uuid.uuid4(), approve=True)
        with pytest.raises(NotFound):
            comp.record_recovery(s, a, uuid.uuid4(), kind="lawsuit", notes="x")
    for who in ("mgr", "risk", "legal"):
        with gw.acting(who) as (s, a):
            with pytest.raises(PermissionDenied):
                comp.claim(s, a, p.id, amount="1")


# ---------------------------------------------------------------- GraphQL ------------------------------------------


@pytest.fixture
def comp_api(api):
    return api


def g(type_name, value):
    return relay.to_base64(type_name, str(value))


ERR = "errors { code field message }"
CLAIM = f"""mutation($i: GuaranteeCompensationClaimInput!) {{ guaranteeCompensationClaim(input: $i) {{
  compensation {{ id status claimedAmount claimDate }} {ERR} }} }}"""
DECIDE = f"""mutation($i: GuaranteeCompensationDecideInput!) {{ guaranteeCompensationDecide(input: $i) {{
  compensation {{ id status }} {ERR} }} }}"""
PAY = f"""mutation($i: GuaranteeCompensationPayInput!) {{ guaranteeCompensationPay(input: $i) {{
  receivable {{ id paid outstanding status }} {ERR} }} }}"""
RECOVER = f"""mutation($i: GuaranteeRecoveryRecordInput!) {{ guaranteeRecoveryRecord(input: $i) {{
  receivable {{ recovered outstanding }} {ERR} }} }}"""
PROPOSE = f"""mutation($i: GuaranteeLossWriteOffProposeInput!) {{ guaranteeLossWriteOffPropose(input: $i) {{
  receivable {{ writeOffReason }} {ERR} }} }}"""
WRITE_OFF = f"""mutation($i: GuaranteeLossWriteOffInput!) {{ guaranteeLossWriteOff(input: $i) {{
  receivable {{ status writtenOff outstanding }} {ERR} }} }}"""
QUERY = """query($p: ID!) { guaranteeCompensation(projectId: $p) { inForceBalance paid recovered writtenOff
  outstanding claims { status paidAmount } receivables { paid recovered writtenOff outstanding status
  actions { kind amount notes actionDate } } } }"""


def test_compensation_api(comp_api, gw):
    api = comp_api
    with gw.acting("fin") as (s, a):
        p, _ = _effective(s, a, gw)
    slug = gw.tenant.slug
    fin, admin, mgr = (api.login(slug, u, TEST_PASSWORD) if u != "admin" else api.login(slug, u, "Correct-Horse-9")
                       for u in ("fin", "admin", "mgr"))
    pid = g("GuaranteeProject", p.id)
    denied = api(CLAIM, {"i": {"projectId": pid, "amount": "1"}}, token=mgr)["data"]["guaranteeCompensationClaim"]
    assert denied["errors"][0]["code"] == "FORBIDDEN" and denied["compensation"] is None
    too_much = api(CLAIM, {"i": {"projectId": pid, "amount": "2000000.01", "claimDate": "2026-06-01"}},
                   token=fin)["data"]["guaranteeCompensationClaim"]
    assert too_much["errors"][0]["field"] == "amount" and too_much["errors"][0]["code"] == "VALIDATION_FAILED"
    made = api(CLAIM, {"i": {"projectId": pid, "amount": "800000", "claimDate": "2026-06-01"}},
               token=fin)["data"]["guaranteeCompensationClaim"]
    assert made["errors"] == [] and made["compensation"]["status"] == "claimed"
    cid = made["compensation"]["id"]
    self_ok = api(DECIDE, {"i": {"compensationId": cid, "approve": True}}, token=fin)["data"]
    assert self_ok["guaranteeCompensationDecide"]["errors"][0]["code"] == "FORBIDDEN"
    ok = api(DECIDE, {"i": {"compensationId": cid, "approve": True}}, token=admin)["data"]
    assert ok["guaranteeCompensationDecide"]["compensation"]["status"] == "approved"
    paid = api(PAY, {"i": {"compensationId": cid, "amount": "800000", "paidOn": "2026-06-03"}},
               token=fin)["data"]["guaranteeCompensationPay"]
    assert paid["errors"] == [] and paid["receivable"]["paid"] == "800000.00"
    rid = paid["receivable"]["id"]
    got = api(RECOVER, {"i": {"receivableId": rid, "kind": "lawsuit", "amount": "300000.5", "notes": "判决执行",
                              "actionDate": "2026-07-01"}}, token=fin)["data"]["guaranteeRecoveryRecord"]
    assert got["errors"] == [] and got["receivable"] == {"recovered": "300000.50", "outstanding": "499999.50"}
    over = api(RECOVER, {"i": {"receivableId": rid, "kind": "lawsuit", "amount": "499999.51", "notes": "x"}},
               token=fin)["data"]["guaranteeRecoveryRecord"]
    assert over["errors"][0]["field"] == "amount"
    api(PROPOSE, {"i": {"receivableId": rid, "reason": "无可执行财产"}}, token=fin)
    mine = api(WRITE_OFF, {"i": {"receivableId": rid}}, token=fin)["data"]["guaranteeLossWriteOff"]
    assert mine["errors"][0]["code"] == "FORBIDDEN"
    done = api(WRITE_OFF, {"i": {"receivableId": rid, "writtenOffOn": "2026-11-30"}},
               token=admin)["data"]["guaranteeLossWriteOff"]
    assert done["receivable"] == {"status": "closed", "writtenOff": "499999.50", "outstanding": "0.00"}
    view = api(QUERY, {"p": pid}, token=fin)["data"]["guaranteeCompensation"]
    assert {k: view[k] for k in ("inForceBalance", "paid", "recovered", "writtenOff", "outstanding")} == {
        "inForceBalance": "1200000.00", "paid": "800000.00", "recovered": "300000.50", "writtenOff": "499999.50",
        "outstanding": "0.00"}
    assert view["claims"] == [{"status": "compensated", "paidAmount": "800000.00"}]
    assert view["receivables"][0]["actions"] == [
        {"kind": "lawsuit", "amount": "300000.50", "notes": "判决执行", "actionDate": "2026-07-01"}]


def test_compensation_and_release_share_what_the_project_holds_on_its_line(gw):
    """A compensation and a later release give back at most what was reserved, never the same yuan twice."""
    from surety.plugins.guarantee import release as rel

    with gw.acting("fin") as (s, a):
        p, line = _effective(s, a, gw, balance="3000000.00")
        c = comp.claim(s, a, p.id, amount="1000000", claim_date=D(2026, 6, 1))
    with gw.acting("admin") as (s, a):
        comp.decide(s, a, c.id, approve=True, comment="ok")
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
