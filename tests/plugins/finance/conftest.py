"""Fixtures of the finance plugin tests: a tenant with ``finance`` enabled (the default chart installed by
provisioning), its admin and people in three roles: ``fin`` and ``fin2`` (finance: make, review, post, close) and
``viewer`` (read only)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from surety.core.testing import TenantWorld
from surety.plugins.customers.records import create_customer
from surety.plugins.customers.testing import corporate
from surety.plugins.guarantee.finance import fees
from surety.plugins.guarantee.finance.models import GuaranteeFeeItem
from surety.plugins.guarantee.testing import make_project

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


def fee_item(w, day, customer_no: int = 7):
    """In world ``w`` (finance with guarantee): an approved 1,000,000 guarantee of a new company with a 2 % one-off
    guarantee fee planned from ``day``; ``(project id, the fee item's id)`` for receipts and refunds."""
    with w.acting("admin") as (s, a):
        customer = create_customer(s, a, "corporate", corporate(customer_no)).id
        p = make_project(s, a, customer, amount="1000000.00", term_months=12, status="approved")
        fees.set_plan(s, a, p.id, guarantee_fee_method="rate", guarantee_fee_rate="0.02", frequency="once",
                      start_date=day)
        item = s.scalar(select(GuaranteeFeeItem.id).where(GuaranteeFeeItem.project_id == p.id,
                                                          GuaranteeFeeItem.fee_type == "guarantee_fee"))
    return p.id, item
