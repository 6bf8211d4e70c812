"""Staged collection: cases opened, moved at the configured day boundaries (with a to-do for the stage's assignee),
closed on cure and on settlement; promises kept by payments and marked broken; actions; the results."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import literal_column, select

from surety.core.audit.models import AuditRecord
from surety.core.errors import Conflict, PermissionDenied, ValidationFailed
from surety.core.events import raise_event
from surety.core.notifications.models import Notification
from surety.plugins.microloan import plugin
from surety.plugins.microloan.collection import cases
from surety.plugins.microloan.collection.models import MicroloanCollectionAction, MicroloanCollectionCase
from surety.plugins.microloan.events import MicroloanRepaid, MicroloanRepaymentReversed
from surety.plugins.microloan.loan.models import MicroloanLoan
from surety.plugins.microloan.settings import get_settings

from .conftest import D


def _set(cw, loan_id, **values):
    with cw.session() as s:
        loan = s.scalars(select(MicroloanLoan).where(MicroloanLoan.id == loan_id)).one()
        for k, v in values.items():
            setattr(loan, k, v)


def _sync(cw, day):
    with cw.session() as s:
        return cases.sync_cases(s, day)


def _case(cw, loan_id) -> MicroloanCollectionCase:
    with cw.session() as s:
        return s.scalars(select(MicroloanCollectionCase).where(MicroloanCollectionCase.loan_id == loan_id)).one()


def _notes(cw, username):
    with cw.session() as s:
        return [n.title for n in s.scalars(select(Notification).where(Notification.user_id == cw.uid(username))
                                           .order_by(Notification.created_at))]


def test_stage_boundaries_of_the_default_stages():
    ordered = cases.stages({"M1": 1, "M2": 31, "M3+": 61})
    assert [cases.stage_for(d, ordered) for d in (0, 1, 30, 31, 60, 61, 400)] == [
        None, "M1", "M1", "M2", "M2", "M3+", "M3+"]


def test_a_case_opens_moves_at_the_configured_days_and_goes_to_each_stage_assignee(cw):
    loan_id = cw.loan(days_past_due=0)
    assert _sync(cw, D(2026, 3, 1))["opened"] == 0
    _set(cw, loan_id, days_past_due=1, overdue_since=D(2026, 3, 1))
    assert _sync(cw, D(2026, 3, 2)) == {"opened": 1, "moved": 0, "closed": 0, "broken": 0}
    case = _case(cw, loan_id)
    assert (case.stage, case.status, case.assignee_id, case.opened_on) == ("M1", "open", cw.uid("mgr"),
                                                                             D(2026, 3, 2))
    assert len(_notes(cw, "mgr")) == 1 and "M1" in _notes(cw, "mgr")[0]
    _set(cw, loan_id, days_past_due=30)
    assert _sync(cw, D(2026, 3, 31))["moved"] == 0
    _set(cw, loan_id, days_past_due=31)
    assert _sync(cw, D(2026, 4, 1))["moved"] == 1
    case = _case(cw, loan_id)
    assert (case.stage, case.assignee_id, case.stage_since, case.days_past_due) == (
        "M2", cw.uid("coll"), D(2026, 4, 1), 31)
    assert len(_notes(cw, "coll")) == 1
    _set(cw, loan_id, days_past_due=61)
    _sync(cw, D(2026, 5, 1))
    assert (_case(cw, loan_id).stage, _case(cw, loan_id).assignee_id) == ("M3+", cw.uid("legal"))
    # Replaying the date changes nothing and tells nobody again.
    assert _sync(cw, D(2026, 5, 1)) == {"opened": 0, "moved": 0, "closed": 0, "broken": 0}
    assert len(_notes(cw, "legal")) == 1
    with cw.session() as s:
        actions = [r.action for r in s.scalars(select(AuditRecord).where(
            AuditRecord.entity_type == cases.ENTITY).order_by(AuditRecord.seq))]
    assert actions == ["microloan.collection.opened", "microloan.collection.stage_moved",
                       "microloan.collection.stage_moved"]


def test_tenant_stages_are_read_from_the_settings(cw):
    with cw.session() as s:
        get_settings(s).collection_stages = {"early": 5, "late": 20}
    loan_id = cw.loan(days_past_due=4)
    assert _sync(cw, D(2026, 3, 1))["opened"] == 0
    _set(cw, loan_id, days_past_due=5)
    _sync(cw, D(2026, 3, 2))
    assert _case(cw, loan_id).stage == "early"
    _set(cw, loan_id, days_past_due=20)
    _sync(cw, D(2026, 3, 17))
    assert (_case(cw, loan_id).stage, _case(cw, loan_id).assignee_id) == ("late", cw.uid("coll"))


def test_a_case_closes_when_the_loan_is_cured_or_settled_and_stays_open_when_written_off(cw):
    cured, settled, written = (cw.loan(days_past_due=10) for _ in range(3))
    _sync(cw, D(2026, 3, 1))
    _set(cw, cured, days_past_due=0, overdue_since=None)
    _set(cw, settled, status="settled", days_past_due=0, settled_on=D(2026, 3, 2))
    _set(cw, written, status="written_off")
    assert _sync(cw, D(2026, 3, 3))["closed"] == 2
    assert (_case(cw, cured).status, _case(cw, cured).close_reason, _case(cw, cured).closed_on) == (
        "closed", "cured", D(2026, 3, 3))
    assert (_case(cw, settled).status, _case(cw, settled).close_reason) == ("closed", "settled")
    assert _case(cw, written).status == "open"
    # Overdue again later: a new case.
    _set(cw, cured, days_past_due=1)
    _sync(cw, D(2026, 4, 2))
    with cw.session() as s:
        rows = s.scalars(select(MicroloanCollectionCase).where(MicroloanCollectionCase.loan_id == cured)
                         .order_by(MicroloanCollectionCase.opened_on)).all()
    assert [(r.status, r.opened_on) for r in rows] == [("closed", D(2026, 3, 1)), ("open", D(2026, 4, 2))]


def _action(cw, case_id, user="mgr", **data):
    with cw.acting(user) as (s, a):
        return cases.record_action(s, a, case_id, data)


def test_record_action_stores_the_note_encrypted_and_checks_its_input(cw):
    loan_id = cw.loan(days_past_due=3)
    _sync(cw, D(2026, 3, 1))
    case_id = _case(cw, loan_id).id
    action = _action(cw, case_id, kind="call", happened_on=D(2026, 3, 2), note="联系借款人 13800138000，称下周还款")
    with cw.session() as s:
        raw = s.scalar(select(literal_column("note")).select_from(MicroloanCollectionAction.__table__)
                       .where(MicroloanCollectionAction.id == action.id))  # the stored text, not decrypted
        [record] = s.scalars(select(AuditRecord).where(
            AuditRecord.action == "microloan.collection.action_recorded")).all()
    assert "13800138000" not in raw and raw.startswith("v1.")
    assert "note" not in record.after and record.after["has_note"] is True
    with cw.acting("mgr") as (s, a):
        [row] = cases.actions_of(s, a, case_id)
    assert (row.id, row.kind, row.note) == (action.id, "call", "联系借款人 13800138000，称下周还款")
    with pytest.raises(ValidationFailed) as e:
        _action(cw, case_id, kind="email")
    assert e.value.field == "kind"
    with pytest.raises(ValidationFailed) as e:
        _action(cw, case_id, kind="call", happened_on=D(2026, 2, 28))
    assert e.value.field == "happened_on"
    with pytest.raises(ValidationFailed) as e:
        _action(cw, case_id, kind="promise", happened_on=D(2026, 3, 2), promised_amount="1000")
    assert e.value.field == "promised_date"
    with pytest.raises(ValidationFailed) as e:
        _action(cw, case_id, kind="call", promised_amount="1000")
    assert e.value.field == "promised_amount"
    with pytest.raises(PermissionDenied):
        _action(cw, case_id, user="viewer", kind="call")


def test_no_action_on_a_closed_case(cw):
    loan_id = cw.loan(days_past_due=3)
    _sync(cw, D(2026, 3, 1))
    _set(cw, loan_id, days_past_due=0)
    _sync(cw, D(2026, 3, 2))
    with pytest.raises(Conflict):
        _action(cw, _case(cw, loan_id).id, kind="call")


def _pay(cw, loan_id, amount, day, event=MicroloanRepaid, **extra):
    with cw.session() as s:
        raise_event(s, event(loan_id=loan_id, loan_no="T", customer_id=loan_id, repayment_id=loan_id,
                             received_on=day, amount=Decimal(amount), **extra))


def test_promises_kept_by_payment_and_broken_after_their_date(cw):
    loan_id = cw.loan(days_past_due=10)
    _sync(cw, D(2026, 3, 1))
    case_id = _case(cw, loan_id).id
    kept = _action(cw, case_id, kind="promise", happened_on=D(2026, 3, 2), promised_amount="3000.00",
                   promised_date=D(2026, 3, 10)).id
    broken = _action(cw, case_id, kind="promise", happened_on=D(2026, 3, 11), promised_amount="5000.00",
                     promised_date=D(2026, 3, 20)).id
    _pay(cw, loan_id, "1000.00", D(2026, 3, 5))
    _pay(cw, loan_id, "2000.00", D(2026, 3, 10))
    _pay(cw, loan_id, "500.00", D(2026, 3, 12))
    _pay(cw, loan_id, "500.00", D(2026, 3, 12), MicroloanRepaymentReversed, reversal_of=loan_id)
    with cw.session() as s:
        rows = {r.id: r for r in s.scalars(select(MicroloanCollectionAction))}
    assert (rows[kept].kept, rows[kept].paid_toward) == (True, Decimal("3000.00"))
    assert (rows[broken].kept, rows[broken].paid_toward) == (None, Decimal("0.00"))
    assert _sync(cw, D(2026, 3, 20))["broken"] == 0  # the promised day itself is not past yet
    assert _sync(cw, D(2026, 3, 21))["broken"] == 1
    with cw.session() as s:
        assert s.scalars(select(MicroloanCollectionAction.kept).where(
            MicroloanCollectionAction.id == broken)).one() is False
    assert _case(cw, loan_id).recovered == Decimal("3000.00")


def test_results_are_a_pure_function_of_the_rows(cw):
    r = cases.results([("M1", "open", Decimal("10.00")), ("M1", "open", Decimal("0.00")),
                       ("M2", "open", Decimal("5.50")), ("M1", "closed", Decimal("100.00"))],
                      [True, False, None, True])
    assert (r.open_by_stage, r.promises_kept, r.promises_broken, r.promises_pending, r.recovered) == (
        {"M1": 2, "M2": 1}, 2, 1, 1, Decimal("115.50"))
    loan_id = cw.loan(days_past_due=40)
    _sync(cw, D(2026, 3, 1))
    _pay(cw, loan_id, "700.00", D(2026, 3, 2))
    with cw.acting("viewer") as (s, a), pytest.raises(PermissionDenied):
        cases.collection_results(s, a)
    with cw.acting("mgr") as (s, a):
        found = cases.collection_results(s, a)
    assert (found.open_by_stage, found.recovered) == ({"M2": 1}, Decimal("700.00"))


def test_the_collection_job_runs_after_the_day_end_accrual_job():
    jobs = {j.name: j for j in plugin.surety_scheduled_jobs()}
    assert jobs["microloan_collection"].order > jobs["microloan_day_end"].order
    assert jobs["microloan_collection"].day_end
