"""Issuance (开立保函) of a non-financing guarantee: a contracted bid/performance/... project takes effect with its
letter number, effective and expiry dates and guaranteed sum, under loan confirmation's preconditions (one helper),
raises GuaranteeTookEffect (ledger entry, inspection plan, exposure follow); loan confirmation refuses a
non-financing project and issuance a financing one; bad dates and amounts are refused naming their field."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from sqlalchemy import select

from surety.core.audit.models import AuditRecord
from surety.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from surety.core.events_models import OutboxEvent
from surety.core.notifications.models import Notification
from surety.core.workflow.engine import business_today
from surety.plugins.guarantee.finance.issuance import issue_guarantee, latest_expiry
from surety.plugins.guarantee.finance.loans import GuaranteeNotALoan, GuaranteeNotNonFinancing, confirm_loan
from surety.plugins.guarantee.ledger.models import GuaranteeLedgerEntry
from surety.plugins.guarantee.monitoring import reminders
from surety.plugins.guarantee.monitoring.inspections import find_plan
from surety.plugins.guarantee.project.conditions import GuaranteeApprovalCondition
from surety.plugins.guarantee.project.exposure import exposure
from surety.plugins.guarantee.project.models import PRODUCT_KINDS, GuaranteeProject
from surety.plugins.guarantee.testing import make_bank, make_product, make_project

TODAY = business_today()
DAY = dt.timedelta(days=1)
ISSUE = dict(effective_date=TODAY, expiry_date=TODAY + 90 * DAY, letter_no=" BH-2026 0001 ")


def _bid(s, a, gw, *, kind="bid", status="contracted", amount="800000.00", **extra):
    return make_project(s, a, gw.customers["corp"], product=make_product(s, kind=kind, requires_counter_guarantee=False),
                        amount=amount, status=status, term_months=6, **extra)


def test_non_financing_kinds():
    assert {k for k, c in PRODUCT_KINDS.items() if c == "non_financing"} == {
        "bid", "performance", "litigation", "advance_payment", "other_non_financing"}


def test_issue_puts_the_letter_in_force(gw):
    with gw.acting("fin") as (s, a):
        p = _bid(s, a, gw)
        issue_guarantee(s, a, p.id, **ISSUE)
    with gw.session() as s:
        row = s.scalars(select(GuaranteeProject).where(GuaranteeProject.id == p.id)).one()
        assert (row.status, row.letter_no, row.effective_date, row.expiry_date) == (
            "effective", "BH-2026 0001", TODAY, TODAY + 90 * DAY)
        assert (row.in_force_balance, row.loan_amount) == (Decimal("800000.00"), Decimal("800000.00"))
        # No loan: no contract number, rate or loan dates.
        assert (row.loan_contract_no, row.loan_rate, row.loan_start_date, row.loan_end_date) == (None,) * 4
        event = s.scalars(select(OutboxEvent).where(OutboxEvent.event_type == "GuaranteeTookEffect")).one()
        assert event.payload == {
            "project_id": str(p.id), "project_no": p.project_no, "customer_id": str(gw.customers["corp"]),
            "bank_id": None, "loan_amount": "800000.00", "in_force_balance": "800000.00",
            "effective_date": TODAY.isoformat(), "loan_end_date": None, "category": "non_financing",
            "expiry_date": (TODAY + 90 * DAY).isoformat()}
        record = s.scalars(select(AuditRecord).where(AuditRecord.action == "guarantee.letter.issued")).one()
        assert (record.entity_id, record.before["status"], record.after["status"]) == (
            str(p.id), "contracted", "effective")
        assert record.after["guaranteed_amount"] == "800000.00" and record.after["letter_no"] == "BH-2026 0001"
        # The listeners of GuaranteeTookEffect follow: the ledger's entry of the amount in force, the inspection
        # plan, the customer's exposure.
        entry = s.scalars(select(GuaranteeLedgerEntry).where(GuaranteeLedgerEntry.project_id == p.id)).one()
        assert (entry.kind, entry.amount, entry.entry_date) == ("loan", Decimal("800000.00"), TODAY)
        plan = find_plan(s, p.id)
        assert plan is not None and plan.active and plan.first_due > TODAY
        assert exposure(s, [gw.customers["corp"]]) == {gw.customers["corp"]: Decimal("800000.00")}
    # Issued once: a second issuance is refused, saying so.
    with gw.acting("fin") as (s, a):
        with pytest.raises(Conflict) as again:
            issue_guarantee(s, a, p.id, **ISSUE)
        assert "already issued" in again.value.message and again.value.field == "id"


def test_amount_and_letter_number(gw):
    with gw.acting("fin") as (s, a):
        p = _bid(s, a, gw, kind="performance")
        for amount in ("0", "-5", "800000.01", "abc"):
            with pytest.raises(ValidationFailed) as err:
                issue_guarantee(s, a, p.id, **{**ISSUE, "amount": amount})
            assert err.value.field == "amount", amount
        with pytest.raises(ValidationFailed) as over:
            issue_guarantee(s, a, p.id, **{**ISSUE, "amount": "800000.01"})
        assert "more than the approved guarantee amount 800,000.00 yuan" in over.value.message
        with pytest.raises(ValidationFailed) as long:
            issue_guarantee(s, a, p.id, **{**ISSUE, "letter_no": "B" * 101})
        assert long.value.field == "letter_no"
        # A smaller sum than approved is issued as given; no letter number: the project number.
        issue_guarantee(s, a, p.id, **{**ISSUE, "amount": "500000", "letter_no": "  "})
        assert (p.in_force_balance, p.loan_amount, p.letter_no) == (
            Decimal("500000.00"), Decimal("500000.00"), p.project_no)


def test_dates(gw):
    approved_at = dt.datetime.combine(TODAY - 10 * DAY, dt.time(4, 0), tzinfo=dt.UTC)  # noon in Beijing
    with gw.acting("fin") as (s, a):
        p = _bid(s, a, gw, decided_at=approved_at, submitted_at=approved_at - 20 * DAY)
        cases = [
            (dict(effective_date=None), "effective_date"),
            (dict(effective_date="2026-01-01"), "effective_date"),
            (dict(effective_date=TODAY - 11 * DAY), "effective_date"),  # before the approval
            (dict(effective_date=TODAY + 91 * DAY, expiry_date=TODAY + 120 * DAY), "effective_date"),  # far ahead
            (dict(expiry_date=None), "expiry_date"),
            (dict(expiry_date=TODAY), "expiry_date"),  # not after the effective date
            (dict(expiry_date=TODAY - DAY), "expiry_date"),
            (dict(expiry_date=latest_expiry(TODAY, 6) + DAY), "expiry_date"),  # beyond the approved 6 months
        ]
        for kw, field in cases:
            with pytest.raises(ValidationFailed) as err:
                issue_guarantee(s, a, p.id, **{**ISSUE, **kw})
            assert err.value.field == field, kw
        with pytest.raises(ValidationFailed) as beyond:
            issue_guarantee(s, a, p.id, **{**ISSUE, "expiry_date": latest_expiry(TODAY, 6) + DAY})
        assert "approved term of 6 months" in beyond.value.message
        assert latest_expiry(dt.date(2026, 8, 31), 6) == dt.date(2027, 2, 28)
        # The approval day itself and the last day of the term are accepted.
        issue_guarantee(s, a, p.id, effective_date=TODAY - 10 * DAY,
                        expiry_date=latest_expiry(TODAY - 10 * DAY, 6))
        assert (p.effective_date, p.expiry_date) == (TODAY - 10 * DAY, latest_expiry(TODAY - 10 * DAY, 6))


def test_same_preconditions_as_loan_confirmation(gw):
    with gw.acting("fin") as (s, a):
        for status in ("draft", "in_approval", "approved", "rejected", "released"):
            other = _bid(s, a, gw, status=status)
            with pytest.raises(Conflict) as err:
                issue_guarantee(s, a, other.id, **ISSUE)
            assert f"is {status}" in err.value.message and err.value.field == "id", status
        with pytest.raises(NotFound) as missing:
            issue_guarantee(s, a, uuid.uuid4(), **ISSUE)
        assert missing.value.field == "id"
        # An open review committee condition blocks issuance as it blocks a loan confirmation.
        blocked = _bid(s, a, gw)
        s.add(GuaranteeApprovalCondition(project_id=blocked.id, text="追加实际控制人连带责任保证", status="open"))
        s.flush()
        with pytest.raises(Conflict) as cond:
            issue_guarantee(s, a, blocked.id, **ISSUE)
        assert cond.value.code == "GUARANTEE_CONDITIONS_OPEN" and blocked.status == "contracted"
    for who in ("mgr", "risk", "legal"):
        with gw.acting(who) as (s, a):
            q = _bid(s, a, gw)
            with pytest.raises(PermissionDenied):
                issue_guarantee(s, a, q.id, **ISSUE)


def test_each_category_takes_effect_its_own_way(gw):
    loan = dict(loan_contract_no="JK-1", loan_amount="800000.00", start_date=TODAY, end_date=TODAY + 365 * DAY,
                rate="0.0435")
    with gw.acting("fin") as (s, a):
        bid = _bid(s, a, gw)
        with pytest.raises(GuaranteeNotALoan) as not_loan:
            confirm_loan(s, a, bid.id, **loan)
        assert (not_loan.value.code, not_loan.value.field) == ("GUARANTEE_NOT_A_LOAN", "project_id")
        assert "guaranteeIssue" in not_loan.value.message and bid.status == "contracted"
        bank, _ = make_bank(s)
        financing = make_project(s, a, gw.customers["corp"], bank=bank, amount="800000.00", status="contracted")
        with pytest.raises(GuaranteeNotNonFinancing) as not_letter:
            issue_guarantee(s, a, financing.id, **ISSUE)
        assert (not_letter.value.code, not_letter.value.field) == ("GUARANTEE_NOT_NON_FINANCING", "id")
        assert "guaranteeLoanConfirm" in not_letter.value.message and financing.status == "contracted"
        # Each still takes effect its own way.
        confirm_loan(s, a, financing.id, **loan)
        issue_guarantee(s, a, bid.id, **ISSUE)
        assert (financing.status, bid.status) == ("effective", "effective")


def test_expiring_reminder_follows_the_letters_expiry(gw):
    """monitoring/reminders.py: a letter of guarantee expiring within the window (30 days by default) is reminded on
    its expiry date, once; a letter expiring later is not; a financing guarantee still goes by its loan end."""
    with gw.acting("fin") as (s, a):
        soon = _bid(s, a, gw)
        issue_guarantee(s, a, soon.id, effective_date=TODAY - 30 * DAY, expiry_date=TODAY + 20 * DAY)
        later = _bid(s, a, gw, kind="advance_payment")
        issue_guarantee(s, a, later.id, effective_date=TODAY - 30 * DAY, expiry_date=TODAY + 100 * DAY)
        bank, _ = make_bank(s)
        loan = make_project(s, a, gw.customers["corp"], bank=bank, amount="800000.00", status="contracted")
        confirm_loan(s, a, loan.id, loan_contract_no="JK-9", loan_amount="800000", start_date=TODAY,
                     end_date=TODAY + 10 * DAY, rate="0.05")
        # A stray expiry date on a financing project is not its term's end.
        loan.expiry_date = TODAY + 200 * DAY
    with gw.session() as s:
        assert reminders.run_reminders(s, TODAY)["expiring"] == 2
    with gw.session() as s:
        notes = {n.entity_id: n for n in s.scalars(select(Notification)
                                                   .where(Notification.kind == "guarantee_expiring"))}
    assert set(notes) == {str(soon.id), str(loan.id)}
    expiry = (TODAY + 20 * DAY).isoformat()
    # Notifications are written in zh_CN (docs/i18n.md).
    assert notes[str(soon.id)].title == f"担保到期提醒：{soon.project_no}，{expiry} 到期"
    assert f"项目 {soon.project_no} 的保函将于 {expiry} 到期" in notes[str(soon.id)].body
    assert "到期后不再受理索赔" in notes[str(soon.id)].body
    assert f"担保的贷款将于 {(TODAY + 10 * DAY).isoformat()} 到期" in notes[str(loan.id)].body
    with gw.session() as s:
        assert reminders.run_reminders(s, TODAY + DAY)["expiring"] == 0  # once per expiry date
        assert reminders.run_reminders(s, TODAY + 71 * DAY)["expiring"] == 1  # the later letter enters the window
