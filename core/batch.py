"""The day-end batch: each active tenant's enabled plugins' day-end jobs for one business date, then a checkpoint of its
audit chain."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from surety.core.audit.checkpoint import checkpoint_tenant
from surety.core.context import ACTOR_SYSTEM, Actor, acting
from surety.core.db.session import Database
from surety.core.hookspecs import ScheduledJob
from surety.core.idempotency import purge_expired
from surety.core.plugins import get_registry
from surety.tenants.service import get_tenant_by_slug, list_tenants


def housekeeping_jobs() -> list:
    """Core's own day-end jobs, run for every tenant (core is always enabled)."""

    return [ScheduledJob("idempotency_keys_purge", lambda session, _date: {"deleted": purge_expired(session)},
                         order=990, description="Delete the expired idempotency keys of money mutations.")]


def day_end_jobs(enabled: list[str]):
    jobs = [("core", j) for j in housekeeping_jobs()]
    for key, found in get_registry().results_by_plugin("surety_scheduled_jobs").items():
        if key in enabled:
            jobs += [(key, j) for j in (found or ()) if j.day_end]
    return sorted(jobs, key=lambda kj: (kj[1].order, kj[0], kj[1].name))


def _summary(result) -> str:
    """A job's return value for the batch's line: a mapping as ``key value, ...``, anything else as text."""
    if isinstance(result, dict):
        return ", ".join(f"{k} {v}" for k, v in result.items())
    return str(result)


def run_day_end(db: Database, business_date: dt.date, *, tenant_slug: str | None = None) -> Iterator[str]:
    """Run the jobs; each tenant's job runs in its own transaction. Yields a line per job, then one for the tenant's
    audit checkpoint."""

    tenants = [get_tenant_by_slug(db, tenant_slug)] if tenant_slug else [t for t in list_tenants(db) if t.active]
    for tenant in tenants:
        for key, job in day_end_jobs(list(tenant.enabled_plugins)):
            with acting(Actor(type=ACTOR_SYSTEM, id=f"batch:{job.name}", tenant_id=tenant.id)), \
                    db.tenant_session(tenant.id) as session:
                result = job.run(session, business_date)
            shown = f": {_summary(result)}" if result else ""
            yield f"{tenant.slug}: {key}.{job.name} done for {business_date.isoformat()}{shown}"
        yield f"{tenant.slug}: {_audit_checkpoint(db, tenant.id)}"


def _audit_checkpoint(db: Database, tenant_id) -> str:
    """Anchor the tenant's audit chain once its jobs (and their records) are committed: a signed checkpoint outside
    the database (docs/audit.md, "Checkpoints")."""

    return checkpoint_tenant(db, tenant_id)[1]
