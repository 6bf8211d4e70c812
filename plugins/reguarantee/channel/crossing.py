"""The one door between tenants (docs/reguarantee/channel.md, "Crossing"): every read or write the filing channel
makes in the OTHER side's tenant goes through this module, and nothing else in Surety crosses tenants.

Each crossing opens a session bound to the other tenant on the caller's engine, in a transaction of its own (committed
when the crossing ends without error, rolled back otherwise), acting as the channel's system actor
(``system:reguarantee-channel:<channel id>``); it touches only that tenant's channel rows (and, on the receiver, the
filing service), checks that the row it finds names the calling tenant as its peer, and audits in the other tenant.
The caller audits on its own side. The ORM tenant filter and PostgreSQL row-level security apply to the crossing's
session as to any other: it sees the other tenant's rows only, never the caller's.

Order, because SQLite has a single write lock: a service calls a crossing BEFORE it writes in its own session (its
reads do not hold the lock), and a status report (``report_status``) runs after the receiver's transaction has
committed (channel/services.py queues it)."""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from surety.core.audit.log import audit
from surety.core.context import ACTOR_SYSTEM, Actor, acting
from surety.core.db.session import TENANT_KEY, bind_tenant_context, session_tenant
from surety.core.db.types import utcnow
from surety.core.errors import Conflict, DomainError, NotFound, TenantNotBound
from surety.core.i18n import render_error
from surety.plugins.reguarantee import KEY
from surety.plugins.reguarantee.channel.models import (
    CHANNEL_STATUSES,
    ReguaranteeChannel,
    ReguaranteeOutboundFiling,
)
from surety.plugins.reguarantee.filing import services as filing_services
from surety.plugins.reguarantee.filing.models import ReguaranteeFiling
from surety.tenants.models import TENANT_ACTIVE, Tenant

ENTITY = "reguarantee:channel"
OUTBOUND_ENTITY = "reguarantee:outbound_filing"
#: The locale of texts kept for the other side (reasons): the stored texts are zh-CN.
STORED_LOCALE = "zh_CN"
#: ``session.info`` flag of a crossing session delivering filings (its own filing events are not reported back).
DELIVERING = "reguarantee_channel_delivering"


def channel_actor(channel_id: uuid.UUID, tenant_id: uuid.UUID | None = None) -> Actor:
    """The system actor a crossing acts as in the other tenant (audit records name it)."""
    return Actor(type=ACTOR_SYSTEM, id=f"reguarantee-channel:{channel_id}", tenant_id=tenant_id)


def own_tenant(session: Session) -> uuid.UUID:
    tenant = session_tenant(session)
    if not isinstance(tenant, uuid.UUID):
        raise TenantNotBound("the filing channel works in a tenant session")
    return tenant


def peer_tenant(session: Session, *, slug: str | None = None, tenant_id: uuid.UUID | None = None,
                needs: Sequence[str] = (KEY,)) -> Tenant:
    """The other side's tenant from the registry (by slug or id): active, not the caller's own, with the plugins
    ``needs`` enabled; NotFound / Conflict otherwise (the registry is global: reading it crosses nothing)."""
    stmt = select(Tenant).where(Tenant.slug == slug) if slug is not None else select(Tenant).where(
        Tenant.id == tenant_id)
    tenant = session.scalar(stmt)
    if tenant is None or tenant.id == own_tenant(session):
        raise NotFound("No other tenant with that code.", field="sender")
    if tenant.status != TENANT_ACTIVE:
        raise Conflict("The tenant {tenant_name} is not active.", field="sender", tenant_name=tenant.name)
    missing = [k for k in needs if k not in (tenant.enabled_plugins or [])]
    if missing:
        raise Conflict("The tenant {tenant_name} has not enabled {plugins}.", field="sender", tenant_name=tenant.name,
                       plugins=", ".join(missing))
    return tenant


def own_name(session: Session) -> str:
    """The calling tenant's name (shown to the other side)."""
    return session.scalar(select(Tenant.name).where(Tenant.id == own_tenant(session))) or ""


def engine_of(session: Session):
    bind = session.get_bind()
    return getattr(bind, "engine", bind)


@contextlib.contextmanager
def _across(engine, tenant_id: uuid.UUID, channel_id: uuid.UUID) -> Iterator[Session]:
    """A session of ``tenant_id`` on ``engine`` (the caller's), in its own transaction, acting as the channel; the
    tenant must be active with this plugin enabled."""
    with acting(channel_actor(channel_id, tenant_id)), bind_tenant_context(tenant_id), \
            Session(engine, info={TENANT_KEY: tenant_id}, expire_on_commit=False) as other, other.begin():
        tenant = other.get(Tenant, tenant_id)
        if tenant is None or tenant.status != TENANT_ACTIVE or KEY not in (tenant.enabled_plugins or []):
            raise Conflict("The other side of the filing channel cannot take it now.", field="channel_id")
        yield other


def _peer_row(other: Session, channel_id: uuid.UUID, side: str, caller: uuid.UUID) -> ReguaranteeChannel:
    """The other side's row of the channel, which must name the caller as its peer (NotFound otherwise)."""
    row = other.scalar(select(ReguaranteeChannel).where(ReguaranteeChannel.id == channel_id,
                                                        ReguaranteeChannel.side == side,
                                                        ReguaranteeChannel.peer_tenant_id == caller))
    if row is None:
        raise NotFound("No filing channel with that id.", field="channel_id")
    return row


def image(row: ReguaranteeChannel) -> dict:
    """A channel row as audited (no personal data)."""
    return {"side": row.side, "peer_tenant_id": str(row.peer_tenant_id), "agreement_no": row.agreement_no,
            "status": row.status}


# ---------------------------------------------------------------- the channel's life --------------------------------


def offer(session: Session, receiver_row: ReguaranteeChannel, receiver_name: str) -> None:
    """The receiver offers ``receiver_row`` (not yet written on its side): the sender's row, same id, status
    offered, is written in the sender's tenant and audited there (``reguarantee.channel.offered``)."""
    receiver = own_tenant(session)
    with _across(engine_of(session), receiver_row.peer_tenant_id, receiver_row.id) as other:
        row = ReguaranteeChannel(id=receiver_row.id, side="sender", peer_tenant_id=receiver, peer_name=receiver_name,
                                 agreement_no=receiver_row.agreement_no, status="offered",
                                 offered_by=receiver_row.offered_by, offered_at=receiver_row.offered_at)
        other.add(row)
        other.flush()
        audit(other, "reguarantee.channel.offered", entity_type=ENTITY, entity_id=row.id, after=image(row))


def accept(session: Session, channel_id: uuid.UUID, receiver_id: uuid.UUID, by: uuid.UUID | None) -> None:
    """The sender accepts: the receiver's row (offered, naming the sender) becomes active, audited there
    (``reguarantee.channel.accepted``); Conflict when it is no longer offered."""
    sender = own_tenant(session)
    with _across(engine_of(session), receiver_id, channel_id) as other:
        row = _peer_row(other, channel_id, "receiver", sender)
        if row.status != "offered":
            raise Conflict("The filing channel is {status}, not offered.", field="channel_id",
                           status=CHANNEL_STATUSES[row.status])
        row.status, row.accepted_by, row.accepted_at = "active", by, utcnow()
        other.flush()
        audit(other, "reguarantee.channel.accepted", entity_type=ENTITY, entity_id=row.id, after=image(row))


def close(session: Session, channel_id: uuid.UUID, peer_id: uuid.UUID, *, peer_side: str, by: uuid.UUID | None,
          closed_side: str, reason: str) -> None:
    """Either side closes: the other side's row becomes closed (a closed row stays closed), audited there
    (``reguarantee.channel.closed``)."""
    caller = own_tenant(session)
    with _across(engine_of(session), peer_id, channel_id) as other:
        row = _peer_row(other, channel_id, peer_side, caller)
        if row.status == "closed":
            return
        before = image(row)
        row.status, row.closed_by, row.closed_side, row.closed_at = "closed", by, closed_side, utcnow()
        row.close_reason = reason
        other.flush()
        audit(other, "reguarantee.channel.closed", entity_type=ENTITY, entity_id=row.id, before=before,
              after={**image(row), "closed_side": closed_side, "reason": reason})


# ---------------------------------------------------------------- filing and status ---------------------------------


@dataclass
class Delivery:
    """What the receiver answered to a delivery: ``filed`` (all rows filed: their filing ids and numbers, in row
    order, and the batch number) or refused (``reasons`` per row, zh-CN; ``general`` when the whole delivery was
    refused before any row was checked)."""

    filed: bool
    batch_no: str = ""
    filing_ids: list[uuid.UUID | None] = field(default_factory=list)
    filing_nos: list[str] = field(default_factory=list)
    reasons: list[list[str]] = field(default_factory=list)
    general: str = ""


def deliver(session: Session, channel_id: uuid.UUID, receiver_id: uuid.UUID,
            rows: Sequence[Mapping]) -> Delivery:
    """File ``rows`` in the receiver's tenant through its filing service (``file_batch(..., source="channel",
    channel_id=...)``, all or nothing) under the channel's agreement; the channel must be active on the receiver's
    side. Audited there (``reguarantee.channel.received`` or ``.refused``). A refusal is an answer, not an error."""
    sender = own_tenant(session)
    try:
        with _across(engine_of(session), receiver_id, channel_id) as other:
            row = _peer_row(other, channel_id, "receiver", sender)
            if row.status != "active":
                raise Conflict("The filing channel is not open (it is {status}).", field="channel_id",
                               status=CHANNEL_STATUSES[row.status])
            other.info[DELIVERING] = True
            result = filing_services.file_batch(other, channel_actor(channel_id, receiver_id), row.agreement_id,
                                                rows, source="channel", file_name=f"机构通道：{row.peer_name}"[:200],
                                                channel_id=channel_id)
            reasons = [r.errors(STORED_LOCALE) for r in result.rows]
            if not result.ok:
                audit(other, "reguarantee.channel.refused", entity_type=ENTITY, entity_id=row.id,
                      after={"rows": len(rows), "refused_rows": [r.row for r in result.refused]})
                return Delivery(filed=False, filing_ids=[None] * len(rows), filing_nos=[""] * len(rows),
                                reasons=reasons)
            audit(other, "reguarantee.channel.received", entity_type=ENTITY, entity_id=row.id,
                  after={"batch_no": result.batch.batch_no, "rows": len(rows),
                         "total_amount": result.total_amount})
            return Delivery(filed=True, batch_no=result.batch.batch_no, filing_ids=list(result.filing_ids),
                            filing_nos=[r.filing_no or "" for r in result.rows], reasons=reasons)
    except DomainError as exc:
        return Delivery(filed=False, filing_ids=[None] * len(rows), filing_nos=[""] * len(rows),
                        reasons=[[] for _ in rows], general=render_error(exc, STORED_LOCALE))


@dataclass(frozen=True)
class StatusReport:
    """A receiver's filing changed status: what the sender's outbound row learns."""

    channel_id: uuid.UUID
    sender_id: uuid.UUID
    filing_id: uuid.UUID
    status: str
    reasons: tuple[str, ...]
    changed_on: dt.date


def report_status(engine, receiver: uuid.UUID, report: StatusReport) -> int:
    """Tell the sender of ``report`` (from the receiver's session, after its transaction committed): the outbound
    rows of that filing take the status, reasons and date, audited there (``reguarantee.channel.status_reported``).
    The number of rows updated (0 when the sender has none). ``engine`` and ``receiver``: the receiver's session's
    (which may emit no SQL once committed)."""
    with _across(engine, report.sender_id, report.channel_id) as other:
        _peer_row(other, report.channel_id, "sender", receiver)
        rows = list(other.scalars(select(ReguaranteeOutboundFiling).where(
            ReguaranteeOutboundFiling.channel_id == report.channel_id,
            ReguaranteeOutboundFiling.receiver_filing_id == report.filing_id)))
        for r in rows:
            r.status, r.reasons, r.status_on = report.status, list(report.reasons), report.changed_on
            audit(other, "reguarantee.channel.status_reported", entity_type=OUTBOUND_ENTITY,
                  entity_id=r.id, after={"receiver_filing_no": r.receiver_filing_no, "status": report.status})
        return len(rows)


def fetch_statuses(session: Session, channel_id: uuid.UUID, receiver_id: uuid.UUID,
                   filing_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, tuple[str, list[str]]]:
    """The sender asks the receiver for the current status (and return reasons) of its filings ``filing_ids`` that
    came through the channel (a report lost after the receiver's commit is caught up this way; a closed channel
    still answers). Only filings of this channel are read; audited there (``reguarantee.channel.statuses_read``)."""
    sender = own_tenant(session)
    with _across(engine_of(session), receiver_id, channel_id) as other:
        _peer_row(other, channel_id, "receiver", sender)
        f = ReguaranteeFiling
        found = {r.id: (r.status, list(r.reject_reasons or [])) for r in other.execute(
            select(f.id, f.status, f.reject_reasons).where(f.channel_id == channel_id, f.id.in_(list(filing_ids))))}
        audit(other, "reguarantee.channel.statuses_read", entity_type=ENTITY, entity_id=channel_id,
              after={"filings": len(found)})
        return found
