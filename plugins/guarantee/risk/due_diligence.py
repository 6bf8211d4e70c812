"""The due-diligence report (尽职调查报告) of a project: its lead manager (A) saves it as a draft as often as needed,
then submits it once complete and with the project rated; the report links the rating it was submitted with.
docs/guarantee/risk.md, "Due-diligence report"."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from surety.core import inputs
from surety.core.audit.log import audit
from surety.core.authz.check import require
from surety.core.context import Actor
from surety.core.db.types import to_money, utcnow
from surety.core.errors import Conflict, PermissionDenied, ValidationFailed
from surety.core.i18n import N_
from surety.core.words import Words
from surety.plugins.guarantee.permissions import RATING
from surety.plugins.guarantee.project.models import GuaranteeProject
from surety.plugins.guarantee.project.words import project_status
from surety.plugins.guarantee.risk.models import REPORT_DRAFT, REPORT_SUBMITTED, GuaranteeDueDiligenceReport
from surety.plugins.guarantee.risk.project_risk import OPEN_STATUSES, project_for
from surety.plugins.guarantee.risk.rating import latest_rating

ENTITY = "guarantee:due_diligence_report"
TEXTS = ("business_overview", "financial_analysis", "repayment_source", "counter_guarantee_analysis", "risks",
         "conclusion")
RECOMMENDED = ("recommended_amount", "recommended_term_months", "recommended_rate")
FIELDS = TEXTS + RECOMMENDED
TEXT_LIMIT = 20000
#: A report field in words, for the messages that name it (rendered in the reader's language: project/words.py).
FIELD_WORDS = {
    "business_overview": N_("the business overview (business_overview)"),
    "financial_analysis": N_("the financial analysis (financial_analysis)"),
    "repayment_source": N_("the repayment source (repayment_source)"),
    "counter_guarantee_analysis": N_("the counter-guarantee analysis (counter_guarantee_analysis)"),
    "risks": N_("the risks (risks)"),
    "conclusion": N_("the conclusion (conclusion)"),
    "recommended_amount": N_("the recommended amount (recommended_amount)"),
    "recommended_term_months": N_("the recommended term (recommended_term_months)"),
}
RATE_PLACES = Decimal("0.00000001")  # as the Rate column keeps it


def _clean(data: Mapping[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(data) - set(FIELDS))
    if unknown:
        raise ValidationFailed("Unknown due-diligence report field {unknown!r}.", field=unknown[0], unknown=unknown[0])
    out: dict[str, Any] = {}
    for field in TEXTS:
        if field in data:
            text = str(data[field] or "").strip()
            if len(text) > TEXT_LIMIT:
                raise ValidationFailed("The text of {name} is at most {limit} characters.", field=field,
                                       name=Words(FIELD_WORDS[field]), limit=TEXT_LIMIT)
            out[field] = text
    if data.get("recommended_amount") not in (None, ""):
        out["recommended_amount"] = to_money(inputs.number(data["recommended_amount"], field="recommended_amount",
                                                        what=Words(N_("The recommended amount")), low=Decimal("0.01")))
    elif "recommended_amount" in data:
        out["recommended_amount"] = None
    term = data.get("recommended_term_months")
    if term not in (None, ""):
        if isinstance(term, bool) or not isinstance(term, int) or not 1 <= term <= 600:
            raise ValidationFailed("The recommended term is a whole number of months from 1 to 600.",
                                   field="recommended_term_months")
        out["recommended_term_months"] = term
    elif "recommended_term_months" in data:
        out["recommended_term_months"] = None
    if data.get("recommended_rate") not in (None, ""):
        out["recommended_rate"] = inputs.number(data["recommended_rate"], field="recommended_rate",
                                             what=Words(N_("The recommended fee rate")), low=Decimal(0),
                                             high=Decimal(1)).quantize(RATE_PLACES, rounding=ROUND_HALF_UP)
    elif "recommended_rate" in data:
        out["recommended_rate"] = None
    return out


def _image(r: GuaranteeDueDiligenceReport) -> dict[str, Any]:
    image = {f: getattr(r, f) for f in TEXTS}
    image.update(status=r.status, version=r.version, rating_id=str(r.rating_id) if r.rating_id else None,
                 recommended_amount=None if r.recommended_amount is None else str(r.recommended_amount),
                 recommended_term_months=r.recommended_term_months,
                 recommended_rate=None if r.recommended_rate is None else str(r.recommended_rate))
    return image


def _report(session: Session, project_id: uuid.UUID) -> GuaranteeDueDiligenceReport | None:
    return session.scalar(select(GuaranteeDueDiligenceReport)
                          .where(GuaranteeDueDiligenceReport.project_id == project_id))


def _writable(session: Session, actor: Actor, project_id: uuid.UUID) -> GuaranteeProject:
    require(session, actor, RATING, "score")
    project = project_for(session, actor, project_id, lock=True)
    if actor.id_uuid != project.manager_a_id:
        raise PermissionDenied("Only the project's lead manager (A) writes its due-diligence report.",
                               field="project_id")
    if project.status not in OPEN_STATUSES:
        raise Conflict("The due-diligence report is written while the project is a draft or in approval; it is "
                       "{status}.", field="project_id", status=project_status(project.status))
    return project


def save_report(session: Session, actor: Actor, project_id: uuid.UUID,
                data: Mapping[str, Any]) -> GuaranteeDueDiligenceReport:
    """Create or change the draft report (only the fields given change; null clears a recommendation)."""
    project = _writable(session, actor, project_id)
    values = _clean(data)
    report = _report(session, project.id)
    before = None
    if report is None:
        report = GuaranteeDueDiligenceReport(project_id=project.id, status=REPORT_DRAFT, author_id=actor.id_uuid,
                                             version=1)
        session.add(report)
    elif report.status == REPORT_SUBMITTED:
        raise Conflict("The due-diligence report was submitted already and can no longer change.",
                       field="project_id")
    else:
        before = _image(report)
        report.version += 1
    for field, value in values.items():
        setattr(report, field, value)
    rating = latest_rating(session, project.id)
    report.rating_id = rating.id if rating else None
    report.updated_at = utcnow()
    session.flush()
    audit(session, "guarantee.due_diligence.save", entity_type=ENTITY, entity_id=report.id, before=before,
          after=_image(report), actor=actor)
    return report


def submit_report(session: Session, actor: Actor, project_id: uuid.UUID) -> GuaranteeDueDiligenceReport:
    """Submit the draft: every section filled in, amount and term recommended, and the project rated."""
    project = _writable(session, actor, project_id)
    report = _report(session, project.id)
    if report is None:
        raise ValidationFailed("Save the due-diligence report before submitting it.", field="project_id")
    if report.status == REPORT_SUBMITTED:
        raise Conflict("The due-diligence report was submitted already.", field="project_id")
    for field in TEXTS + ("recommended_amount", "recommended_term_months"):
        if getattr(report, field) in (None, ""):
            raise ValidationFailed("The report cannot be submitted without {item}.", field=field,
                                   item=Words(FIELD_WORDS[field]))
    rating = latest_rating(session, project.id)
    if rating is None:
        raise ValidationFailed("Rate the customer (credit rating) before submitting the due-diligence report.",
                               field="rating")
    before = _image(report)
    report.rating_id, report.status = rating.id, REPORT_SUBMITTED
    report.submitted_by, report.submitted_at = actor.id_uuid, utcnow()
    report.updated_at = report.submitted_at
    session.flush()
    audit(session, "guarantee.due_diligence.submit", entity_type=ENTITY, entity_id=report.id, before=before,
          after=_image(report), actor=actor)
    return report


def get_report(session: Session, actor: Actor, project_id: uuid.UUID) -> GuaranteeDueDiligenceReport | None:
    require(session, actor, RATING, "read")
    return _report(session, project_for(session, actor, project_id).id)
