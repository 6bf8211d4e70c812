"""Demo data of the forms area (the lead wires it into plugins/regulatory/demo.py): ``add_demo_forms(session,
tenant)`` writes the shipped forms, fills the monthly main-data reports of the last three ended months and the
quarterly report of the last ended quarter from the demo's figures, has them reviewed and locked, and leaves this
month's as a draft. The filler is a member of the finance role (else the
admin), the reviewer someone else holding regulatory:report:review (an executive, risk officer or department head),
the locker an executive (else the admin). Nothing when last month's report is there already."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from surety.core.authz.check import allowed
from surety.core.authz.rules import role_members
from surety.core.context import Actor, acting
from surety.core.identity.auth import user_actor
from surety.core.identity.models import USER_ACTIVE, User
from surety.core.workflow.engine import business_today
from surety.plugins.regulatory.forms import periods, services
from surety.plugins.regulatory.forms.models import RegulatoryReport
from surety.plugins.regulatory.forms.permissions import REPORT

FORM, QUARTERLY = "monthly_main", "quarterly_status"


def _people(session: Session, role: str) -> list[Actor]:
    ids = role_members(session, role)
    if not ids:
        return []
    users = session.scalars(select(User).where(User.id.in_(ids), User.status == USER_ACTIVE)
                            .order_by(User.username))
    return [user_actor(u) for u in users]


def _ended(cadence: str, today, count: int) -> list:
    """The last ``count`` ended periods of ``cadence``, oldest first."""
    out, day = [], today
    for _ in range(count):
        out.append(periods.last_ended(cadence, day))
        day = out[-1].start
    return out[::-1]


def add_demo_forms(session: Session, tenant) -> None:
    """The monthly reports of the last three ended months and the quarterly report of the last ended quarter, each
    reviewed and locked, and this month's monthly report in draft (module docstring)."""
    today = business_today()
    ended = [(FORM, p) for p in _ended("month", today, 3)] + [(QUARTERLY, periods.last_ended("quarter", today))]
    this = periods.containing("month", today)
    if session.scalar(select(RegulatoryReport.id).where(RegulatoryReport.form_code == FORM,
                                                        RegulatoryReport.period == ended[-2][1].key)) is not None:
        return
    admin = user_actor(session.scalar(select(User).where(User.username == "admin")))
    filler = next(iter(_people(session, "finance")), admin)
    reviewers = [p for role in ("executive", "risk_officer", "department_head") for p in _people(session, role)]
    if filler.id != admin.id:
        reviewers.append(admin)
    reviewer = next((p for p in reviewers if p.id != filler.id and allowed(session, p, REPORT, "review")), None)
    locker = next((p for p in _people(session, "executive") if allowed(session, p, REPORT, "lock")), admin)
    with acting(filler):
        reports = [services.fill(session, filler, code, period.key, today=today) for code, period in ended]
        services.fill(session, filler, FORM, this.key, today=today)
    if reviewer is not None:
        for report in reports:
            with acting(reviewer):
                services.review(session, reviewer, report.id)
            with acting(locker):
                services.lock(session, locker, report.id)
    session.flush()
