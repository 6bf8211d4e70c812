"""A test-only encrypted model on its own declarative base (so ``Base.metadata``, the migrations and the
every-table-is-scoped meta-test never see it), its table, and tenants that have keys."""

from __future__ import annotations

import secrets
import uuid

import pytest
from sqlalchemy import MetaData, String, Uuid, create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from surety.core.crypto.blind_index import BlindIndexColumn
from surety.core.crypto.fields import EncryptedString
from surety.core.crypto.keys import create_tenant_keys
from surety.core.db.base import NAMING_CONVENTION, TenantScoped
from surety.core.db.rls import enable_rls, grant_app_role
from surety.tenants.models import Tenant


class SampleBase(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Sample(TenantScoped, SampleBase):
    __tablename__ = "crypto_sample"

    # No foreign key to ``tenants``: that table lives on another metadata.
    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, sort_order=-100)
    label: Mapped[str] = mapped_column(String(50), default="")
    id_number: Mapped[str | None] = mapped_column(EncryptedString("crypto_sample.id_number"))
    id_number_bidx: Mapped[str | None] = BlindIndexColumn("id_number", source="id_number")
    phone: Mapped[str | None] = mapped_column(EncryptedString("crypto_sample.phone"))
    phone_bidx: Mapped[str | None] = BlindIndexColumn("phone", source="phone")
    bank_account: Mapped[str | None] = mapped_column(EncryptedString("crypto_sample.bank_account"))
    bank_account_bidx: Mapped[str | None] = BlindIndexColumn("bank_account", source="bank_account")
    note: Mapped[str | None] = mapped_column(EncryptedString("crypto_sample.note"))


@pytest.fixture(scope="session")
def sample_model(db):
    """The ``crypto_sample`` table, created as the owner with RLS and grants (PostgreSQL); dropped afterwards."""
    engine = create_engine(db.owner_url)
    with engine.begin() as conn:
        SampleBase.metadata.create_all(conn)
        enable_rls(conn, Sample.__tablename__)
        grant_app_role(conn, make_url(db.url).username)
    yield Sample
    with engine.begin() as conn:
        SampleBase.metadata.drop_all(conn)
    engine.dispose()


def _keyed(db, tenant):
    with db.tenant_session(tenant.id) as s:
        create_tenant_keys(s)
    return tenant


@pytest.fixture
def tenant(db, bare_tenant):
    """A registered tenant with its data and index keys."""
    return _keyed(db, bare_tenant)


@pytest.fixture
def other_tenant(db):
    with db.platform_session() as s:
        row = Tenant(id=uuid.uuid4(), slug=f"bare-{secrets.token_hex(4)}", name="Other", enabled_plugins=["core"])
        s.add(row)
    return _keyed(db, row)
