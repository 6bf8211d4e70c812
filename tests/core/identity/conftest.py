"""Identity fixtures: users made with create_user in a bare tenant (no full provisioning needed)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from surety.core.audit.models import AuditRecord
from surety.core.identity.service import create_user
from surety.core.testing import new_bare_tenant
from surety.tenants.models import Tenant

PASSWORD = "Str0ng-Passphrase!"


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def new_user(db, bare_tenant):
    """``new_user(username="alice", tenant=bare_tenant, **kw) -> User`` with password :data:`PASSWORD`."""

    def factory(username="alice", tenant=None, password=PASSWORD, **kw):
        with db.tenant_session((tenant or bare_tenant).id) as s:
            return create_user(s, username=username, password=password, **kw)

    return factory


@pytest.fixture
def set_tenant_status(db):
    def setter(tenant, status):
        with db.platform_session() as s:
            s.get(Tenant, tenant.id).status = status

    return setter


@pytest.fixture
def audit_actions(db):
    """``audit_actions(tenant) -> [action, ...]`` in chain order."""

    def read(tenant, entity_id=None):
        with db.tenant_session(tenant.id) as s:
            q = select(AuditRecord.action).order_by(AuditRecord.seq)
            if entity_id is not None:
                q = q.where(AuditRecord.entity_id == str(entity_id))
            return list(s.scalars(q))

    return read


@pytest.fixture
def other_tenant(db):
    return new_bare_tenant(db, "Other")
