"""Test help of the forms and credit areas: a stand-in business plugin answering the regulatory hooks with what a
test sets, and a tenant with ``regulatory`` and that plugin alone enabled, so the tests never depend on what the
business plugins report."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator

from surety.core.plugins import get_registry, hookimpl
from surety.core.ports.regulatory import CreditEvent, Exposure, Figure
from surety.tenants.models import Tenant

TEST_PLUGIN = "regtest"


class FixedFigures:
    """Answers ``regulatory_report_figures`` with ``by_dates[(as_of, period_start)]`` when set, else
    ``default(as_of, period_start)`` (every call is remembered in ``calls``), ``regulatory_exposures`` with
    ``exposures`` and ``regulatory_credit_events`` with the ``events`` dated in the period."""

    def __init__(self):
        self.by_dates: dict[tuple[dt.date, dt.date], list[Figure]] = {}
        self.default = lambda as_of, period_start: []
        self.calls: list[tuple[dt.date, dt.date]] = []
        self.exposures: list[Exposure] = []
        self.events: list[CreditEvent] = []

    @hookimpl
    def regulatory_report_figures(self, session, as_of, period_start):
        self.calls.append((as_of, period_start))
        found = self.by_dates.get((as_of, period_start))
        return list(found) if found is not None else self.default(as_of, period_start)

    @hookimpl
    def regulatory_exposures(self, session, as_of):
        return list(self.exposures)

    @hookimpl
    def regulatory_credit_events(self, session, period_start, period_end):
        return [e for e in self.events if period_start <= e.day <= period_end]


@contextlib.contextmanager
def installed() -> Iterator[FixedFigures]:
    """A FixedFigures registered as plugin ``regtest`` for the duration."""
    plugin = FixedFigures()
    pm = get_registry().pm
    pm.register(plugin, name=TEST_PLUGIN)
    try:
        yield plugin
    finally:
        pm.unregister(name=TEST_PLUGIN)


def tenant_with_test_plugin(db, make_tenant):
    """A provisioned tenant with ``regulatory`` and ``regtest`` enabled (no business plugin)."""
    tenant = make_tenant(plugins=["regulatory"])
    with db.platform_session() as s:
        row = s.get(Tenant, tenant.id)
        row.enabled_plugins = [*row.enabled_plugins, TEST_PLUGIN]
    return tenant
