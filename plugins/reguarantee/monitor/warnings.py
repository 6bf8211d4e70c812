"""Warnings on partners (合作机构预警): every active partner's indicators evaluated as of a business date against the
tenant's thresholds (docs/reguarantee/monitoring.md, "Warnings").

- :func:`partner_figures` reads the filings set-based (two GROUP BY queries for all partners): the compensation rate
  of the calendar year to the date and the risk degree of the filings in force on it (monitor/indicators.py).
- :func:`evaluate` keeps one open warning per partner and indicator: a value reaching a level opens one (or, when
  one is open at a milder level, raises its level); the value and date of an open warning follow every evaluation;
  a value below every threshold closes the open warning automatically on the date. A warning a person closed is not
  raised again in the same calendar year unless the level goes above the one closed. New and raised warnings
  notify the tenant's active risk officers. The day-end job ``reguarantee_partner_monitoring`` runs it.
- :func:`close_warning` (reguarantee:monitor:manage): closed by a person with a note; :func:`update_thresholds`
  changes the thresholds (levels increasing from the mildest).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.orm import Session

from surety.core import inputs
from surety.core.audit.log import audit
from surety.core.authz.check import require
from surety.core.authz.rules import role_members
from surety.core.context import Actor
from surety.core.db.locking import lock_by_id
from surety.core.errors import Conflict, ValidationFailed
from surety.core.i18n import N_
from surety.core.identity.models import USER_ACTIVE, User
from surety.core.notifications.service import notify
from surety.core.words import Words
from surety.core.workflow.engine import business_today
from surety.plugins.reguarantee.conventions import WARNING_INDICATORS, WARNING_LEVELS
from surety.plugins.reguarantee.filing.models import ReguaranteeFiling
from surety.plugins.reguarantee.monitor import indicators
from surety.plugins.reguarantee.monitor.models import ReguaranteeWarning
from surety.plugins.reguarantee.monitor.permissions import MONITOR
from surety.plugins.reguarantee.partner.models import ReguaranteePartner
from surety.plugins.reguarantee.settings import default_warning_thresholds, get_settings

OPEN, CLOSED = "open", "closed"
WARNING_STATUSES = {OPEN: "未关闭", CLOSED: "已关闭"}
#: The message of a warning closed by the evaluation (a person's closing note replaces it otherwise).
AUTO_CLOSED = "指标已回落至预警阈值以下，系统自动关闭"
NOTIFY_KIND = "reguarantee_warning"
ENTITY = "reguarantee:warning"
TITLE = N_("Re-guarantee partner warning: {partner}, {indicator} {level}")
BODY = N_("{indicator} of {partner} is {value}, at or above the {level} threshold of {threshold} (as of {as_of}).")
#: Filing statuses that were once in force (confirmed, then perhaps released).
CONFIRMED_ONCE = ("confirmed", "released", "compensated")
RELEASED = ("released", "compensated")
ORDER = (ReguaranteeWarning.created_at, ReguaranteeWarning.id)


# ---------------------------------------------------------------- thresholds ----------------------------------------

def thresholds(session: Session) -> dict[str, dict[str, Decimal]]:
    """The tenant's thresholds: indicator -> {level: fraction}, mildest first (defaults for an indicator not set)."""
    stored = get_settings(session).warning_thresholds or {}
    defaults = default_warning_thresholds()
    return {ind: {lv: Decimal(str(v)) for lv, v in (stored.get(ind) or defaults[ind]).items()
                  if lv in WARNING_LEVELS}
            for ind in WARNING_INDICATORS}


def clean_thresholds(value: Any) -> dict[str, dict[str, str]]:
    """``{indicator: {level: fraction}}`` checked: known indicators and levels, fractions in [0, 1], at least one
    level per indicator given, each level's threshold above the milder one's."""
    if not isinstance(value, Mapping) or not value:
        raise ValidationFailed("Thresholds are an object of indicator -> (level -> fraction).", field="thresholds")
    out: dict[str, dict[str, str]] = {}
    for ind, levels in value.items():
        if ind not in WARNING_INDICATORS:
            raise ValidationFailed("Unknown indicator {name}; use one of {choices}.", field="thresholds",
                                   name=str(ind)[:40], choices=", ".join(WARNING_INDICATORS))
        if not isinstance(levels, Mapping) or not levels:
            raise ValidationFailed("The thresholds of {indicator} are an object of level -> fraction.",
                                   field="thresholds", indicator=ind)
        checked: dict[str, Decimal] = {}
        for level, v in levels.items():
            if level not in WARNING_LEVELS:
                raise ValidationFailed("Unknown warning level {name}; use one of {choices}.", field="thresholds",
                                       name=str(level)[:40], choices=", ".join(WARNING_LEVELS))
            checked[level] = inputs.rate(v, "thresholds", high=Decimal(1))
        bad = indicators.not_increasing(checked)
        if bad:
            raise ValidationFailed("The thresholds of {indicator} must increase from the mildest level to the most "
                                   "severe; {levels} do not.", field="thresholds", indicator=ind,
                                   levels=", ".join(bad))
        out[ind] = {lv: str(checked[lv]) for lv in indicators.LEVELS if lv in checked}
    return out


def update_thresholds(session: Session, actor: Actor, value: Any) -> dict[str, dict[str, Decimal]]:
    """Replace the thresholds of the indicators given (the others keep theirs); needs reguarantee:monitor:manage;
    audited. Takes effect at the next evaluation."""
    require(session, actor, MONITOR, "manage")
    changes = clean_thresholds(value)
    settings = get_settings(session)
    before = {k: dict(v) for k, v in (settings.warning_thresholds or {}).items()}
    settings.warning_thresholds = {**{k: {lv: str(x) for lv, x in v.items()} for k, v in thresholds(session).items()},
                                   **changes}
    session.flush()
    audit(session, "reguarantee.thresholds.updated", entity_type="reguarantee:settings", entity_id=settings.id,
          before=before, after=settings.warning_thresholds, actor=actor)
    return thresholds(session)


def read_thresholds(session: Session, actor: Actor) -> dict[str, dict[str, Decimal]]:
    require(session, actor, MONITOR, "read")
    return thresholds(session)


# ---------------------------------------------------------------- figures -------------------------------------------

@dataclass
class Figures:
    """A partner's figures as of a date: released / compensated amounts of the year to date, the in-force risk."""

    released: Decimal = Decimal("0.00")
    compensated: Decimal = Decimal("0.00")
    groups: list = field(default_factory=list)  # (customer_kind, method, exposure)

    @property
    def compensation_rate(self) -> Decimal | None:
        return indicators.compensation_rate(self.compensated, self.released)

    @property
    def risk(self) -> indicators.Risk:
        return indicators.risk_of(self.groups)

    def value(self, indicator: str) -> Decimal | None:
        return self.compensation_rate if indicator == "compensation_rate" else self.risk.risk_degree


def in_force_on(day: dt.date):
    """Filings in force on ``day``: confirmed on or before it and not released by then."""
    f = ReguaranteeFiling
    return and_(f.status.in_(CONFIRMED_ONCE), f.confirmed_on.is_not(None), f.confirmed_on <= day,
                or_(f.released_on.is_(None), f.released_on > day))


def method_column():
    """``fields.guarantee_method`` of a filing as text (NULL when not given)."""
    return ReguaranteeFiling.fields["guarantee_method"].as_string()


def partner_figures(session: Session, as_of: dt.date,
                    partner_ids: list[uuid.UUID] | None = None) -> dict[uuid.UUID, Figures]:
    """Figures of every partner with filings (or of ``partner_ids``): two aggregate queries, no loop per filing."""
    f = ReguaranteeFiling
    out: dict[uuid.UUID, Figures] = {}
    year_start = dt.date(as_of.year, 1, 1)
    released = (select(f.partner_id, func.sum(f.guarantee_amount),
                       func.sum(case((f.status == "compensated", f.guarantee_amount), else_=0)))
                .where(f.status.in_(RELEASED), f.released_on >= year_start, f.released_on <= as_of)
                .group_by(f.partner_id))
    inner = (select(f.partner_id, f.customer_kind, method_column().label("method"), f.share_reguarantor)
             .where(in_force_on(as_of)))
    if partner_ids is not None:
        released = released.where(f.partner_id.in_(partner_ids))
        inner = inner.where(f.partner_id.in_(partner_ids))
    for pid, total, comp in session.execute(released):
        fig = out.setdefault(pid, Figures())
        fig.released, fig.compensated = total or fig.released, comp or fig.compensated
    sub = inner.subquery()
    exposure = (select(sub.c.partner_id, sub.c.customer_kind, sub.c.method, func.sum(sub.c.share_reguarantor))
                .group_by(sub.c.partner_id, sub.c.customer_kind, sub.c.method))
    for pid, kind, method, share in session.execute(exposure):
        out.setdefault(pid, Figures()).groups.append((kind, method, share))
    return out


# ---------------------------------------------------------------- evaluation ----------------------------------------

@dataclass
class Evaluation:
    as_of: dt.date
    partners: int = 0
    raised: int = 0
    escalated: int = 0
    updated: int = 0
    closed: int = 0

    def counts(self) -> dict[str, int]:
        return {"partners": self.partners, "raised": self.raised, "escalated": self.escalated,
                "updated": self.updated, "closed": self.closed}


def _percent(value: Decimal) -> str:
    """0.05 -> 5.00% (both indicators are fractions)."""
    return f"{(value * 100).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}%"


def risk_officers(session: Session) -> list[uuid.UUID]:
    """Active users holding the risk officer role."""
    ids = role_members(session, "risk_officer")
    if not ids:
        return []
    return list(session.scalars(select(User.id).where(User.id.in_(ids), User.status == USER_ACTIVE)))


def _notify(session: Session, recipients: list[uuid.UUID], w: ReguaranteeWarning, partner_name: str) -> None:
    if recipients:
        notify(session, recipients, NOTIFY_KIND, TITLE, BODY, entity_type=ENTITY, entity_id=w.id,
               params={"partner": partner_name, "indicator": WARNING_INDICATORS[w.indicator],
                       "level": WARNING_LEVELS[w.level], "value": _percent(w.value),
                       "threshold": _percent(w.threshold), "as_of": w.as_of.isoformat()})


def evaluate(session: Session, as_of: dt.date) -> Evaluation:
    """Evaluate every active partner as of ``as_of`` (the module's rules); idempotent for a date."""
    result = Evaluation(as_of=as_of)
    partners = dict(session.execute(select(ReguaranteePartner.id, ReguaranteePartner.name)
                                    .where(ReguaranteePartner.status == "active")).all())
    result.partners = len(partners)
    if not partners:
        return result
    figures = partner_figures(session, as_of, list(partners))
    limits = thresholds(session)
    w = ReguaranteeWarning
    opened = {(r.partner_id, r.indicator): r for r in session.scalars(
        select(w).where(w.status == OPEN, w.partner_id.in_(list(partners))))}
    closed_by_people: dict[tuple, int] = {}
    for pid, ind, level in session.execute(select(w.partner_id, w.indicator, w.level).where(
            w.status == CLOSED, w.closed_by.is_not(None), w.closed_on >= dt.date(as_of.year, 1, 1),
            w.partner_id.in_(list(partners)))):
        closed_by_people[(pid, ind)] = max(closed_by_people.get((pid, ind), 0), indicators.rank(level))
    recipients: list[uuid.UUID] | None = None
    for pid, name in partners.items():
        fig = figures.get(pid, Figures())
        for ind in WARNING_INDICATORS:
            value = fig.value(ind)
            hit = indicators.level_of(value, limits[ind])
            current = opened.get((pid, ind))
            if hit is None:
                if current is not None:
                    current.status, current.closed_on, current.message = CLOSED, as_of, AUTO_CLOSED
                    if value is not None:
                        current.value = value
                    result.closed += 1
                continue
            level, threshold = hit
            if current is None:
                if indicators.rank(level) <= closed_by_people.get((pid, ind), 0):
                    continue
                current = w(partner_id=pid, as_of=as_of, indicator=ind, value=value, threshold=threshold,
                            level=level, status=OPEN, message="")
                session.add(current)
                session.flush()
                result.raised += 1
            elif indicators.rank(level) > indicators.rank(current.level):
                current.level, current.threshold, current.value, current.as_of = level, threshold, value, as_of
                result.escalated += 1
            else:
                if (current.value, current.as_of) != (value, as_of):
                    current.value, current.as_of = value, as_of
                    result.updated += 1
                continue
            if recipients is None:
                recipients = risk_officers(session)
            _notify(session, recipients, current, name)
    session.flush()
    return result


def monitoring_job(session: Session, day: dt.date) -> dict[str, int]:
    """Day-end job ``reguarantee_partner_monitoring``: :func:`evaluate` as of the business date."""
    return evaluate(session, day).counts()


# ---------------------------------------------------------------- people's actions and reads --------------------------

def close_warning(session: Session, actor: Actor, warning_id: uuid.UUID, note: Any,
                  on: dt.date | None = None) -> ReguaranteeWarning:
    """Close an open warning with a note (1-500 characters; it replaces the warning's message); needs
    reguarantee:monitor:manage; audited."""
    require(session, actor, MONITOR, "manage")
    text = inputs.text(note, "note", 500, required=True)
    row = lock_by_id(session, ReguaranteeWarning, warning_id, "status", Words(N_("re-guarantee warning")))
    if row.status != OPEN:
        raise Conflict("This warning is already closed.", field="id")
    row.status, row.closed_on, row.closed_by, row.message = CLOSED, on or business_today(), actor.id_uuid, text
    session.flush()
    audit(session, "reguarantee.warning.closed", entity_type=ENTITY, entity_id=row.id,
          before={"status": OPEN}, after={"status": CLOSED, "closed_on": row.closed_on.isoformat(), "note": text},
          actor=actor)
    return row


@dataclass(frozen=True)
class WarningFilter:
    partner_id: uuid.UUID | None = None
    indicator: str | None = None
    level: str | None = None
    status: str | None = None


def _choice(value: str | None, choices: Mapping, name: str) -> str | None:
    if value is not None and value not in choices:
        raise ValidationFailed("{name} is one of {choices}, not {value}.", field=name, name=name,
                               choices=", ".join(choices), value=str(value)[:40])
    return value


def search_statement(session: Session, actor: Actor, f: WarningFilter | None = None) -> Select:
    """The warnings a list shows (needs reguarantee:monitor:read), newest first by the caller's order."""
    require(session, actor, MONITOR, "read")
    f = f or WarningFilter()
    w = ReguaranteeWarning
    stmt = select(w)
    if f.partner_id is not None:
        stmt = stmt.where(w.partner_id == f.partner_id)
    for col, value, choices, name in ((w.indicator, f.indicator, WARNING_INDICATORS, "indicator"),
                                      (w.level, f.level, WARNING_LEVELS, "level"),
                                      (w.status, f.status, WARNING_STATUSES, "status")):
        if _choice(value, choices, name) is not None:
            stmt = stmt.where(col == value)
    return stmt
