"""Loan origination services without HTTP: application checks (customer, screening, product ranges, kinds), the
investigation, submission, routing by amount to 1/2/3 approval steps through the real workflow engine, four eyes,
rejection and withdrawal, contract and disbursement (schedule booked, fee, event once per idempotency key)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from surety.core.audit.models import AuditRecord
from surety.core.errors import Conflict, DomainError, NotFound, PermissionDenied, ValidationFailed
from surety.core.events_models import OutboxEvent
from surety.core.workflow import actions
from surety.core.workflow.engine import business_today
from surety.plugins.customers.blacklist import decide_entry, request_entry
from surety.plugins.microloan.loan import origination as o
from surety.plugins.microloan.loan.book import installments
from surety.plugins.microloan.loan.models import MicroloanInvestigation, MicroloanLoan
from surety.plugins.microloan.loan.settings_service import update_settings
from surety.plugins.microloan.testing import make_product

from .conftest import application, approve, investigated, open_task, submitted


def _loan(w, loan_id) -> MicroloanLoan:
    with w.mw.session() as s:
        loan = s.scalar(select(MicroloanLoan).where(MicroloanLoan.id == loan_id))
        s.expunge(loan)
        return loan


def test_apply_numbers_the_draft_and_pins_the_product_version(lw):
    with lw.acting("mgr") as (s, a):
        first = o.apply(s, a, application(lw))
        second = o.apply(s, a, application(lw, amount="2000.00"))
        assert (first.status, first.product_version, first.manager_id) == ("draft", 1, a.id_uuid)
        year = business_today().year  # the business date of the number
        assert [first.loan_no, second.loan_no] == [f"XD-{year}-000001", f"XD-{year}-000002"]
        assert first.amount == Decimal("100000.00") and first.kind == "business" and first.online is False


def test_apply_refusals(lw):
    with lw.acting("mgr") as (s, a):
        with pytest.raises(ValidationFailed) as e:
            o.apply(s, a, application(lw, amount="500.00"))
        assert e.value.field == "amount" and "outside the product's range" in str(e.value)
        with pytest.raises(ValidationFailed) as e:
            o.apply(s, a, application(lw, term_months=48))
        assert e.value.field == "term_months"
        with pytest.raises(ValidationFailed) as e:
            o.apply(s, a, application(lw, kind="mortgage"))
        assert e.value.field == "kind"
        with pytest.raises(ValidationFailed) as e:
            o.apply(s, a, application(lw, kind="consumer"))  # a company is no consumer
        assert e.value.field == "kind"
        with pytest.raises(NotFound):
            o.apply(s, a, application(lw, customer_id="00000000-0000-0000-0000-000000000001"))
        with pytest.raises(ValidationFailed) as e:
            o.apply(s, a, {k: v for k, v in application(lw).items() if k != "amount"})
        assert e.value.field == "amount"
    with lw.acting("admin") as (s, a):
        retired = make_product(s, code="OLD")
        retired.active = False
        with pytest.raises(ValidationFailed) as e:
            o.apply(s, a, application(lw, product_id=retired.id))
        assert e.value.field == "product_id"
    with lw.acting("viewer") as (s, a), pytest.raises(PermissionDenied):
        o.apply(s, a, application(lw))


def test_a_blacklisted_customer_is_refused(lw):
    with lw.acting("risk") as (s, a):
        entry = request_entry(s, a, lw.company, "blacklist", "欺诈", "内部审查")
    with lw.acting("dept") as (s, a):
        decide_entry(s, a, entry.id, True)
    with lw.acting("mgr") as (s, a), pytest.raises(DomainError) as e:
        o.apply(s, a, application(lw))
    assert e.value.code == "CUSTOMER_BLACKLISTED"


def test_update_draft_checks_again(lw):
    with lw.acting("mgr") as (s, a):
        loan = o.apply(s, a, application(lw))
        o.update_draft(s, a, loan.id, {"amount": "150000", "purpose": "采购原材料"})
        assert (loan.amount, loan.purpose) == (Decimal("150000.00"), "采购原材料")
        with pytest.raises(ValidationFailed):
            o.update_draft(s, a, loan.id, {"amount": "6000000"})
        o.start_investigation(s, a, loan.id)
        with pytest.raises(Conflict):
            o.update_draft(s, a, loan.id, {"amount": "2000"})


def test_investigation_is_recorded_encrypted_and_a_decline_rejects(lw):
    loan_id = investigated(lw)
    with lw.mw.session() as s:
        row = s.scalar(select(MicroloanInvestigation).where(MicroloanInvestigation.loan_id == loan_id))
        assert row.annual_income_amount == Decimal("600000.00") and row.findings == "经营正常，流水稳定。"
        raw = s.connection().exec_driver_sql(
            "SELECT annual_income, findings FROM microloan_investigations").fetchall()
        assert all("600000" not in r[0] and "经营" not in r[1] for r in raw)
    with lw.acting("mgr") as (s, a):
        loan = o.apply(s, a, application(lw))
        with pytest.raises(Conflict):  # not under investigation yet
            o.record_investigation(s, a, loan.id, findings="x", conclusion="recommend")
        o.start_investigation(s, a, loan.id)
        with pytest.raises(ValidationFailed) as e:
            o.record_investigation(s, a, loan.id, findings="x", conclusion="maybe")
        assert e.value.field == "conclusion"
        with pytest.raises(ValidationFailed) as e:
            o.record_investigation(s, a, loan.id, findings="", conclusion="recommend")
        assert e.value.field == "findings"
        with pytest.raises(ValidationFailed) as e:
            o.submit(s, a, loan.id)
        assert e.value.field == "investigation"
        o.record_investigation(s, a, loan.id, findings="负债过高。", conclusion="decline", total_liabilities="9e6")
        assert loan.status == "rejected"
        audit = s.scalars(select(AuditRecord).where(AuditRecord.action == "microloan.loan.investigated")).all()
        assert audit and all("负债" not in str(r.after) for r in audit)


@pytest.mark.parametrize(("amount", "steps"), [
    ("200000.00", ["risk_review"]),
    ("200000.01", ["risk_review", "department_review"]),
    ("1000000.00", ["risk_review", "department_review"]),
    ("1000000.01", ["risk_review", "department_review", "executive_review"]),
])
def test_approval_is_routed_by_amount(lw, amount, steps):
    loan_id = submitted(lw, amount=amount)
    assert _loan(lw, loan_id).status == "in_approval"
    taken = [approve(lw, loan_id, user) for user in ("risk", "dept", "exec")[:len(steps)]]
    assert taken == steps
    assert _loan(lw, loan_id).status == "approved"


def test_the_routes_follow_the_settings(lw):
    with lw.acting("admin") as (s, a):
        update_settings(s, a, {"approval_routes": [{"max": "50000", "steps": ["risk_officer"]},
                                                   {"steps": ["risk_officer", "department_head"]}]})
    loan_id = submitted(lw, amount="60000")
    assert [approve(lw, loan_id, u) for u in ("risk", "dept")] == ["risk_review", "department_review"]
    assert _loan(lw, loan_id).status == "approved"


def test_four_eyes_the_applicant_approving_ends_rejected(lw):
    loan_id = submitted(lw, user="admin", amount="100000")
    # The admin holds no approver role: give the task to them as the risk officer would by transferring it.
    with lw.acting("risk") as (s, a):
        task = open_task(s, o.get_loan(s, None, loan_id).workflow_instance_id)
        actions.act(s, a, task.id, "transfer", to_user=lw.mw.actors["admin"].id_uuid)
    approve(lw, loan_id, "admin")
    assert _loan(lw, loan_id).status == "rejected"
    with lw.mw.session() as s:
        record = s.scalars(select(AuditRecord).where(AuditRecord.action == "microloan.loan.decided")).one()
        assert record.after["reason"] == "four_eyes" and record.after["workflow_result"] == "approved"


def test_rejection_and_withdrawal(lw):
    rejected = submitted(lw)
    with lw.acting("risk") as (s, a):
        task = open_task(s, o.get_loan(s, None, rejected).workflow_instance_id)
        actions.act(s, a, task.id, "reject", comment="还款能力不足")
    assert _loan(lw, rejected).status == "rejected"
    withdrawn = submitted(lw)
    with lw.acting("mgr") as (s, a):
        actions.withdraw(s, a, o.get_loan(s, None, withdrawn).workflow_instance_id, comment="客户放弃")
    assert _loan(lw, withdrawn).status == "withdrawn"


def _approved(lw, **over):
    loan_id = submitted(lw, **over)
    approve(lw, loan_id, "risk")
    return loan_id


def test_contract_and_disbursement_book_the_schedule_and_raise_the_event_once(lw):
    with lw.acting("admin") as (s, a):
        fee_product = make_product(s, code="FEE", upfront_fee_rate=Decimal("0.015"))
    loan_id = _approved(lw, product_id=fee_product.id, amount="100000")
    with lw.acting("fin") as (s, a):
        with pytest.raises(Conflict):
            o.disburse(s, a, loan_id, dt.date(2026, 1, 15))  # not contracted yet
        o.sign_contract(s, a, loan_id, "HT-2026-001", dt.date(2026, 1, 14))
    with lw.acting("fin") as (s, a):
        with pytest.raises(ValidationFailed) as e:
            o.disburse(s, a, loan_id, dt.date(2026, 1, 13))
        assert e.value.field == "disbursed_on"
    for _ in range(2):  # the same key twice: one disbursement
        with lw.acting("fin") as (s, a):
            loan = o.disburse(s, a, loan_id, dt.date(2026, 1, 15), idempotency_key="disb-1")
            assert loan.status == "active"
    with lw.mw.session() as s:
        loan = s.scalar(select(MicroloanLoan).where(MicroloanLoan.id == loan_id))
        rows = installments(s, loan)
        assert len(rows) == 12 and rows[0].due_date == dt.date(2026, 2, 15)
        assert {r.principal + r.interest for r in rows[:-1]} == {Decimal("8884.88")}
        assert (loan.principal_balance, loan.upfront_fee) == (Decimal("100000.00"), Decimal("1500.00"))
        assert (loan.maturity_date, loan.contract_no) == (dt.date(2027, 1, 15), "HT-2026-001")
        events = s.scalars(select(OutboxEvent).where(OutboxEvent.event_type == "MicroloanDisbursed")).all()
        assert len(events) == 1
        assert events[0].payload["amount"] == "100000.00" and events[0].payload["upfront_fee"] == "1500.00"
    with lw.acting("fin") as (s, a), pytest.raises(Conflict):
        o.disburse(s, a, loan_id, dt.date(2026, 1, 15), idempotency_key="disb-2")


def test_contract_refusals(lw):
    first, second = _approved(lw), _approved(lw)
    with lw.acting("fin") as (s, a):
        o.sign_contract(s, a, first, "HT-1", dt.date(2026, 1, 14))
        with pytest.raises(Conflict) as e:
            o.sign_contract(s, a, second, "HT-1", dt.date(2026, 1, 14))
        assert e.value.field == "contract_no"
        with pytest.raises(Conflict):
            o.sign_contract(s, a, first, "HT-2", dt.date(2026, 1, 14))  # already contracted
    with lw.acting("mgr") as (s, a), pytest.raises(PermissionDenied):
        o.sign_contract(s, a, second, "HT-3", dt.date(2026, 1, 14))
