"""Figure 5: what row-level security adds to a tenant-filtered list, against an identical table without RLS.

Both queries run as the application role, in the same transaction (``app.tenant_id`` set), with the same
``WHERE tenant_id = :t ORDER BY username LIMIT 50``; only the policy differs. ``users_norls`` is a copy of
``users`` made by the owner, with the same primary key and unique index, and no RLS.
"""

from __future__ import annotations

import random
import secrets
import time
import uuid

from bench_stats import Figure, median, percentile
from sqlalchemy import (
    Column,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    UniqueConstraint,
    create_engine,
    func,
    insert,
    select,
    text,
)
from sqlalchemy.engine import make_url

from surety.core.crypto.fields import EncryptedString
from surety.core.db.base import uuid7
from surety.core.db.session import Database
from surety.core.db.types import utcnow
from surety.core.identity.models import User
from surety.tenants.models import Tenant

NORLS = "users_norls"
PAGE = 50


def seed(db: Database, tenants: int, users_per_tenant: int) -> list[uuid.UUID]:
    ids = [uuid.uuid4() for _ in range(tenants)]
    with db.platform_session() as s:
        s.execute(insert(Tenant), [dict(id=t, slug=f"bench-rls-{n}", name=f"RLS {n}", enabled_plugins=["core"])
                                   for n, t in enumerate(ids)])
    now = utcnow()
    for t in ids:
        rows = [dict(tenant_id=t, id=uuid7(), username=f"u{secrets.token_hex(6)}", display_name=f"User {n}",
                     password_hash="x", status="active", failed_logins=0, password_changed_at=now, created_at=now)
                for n in range(users_per_tenant)]
        with db.tenant_session(t) as s:
            s.execute(insert(User), rows)
    return ids


def _same_type(column: Column):
    """The column's type; an encrypted column is re-declared for the copy (its binding names table.column)."""
    if isinstance(column.type, EncryptedString):
        return EncryptedString(f"{NORLS}.{column.name}")
    return column.type


def copy_without_rls(owner_url: str, app_role: str) -> Table:
    """``users_norls``: the owner's copy of ``users`` (same columns, primary key and unique index, no RLS)."""
    users = User.__table__
    md = MetaData()
    norls = Table(NORLS, md, *[Column(c.name, _same_type(c), nullable=c.nullable) for c in users.c],
                  PrimaryKeyConstraint("tenant_id", "id"), UniqueConstraint("tenant_id", "username"))
    engine = create_engine(owner_url)
    try:
        with engine.begin() as conn:
            md.create_all(conn)
            names = [c.name for c in users.c]
            conn.execute(insert(norls).from_select(names, select(*[users.c[n] for n in names])))
            copied = conn.scalar(select(func.count()).select_from(norls))
            if not copied:
                raise RuntimeError("the owner copied no rows: it must bypass RLS (run the benchmark as a superuser)")
            q = conn.dialect.identifier_preparer.quote
            # Identifiers only (our own table and the generated role), quoted by the dialect.
            conn.execute(text(f"GRANT SELECT ON {q(NORLS)} TO {q(app_role)}"))
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f"ANALYZE {q(users.name)}"))
            conn.execute(text(f"ANALYZE {q(NORLS)}"))
    finally:
        engine.dispose()
    return norls


def _page(table: Table, tenant_id: uuid.UUID):
    return select(table).where(table.c.tenant_id == tenant_id).order_by(table.c.username).limit(PAGE)


def run(db: Database, app_url: str, owner_url: str, *, tenants: int, users_per_tenant: int, runs: int,
        warmup: int) -> Figure:
    ids = seed(db, tenants, users_per_tenant)
    norls = copy_without_rls(owner_url, make_url(app_url).username)
    users = User.__table__
    rnd = random.Random(5)
    rls_ms, base_ms = [], []
    clock = time.perf_counter
    with db.engine.connect() as conn:
        for i in range(warmup + runs):
            t = rnd.choice(ids)
            with conn.begin():
                conn.execute(select(func.set_config("app.tenant_id", str(t), True)))
                order = [(users, rls_ms), (norls, base_ms)]
                for table, out in order if i % 2 == 0 else order[::-1]:
                    start = clock()
                    rows = conn.execute(_page(table, t)).all()
                    elapsed = (clock() - start) * 1000
                    if len(rows) != PAGE or any(r.tenant_id != t for r in rows):
                        raise RuntimeError(f"{table.name}: wrong page for tenant {t}")
                    if i >= warmup:
                        out.append(elapsed)
        # RLS really applies on the app role: without a tenant set, users shows nothing; the copy shows all.
        with conn.begin():
            hidden = conn.scalar(select(func.count()).select_from(users))
            visible = conn.scalar(select(func.count()).select_from(norls))
        if hidden != 0 or visible < tenants * users_per_tenant:
            raise RuntimeError(f"RLS check failed: users={hidden} rows visible without tenant, {NORLS}={visible}")
    r, b = median(rls_ms), median(base_ms)
    ratio = r / b
    return Figure(
        what=f"Tenant-filtered list of {PAGE} users, RLS vs no RLS, median query",
        surety=r, baseline=b, unit="ms", target="ratio <= 1.10", passed=ratio <= 1.10,
        notes=(
            (f"SELECT users WHERE tenant_id = :t ORDER BY username LIMIT {PAGE} ({tenants} tenants x "
             f"{users_per_tenant} users) as the app role: users (RLS forced) vs {NORLS}, an owner-made copy with "
             "the same indexes and no RLS"),
            (f"{runs} query pairs in the same transactions, alternating order, after {warmup} warm-up pairs; "
             f"p95 RLS {percentile(rls_ms, 95):.3f} ms, no RLS {percentile(base_ms, 95):.3f} ms"),
        ),
    )
