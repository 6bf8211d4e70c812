"""The automatic step ``guarantee.credit_line_check``: called directly, through the workflow engine (the approver's
action is refused with the figures and nothing changes), and under concurrent approvals against one line."""

from __future__ import annotations

import threading
import time
import uuid
from decimal import Decimal

import pytest
from sqlalchemy import select

from surety.core.context import acting
from surety.core.errors import NotFound
from surety.core.hookspecs import WorkflowStepCall
from surety.core.workflow import definitions
from surety.core.workflow.actions import act
from surety.core.workflow.engine import handlers as engine_handlers
from surety.core.workflow.engine import start
from surety.core.workflow.models import WorkflowInstance, WorkflowTask
from surety.plugins.guarantee.finance.banks import CreditLineExceeded, reserve
from surety.plugins.guarantee.origination.handlers import CREDIT_LINE_CHECK, credit_line_check
from surety.plugins.guarantee.project.models import GuaranteeCreditLine, GuaranteeProject
from surety.plugins.guarantee.testing import make_bank, make_product, make_project

KEY = "test.credit_check"
DEFINITION = {
    "key": KEY, "name": "Reply then credit-line check", "subject_type": "guarantee:project", "start": "reply",
    "steps": [
        {"key": "reply", "name": "批复", "kind": "task", "assignee": {"role": "executive"},
         "transitions": [{"to": "check"}]},
        {"key": "check", "kind": "automatic", "handler": CREDIT_LINE_CHECK, "transitions": [{"to": "approved"}]},
        {"key": "approved", "kind": "end", "result": "approved"},
    ],
}


def _call(project_id) -> WorkflowStepCall:
    return WorkflowStepCall(instance_id=uuid.uuid4(), definition_key=KEY, step_key="check",
                            subject_type="guarantee:project", subject_id=str(project_id), subject={}, params={})


def _used(gw, line_id) -> Decimal:
    with gw.session() as s:
        return s.scalar(select(GuaranteeCreditLine.used).where(GuaranteeCreditLine.id == line_id))


def test_handler_directly(gw):
    with gw.acting("mgr") as (s, a):
        assert engine_handlers(s)[CREDIT_LINE_CHECK] is credit_line_check
        bank, line = make_bank(s, name="农业银行", total="5000000.00")
        ok = make_project(s, a, gw.customers["corp"], bank=bank, amount="3000000.00", status="in_approval")
        assert credit_line_check(s, _call(ok.id)) == "ok"
        assert ok.credit_line_id == line.id and line.used == Decimal("3000000.00")

        too_big = make_project(s, a, gw.customers["corp"], bank=bank, amount="2500000.50", status="in_approval")
        with pytest.raises(CreditLineExceeded) as err:
            credit_line_check(s, _call(too_big.id))
        e = err.value
        assert e.code == "GUARANTEE_CREDIT_LINE_EXCEEDED" and e.field == "amount"
        for figure in ("农业银行", "line total 5,000,000.00 yuan", "used 3,000,000.00 yuan",
                       "available 2,000,000.00 yuan", "requested 2,500,000.50 yuan"):
            assert figure in e.message, (figure, e.message)
        assert e.details["available"] == "2000000.00" and too_big.credit_line_id is None

        # Non-financing products and projects without a bank pass without touching a line.
        bid = make_project(s, a, gw.customers["corp"], bank=bank, amount="9000000.00",
                           product=make_product(s, kind="bid"))
        no_bank = make_project(s, a, gw.customers["corp"], amount="9000000.00")
        assert credit_line_check(s, _call(bid.id)) == "ok" and credit_line_check(s, _call(no_bank.id)) == "ok"
        assert line.used == Decimal("3000000.00") and bid.credit_line_id is None
        with pytest.raises(NotFound):
            credit_line_check(s, _call(uuid.uuid4()))
        with pytest.raises(NotFound):
            credit_line_check(s, _call("not-a-uuid"))


def _publish(gw):
    with gw.acting("admin") as (s, a):
        draft = definitions.save_draft(s, a, DEFINITION)
        definitions.publish(s, a, KEY, draft.version)


def _start(gw, project_id) -> tuple[uuid.UUID, uuid.UUID]:
    with gw.acting("mgr") as (s, a):
        instance = start(s, a, definition_key=KEY, subject_type="guarantee:project", subject_id=str(project_id))
        task = s.scalars(select(WorkflowTask).where(WorkflowTask.instance_id == instance.id)).one()
        return instance.id, task.id


def test_through_the_workflow_engine(gw):
    _publish(gw)
    with gw.acting("fin") as (s, a):
        bank, line = make_bank(s, total="4000000.00")
        first = make_project(s, a, gw.customers["corp"], bank=bank, amount="3000000.00", status="in_approval")
        second = make_project(s, a, gw.customers["corp"], bank=bank, amount="1500000.00", status="in_approval")
    iid1, task1 = _start(gw, first.id)
    iid2, task2 = _start(gw, second.id)

    with gw.acting("boss") as (s, a):
        act(s, a, task1, "approve")
    assert _used(gw, line.id) == Decimal("3000000.00")

    with pytest.raises(CreditLineExceeded) as err:
        with gw.acting("boss") as (s, a):
            act(s, a, task2, "approve")
    assert "available 1,000,000.00 yuan, requested 1,500,000.00 yuan" in err.value.message
    # Refused: the approval did not happen and nothing changed.
    with gw.session() as s:
        inst1, inst2 = (s.scalars(select(WorkflowInstance).where(WorkflowInstance.id == i)).one()
                        for i in (iid1, iid2))
        assert inst1.status == "approved" and inst2.status == "running" and inst2.current_step == "reply"
        assert s.scalars(select(WorkflowTask.status).where(WorkflowTask.id == task2)).one() == "open"
        rows = {p.id: p for p in s.scalars(select(GuaranteeProject))}
        assert rows[first.id].credit_line_id == line.id and rows[second.id].credit_line_id is None
    assert _used(gw, line.id) == Decimal("3000000.00")


def test_concurrent_approvals_cannot_both_pass(gw):
    """Two projects of 600k against a 1m line approved at the same moment: exactly one reserves."""
    _publish(gw)
    with gw.acting("fin") as (s, a):
        bank, line = make_bank(s, total="1000000.00")
        projects = [make_project(s, a, gw.customers["corp"], bank=bank, amount="600000.00", status="in_approval")
                    for _ in range(2)]
    tasks = [_start(gw, p.id)[1] for p in projects]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def approve(task_id):
        barrier.wait()
        try:
            with acting(gw.actors["boss"]), gw.session() as s:
                act(s, gw.actors["boss"], task_id, "approve")
            outcomes.append("ok")
        except CreditLineExceeded:
            outcomes.append("exceeded")

    threads = [threading.Thread(target=approve, args=(t,)) for t in tasks]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes) == ["exceeded", "ok"], outcomes
    assert _used(gw, line.id) == Decimal("600000.00")
    with gw.session() as s:
        reserved = s.scalars(select(GuaranteeProject.id).where(GuaranteeProject.credit_line_id == line.id)).all()
    assert len(reserved) == 1


def test_concurrent_reservations_queue_on_the_line_lock(gw):
    """Straight at the line: each reservation holds its transaction open a moment after reserving, so without the
    line's row lock both would read the line before either commits and both would pass."""

    with gw.acting("fin") as (s, a):
        bank, line = make_bank(s, total="1000000.00")
        ids = [make_project(s, a, gw.customers["corp"], bank=bank, amount="600000.00", status="in_approval").id
               for _ in range(2)]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def go(project_id):
        barrier.wait()
        try:
            with acting(gw.actors["fin"]), gw.session() as s:
                project = s.scalars(select(GuaranteeProject).where(GuaranteeProject.id == project_id)).one()
                reserve(s, project)
                time.sleep(0.5)
            outcomes.append("ok")
        except CreditLineExceeded:
            outcomes.append("exceeded")

    threads = [threading.Thread(target=go, args=(i,)) for i in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes) == ["exceeded", "ok"], outcomes
    assert _used(gw, line.id) == Decimal("600000.00")


LATE_REJECT = {
    "key": "test.check_then_decide", "name": "Check the line, then decide", "subject_type": "guarantee:project",
    "start": "reply",
    "steps": [
        {"key": "reply", "name": "批复", "kind": "task", "assignee": {"role": "executive"},
         "transitions": [{"to": "check"}]},
        {"key": "check", "kind": "automatic", "handler": CREDIT_LINE_CHECK, "transitions": [{"to": "final"}]},
        {"key": "final", "name": "终审", "kind": "task", "assignee": {"role": "executive"},
         "transitions": [{"to": "approved"}]},
        {"key": "approved", "kind": "end", "result": "approved"},
    ],
}


def test_a_rejection_after_the_check_gives_the_reservation_back(gw):
    with gw.acting("admin") as (s, a):
        draft = definitions.save_draft(s, a, LATE_REJECT)
        definitions.publish(s, a, LATE_REJECT["key"], draft.version)
    with gw.acting("mgr") as (s, a):
        bank, line = make_bank(s, total="4000000.00")
        project = make_project(s, a, gw.customers["corp"], bank=bank, amount="3000000.00", status="in_approval")
        instance = start(s, a, definition_key=LATE_REJECT["key"], subject_type="guarantee:project",
                         subject_id=str(project.id))
        project.workflow_instance_id = instance.id  # as submission does

    def task_id():
        with gw.session() as s:
            return s.scalars(select(WorkflowTask.id).where(WorkflowTask.instance_id == instance.id,
                                                           WorkflowTask.status == "open")).one()

    with gw.acting("boss") as (s, a):
        act(s, a, task_id(), "approve")
    assert _used(gw, line.id) == Decimal("3000000.00")
    with gw.acting("boss") as (s, a):
        act(s, a, task_id(), "reject", comment="市场变化")
    assert _used(gw, line.id) == Decimal("0.00")
    with gw.session() as s:
        row = s.scalars(select(GuaranteeProject).where(GuaranteeProject.id == project.id)).one()
        assert row.status == "rejected" and row.credit_line_id is None
