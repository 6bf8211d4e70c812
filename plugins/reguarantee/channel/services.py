"""The filing channel's rules on the caller's own side (docs/reguarantee/channel.md): offer (receiver), accept
(sender), close (either), send projects (sender), the lists, and the event handler that reports a filing's status
back to its sender. Whatever happens in the other tenant is channel/crossing.py's.

Order in every writing service: read and check, cross (the other tenant's transaction commits), then write and audit
on the own side. If the own side's transaction then fails, the other side keeps its part: an offered row the
receiver never wrote cannot be accepted (the receiver's row is missing), and a delivered batch stays filed on the
receiver (its filings name the channel; see "Doubts" in the doc)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import structlog
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from surety.core import inputs
from surety.core.audit.log import audit
from surety.core.authz.check import require
from surety.core.context import Actor
from surety.core.db.base import uuid7
from surety.core.db.types import utcnow
from surety.core.errors import Conflict, DomainError, NotFound, ValidationFailed
from surety.core.hooks import tenant_hook
from surety.core.workflow.engine import business_today
from surety.plugins.reguarantee.agreement.models import ReguaranteeAgreement
from surety.plugins.reguarantee.channel import crossing
from surety.plugins.reguarantee.channel.models import (
    CHANNEL_SIDES,
    CHANNEL_STATUSES,
    OUTBOUND_STATUSES,
    ReguaranteeChannel,
    ReguaranteeOutboundFiling,
)
from surety.plugins.reguarantee.channel.permissions import CHANNEL
from surety.plugins.reguarantee.events import ReguaranteeFilingStatusChanged
from surety.plugins.reguarantee.partner.models import ReguaranteePartner

log = structlog.get_logger(__name__)
ENTITY = crossing.ENTITY
#: The hook the sender's business plugin answers with a project's filing row (channel/hookspecs.py).
ROW_HOOK = "reguarantee_filing_row"
#: Keys of a filing row the sender may give with a project (completing or overriding the hook's row).
ROW_KEYS = frozenset({"project_ref", "loan_contract_no", "customer_name", "customer_kind", "customer_id_number",
                      "scope", "region", "industry", "bank_name", "loan_amount", "guarantee_amount", "loan_rate",
                      "start_date", "end_date", "cover_ratio", "fields"})
#: Most projects one send takes.
MAX_SEND = 500
#: Most rows a list returns.
MAX_LIST = 500
#: ``session.info`` key of the status reports waiting for the transaction to commit.
_PENDING = "reguarantee_channel_reports"


def _choice(value: str | None, choices: Mapping[str, str], name: str) -> str | None:
    if value is not None and value not in choices:
        raise ValidationFailed("{name} is one of {choices}, not {value}.", field=name, name=name,
                               choices=", ".join(choices), value=str(value)[:40])
    return value


def _own_row(session: Session, channel_id: uuid.UUID, side: str | None = None) -> ReguaranteeChannel:
    stmt = select(ReguaranteeChannel).where(ReguaranteeChannel.id == channel_id)
    if side is not None:
        stmt = stmt.where(ReguaranteeChannel.side == side)
    row = session.scalar(stmt)
    if row is None:
        raise NotFound("No filing channel with that id.", field="channel_id")
    return row


# ---------------------------------------------------------------- reading -------------------------------------------


def list_channels(session: Session, actor: Actor, *, side: str | None = None,
                  status: str | None = None) -> list[ReguaranteeChannel]:
    """The tenant's channel rows, newest offer first (needs reguarantee:channel:read): as receiver, as sender, or
    both."""
    require(session, actor, CHANNEL, "read")
    stmt = select(ReguaranteeChannel)
    if _choice(side, CHANNEL_SIDES, "side") is not None:
        stmt = stmt.where(ReguaranteeChannel.side == side)
    if _choice(status, CHANNEL_STATUSES, "status") is not None:
        stmt = stmt.where(ReguaranteeChannel.status == status)
    return list(session.scalars(stmt.order_by(ReguaranteeChannel.offered_at.desc(), ReguaranteeChannel.id)
                                .limit(MAX_LIST)))


def list_outbound(session: Session, actor: Actor, *, channel_id: uuid.UUID | None = None,
                  status: str | None = None, limit: int = 100) -> list[ReguaranteeOutboundFiling]:
    """The sender's outbound filings, newest first, with the status the receiver reported (needs
    reguarantee:channel:read); at most ``limit`` (1..500)."""
    require(session, actor, CHANNEL, "read")
    if not 1 <= limit <= MAX_LIST:
        raise ValidationFailed("limit is between 1 and {max_list}.", field="limit", max_list=MAX_LIST)
    o = ReguaranteeOutboundFiling
    stmt = select(o)
    if channel_id is not None:
        stmt = stmt.where(o.channel_id == channel_id)
    if _choice(status, OUTBOUND_STATUSES, "status") is not None:
        stmt = stmt.where(o.status == status)
    return list(session.scalars(stmt.order_by(o.sent_at.desc(), o.id.desc()).limit(limit)))


# ---------------------------------------------------------------- the channel's life --------------------------------


def offer_channel(session: Session, actor: Actor, partner_id: uuid.UUID, agreement_id: uuid.UUID,
                  sender_slug: str) -> ReguaranteeChannel:
    """The receiver (re-guarantor) offers a channel to the tenant ``sender_slug`` (needs
    reguarantee:channel:manage): for its partner ``partner_id`` (合作中) and that partner's active agreement, the
    sender having guarantee and reguarantee enabled; one open (offered or active) channel per sender and agreement.
    Both sides' rows are written (the same id), status offered; audited on both sides."""
    require(session, actor, CHANNEL, "manage")
    sender_slug = inputs.text(sender_slug, "sender", 63, required=True)
    partner = session.scalar(select(ReguaranteePartner).where(ReguaranteePartner.id == partner_id))
    if partner is None:
        raise NotFound("No partner institution with that id.", field="partner_id")
    if partner.status != "active":
        raise Conflict("The partner {partner_name} is not in cooperation.", field="partner_id",
                       partner_name=partner.name)
    agreement = session.scalar(select(ReguaranteeAgreement).where(ReguaranteeAgreement.id == agreement_id))
    if agreement is None or agreement.partner_id != partner.id:
        raise NotFound("No agreement with that id for this partner.", field="agreement_id")
    if agreement.status != "active":
        raise Conflict("The agreement {agreement_no} is not active.", field="agreement_id",
                       agreement_no=agreement.agreement_no)
    sender = crossing.peer_tenant(session, slug=sender_slug, needs=("guarantee", crossing.KEY))
    open_one = session.scalar(select(ReguaranteeChannel.id).where(
        ReguaranteeChannel.side == "receiver", ReguaranteeChannel.peer_tenant_id == sender.id,
        ReguaranteeChannel.agreement_id == agreement.id, ReguaranteeChannel.status.in_(("offered", "active"))))
    if open_one is not None:
        raise Conflict("A channel with {tenant_name} under agreement {agreement_no} is already open.",
                       field="agreement_id", tenant_name=sender.name, agreement_no=agreement.agreement_no)
    row = ReguaranteeChannel(id=uuid7(), side="receiver", peer_tenant_id=sender.id, peer_name=sender.name,
                             partner_id=partner.id, agreement_id=agreement.id, agreement_no=agreement.agreement_no,
                             status="offered", offered_by=actor.id_uuid, offered_at=utcnow())
    crossing.offer(session, row, crossing.own_name(session))
    session.add(row)
    session.flush()
    audit(session, "reguarantee.channel.offered", entity_type=ENTITY, entity_id=row.id,
          after={**crossing.image(row), "partner_id": str(partner.id), "agreement_id": str(agreement.id)})
    return row


def accept_channel(session: Session, actor: Actor, channel_id: uuid.UUID) -> ReguaranteeChannel:
    """The sender accepts an offered channel (needs reguarantee:channel:manage): both rows become active; audited
    on both sides."""
    require(session, actor, CHANNEL, "manage")
    row = _own_row(session, channel_id, "sender")
    if row.status != "offered":
        raise Conflict("The filing channel is {status}, not offered.", field="channel_id",
                       status=CHANNEL_STATUSES[row.status])
    crossing.accept(session, row.id, row.peer_tenant_id, actor.id_uuid)
    row.status, row.accepted_by, row.accepted_at = "active", actor.id_uuid, utcnow()
    session.flush()
    audit(session, "reguarantee.channel.accepted", entity_type=ENTITY, entity_id=row.id, after=crossing.image(row))
    return row


def close_channel(session: Session, actor: Actor, channel_id: uuid.UUID, reason: str) -> ReguaranteeChannel:
    """Either side closes an offered or active channel with a reason (needs reguarantee:channel:manage): both rows
    become closed and nothing more is filed through it (filings already made stay, and their status still comes
    back); audited on both sides."""
    require(session, actor, CHANNEL, "manage")
    reason = inputs.text(reason, "reason", 500, required=True)
    row = _own_row(session, channel_id)
    if row.status == "closed":
        raise Conflict("The filing channel is already closed.", field="channel_id")
    peer_side = "sender" if row.side == "receiver" else "receiver"
    crossing.close(session, row.id, row.peer_tenant_id, peer_side=peer_side, by=actor.id_uuid, closed_side=row.side,
                   reason=reason)
    before = crossing.image(row)
    row.status, row.closed_by, row.closed_side, row.closed_at = "closed", actor.id_uuid, row.side, utcnow()
    row.close_reason = reason
    session.flush()
    audit(session, "reguarantee.channel.closed", entity_type=ENTITY, entity_id=row.id, before=before,
          after={**crossing.image(row), "closed_side": row.side, "reason": reason})
    return row


# ---------------------------------------------------------------- sending -------------------------------------------


def _row_of(session: Session, actor: Actor, n: int, item: Mapping[str, Any]) -> tuple[uuid.UUID, dict]:
    project_id = item.get("project_id")
    if not isinstance(project_id, uuid.UUID):
        raise ValidationFailed("Project {n}: give project_id.", field="project_id", n=n)
    unknown = sorted(set(item) - ROW_KEYS - {"project_id"})
    if unknown:
        raise ValidationFailed("Project {n}: unknown filing field {name}.", field=unknown[0], n=n, name=unknown[0])
    base = tenant_hook(session, ROW_HOOK)(session=session, actor=actor, project_id=project_id)
    if base is None:
        raise ValidationFailed("Project {n} is not a guarantee in force.", field="project_id", n=n)
    row = {k: v for k, v in base.items() if k in ROW_KEYS}
    row.update({k: v for k, v in item.items() if k in ROW_KEYS})
    return project_id, row


def _amount(value: Any) -> Decimal:
    """The guaranteed amount as the outbound row shows it; 0.00 when it is no amount (the receiver said why)."""
    try:
        return inputs.money(value, "guarantee_amount")
    except DomainError:
        return Decimal("0.00")


def send(session: Session, actor: Actor, channel_id: uuid.UUID,
         items: Sequence[Mapping[str, Any]]) -> list[ReguaranteeOutboundFiling]:
    """The sender files projects through an active channel (needs reguarantee:channel:send): each item is
    ``{"project_id": ..., **row values}``, the row built from the project by the ``reguarantee_filing_row`` hook
    (the guarantee plugin answers it) and completed or overridden by the item's values (the customer's identity
    number at least: guarantee does not keep it). The receiver files them as one batch, all or nothing; an outbound
    row per project records the answer: status filed with the receiver's filing number, or refused with the
    reasons. Audited on both sides."""
    require(session, actor, CHANNEL, "send")
    if not 1 <= len(items) <= MAX_SEND:
        raise ValidationFailed("A send holds 1 to {most} projects, not {count}.", field="items", most=MAX_SEND,
                               count=len(items))
    channel = _own_row(session, channel_id, "sender")
    if channel.status != "active":
        raise Conflict("The filing channel is not open (it is {status}).", field="channel_id",
                       status=CHANNEL_STATUSES[channel.status])
    built = [_row_of(session, actor, n, item) for n, item in enumerate(items, start=1)]
    seen: set[uuid.UUID] = set()
    for n, (project_id, _row) in enumerate(built, start=1):
        if project_id in seen:
            raise ValidationFailed("Project {n} is given twice.", field="project_id", n=n)
        seen.add(project_id)
    delivery = crossing.deliver(session, channel.id, channel.peer_tenant_id, [r for _p, r in built])
    today = business_today()
    out = []
    for i, (project_id, row) in enumerate(built):
        reasons = list(delivery.reasons[i]) + ([delivery.general] if delivery.general else [])
        out.append(ReguaranteeOutboundFiling(
            channel_id=channel.id, receiver_tenant_id=channel.peer_tenant_id, project_id=project_id,
            project_ref=str(row.get("project_ref") or "")[:60],
            guarantee_amount=_amount(row.get("guarantee_amount")),
            receiver_filing_id=delivery.filing_ids[i], receiver_filing_no=delivery.filing_nos[i],
            receiver_batch_no=delivery.batch_no, status="filed" if delivery.filed else "refused",
            reasons=reasons, status_on=today, sent_by=actor.id_uuid))
    session.add_all(out)
    session.flush()
    audit(session, "reguarantee.channel.sent", entity_type=ENTITY, entity_id=channel.id,
          after={"projects": len(out), "filed": delivery.filed, "batch_no": delivery.batch_no,
                 "refused_general": delivery.general})
    return out


def refresh_outbound(session: Session, actor: Actor, channel_id: uuid.UUID) -> list[ReguaranteeOutboundFiling]:
    """The sender catches up with the receiver (needs reguarantee:channel:send): the current status of every filing
    it sent through the channel is read from the receiver (crossing.fetch_statuses) and each outbound row whose
    status differs takes it (reasons with it; dated today); the rows changed. Audited on both sides."""
    require(session, actor, CHANNEL, "send")
    channel = _own_row(session, channel_id, "sender")
    o = ReguaranteeOutboundFiling
    mine = list(session.scalars(select(o).where(o.channel_id == channel.id, o.receiver_filing_id.is_not(None))))
    if not mine:
        return []
    found = crossing.fetch_statuses(session, channel.id, channel.peer_tenant_id, [r.receiver_filing_id for r in mine])
    today, changed = business_today(), []
    for r in mine:
        status, reasons = found.get(r.receiver_filing_id, (r.status, r.reasons))
        if status != r.status:
            r.status, r.reasons, r.status_on = status, reasons, today
            changed.append(r)
    session.flush()
    audit(session, "reguarantee.channel.refreshed", entity_type=ENTITY, entity_id=channel.id,
          after={"filings": len(mine), "changed": len(changed)})
    return changed


# ---------------------------------------------------------------- status back ---------------------------------------


def on_event(session: Session, ev: object) -> None:
    """A filing that came through a channel changed status on the receiver: its sender is told once this
    transaction has committed (crossing.report_status), so a rolled-back change is never reported. The filings a
    delivery creates are not reported (the sender records them from the delivery's answer)."""
    if not isinstance(ev, ReguaranteeFilingStatusChanged) or ev.channel_id is None:
        return
    if session.info.get(crossing.DELIVERING):
        return
    channel = session.scalar(select(ReguaranteeChannel).where(ReguaranteeChannel.id == ev.channel_id,
                                                              ReguaranteeChannel.side == "receiver"))
    if channel is None:
        return
    report = crossing.StatusReport(channel_id=channel.id, sender_id=channel.peer_tenant_id, filing_id=ev.filing_id,
                                   status=ev.status, reasons=tuple(ev.reasons), changed_on=ev.changed_on)
    transaction = session.get_nested_transaction() or session.get_transaction()
    session.info.setdefault(_PENDING, []).append((transaction, report))


def _within(transaction, ancestor) -> bool:
    while transaction is not None:
        if transaction is ancestor:
            return True
        transaction = transaction.parent
    return False


@event.listens_for(Session, "after_soft_rollback")
def _drop_rolled_back(session: Session, previous_transaction) -> None:
    pending = session.info.get(_PENDING)
    if pending:
        pending[:] = [(t, r) for t, r in pending if not _within(t, previous_transaction)]


@event.listens_for(Session, "after_commit")
def _report_after_commit(session: Session) -> None:
    # A released savepoint emits after_commit too: its reports wait for the outermost commit.
    if session.get_nested_transaction() is not None or not session.info.get(_PENDING):
        return
    pending = session.info.pop(_PENDING)
    engine, receiver = crossing.engine_of(session), crossing.own_tenant(session)
    for _transaction, report in pending:
        try:
            crossing.report_status(engine, receiver, report)
        except Exception:  # the receiver's change is committed; the sender's view catches up on the next refresh
            log.exception("reguarantee.channel.report_failed", channel_id=str(report.channel_id),
                          filing_id=str(report.filing_id))


@event.listens_for(Session, "after_transaction_end")
def _forget_uncommitted(session: Session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(_PENDING, None)
