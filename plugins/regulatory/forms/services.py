"""Report forms and reports: the tenant's forms (the shipped ones on first use, then its own versions), filling a
form for a period, refilling a draft, review by a second person, lock, correction as a new version
(docs/regulatory/forms.md). The cells come from layout.py over the figures the business plugins report for each
column's dates (the measures area's ``figures_for`` over ``period_dates``), as of the period's last business day."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from surety.core import inputs
from surety.core.audit.log import audit
from surety.core.authz.check import require
from surety.core.context import Actor
from surety.core.db.locking import lock_by_id
from surety.core.db.types import utcnow
from surety.core.errors import Conflict, NotFound, ValidationFailed
from surety.core.ports import regulatory as port
from surety.core.workflow.engine import business_today
from surety.plugins.regulatory.forms import defaults, duedates, layout, periods
from surety.plugins.regulatory.forms.models import REPORT_STATUSES, RegulatoryForm, RegulatoryReport
from surety.plugins.regulatory.forms.permissions import FORM, REPORT
from surety.plugins.regulatory.indicators import rules
from surety.plugins.regulatory.indicators import services as indicators
from surety.plugins.regulatory.measures import gather
from surety.plugins.regulatory.measures import periods as mp
from surety.plugins.regulatory.settings import get_settings

#: Keyset order of the reports list: newest period first, then id.
ORDER = (RegulatoryReport.period_end, RegulatoryReport.id)


# ---------------------------------------------------------------- forms ---------------------------------------------


def ensure_defaults(session: Session) -> None:
    """Write the shipped forms the tenant does not have yet (version 1, current)."""
    have = set(session.scalars(select(RegulatoryForm.code).distinct()))
    for code, form in defaults.DEFAULT_FORMS.items():
        if code not in have:
            session.add(RegulatoryForm(code=code, version=1, name=form["name"], cadence=form["cadence"],
                                       rows=form["rows"], columns=form["columns"], current=True))
    session.flush()


def list_forms(session: Session, actor: Actor) -> list[RegulatoryForm]:
    """The current version of every form, by code (needs regulatory:form:read)."""
    require(session, actor, FORM, "read")
    ensure_defaults(session)
    return list(session.scalars(select(RegulatoryForm).where(RegulatoryForm.current.is_(True))
                                .order_by(RegulatoryForm.code)))


def form_versions(session: Session, actor: Actor, code: str) -> list[RegulatoryForm]:
    """Every version of form ``code``, newest first (needs regulatory:form:read)."""
    require(session, actor, FORM, "read")
    ensure_defaults(session)
    return list(session.scalars(select(RegulatoryForm).where(RegulatoryForm.code == code)
                                .order_by(RegulatoryForm.version.desc())))


def current_form(session: Session, code: str) -> RegulatoryForm:
    ensure_defaults(session)
    row = session.scalar(select(RegulatoryForm).where(RegulatoryForm.code == code, RegulatoryForm.current.is_(True)))
    if row is None:
        raise NotFound("No report form with the code {code}.", field="form_code", code=str(code)[:40])
    return row


def new_form_version(session: Session, actor: Actor, code: str, data: Mapping[str, Any]) -> RegulatoryForm:
    """Save form ``code`` as a new version (needs regulatory:form:manage): ``name``, ``rows`` and ``columns`` as
    given, the rest as the current version has them; the new version becomes current, reports keep theirs."""
    require(session, actor, FORM, "manage")
    unknown = sorted(set(data) - {"name", "rows", "columns"})
    if unknown:
        raise ValidationFailed("Unknown form field {name}.", field=unknown[0], name=unknown[0])
    old = current_form(session, code)
    old = lock_by_id(session, RegulatoryForm, old.id, "current", "report form", "form_code")
    rows, columns = data.get("rows", old.rows), data.get("columns", old.columns)
    layout.check_form(rows, columns)
    name = inputs.text(data["name"], "name", 100, required=True) if "name" in data else old.name
    old.current = False
    row = RegulatoryForm(code=old.code, version=old.version + 1, name=name, cadence=old.cadence, rows=rows,
                         columns=columns, current=True, created_by=actor.id_uuid)
    session.add(row)
    session.flush()
    audit(session, "regulatory.form.versioned", entity_type=FORM, entity_id=row.id,
          before={"code": old.code, "version": old.version},
          after={"code": row.code, "version": row.version, "name": row.name, "rows": len(rows),
                 "columns": [c["key"] for c in columns]})
    return row


# ---------------------------------------------------------------- filling -------------------------------------------


def as_of_for(session: Session, period: periods.Period) -> dt.date:
    """The date a report of ``period`` is as of: the period's last calendar day (月末 / 季末), working day or not, so
    the money movements of a weekend or holiday that ends a period fall in it (and 31 December in its year)."""
    return period.end


#: A column period (layout.PERIODS) -> the measures area's period kind (``this_period`` by the form's cadence).
PERIOD_KINDS = {"end_balance": mp.BALANCE_END, "cumulative_year": mp.CUMULATIVE_YEAR,
                "beginning_of_year": mp.BEGINNING_OF_YEAR, "same_period_last_year": mp.SAME_PERIOD_LAST_YEAR,
                "since_inception": mp.SINCE_INCEPTION}
THIS_PERIOD = {"month": mp.THIS_MONTH, "quarter": mp.THIS_QUARTER}


def column_dates(period: str, cadence: str, as_of: dt.date) -> tuple[dt.date, dt.date]:
    """``(period_start, end)`` a column of ``period`` reads for a report of ``cadence`` as of ``as_of``."""
    kind = THIS_PERIOD[cadence] if period == "this_period" else PERIOD_KINDS[period]
    return mp.period_dates(kind, as_of)


def own_figures(session: Session, report: port.PeriodReport, measures: set[str],
                params: rules.Params) -> list[port.Figure]:
    """The figures this plugin adds to the business plugins' for the ``measures`` a form reads: the registered
    capital of the settings (as it stands: the settings keep no history) and the 融资担保责任余额 at the end of the
    report's ``as_of`` (the indicators area's weights over the exposure bands the business plugins report for that
    date)."""
    settings = get_settings(session)
    out = []
    if defaults.REGISTERED_CAPITAL in measures and settings.registered_capital is not None:
        out.append(port.figure(defaults.REGISTERED_CAPITAL, settings.registered_capital))
    if defaults.LIABILITY_BALANCE in measures:
        liability = rules.liability_balance_of_bands(report.bands, params)
        out.append(port.figure(defaults.LIABILITY_BALANCE, liability.total))
    return out


def figures_by_period(session: Session, form: RegulatoryForm, as_of: dt.date) -> dict[str, list[port.Figure]]:
    """``{column period: [Figure]}`` for the form's columns: every column's dates asked of the business plugins in one
    batch (gather.report_for), the exposures as bands cut at the weights table's thresholds."""
    measures = {r.get("measure") for r in form.rows}
    params = indicators.params_of(get_settings(session))
    dates = {col["period"]: column_dates(col["period"], form.cadence, as_of) for col in form.columns}
    reports = gather.report_for(session, [(end, start) for start, end in dates.values()],
                                rules.threshold_cuts(params), params.threshold_basis)
    out = {}
    for period, (start, end) in dates.items():
        report = reports[(end, start)]
        out[period] = [*report.figures, *own_figures(session, report, measures, params)]
    return out


def _stored(cells: Mapping[str, Mapping[str, layout.Cell]]) -> dict:
    """Cells as JSON: a Decimal as its text, an int as is, None as null."""
    return {code: {k: (str(v) if isinstance(v, Decimal) else v) for k, v in row.items()}
            for code, row in cells.items()}


def compute_cells(session: Session, form: RegulatoryForm, as_of: dt.date) -> dict:
    """The form's cells as of ``as_of``, as stored."""
    return _stored(layout.evaluate({"rows": form.rows, "columns": form.columns},
                                   figures_by_period(session, form, as_of)))


def _latest(session: Session, form_code: str, period: str) -> RegulatoryReport | None:
    return session.scalar(select(RegulatoryReport).where(RegulatoryReport.form_code == form_code,
                                                         RegulatoryReport.period == period)
                          .order_by(RegulatoryReport.version.desc()).limit(1))


def _image(r: RegulatoryReport) -> dict:
    return {"form_code": r.form_code, "form_version": r.form_version, "period": r.period, "version": r.version,
            "as_of": r.as_of, "status": r.status}


def _new_report(session: Session, actor: Actor, form: RegulatoryForm, period: periods.Period,
                version: int) -> RegulatoryReport:
    as_of = as_of_for(session, period)
    row = RegulatoryReport(form_id=form.id, form_code=form.code, form_version=form.version, period=period.key,
                           period_start=period.start, period_end=period.end, as_of=as_of, version=version,
                           status="draft", cells=compute_cells(session, form, as_of),
                           due_date=duedates.due_date(session, form.cadence, period.end), filled_by=actor.id_uuid,
                           filled_at=utcnow())
    session.add(row)
    session.flush()
    return row


def fill(session: Session, actor: Actor, form_code: str, period: str, today: dt.date | None = None
         ) -> RegulatoryReport:
    """Fill form ``form_code`` for ``period`` (needs regulatory:report:manage): a new draft from the form's current
    version, or the draft of that period refilled (its own form version kept, the cells recomputed from today's
    records). A reviewed report is not refilled (a reviewer saw its figures), nor a locked one (correct it);
    a period that has not begun is refused. Audited."""
    require(session, actor, REPORT, "manage")
    p = periods.parse(period)
    today = today or business_today()
    if p.start > today:
        raise ValidationFailed("The period {period} has not begun.", field="period", period=p.key)
    form = current_form(session, form_code)
    if form.cadence != p.cadence:
        raise ValidationFailed("{form_name} is filled for a {cadence}, not for {period}.", field="period",
                               form_name=form.name, cadence=layout.CADENCES[form.cadence], period=p.key)
    existing = _latest(session, form.code, p.key)
    if existing is None:
        row = _new_report(session, actor, form, p, 1)
        audit(session, "regulatory.report.filled", entity_type=REPORT, entity_id=row.id, after=_image(row))
        return row
    row = lock_by_id(session, RegulatoryReport, existing.id, "status", "report", "id")
    if row.status != "draft":
        raise Conflict("The report {period} version {version} is {status}: it is not refilled.", field="period",
                       period=row.period, version=row.version, status=REPORT_STATUSES[row.status])
    own = session.scalar(select(RegulatoryForm).where(RegulatoryForm.id == row.form_id))
    before = dict(row.cells)
    row.as_of = as_of_for(session, p)
    row.cells = compute_cells(session, own, row.as_of)
    row.filled_by, row.filled_at = actor.id_uuid, utcnow()
    session.flush()
    audit(session, "regulatory.report.refilled", entity_type=REPORT, entity_id=row.id,
          before={"cells": before}, after={**_image(row), "cells": row.cells})
    return row


def review(session: Session, actor: Actor, report_id: uuid.UUID) -> RegulatoryReport:
    """A draft becomes reviewed (needs regulatory:report:review) by someone other than who filled it. Audited."""
    require(session, actor, REPORT, "review")
    row = lock_by_id(session, RegulatoryReport, report_id, "status", "report", "id")
    if row.status != "draft":
        raise Conflict("Only a draft report is reviewed; this one is {status}.", field="id",
                       status=REPORT_STATUSES[row.status])
    if row.filled_by == actor.id_uuid:
        raise Conflict("The person who filled a report does not review it.", field="id")
    row.status, row.reviewed_by, row.reviewed_at = "reviewed", actor.id_uuid, utcnow()
    session.flush()
    audit(session, "regulatory.report.reviewed", entity_type=REPORT, entity_id=row.id,
          before={"status": "draft"}, after=_image(row))
    return row


def lock(session: Session, actor: Actor, report_id: uuid.UUID) -> RegulatoryReport:
    """A reviewed report becomes locked (needs regulatory:report:lock): its cells never change again. A locked
    correction supersedes the version it corrects. Audited."""
    require(session, actor, REPORT, "lock")
    row = lock_by_id(session, RegulatoryReport, report_id, "status", "report", "id")
    if row.status != "reviewed":
        raise Conflict("Only a reviewed report is locked; this one is {status}.", field="id",
                       status=REPORT_STATUSES[row.status])
    row.status, row.locked_by, row.locked_at = "locked", actor.id_uuid, utcnow()
    older = session.scalars(select(RegulatoryReport).where(RegulatoryReport.form_code == row.form_code,
                                                           RegulatoryReport.period == row.period,
                                                           RegulatoryReport.version < row.version,
                                                           RegulatoryReport.status == "locked")).all()
    for old in older:
        old.status = "superseded"
        audit(session, "regulatory.report.superseded", entity_type=REPORT, entity_id=old.id,
              before={"status": "locked"}, after={"status": "superseded", "by_version": row.version})
    session.flush()
    audit(session, "regulatory.report.locked", entity_type=REPORT, entity_id=row.id,
          before={"status": "reviewed"}, after=_image(row))
    return row


def correct(session: Session, actor: Actor, report_id: uuid.UUID) -> RegulatoryReport:
    """A correction of a locked report (needs regulatory:report:manage): a new draft version of the same period
    filled from the form's current version and today's records. The locked one keeps its cells and stays the
    filed report until the correction is locked. Audited."""
    require(session, actor, REPORT, "manage")
    row = lock_by_id(session, RegulatoryReport, report_id, "status", "report", "id")
    if row.status != "locked":
        raise Conflict("Only a locked report is corrected; this one is {status}.", field="id",
                       status=REPORT_STATUSES[row.status])
    latest = _latest(session, row.form_code, row.period)
    if latest is not None and latest.version != row.version:
        raise Conflict("The report {period} already has a later version {version}.", field="id",
                       period=row.period, version=latest.version)
    new = _new_report(session, actor, current_form(session, row.form_code), periods.parse(row.period),
                      row.version + 1)
    audit(session, "regulatory.report.corrected", entity_type=REPORT, entity_id=new.id,
          before={"id": str(row.id), "version": row.version}, after=_image(new))
    return new


# ---------------------------------------------------------------- reading -------------------------------------------


@dataclass(frozen=True)
class ReportFilter:
    period: str | None = None
    status: str | None = None
    form_code: str | None = None


def search_statement(session: Session, actor: Actor, f: ReportFilter | None = None) -> Select:
    """The reports a list shows (needs regulatory:report:read), filtered by period, status and form."""
    require(session, actor, REPORT, "read")
    f = f or ReportFilter()
    stmt = select(RegulatoryReport)
    if f.period:
        stmt = stmt.where(RegulatoryReport.period == periods.parse(f.period).key)
    if f.status:
        if f.status not in REPORT_STATUSES:
            raise ValidationFailed("{name} is one of {choices}, not {value}.", field="status", name="status",
                                   choices=", ".join(REPORT_STATUSES), value=str(f.status)[:40])
        stmt = stmt.where(RegulatoryReport.status == f.status)
    if f.form_code:
        stmt = stmt.where(RegulatoryReport.form_code == f.form_code)
    return stmt


def get_report(session: Session, actor: Actor | None, report_id: uuid.UUID, field: str = "id") -> RegulatoryReport:
    """One report (needs regulatory:report:read unless ``actor`` is None)."""
    if actor is not None:
        require(session, actor, REPORT, "read")
    row = session.scalar(select(RegulatoryReport).where(RegulatoryReport.id == report_id))
    if row is None:
        raise NotFound("No report with that id.", field=field)
    return row


def forms_of(session: Session, reports: Iterable[RegulatoryReport]) -> list[RegulatoryForm]:
    """The form versions the reports were filled from (each once), in one statement."""
    ids = {r.form_id for r in reports}
    return list(session.scalars(select(RegulatoryForm).where(RegulatoryForm.id.in_(ids)))) if ids else []


def form_of(session: Session, report: RegulatoryReport) -> RegulatoryForm:
    """The form version the report was filled from."""
    return session.scalars(select(RegulatoryForm).where(RegulatoryForm.id == report.form_id)).one()
