"""Fixtures of the microloan plugin tests: a tenant with ``microloan`` enabled, its admin and people in two roles
(``mgr`` a customer manager, ``viewer`` read only)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from sqlalchemy import select

from surety.core.identity.auth import user_actor
from surety.core.identity.models import User
from surety.core.identity.service import create_user
from surety.core.testing import TEST_PASSWORD, acting_session

PEOPLE = {"mgr": "customer_manager", "viewer": "read_only"}


@dataclass
class MWorld:
    db: object
    tenant: object
    actors: dict[str, object] = field(default_factory=dict)

    def session(self):
        return self.db.tenant_session(self.tenant.id)

    def acting(self, username: str):
        """``with w.acting("admin") as (s, a):`` a tenant session and the actor, with the request context set."""
        return acting_session(self.db, self.tenant.id, self.actors[username])


@pytest.fixture
def mw(db, make_tenant) -> MWorld:
    tenant = make_tenant(plugins=["customers", "microloan"])
    w = MWorld(db=db, tenant=tenant)
    with db.tenant_session(tenant.id) as s:
        for name, role in PEOPLE.items():
            user = create_user(s, username=name, password=TEST_PASSWORD, display_name=name.title(), roles=[role],
                               email=f"{name}@example.com")
            w.actors[name] = user_actor(user)
        w.actors["admin"] = user_actor(s.scalar(select(User).where(User.username == "admin")))
    return w

