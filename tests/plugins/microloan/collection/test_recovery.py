"""Recovery after a write-off: capped at what was written off and not recovered, idempotent by key, raising
MicroloanRecovered; the collection case stays open and counts it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from surety.core.errors import Conflict, PermissionDenied, ValidationFailed
from surety.core.events_models import OutboxEvent
from surety.core.idempotency import IdempotencyKeyReused
from surety.plugins.microloan.collection import cases, writeoff
from surety.plugins.microloan.collection.models import MicroloanCollectionCase, MicroloanRecovery
from surety.plugins.microloan.loan.models import MicroloanLoan

from .conftest import D


def _written_off(cw, principal="1000.00", interest="200.00"):
    return cw.loan(status="written_off", principal_balance=Decimal("0.00"), written_off_on=D(2026, 6, 1),
                   written_off_principal=Decimal(principal), written_off_interest=Decimal(interest))


JUNE_10 = D(2026, 6, 10)


def _recover(cw, loan_id, amount, day=JUNE_10, key=None, user="fin"):
    with cw.acting(user) as (s, a):
        return writeoff.record_recovery(s, a, loan_id, amount, day, key)


def _loan(cw, loan_id) -> MicroloanLoan:
    with cw.session() as s:
        return s.scalars(select(MicroloanLoan).where(MicroloanLoan.id == loan_id)).one()


def _count(cw, model) -> int:
    with cw.session() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_a_recovery_reduces_what_is_owed_and_raises_its_event(cw):
    loan_id = _written_off(cw)
    row = _recover(cw, loan_id, "300.00")
    loan = _loan(cw, loan_id)
    assert (loan.recovered_amount, writeoff.still_owed(loan), row.amount, row.recovered_on) == (
        Decimal("300.00"), Decimal("900.00"), Decimal("300.00"), D(2026, 6, 10))
    with cw.session() as s:
        [event] = [e.payload for e in s.scalars(select(OutboxEvent).where(
            OutboxEvent.event_type == "MicroloanRecovered"))]
    assert {k: event[k] for k in ("loan_id", "loan_no", "customer_id", "recovered_on", "amount")} == {
        "loan_id": str(loan_id), "loan_no": loan.loan_no, "customer_id": str(loan.customer_id),
        "recovered_on": "2026-06-10", "amount": "300.00"}


def test_a_recovery_is_capped_at_what_was_written_off_and_not_recovered(cw):
    loan_id = _written_off(cw)
    _recover(cw, loan_id, "1000.00")
    with pytest.raises(ValidationFailed) as e:
        _recover(cw, loan_id, "200.01")
    assert e.value.field == "amount" and "200.00" in str(e.value)
    _recover(cw, loan_id, "200.00")
    assert writeoff.still_owed(_loan(cw, loan_id)) == Decimal("0.00")
    with pytest.raises(ValidationFailed):
        _recover(cw, loan_id, "0.01")
    with pytest.raises(ValidationFailed) as e:
        _recover(cw, _written_off(cw), "0")
    assert e.value.field == "amount"


def test_a_recovery_needs_a_written_off_loan_a_date_after_the_write_off_and_the_permission(cw):
    with pytest.raises(Conflict):
        _recover(cw, cw.loan(), "10.00")
    loan_id = _written_off(cw)
    with pytest.raises(ValidationFailed) as e:
        _recover(cw, loan_id, "10.00", day=D(2026, 5, 31))
    assert e.value.field == "recovered_on"
    with pytest.raises(PermissionDenied):
        _recover(cw, loan_id, "10.00", user="mgr")


def test_a_recovery_is_idempotent_by_key(cw):
    loan_id = _written_off(cw)
    first = _recover(cw, loan_id, "100.00", key="rec-1")
    again = _recover(cw, loan_id, "100", key="rec-1")
    assert again.id == first.id
    assert (_count(cw, MicroloanRecovery), _loan(cw, loan_id).recovered_amount) == (1, Decimal("100.00"))
    with cw.session() as s:
        assert s.scalar(select(func.count()).select_from(OutboxEvent)
                        .where(OutboxEvent.event_type == "MicroloanRecovered")) == 1
    with pytest.raises(IdempotencyKeyReused):
        _recover(cw, loan_id, "150.00", key="rec-1")
    _recover(cw, loan_id, "100.00", key="rec-2")
    assert _loan(cw, loan_id).recovered_amount == Decimal("200.00")


def test_collection_goes_on_after_the_write_off_and_counts_the_recovery(cw):
    loan_id = cw.loan(days_past_due=70)
    with cw.session() as s:
        cases.sync_cases(s, D(2026, 5, 1))
    with cw.session() as s:
        loan = s.scalars(select(MicroloanLoan).where(MicroloanLoan.id == loan_id)).one()
        loan.status, loan.written_off_on = "written_off", D(2026, 6, 1)
        loan.written_off_principal = Decimal("5000.00")
    _recover(cw, loan_id, "400.00")
    with cw.session() as s:
        cases.sync_cases(s, D(2026, 6, 11))
        case = s.scalars(select(MicroloanCollectionCase).where(MicroloanCollectionCase.loan_id == loan_id)).one()
    assert (case.status, case.stage, case.recovered) == ("open", "M3+", Decimal("400.00"))
    with cw.acting("legal") as (s, a):
        cases.record_action(s, a, case.id, {"kind": "legal", "happened_on": D(2026, 6, 12), "note": "申请强制执行"})
