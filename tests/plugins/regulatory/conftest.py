"""Fixtures of the regulatory plugin tests: a tenant with the business plugins and ``regulatory`` enabled, its admin
and people in the roles the areas use (``mgr`` customer manager, ``risk`` risk officer, ``head`` department head,
``fin`` finance, ``exec`` executive, ``viewer`` read only)."""

from __future__ import annotations

import pytest

from surety.core.testing import TenantWorld

PEOPLE = {"mgr": "customer_manager", "risk": "risk_officer", "head": "department_head", "fin": "finance",
          "exec": "executive", "viewer": "read_only"}
PLUGINS = ["customers", "guarantee", "microloan", "finance", "regulatory"]


@pytest.fixture
def gw(db, make_tenant) -> TenantWorld:
    """A tenant with every business plugin and ``regulatory`` enabled."""
    return TenantWorld.with_people(db, make_tenant(plugins=PLUGINS), PEOPLE)
