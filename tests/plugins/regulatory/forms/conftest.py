"""Fixtures of the forms tests: a tenant with ``regulatory`` and the test plugin ``regtest`` enabled (no business
plugin), the test plugin answering the regulatory hooks with what a test sets (plugins/regulatory/forms/testing.py)."""

from __future__ import annotations

import pytest

from surety.core.testing import TenantWorld
from surety.plugins.regulatory.forms import testing

PEOPLE = {"fin": "finance", "fin2": "finance", "risk": "risk_officer", "exec": "executive", "viewer": "read_only"}


@pytest.fixture
def figures():
    with testing.installed() as plugin:
        yield plugin


@pytest.fixture
def fw(db, make_tenant, figures) -> TenantWorld:
    """A tenant with ``regulatory`` and the test plugin enabled, and its people."""
    return TenantWorld.with_people(db, testing.tenant_with_test_plugin(db, make_tenant), PEOPLE)
