"""Vouchers written from domain events in the event's transaction: the guarantee plugin's fee receipts (a voucher
that cannot be written rolls the receipt back), the default rules of the guarantee and microloan events, events
without a rule, tenant-edited rules, and the backfill of events already in the outbox (once)."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from surety.core.errors import ValidationFailed
from surety.core.events import raise_event
from surety.core.events_models import OutboxEvent
from surety.plugins.customers.records import create_customer
from surety.plugins.customers.testing import corporate
from surety.plugins.finance.accounts.services import update_account
from surety.plugins.finance.rules import services as rules
from surety.plugins.finance.testing import AnyEvent as Event
from surety.plugins.finance.vouchers import services as vouchers
from surety.plugins.finance.vouchers.models import FinanceVoucher
from surety.plugins.guarantee.finance import fees
from surety.plugins.guarantee.finance.models import GuaranteeFeeItem, GuaranteeFeeReceipt
from surety.plugins.guarantee.testing import make_project
from surety.tenants.service import enable_plugin, sync_tenant

D = dt.date(2026, 11, 20)


def _lines(s, voucher):
    return [(x.account_code, x.debit, x.credit) for x in vouchers.lines_of(s, [voucher.id])[voucher.id]]


def _voucher_of(s, event_type):
    return s.scalars(select(FinanceVoucher).where(FinanceVoucher.source_event_type == event_type)
                     .order_by(FinanceVoucher.created_at)).all()


def _project_with_plan(w):
    with w.acting("admin") as (s, a):
        customer = create_customer(s, a, "corporate", corporate(7)).id
    with w.acting("fin") as (s, a):
        p = make_project(s, a, customer, amount="1000000.00", term_months=12, status="approved")
        fees.set_plan(s, a, p.id, guarantee_fee_method="rate", guarantee_fee_rate="0.02", frequency="once",
                      review_fee="3000", margin_method="fixed", margin_amount="100000", start_date=D)
        items = {i.fee_type: i.id for i in s.scalars(select(GuaranteeFeeItem)
                                                     .where(GuaranteeFeeItem.project_id == p.id))}
    return p.id, items


def test_fee_receipts_write_vouchers_in_their_transaction(fgw):
    project, items = _project_with_plan(fgw)
    with fgw.acting("fin") as (s, a):
        fees.receive(s, a, items["guarantee_fee"], "20000", received_on=D)
        fees.receive(s, a, items["review_fee"], "3000", received_on=D)
        fees.receive(s, a, items["margin"], "100000", received_on=D)
    with fgw.acting("fin") as (s, a):
        fee, review, margin = _voucher_of(s, "GuaranteeFeeReceived")
        assert _lines(s, fee) == [("1002", Decimal("20000.00"), 0), ("2401", 0, Decimal("20000.00"))]
        assert _lines(s, review) == [("1002", Decimal("3000.00"), 0), ("6051", 0, Decimal("3000.00"))]
        assert _lines(s, margin) == [("1002", Decimal("100000.00"), 0), ("2002", 0, Decimal("100000.00"))]
        assert [v.number for v in (fee, review, margin)] == ["记-0001", "记-0002", "记-0003"]
        assert (fee.voucher_date, fee.status, fee.maker_id, fee.summary) == (D, "draft", None, "收到guarantee_fee")
        assert {x.project_id for x in vouchers.lines_of(s, [fee.id])[fee.id]} == {project}
        outbox = s.scalars(select(OutboxEvent.id).where(OutboxEvent.event_type == "GuaranteeFeeReceived")).all()
        assert sorted(v.source_event_id for v in (fee, review, margin)) == sorted(outbox)
        fees.refund(s, a, items["margin"], "40000", reason="提前解保", refunded_on=D)
        (refund,) = _voucher_of(s, "GuaranteeFeeRefunded")
        assert _lines(s, refund) == [("2002", Decimal("40000.00"), 0), ("1002", 0, Decimal("40000.00"))]


def test_a_voucher_that_cannot_be_written_rolls_the_receipt_back(fgw):
    _project, items = _project_with_plan(fgw)
    with fgw.acting("fin") as (s, a):
        update_account(s, a, "2401", {"active": False})  # the rule now points at an inactive account
    with pytest.raises(ValidationFailed, match="2401"):
        with fgw.acting("fin") as (s, a):
            fees.receive(s, a, items["guarantee_fee"], "20000", received_on=D)
    with fgw.acting("fin") as (s, a):
        assert s.scalar(select(func.count()).select_from(GuaranteeFeeReceipt)) == 0
        assert s.scalar(select(GuaranteeFeeItem.received).where(GuaranteeFeeItem.id == items["guarantee_fee"])) == 0
        assert s.scalar(select(func.count()).select_from(OutboxEvent)
                        .where(OutboxEvent.event_type == "GuaranteeFeeReceived")) == 0
        assert s.scalar(select(func.count()).select_from(FinanceVoucher)) == 0


def test_an_event_without_a_rule_writes_nothing(fw):
    with fw.acting("fin") as (s, a):
        raise_event(s, Event(kind="GuaranteeTookEffect", data={"loan_amount": Decimal("5")}))
        assert s.scalar(select(func.count()).select_from(FinanceVoucher)) == 0


def test_compensation_recovery_and_a_loss_written_off_against_the_reserve_first(fw):
    project, receivable = uuid.uuid4(), uuid.uuid4()
    with fw.acting("fin") as (s, a):
        vouchers.create_voucher(s, a, voucher_date=D, word="转", summary="提取担保赔偿准备金",
                                lines=[{"account": "6501", "debit": "100"}, {"account": "2602", "credit": "100"}])
        raise_event(s, Event(kind="GuaranteeCompensationPaid", data={
            "project_id": project, "receivable_id": receivable, "amount": Decimal("500"), "paid_on": D}))
        raise_event(s, Event(kind="GuaranteeRecovered", data={
            "project_id": project, "receivable_id": receivable, "kind": "collateral", "amount": Decimal("350"),
            "recovered_on": D}))
        raise_event(s, Event(kind="GuaranteeLossWrittenOff", data={
            "project_id": project, "receivable_id": receivable, "amount": Decimal("150"), "written_off_on": D}))
        (paid,) = _voucher_of(s, "GuaranteeCompensationPaid")
        assert _lines(s, paid) == [("1221", Decimal("500.00"), 0), ("1002", 0, Decimal("500.00"))]
        (recovered,) = _voucher_of(s, "GuaranteeRecovered")
        assert _lines(s, recovered) == [("1002", Decimal("350.00"), 0), ("1221", 0, Decimal("350.00"))]
        assert recovered.summary == "追偿收回（collateral）"
        (loss,) = _voucher_of(s, "GuaranteeLossWrittenOff")
        assert _lines(s, loss) == [("2602", Decimal("100.00"), 0), ("6701", Decimal("50.00"), 0),
                                   ("1221", 0, Decimal("150.00"))]


def _loan(**data):
    return {"loan_id": uuid.uuid4(), "loan_no": "XD-7", "customer_id": uuid.uuid4(), **data}


def test_the_microloan_events_by_the_microloan_chart(fw):
    repaid = _loan(repayment_id=uuid.uuid4(), received_on=D, amount=Decimal("1130"), principal=Decimal("1000"),
                   interest=Decimal("80"), fees=Decimal("20"), penalty=Decimal("10"), costs=Decimal("5"),
                   held=Decimal("15"))
    with fw.acting("fin") as (s, a):
        rules.install_chart(s, a, "microloan")
        raise_event(s, Event(kind="MicroloanDisbursed", data=_loan(amount=Decimal("10000"),
                                                                   upfront_fee=Decimal("100"), disbursed_on=D)))
        raise_event(s, Event(kind="MicroloanRepaid", data=repaid))
        raise_event(s, Event(kind="MicroloanRepaymentReversed", data={**repaid, "reversal_of": uuid.uuid4()}))
        raise_event(s, Event(kind="MicroloanInterestAccrued", data={
            "business_date": D, "interest": Decimal("50"), "penalty": Decimal("3"), "compound": Decimal("0.5")}))
        raise_event(s, Event(kind="MicroloanProvisionAdjusted", data={"business_date": D, "delta": Decimal("-40")}))
        raise_event(s, Event(kind="MicroloanWrittenOff", data=_loan(written_off_on=D, principal=Decimal("900"),
                                                                    interest=Decimal("0"))))
        raise_event(s, Event(kind="MicroloanRecovered", data=_loan(recovered_on=D, amount=Decimal("60"))))
        got = {t: [_lines(s, v) for v in _voucher_of(s, t)] for t in (
            "MicroloanDisbursed", "MicroloanRepaid", "MicroloanRepaymentReversed", "MicroloanInterestAccrued",
            "MicroloanProvisionAdjusted", "MicroloanWrittenOff", "MicroloanRecovered")}
    m = Decimal
    assert got["MicroloanDisbursed"] == [[("1303", m("10000.00"), 0), ("1002", 0, m("9900.00")),
                                          ("6021", 0, m("100.00"))]]
    assert got["MicroloanRepaid"] == [[("1002", m("1130.00"), 0), ("1303", 0, m("1000.00")), ("1132", 0, m("90.00")),
                                       ("6021", 0, m("20.00")), ("1221", 0, m("5.00")), ("2241", 0, m("15.00"))]]
    assert got["MicroloanRepaymentReversed"] == [[("1002", 0, m("1130.00")), ("1303", m("1000.00"), 0),
                                                  ("1132", m("90.00"), 0), ("6021", m("20.00"), 0),
                                                  ("1221", m("5.00"), 0), ("2241", m("15.00"), 0)]]
    assert got["MicroloanInterestAccrued"] == [[("1132", m("53.50"), 0), ("6011", 0, m("53.50"))]]
    assert got["MicroloanProvisionAdjusted"] == [[("6701", 0, m("40.00")), ("1304", m("40.00"), 0)]]
    assert got["MicroloanWrittenOff"] == [[("1304", m("900.00"), 0), ("1303", 0, m("900.00"))]]
    assert got["MicroloanRecovered"] == [[("1002", m("60.00"), 0), ("6301", 0, m("60.00"))]]


def test_a_tenant_edits_a_rule(fw):
    with fw.acting("fin") as (s, a):
        rule = rules.set_rule(s, a, "GuaranteeFeeReceived", {"word": "收", "lines": [
            {"account": "1002", "side": "debit", "amount": "amount"},
            {"account": "6031", "side": "credit", "amount": "amount", "when": {"fee_type": "guarantee_fee"}}]})
        assert rule.word == "收"
        with pytest.raises(ValidationFailed, match="No account with the code 7777"):
            rules.set_rule(s, a, "X", {"name": "x", "summary": "x", "date_field": "d",
                                       "lines": [{"account": "7777", "side": "debit", "amount": "amount"}]})
        with pytest.raises(ValidationFailed, match="Rule line 1: A rule line's side is debit or credit") as err:
            rules.set_rule(s, a, "GuaranteeFeeReceived", {"lines": [{"account": "1002", "side": "up",
                                                                     "amount": "amount"}]})
        assert err.value.field == "lines[0]"
        with pytest.raises(ValidationFailed) as err:
            rules.set_rule(s, a, "New", {"name": "n"})
        assert err.value.field == "summary"
        raise_event(s, Event(kind="GuaranteeFeeReceived", data={"project_id": uuid.uuid4(), "amount": "7",
                                                                "fee_type": "guarantee_fee", "received_on": D}))
        (v,) = _voucher_of(s, "GuaranteeFeeReceived")
        assert (v.number, _lines(s, v)) == ("收-0001", [("1002", Decimal("7.00"), 0), ("6031", 0, Decimal("7.00"))])
        rules.set_rule(s, a, "GuaranteeFeeReceived", {"active": False})
        raise_event(s, Event(kind="GuaranteeFeeReceived", data={"project_id": uuid.uuid4(), "amount": "7",
                                                                "fee_type": "guarantee_fee", "received_on": D}))
        assert len(_voucher_of(s, "GuaranteeFeeReceived")) == 1


def test_enabling_finance_and_sync_backfill_the_outbox_once(db, make_tenant, world_of):
    w = world_of(make_tenant(plugins=["customers", "guarantee"]))
    _project, items = _project_with_plan(w)
    with w.acting("fin") as (s, a):
        fees.receive(s, a, items["guarantee_fee"], "20000", received_on=D)
        fees.receive(s, a, items["margin"], "100000", received_on=dt.date(2026, 10, 3))
    enable_plugin(db, w.tenant.slug, "finance")
    sync_tenant(db, w.tenant.slug)
    with w.acting("admin") as (s, a):
        written = s.scalars(select(FinanceVoucher).order_by(FinanceVoucher.voucher_date)).all()
        assert [(v.period, v.number, v.total) for v in written] == [("2026-10", "记-0001", Decimal("100000.00")),
                                                                    ("2026-11", "记-0001", Decimal("20000.00"))]
        assert rules.backfill(s) == rules.Backfill(0, 0)
