"""Fixtures of the finance plugin tests: a tenant with ``finance`` enabled (the default chart installed by
provisioning), its admin and people in three roles: ``fin`` and ``fin2`` (finance: make, review, post, close) and
``viewer`` (read only)."""

from __future__ import annotations

import pytest

from surety.core.testing import TenantWorld

PEOPLE = {"fin": "finance", "fin2": "finance", "viewer": "read_only"}


#: The world of these tests (core.testing.TenantWorld: session, acting, uid).
FWorld = TenantWorld


def _people(db, tenant) -> FWorld:
    return FWorld.with_people(db, tenant, PEOPLE)


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
