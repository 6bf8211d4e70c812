"""Partner institutions: create, change, list, read; suspension, resumption and termination with a reason (audited);
the admission analysis (the tenant's scorecard, weighted score recorded) and periodic evaluations
(docs/reguarantee/README.md, "Partners"). The admission process itself is partner/admission.py."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
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
from surety.core.errors import Conflict, NotFound, ValidationFailed
from surety.core.validators import credit_code_ok, normalise_cn_mobile
from surety.core.workflow.engine import business_today
from surety.core.workflow.models import WorkflowInstance
from surety.plugins.reguarantee.conventions import PARTNER_KINDS, PARTNER_STATUSES, STATUS_ACTIONS
from surety.plugins.reguarantee.partner.models import ReguaranteePartner, ReguaranteePartnerEvaluation
from surety.plugins.reguarantee.partner.permissions import PARTNER
from surety.plugins.reguarantee.settings import get_settings

ENTITY = PARTNER
#: Fields a person gives when creating or changing a partner.
FIELDS = ("name", "kind", "credit_code", "region", "registered_capital", "contact_name", "contact_phone")
#: Keyset order of the partners list: name, then id.
ORDER = (ReguaranteePartner.name, ReguaranteePartner.id)
#: The step of the admission definition (partner/admission.py) at which the analysis is recorded.
ANALYSIS_STEP = "analysis"
#: Audit action of each status change.
AUDIT_ACTIONS = {"suspend": "reguarantee.partner.suspended", "resume": "reguarantee.partner.resumed",
                 "terminate": "reguarantee.partner.terminated"}
#: A period of an evaluation: a year, a half (H1/H2), a quarter (Q1-Q4) or a month (M01-M12).
PERIOD_SUFFIXES = ("", "H1", "H2", "Q1", "Q2", "Q3", "Q4", *(f"M{m:02}" for m in range(1, 13)))


def credit_code(value: Any, field: str = "credit_code") -> str:
    """A unified social credit code, upper-cased: 18 characters of the code set with the right check character."""
    code = inputs.text(value, field, 18, required=True).upper()
    if not credit_code_ok(code):
        raise ValidationFailed("{value} is not a valid unified social credit code.", field=field, value=code)
    return code


def _choice(value: Any, field: str, choices: Mapping[str, str]) -> str:
    if value not in choices:
        raise ValidationFailed("{name} is one of {choices}, not {value}.", field=field, name=field,
                               choices=", ".join(choices), value=str(value)[:40])
    return value


def _clean(data: Mapping[str, Any], *, partial: bool) -> dict[str, Any]:
    unknown = sorted(set(data) - set(FIELDS))
    if unknown:
        raise ValidationFailed("Unknown partner field {name}.", field=unknown[0], name=unknown[0])
    checks = {
        "name": lambda v: inputs.text(v, "name", 200, required=True),
        "kind": lambda v: _choice(v, "kind", PARTNER_KINDS),
        "credit_code": credit_code,
        "region": lambda v: inputs.text(v, "region", 100),
        "registered_capital": lambda v: inputs.money(v, "registered_capital", positive=True, required=False),
        "contact_name": lambda v: inputs.text(v, "contact_name", 50) or None,
        "contact_phone": lambda v: None if inputs.blank(v) else normalise_cn_mobile(v, field="contact_phone"),
    }
    out = {}
    for name in FIELDS:
        if name in data:
            out[name] = checks[name](data[name])
        elif not partial and name in ("name", "kind", "credit_code"):
            raise ValidationFailed("Give {name}.", field=name, name=name)
    return out


def _image(p: ReguaranteePartner) -> dict:
    """What the audit log keeps of a partner (no personal data: the contact is only said to be present)."""
    return {"name": p.name, "kind": p.kind, "credit_code": p.credit_code, "region": p.region,
            "registered_capital": p.registered_capital, "status": p.status, "has_contact": bool(p.contact_name)}


def _refuse_duplicate(session: Session, code: str, exclude: uuid.UUID | None = None) -> None:
    found = session.scalar(select(ReguaranteePartner.id).where(ReguaranteePartner.credit_code == code))
    if found is not None and found != exclude:
        raise Conflict("A partner with the credit code {credit_code} already exists.", field="credit_code",
                       credit_code=code)


# ---------------------------------------------------------------- reading -------------------------------------------


@dataclass(frozen=True)
class PartnerFilter:
    kind: str | None = None
    status: str | None = None


def search_statement(session: Session, actor: Actor, f: PartnerFilter | None = None) -> Select:
    """The partners a list shows (needs reguarantee:partner:read), filtered by kind and status; order with ORDER."""
    require(session, actor, PARTNER, "read")
    f = f or PartnerFilter()
    stmt = select(ReguaranteePartner)
    if f.kind is not None:
        stmt = stmt.where(ReguaranteePartner.kind == _choice(f.kind, "kind", PARTNER_KINDS))
    if f.status is not None:
        stmt = stmt.where(ReguaranteePartner.status == _choice(f.status, "status", PARTNER_STATUSES))
    return stmt


def get_partner(session: Session, actor: Actor | None, partner_id: uuid.UUID, *,
                act: str = "read") -> ReguaranteePartner:
    """One partner (needs reguarantee:partner:``act`` unless ``actor`` is None, for internal callers)."""
    if actor is not None:
        require(session, actor, PARTNER, act)
    partner = session.scalar(select(ReguaranteePartner).where(ReguaranteePartner.id == partner_id))
    if partner is None:
        raise NotFound("No partner institution with that id.", field="partner_id")
    return partner


def evaluations(session: Session, actor: Actor, partner_id: uuid.UUID) -> list[ReguaranteePartnerEvaluation]:
    """A partner's evaluations, newest period first (needs reguarantee:partner:read)."""
    partner = get_partner(session, actor, partner_id)
    return list(session.scalars(select(ReguaranteePartnerEvaluation)
                                .where(ReguaranteePartnerEvaluation.partner_id == partner.id)
                                .order_by(ReguaranteePartnerEvaluation.period.desc())))


# ---------------------------------------------------------------- writing -------------------------------------------


def create_partner(session: Session, actor: Actor, data: Mapping[str, Any]) -> ReguaranteePartner:
    """A new partner, status 申请中 (needs reguarantee:partner:manage); audited."""
    require(session, actor, PARTNER, "manage")
    values = _clean(data, partial=False)
    _refuse_duplicate(session, values["credit_code"])
    partner = ReguaranteePartner(**values, status="applying", created_by=actor.id_uuid)
    session.add(partner)
    session.flush()
    audit(session, "reguarantee.partner.created", entity_type=ENTITY, entity_id=partner.id, after=_image(partner))
    return partner


def update_partner(session: Session, actor: Actor, partner_id: uuid.UUID,
                   data: Mapping[str, Any]) -> ReguaranteePartner:
    """Change the given fields of a partner (needs reguarantee:partner:manage); a terminated partner is refused."""
    require(session, actor, PARTNER, "manage")
    values = _clean(data, partial=True)
    partner = lock_by_id(session, ReguaranteePartner, partner_id, "status", "partner", "id")
    if partner.status == "terminated":
        raise Conflict("The cooperation with {partner_name} has been terminated; it can no longer be changed.",
                       field="id", partner_name=partner.name)
    if "credit_code" in values:
        _refuse_duplicate(session, values["credit_code"], exclude=partner.id)
    before = _image(partner)
    for name, value in values.items():
        setattr(partner, name, value)
    session.flush()
    audit(session, "reguarantee.partner.updated", entity_type=ENTITY, entity_id=partner.id, before=before,
          after=_image(partner))
    return partner


def change_status(session: Session, actor: Actor, partner_id: uuid.UUID, action: str,
                  reason: str) -> ReguaranteePartner:
    """Suspend (合作中 -> 暂停合作), resume (暂停合作 -> 合作中) or terminate a partner, with a reason (needs
    reguarantee:partner:manage); audited with the reason."""
    require(session, actor, PARTNER, "manage")
    _choice(action, "action", STATUS_ACTIONS)
    reason = inputs.text(reason, "reason", 500, required=True)
    partner = lock_by_id(session, ReguaranteePartner, partner_id, "status", "partner", "id")
    allowed, to = STATUS_ACTIONS[action]
    if partner.status not in allowed:
        raise Conflict("A partner in status {status} does not allow this change ({action}).", field="id",
                       status=PARTNER_STATUSES.get(partner.status, partner.status), action=action)
    before = partner.status
    partner.status, partner.status_reason = to, reason
    session.flush()
    audit(session, AUDIT_ACTIONS[action], entity_type=ENTITY, entity_id=partner.id,
          before={"status": before}, after={"status": to, "reason": reason})
    return partner


def _score(value: Any, field: str) -> Decimal:
    """A score 0-100 with at most two decimals, kept to two places."""
    return inputs.number(value, field=field, low=Decimal(0), high=Decimal(100), places=2).quantize(Decimal("0.01"))


def score_card(scorecard: list[Mapping[str, Any]], scores: Mapping[str, Any]) -> tuple[list[dict], Decimal]:
    """Each criterion of ``scorecard`` with its score (0-100, every criterion given) and the weighted total to 0.01."""
    if not isinstance(scores, Mapping):
        raise ValidationFailed("scores maps each criterion to its score.", field="scores")
    unknown = sorted(set(scores) - {c["key"] for c in scorecard})
    if unknown:
        raise ValidationFailed("Unknown criterion {criterion}.", field="scores", criterion=unknown[0])
    lines, total = [], Decimal(0)
    for c in scorecard:
        if c["key"] not in scores:
            raise ValidationFailed("Give a score for {criterion}.", field="scores", criterion=c["label"])
        score = _score(scores[c["key"]], "scores")
        lines.append({"key": c["key"], "label": c["label"], "weight": str(c["weight"]), "score": str(score)})
        total += score * Decimal(str(c["weight"]))
    return lines, total.quantize(Decimal("0.01"))


def record_analysis(session: Session, actor: Actor, partner_id: uuid.UUID,
                    scores: Mapping[str, Any]) -> ReguaranteePartner:
    """Record the admission analysis of a partner in admission: a score 0-100 per criterion of the tenant's
    scorecard, weighted into ``analysis_score`` (needs reguarantee:partner:manage); audited. Only while the
    admission is at its analysis step; recording again there replaces it."""
    require(session, actor, PARTNER, "manage")
    partner = lock_by_id(session, ReguaranteePartner, partner_id, "status", "partner", "id")
    step = None if partner.admission_instance_id is None else session.scalar(
        select(WorkflowInstance.current_step).where(WorkflowInstance.id == partner.admission_instance_id))
    if partner.status != "in_admission" or step != ANALYSIS_STEP:
        raise Conflict("Only a partner whose admission is at the analysis step can be analysed.", field="id")
    lines, total = score_card(get_settings(session).admission_scorecard, scores)
    partner.analysis_scores, partner.analysis_score, partner.analysed_by = lines, total, actor.id_uuid
    session.flush()
    audit(session, "reguarantee.partner.analysed", entity_type=ENTITY, entity_id=partner.id,
          after={"scores": lines, "analysis_score": total})
    return partner


def _period(value: Any) -> str:
    text = inputs.text(value, "period", 10, required=True).upper()
    year, suffix = text[:4], text[4:]
    if not (year.isdigit() and 2000 <= int(year) <= 2100 and suffix in PERIOD_SUFFIXES):
        raise ValidationFailed("{value} is not a period (2026, 2026H1, 2026Q3 or 2026M07).", field="period",
                               value=text)
    return text


def record_evaluation(session: Session, actor: Actor, partner_id: uuid.UUID, period: Any, score: Any,
                      remarks: str = "", evaluated_on: dt.date | None = None) -> ReguaranteePartnerEvaluation:
    """A periodic evaluation of a partner (score 0-100; one per period) (needs reguarantee:partner:manage)."""
    require(session, actor, PARTNER, "manage")
    partner = get_partner(session, None, partner_id)
    period = _period(period)
    value = _score(score, "score")
    if session.scalar(select(ReguaranteePartnerEvaluation.id).where(
            ReguaranteePartnerEvaluation.partner_id == partner.id, ReguaranteePartnerEvaluation.period == period)):
        raise Conflict("{partner_name} already has an evaluation for {period}.", field="period",
                       partner_name=partner.name, period=period)
    row = ReguaranteePartnerEvaluation(partner_id=partner.id, period=period, score=value,
                                       remarks=inputs.text(remarks, "remarks", 1000),
                                       evaluated_on=inputs.day(evaluated_on or business_today(), "evaluated_on"),
                                       evaluated_by=actor.id_uuid)
    session.add(row)
    session.flush()
    audit(session, "reguarantee.partner.evaluated", entity_type=ENTITY, entity_id=partner.id,
          after={"period": period, "score": value})
    return row
