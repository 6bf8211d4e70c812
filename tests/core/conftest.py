"""Fixtures shared by the core tests: a provisioned tenant with branches and people in roles (`org`), with helpers to
publish a process definition and act as someone."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

import pytest
from sqlalchemy import select

from surety.core.context import ACTOR_USER, Actor, acting
from surety.core.identity.models import ORG_BRANCH, OrgUnit, User
from surety.core.identity.org import create_org_unit
from surety.core.identity.service import create_user
from surety.core.testing import TEST_PASSWORD
from surety.core.workflow import actions, definitions, engine
from surety.core.workflow.models import TASK_OPEN, WorkflowInstance, WorkflowTask, WorkflowTaskCandidate

#: A Monday that is an ordinary working day.
MONDAY = dt.date(2024, 6, 3)

PEOPLE = {
    # username: (roles, org unit code)
    "alice": (["customer_manager"], "BJ"),
    "bob": (["risk_officer"], "BJ"),
    "carol": (["department_head"], "BJ"),
    "dave": (["department_head"], "SH"),
    "erin": (["executive"], "HQ"),
    "mem1": (["committee_member"], "HQ"),
    "mem2": (["committee_member"], "HQ"),
    "mem3": (["committee_member"], "HQ"),
    "mem4": (["committee_member"], "HQ"),
    "mem5": (["committee_member"], "HQ"),
    "sec": (["legal"], "HQ"),
}


@dataclass
class Org:
    db: object
    tenant_id: uuid.UUID
    users: dict[str, User] = field(default_factory=dict)
    units: dict[str, uuid.UUID] = field(default_factory=dict)

    def actor(self, username: str) -> Actor:
        u = self.users[username]
        return Actor(type=ACTOR_USER, id=str(u.id), tenant_id=self.tenant_id, org_unit_id=u.org_unit_id,
                     username=username)

    def id(self, username: str) -> uuid.UUID:
        return self.users[username].id

    def session(self):
        return self.db.tenant_session(self.tenant_id)

    def publish(self, document: dict):
        with self.session() as s, acting(self.actor("admin")):
            draft = definitions.save_draft(s, self.actor("admin"), document)
            return definitions.publish(s, self.actor("admin"), draft.key, draft.version)

    def start(self, username: str, key: str, subject_id: str, subject: dict | None = None, today=MONDAY, **kw):
        with self.session() as s, acting(self.actor(username)):
            inst = engine.start(s, self.actor(username), definition_key=key, subject_type="test:thing",
                                subject_id=subject_id, subject=subject or {}, title=f"Thing {subject_id}",
                                today=today, **kw)
            return inst.id

    def open_tasks(self, instance_id: uuid.UUID) -> list[WorkflowTask]:
        with self.session() as s:
            return list(s.scalars(select(WorkflowTask).where(WorkflowTask.instance_id == instance_id,
                                                             WorkflowTask.status == TASK_OPEN)
                                  .order_by(WorkflowTask.created_at)))

    def task_for(self, instance_id: uuid.UUID, username: str) -> WorkflowTask:
        """The open task of ``instance_id`` that ``username`` is a candidate for."""
        with self.session() as s:
            task = s.scalar(select(WorkflowTask).join(
                WorkflowTaskCandidate, WorkflowTaskCandidate.task_id == WorkflowTask.id).where(
                WorkflowTask.instance_id == instance_id, WorkflowTask.status == TASK_OPEN,
                WorkflowTaskCandidate.user_id == self.id(username), WorkflowTaskCandidate.active.is_(True)))
        assert task is not None, f"{username} has no open task on this instance"
        return task

    def act(self, username: str, instance_id: uuid.UUID, action: str, today=MONDAY, **kw):
        task = self.task_for(instance_id, username)
        with self.session() as s, acting(self.actor(username)):
            inst = actions.act(s, self.actor(username), task.id, action, today=today, **kw)
            return inst.status, inst.current_step

    def instance(self, instance_id: uuid.UUID):
        with self.session() as s:
            return s.scalars(select(WorkflowInstance).where(WorkflowInstance.id == instance_id)).one()


@pytest.fixture
def org(db, make_tenant):
    """A tenant with head office HQ, branches BJ and SH, and the people of :data:`PEOPLE`."""
    tenant = make_tenant()
    org = Org(db=db, tenant_id=tenant.id)
    with db.tenant_session(tenant.id) as s:
        hq = s.scalar(select(OrgUnit).where(OrgUnit.code == "HQ"))
        org.units["HQ"] = hq.id
        for code in ("BJ", "SH"):
            org.units[code] = create_org_unit(s, code=code, name=f"Branch {code}", kind=ORG_BRANCH,
                                              parent_id=hq.id).id
        org.users["admin"] = s.scalar(select(User).where(User.username == "admin"))
        for name, (roles, unit) in PEOPLE.items():
            org.users[name] = create_user(s, username=name, password=TEST_PASSWORD, display_name=name.title(),
                                          org_unit_id=org.units[unit], roles=roles,
                                          email=f"{name}@example.com")
    return org
