"""Figure 4: what appending an audit record adds to a small mutation (p95 of each, and the difference)."""

from __future__ import annotations

import itertools
import uuid

from bench_stats import Figure, SqlMeter, interleaved_ms, median, percentile
from sqlalchemy import select

from surety.core.audit.log import audit
from surety.core.context import ACTOR_USER, Actor, acting
from surety.core.db.session import Database
from surety.core.identity.models import User

PROFILE_RUNS = 100


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
    profile = []
    for flag in (True, False):  # SQL per transaction, on untimed repeats
        with SqlMeter(db.engine) as meter:
            for _ in range(PROFILE_RUNS):
                mutate(flag)
        profile.append((meter.statements / PROFILE_RUNS, meter.seconds * 1000 / PROFILE_RUNS,
                        meter.elapsed * 1000 / PROFILE_RUNS))
    (st_w, sql_w, all_w), (st_wo, sql_wo, all_wo) = profile
    med_w, med_wo = median(with_ms), median(without_ms)
    p_with, p_without = percentile(with_ms, 95), percentile(without_ms, 95)
    diff = p_with - p_without
    return Figure(
        what="Mutation with audit record vs without, p95 per transaction",
        surety=p_with, baseline=p_without, unit="ms", target="p95 difference <= 2 ms", passed=diff <= 2.0,
        difference=diff,
        notes=(
            ("tenant transaction: load a user, change display_name, commit; with audit(...) of the change in "
             "the same transaction vs without"),
            (f"{runs} transactions each, interleaved, after {warmup} warm-up pairs; p95 difference "
             f"{diff:+.2f} ms; medians {med_w:.2f} ms with, {med_wo:.2f} ms without ({med_w - med_wo:+.2f} ms)"),
            (f"where the time goes ({PROFILE_RUNS} more transactions each, SQL metered, means): with audit "
             f"{all_w:.2f} ms = {sql_w:.2f} ms executing {st_w:.0f} statements + {all_w - sql_w:.2f} ms outside "
             f"them; without {all_wo:.2f} ms = {sql_wo:.2f} ms executing {st_wo:.0f} statements + "
             f"{all_wo - sql_wo:.2f} ms; the audit adds {sql_w - sql_wo:+.2f} ms of statement execution and "
             f"{(all_w - sql_w) - (all_wo - sql_wo):+.2f} ms outside them (redaction, canonical JSON, "
             "HMAC-SHA256 with the tenant's cached audit subkey, ORM flush, commit)"),
        ),
    )
