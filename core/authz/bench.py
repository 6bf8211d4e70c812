"""Benchmark of cached permission checks: ``python -m surety.core.authz.bench [--tenants 1000] [--rules 50]``.

Builds a throw-away database (SQLite, or PostgreSQL with ``--database-url``) with N tenants of M rules each, loads
every tenant's enforcer, then times :func:`surety.core.authz.check.allowed` in open tenant sessions (a request that
already checked once). Prints the median and 99th percentile in microseconds and the memory held by the cache.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
import tracemalloc
import uuid

from surety.core.authz import enforcer
from surety.core.authz.check import allowed
from surety.core.authz.models import AuthzState, CasbinRule, Role
from surety.core.context import ACTOR_USER, Actor
from surety.core.db.session import Database
from surety.core.permissions import CORE_PERMISSIONS, ROLE_TEMPLATES
from surety.core.testing import fresh_database
from surety.tenants.models import Tenant


def _populate(db: Database, tenants: int, rules: int) -> list[tuple[uuid.UUID, list[str]]]:
    users_per_tenant = max(1, rules // 5)
    out = []
    with db.platform_session() as s:
        ids = [uuid.uuid4() for _ in range(tenants)]
        s.add_all(Tenant(id=t, slug=f"bench-{n}", name=f"Bench {n}", enabled_plugins=["core"])
                  for n, t in enumerate(ids))
    perms = [(p.obj, p.act) for p in CORE_PERMISSIONS]
    roles = [t.key for t in ROLE_TEMPLATES]
    for t in ids:
        dom = str(t)
        users = [str(uuid.uuid4()) for _ in range(users_per_tenant)]
        rows = [CasbinRule(ptype="g", v0=f"user:{u}", v1=f"role:{roles[n % len(roles)]}", v2=dom)
                for n, u in enumerate(users)]
        pairs = [(r, p) for r in roles for p in perms]
        random.Random(dom).shuffle(pairs)
        rows += [CasbinRule(ptype="p", v0=f"role:{r}", v1=dom, v2=o, v3=a)
                 for r, (o, a) in pairs[: rules - len(rows)]]
        with db.tenant_session(t) as s:
            s.add_all(Role(key=r.key, name=r.name, data_scope=r.data_scope, description="") for r in ROLE_TEMPLATES)
            s.add_all(rows)
            s.add(AuthzState(policy_version=1, granted_plugins=["core"]))
        out.append((t, users))
    return out


def run(database_url: str | None, tenants: int, rules: int, checks_per_tenant: int) -> dict:
    with fresh_database(database_url) as tdb:
        db = Database(tdb.app_url, owner_url=tdb.owner_url)
        try:
            data = _populate(db, tenants, rules)
            cache = enforcer.configure(max_tenants=max(tenants, 1), recheck_seconds=1.0)
            tracemalloc.start()
            for t, _users in data:
                with db.tenant_session(t) as s:
                    enforcer.get_enforcer(s)
            memory = tracemalloc.get_traced_memory()[0]
            tracemalloc.stop()
            perms = [(p.obj, p.act) for p in CORE_PERMISSIONS]
            rnd = random.Random(7)
            samples = []
            for t, users in data:
                actors = [Actor(type=ACTOR_USER, id=u, tenant_id=t) for u in users]
                with db.tenant_session(t) as s:
                    allowed(s, actors[0], *perms[0])
                    for _ in range(checks_per_tenant):
                        actor, (obj, act) = rnd.choice(actors), rnd.choice(perms)
                        start = time.perf_counter_ns()
                        allowed(s, actor, obj, act)
                        samples.append(time.perf_counter_ns() - start)
            samples.sort()
            return {
                "tenants": tenants, "rules_per_tenant": rules, "checks": len(samples),
                "median_us": statistics.median(samples) / 1000,
                "p99_us": samples[int(len(samples) * 0.99)] / 1000,
                "cache_entries": len(cache), "cache_memory_mb": memory / 1e6,
            }
        finally:
            db.dispose()
            enforcer.configure(recheck_seconds=1.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tenants", type=int, default=1000)
    parser.add_argument("--rules", type=int, default=50)
    parser.add_argument("--checks", type=int, default=50, help="timed checks per tenant")
    parser.add_argument("--database-url", default=None, help="PostgreSQL server URL (default: SQLite)")
    args = parser.parse_args()
    for key, value in run(args.database_url, args.tenants, args.rules, args.checks).items():
        print(f"{key}: {value:.2f}" if isinstance(value, float) else f"{key}: {value}")


if __name__ == "__main__":
    main()
