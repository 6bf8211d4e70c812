"""Fixtures of the re-guarantee plugin tests: a tenant with ``customers`` and ``reguarantee`` enabled, its admin and
people in the roles the areas use (``mgr`` customer manager, ``risk`` risk officer, ``head`` department head,
``legal`` the committee secretary, ``mem1``..``mem3`` committee members, ``viewer`` read only), and ``do`` to act on an
instance's open task."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from sqlalchemy import select

from surety.core.identity.auth import user_actor
from surety.core.identity.models import User
from surety.core.identity.service import create_user
from surety.core.testing import TEST_PASSWORD, acting_session
from surety.core.workflow.actions import act
from surety.core.workflow.models import WorkflowInstance, WorkflowTask

PEOPLE = {"mgr": "customer_manager", "risk": "risk_officer", "head": "department_head", "legal": "legal",
          "mem1": "committee_member", "mem2": "committee_member", "mem3": "committee_member", "viewer": "read_only"}


@dataclass
class RWorld:
    db: object
    tenant: object
    actors: dict[str, object] = field(default_factory=dict)

    def session(self):
        return self.db.tenant_session(self.tenant.id)

    def acting(self, username: str):
        """``with w.acting("admin") as (s, a):`` a tenant session and the actor, with the request context set."""
        return acting_session(self.db, self.tenant.id, self.actors[username])

    def uid(self, username: str):
        return self.actors[username].id_uuid

    def do(self, user: str, instance_id, action: str = "approve", **kw) -> tuple[str, str]:
        """``user`` acts on the instance's open task of theirs (or the only open one); (step, status) after."""
        with self.acting(user) as (s, a):
            tasks = list(s.scalars(select(WorkflowTask).where(WorkflowTask.instance_id == instance_id,
                                                              WorkflowTask.status == "open")))
            mine = [t for t in tasks if t.assignee_id == a.id_uuid] or tasks
            act(s, a, mine[0].id, action, **kw)
        with self.session() as s:
            inst = s.scalars(select(WorkflowInstance).where(WorkflowInstance.id == instance_id)).one()
            return inst.current_step, inst.status


@pytest.fixture
def rw(db, make_tenant) -> RWorld:
    tenant = make_tenant(plugins=["customers", "reguarantee"])
    w = RWorld(db=db, tenant=tenant)
    with db.tenant_session(tenant.id) as s:
        for name, role in PEOPLE.items():
            user = create_user(s, username=name, password=TEST_PASSWORD, display_name=name.title(), roles=[role],
                               email=f"{name}@example.com")
            w.actors[name] = user_actor(user)
        w.actors["admin"] = user_actor(s.scalar(select(User).where(User.username == "admin")))
    return w
