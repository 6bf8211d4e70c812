"""Fixtures of the forms tests: a tenant with ``regulatory`` and a test plugin ``regtest`` enabled (no business
plugin), the test plugin answering ``regulatory_report_figures`` (and ``regulatory_exposures``) with what a test
sets, so the tests never depend on what the business plugins report."""

from __future__ import annotations

import datetime as dt

import pytest

from surety.core.plugins import get_registry, hookimpl
from surety.core.ports.regulatory import Exposure, Figure
from surety.core.testing import TenantWorld
from surety.tenants.models import Tenant

PEOPLE = {"fin": "finance", "fin2": "finance", "risk": "risk_officer", "exec": "executive", "viewer": "read_only"}
TEST_PLUGIN = "regtest"


class FixedFigures:
    """A plugin answering ``regulatory_report_figures``: ``by_dates[(as_of, period_start)]`` when set, else
    ``default(as_of, period_start)``; every call is remembered in ``calls``."""

    def __init__(self):
        self.by_dates: dict[tuple[dt.date, dt.date], list[Figure]] = {}
        self.default = lambda as_of, period_start: []
        self.calls: list[tuple[dt.date, dt.date]] = []
        self.exposures: list[Exposure] = []

    @hookimpl
    def regulatory_report_figures(self, session, as_of, period_start):
        self.calls.append((as_of, period_start))
        found = self.by_dates.get((as_of, period_start))
        return list(found) if found is not None else self.default(as_of, period_start)

    @hookimpl
    def regulatory_exposures(self, session, as_of):
        return list(self.exposures)


@pytest.fixture
def figures():
    plugin = FixedFigures()
    pm = get_registry().pm
    pm.register(plugin, name=TEST_PLUGIN)
    try:
        yield plugin
    finally:
        pm.unregister(name=TEST_PLUGIN)


@pytest.fixture
def fw(db, make_tenant, figures) -> TenantWorld:
    """A tenant with ``regulatory`` and the test plugin enabled, and its people."""
    tenant = make_tenant(plugins=["regulatory"])
    with db.platform_session() as s:
        row = s.get(Tenant, tenant.id)
        row.enabled_plugins = [*row.enabled_plugins, TEST_PLUGIN]
    return TenantWorld.with_people(db, tenant, PEOPLE)
