"""Blacklist and watchlist with approval and the screening hook; versions and field diffs; collision (撞单)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from surety.core.errors import Conflict, PermissionDenied, ValidationFailed
from surety.plugins.customers.blacklist import decide_entry, list_entries, remove_entry, request_entry, screen_customer
from surety.plugins.customers.collision import engage_customer, update_settings
from surety.plugins.customers.errors import CustomerBlacklisted, CustomerCollision
from surety.plugins.customers.history import history, version_diff
from surety.plugins.customers.records import create_customer, delete_customer, update_customer
from surety.plugins.customers.testing import individual


def test_blacklist_needs_a_second_person_and_refuses_new_business(db, world):
    risk, head, a = world.actors["risk"], world.actors["head_a"], world.actors["mgr_a"]
    with db.tenant_session(world.tenant.id) as s:
        cid = create_customer(s, a, "individual", individual(1)).id
        with pytest.raises(PermissionDenied):
            request_entry(s, a, cid, "blacklist", "fraud", "court")  # managers only read lists
        with pytest.raises(ValidationFailed) as err:
            request_entry(s, risk, cid, "blacklist", "", "court")
        assert err.value.field == "reason"
        entry = request_entry(s, risk, cid, "blacklist", "Loan fraud judgement", "court records")
        assert screen_customer(s, cid, "guarantee:application") == []  # pending entries do not count yet
        with pytest.raises(Conflict):
            request_entry(s, risk, cid, "blacklist", "again", "court")
    with pytest.raises(PermissionDenied), db.tenant_session(world.tenant.id) as s:
        decide_entry(s, risk, entry.id, True)  # a risk officer may request but not approve
    with db.tenant_session(world.tenant.id) as s:
        own = request_entry(s, head, cid, "watchlist", "Late filings", "internal review")
        with pytest.raises(PermissionDenied, match="someone other than its requester"):
            decide_entry(s, head, own.id, True)
    with db.tenant_session(world.tenant.id) as s:
        decide_entry(s, head, entry.id, approve=True)
        with pytest.raises(CustomerBlacklisted) as err:
            screen_customer(s, cid, "guarantee:application")
        assert err.value.code == "CUSTOMER_BLACKLISTED" and "Loan fraud judgement" in err.value.message
        assert "guarantee:application" in err.value.message
        with pytest.raises(CustomerBlacklisted):
            engage_customer(s, a, cid, "microloan:loan")  # engaging screens first
        remove_entry(s, risk, entry.id, "judgement overturned")
        assert screen_customer(s, cid, "guarantee:application") == []
        assert sorted(e.status for e in list_entries(s, risk, customer_id=cid)) == ["pending", "removed"]


def test_watchlist_flags_without_refusing(db, world):
    risk, boss, a = world.actors["risk"], world.actors["boss"], world.actors["mgr_a"]
    with db.tenant_session(world.tenant.id) as s:
        cid = create_customer(s, a, "individual", individual(1)).id
        entry = request_entry(s, risk, cid, "watchlist", "Overdue elsewhere", "credit bureau")
        decide_entry(s, boss, entry.id, approve=True)
        assert screen_customer(s, cid, "guarantee:application") == ["watchlist"]
        rejected = request_entry(s, risk, cid, "blacklist", "rumour", "phone call")
        decide_entry(s, boss, rejected.id, approve=False)
        assert screen_customer(s, cid, "x") == ["watchlist"]


def test_history_and_field_diff(db, world):
    a, admin = world.actors["mgr_a"], world.actors["admin"]
    with db.tenant_session(world.tenant.id) as s:
        cid = create_customer(s, a, "individual", individual(1, occupation="教师")).id
        update_customer(s, a, cid, {"occupation": "律师", "phone": "13900139000"})
        update_customer(s, a, cid, {"tags": ["VIP"], "annual_income": "120000.00"})
        delete_customer(s, admin, cid)
        h = history(s, cid)
        assert [(x.version, x.action) for x in h] == [(1, "created"), (2, "updated"), (3, "updated"), (4, "deleted")]
        changes = {c.field: (c.before, c.after) for c in h[1].changes}
        assert changes == {"occupation": ("教师", "律师"), "phone": ("138****0001", "139****9000")}
        assert {c.field for c in h[2].changes} == {"tags", "annual_income"}
        assert h[2].snapshot["annual_income"] == "120000.00"
        diff = {c.field for c in version_diff(s, cid, 1, 3)}
        assert diff == {"occupation", "phone", "tags", "annual_income"}
        assert "13900139000" not in str([x.snapshot for x in h])  # versions keep personal data masked only


def test_collision_flag_then_block(db, world):
    a, a2, b, admin = (world.actors[k] for k in ("mgr_a", "mgr_a2", "mgr_b", "admin"))
    from surety.plugins.customers.models import CustomerEngagement

    with db.tenant_session(world.tenant.id) as s:
        cid = create_customer(s, a, "individual", individual(1)).id
        mine = engage_customer(s, a, cid, "guarantee:application")
        assert not mine.collided  # the owner's own work is no collision
        flagged = engage_customer(s, b, cid, "microloan:loan")
        assert flagged.collided and "collision" in flagged.flags and flagged.collisions[0].user_id == a.id_uuid
        assert s.scalar(select(CustomerEngagement).where(CustomerEngagement.collision.is_(True))) is not None
        update_settings(s, admin, collision_mode="block")
    with pytest.raises(CustomerCollision) as err, db.tenant_session(world.tenant.id) as s:
        engage_customer(s, a2, cid, "guarantee:application")
    assert err.value.code == "CUSTOMER_COLLISION" and "Branch" in err.value.message
    with db.tenant_session(world.tenant.id) as s:
        # Outside the window there is no collision.
        for e in s.scalars(select(CustomerEngagement)):
            e.engaged_at = e.engaged_at - dt.timedelta(days=200)
        assert not engage_customer(s, a2, cid, "guarantee:application").collided
        with pytest.raises(ValidationFailed):
            update_settings(s, admin, collision_mode="maybe")
        with pytest.raises(PermissionDenied):
            update_settings(s, a, collision_window_days=5)
