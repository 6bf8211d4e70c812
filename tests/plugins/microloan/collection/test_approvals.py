"""Class override and write-off through the real workflow engine: approved by other people it applies, approved by
its proposer (or one person twice) it does not, rejected it changes nothing; the write-off's figures and event."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from surety.core.audit.models import AuditRecord
from surety.core.errors import Conflict, PermissionDenied, ValidationFailed
from surety.core.events_models import OutboxEvent
from surety.core.workflow import engine
from surety.plugins.microloan.collection import classification, writeoff
from surety.plugins.microloan.collection.models import MicroloanClassOverride, MicroloanWriteOff
from surety.plugins.microloan.loan.models import MicroloanInstallment, MicroloanLoan

from .conftest import do, transfer


def _loan(cw, loan_id) -> MicroloanLoan:
    with cw.session() as s:
        return s.scalars(select(MicroloanLoan).where(MicroloanLoan.id == loan_id)).one()


def _row(cw, model, row_id):
    with cw.session() as s:
        return s.scalars(select(model).where(model.id == row_id)).one()


def _override(cw, loan_id, to_class, user="risk", reason="借款人经营恶化"):
    with cw.acting(user) as (s, a):
        return classification.request_class_override(s, a, loan_id, to_class, reason)


def _events(cw, name):
    with cw.session() as s:
        return [e.payload for e in s.scalars(select(OutboxEvent).where(OutboxEvent.event_type == name))]


def test_an_override_approved_by_the_department_head_sets_the_class_and_can_be_cleared(cw):
    loan_id = cw.loan(days_past_due=40, risk_class="special_mention")
    row = _override(cw, loan_id, "doubtful")
    assert _row(cw, MicroloanClassOverride, row.id).status == "proposed"
    assert do(cw, "dept", row.workflow_instance_id) == ("approved", "approved")
    loan = _loan(cw, loan_id)
    assert (loan.risk_class, loan.risk_class_override) == ("doubtful", "doubtful")
    decided = _row(cw, MicroloanClassOverride, row.id)
    assert (decided.status, decided.decided_by, decided.from_class) == ("approved", cw.uid("dept"),
                                                                        "special_mention")
    with cw.session() as s:
        [record] = s.scalars(select(AuditRecord).where(AuditRecord.action == "microloan.loan.risk_classified")).all()
    assert (record.before, record.after["risk_class"], record.after["reason"]) == (
        {"risk_class": "special_mention"}, "doubtful", "借款人经营恶化")
    # Cleared the same way: back to the class 40 days past due give (关注 from day 1).
    cleared = _override(cw, loan_id, None, reason="分类依据消除")
    do(cw, "dept", cleared.workflow_instance_id)
    loan = _loan(cw, loan_id)
    assert (loan.risk_class, loan.risk_class_override) == ("special_mention", None)


def test_an_override_refused_input_and_one_pending_at_a_time(cw):
    loan_id = cw.loan()
    with pytest.raises(ValidationFailed) as e:
        _override(cw, loan_id, "bad")
    assert e.value.field == "to_class"
    with pytest.raises(ValidationFailed):
        _override(cw, loan_id, None)  # nothing to clear
    with pytest.raises(PermissionDenied):
        _override(cw, loan_id, "loss", user="mgr")
    _override(cw, loan_id, "loss")
    with pytest.raises(Conflict):
        _override(cw, loan_id, "doubtful")
    settled = cw.loan(status="settled")
    with pytest.raises(Conflict):
        _override(cw, settled, "loss")


def test_an_override_rejected_or_approved_by_its_proposer_changes_nothing(cw):
    loan_id = cw.loan()
    row = _override(cw, loan_id, "loss")
    assert do(cw, "dept", row.workflow_instance_id, "reject", comment="依据不足") == ("rejected", "rejected")
    assert _row(cw, MicroloanClassOverride, row.id).status == "rejected"
    assert (_loan(cw, loan_id).risk_class, _loan(cw, loan_id).risk_class_override) == ("normal", None)
    # Four eyes: the proposer gets the task (an escalation) and approves it: not applied.
    again = _override(cw, loan_id, "loss")
    transfer(cw, again.workflow_instance_id, "dept", "risk")
    assert do(cw, "risk", again.workflow_instance_id) == ("approved", "approved")
    refused = _row(cw, MicroloanClassOverride, again.id)
    assert (refused.status, refused.refusal) == ("rejected", "four_eyes")
    assert (_loan(cw, loan_id).risk_class, _loan(cw, loan_id).risk_class_override) == ("normal", None)
    with cw.session() as s:
        record = s.scalars(select(AuditRecord).where(AuditRecord.action == "microloan.classification.rejected")
                           .order_by(AuditRecord.seq.desc())).first()
    assert (record.after["refusal"], record.after["workflow_result"]) == ("four_eyes", "approved")


def _write_off(cw, loan_id, ground="loss", user="risk"):
    with cw.acting(user) as (s, a):
        return writeoff.request_write_off(s, a, loan_id, ground, "多次催收无果，法院判决后无可执行财产")


def _with_interest(cw, accrued="3000.00", paid="1000.00"):
    """A loss-classified loan with ``accrued`` interest accrued, ``paid`` of it paid on its first installment."""
    loan_id = cw.loan(risk_class="loss", days_past_due=400, accrued_interest=Decimal(accrued),
                      penalty_balance=Decimal("88.00"))
    with cw.session() as s:
        first = s.scalars(select(MicroloanInstallment).where(MicroloanInstallment.loan_id == loan_id,
                                                             MicroloanInstallment.period == 1)).one()
        first.paid_interest = Decimal(paid)
    return loan_id


def test_a_write_off_approved_by_two_other_people_takes_the_loan_off_the_books(cw):
    loan_id = _with_interest(cw)
    before = _loan(cw, loan_id)
    row = _write_off(cw, loan_id)
    assert do(cw, "dept", row.workflow_instance_id) == ("executive", "running")
    assert _loan(cw, loan_id).status == "active"
    assert do(cw, "exec", row.workflow_instance_id) == ("approved", "approved")
    loan = _loan(cw, loan_id)
    day = max(engine.business_today(), before.disbursed_on)
    assert (loan.status, loan.principal_balance, loan.written_off_principal, loan.written_off_interest,
            loan.written_off_on, loan.penalty_balance) == (
        "written_off", Decimal("0.00"), before.principal_balance, Decimal("2000.00"), day, Decimal("88.00"))
    done = _row(cw, MicroloanWriteOff, row.id)
    assert (done.status, done.principal, done.interest, done.written_off_on) == (
        "approved", before.principal_balance, Decimal("2000.00"), day)
    [event] = _events(cw, "MicroloanWrittenOff")
    assert {k: event[k] for k in ("loan_id", "loan_no", "customer_id", "written_off_on", "principal", "interest")} == {
        "loan_id": str(loan_id), "loan_no": loan.loan_no, "customer_id": str(loan.customer_id),
        "written_off_on": day.isoformat(), "principal": str(before.principal_balance), "interest": "2000.00"}


def test_write_off_grounds_and_refusals(cw):
    normal = cw.loan()
    with pytest.raises(ValidationFailed) as e:
        _write_off(cw, normal)  # not classified loss
    assert e.value.field == "ground"
    with pytest.raises(ValidationFailed):
        _write_off(cw, normal, ground="tired")
    row = _write_off(cw, normal, ground="bankruptcy")  # a ground outside the classification
    with pytest.raises(Conflict):
        _write_off(cw, normal, ground="court_judgment")
    with pytest.raises(PermissionDenied):
        _write_off(cw, cw.loan(), user="mgr")
    assert _row(cw, MicroloanWriteOff, row.id).ground == "bankruptcy"


def test_a_write_off_rejected_or_without_four_eyes_writes_nothing_off(cw):
    loan_id = _with_interest(cw)
    principal = _loan(cw, loan_id).principal_balance
    row = _write_off(cw, loan_id)
    do(cw, "dept", row.workflow_instance_id)
    do(cw, "exec", row.workflow_instance_id, "reject", comment="继续催收")
    assert _row(cw, MicroloanWriteOff, row.id).status == "rejected"
    # The same department head approves both steps (the executive's task handed to them): not counted.
    twice = _write_off(cw, loan_id)
    do(cw, "dept", twice.workflow_instance_id)
    transfer(cw, twice.workflow_instance_id, "exec", "dept")
    do(cw, "dept", twice.workflow_instance_id)
    assert (_row(cw, MicroloanWriteOff, twice.id).status, _row(cw, MicroloanWriteOff, twice.id).refusal) == (
        "rejected", "four_eyes")
    # The proposer approves a step: not counted either.
    own = _write_off(cw, loan_id)
    transfer(cw, own.workflow_instance_id, "dept", "risk")
    do(cw, "risk", own.workflow_instance_id)
    do(cw, "exec", own.workflow_instance_id)
    assert _row(cw, MicroloanWriteOff, own.id).refusal == "four_eyes"
    loan = _loan(cw, loan_id)
    assert (loan.status, loan.principal_balance, loan.written_off_principal) == ("active", principal, Decimal("0"))
    assert _events(cw, "MicroloanWrittenOff") == []
    # Two different approvers: written off.
    ok = _write_off(cw, loan_id)
    do(cw, "dept2", ok.workflow_instance_id)
    do(cw, "exec", ok.workflow_instance_id)
    assert _loan(cw, loan_id).status == "written_off"


def test_both_proposals_give_the_workflow_their_loan_and_proposal_fields(cw):
    """What conditions and assignee rules read (surety_workflow_subject): the loan's fields, the proposal's own,
    its status and proposer; an unknown subject id is None."""
    loan_id = cw.loan(risk_class="loss", days_past_due=400)
    override = _override(cw, loan_id, "doubtful")
    off = _write_off(cw, cw.loan(risk_class="loss", days_past_due=400))
    with cw.session() as s:
        fields = classification.subject_fields(s, str(override.id))
        assert {k: fields[k] for k in ("loan_id", "override_id", "from_class", "to_class", "proposal_status",
                                       "proposed_by", "days_past_due")} == {
            "loan_id": str(loan_id), "override_id": str(override.id), "from_class": "loss", "to_class": "doubtful",
            "proposal_status": "proposed", "proposed_by": str(cw.uid("risk")), "days_past_due": 400}
        fields = writeoff.subject_fields(s, str(off.id))
        assert {k: fields[k] for k in ("write_off_id", "ground", "proposal_status", "proposed_by", "risk_class")} == {
            "write_off_id": str(off.id), "ground": "loss", "proposal_status": "proposed",
            "proposed_by": str(cw.uid("risk")), "risk_class": "loss"}
        assert writeoff.subject_fields(s, str(override.id)) is None
        assert classification.subject_fields(s, "not-an-id") is None
