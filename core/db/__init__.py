"""Declarative base, tenant scoping, session factory and exact column types."""

from surety.core.db.base import Base, GlobalTable, TenantScoped, uuid7
from surety.core.db.session import PLATFORM, Database, get_database, platform_session, tenant_session
from surety.core.db.types import Money, Rate, UTCDateTime, utcnow

__all__ = [
    "Base", "GlobalTable", "TenantScoped", "uuid7", "PLATFORM", "Database", "get_database", "platform_session",
    "tenant_session", "Money", "Rate", "UTCDateTime", "utcnow",
]
