"""Early warning (预警) of effective guarantees: the bank's overdue reports, tenant-defined indicators, and the
warnings they raise, each handled by the risk officer through the workflow ``guarantee.warning``
(docs/guarantee/warnings.md).

* Overdue reports (:func:`record_overdue`, :func:`cure_overdue`): the bank reports the loan overdue; a later report
  supersedes the open one; the bank's word that the arrears are paid closes it. Recording one evaluates the
  ``overdue_days`` and ``overdue_interest`` indicators at once.
* Indicators (:func:`save_indicator`, :func:`deactivate_indicator`, :func:`list_indicators`,
  :func:`install_default_indicators`): code, name, kind, threshold, level, params, active.
* Warnings: an indicator firing on a project in force (``projects.in_force``: effective with an in-force balance
  above 0; a guarantee fully compensated is not) raises a :class:`GuaranteeWarning` and starts ``guarantee.warning``
  (one task for the risk officer: approve = handled, reject = dismissed). A project has at
  most one open warning per indicator, and an indicator raises at most one warning per project and ``basis`` (the
  overdue report, the statement period, the blacklist entry), so a handled warning is not raised again on the same
  facts. ``ratio_deterioration`` (and the overdue kinds, for indicators added later) are evaluated by the day-end
  job :func:`scan`; ``related_blacklisted`` on the customers plugin's CustomerBlacklisted event (:func:`on_event`);
  ``lawsuit`` and ``manual`` by hand (:func:`raise_warning`).

Permissions: guarantee:warning:raise (overdue reports, warnings by hand), guarantee:warning:manage (indicators),
guarantee:warning:read (reading), always within the project's data scope.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from surety.core import inputs
from surety.core.audit.log import audit
from surety.core.authz.check import require
from surety.core.context import ACTOR_API_KEY, ACTOR_USER, Actor, current
from surety.core.db.locking import lock_by_id
from surety.core.db.types import utcnow
from surety.core.errors import Conflict, NotFound, ValidationFailed
from surety.core.events import raise_event
from surety.core.i18n import N_
from surety.core.ids import as_uuid
from surety.core.ports import customers as door
from surety.core.words import Words
from surety.core.workflow import helpers
from surety.core.workflow.engine import business_today
from surety.core.workflow.helpers import last_decision
from surety.plugins.guarantee.origination.approval import project_basics
from surety.plugins.guarantee.permissions import WARNING
from surety.plugins.guarantee.project.models import STATUS_EFFECTIVE, GuaranteeProject
from surety.plugins.guarantee.project.projects import get_project, in_force, is_in_force, lock_project, scoped
from surety.plugins.guarantee.project.words import project_status
from surety.plugins.guarantee.warnings.events import (
    GuaranteeOverdueCured,
    GuaranteeOverdueReported,
    GuaranteeWarningClosed,
    GuaranteeWarningRaised,
)
from surety.plugins.guarantee.warnings.models import (
    WARNING_DISMISSED,
    WARNING_HANDLED,
    WARNING_LEVELS,
    WARNING_OPEN,
    GuaranteeOverdueReport,
    GuaranteeWarning,
    GuaranteeWarningIndicator,
)

REPORT_ENTITY = "guarantee:overdue_report"
INDICATOR_ENTITY = "guarantee:warning_indicator"
WARNING_ENTITY = "guarantee:warning"
SUBJECT_TYPE = "guarantee:warning"
DEFINITION_KEY = "guarantee.warning"

# Indicator kinds.
OVERDUE_DAYS = "overdue_days"
OVERDUE_INTEREST = "overdue_interest"
LAWSUIT = "lawsuit"
RATIO_DETERIORATION = "ratio_deterioration"
RELATED_BLACKLISTED = "related_blacklisted"
MANUAL = "manual"
KINDS = (OVERDUE_DAYS, OVERDUE_INTEREST, LAWSUIT, RATIO_DETERIORATION, RELATED_BLACKLISTED, MANUAL)
#: Kinds raised by hand (raise_warning); the others are evaluated by the system.
BY_HAND = (LAWSUIT, MANUAL)
#: Kinds without a threshold.
NO_THRESHOLD = (LAWSUIT, RELATED_BLACKLISTED, MANUAL)
#: Ratios of the customers plugin's ``customers_latest_ratios`` an indicator may watch, and the directions.
RATIOS = ("debt_ratio", "current_ratio", "quick_ratio", "roe", "revenue_growth")
DIRECTIONS = ("above", "below")
MAX_DAYS_PAST_DUE = 100_000
CODE_PATTERN = re.compile(r"^[A-Za-z0-9_.-]{1,40}$")

#: What install_default_indicators installs (by code; an existing code is left as the tenant has it).
DEFAULT_INDICATORS = (
    {"code": "OVERDUE_1", "name": "贷款逾期 Loan overdue", "kind": OVERDUE_DAYS, "threshold": "1",
     "level": "yellow"},
    {"code": "OVERDUE_30", "name": "逾期30天 Overdue 30 days or more", "kind": OVERDUE_DAYS, "threshold": "30",
     "level": "orange"},
    {"code": "OVERDUE_90", "name": "逾期90天 Overdue 90 days or more", "kind": OVERDUE_DAYS, "threshold": "90",
     "level": "red"},
    {"code": "OVERDUE_INTEREST", "name": "欠息 Interest in arrears", "kind": OVERDUE_INTEREST, "threshold": "0.01",
     "level": "blue"},
    {"code": "DEBT_RATIO_HIGH", "name": "资产负债率过高 Debt ratio above 70%", "kind": RATIO_DETERIORATION,
     "threshold": "0.70", "level": "orange", "params": {"ratio": "debt_ratio", "direction": "above"}},
    {"code": "CURRENT_RATIO_LOW", "name": "流动比率过低 Current ratio below 1", "kind": RATIO_DETERIORATION,
     "threshold": "1", "level": "yellow", "params": {"ratio": "current_ratio", "direction": "below"}},
    {"code": "LAWSUIT", "name": "涉诉 Customer sued", "kind": LAWSUIT, "level": "red"},
    {"code": "RELATED_BLACKLISTED", "name": "关联方列入黑名单 Related party blacklisted", "kind": RELATED_BLACKLISTED,
     "level": "orange"},
    {"code": "MANUAL", "name": "人工预警 Raised by hand", "kind": MANUAL, "level": "yellow"},
)

#: The process: one task for the risk officer (of the project's org unit, else the nearest above it).
WARNING_PROCESS = {
    "key": DEFINITION_KEY,
    "name": "Early warning handling",
    "subject_type": SUBJECT_TYPE,
    "start": "handle",
    "steps": [
        helpers.task_step("handle", "风险处置 Risk handling", {"role": "risk_officer", "org_unit": "subject"},
                          [{"to": "handled"}, {"to": "dismissed", "on": "reject"}], days=3, escalate_to="executive"),
        helpers.end_step("handled", "approved"),
        helpers.end_step("dismissed", "rejected"),
    ],
}


def plain(value: Decimal | None) -> Decimal | None:
    """``value`` without trailing zeros (0.70000000 -> 0.7, 30.00000000 -> 30), for messages and display."""
    if value is None:
        return None
    value = value.normalize()
    return value.quantize(Decimal(1)) if value.as_tuple().exponent > 0 else value


def raised_on_report(session: Session, report: GuaranteeOverdueReport) -> list[GuaranteeWarning]:
    """The warnings an overdue report raised (basis ``overdue:<report id>``), oldest first."""
    return list(session.scalars(select(GuaranteeWarning).where(
        GuaranteeWarning.project_id == report.project_id, GuaranteeWarning.basis == f"overdue:{report.id}")
        .order_by(GuaranteeWarning.created_at, GuaranteeWarning.id)))


def _business_today() -> dt.date:
    return business_today()


# ---------------------------------------------------------------- images ------------------------------------------


def _report_image(r: GuaranteeOverdueReport) -> dict:
    return {"project_id": str(r.project_id), "reported_on": r.reported_on.isoformat(),
            "overdue_principal": str(r.overdue_principal), "overdue_interest": str(r.overdue_interest),
            "days_past_due": r.days_past_due, "notes": r.notes, "open": r.open,
            "closed_on": r.closed_on.isoformat() if r.closed_on else None, "close_reason": r.close_reason}


def _indicator_image(i: GuaranteeWarningIndicator) -> dict:
    return {"code": i.code, "name": i.name, "kind": i.kind,
            "threshold": None if i.threshold is None else str(i.threshold), "level": i.level,
            "params": dict(i.params or {}), "active": i.active}


def _warning_image(w: GuaranteeWarning) -> dict:
    return {"project_id": str(w.project_id), "indicator_id": str(w.indicator_id) if w.indicator_id else None,
            "level": w.level, "observed": None if w.observed is None else str(w.observed), "details": w.details,
            "status": w.status, "raised_on": w.raised_on.isoformat(), "basis": w.basis,
            "workflow_instance_id": str(w.workflow_instance_id) if w.workflow_instance_id else None,
            "handling_note": w.handling_note}


# ---------------------------------------------------------------- starting processes ------------------------------


#: Who starts the processes of warnings and classification changes when no person does (the day-end job, a
#: reaction to an event): ``helpers.start(session, actor, SYSTEM_ID, ...)``.
SYSTEM_ID = "guarantee.early_warnings"


# ---------------------------------------------------------------- overdue reports ---------------------------------


def open_report(session: Session, project_id: uuid.UUID) -> GuaranteeOverdueReport | None:
    """The project's open overdue report (at most one: a later report supersedes the earlier)."""
    return session.scalar(select(GuaranteeOverdueReport).where(
        GuaranteeOverdueReport.project_id == project_id, GuaranteeOverdueReport.open)
        .order_by(GuaranteeOverdueReport.reported_on.desc(), GuaranteeOverdueReport.created_at.desc()))



def record_overdue(session: Session, actor: Actor, project_id: uuid.UUID, *, overdue_principal: Any = "0",
                   overdue_interest: Any = "0", days_past_due: int, reported_on: dt.date | None = None,
                   notes: str = "") -> GuaranteeOverdueReport:
    """Record the bank's overdue report on an effective project in the actor's data scope: principal and interest
    overdue (yuan, >= 0, not both 0), days past due (>= 0), the report date (the business date by default; not in
    the future, not before the guarantee took effect nor before the project's latest report). Earlier open reports
    are superseded (closed). Raises GuaranteeOverdueReported, then evaluates the overdue indicators at once."""
    require(session, actor, WARNING, "raise")
    principal = inputs.money(overdue_principal if overdue_principal is not None else "0", "overdue_principal")
    interest = inputs.money(overdue_interest if overdue_interest is not None else "0", "overdue_interest")
    if principal == 0 and interest == 0:
        raise ValidationFailed("An overdue report names the overdue principal or interest (both are 0).",
                               field="overdue_principal")
    days = inputs.whole(days_past_due, "days_past_due", 0, MAX_DAYS_PAST_DUE, "days")
    day = inputs.day(reported_on, "reported_on")
    text = inputs.text(notes, "notes", 500)
    project = lock_project(session, actor, project_id)
    if project.status != STATUS_EFFECTIVE:
        raise Conflict("A bank reports an overdue loan on an effective guarantee; project {project_no} is "
                       "{status}.", field="project_id", project_no=project.project_no,
                       status=project_status(project.status))
    if project.effective_date is not None and day < project.effective_date:
        raise ValidationFailed("The report date is before the guarantee took effect ({effective_date}).",
                               field="reported_on", effective_date=project.effective_date.isoformat())
    latest = session.scalar(select(GuaranteeOverdueReport.reported_on).where(
        GuaranteeOverdueReport.project_id == project.id).order_by(GuaranteeOverdueReport.reported_on.desc()))
    if latest is not None and day < latest:
        raise ValidationFailed("The report date is before the project's latest overdue report ({latest}).",
                               field="reported_on", latest=latest.isoformat())
    superseded = list(session.scalars(select(GuaranteeOverdueReport).where(
        GuaranteeOverdueReport.project_id == project.id, GuaranteeOverdueReport.open)))
    for old in superseded:
        old.closed_on, old.close_reason = day, "superseded"
    row = GuaranteeOverdueReport(project_id=project.id, reported_on=day, overdue_principal=principal,
                                 overdue_interest=interest, days_past_due=days, notes=text,
                                 created_by=actor.id_uuid)
    session.add(row)
    session.flush()
    audit(session, "guarantee.overdue.reported", entity_type=REPORT_ENTITY, entity_id=row.id, before=None,
          after={**_report_image(row), "superseded": [str(o.id) for o in superseded]}, actor=actor)
    raise_event(session, GuaranteeOverdueReported(
        project_id=project.id, report_id=row.id, reported_on=day, overdue_principal=principal,
        overdue_interest=interest, days_past_due=days))
    overdue = _active(session, (OVERDUE_DAYS, OVERDUE_INTEREST))
    for indicator in overdue:
        _evaluate_overdue(session, project, indicator, row, day=day, by=actor)
    return row


def cure_overdue(session: Session, actor: Actor, project_id: uuid.UUID, *, cured_on: dt.date | None = None,
                 notes: str = "") -> GuaranteeOverdueReport:
    """The bank says the arrears are paid: close the project's open overdue report (``cured_on``, the business date
    by default, not before the report). Raises GuaranteeOverdueCured. Open warnings stay for the risk officer."""
    require(session, actor, WARNING, "raise")
    day = inputs.day(cured_on, "cured_on")
    text = inputs.text(notes, "notes", 500)
    project = lock_project(session, actor, project_id)
    row = open_report(session, project.id)
    if row is None:
        raise Conflict("This project has no open overdue report.", field="project_id")
    if day < row.reported_on:
        raise ValidationFailed("The cure date is before the overdue report ({reported_on}).",
                               field="cured_on", reported_on=row.reported_on.isoformat())
    before = _report_image(row)
    row.closed_on, row.close_reason = day, "cured"
    if text:
        row.notes = (f"{row.notes} | {text}" if row.notes else text)[:500]
    session.flush()
    audit(session, "guarantee.overdue.cured", entity_type=REPORT_ENTITY, entity_id=row.id, before=before,
          after=_report_image(row), actor=actor)
    raise_event(session, GuaranteeOverdueCured(project_id=project.id, report_id=row.id, cured_on=day))
    return row


def overdue_reports(session: Session, actor: Actor, project_id: uuid.UUID) -> list[GuaranteeOverdueReport]:
    """A project's overdue reports, latest first (guarantee:warning:read, within the data scope)."""
    require(session, actor, WARNING, "read")
    project = get_project(session, actor, project_id)
    return list(session.scalars(select(GuaranteeOverdueReport).where(GuaranteeOverdueReport.project_id == project.id)
                                .order_by(GuaranteeOverdueReport.reported_on.desc(),
                                          GuaranteeOverdueReport.created_at.desc())))


# ---------------------------------------------------------------- indicators --------------------------------------


def _clean_indicator(kind: str, threshold: Any, params: Any) -> tuple[Decimal | None, dict]:
    if kind not in KINDS:
        raise ValidationFailed("An indicator kind is one of {kinds}.", field="kind", kinds=", ".join(KINDS))
    params = dict(params or {})
    if not all(isinstance(k, str) for k in params):
        raise ValidationFailed("params are named values.", field="params")
    if kind in NO_THRESHOLD:
        if threshold is not None and not (isinstance(threshold, str) and not threshold.strip()):
            raise ValidationFailed("A {kind} indicator has no threshold.", field="threshold", kind=kind)
        if params:
            raise ValidationFailed("A {kind} indicator takes no params.", field="params", kind=kind)
        return None, {}
    if kind == OVERDUE_DAYS:
        value = inputs.number(threshold, field="threshold", what=Words(N_("The days past due")), low=Decimal(0),
                              places=0, high=Decimal(MAX_DAYS_PAST_DUE))
        if params:
            raise ValidationFailed("An overdue_days indicator takes no params.", field="params")
        return value, {}
    if kind == OVERDUE_INTEREST:
        value = inputs.money(threshold, "threshold", positive=True, what=Words(N_("the overdue interest")))
        if params:
            raise ValidationFailed("An overdue_interest indicator takes no params.", field="params")
        return value, {}
    # ratio_deterioration
    value = inputs.number(threshold, field="threshold", what=Words(N_("The ratio threshold")), low=Decimal(-1000),
                          high=Decimal(1000), places=inputs.RATE_PLACES)
    if params.get("ratio") not in RATIOS:
        raise ValidationFailed("params.ratio is one of {ratios}.", field="params", ratios=", ".join(RATIOS))
    if params.get("direction") not in DIRECTIONS:
        raise ValidationFailed("params.direction is above or below.", field="params")
    unknown = sorted(set(params) - {"ratio", "direction"})
    if unknown:
        raise ValidationFailed("Unknown param {param!r}.", field="params", param=unknown[0])
    return value, {"ratio": params["ratio"], "direction": params["direction"]}


def save_indicator(session: Session, actor: Actor, *, indicator_id: uuid.UUID | None = None, code: str,
                   name: str, kind: str, threshold: Any = None, level: str = "yellow", params: dict | None = None,
                   active: bool = True) -> GuaranteeWarningIndicator:
    """Create (no ``indicator_id``) or change an indicator (guarantee:warning:manage). The code is unique in the
    tenant; the kind of an existing indicator cannot change; the threshold and params are checked per kind
    (docs/guarantee/warnings.md)."""
    require(session, actor, WARNING, "manage")
    code = inputs.text(code, "code", 40, required=True)
    if not CODE_PATTERN.match(code):
        raise ValidationFailed("A code is letters, digits, '_', '.' or '-' (at most 40).", field="code")
    name = inputs.text(name, "name", 200, required=True)
    if level not in WARNING_LEVELS:
        raise ValidationFailed("A level is one of {levels}.", field="level", levels=", ".join(WARNING_LEVELS))
    value, clean = _clean_indicator(kind, threshold, params)
    taken = session.scalar(select(GuaranteeWarningIndicator.id).where(GuaranteeWarningIndicator.code == code))
    if indicator_id is None:
        if taken is not None:
            raise Conflict("An indicator with code {indicator_code!r} exists.", field="code", indicator_code=code)
        row = GuaranteeWarningIndicator(code=code, name=name, kind=kind, threshold=value, level=level, params=clean,
                                        active=bool(active))
        session.add(row)
        session.flush()
        audit(session, "guarantee.warning_indicator.created", entity_type=INDICATOR_ENTITY, entity_id=row.id,
              before=None, after=_indicator_image(row), actor=actor)
        return row
    row = lock_by_id(session, GuaranteeWarningIndicator, indicator_id, "active", Words(N_("warning indicator")),
                     "indicator_id")
    if taken is not None and taken != row.id:
        raise Conflict("An indicator with code {indicator_code!r} exists.", field="code", indicator_code=code)
    if kind != row.kind:
        raise Conflict("The kind of an indicator cannot change (it is {kind}); create another indicator.",
                       field="kind", kind=row.kind)
    before = _indicator_image(row)
    row.code, row.name, row.threshold, row.level, row.params, row.active = code, name, value, level, clean, \
        bool(active)
    session.flush()
    audit(session, "guarantee.warning_indicator.updated", entity_type=INDICATOR_ENTITY, entity_id=row.id,
          before=before, after=_indicator_image(row), actor=actor)
    return row


def deactivate_indicator(session: Session, actor: Actor, indicator_id: uuid.UUID) -> GuaranteeWarningIndicator:
    """Stop evaluating an indicator (guarantee:warning:manage); its warnings stay. Saving it active again resumes."""
    require(session, actor, WARNING, "manage")
    row = lock_by_id(session, GuaranteeWarningIndicator, indicator_id, "active", Words(N_("warning indicator")),
                     "indicator_id")
    if not row.active:
        raise Conflict("This indicator is already inactive.", field="indicator_id")
    before = _indicator_image(row)
    row.active = False
    session.flush()
    audit(session, "guarantee.warning_indicator.deactivated", entity_type=INDICATOR_ENTITY, entity_id=row.id,
          before=before, after=_indicator_image(row), actor=actor)
    return row


def list_indicators(session: Session, actor: Actor, *, active_only: bool = False) -> list[GuaranteeWarningIndicator]:
    """The tenant's indicators by code (guarantee:warning:read)."""
    require(session, actor, WARNING, "read")
    stmt = select(GuaranteeWarningIndicator).order_by(GuaranteeWarningIndicator.code)
    if active_only:
        stmt = stmt.where(GuaranteeWarningIndicator.active.is_(True))
    return list(session.scalars(stmt))


def install_default_indicators(session: Session) -> int:
    """Install DEFAULT_INDICATORS missing from the tenant (by code; idempotent, never overwrites). Called at tenant
    provisioning; returns how many were added."""
    have = set(session.scalars(select(GuaranteeWarningIndicator.code)))
    added = 0
    for spec in DEFAULT_INDICATORS:
        if spec["code"] in have:
            continue
        value, clean = _clean_indicator(spec["kind"], spec.get("threshold"), spec.get("params"))
        session.add(GuaranteeWarningIndicator(code=spec["code"], name=spec["name"], kind=spec["kind"],
                                              threshold=value, level=spec["level"], params=clean, active=True))
        added += 1
    if added:
        session.flush()
        audit(session, "guarantee.warning_indicator.defaults_installed", entity_type=INDICATOR_ENTITY,
              after={"added": added})
    return added


def _active(session: Session, kinds) -> list[GuaranteeWarningIndicator]:
    return list(session.scalars(select(GuaranteeWarningIndicator).where(
        GuaranteeWarningIndicator.active.is_(True), GuaranteeWarningIndicator.kind.in_(tuple(kinds)))
        .order_by(GuaranteeWarningIndicator.code)))


# ---------------------------------------------------------------- raising warnings --------------------------------


def _already(session: Session, project_id: uuid.UUID, indicator_id: uuid.UUID, basis: str) -> GuaranteeWarning | None:
    """An open warning of the project for the indicator, or (with a basis) any warning on the same basis."""
    found = session.scalar(select(GuaranteeWarning).where(
        GuaranteeWarning.project_id == project_id, GuaranteeWarning.indicator_id == indicator_id,
        GuaranteeWarning.status == WARNING_OPEN))
    if found is None and basis:
        found = session.scalar(select(GuaranteeWarning).where(
            GuaranteeWarning.project_id == project_id, GuaranteeWarning.indicator_id == indicator_id,
            GuaranteeWarning.basis == basis))
    return found


def _raise(session: Session, project_id: uuid.UUID, indicator: GuaranteeWarningIndicator, *, day: dt.date,
           observed: Decimal | None, details: str, basis: str, by: Actor | None,
           start_as: Actor | None = None) -> GuaranteeWarning | None:
    """Raise a warning unless the project is not in force (``projects.in_force``: effective with a balance above 0)
    or one exists (open, or on the same basis): under the project's row lock, so two evaluations at once raise one.
    Starts ``guarantee.warning`` (as ``start_as``, the system when None), audits and raises GuaranteeWarningRaised."""
    if _already(session, project_id, indicator.id, basis) is not None:
        return None
    project = lock_by_id(session, GuaranteeProject, project_id, "status", "guarantee project", "project_id")
    if not is_in_force(project) or _already(session, project.id, indicator.id, basis) is not None:
        return None
    who = by.id_uuid if by is not None else None
    row = GuaranteeWarning(project_id=project.id, indicator_id=indicator.id, level=indicator.level,
                           observed=observed, details=details[:1000], status=WARNING_OPEN, raised_on=day,
                           basis=basis[:100], raised_by=who)
    session.add(row)
    session.flush()
    instance = helpers.start(session, start_as, SYSTEM_ID, definition_key=DEFINITION_KEY, subject_type=SUBJECT_TYPE,
                             subject_id=str(row.id), subject=_fields_of(session, row, project, indicator),
                             title=f"预警 {project.project_no} {indicator.name}", today=day)
    row.workflow_instance_id = instance.id
    session.flush()
    audit(session, "guarantee.warning.raised", entity_type=WARNING_ENTITY, entity_id=row.id, before=None,
          after={**_warning_image(row), "indicator": indicator.code, "kind": indicator.kind},
          actor=by if by is not None else None)
    raise_event(session, GuaranteeWarningRaised(project_id=project.id, warning_id=row.id, indicator_id=indicator.id,
                                                kind=indicator.kind, level=row.level, raised_on=day))
    return row


def _evaluate_overdue(session: Session, project: GuaranteeProject, indicator: GuaranteeWarningIndicator,
                      report: GuaranteeOverdueReport, *, day: dt.date, by: Actor | None) -> GuaranteeWarning | None:
    if indicator.threshold is None:
        return None
    if indicator.kind == OVERDUE_DAYS:
        observed = Decimal(report.days_past_due)
        details = f"Days past due {report.days_past_due} >= {int(indicator.threshold)} (bank report of " \
                  f"{report.reported_on.isoformat()})."
    else:
        observed = report.overdue_interest
        details = f"Overdue interest {inputs.yuan(observed)} yuan >= {inputs.yuan(indicator.threshold)} yuan " \
                  f"(bank report of {report.reported_on.isoformat()})."
    if observed < indicator.threshold:
        return None
    return _raise(session, project.id, indicator, day=day, observed=observed, details=details,
                  basis=f"overdue:{report.id}", by=by)


def ratio_fires(indicator: GuaranteeWarningIndicator, ratios: door.LatestRatios | None) -> Decimal | None:
    """The watched ratio when it breaches the indicator (``above``: greater than the threshold, ``below``: less than
    it); None otherwise, and when the customer has no statement or the ratio is not computable."""
    params = indicator.params or {}
    value = (ratios or {}).get(params.get("ratio"))
    if value is None or indicator.threshold is None:
        return None
    value = Decimal(str(value))
    breached = value > indicator.threshold if params.get("direction") == "above" else value < indicator.threshold
    return value if breached else None


def raise_warning(session: Session, actor: Actor, project_id: uuid.UUID, *, indicator_id: uuid.UUID,
                  details: str) -> GuaranteeWarning:
    """Raise a warning by hand (guarantee:warning:raise) on a project in force in the actor's data scope, with an
    active ``lawsuit`` or ``manual`` indicator and a description. Conflict when the project already has an open
    warning of that indicator. The actor starts the process (needs core:workflow:start)."""
    require(session, actor, WARNING, "raise")
    text = inputs.text(details, "details", 1000, required=True)
    get_project(session, actor, project_id)
    indicator = session.scalar(select(GuaranteeWarningIndicator).where(GuaranteeWarningIndicator.id == indicator_id))
    if indicator is None:
        raise NotFound("No warning indicator with that id.", field="indicator_id")
    if not indicator.active:
        raise Conflict("This indicator is inactive.", field="indicator_id")
    if indicator.kind not in BY_HAND:
        raise ValidationFailed("Warnings are raised by hand with a {kinds} indicator; {kind} is evaluated by the "
                               "system.", field="indicator_id", kinds=" or ".join(BY_HAND), kind=indicator.kind)
    project = lock_by_id(session, GuaranteeProject, project_id, "status", "guarantee project", "project_id")
    if project.status != STATUS_EFFECTIVE:
        raise Conflict("Warnings are raised on effective guarantees; project {project_no} is {status}.",
                       field="project_id", project_no=project.project_no, status=project_status(project.status))
    if not is_in_force(project):
        raise Conflict("Warnings are raised on guarantees in force; nothing is in force on project {project_no} "
                       "(in-force balance {balance} yuan).", field="project_id", project_no=project.project_no,
                       balance=inputs.yuan(project.in_force_balance))
    existing = _already(session, project.id, indicator.id, "")
    if existing is not None:
        raise Conflict("This project already has an open warning of that indicator.", field="indicator_id",
                       warning_id=str(existing.id))
    return _raise(session, project.id, indicator, day=_business_today(), observed=None, details=text, basis="",
                  by=actor, start_as=actor)


# ---------------------------------------------------------------- day-end job and events --------------------------


def scan(session: Session, business_date: dt.date) -> int:
    """Day-end job ``guarantee_warnings``: evaluate the active ``ratio_deterioration`` indicators (the customer's
    latest statement) and the overdue indicators (the open overdue report) on every project in force. Idempotent:
    one open warning per project and indicator, one warning per basis. Returns the number of warnings raised."""
    indicators = _active(session, (RATIO_DETERIORATION, OVERDUE_DAYS, OVERDUE_INTEREST))
    if not indicators:
        return 0
    ratio_ind = [i for i in indicators if i.kind == RATIO_DETERIORATION]
    overdue_ind = [i for i in indicators if i.kind != RATIO_DETERIORATION]
    projects = session.execute(select(GuaranteeProject.id, GuaranteeProject.customer_id).where(
        in_force()).order_by(GuaranteeProject.id)).all()
    reports: dict[uuid.UUID, GuaranteeOverdueReport] = {}
    if overdue_ind:
        for r in session.scalars(select(GuaranteeOverdueReport).where(GuaranteeOverdueReport.open)
                                 .order_by(GuaranteeOverdueReport.reported_on)):
            reports[r.project_id] = r
    ratios: dict[uuid.UUID, door.LatestRatios | None] = {}
    raised = 0
    for project_id, customer_id in projects:
        report = reports.get(project_id)
        if report is not None:
            project = session.scalar(select(GuaranteeProject).where(GuaranteeProject.id == project_id))
            for indicator in overdue_ind:
                raised += _evaluate_overdue(session, project, indicator, report, day=business_date,
                                            by=None) is not None
        if not ratio_ind:
            continue
        if customer_id not in ratios:
            ratios[customer_id] = door.latest_ratios(session, customer_id)
        found = ratios[customer_id]
        for indicator in ratio_ind:
            value = ratio_fires(indicator, found)
            if value is None:
                continue
            params = indicator.params
            details = (f"{params['ratio']} {plain(value)} is {params['direction']} {plain(indicator.threshold)} "
                       f"(statement "
                       f"{found['period_type']} {found['period_end']}).")
            basis = f"ratio:{found['period_type']}:{found['period_end']}"
            raised += _raise(session, project_id, indicator, day=business_date, observed=value, details=details,
                             basis=basis, by=None) is not None
    return raised


def related_customers(session: Session, customer_id: uuid.UUID) -> dict[uuid.UUID, str]:
    """The customer (``"self"``) and its related parties (one hop, either direction) -> the relation type, through
    the customers door (``customers_related``)."""
    return {**door.related(session, customer_id), customer_id: "self"}


def on_blacklisted(session: Session, customer_id: uuid.UUID, entry_id: uuid.UUID) -> int:
    """A customer was blacklisted: raise the active ``related_blacklisted`` indicators on every project in force
    of that customer or of a related party (once per blacklist entry). Returns the number raised."""
    indicators = _active(session, (RELATED_BLACKLISTED,))
    if not indicators:
        return 0
    related = related_customers(session, customer_id)
    projects = session.execute(select(GuaranteeProject.id, GuaranteeProject.customer_id).where(
        in_force(), GuaranteeProject.customer_id.in_(list(related)))
        .order_by(GuaranteeProject.id)).all()
    day, raised = _business_today(), 0
    by = current().actor
    by = by if by.type in (ACTOR_USER, ACTOR_API_KEY) else None
    for project_id, project_customer in projects:
        relation = related[project_customer]
        details = ("The customer itself is blacklisted." if relation == "self" else
                   f"A related party of the customer is blacklisted (relation {relation}, customer {customer_id}).")
        for indicator in indicators:
            raised += _raise(session, project_id, indicator, day=day, observed=None, details=details,
                             basis=f"blacklist:{entry_id}", by=by) is not None
    return raised


def on_event(session: Session, event) -> None:
    """``surety_handle_event``: an approved blacklist entry (CustomerBlacklisted, list type ``blacklist``) raises
    ``related_blacklisted`` warnings. Watchlist entries raise none."""
    if event.event_type == "CustomerBlacklisted" and getattr(event, "list_type", None) == "blacklist":
        on_blacklisted(session, event.customer_id, event.entry_id)


# ---------------------------------------------------------------- the process's subject ---------------------------


def _fields_of(session: Session, warning: GuaranteeWarning, project: GuaranteeProject,
               indicator: GuaranteeWarningIndicator | None) -> dict[str, Any]:
    return {**project_basics(project), "warning_id": str(warning.id), "amount": project.amount,
            "level": warning.level,
            "indicator_code": indicator.code if indicator else None, "kind": indicator.kind if indicator else None,
            "observed": warning.observed, "status": warning.status}


def subject_fields(session: Session, subject_id: str) -> dict[str, Any] | None:
    """What ``guarantee.warning``'s conditions and assignee rules read: the warning's level, kind, indicator code,
    observed value, and its project's number, org unit, manager, amount and in-force balance."""
    warning_id = as_uuid(subject_id)
    warning = warning_id and session.scalar(select(GuaranteeWarning).where(GuaranteeWarning.id == warning_id))
    if not warning:
        return None
    project = session.scalar(select(GuaranteeProject).where(GuaranteeProject.id == warning.project_id))
    indicator = warning.indicator_id and session.scalar(
        select(GuaranteeWarningIndicator).where(GuaranteeWarningIndicator.id == warning.indicator_id))
    return _fields_of(session, warning, project, indicator or None)


def ended(session: Session, event) -> None:
    """The warning's process ended: approved -> handled, rejected or withdrawn -> dismissed; the handling note is
    the comment of the last decision (workflow.last_decision). Audited; raises GuaranteeWarningClosed."""
    warning_id = as_uuid(event.subject_id)
    if warning_id is None:
        return
    row = session.scalar(select(GuaranteeWarning).where(GuaranteeWarning.id == warning_id))
    if row is None or row.workflow_instance_id != event.instance_id or row.status != WARNING_OPEN:
        return

    who, comment = last_decision(session, event.instance_id)
    before = _warning_image(row)
    row.status = WARNING_HANDLED if event.result == "approved" else WARNING_DISMISSED
    row.handled_at = utcnow()
    row.handled_by = who
    row.handling_note = comment[:1000] or ("withdrawn" if event.result == "withdrawn" else "")
    session.flush()
    audit(session, f"guarantee.warning.{row.status}", entity_type=WARNING_ENTITY, entity_id=row.id, before=before,
          after=_warning_image(row))
    raise_event(session, GuaranteeWarningClosed(project_id=row.project_id, warning_id=row.id, status=row.status))


# ---------------------------------------------------------------- reading -----------------------------------------

MAX_LIST = 500


def list_warnings(session: Session, actor: Actor, *, status: str | None = None, level: str | None = None,
                  project_id: uuid.UUID | None = None, limit: int = 100) -> list[GuaranteeWarning]:
    """Warnings of projects in the actor's data scope (guarantee:warning:read), latest first, filtered by status,
    level and project; at most ``limit`` (1..500)."""
    require(session, actor, WARNING, "read")
    if status is not None and status not in (WARNING_OPEN, WARNING_HANDLED, WARNING_DISMISSED):
        raise ValidationFailed("A status is open, handled or dismissed.", field="status")
    if level is not None and level not in WARNING_LEVELS:
        raise ValidationFailed("A level is one of {levels}.", field="level", levels=", ".join(WARNING_LEVELS))
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIST:
        raise ValidationFailed("limit is between 1 and {max_list}.", field="limit", max_list=MAX_LIST)
    if project_id is not None:
        get_project(session, actor, project_id)
    stmt = select(GuaranteeWarning).join(GuaranteeProject, GuaranteeProject.id == GuaranteeWarning.project_id)
    stmt = scoped(session, actor, stmt)
    if status is not None:
        stmt = stmt.where(GuaranteeWarning.status == status)
    if level is not None:
        stmt = stmt.where(GuaranteeWarning.level == level)
    if project_id is not None:
        stmt = stmt.where(GuaranteeWarning.project_id == project_id)
    stmt = stmt.order_by(GuaranteeWarning.raised_on.desc(), GuaranteeWarning.created_at.desc(),
                         GuaranteeWarning.id).limit(limit)
    return list(session.scalars(stmt))


def indicators_by_id(session: Session, ids) -> dict[uuid.UUID, GuaranteeWarningIndicator]:
    ids = [i for i in set(ids) if i is not None]
    if not ids:
        return {}
    return {i.id: i for i in session.scalars(select(GuaranteeWarningIndicator)
                                             .where(GuaranteeWarningIndicator.id.in_(ids)))}


DEFINITIONS: list[dict] = [WARNING_PROCESS]
SUBJECTS: dict = {SUBJECT_TYPE: (subject_fields, ended)}
