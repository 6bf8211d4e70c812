"""Fees: the schedule arithmetic (yearly rate, frequencies, rounding remainder on the last instalment), the plan's
rules, receipts and refunds with their events, audit and limits."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from surety.core.audit.models import AuditRecord
from surety.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from surety.core.events_models import OutboxEvent
from surety.core.workflow.engine import business_today
from surety.plugins.guarantee.finance import fees
from surety.plugins.guarantee.finance.models import GuaranteeFeeItem
from surety.plugins.guarantee.testing import make_project

D = dt.date


def test_add_months_clamps_to_month_end():
    assert fees.add_months(D(2026, 1, 31), 1) == D(2026, 2, 28)
    assert fees.add_months(D(2028, 1, 31), 1) == D(2028, 2, 29)
    assert fees.add_months(D(2026, 11, 15), 3) == D(2027, 2, 15)
    assert fees.add_months(D(2026, 3, 31), 12) == D(2027, 3, 31)


def test_schedule_monthly_remainder_goes_to_the_last():
    total = fees.guarantee_fee_total(Decimal("1000000.00"), Decimal("0.0123"), 7)  # 7175.00
    assert total == Decimal("7175.00")
    items = fees.schedule(Decimal("1000.00"), 3, "monthly", D(2026, 1, 31))
    assert [i.amount for i in items] == [Decimal("333.33"), Decimal("333.33"), Decimal("333.34")]
    assert [i.due_date for i in items] == [D(2026, 1, 31), D(2026, 2, 28), D(2026, 3, 31)]
    assert items[0].period_end == D(2026, 2, 27) and items[-1].period_end == D(2026, 4, 29)
    # Half-up: 200.00 / 3 = 66.666... -> 66.67 twice, the last takes 66.66.
    assert [i.amount for i in fees.schedule(Decimal("200.00"), 3, "monthly", D(2026, 1, 1))] == \
        [Decimal("66.67"), Decimal("66.67"), Decimal("66.66")]


def test_schedule_quarterly_partial_period_yearly_and_once():
    q = fees.schedule(Decimal("13000.00"), 13, "quarterly", D(2026, 1, 1))
    assert [i.amount for i in q] == [Decimal("3000.00")] * 4 + [Decimal("1000.00")]
    assert q[-1].due_date == D(2027, 1, 1) and q[-1].period_end == D(2027, 1, 31)
    y = fees.schedule(Decimal("10000.01"), 30, "yearly", D(2026, 6, 15))
    assert [i.amount for i in y] == [Decimal("4000.00"), Decimal("4000.00"), Decimal("2000.01")]
    assert sum(i.amount for i in y) == Decimal("10000.01") and [i.seq for i in y] == [1, 2, 3]
    (once,) = fees.schedule(Decimal("4500.00"), 12, "once", D(2026, 6, 15))
    assert (once.amount, once.due_date, once.period_end) == (Decimal("4500.00"), D(2026, 6, 15), D(2027, 6, 14))
    with pytest.raises(ValidationFailed) as err:
        fees.schedule(Decimal("100"), 12, "weekly", D(2026, 1, 1))
    assert err.value.field == "frequency"
    with pytest.raises(ValidationFailed):  # too small to split: the last instalment would be negative
        fees.schedule(Decimal("0.10"), 12, "monthly", D(2026, 1, 1))


def _approved(gw, s, a, **kw):
    return make_project(s, a, gw.customers["corp"], amount=kw.pop("amount", "2000000.00"),
                        term_months=kw.pop("term_months", 12), status=kw.pop("status", "approved"), **kw)


def test_plan_by_rate_quarterly_with_review_fee_and_margin_rate(gw):
    with gw.acting("fin") as (s, a):
        p = _approved(gw, s, a, amount="1000000.00", term_months=10)
        plan = fees.set_plan(s, a, p.id, guarantee_fee_method="rate", guarantee_fee_rate="0.02",
                             frequency="quarterly", review_fee="3000", margin_method="rate", margin_rate="0.1",
                             start_date=D(2026, 3, 1))
        # 1,000,000 x 2% x 10 / 12 = 16,666.666... -> 16,666.67
        assert plan.guarantee_fee_total == Decimal("16666.67") and plan.margin_amount == Decimal("100000.00")
        view = fees.fee_plan(s, a, p.id)
        gfee = [i for i in view.items if i.fee_type == "guarantee_fee"]
        assert [i.amount for i in gfee] == [Decimal("5000.00"), Decimal("5000.00"), Decimal("5000.00"),
                                            Decimal("1666.67")]
        assert [i.due_date for i in gfee] == [D(2026, 3, 1), D(2026, 6, 1), D(2026, 9, 1), D(2026, 12, 1)]
        assert view.totals("guarantee_fee").due == Decimal("16666.67")
        assert view.totals().due == Decimal("119666.67") and view.totals().outstanding == Decimal("119666.67")
        assert [i.fee_type for i in view.items][:3] == ["guarantee_fee", "review_fee", "margin"]


def test_plan_rules(gw):
    with gw.acting("fin") as (s, a):
        draft = make_project(s, a, gw.customers["corp"], status="in_approval")
        with pytest.raises(Conflict) as err:
            fees.set_plan(s, a, draft.id, guarantee_fee_method="fixed", guarantee_fee_amount="100")
        assert "in_approval" in err.value.message
        with pytest.raises(NotFound):
            fees.set_plan(s, a, fees.uuid.uuid4(), guarantee_fee_method="fixed", guarantee_fee_amount="100")
        p = _approved(gw, s, a)
        cases = [
            (dict(guarantee_fee_method="rate"), "guarantee_fee_rate"),
            (dict(guarantee_fee_method="rate", guarantee_fee_rate="0"), "guarantee_fee_rate"),
            (dict(guarantee_fee_method="rate", guarantee_fee_rate="1.2"), "guarantee_fee_rate"),
            (dict(guarantee_fee_method="rate", guarantee_fee_rate="0.01", guarantee_fee_amount="5"),
             "guarantee_fee_amount"),
            (dict(guarantee_fee_method="fixed"), "guarantee_fee_amount"),
            (dict(guarantee_fee_method="fixed", guarantee_fee_amount="-1"), "guarantee_fee_amount"),
            (dict(guarantee_fee_method="percent", guarantee_fee_amount="1"), "guarantee_fee_method"),
            (dict(guarantee_fee_method="fixed", guarantee_fee_amount="1", frequency="daily"), "frequency"),
            (dict(guarantee_fee_method="fixed", guarantee_fee_amount="1", review_fee="-3"), "review_fee"),
            (dict(guarantee_fee_method="fixed", guarantee_fee_amount="1", margin_amount="-3"), "margin_amount"),
        ]
        for kw, field in cases:
            with pytest.raises(ValidationFailed) as bad:
                fees.set_plan(s, a, p.id, **kw)
            assert bad.value.field == field, (kw, bad.value)
    with gw.acting("mgr") as (s, a):
        with pytest.raises(PermissionDenied):
            fees.set_plan(s, a, p.id, guarantee_fee_method="fixed", guarantee_fee_amount="100")


def test_receipts_refunds_events_and_replan_refused(gw):
    with gw.acting("fin") as (s, a):
        p = _approved(gw, s, a, status="contracted")
        fees.set_plan(s, a, p.id, guarantee_fee_method="fixed", guarantee_fee_amount="12000", frequency="monthly",
                      margin_amount="50000.00")
        # Replacing the plan before any receipt is fine and regenerates the schedule.
        fees.set_plan(s, a, p.id, guarantee_fee_method="fixed", guarantee_fee_amount="30000", frequency="once",
                      margin_amount="50000.00", review_fee="2000")
        view = fees.fee_plan(s, a, p.id)
        assert sorted((i.fee_type, i.amount) for i in view.items) == [
            ("guarantee_fee", Decimal("30000.00")), ("margin", Decimal("50000.00")), ("review_fee", Decimal("2000.00"))]
        assert view.plan.start_date == business_today()
        gfee, = (i for i in view.items if i.fee_type == "guarantee_fee")
        margin, = (i for i in view.items if i.fee_type == "margin")

    with gw.acting("mgr") as (s, a):
        with pytest.raises(PermissionDenied):
            fees.receive(s, a, gfee.id, "100")
    with gw.acting("fin") as (s, a):
        r1 = fees.receive(s, a, gfee.id, "10000.00", received_on=D(2026, 1, 5), reference="slip 1")
        fees.receive(s, a, gfee.id, Decimal("20000"))
        with pytest.raises(ValidationFailed) as over:
            fees.receive(s, a, gfee.id, "0.01")
        assert over.value.field == "amount" and "Only 0.00 yuan is outstanding" in over.value.message
        for bad, field in (("0", "amount"), ("-5", "amount")):
            with pytest.raises(ValidationFailed) as err:
                fees.receive(s, a, margin.id, bad)
            assert err.value.field == field
        with pytest.raises(ValidationFailed) as future:
            fees.receive(s, a, margin.id, "1", received_on=business_today() + dt.timedelta(days=1))
        assert future.value.field == "received_on"
        with pytest.raises(NotFound):
            fees.receive(s, a, fees.uuid.uuid4(), "1")
        fees.receive(s, a, margin.id, "50000")
        with pytest.raises(Conflict) as replan:
            fees.set_plan(s, a, p.id, guarantee_fee_method="fixed", guarantee_fee_amount="1")
        assert "already been received" in replan.value.message

        with pytest.raises(ValidationFailed) as no_reason:
            fees.refund(s, a, margin.id, "100", reason="  ")
        assert no_reason.value.field == "reason"
        fees.refund(s, a, margin.id, "30000", reason="margin refund on release")
        with pytest.raises(ValidationFailed) as too_much:
            fees.refund(s, a, margin.id, "20000.01", reason="rest")
        assert "Only 20,000.00 yuan can be refunded" in too_much.value.message
        fees.refund(s, a, margin.id, "20000", reason="rest")
        view = fees.fee_plan(s, a, p.id)
        assert view.totals().received == Decimal("80000.00") and view.totals().refunded == Decimal("50000.00")
        assert view.totals().outstanding == Decimal("2000.00")  # the review fee
        assert [r.amount for r in view.receipts] == [Decimal("10000.00"), Decimal("20000.00"), Decimal("50000.00")]
        assert view.receipts[0].reference == "slip 1" and len(view.refunds) == 2

        events = s.scalars(select(OutboxEvent).where(OutboxEvent.event_type.like("GuaranteeFee%"))
                           .order_by(OutboxEvent.occurred_at)).all()
        received = [e.payload for e in events if e.event_type == "GuaranteeFeeReceived"]
        refunded = [e.payload for e in events if e.event_type == "GuaranteeFeeRefunded"]
        assert [(e["fee_type"], e["amount"]) for e in received] == [
            ("guarantee_fee", "10000.00"), ("guarantee_fee", "20000.00"), ("margin", "50000.00")]
        assert received[0]["receipt_id"] == str(r1.id) and received[0]["received_on"] == "2026-01-05"
        assert [(e["fee_type"], e["amount"]) for e in refunded] == [("margin", "30000.00"), ("margin", "20000.00")]
        actions = s.scalars(select(AuditRecord.action).where(AuditRecord.entity_type.like("guarantee:fee%"))).all()
        assert actions.count("guarantee.fee.received") == 3 and actions.count("guarantee.fee.refunded") == 2
        assert actions.count("guarantee.fee_plan.set") == 2
        stored = s.scalars(select(GuaranteeFeeItem).where(GuaranteeFeeItem.id == margin.id)).one()
        assert (stored.received, stored.refunded) == (Decimal("50000.00"), Decimal("50000.00"))


def test_a_fee_plan_is_seen_only_by_those_who_see_the_project(gw):
    with gw.acting("mgr") as (s, a):
        p = make_project(s, a, gw.customers["corp"], status="approved")
    with gw.acting("fin") as (s, a):
        fees.set_plan(s, a, p.id, guarantee_fee_method="fixed", guarantee_fee_amount="12000.00", frequency="once",
                      start_date=D(2026, 3, 1))
    with gw.acting("mgr") as (s, a):  # the project's lead manager
        assert fees.fee_plan(s, a, p.id).totals().due == Decimal("12000.00")
    with gw.acting("mgr2") as (s, a), pytest.raises(NotFound):  # another manager: own-scope, not theirs
        fees.fee_plan(s, a, p.id)
