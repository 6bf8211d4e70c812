"""Core audit API: the log by entity and by user."""

from __future__ import annotations

import datetime as dt

import strawberry
from strawberry.scalars import JSON

from surety.core.audit.query import records
from surety.graphql.auth import require


@strawberry.type
class AuditEntry:
    seq: int
    occurred_at: dt.datetime
    actor_type: str
    actor_id: str | None
    action: str
    entity_type: str | None
    entity_id: str | None
    before: JSON | None
    after: JSON | None
    request_id: str | None
    hash: str


@strawberry.type
class AuditPage:
    entries: list[AuditEntry]
    next_before_seq: int | None = strawberry.field(description="Pass as beforeSeq to get the next (older) page.")


@strawberry.type
class AuditQuery:
    @strawberry.field(description="Audit records, newest first, filtered by entity and/or acting user.")
    def audit_log(self, info: strawberry.Info, entity_type: str | None = None, entity_id: str | None = None,
                  actor_id: str | None = None, action: str | None = None, before_seq: int | None = None,
                  first: int = 50) -> AuditPage:
        require(info, "core:audit:read")
        first = max(1, min(first, 200))
        rows = records(info.context.session, entity_type=entity_type, entity_id=entity_id, actor_id=actor_id,
                       action=action, after_seq=before_seq, limit=first + 1)
        more = len(rows) > first
        rows = rows[:first]
        return AuditPage(
            entries=[AuditEntry(seq=r.seq, occurred_at=r.occurred_at, actor_type=r.actor_type, actor_id=r.actor_id,
                                action=r.action, entity_type=r.entity_type, entity_id=r.entity_id, before=r.before,
                                after=r.after, request_id=r.request_id, hash=r.hash) for r in rows],
            next_before_seq=rows[-1].seq if more and rows else None,
        )
