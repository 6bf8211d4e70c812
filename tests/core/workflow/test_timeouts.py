"""Timeouts in working days on the PRC calendar: a reminder before due, escalation after, idempotent per date."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from surety.core.batch import run_day_end
from surety.core.context import acting
from surety.core.notifications.models import Notification
from surety.core.workflow.models import WorkflowTaskCandidate
from surety.core.workflow.timeouts import run_timeouts
from surety.core.workflow.workdays import set_override
from surety.tenants.models import Tenant

TIMED = {
    "key": "test.timed", "name": "Timed", "subject_type": "test:thing", "start": "review",
    "steps": [
        {"key": "review", "name": "Review", "kind": "task", "assignee": {"user": "bob"},
         "timeout": {"working_days": 3, "remind_before": 1, "escalate_to": "department_head"},
         "transitions": [{"to": "ok"}]},
        {"key": "ok", "kind": "end", "result": "approved"},
    ],
}
#: The Monday before the 2024 National Day holiday (1-7 October; Sunday 29 September and Saturday 12 October
#: were make-up working days).
SEPT_30 = dt.date(2024, 9, 30)


def kinds(org, username):
    with org.session() as s:
        return [n.kind for n in s.scalars(select(Notification).where(Notification.user_id == org.id(username))
                                          .order_by(Notification.created_at, Notification.id))]


def batch(org, day):
    with org.session() as s:
        return run_timeouts(s, day)


def test_due_date_skips_the_national_day_holiday(org):
    org.publish(TIMED)
    iid = org.start("alice", "test.timed", "T-1", {"org_unit_id": str(org.units["BJ"])}, today=SEPT_30)
    # Three working days after 30 September: 8, 9 and 10 October.
    assert org.task_for(iid, "bob").due_date == dt.date(2024, 10, 10)


def test_reminder_then_escalation_across_a_public_holiday(org):
    org.publish(TIMED)
    iid = org.start("alice", "test.timed", "T-2", {"org_unit_id": str(org.units["BJ"])}, today=SEPT_30)
    assert batch(org, dt.date(2024, 10, 4)) == {"reminded": 0, "escalated": 0}  # a holiday: 4 working days left
    assert batch(org, dt.date(2024, 10, 9)) == {"reminded": 1, "escalated": 0}
    assert batch(org, dt.date(2024, 10, 9)) == {"reminded": 0, "escalated": 0}  # idempotent for the date
    assert batch(org, dt.date(2024, 10, 10)) == {"reminded": 0, "escalated": 0}  # due today: not late yet
    assert batch(org, dt.date(2024, 10, 11)) == {"reminded": 0, "escalated": 1}
    assert batch(org, dt.date(2024, 10, 11)) == {"reminded": 0, "escalated": 0}
    assert kinds(org, "bob") == ["task_assigned", "task_due_soon", "task_overdue"]
    # The head of the subject's branch (BJ) is the supervisor, not the head of SH.
    assert kinds(org, "carol") == ["task_escalated"] and kinds(org, "dave") == []
    with org.session() as s:
        reasons = {c.user_id: c.reason for c in s.scalars(select(WorkflowTaskCandidate))
                   if c.task_id == org.task_for(iid, "bob").id}
    assert reasons == {org.id("bob"): "assigned", org.id("carol"): "escalated"}
    # The supervisor may now act on the overdue task.
    assert org.act("carol", iid, "approve", comment="done on bob's behalf") == ("approved", "ok")


def test_tenant_override_moves_the_due_date(org):
    with org.session() as s, acting(org.actor("admin")):
        set_override(s, org.actor("admin"), dt.date(2024, 10, 8), False, "office move")
    org.publish(TIMED)
    iid = org.start("alice", "test.timed", "T-3", {"org_unit_id": str(org.units["BJ"])}, today=SEPT_30)
    assert org.task_for(iid, "bob").due_date == dt.date(2024, 10, 11)


def test_day_end_batch_runs_the_timeouts(org, db):
    org.publish(TIMED)
    org.start("alice", "test.timed", "T-4", {"org_unit_id": str(org.units["BJ"])}, today=SEPT_30)
    with db.platform_session() as s:
        slug = s.get(Tenant, org.tenant_id).slug
    lines = list(run_day_end(db, dt.date(2024, 10, 11), tenant_slug=slug))
    assert any("core.workflow_timeouts done" in line for line in lines)
    assert kinds(org, "carol") == ["task_escalated"]
