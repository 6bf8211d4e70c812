"""Demo data of the monitoring area: ``add_demo_monitoring(session, tenant)`` (the lead calls it from demo.py after the
filings and claims): the partners evaluated at every month end of the year so far and on the business date, so the
warnings list has a history; when that leaves ten warnings or fewer, one in-force filing of each active partner that
has no compensation-rate warning is released by compensation (through the filing service) and the date evaluated
again; finally the oldest open warning is closed by the admin with a note, so both states show (once: a second run adds
nothing)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from surety.core.identity.auth import user_actor
from surety.core.identity.models import User
from surety.core.workflow.engine import business_today
from surety.plugins.reguarantee.filing.models import ReguaranteeFiling
from surety.plugins.reguarantee.filing.services import release_filing
from surety.plugins.reguarantee.monitor import warnings
from surety.plugins.reguarantee.monitor.models import ReguaranteeWarning
from surety.plugins.reguarantee.partner.models import ReguaranteePartner

#: The connection's statement-count walk needs more than this many rows.
MIN_ROWS = 11
NOTE = "已约谈合作机构负责人，要求加强保后管理并按月报送代偿项目追偿进展，风险可控，关闭预警。"


def month_ends(today: dt.date) -> list[dt.date]:
    """The month ends of ``today``'s year before it."""
    out = []
    for month in range(1, today.month):
        out.append(dt.date(today.year, month + 1, 1) - dt.timedelta(days=1))
    return out


def _count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(ReguaranteeWarning)) or 0


def _top_up(session: Session, actor, today: dt.date) -> int:
    """Release by compensation the smallest in-force filing of each active partner without a compensation-rate
    warning, until the warnings would exceed ten; how many were released."""
    w, f = ReguaranteeWarning, ReguaranteeFiling
    warned = set(session.scalars(select(w.partner_id).where(w.indicator == "compensation_rate")))
    needed, released = MIN_ROWS - _count(session), 0
    for pid in session.scalars(select(ReguaranteePartner.id).where(ReguaranteePartner.status == "active")
                               .order_by(ReguaranteePartner.name)):
        if released >= needed:
            break
        if pid in warned:
            continue
        filing = session.scalar(select(f).where(f.partner_id == pid, warnings.in_force_on(today),
                                                f.start_date <= today)
                                .order_by(f.guarantee_amount, f.filing_no).limit(1))
        if filing is not None:
            release_filing(session, actor, filing.id, kind="compensation", on=today)
            released += 1
    return released


def add_demo_monitoring(session: Session, tenant, *, today: dt.date | None = None) -> int:
    """The demo's warnings (module docstring); returns how many there are."""
    today = today or business_today()
    last = session.scalar(select(func.max(ReguaranteeWarning.as_of)))
    for day in [*month_ends(today), today]:
        if last is None or day >= last:  # never back in time: a second run evaluates today only
            warnings.evaluate(session, day)
    admin = user_actor(session.scalar(select(User).where(User.username == "admin")))
    if _count(session) < MIN_ROWS and _top_up(session, admin, today):
        warnings.evaluate(session, today)
    w = ReguaranteeWarning
    oldest = session.scalar(select(w).where(w.status == warnings.OPEN).order_by(w.created_at, w.id).limit(1))
    closed_by_people = session.scalar(select(func.count()).select_from(w).where(w.closed_by.is_not(None)))
    if oldest is not None and not closed_by_people:
        warnings.close_warning(session, admin, oldest.id, NOTE, on=today)
    return _count(session)
