"""Fixtures of the microloan plugin tests: a tenant with ``microloan`` enabled, its admin and people in two roles
(``mgr`` a customer manager, ``viewer`` read only)."""

from __future__ import annotations

import pytest

from surety.core.testing import TenantWorld

PEOPLE = {"mgr": "customer_manager", "viewer": "read_only"}


#: The world of these tests (core.testing.TenantWorld: session, acting, uid).
MWorld = TenantWorld


@pytest.fixture
def mw(db, make_tenant) -> MWorld:
    return MWorld.with_people(db, make_tenant(plugins=["customers", "microloan"]), PEOPLE)

