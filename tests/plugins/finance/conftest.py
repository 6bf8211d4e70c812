"""Fixtures of the finance plugin tests: a tenant with ``finance`` enabled (the default chart installed by
provisioning), its admin and people in three roles: ``fin`` and ``fin2`` (finance: make, review, post, close) and
``viewer`` (read only).

Until the distribution is reinstalled with the ``finance`` entry point (pyproject.toml), the registry is rebuilt
here with the plugin added, before any fixture builds the schema."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from sqlalchemy import select

from surety.core.identity.auth import user_actor
from surety.core.identity.models import User
from surety.core.identity.service import create_user
from surety.core.plugins import PluginRegistry, build_plugin_manager, get_registry, reset_registry
from surety.core.testing import TEST_PASSWORD, acting_session
from surety.plugins.finance import KEY
from surety.plugins.finance import plugin as finance_plugin

if KEY not in get_registry().keys():
    reset_registry(PluginRegistry(build_plugin_manager(extra=[(KEY, finance_plugin)])))

PEOPLE = {"fin": "finance", "fin2": "finance", "viewer": "read_only"}


@dataclass
class FWorld:
    db: object
    tenant: object
    actors: dict[str, object] = field(default_factory=dict)

    def session(self):
        return self.db.tenant_session(self.tenant.id)

    def acting(self, username: str):
        """``with w.acting("fin") as (s, a):`` a tenant session and the actor, with the request context set."""
        return acting_session(self.db, self.tenant.id, self.actors[username])


def _people(db, tenant) -> FWorld:
    w = FWorld(db=db, tenant=tenant)
    with db.tenant_session(tenant.id) as s:
        for name, role in PEOPLE.items():
            user = create_user(s, username=name, password=TEST_PASSWORD, display_name=name.title(), roles=[role],
                               email=f"{name}@example.com")
            w.actors[name] = user_actor(user)
        w.actors["admin"] = user_actor(s.scalar(select(User).where(User.username == "admin")))
    return w


@pytest.fixture
def fw(db, make_tenant) -> FWorld:
    return _people(db, make_tenant(plugins=["finance"]))


@pytest.fixture
def fgw(db, make_tenant) -> FWorld:
    """A tenant with customers, guarantee and finance enabled."""
    return _people(db, make_tenant(plugins=["customers", "guarantee", "finance"]))


@pytest.fixture
def world_of(db):
    """``world_of(tenant) -> FWorld``: the people of these tests in a tenant made by the test itself."""
    return lambda tenant: _people(db, tenant)
