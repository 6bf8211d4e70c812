"""Fixtures for the attachment tests: a tenant with an admin, a clerk (customer_manager: read and upload) and a
viewer (read_only: no attachment permission), and builders of small but real files."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import pytest
from sqlalchemy import select

from surety.core.attachments.samples import SAMPLES
from surety.core.context import ACTOR_USER, Actor
from surety.core.identity.models import User
from surety.core.identity.service import create_user
from surety.core.settings import get_settings
from surety.core.testing import TEST_PASSWORD


@dataclass
class Team:
    db: object
    tenant_id: uuid.UUID
    users: dict[str, User] = field(default_factory=dict)

    def actor(self, name: str) -> Actor:
        u = self.users[name]
        return Actor(type=ACTOR_USER, id=str(u.id), tenant_id=self.tenant_id, org_unit_id=u.org_unit_id,
                     username=u.username)

    def session(self):
        return self.db.tenant_session(self.tenant_id)

    def blob_dir(self):
        return get_settings().var_dir / "attachments" / str(self.tenant_id)

    def blobs(self) -> list:
        root = self.blob_dir()
        return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def _team(db, make_tenant) -> Team:
    tenant = make_tenant()
    team = Team(db=db, tenant_id=tenant.id)
    with db.tenant_session(tenant.id) as s:
        team.users["admin"] = s.scalar(select(User).where(User.username == "admin"))
        team.users["clerk"] = create_user(s, username="clerk", password=TEST_PASSWORD, roles=["customer_manager"])
        team.users["viewer"] = create_user(s, username="viewer", password=TEST_PASSWORD, roles=["read_only"])
    return team


@pytest.fixture
def team(db, make_tenant) -> Team:
    return _team(db, make_tenant)


@pytest.fixture
def other_team(db, make_tenant) -> Team:
    return _team(db, make_tenant)


@pytest.fixture
def sample():
    """``sample("png")`` -> the bytes of a small real file of that kind
    (see ``surety.core.attachments.samples.SAMPLES``)."""
    return lambda kind: SAMPLES[kind]()
