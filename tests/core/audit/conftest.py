"""Fixtures for the audit tests: an owner connection that can tamper with the append-only log."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import create_engine, func, select, text

from surety.core.audit.models import AuditRecord

AUDIT_LOG = AuditRecord.__table__


@pytest.fixture(scope="session")
def owner_engine(db):
    engine = create_engine(db.owner_url)
    yield engine
    engine.dispose()


@pytest.fixture
def tamper(owner_engine):
    """``tamper(tenant_id, *statements)``: run Core statements on audit_log as the owner, in one transaction,
    with the append-only trigger disabled on PostgreSQL (re-enabled before commit)."""

    def run(tenant_id: uuid.UUID, *statements) -> None:
        with owner_engine.begin() as conn:
            pg = conn.dialect.name == "postgresql"
            if pg:
                conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER USER"))
                conn.execute(select(func.set_config("app.tenant_id", str(tenant_id), True)))
            for stmt in statements:
                conn.execute(stmt)
            if pg:
                conn.execute(text("ALTER TABLE audit_log ENABLE TRIGGER USER"))

    return run
