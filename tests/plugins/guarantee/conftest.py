"""Fixtures of the guarantee plugin tests: a tenant with ``customers`` and ``guarantee`` enabled, a head office HQ
with branch A, people in each role, and two customers of the lead manager."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import pytest
from sqlalchemy import select

from surety.core.identity.models import OrgUnit, User
from surety.core.identity.org import create_org_unit
from surety.core.identity.service import create_user
from surety.core.testing import TEST_PASSWORD, acting_session
from surety.plugins.customers.records import create_customer
from surety.plugins.customers.testing import actor_for, corporate, individual

#: username -> (role, org unit code)
PEOPLE = {
    "mgr": ("customer_manager", "A"), "mgr2": ("customer_manager", "A"), "head": ("department_head", "A"),
    "risk": ("risk_officer", "HQ"), "boss": ("executive", "HQ"), "legal": ("legal", "HQ"),
    "fin": ("finance", "HQ"), "viewer": ("read_only", "A"),
    "mem1": ("committee_member", "HQ"), "mem2": ("committee_member", "HQ"), "mem3": ("committee_member", "HQ"),
    "mem4": ("committee_member", "HQ"), "mem5": ("committee_member", "HQ"),
}


@dataclass
class GWorld:
    db: object
    tenant: object
    units: dict[str, uuid.UUID] = field(default_factory=dict)
    actors: dict[str, object] = field(default_factory=dict)
    customers: dict[str, uuid.UUID] = field(default_factory=dict)

    def session(self):
        return self.db.tenant_session(self.tenant.id)

    def acting(self, username: str):
        """``with w.acting("mgr") as (s, a):`` a tenant session and the actor, with the request context set."""
        return acting_session(self.db, self.tenant.id, self.actors[username])


@pytest.fixture
def gw(db, make_tenant) -> GWorld:
    tenant = make_tenant(plugins=["customers", "guarantee"])
    w = GWorld(db=db, tenant=tenant)
    with db.tenant_session(tenant.id) as s:
        hq = s.scalar(select(OrgUnit).where(OrgUnit.code == "HQ"))
        w.units["HQ"] = hq.id
        w.units["A"] = create_org_unit(s, code="A", name="Branch A", kind="branch", parent_id=hq.id).id
        for name, (role, unit) in PEOPLE.items():
            user = create_user(s, username=name, password=TEST_PASSWORD, display_name=name.title(),
                               org_unit_id=w.units[unit], roles=[role], email=f"{name}@example.com")
            w.actors[name] = actor_for(user)
        w.actors["admin"] = actor_for(s.scalar(select(User).where(User.username == "admin")))
    with w.acting("mgr") as (s, a):
        w.customers["corp"] = create_customer(s, a, "corporate", corporate(1, name="华夏建材有限公司")).id
        w.customers["person"] = create_customer(s, a, "individual", individual(2, name="张三")).id
    return w
