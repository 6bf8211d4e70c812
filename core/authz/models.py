"""Roles (with their data scope), the Casbin rule table (owned by Alembic, not by an adapter) and per-tenant
policy state."""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from surety.core.db.base import Base, TenantScoped

SCOPE_OWN = "own"
SCOPE_ORG_UNIT = "org_unit"
SCOPE_ORG_SUBTREE = "org_subtree"
SCOPE_TENANT = "tenant"
DATA_SCOPES = (SCOPE_OWN, SCOPE_ORG_UNIT, SCOPE_ORG_SUBTREE, SCOPE_TENANT)


class Role(TenantScoped, Base):
    __tablename__ = "roles"
    __table_args__ = (UniqueConstraint("tenant_id", "key"),)

    key: Mapped[str] = mapped_column(String(50))
    name: Mapped[str] = mapped_column(String(200))
    data_scope: Mapped[str] = mapped_column(String(20), default=SCOPE_OWN)
    description: Mapped[str] = mapped_column(String(500), default="")


class CasbinRule(TenantScoped, Base):
    """One Casbin policy line. ``p, role:<key>, <tenant>, <plugin>:<resource>, <action>`` and
    ``g, user:<id>, role:<key>, <tenant>``: the domain sits in v1 for ``p`` and in v2 for ``g``."""

    __tablename__ = "casbin_rule"
    __table_args__ = (Index("ix_casbin_rule_tenant_ptype", "tenant_id", "ptype"),)

    ptype: Mapped[str] = mapped_column(String(8))
    v0: Mapped[str] = mapped_column(String(255), default="")
    v1: Mapped[str] = mapped_column(String(255), default="")
    v2: Mapped[str] = mapped_column(String(255), default="")
    v3: Mapped[str] = mapped_column(String(255), default="")
    v4: Mapped[str] = mapped_column(String(255), default="")
    v5: Mapped[str] = mapped_column(String(255), default="")


class AuthzState(TenantScoped, Base):
    """Per-tenant authorisation bookkeeping: ``policy_version`` is bumped by every rule change (enforcer caches in
    other processes compare it); ``granted_plugins`` lists the plugins whose default grants were already applied, and
    ``granted_defaults`` each default grant already applied (``"<role> <permission>"``), so a default a plugin adds
    in a later release reaches existing roles once."""

    __tablename__ = "authz_state"
    __table_args__ = (UniqueConstraint("tenant_id"),)

    policy_version: Mapped[int] = mapped_column(BigInteger, default=0)
    granted_plugins: Mapped[list] = mapped_column(JSON, default=list)
    granted_defaults: Mapped[list] = mapped_column(JSON, default=list)
