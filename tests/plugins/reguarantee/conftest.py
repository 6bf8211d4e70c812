"""Fixtures of the re-guarantee plugin tests: a tenant with ``customers`` and ``reguarantee`` enabled, its admin and
people in the roles the areas use (``mgr`` customer manager, ``risk`` risk officer, ``head`` department head,
``legal`` the committee secretary, ``mem1``..``mem3`` committee members, ``viewer`` read only), and ``do`` to act on an
instance's open task."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from surety.core.testing import TenantWorld
from surety.core.workflow.actions import act
from surety.core.workflow.models import WorkflowInstance, WorkflowTask

PEOPLE = {"mgr": "customer_manager", "risk": "risk_officer", "head": "department_head", "legal": "legal",
          "mem1": "committee_member", "mem2": "committee_member", "mem3": "committee_member", "viewer": "read_only"}


class RWorld(TenantWorld):
    """core.testing.TenantWorld with ``do``."""

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
    return RWorld.with_people(db, make_tenant(plugins=["customers", "reguarantee"]), PEOPLE)
