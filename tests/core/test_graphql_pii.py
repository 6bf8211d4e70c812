"""graphql/pii.py: personal data masked by default; revealed only with core:pii:reveal, each reveal audited with the
field's name and never its value."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from sqlalchemy import select

from surety.core.audit.models import AuditRecord
from surety.core.context import ACTOR_USER, Actor
from surety.core.errors import PermissionDenied
from surety.core.identity.models import User
from surety.core.identity.service import create_user
from surety.graphql.pii import REVEAL, reveal, shown

PHONE = "13800138000"


def _info(session, actor):
    """What a resolver's ``info`` offers the helper: the request's session and its authenticated actor."""
    return SimpleNamespace(context=SimpleNamespace(session=session, actor=actor, require_actor=lambda: actor))


def _actor(user) -> Actor:
    return Actor(type=ACTOR_USER, id=str(user.id), tenant_id=user.tenant_id, org_unit_id=user.org_unit_id,
                 username=user.username)


def _reveals(db, tenant_id):
    with db.tenant_session(tenant_id) as s:
        # Sorted: the records of one transaction share a timestamp, so the database returns them in no set order.
        return sorted(((r.entity_type, r.entity_id, r.after) for r in s.scalars(
            select(AuditRecord).where(AuditRecord.action == "pii.revealed"))), key=lambda t: (t[1], t[2]["field"]))


def test_masked_unless_revealed_and_every_reveal_audited(db, make_tenant):
    tenant = make_tenant()
    with db.tenant_session(tenant.id) as s:
        admin = _actor(s.scalar(select(User).where(User.username == "admin")))  # holds core:pii:reveal
        info = _info(s, admin)
        assert shown(info, "test:thing", "t1", "phone", PHONE, "phone", False) == "138****8000"
        assert shown(info, "test:thing", "t1", "phone", None, "phone", True) is None
        assert shown(info, "test:thing", "t1", "phone", PHONE, "phone", True) == PHONE
        assert reveal(info, "test:thing", "t2", "address", "北京市朝阳区") == "北京市朝阳区"
    assert _reveals(db, tenant.id) == [("test:thing", "t1", {"field": "phone"}),
                                       ("test:thing", "t2", {"field": "address"})]
    assert REVEAL == "core:pii:reveal"


def test_reveal_without_the_permission_is_refused(db, make_tenant):
    tenant = make_tenant()
    with db.tenant_session(tenant.id) as s:
        viewer = _actor(create_user(s, username="viewer", password="Strong-Pass-77", roles=["read_only"]))
    with db.tenant_session(tenant.id) as s:
        info = _info(s, viewer)
        assert shown(info, "test:thing", "t1", "phone", PHONE, "phone", False) == "138****8000"
        with pytest.raises(PermissionDenied):
            shown(info, "test:thing", "t1", "phone", PHONE, "phone", True)
    assert _reveals(db, tenant.id) == []
