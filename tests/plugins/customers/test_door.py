"""The door to the customers plugin (surety.core.ports.customers): what other plugins read and do about customers,
typed, through the plugin's declared hooks for the tenant's enabled plugins only."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from sqlalchemy import and_, func, select

from surety.core.context import acting
from surety.core.errors import NotFound, PermissionDenied
from surety.core.hookspecs import PluginManifest
from surety.core.identity.models import User
from surety.core.identity.service import create_user
from surety.core.plugins import PluginRegistry, build_plugin_manager, get_registry, hookimpl, reset_registry
from surety.core.ports import customers as door
from surety.core.ports.customers import CustomersNotEnabled, DemoCorporate
from surety.plugins.customers.blacklist import decide_entry, request_entry
from surety.plugins.customers.errors import CustomerBlacklisted
from surety.plugins.customers.records import create_customer, delete_customer
from surety.plugins.customers.related import add_relation
from surety.plugins.customers.statements import set_statement
from surety.plugins.customers.testing import actor_for, corporate, individual
from surety.tenants.models import Tenant

LINES = {"total_assets": "1000", "total_liabilities": "600", "current_assets": "500", "current_liabilities": "250",
         "inventory": "100", "equity": "400", "revenue": "2000", "net_profit": "40"}


def test_reads_summaries_ratios_related(db, world):
    a = world.actors["mgr_a"]
    with db.tenant_session(world.tenant.id) as s, acting(a):
        person = create_customer(s, a, "individual", individual(1))
        company = create_customer(s, a, "corporate", corporate(2))
        gone = create_customer(s, a, "individual", individual(3))
        delete_customer(s, world.actors["admin"], gone.id)
        add_relation(s, a, person.id, company.id, "actual_controller")
        set_statement(s, world.actors["admin"], company.id, dt.date(2024, 12, 31), LINES)
        found = door.summaries(s, [person.id, company.id, gone.id, uuid.uuid4(), person.id])
        assert set(found) == {person.id, company.id, gone.id}
        assert found[company.id] == {"id": company.id, "kind": "corporate", "name": company.name,
                                     "org_unit_id": world.units["A"], "owner_id": company.owner_id,
                                     "industry": "C13", "region": "110105", "size": "small", "deleted": False}
        assert found[gone.id]["deleted"] is True
        assert door.summaries(s, []) == {}
        assert door.summary(s, person.id)["name"] == person.name and door.summary(s, uuid.uuid4()) is None
        assert door.names(s, [person.id]) == {person.id: person.name}
        ratios = door.latest_ratios(s, company.id)
        assert ratios["period_type"] == "annual" and ratios["period_end"] == dt.date(2024, 12, 31)
        assert ratios["debt_ratio"] == Decimal("0.600000") and ratios["revenue_growth"] is None
        assert door.latest_ratios(s, person.id) is None
        assert door.related(s, person.id) == {company.id: "actual_controller"}
        assert door.related(s, uuid.uuid4()) == {}
        assert door.enabled(s)


def test_get_checks_permission_and_scope(db, world):
    a = world.actors["mgr_a"]
    with db.tenant_session(world.tenant.id) as s, acting(a):
        cid = create_customer(s, a, "individual", individual(1)).id
        assert door.get(s, a, cid)["id"] == cid
        with pytest.raises(NotFound):
            door.get(s, world.actors["mgr_b"], cid)  # another branch's customer is out of scope
        with pytest.raises(NotFound):
            door.get(s, a, uuid.uuid4())
        delete_customer(s, world.actors["admin"], cid)
        with pytest.raises(NotFound):
            door.get(s, a, cid)


def test_get_needs_read_permission(db, world):
    with db.tenant_session(world.tenant.id) as s:
        nobody = actor_for(create_user(s, username="nobody", password="Strong-Pass-77", org_unit_id=world.units["A"],
                                       roles=[]))
        with pytest.raises(PermissionDenied):
            door.get(s, nobody, uuid.uuid4())


def test_screen_joins_flags_and_raises_the_refusal(db, world):
    risk, boss, a = world.actors["risk"], world.actors["boss"], world.actors["mgr_a"]
    with db.tenant_session(world.tenant.id) as s, acting(a):
        cid = create_customer(s, a, "individual", individual(1)).id
        assert door.screen(s, cid, "guarantee:application") == []
        decide_entry(s, boss, request_entry(s, risk, cid, "watchlist", "Overdue", "bureau").id, approve=True)
        assert door.screen(s, cid, "guarantee:application") == ["watchlist"]
        decide_entry(s, boss, request_entry(s, risk, cid, "blacklist", "Fraud", "court").id, approve=True)
        with pytest.raises(CustomerBlacklisted) as err:
            door.screen(s, cid, "guarantee:application")
        assert err.value.code == "CUSTOMER_BLACKLISTED"


def test_columns_join_in_a_report_query(db, world, make_tenant):
    a = world.actors["mgr_a"]
    with db.tenant_session(world.tenant.id) as s, acting(a):
        create_customer(s, a, "corporate", corporate(1))
        create_customer(s, a, "corporate", corporate(2, industry="A01"))
    other = make_tenant(plugins=["customers"])  # another tenant's customers stay out of the join
    with db.tenant_session(other.id) as s:
        admin = actor_for(s.scalar(select(User).where(User.username == "admin")))
        with acting(admin):
            create_customer(s, admin, "corporate", corporate(3))
    with db.tenant_session(world.tenant.id) as s:
        c = door.columns(s)
        rows = s.execute(select(c.industry, func.count()).select_from(c.entity)
                         .where(c.deleted_at.is_(None)).group_by(c.industry).order_by(c.industry)).all()
        assert [tuple(r) for r in rows] == [("A01", 1), ("C13", 1)]
        # joined to itself on both key columns, as a report joins its own table to the customers
        alias = select(c.tenant_id, c.id).subquery()
        joined = s.scalar(select(func.count()).select_from(c.entity).join(
            alias, and_(alias.c.tenant_id == c.tenant_id, alias.c.id == c.id)))
        assert joined == 2


def test_demo_corporates_are_created_once(db, world):
    admin = world.actors["admin"]
    wanted = [DemoCorporate(name="北京演示科技有限公司", seq=901,
                            fields={"industry": "C34", "region": "110105", "size": "small", "tags": ["担保客户"]},
                            statement_period_end=dt.date(2024, 12, 31), statement_lines=LINES)]
    with db.tenant_session(world.tenant.id) as s, acting(admin):
        existing = create_customer(s, admin, "individual", individual(1))
        first = door.ensure_demo_corporates(s, admin, wanted)
        assert set(first) == {existing.name, "北京演示科技有限公司"}
        made = first["北京演示科技有限公司"]
        assert (made["kind"], made["industry"]) == ("corporate", "C34")
        assert door.latest_ratios(s, made["id"])["debt_ratio"] == Decimal("0.600000")
        again = door.ensure_demo_corporates(s, admin, wanted)
        assert again["北京演示科技有限公司"]["id"] == made["id"]


def test_exposure_per_plugin(db, world):
    a = world.actors["mgr_a"]
    with db.tenant_session(world.tenant.id) as s, acting(a):
        ids = [create_customer(s, a, "individual", individual(n)).id for n in (1, 2)]

    class Lending:
        @staticmethod
        @hookimpl
        def surety_manifest():
            return PluginManifest(key="lending", version="0", depends_on=("customers",))

        @staticmethod
        @hookimpl
        def customers_exposure(session, customer_ids):
            return {ids[0]: "100.10", uuid.uuid4(): Decimal("9")}  # an id not asked about is left out

    old = get_registry()
    reset_registry(PluginRegistry(build_plugin_manager(extra=[("lending", Lending)])))
    try:
        with db.tenant_session(world.tenant.id) as s:
            assert door.exposure(s, ids) == {}  # not enabled for the tenant: not asked
        with db.platform_session() as s:
            t = s.get(Tenant, world.tenant.id)
            t.enabled_plugins = [*t.enabled_plugins, "lending"]
        with db.tenant_session(world.tenant.id) as s:
            assert door.exposure(s, ids) == {"lending": {ids[0]: Decimal("100.10")}}
            assert door.exposure(s, []) == {}
    finally:
        reset_registry(old)
        with db.platform_session() as s:
            t = s.get(Tenant, world.tenant.id)
            t.enabled_plugins = [k for k in t.enabled_plugins if k != "lending"]


def test_without_the_plugin(db, make_tenant):
    tenant = make_tenant()
    some = uuid.uuid4()
    with db.tenant_session(tenant.id) as s:
        assert not door.enabled(s)
        assert door.summaries(s, [some]) == {} and door.names(s, [some]) == {}
        assert door.latest_ratios(s, some) is None and door.related(s, some) == {}
        assert door.screen(s, some, "guarantee:application") == []
        for call in (lambda: door.get(s, None, some), lambda: door.columns(s),
                     lambda: door.ensure_demo_corporates(s, None, [])):
            with pytest.raises(CustomersNotEnabled) as err:
                call()
            assert err.value.code == "CUSTOMERS_NOT_ENABLED"
