"""Fixtures of the customers plugin tests: a tenant with the plugin, two branches and users in each role, and
helpers that compute real check characters."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import pytest
from sqlalchemy import select

from surety.plugins.customers.testing import actor_for

PASSWORD = "Strong-Pass-77"


@dataclass
class World:
    tenant: object
    units: dict[str, uuid.UUID] = field(default_factory=dict)
    actors: dict[str, object] = field(default_factory=dict)


@pytest.fixture
def world(db, make_tenant) -> World:
    """Tenant with ``customers``; head office HQ with branches A and B; users: mgr_a, mgr_a2 (customer managers in
    A), mgr_b (customer manager in B), head_a (department head of A), risk (risk officer at HQ), boss
    (executive), viewer (read_only in A), admin."""
    from surety.core.identity.models import OrgUnit, User
    from surety.core.identity.org import create_org_unit
    from surety.core.identity.service import create_user

    tenant = make_tenant(plugins=["customers"])
    w = World(tenant)
    with db.tenant_session(tenant.id) as s:
        hq = s.scalar(select(OrgUnit).where(OrgUnit.code == "HQ"))
        w.units["HQ"] = hq.id
        for code in ("A", "B"):
            w.units[code] = create_org_unit(s, code=code, name=f"Branch {code}", kind="branch", parent_id=hq.id).id
        people = {"mgr_a": ("A", "customer_manager"), "mgr_a2": ("A", "customer_manager"),
                  "mgr_b": ("B", "customer_manager"), "head_a": ("A", "department_head"),
                  "risk": ("HQ", "risk_officer"), "boss": ("HQ", "executive"), "viewer": ("A", "read_only")}
        for name, (unit, role) in people.items():
            user = create_user(s, username=name, password=PASSWORD, org_unit_id=w.units[unit], roles=[role])
            w.actors[name] = actor_for(user)
        admin = s.scalar(select(User).where(User.username == "admin"))
        w.actors["admin"] = actor_for(admin)
    return w
