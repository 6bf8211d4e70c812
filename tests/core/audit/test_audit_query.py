"""The API's query helper: filters, newest-first order, keyset cursor, limit."""

from __future__ import annotations

import uuid

from surety.core.audit.log import audit
from surety.core.audit.query import MAX_LIMIT, records
from surety.core.context import ACTOR_USER, Actor
from surety.tenants.models import Tenant


def _seed(db, tenant_id):
    alice, bob = Actor(type=ACTOR_USER, id="alice"), Actor(type=ACTOR_USER, id="bob")
    with db.tenant_session(tenant_id) as s:
        audit(s, "loan.created", entity_type="loan", entity_id="L1", actor=alice)   # 1
        audit(s, "loan.approved", entity_type="loan", entity_id="L1", actor=bob)    # 2
        audit(s, "loan.created", entity_type="loan", entity_id="L2", actor=alice)   # 3
        audit(s, "customer.created", entity_type="customer", entity_id="C1", actor=bob)  # 4
        audit(s, "loan.created", entity_type="loan", entity_id="L3", actor=alice)   # 5


def test_newest_first_with_filters(db, bare_tenant):
    _seed(db, bare_tenant.id)
    with db.tenant_session(bare_tenant.id) as s:
        assert [r.seq for r in records(s)] == [5, 4, 3, 2, 1]
        assert [r.seq for r in records(s, entity_type="loan", entity_id="L1")] == [2, 1]
        assert [r.seq for r in records(s, actor_id="alice")] == [5, 3, 1]
        assert [r.seq for r in records(s, action="loan.created", actor_id="alice", entity_id="L2")] == [3]
        assert records(s, entity_type="nothing") == []


def test_after_seq_pages_towards_older_records(db, bare_tenant):
    _seed(db, bare_tenant.id)
    with db.tenant_session(bare_tenant.id) as s:
        page1 = records(s, limit=2)
        page2 = records(s, limit=2, after_seq=page1[-1].seq)
        page3 = records(s, limit=2, after_seq=page2[-1].seq)
        assert [[r.seq for r in p] for p in (page1, page2, page3)] == [[5, 4], [3, 2], [1]]
        assert [r.seq for r in records(s, action="loan.created", after_seq=5)] == [3, 1]


def test_limit_is_clamped(db, bare_tenant):
    _seed(db, bare_tenant.id)
    with db.tenant_session(bare_tenant.id) as s:
        assert len(records(s, limit=0)) == 1
        assert len(records(s, limit=10_000)) == 5
    assert MAX_LIMIT == 500


def test_only_the_session_tenant_is_seen(db, bare_tenant):
    with db.platform_session() as s:
        other = Tenant(id=uuid.uuid4(), slug=f"q-{uuid.uuid4().hex[:8]}", name="Q", enabled_plugins=["core"])
        s.add(other)
    _seed(db, bare_tenant.id)
    with db.tenant_session(other.id) as s:
        audit(s, "other.thing")
        assert [r.action for r in records(s)] == ["other.thing"]
