"""Two people approving the same task at the same moment: exactly one succeeds, the other gets CONFLICT."""

from __future__ import annotations

import threading

from sqlalchemy import select

from surety.core.context import acting
from surety.core.errors import Conflict
from surety.core.identity.service import create_user
from surety.core.testing import TEST_PASSWORD
from surety.core.workflow.actions import act
from surety.core.workflow.models import WorkflowEvent

SHARED = {
    "key": "test.shared", "name": "Shared", "subject_type": "test:thing", "start": "review",
    "steps": [
        {"key": "review", "name": "Review", "kind": "task", "assignee": {"role": "risk_officer"},
         "transitions": [{"to": "ok"}]},
        {"key": "ok", "kind": "end", "result": "approved"},
    ],
}


def test_concurrent_double_approval(org):
    with org.session() as s:
        org.users["bob2"] = create_user(s, username="bob2", password=TEST_PASSWORD, org_unit_id=org.units["BJ"],
                                        roles=["risk_officer"])
    org.publish(SHARED)
    for round_ in range(3):  # a few rounds: the race must hold whoever gets there first
        iid = org.start("alice", "test.shared", f"R-{round_}", {})
        task = org.task_for(iid, "bob")
        assert task.assignee_id is None  # two candidates: whoever acts first takes it
        barrier = threading.Barrier(2)
        outcomes: dict[str, str] = {}

        def approve(username: str, barrier=barrier, task=task, outcomes=outcomes) -> None:
            barrier.wait()
            try:
                with org.session() as s, acting(org.actor(username)):
                    act(s, org.actor(username), task.id, "approve", comment=f"by {username}")
                outcomes[username] = "ok"
            except Conflict:
                outcomes[username] = "conflict"

        threads = [threading.Thread(target=approve, args=(u,)) for u in ("bob", "bob2")]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert sorted(outcomes.values()) == ["conflict", "ok"], outcomes
        assert org.instance(iid).status == "approved"
        with org.session() as s:
            approvals = s.scalars(select(WorkflowEvent).where(WorkflowEvent.instance_id == iid,
                                                              WorkflowEvent.action == "approve")).all()
        winner = next(u for u, o in outcomes.items() if o == "ok")
        assert [e.actor_id for e in approvals] == [str(org.id(winner))]
