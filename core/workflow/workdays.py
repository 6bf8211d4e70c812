"""Work-calendar overrides: a tenant's own (GraphQL) and the platform's (CLI). They beat the PRC calendar package,
and a tenant's beat the platform's; docs/work-calendar.md."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from surety.core import limits
from surety.core.audit.log import audit
from surety.core.authz.check import require
from surety.core.context import Actor
from surety.core.db.session import Database
from surety.core.errors import NotFound, ValidationFailed
from surety.core.workflow.models import PlatformWorkdayOverride, WorkdayOverride


def _note(note: str) -> str:
    note = (note or "").strip()
    if len(note) > 200:
        raise ValidationFailed("A note is at most 200 characters.", field="note")
    return note


def list_overrides(session: Session, actor: Actor, year: int | None = None) -> list[WorkdayOverride]:
    require(session, actor, "core:workflow", "read")
    stmt = select(WorkdayOverride).order_by(WorkdayOverride.day)
    if year is not None:
        limits.year(year)
        stmt = stmt.where(WorkdayOverride.day >= dt.date(year, 1, 1), WorkdayOverride.day <= dt.date(year, 12, 31))
    return list(session.scalars(stmt))


def set_override(session: Session, actor: Actor, day: dt.date, working: bool, note: str = "") -> WorkdayOverride:
    """Mark ``day`` a working day or a day off for this tenant (replacing an earlier override of that day)."""
    require(session, actor, "core:workflow", "manage")
    row = session.scalar(select(WorkdayOverride).where(WorkdayOverride.day == day))
    before = None if row is None else {"working": row.working, "note": row.note}
    if row is None:
        row = WorkdayOverride(day=day, working=working)
        session.add(row)
    row.working, row.note = working, _note(note)
    session.info.pop("workflow_calendar", None)
    audit(session, "workflow.workday_override_set", entity_type="workday_override", entity_id=day.isoformat(),
          actor=actor, before=before, after={"working": working, "note": row.note})
    return row


def remove_override(session: Session, actor: Actor, day: dt.date) -> None:
    require(session, actor, "core:workflow", "manage")
    if not session.execute(delete(WorkdayOverride).where(WorkdayOverride.day == day)
                           .execution_options(synchronize_session=False)).rowcount:
        raise NotFound("No override on {day}.", field="day", day=day.isoformat())
    session.info.pop("workflow_calendar", None)
    audit(session, "workflow.workday_override_removed", entity_type="workday_override", entity_id=day.isoformat(),
          actor=actor)


def set_platform_override(db: Database, day: dt.date, working: bool | None, note: str = "") -> None:
    """Set (or with ``working=None`` remove) a platform-wide override: for every tenant."""
    with db.platform_session() as s:
        row = s.scalar(select(PlatformWorkdayOverride).where(PlatformWorkdayOverride.day == day))
        if working is None:
            if row is None:
                raise NotFound("No platform override on {day}.", field="day", day=day.isoformat())
            s.delete(row)
            return
        if row is None:
            row = PlatformWorkdayOverride(day=day, working=working)
            s.add(row)
        row.working, row.note = working, _note(note)


def list_platform_overrides(db: Database) -> list[PlatformWorkdayOverride]:
    with db.platform_session() as s:
        return list(s.scalars(select(PlatformWorkdayOverride).order_by(PlatformWorkdayOverride.day)))
