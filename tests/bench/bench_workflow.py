"""Workflow figures: the cost of one approval action, and the inbox of a user with 500 open tasks among 100,000
instances (docs/benchmarks.md)."""

from __future__ import annotations

import datetime as dt
import itertools
import secrets
import uuid

from bench_stats import Figure, SqlMeter, interleaved_ms, median, percentile
from sqlalchemy import create_engine, func, insert, select, text, update

from surety.core.context import ACTOR_USER, Actor, acting
from surety.core.db.base import uuid7
from surety.core.db.session import Database
from surety.core.db.types import utcnow
from surety.core.identity.models import User
from surety.core.identity.service import create_user
from surety.core.testing import TEST_PASSWORD
from surety.core.workflow import actions, definitions, engine
from surety.core.workflow.models import (
    WorkflowEvent,
    WorkflowInstance,
    WorkflowStepRun,
    WorkflowTask,
    WorkflowTaskCandidate,
)
from surety.core.workflow.queries import my_open_tasks
from surety.tenants.service import create_tenant

PAGE = 50
PROFILE_RUNS = 50
TWO_STEPS = {
    "key": "bench.two_steps", "name": "Bench", "subject_type": "bench:thing", "start": "first",
    "steps": [
        {"key": "first", "name": "First", "kind": "task", "assignee": {"user": "approver"},
         "timeout": {"working_days": 3, "escalate_to": "department_head"}, "transitions": [{"to": "second"}]},
        {"key": "second", "name": "Second", "kind": "task", "assignee": {"user": "approver"},
         "transitions": [{"to": "done"}]},
        {"key": "done", "kind": "end", "result": "approved"},
    ],
}


def _actor(tenant_id, user) -> Actor:
    return Actor(type=ACTOR_USER, id=str(user.id), tenant_id=tenant_id, org_unit_id=user.org_unit_id,
                 username=user.username)


def seed(db: Database, *, instances: int, mine: int, others: int) -> tuple[uuid.UUID, Actor, Actor]:
    """A tenant with the two-step definition, ``instances`` running instances (each with one open task), ``mine``
    of whose tasks wait for the inbox user and the rest for ``others`` other users."""
    tenant = create_tenant(db, slug=f"bench-wf-{secrets.token_hex(3)}", name="Bench workflow",
                           admin_password=TEST_PASSWORD)
    with db.tenant_session(tenant.id) as s:
        approver = create_user(s, username="approver", password=TEST_PASSWORD, roles=["risk_officer"])
        inbox_user = create_user(s, username="inbox", password=TEST_PASSWORD, roles=["risk_officer"])
        admin = s.scalar(select(User).where(User.username == "admin"))
        now = utcnow()
        other_ids = [uuid7() for _ in range(others)]
        s.execute(insert(User), [dict(tenant_id=tenant.id, id=i, username=f"other{n:04d}", display_name="",
                                      status="active", password_hash="x", failed_logins=0, password_changed_at=now,
                                      created_at=now)
                                 for n, i in enumerate(other_ids)])
        with acting(_actor(tenant.id, admin)):
            draft = definitions.save_draft(s, _actor(tenant.id, admin), TWO_STEPS)
            version = definitions.publish(s, _actor(tenant.id, admin), draft.key, draft.version)
    owners = itertools.chain([inbox_user.id] * mine, itertools.cycle(other_ids))
    batch = 5000
    for start in range(0, instances, batch):
        rows = {"i": [], "r": [], "t": [], "c": [], "e": []}
        for n in range(start, min(instances, start + batch)):
            owner = next(owners)
            iid, rid, tid = uuid7(), uuid7(), uuid7()
            rows["i"].append(dict(tenant_id=tenant.id, id=iid, definition_id=version.id, definition_key=version.key,
                                  definition_version=version.version, subject_type="bench:thing",
                                  subject_id=f"S-{n}", subject={}, variables={}, title=f"Thing {n}",
                                  status="running", current_step="first", lock_version=0, last_seq=1, started_at=now))
            rows["r"].append(dict(tenant_id=tenant.id, id=rid, instance_id=iid, step_key="first", kind="task",
                                  mode="all", required=1, status="open", started_at=now))
            rows["t"].append(dict(tenant_id=tenant.id, id=tid, instance_id=iid, step_run_id=rid, step_key="first",
                                  kind="task", title=f"Thing {n}", status="open", assignee_id=owner,
                                  due_date=dt.date(2026, 1, 5), created_at=now))
            rows["c"].append(dict(tenant_id=tenant.id, id=uuid7(), task_id=tid, user_id=owner, active=True,
                                  reason="assigned"))
            rows["e"].append(dict(tenant_id=tenant.id, id=uuid7(), instance_id=iid, seq=1, action="start",
                                  actor_type="user", actor_id=str(owner), details={}, occurred_at=now))
        with db.tenant_session(tenant.id) as s:
            for model, key in ((WorkflowInstance, "i"), (WorkflowStepRun, "r"), (WorkflowTask, "t"),
                               (WorkflowTaskCandidate, "c"), (WorkflowEvent, "e")):
                s.execute(insert(model), rows[key])
    with db.engine.connect() as conn:  # fresh statistics after the bulk load
        conn.exec_driver_sql("ANALYZE")
        conn.commit()
    return tenant.id, _actor(tenant.id, approver), _actor(tenant.id, inbox_user)


def approval_figure(db: Database, tenant_id: uuid.UUID, approver: Actor, *, runs: int, warmup: int) -> Figure:
    """An approval through the engine vs the bare transaction a hand-written approval would run."""
    counter = itertools.count()
    today = dt.date(2026, 6, 1)

    def fresh_task() -> uuid.UUID:
        with acting(approver), db.tenant_session(tenant_id) as s:
            inst = engine.start(s, approver, definition_key="bench.two_steps", subject_type="bench:thing",
                                subject_id=f"A-{next(counter)}", subject={}, title="bench", today=today)
            return s.scalar(select(WorkflowTask.id).where(WorkflowTask.instance_id == inst.id))

    pending_engine: list[uuid.UUID] = []
    pending_bare: list[uuid.UUID] = []

    def via_engine() -> None:
        task_id = pending_engine.pop()
        with acting(approver), db.tenant_session(tenant_id) as s:
            actions.act(s, approver, task_id, "approve", comment="ok", today=today)

    def bare() -> None:
        """Close the task and open the next one with plain statements: no permission check, lock, routing,
        timeline, audit, notification or events."""
        task_id = pending_bare.pop()
        with db.tenant_session(tenant_id) as s:
            task = s.scalars(select(WorkflowTask).where(WorkflowTask.id == task_id)).one()
            task.status, task.decision, task.completed_at = "done", "approve", utcnow()
            s.execute(update(WorkflowTaskCandidate).where(WorkflowTaskCandidate.task_id == task_id)
                      .values(active=False))
            run = WorkflowStepRun(instance_id=task.instance_id, step_key="second", kind="task")
            s.add(run)
            s.flush()
            s.add(WorkflowTask(instance_id=task.instance_id, step_run_id=run.id, step_key="second", kind="task",
                               title="bench", assignee_id=approver.id_uuid))

    total = runs + warmup + PROFILE_RUNS
    pending_engine += [fresh_task() for _ in range(total)]
    pending_bare += [fresh_task() for _ in range(total)]
    surety_ms, bare_ms = interleaved_ms(via_engine, bare, runs, warmup)
    with SqlMeter(db.engine) as meter:
        for _ in range(PROFILE_RUNS):
            via_engine()
    p95, p95_bare = percentile(surety_ms, 95), percentile(bare_ms, 95)
    slowest, slowest_s = meter.slowest()
    return Figure(
        what="One approval action through the engine vs a bare hand-written approval, p95 per transaction",
        surety=p95, baseline=p95_bare, unit="ms", target="p95 <= 30 ms", passed=p95 <= 30.0,
        notes=(
            ("engine: actions.act(approve) on a task of a two-step definition: permission check, instance lock, "
             "timeline entry, audit record, settle, route, next step's task with its candidate, notification with "
             "delivery rows, two domain events; baseline: update the task and its candidate, insert the next "
             "run and task"),
            (f"{runs} approvals each, interleaved, after {warmup} warm-up pairs; medians {median(surety_ms):.2f} ms "
             f"engine, {median(bare_ms):.2f} ms bare"),
            (f"where the time goes ({PROFILE_RUNS} more engine approvals, SQL metered, means): "
             f"{meter.elapsed * 1000 / PROFILE_RUNS:.2f} ms = {meter.seconds * 1000 / PROFILE_RUNS:.2f} ms executing "
             f"{meter.statements / PROFILE_RUNS:.0f} statements + "
             f"{(meter.elapsed - meter.seconds) * 1000 / PROFILE_RUNS:.2f} ms outside them; the slowest statement "
             f"({slowest_s * 1000 / PROFILE_RUNS:.2f} ms per approval): {slowest}"),
        ),
    )


def inbox_figure(db: Database, tenant_id: uuid.UUID, user: Actor, *, instances: int, mine: int, runs: int,
                 warmup: int) -> Figure:
    """The first page of a user's open tasks with the total, vs the same page read straight by assignee."""

    def surety_inbox() -> None:
        with db.tenant_session(tenant_id) as s:
            stmt = my_open_tasks(s, user)
            page = s.scalars(stmt.order_by(WorkflowTask.created_at, WorkflowTask.id).limit(PAGE + 1)).all()
            total = s.scalar(stmt.order_by(None).with_only_columns(func.count(), maintain_column_froms=True))
        if len(page) != PAGE + 1 or total != mine:
            raise RuntimeError(f"inbox returned {len(page)} rows, total {total}; expected {mine}")

    def baseline() -> None:
        with db.tenant_session(tenant_id) as s:
            stmt = select(WorkflowTask).where(WorkflowTask.assignee_id == user.id_uuid,
                                              WorkflowTask.status == "open")
            page = s.scalars(stmt.order_by(WorkflowTask.created_at, WorkflowTask.id).limit(PAGE + 1)).all()
            total = s.scalar(select(func.count()).select_from(WorkflowTask).where(
                WorkflowTask.assignee_id == user.id_uuid, WorkflowTask.status == "open"))
        if len(page) != PAGE + 1 or total != mine:
            raise RuntimeError("baseline inbox mismatch")

    surety_ms, base_ms = interleaved_ms(surety_inbox, baseline, runs, warmup)
    p95, p95_base = percentile(surety_ms, 95), percentile(base_ms, 95)
    return Figure(
        what=f"Inbox: first {PAGE} of {mine} open tasks among {instances:,} instances, p95",
        surety=p95, baseline=p95_base, unit="ms", target="p95 <= 20 ms", passed=p95 <= 20.0,
        notes=(
            ("surety: queries.my_open_tasks (permission check, candidates of the user that are active, open tasks) "
             f"first page of {PAGE} by (created_at, id) plus the total; baseline: the same page and count straight "
             "from workflow_tasks by assignee through an ideal index made for it (tenant_id, assignee_id, status, "
             "created_at, id), with no permission check and no candidates table"),
            (f"{runs} reads each, interleaved, after {warmup} warm-up pairs; medians {median(surety_ms):.2f} ms "
             f"surety, {median(base_ms):.2f} ms baseline"),
        ),
    )


def run(db: Database, owner_url: str, *, instances: int, mine: int, runs: int, warmup: int) -> list[Figure]:
    tenant_id, approver, inbox_user = seed(db, instances=instances, mine=mine, others=200)
    figures = [approval_figure(db, tenant_id, approver, runs=runs, warmup=warmup)]
    owner = create_engine(owner_url)
    index = text("CREATE INDEX bench_tasks_by_assignee ON workflow_tasks (tenant_id, assignee_id, status, "
                 "created_at, id)")
    with owner.begin() as conn:  # the baseline's ideal index, made by the owner and dropped afterwards
        conn.execute(index)
        conn.execute(text("ANALYZE workflow_tasks"))
    try:
        figures.append(inbox_figure(db, tenant_id, inbox_user, instances=instances, mine=mine, runs=runs,
                                    warmup=warmup))
    finally:
        with owner.begin() as conn:
            conn.execute(text("DROP INDEX bench_tasks_by_assignee"))
        owner.dispose()
    return figures
