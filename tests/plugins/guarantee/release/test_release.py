"""Repayments and release (解保): repayments lower the in-force balance; a partial release gives part back to the
credit line; a full release (repaid or term ended) closes the project, gives the line back and refunds the margin,
and records the released amount (解保金额) including what the repayments paid off; bad input, other statuses, other
roles and data scope are refused with typed errors; GraphQL is thin (releases are requested there and executed by
their approval: test_release_approval.py)."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from sqlalchemy import select
from strawberry import relay

from surety.core.audit.models import AuditRecord
from surety.core.authz.matrix import set_grant
from surety.core.errors import NotFound, PermissionDenied, ValidationFailed
from surety.core.events_models import OutboxEvent
from surety.core.workflow.engine import business_today
from surety.plugins.guarantee.finance import banks, fees
from surety.plugins.guarantee.finance.loans import confirm_loan
from surety.plugins.guarantee.finance.models import GuaranteeFeeItem, GuaranteeFeeRefund
from surety.plugins.guarantee.project.models import GuaranteeCreditLine, GuaranteeProject
from surety.plugins.guarantee.release import releases as rel
from surety.plugins.guarantee.release.models import GuaranteeRelease, GuaranteeRepayment
from surety.plugins.guarantee.testing import make_bank, make_project

TODAY = business_today()
START = TODAY - dt.timedelta(days=400)


def effective(gw, *, amount="3000000.00", loan="2800000.00", ended=False, margin="300000.00", line=True):
    """An effective project reserved on a fresh bank line (amount reserved), margin plan received in full."""
    end = TODAY - dt.timedelta(days=30) if ended else TODAY + dt.timedelta(days=300)
    with gw.acting("fin") as (s, a):
        bank, ln = make_bank(s, total="10000000.00" if line else None)
        p = make_project(s, a, gw.customers["corp"], bank=bank, amount=amount, status="contracted")
        if line:
            banks.reserve(s, p)
        if margin:
            fees.set_plan(s, a, p.id, guarantee_fee_method="rate", guarantee_fee_rate="0.015", margin_amount=margin,
                          start_date=START)
            item = s.scalars(select(GuaranteeFeeItem).where(GuaranteeFeeItem.project_id == p.id,
                                                            GuaranteeFeeItem.fee_type == "margin")).one()
            fees.receive(s, a, item.id, margin, received_on=START)
        confirm_loan(s, a, p.id, loan_contract_no="JK-1", loan_amount=loan, start_date=START, end_date=end,
                     rate="0.0435")
        return p.id, ln.id if ln else None


def fresh(gw, model, row_id):
    with gw.session() as s:
        return s.scalars(select(model).where(model.id == row_id)).one()


def payloads(gw, event_type):
    with gw.session() as s:
        return [e.payload for e in s.scalars(select(OutboxEvent).where(OutboxEvent.event_type == event_type)
                                              .order_by(OutboxEvent.id))]


def test_repayments_then_full_release_when_repaid(gw):
    pid, line_id = effective(gw)
    assert fresh(gw, GuaranteeCreditLine, line_id).used == Decimal("3000000.00")
    with gw.acting("fin") as (s, a):
        r1 = rel.record_repayment(s, a, pid, "800000.00", repaid_on=TODAY - dt.timedelta(days=10), reference=" R1 ")
        r2 = rel.record_repayment(s, a, pid, "2000000", reference="R2")
        assert (r1.balance_after, r2.balance_after, r1.reference, r2.repaid_on) == (
            Decimal("2000000.00"), Decimal("0.00"), "R1", TODAY)
    assert fresh(gw, GuaranteeProject, pid).in_force_balance == Decimal("0.00")
    # Repayments do not give the line back: that is the release.
    assert fresh(gw, GuaranteeCreditLine, line_id).used == Decimal("3000000.00")
    assert payloads(gw, "GuaranteeRepaymentRecorded")[0] == {
        "project_id": str(pid), "repayment_id": str(r1.id), "amount": "800000.00", "balance_after": "2000000.00",
        "repaid_on": (TODAY - dt.timedelta(days=10)).isoformat()}

    with gw.acting("fin") as (s, a):
        row = rel.release(s, a, pid, kind="full", note="bank notice")
        assert (row.kind, row.reason, row.amount, row.balance_after, row.released_on) == (
            "full", "repaid", Decimal("0.00"), Decimal("0.00"), TODAY)
        # The released amount: nothing left in force, but the repayments' 2,800,000.00 is discharged now.
        assert row.released_amount == Decimal("2800000.00")
        assert (row.line_released, row.margin_refunded, row.credit_line_id) == (
            Decimal("3000000.00"), Decimal("300000.00"), line_id)
    p = fresh(gw, GuaranteeProject, pid)
    assert (p.status, p.in_force_balance) == ("released", Decimal("0.00"))
    assert fresh(gw, GuaranteeCreditLine, line_id).used == Decimal("0.00")
    with gw.session() as s:
        refund = s.scalars(select(GuaranteeFeeRefund).where(GuaranteeFeeRefund.project_id == pid)).one()
        assert (refund.fee_type, refund.amount, refund.refunded_on) == ("margin", Decimal("300000.00"), TODAY)
        item = s.scalars(select(GuaranteeFeeItem).where(GuaranteeFeeItem.id == refund.item_id)).one()
        assert item.refunded == item.received == Decimal("300000.00")
        audit = s.scalars(select(AuditRecord).where(AuditRecord.action == "guarantee.project.released")).one()
        assert audit.before["status"] == "effective" and audit.after["status"] == "released"
        assert len(s.scalars(select(AuditRecord).where(AuditRecord.action == "guarantee.repayment.recorded")).all()) == 2
    assert payloads(gw, "GuaranteeReleased") == [{
        "project_id": str(pid), "project_no": p.project_no, "release_id": str(row.id), "kind": "full",
        "released_amount": "2800000.00", "balance_released": "0.00", "balance_after": "0.00",
        "line_released": "3000000.00",
        "margin_refunded": "300000.00", "released_on": TODAY.isoformat()}]
    assert payloads(gw, "GuaranteeFeeRefunded")[0]["amount"] == "300000.00"
    # A released project takes no more repayments or releases.
    with gw.acting("fin") as (s, a):
        with pytest.raises(rel.ProjectNotEffective) as e:
            rel.release(s, a, pid, kind="full")
        assert e.value.field == "project_id" and "released" in e.value.message
        with pytest.raises(rel.ProjectNotEffective):
            rel.record_repayment(s, a, pid, "1")


def test_partial_then_full_release_after_term(gw):
    pid, line_id = effective(gw, ended=True, margin="100000.00")
    with gw.acting("fin") as (s, a):
        fees_item = s.scalars(select(GuaranteeFeeItem).where(GuaranteeFeeItem.project_id == pid,
                                                             GuaranteeFeeItem.fee_type == "margin")).one()
        fees.refund(s, a, fees_item.id, "40000.00", reason="early part")  # margin partly refunded already
        part = rel.release(s, a, pid, kind="partial", amount="500000.00")
        assert (part.reason, part.amount, part.balance_after, part.line_released, part.margin_refunded) == (
            "partial", Decimal("500000.00"), Decimal("2300000.00"), Decimal("500000.00"), Decimal("0.00"))
    assert fresh(gw, GuaranteeProject, pid).status == "effective"
    assert fresh(gw, GuaranteeCreditLine, line_id).used == Decimal("2500000.00")
    with gw.acting("fin") as (s, a):
        full = rel.release(s, a, pid, kind="full")  # the term ended: balance still 2.3m
        assert (full.reason, full.amount, full.balance_after) == ("term_ended", Decimal("2300000.00"), Decimal("0.00"))
        assert (full.line_released, full.margin_refunded) == (Decimal("2500000.00"), Decimal("60000.00"))
        assert [r.kind for r in rel.releases(s, a, pid)] == ["partial", "full"]
    assert fresh(gw, GuaranteeCreditLine, line_id).used == Decimal("0.00")
    assert [(e["released_amount"], e["balance_released"]) for e in payloads(gw, "GuaranteeReleased")] == [
        ("500000.00", "500000.00"), ("2300000.00", "2300000.00")]
    assert (part.released_amount, full.released_amount) == (Decimal("500000.00"), Decimal("2300000.00"))


def test_release_without_line_or_margin(gw):
    pid, _ = effective(gw, margin=None, line=False)
    with gw.acting("fin") as (s, a):
        rel.record_repayment(s, a, pid, "2800000.00")
        row = rel.release(s, a, pid, kind="full", released_on=TODAY - dt.timedelta(days=1))
        assert (row.credit_line_id, row.line_released, row.margin_refunded) == (None, Decimal("0.00"),
                                                                               Decimal("0.00"))
        assert [r.amount for r in rel.repayments(s, a, pid)] == [Decimal("2800000.00")]


def test_bad_input_statuses_and_roles(gw):
    pid, line_id = effective(gw)
    with gw.acting("fin") as (s, a):
        future, early = TODAY + dt.timedelta(days=1), START - dt.timedelta(days=1)
        for kw, field in [(dict(amount="0"), "amount"), (dict(amount="-5"), "amount"), (dict(amount=1.5), "amount"),
                          (dict(amount="1.001"), "amount"), (dict(amount="x"), "amount"),
                          (dict(amount="1", repaid_on=future), "repaid_on"),
                          (dict(amount="1", repaid_on=early), "repaid_on"),
                          (dict(amount="1", reference="r" * 101), "reference")]:
            amount = kw.pop("amount")
            with pytest.raises(ValidationFailed) as e:
                rel.record_repayment(s, a, pid, amount, **kw)
            assert e.value.field == field, kw
        with pytest.raises(rel.ReleaseExceedsBalance) as e:
            rel.record_repayment(s, a, pid, "2800000.01")
        assert e.value.field == "amount" and "2,800,000.00" in e.value.message
        for kw, error, field in [
            (dict(kind="half"), ValidationFailed, "kind"),
            (dict(kind="partial"), ValidationFailed, "amount"),
            (dict(kind="partial", amount="2800000.00"), ValidationFailed, "amount"),
            (dict(kind="partial", amount="2800000.01"), rel.ReleaseExceedsBalance, "amount"),
            (dict(kind="partial", amount="1", released_on=future), ValidationFailed, "released_on"),
            (dict(kind="full", amount="100"), ValidationFailed, "amount"),
            (dict(kind="full"), rel.FullReleaseNotDue, "kind"),
        ]:
            with pytest.raises(error) as e:
                rel.release(s, a, pid, **kw)
            assert e.value.field == field, kw
        with pytest.raises(NotFound):
            rel.release(s, a, uuid.uuid4(), kind="full")
        other = make_project(s, a, gw.customers["corp"], status="contracted")
        with pytest.raises(rel.ProjectNotEffective) as e:
            rel.record_repayment(s, a, other.id, "1")
        assert e.value.code == "GUARANTEE_NOT_EFFECTIVE" and "contracted" in e.value.message
    for who in ("mgr", "viewer", "risk"):
        with gw.acting(who) as (s, a):
            with pytest.raises(PermissionDenied):
                rel.record_repayment(s, a, pid, "1")
            with pytest.raises(PermissionDenied):
                rel.release(s, a, pid, kind="partial", amount="1")
    # Nothing changed.
    assert fresh(gw, GuaranteeProject, pid).in_force_balance == Decimal("2800000.00")
    assert fresh(gw, GuaranteeCreditLine, line_id).used == Decimal("3000000.00")
    with gw.session() as s:
        assert s.scalars(select(GuaranteeRepayment)).all() == [] and s.scalars(select(GuaranteeRelease)).all() == []


def test_guarantee_release_record_is_the_permission(gw):
    """Repayments and releases need guarantee:release:record, whatever else the role holds."""

    pid, _ = effective(gw, margin=None)
    with gw.acting("admin") as (s, a):
        set_grant(s, "finance", "guarantee:release:record", False)  # finance keeps guarantee:loan:confirm
        set_grant(s, "legal", "guarantee:release:record", True)  # legal holds no guarantee:loan:confirm
    with gw.acting("fin") as (s, a):
        with pytest.raises(PermissionDenied):
            rel.record_repayment(s, a, pid, "1")
        with pytest.raises(PermissionDenied):
            rel.release(s, a, pid, kind="partial", amount="1")
    with gw.acting("legal") as (s, a):
        assert rel.record_repayment(s, a, pid, "100").balance_after == Decimal("2799900.00")
        assert rel.release(s, a, pid, kind="partial", amount="900").balance_after == Decimal("2799000.00")


# ---------------------------------------------------------------- GraphQL (through the app) ----------------------


REPAY = """mutation($i: GuaranteeRepaymentRecordInput!) { guaranteeRepaymentRecord(input: $i) {
  repayment { id amount balanceAfter repaidOn } errors { code field message } } }"""
REQUEST = """mutation($i: GuaranteeReleaseRequestInput!) { guaranteeReleaseRequest(input: $i) {
  request { id kind amount status } errors { code field } } }"""
LIST = """query($p: ID!) { guaranteeReleases(projectId: $p) { kind amount releasedAmount balanceAfter }
  guaranteeRepayments(projectId: $p) { amount } guaranteeReleaseRequests(projectId: $p) { kind amount status } }"""


def test_graphql(gw, api):
    pid, _ = effective(gw)
    gid = relay.to_base64("GuaranteeProject", pid)
    fin = api.login(gw.tenant.slug, "fin")

    def run(query, token=fin, **variables):
        body = api(query, variables, token=token)
        assert "errors" not in body, body
        return body["data"]

    bad = run(REPAY, i={"projectId": gid, "amount": "9999999"})["guaranteeRepaymentRecord"]
    assert bad["repayment"] is None and bad["errors"][0]["code"] == "GUARANTEE_RELEASE_EXCEEDS_BALANCE"
    ok = run(REPAY, i={"projectId": gid, "amount": "800000", "reference": "R1"})["guaranteeRepaymentRecord"]
    assert ok["errors"] == [] and ok["repayment"]["balanceAfter"] == "2000000.00"
    refused = run(REQUEST, i={"projectId": gid, "kind": "full"})["guaranteeReleaseRequest"]
    assert refused["errors"] == [{"code": "GUARANTEE_FULL_RELEASE_NOT_DUE", "field": "kind"}]
    part = run(REQUEST, i={"projectId": gid, "kind": "partial", "amount": "500000"})["guaranteeReleaseRequest"]
    assert part["errors"] == [] and part["request"] == {"id": part["request"]["id"], "kind": "partial",
                                                        "amount": "500000.00", "status": "in_approval"}
    with gw.acting("fin") as (s, a):
        rel.release(s, a, pid, kind="partial", amount="500000")  # what the approval runs (test_release_approval)
    listed = run(LIST, p=gid)
    assert listed == {"guaranteeReleases": [{"kind": "partial", "amount": "500000.00", "releasedAmount": "500000.00",
                                             "balanceAfter": "1500000.00"}],
                      "guaranteeRepayments": [{"amount": "800000.00"}],
                      "guaranteeReleaseRequests": [{"kind": "partial", "amount": "500000.00",
                                                    "status": "in_approval"}]}
    viewer = api.login(gw.tenant.slug, "viewer")
    denied = run(REQUEST, token=viewer, i={"projectId": gid, "kind": "partial", "amount": "1"})
    assert denied["guaranteeReleaseRequest"]["request"] is None
    assert denied["guaranteeReleaseRequest"]["errors"][0]["code"] == "FORBIDDEN"
