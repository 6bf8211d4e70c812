"""The day-end batch: each active tenant's enabled plugins' day-end jobs for one business date, then a checkpoint of its
audit chain."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from surety.core.audit.checkpoint import checkpoint_tenant
from surety.core.context import ACTOR_SYSTEM, Actor, acting
from surety.core.db.session import Database
from surety.core.errors import ValidationFailed
from surety.core.hookspecs import ScheduledJob
from surety.core.idempotency import purge_expired
from surety.core.plugins import get_registry
from surety.core.workflow.engine import business_today
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


def check_business_date(business_date: dt.date, *, today: dt.date | None = None) -> dt.date:
    """The date a batch runs for: today's business date (Beijing) or an earlier one (a catch-up run), never a later
    one: a future date would escalate tasks and send reminders that are not due yet. Refused with a zh-CN message."""
    today = today or business_today()
    if isinstance(business_date, dt.datetime) or not isinstance(business_date, dt.date):
        raise ValidationFailed("日终批处理的业务日期须为日期（如 2026-03-10）。", field="date")
    if business_date > today:
        raise ValidationFailed("日终批处理的业务日期 {business_date} 晚于今天（北京时间 {today}），不能提前运行；"
                               "补跑今天或以前的日期可以。", field="date",
                               business_date=business_date.isoformat(), today=today.isoformat())
    return business_date


def run_day_end(db: Database, business_date: dt.date, *, tenant_slug: str | None = None) -> Iterator[str]:
    """Run the jobs for ``business_date`` (today's business date or earlier: :func:`check_business_date`, checked
    before anything runs); each tenant's job runs in its own transaction. Yields a line per job, then one for the
    tenant's audit checkpoint."""

    check_business_date(business_date)
    return _run(db, business_date, tenant_slug)


def _run(db: Database, business_date: dt.date, tenant_slug: str | None) -> Iterator[str]:
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
