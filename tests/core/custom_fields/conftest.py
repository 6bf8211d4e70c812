"""A tenant with the customers plugin (its entity types customer_individual/customer_corporate carry custom
fields), its admin and a user without core:custom_field:manage."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from surety.core.identity.auth import user_actor
from surety.core.identity.models import User
from surety.core.identity.service import create_user
from surety.core.testing import TEST_PASSWORD

ENTITY = "customer_individual"


@dataclass
class Place:
    db: object
    tenant_id: uuid.UUID
    admin: object
    clerk: object

    def session(self):
        return self.db.tenant_session(self.tenant_id)


@pytest.fixture
def place(db, make_tenant) -> Place:
    return _make(db, make_tenant)


@pytest.fixture
def other_place(db, make_tenant) -> Place:
    return _make(db, make_tenant)


def _make(db, make_tenant) -> Place:
    tenant = make_tenant(plugins=["customers"])
    with db.tenant_session(tenant.id) as s:
        admin = user_actor(s.scalar(select(User).where(User.username == "admin")))
        clerk = user_actor(create_user(s, username="clerk", password=TEST_PASSWORD, roles=["customer_manager"]))
    return Place(db, tenant.id, admin, clerk)
