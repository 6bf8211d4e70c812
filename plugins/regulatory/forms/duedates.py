"""Due dates of the reports, per province, as data, and the day-end job that reminds the reports' owners
(docs/regulatory/forms.md, "Due dates").

A rule is ``{"days": N, "working_days": bool}`` (due N calendar days, or N working days of the tenant's work
calendar, after the period's last day) or ``{"month": M, "day": D}`` (due on that day of the next year: the annual
report). :data:`DEFAULT_RULES` is the common case (monthly statistics by the 10th of the next month, quarterly within
10 days of the quarter end, the audited annual report by 30 April); :data:`PROVINCE_RULES` holds a province's
overrides by cadence, keyed by the province code of the regulatory settings (``province``).

:func:`run_reminders` (job ``regulatory_report_reminders``) looks, for every current form, at the last period that
ended before the business date: unless a report of that period is locked, or the period was due before the tenant
began to use the form here (:func:`in_use_since`: its first version's date; a tenant that starts in December is not
told its third quarter is overdue), it notifies the reports' owners
(:data:`OWNER_ROLES` and whoever filled the report) :data:`REMIND_DAYS_BEFORE` days before the due date
(``regulatory_report_due``) and once the due date has passed (``regulatory_report_overdue``), each once per form and
period (``regulatory_report_reminders`` remembers it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import structlog
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from surety.core.audit.log import audit
from surety.core.authz.rules import role_members
from surety.core.i18n import N_
from surety.core.identity.models import USER_ACTIVE, User
from surety.core.notifications.service import notify
from surety.core.workflow.engine import CHINA, calendar
from surety.plugins.regulatory.forms import periods
from surety.plugins.regulatory.forms.models import RegulatoryForm, RegulatoryReport, RegulatoryReportReminder
from surety.plugins.regulatory.settings import get_settings

log = structlog.get_logger(__name__)

DEFAULT_RULES: dict[str, dict] = {
    "month": {"days": 10, "working_days": False},
    "quarter": {"days": 10, "working_days": False},
    "year": {"month": 4, "day": 30},
}
#: Province code -> {cadence: rule} overriding DEFAULT_RULES (none shipped: a province's notice goes here).
PROVINCE_RULES: dict[str, dict[str, dict]] = {}
#: Roles whose members own the reports (notified with whoever filled the report).
OWNER_ROLES = ("finance",)
REMIND_DAYS_BEFORE = 3
DUE_SOON, OVERDUE = "due_soon", "overdue"
NOTIFICATION_KINDS = {DUE_SOON: "regulatory_report_due", OVERDUE: "regulatory_report_overdue"}
ENTITY = "regulatory:report"


def rule_for(cadence: str, province: str, provinces: Mapping[str, Mapping[str, dict]] | None = None) -> dict:
    """The due-date rule of ``cadence`` in ``province``: the province's own, else the default."""
    own = (PROVINCE_RULES if provinces is None else provinces).get(province or "", {})
    return dict(own.get(cadence) or DEFAULT_RULES[cadence])


def due_date(session: Session, cadence: str, period_end: dt.date,
             provinces: Mapping[str, Mapping[str, dict]] | None = None) -> dt.date:
    """The day a report of ``cadence`` whose period ends on ``period_end`` is due, for the tenant's province."""
    rule = rule_for(cadence, get_settings(session).province, provinces)
    if "month" in rule:
        return dt.date(period_end.year + 1, rule["month"], rule["day"])
    if rule.get("working_days"):
        return calendar(session).add_working_days(period_end, int(rule["days"]))
    return period_end + dt.timedelta(days=int(rule["days"]))


def _owners(session: Session, report: RegulatoryReport | None) -> list:
    ids = {u for role in OWNER_ROLES for u in role_members(session, role)}
    if report is not None and report.filled_by is not None:
        ids.add(report.filled_by)
    if not ids:
        return []
    return sorted(session.scalars(select(User.id).where(User.id.in_(ids), User.status == USER_ACTIVE)))


def in_use_since(session: Session) -> dict[str, dt.date]:
    """Per form code, the business date (Beijing) its first version was written for the tenant: when the tenant
    began to use the form here (the shipped forms are written on first use)."""
    rows = session.execute(select(RegulatoryForm.code, func.min(RegulatoryForm.created_at))
                           .group_by(RegulatoryForm.code)).all()
    return {code: created.astimezone(CHINA).date() for code, created in rows if created is not None}


def run_reminders(session: Session, day: dt.date) -> dict[str, int]:
    """Send the due-date reminders due on business date ``day`` not sent before; ``{kind: forms reminded}``."""
    counts = {DUE_SOON: 0, OVERDUE: 0}
    forms = session.scalars(select(RegulatoryForm).where(RegulatoryForm.current.is_(True))
                            .order_by(RegulatoryForm.code)).all()
    began = in_use_since(session)
    for form in forms:
        period = periods.last_ended(form.cadence, day)
        due = due_date(session, form.cadence, period.end)
        if form.code in began and due < began[form.code]:
            continue  # due before the tenant used the form here: filed elsewhere, not overdue in Surety
        if day > due:
            kind = OVERDUE
        elif day >= due - dt.timedelta(days=REMIND_DAYS_BEFORE):
            kind = DUE_SOON
        else:
            continue
        reports = session.scalars(select(RegulatoryReport).where(RegulatoryReport.form_code == form.code,
                                                                 RegulatoryReport.period == period.key)
                                  .order_by(RegulatoryReport.version.desc())).all()
        if any(r.status in ("locked", "superseded") for r in reports):
            continue
        sent = session.scalar(select(RegulatoryReportReminder.id).where(
            RegulatoryReportReminder.form_code == form.code, RegulatoryReportReminder.period == period.key,
            RegulatoryReportReminder.kind == kind))
        if sent is not None:
            continue
        session.add(RegulatoryReportReminder(form_code=form.code, period=period.key, kind=kind, due_date=due))
        title = (N_("Regulatory report {form_name} for {period} is due on {due_date}") if kind == DUE_SOON
                 else N_("Regulatory report {form_name} for {period} is overdue (due {due_date})"))
        notify(session, _owners(session, reports[0] if reports else None), NOTIFICATION_KINDS[kind], title,
               entity_type=ENTITY, entity_id=reports[0].id if reports else None,
               params={"form_name": form.name, "period": period.label, "due_date": due.isoformat()})
        counts[kind] += 1
    session.flush()
    if any(counts.values()):
        audit(session, "regulatory.report.reminders_sent", after={"business_date": day.isoformat(), **counts})
    log.info("regulatory_report_reminders", business_date=day.isoformat(), **counts)
    return counts


def schedule(session: Session, day: dt.date) -> list[tuple[RegulatoryForm, periods.Period, dt.date,
                                                              RegulatoryReport | None]]:
    """For every current form: the last period that ended before ``day``, its due date and its latest report
    (None when not filled yet), by form code."""
    out = []
    for form in session.scalars(select(RegulatoryForm).where(RegulatoryForm.current.is_(True))
                                .order_by(RegulatoryForm.code)):
        period = periods.last_ended(form.cadence, day)
        report = session.scalar(select(RegulatoryReport).where(RegulatoryReport.form_code == form.code,
                                                               RegulatoryReport.period == period.key)
                                .order_by(RegulatoryReport.version.desc()).limit(1))
        out.append((form, period, due_date(session, form.cadence, period.end), report))
    return out
