"""Voucher rules: install a chart with its default rules, edit a rule, and write the voucher of a domain event in
the event's own transaction (docs/finance/README.md, "Voucher rules"); backfill vouchers of events already in the
outbox. The rule arithmetic is rules/spec.py."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from surety.core import inputs
from surety.core.audit.log import audit
from surety.core.authz.check import require
from surety.core.context import Actor
from surety.core.db.base import uuid7
from surety.core.errors import Conflict, NotFound, ValidationFailed
from surety.core.events import DomainEvent
from surety.core.events_models import OutboxEvent
from surety.core.workflow.engine import business_today
from surety.plugins.finance.accounts import config_cache
from surety.plugins.finance.accounts import services as accounts
from surety.plugins.finance.accounts.models import FinanceAccount
from surety.plugins.finance.accounts.templates import DEBIT
from surety.plugins.finance.permissions import CHART, VOUCHER
from surety.plugins.finance.rules import spec
from surety.plugins.finance.rules.defaults import RULES
from surety.plugins.finance.rules.models import FinanceVoucherRule
from surety.plugins.finance.vouchers import services as vouchers
from surety.plugins.finance.vouchers.models import CLOSED, WORDS, FinancePeriod, FinanceVoucher, FinanceVoucherLine

ENTITY = "finance:rule"
RULE_FIELDS = ("name", "word", "summary", "date_field", "lines", "active")


def _image(r: FinanceVoucherRule) -> dict:
    return {f: getattr(r, f) for f in ("event_type", *RULE_FIELDS)}


# ---------------------------------------------------------------- chart with its rules ------------------------------


def install_chart(session: Session, actor: Actor | None, template_key: str) -> str:
    """Install chart template ``template_key`` with its default voucher rules (needs finance:chart:manage unless
    ``actor`` is None). A tenant may switch to another template until its first voucher is written; after that it
    edits its chart. Returns the template key."""
    if actor is not None:
        require(session, actor, CHART, "manage")
    current = accounts.installed_template(session)
    if current is not None and session.scalar(select(FinanceVoucher.id).limit(1)) is not None:
        raise Conflict("Vouchers are written on the chart {template_key}; edit its accounts instead of installing "
                       "another chart.", field="template_key", template_key=current)
    accounts.install_accounts(session, actor, template_key, replace=True)
    session.execute(delete(FinanceVoucherRule))
    for data in RULES.get(template_key, []):
        session.add(FinanceVoucherRule(**{**data, "lines": [spec.check_line(x) for x in data["lines"]]}))
    session.flush()
    config_cache.changed(session)
    return template_key


def ensure_chart(session: Session, template_key: str) -> bool:
    """Install ``template_key`` (with its rules) when the tenant has no chart yet; True when it did."""
    if accounts.installed_template(session) is not None:
        return False
    install_chart(session, None, template_key)
    return True


# ---------------------------------------------------------------- editing rules -------------------------------------


def list_rules(session: Session, actor: Actor) -> list[FinanceVoucherRule]:
    """The tenant's voucher rules by event type (needs finance:voucher:read)."""
    require(session, actor, VOUCHER, "read")
    return list(session.scalars(select(FinanceVoucherRule).order_by(FinanceVoucherRule.event_type)))


@dataclass(frozen=True)
class ActiveRule:
    name: str
    word: str
    summary: str
    date_field: str
    lines: tuple


def _active_rules(session: Session) -> Mapping[str, ActiveRule]:
    return MappingProxyType({
        r.event_type: ActiveRule(r.name, r.word, r.summary, r.date_field,
                                 tuple(MappingProxyType(dict(line)) for line in r.lines))
        for r in session.scalars(select(FinanceVoucherRule).where(FinanceVoucherRule.active.is_(True)))})


def rule_for(session: Session, event_type: str) -> ActiveRule | None:
    """The active rule of ``event_type``, None when there is none. The active rules come from the process cache of
    the tenant's configuration (config_cache: re-checked against ``FinanceChart.config_version`` at most once a
    second and once per session; editing a rule or installing a chart bumps it)."""
    return config_cache.cached(session, "rules", _active_rules).get(event_type)


def _clean(data: Mapping[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(data) - set(RULE_FIELDS))
    if unknown:
        raise ValidationFailed("Unknown rule field {name}.", field=unknown[0], name=unknown[0])
    out: dict[str, Any] = {}
    if "name" in data:
        out["name"] = inputs.text(data["name"], "name", 100, required=True)
    if "summary" in data:
        out["summary"] = inputs.text(data["summary"], "summary", 200, required=True)
    if "date_field" in data:
        out["date_field"] = inputs.text(data["date_field"], "date_field", 40, required=True)
    if "word" in data:
        if data["word"] not in WORDS:
            raise ValidationFailed("word is one of {choices}, not {value}.", field="word", choices=", ".join(WORDS),
                                   value=str(data["word"])[:10])
        out["word"] = data["word"]
    if "active" in data:
        if not isinstance(data["active"], bool):
            raise ValidationFailed("active is true (in use) or false.", field="active")
        out["active"] = data["active"]
    if "lines" in data:
        if not isinstance(data["lines"], (list, tuple)) or not data["lines"]:
            raise ValidationFailed("A rule has at least one line.", field="lines")
        lines = []
        for i, line in enumerate(data["lines"]):
            try:
                lines.append(spec.check_line(line))
            except spec.RuleError as exc:
                raise ValidationFailed("Rule line {line}: {reason}", field=f"lines[{i}]", line=i + 1,
                                       reason=exc) from None
        out["lines"] = lines
    return out


def set_rule(session: Session, actor: Actor, event_type: str, data: Mapping[str, Any]) -> FinanceVoucherRule:
    """Create or change the rule of ``event_type`` (needs finance:chart:manage); a new rule needs ``name``,
    ``summary``, ``date_field`` and ``lines``. Every account a line names must be in the chart."""
    require(session, actor, CHART, "manage")
    event_type = inputs.text(event_type, "event_type", 80, required=True)
    fields = _clean(data)
    rule = session.scalar(select(FinanceVoucherRule).where(FinanceVoucherRule.event_type == event_type))
    before = _image(rule) if rule else None
    if rule is None:
        for name in ("name", "summary", "date_field", "lines"):
            if name not in fields:
                raise ValidationFailed("Give {name}.", field=name, name=name)
        rule = FinanceVoucherRule(event_type=event_type, word=fields.pop("word", "记"), **fields)
        session.add(rule)
    else:
        for name, value in fields.items():
            setattr(rule, name, value)
    codes = {c for line in rule.lines for c in (line["account"], line.get("else_account")) if c}
    missing = sorted(codes - set(accounts.accounts_by_code(session, codes)))
    if missing:
        raise ValidationFailed("No account with the code {account_code}.", field="lines", account_code=missing[0])
    session.flush()
    config_cache.changed(session)
    audit(session, "finance.rule.set", entity_type=ENTITY, entity_id=rule.id, before=before, after=_image(rule),
          actor=actor)
    return rule


# ---------------------------------------------------------------- vouchers from events ------------------------------


@dataclass(frozen=True)
class EventFact:
    """What a rule needs of a domain event, live or read back from the outbox."""

    event_type: str
    payload: Mapping[str, Any]
    outbox_id: uuid.UUID | None


def _balance(session: Session, code: str) -> Decimal:
    """The balance of an account on its own side, over every voucher written (any status)."""
    direction = session.scalar(select(FinanceAccount.direction).where(FinanceAccount.code == code))
    net = select(func.coalesce(func.sum(FinanceVoucherLine.debit - FinanceVoucherLine.credit), 0)) \
        .where(FinanceVoucherLine.account_code == code)
    value = Decimal(session.scalar(net) or 0)
    return value if direction == DEBIT else -value


def _lines(session: Session, planned: list[spec.PlannedLine]) -> list[dict[str, Any]]:
    out = []
    for p in planned:
        parts = [(p.account, p.amount)]
        if p.else_account:
            first = min(p.amount, max(_balance(session, p.account), Decimal(0)))
            parts = [(p.account, first), (p.else_account, p.amount - first)]
        for account, amount in parts:
            if amount:
                out.append({"account": account, p.side: amount, "summary": p.summary, **p.dimensions})
    return out


def write_for(session: Session, fact: EventFact,
              fee: vouchers.FeeScheduleDelta | None = None) -> FinanceVoucher | None:
    """Write the system voucher of one event by the tenant's rule for its type (in the caller's transaction): None
    when there is no rule or the rule gives no line. A rule that cannot be applied raises (ValidationFailed), so the
    business fact rolls back with it. The caller knows no voucher names ``fact.outbox_id`` yet (a live event's row
    is new; the backfill skips rows with a voucher). ``fee``: the event's change of its project's fee schedule, written
    in the voucher's statement on PostgreSQL (vouchers.create_voucher sets ``fee.written``; else the caller writes
    it)."""
    rule = rule_for(session, fact.event_type)
    if rule is None:
        return None
    try:
        day = spec.voucher_date(fact.payload, rule.date_field, business_today)
        planned = spec.plan(rule.lines, fact.payload, rule.summary)
    except spec.RuleError as exc:
        raise ValidationFailed("The voucher rule of {event_type} cannot be applied: {reason}", field="rule",
                               event_type=fact.event_type, reason=exc) from None
    lines = _lines(session, planned)
    if not lines:
        return None
    return vouchers.create_voucher(session, None, voucher_date=day, word=rule.word,
                                   summary=spec.render(rule.summary, fact.payload) or rule.name, lines=lines,
                                   source=vouchers.VoucherSource(fact.event_type, fact.outbox_id), check_source=False,
                                   fee=fee)


def _pending_outbox_row(session: Session, event: DomainEvent, payload: dict) -> uuid.UUID | None:
    """The id of the outbox row core added for ``event`` and not flushed yet (given its id now, so the voucher can
    name it); None when it is not pending. No query."""
    for obj in session.new:
        if isinstance(obj, OutboxEvent) and obj.event_type == event.event_type and \
                obj.occurred_at == event.occurred_at and obj.payload == payload:
            if obj.id is None:
                obj.id = uuid7()
            return obj.id
    return None


def _flushed_outbox_row(session: Session, event: DomainEvent, payload: dict) -> uuid.UUID | None:
    """The id of ``event``'s outbox row already flushed in this transaction (read back by type and time)."""
    rows = session.execute(select(OutboxEvent.id, OutboxEvent.payload).where(
        OutboxEvent.event_type == event.event_type, OutboxEvent.occurred_at == event.occurred_at))
    return next((row_id for row_id, stored in rows if stored == payload), None)


def handle_event(session: Session, event: DomainEvent, payload: dict | None = None,
                 fee: vouchers.FeeScheduleDelta | None = None) -> FinanceVoucher | None:
    """``surety_handle_event``: the voucher of ``event`` by the tenant's rule, in the event's transaction. The
    plugin's handler runs first (``tryfirst``), so the event's outbox row is usually still pending and is named
    without a query; an event type without a rule costs nothing more (the rules are read once per session).
    ``payload``: ``event.payload()`` when the caller has it; ``fee``: see :func:`write_for`."""
    if payload is None:
        payload = event.payload()
    outbox_id = _pending_outbox_row(session, event, payload)  # before any query autoflushes the row
    if rule_for(session, event.event_type) is None:
        return None
    if outbox_id is None:
        outbox_id = _flushed_outbox_row(session, event, payload)
    return write_for(session, EventFact(event.event_type, payload, outbox_id), fee)


@dataclass(frozen=True)
class Backfill:
    written: int
    skipped_closed: int


def backfill(session: Session) -> Backfill:
    """Write the vouchers of events already in the outbox that have a rule and no voucher yet, oldest first (once:
    a voucher names its outbox row). Events dated in a closed period are left out and counted."""
    types = list(session.scalars(select(FinanceVoucherRule.event_type).where(FinanceVoucherRule.active.is_(True))))
    if not types:
        return Backfill(0, 0)
    done = select(FinanceVoucher.source_event_id).where(FinanceVoucher.source_event_id.is_not(None))
    rows = session.scalars(select(OutboxEvent).where(OutboxEvent.event_type.in_(types), OutboxEvent.id.not_in(done))
                           .order_by(OutboxEvent.occurred_at, OutboxEvent.id))
    closed = set(session.scalars(select(FinancePeriod.period).where(FinancePeriod.status == CLOSED)))
    dates = {r.event_type: r.date_field for r in session.scalars(select(FinanceVoucherRule))}
    written = skipped = 0
    for row in list(rows):
        day = spec.voucher_date(row.payload, dates[row.event_type], business_today)
        if vouchers.period_of(day) in closed:
            skipped += 1
            continue
        if write_for(session, EventFact(row.event_type, row.payload, row.id)) is not None:
            written += 1
    return Backfill(written, skipped)


def find_rule(session: Session, actor: Actor, event_type: str) -> FinanceVoucherRule:
    require(session, actor, VOUCHER, "read")
    rule = session.scalar(select(FinanceVoucherRule).where(FinanceVoucherRule.event_type == event_type))
    if rule is None:
        raise NotFound("No voucher rule for {event_type}.", field="event_type", event_type=event_type)
    return rule


