"""Figure 4: what appending an audit record adds to a small mutation (p95 of each, and the difference)."""

from __future__ import annotations

import itertools
import uuid

from sqlalchemy import select

from bench_stats import Figure, interleaved_ms, median, percentile
from surety.core.audit.log import audit
from surety.core.context import ACTOR_USER, Actor, acting
from surety.core.db.session import Database
from surety.core.identity.models import User


def run(db: Database, tenant_id: uuid.UUID, *, runs: int, warmup: int) -> Figure:
    with db.tenant_session(tenant_id) as s:
        user = s.scalars(select(User).where(User.username == "admin")).one()
    user_id = user.id
    counter = itertools.count()
    actor = Actor(type=ACTOR_USER, id=str(user_id), tenant_id=tenant_id, username="admin")

    def mutate(with_audit: bool) -> None:
        n = next(counter)
        with acting(actor, request_id=f"bench-{n}", client_addr="127.0.0.1"), db.tenant_session(tenant_id) as s:
            row = s.scalars(select(User).where(User.id == user_id)).one()
            before = row.display_name
            row.display_name = f"Administrator {n}"
            if with_audit:
                audit(s, "user.updated", entity_type="user", entity_id=row.id,
                      before={"display_name": before}, after={"display_name": row.display_name})

    with_ms, without_ms = interleaved_ms(lambda: mutate(True), lambda: mutate(False), runs, warmup)
    p_with, p_without = percentile(with_ms, 95), percentile(without_ms, 95)
    diff = p_with - p_without
    return Figure(
        what="Mutation with audit record vs without, p95 per transaction",
        surety=p_with, baseline=p_without, unit="ms", target="p95 difference <= 2 ms", passed=diff <= 2.0,
        difference=diff,
        notes=("tenant transaction: load a user, change display_name, commit; with audit(...) of the change in "
               "the same transaction vs without",
               f"{runs} transactions each, interleaved, after {warmup} warm-up pairs; p95 difference "
               f"{diff:+.2f} ms; medians {median(with_ms):.2f} ms with, {median(without_ms):.2f} ms without "
               f"({median(with_ms) - median(without_ms):+.2f} ms)",),
    )
