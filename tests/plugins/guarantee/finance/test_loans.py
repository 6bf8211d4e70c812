"""Loan confirmation: a contracted project becomes effective with its in-force balance, the event and audit record;
bad input, other statuses and other roles are refused with typed errors."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from sqlalchemy import select

from surety.core.audit.models import AuditRecord
from surety.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from surety.core.events_models import OutboxEvent
from surety.plugins.guarantee.finance.loans import confirm_loan
from surety.plugins.guarantee.project.models import GuaranteeProject
from surety.plugins.guarantee.testing import make_bank, make_project

D = dt.date
LOAN = dict(loan_contract_no=" JK-2026-0001 ", loan_amount="2800000.00", start_date=D(2026, 3, 10),
            end_date=D(2027, 3, 9), rate="0.0435")


def test_confirm_makes_the_guarantee_effective(gw):
    with gw.acting("fin") as (s, a):
        bank, _ = make_bank(s)
        p = make_project(s, a, gw.customers["corp"], bank=bank, amount="3000000.00", status="contracted")
        confirm_loan(s, a, p.id, **LOAN)
    with gw.session() as s:
        row = s.scalars(select(GuaranteeProject).where(GuaranteeProject.id == p.id)).one()
        assert (row.status, row.loan_contract_no, row.loan_amount, row.loan_rate) == (
            "effective", "JK-2026-0001", Decimal("2800000.00"), Decimal("0.04350000"))
        assert (row.loan_start_date, row.loan_end_date, row.effective_date) == (D(2026, 3, 10), D(2027, 3, 9),
                                                                                D(2026, 3, 10))
        assert row.in_force_balance == Decimal("2800000.00")
        event = s.scalars(select(OutboxEvent).where(OutboxEvent.event_type == "GuaranteeTookEffect")).one()
        assert event.payload == {
            "project_id": str(p.id), "project_no": p.project_no, "customer_id": str(gw.customers["corp"]),
            "bank_id": str(bank.id), "loan_amount": "2800000.00", "in_force_balance": "2800000.00",
            "effective_date": "2026-03-10", "loan_end_date": "2027-03-09", "category": "financing",
            "expiry_date": None}
        record = s.scalars(select(AuditRecord).where(AuditRecord.action == "guarantee.loan.confirmed")).one()
        assert record.entity_id == str(p.id) and record.before["status"] == "contracted"
        assert record.after["status"] == "effective"
    # Confirming twice is refused: the project is already effective.
    with gw.acting("fin") as (s, a):
        with pytest.raises(Conflict) as again:
            confirm_loan(s, a, p.id, **LOAN)
        assert "already confirmed" in again.value.message


def test_bad_input_status_and_role(gw):
    with gw.acting("fin") as (s, a):
        p = make_project(s, a, gw.customers["corp"], amount="3000000.00", status="contracted")
        cases = [
            (dict(loan_amount="0"), "loan_amount"), (dict(loan_amount="-1"), "loan_amount"),
            (dict(loan_amount="3000000.01"), "loan_amount"), (dict(loan_contract_no="  "), "loan_contract_no"),
            (dict(end_date=D(2026, 3, 10)), "end_date"), (dict(rate="0"), "rate"), (dict(rate="1.5"), "rate"),
        ]
        for kw, field in cases:
            with pytest.raises(ValidationFailed) as err:
                confirm_loan(s, a, p.id, **{**LOAN, **kw})
            assert err.value.field == field, kw
        with pytest.raises(ValidationFailed) as over:
            confirm_loan(s, a, p.id, **{**LOAN, "loan_amount": "3000000.01"})
        assert "more than the approved guarantee amount 3,000,000.00 yuan" in over.value.message
        for status in ("draft", "in_approval", "approved", "rejected"):
            other = make_project(s, a, gw.customers["corp"], status=status)
            with pytest.raises(Conflict) as err:
                confirm_loan(s, a, other.id, **LOAN)
            assert f"is {status}" in err.value.message and err.value.field == "project_id"
        with pytest.raises(NotFound):
            confirm_loan(s, a, uuid.uuid4(), **LOAN)
        # The exact approved amount is allowed.
        confirm_loan(s, a, p.id, **{**LOAN, "loan_amount": "3000000"})
        assert p.in_force_balance == Decimal("3000000.00")
    for who in ("mgr", "risk", "legal"):
        with gw.acting(who) as (s, a):
            q = make_project(s, a, gw.customers["corp"], status="contracted")
            with pytest.raises(PermissionDenied):
                confirm_loan(s, a, q.id, **LOAN)
