"""Figure 2: a cached permission check with 1,000 tenants of 50 rules each, against a Python set look-up."""

from __future__ import annotations

import random
import uuid

from bench_stats import Figure, median, per_call_ns, percentile
from sqlalchemy import insert

from surety.core.authz import enforcer
from surety.core.authz.check import allowed
from surety.core.authz.models import AuthzState, CasbinRule
from surety.core.context import ACTOR_USER, Actor
from surety.core.db.base import uuid7
from surety.core.db.session import Database
from surety.core.permissions import CORE_PERMISSIONS, ROLE_TEMPLATES
from surety.tenants.models import Tenant

USERS_PER_TENANT = 10


class TenantRules:
    """One tenant's users, and the (subject, obj, act) triples its rules allow (the baseline's set)."""

    def __init__(self, tenant_id: uuid.UUID, users: list[str], granted: set[tuple[str, str, str]]):
        self.tenant_id = tenant_id
        self.actors = [Actor(type=ACTOR_USER, id=u, tenant_id=tenant_id) for u in users]
        self.granted = granted


def populate(db: Database, tenants: int, rules: int, rnd: random.Random) -> list[TenantRules]:
    """Bare tenant rows plus ``rules`` Casbin rules each: ``USERS_PER_TENANT`` g lines (user -> role), the rest
    p lines (role -> permission), inserted in bulk."""
    ids = [uuid.uuid4() for _ in range(tenants)]
    with db.platform_session() as s:
        s.execute(insert(Tenant), [dict(id=t, slug=f"bench-authz-{n}", name=f"Bench {n}", enabled_plugins=["core"])
                                   for n, t in enumerate(ids)])
    perms = [(p.obj, p.act) for p in CORE_PERMISSIONS]
    roles = [t.key for t in ROLE_TEMPLATES]
    out = []
    for t in ids:
        dom = str(t)
        users = [str(uuid.uuid4()) for _ in range(USERS_PER_TENANT)]
        user_role = {u: roles[n % len(roles)] for n, u in enumerate(users)}
        pairs = [(r, p) for r in roles for p in perms]
        rnd.shuffle(pairs)
        grants = pairs[: rules - len(users)]
        rows = [dict(tenant_id=t, id=uuid7(), ptype="g", v0=f"user:{u}", v1=f"role:{r}", v2=dom)
                for u, r in user_role.items()]
        rows += [dict(tenant_id=t, id=uuid7(), ptype="p", v0=f"role:{r}", v1=dom, v2=o, v3=a)
                 for r, (o, a) in grants]
        granted = {(f"user:{u}", o, a) for u, r in user_role.items() for gr, (o, a) in grants if gr == r}
        with db.tenant_session(t) as s:
            s.execute(insert(CasbinRule), rows)
            s.execute(insert(AuthzState), [dict(tenant_id=t, id=uuid7(), policy_version=1,
                                                 granted_plugins=["core"])])
        out.append(TenantRules(t, users, granted))
    return out


def run(db: Database, *, tenants: int, rules: int, sessions: int, checks_per_session: int) -> Figure:
    rnd = random.Random(20240601)
    data = populate(db, tenants, rules, rnd)
    cache = enforcer.configure(max_tenants=tenants + 100, recheck_seconds=1.0)
    for tr in data:  # warm: every tenant's enforcer loaded, and a first decision made
        with db.tenant_session(tr.tenant_id) as s:
            allowed(s, tr.actors[0], "core:user", "read")
    loads_after_warmup = cache.loads
    if len(cache) != tenants:
        raise RuntimeError(f"enforcer cache holds {len(cache)} tenants, expected {tenants}")

    perms = [(p.obj, p.act) for p in CORE_PERMISSIONS]
    surety_ns: list[int] = []
    base_ns: list[int] = []
    hits = 0
    for _ in range(sessions):
        tr = rnd.choice(data)
        picks = [(rnd.choice(tr.actors), *rnd.choice(perms)) for _ in range(checks_per_session)]
        with db.tenant_session(tr.tenant_id) as s:
            allowed(s, tr.actors[0], "core:user", "read")  # a request's first check (may re-read the version)
            it = iter(picks)
            surety_ns += per_call_ns(lambda s=s, it=it: allowed(s, *next(it)), checks_per_session)
            for actor, obj, act in picks:
                hits += allowed(s, actor, obj, act) == ((actor.subject, obj, act) in tr.granted)
        keys = iter([(a.subject, o, x) for a, o, x in picks])
        base_ns += per_call_ns(lambda keys=keys, granted=tr.granted: next(keys) in granted, checks_per_session)
    if hits != sessions * checks_per_session:
        raise RuntimeError("enforcer decisions differ from the rules written: the benchmark is wrong")
    if cache.loads != loads_after_warmup:
        raise RuntimeError("an enforcer was reloaded during timing: the cache is not holding every tenant")
    s_us, b_us = median(surety_ns) / 1000, median(base_ns) / 1000
    return Figure(
        what=f"Permission check, cached enforcer ({tenants} tenants x {rules} rules) vs set look-up, median",
        surety=s_us, baseline=b_us, unit="us", target="median <= 50 us", passed=s_us <= 50,
        notes=(
            ("allowed(session, actor, obj, act) in an open tenant session after the request's first check (as a "
             "resolver calls it), random tenant, user and permission; baseline: (sub, obj, act) in a Python set "
             "of the same grants"),
            (f"{len(surety_ns)} checks over {sessions} tenant sessions; p99 {percentile(surety_ns, 99) / 1000:.2f} "
             f"us (set look-up {percentile(base_ns, 99) / 1000:.2f} us); timer cost included on both sides"),
        ),
    )
