"""Credit rating (资信评级) with tenant-defined scorecards (docs/guarantee/risk.md, "Scorecards and ratings").

A template belongs to a customer kind and lists indicators, each with a weight (the weights sum to 1) and a
maximum of points: quantitative ones read a ratio of the customer's latest statement (hook
``customers_latest_ratios``), or a number or money custom field of the customer (source ``custom.<key>``, a field
of ``customer_<kind>``: docs/custom-fields.md), and map it to points through bands ``[min, max)``; qualitative ones are scored by a
person from 0 to the maximum. ``total = sum(weight x points / max_points x 100)`` (0..100, two places, half-up);
the grade is the first band (highest first) whose ``min`` the total reaches.
"""

from __future__ import annotations

import re
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
from surety.core.custom_fields import service as custom_fields
from surety.core.db.types import utcnow
from surety.core.errors import Conflict, NotFound, ValidationFailed
from surety.core.i18n import N_
from surety.core.ports import customers as door
from surety.core.words import Words
from surety.plugins.guarantee.permissions import RATING
from surety.plugins.guarantee.project.words import project_status
from surety.plugins.guarantee.risk.models import GuaranteeRating, GuaranteeScorecardTemplate
from surety.plugins.guarantee.risk.project_risk import CUSTOMER_KINDS, OPEN_STATUSES, project_for

QUANTITATIVE = "quantitative"
QUALITATIVE = "qualitative"
#: Ratios ``customers_latest_ratios`` gives.
RATIO_SOURCES = ("debt_ratio", "current_ratio", "quick_ratio", "roe", "revenue_growth")
HUNDRED = Decimal(100)
CENT = Decimal("0.01")
_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
#: A quantitative source reading a custom field of the customer: ``custom.<field key>``.
CUSTOM_SOURCE = re.compile(r"^custom\.([a-z][a-z0-9_]{0,39})$")
TEMPLATE_ENTITY = "guarantee:scorecard_template"
RATING_ENTITY = "guarantee:rating"


# ---------------------------------------------------------------- templates: validation ---------------------------

def _num(value: Any, field: str, what: Words, **bounds) -> str:
    return str(inputs.number(value, field=field, what=what, **bounds))


def _bands(ind: Mapping[str, Any], key: str, max_points: Decimal) -> list[dict]:
    raw = ind.get("bands") or []
    if not raw:
        raise ValidationFailed("The quantitative indicator {key!r} needs scoring bands (value ranges -> points).",
                               field="indicators", key=key)
    bands = []
    for band in raw:
        lo = None if band.get("min") in (None, "") else _num(band["min"], "indicators",
                                                             Words(N_("A band minimum of {key}"), key=key))
        hi = None if band.get("max") in (None, "") else _num(band["max"], "indicators",
                                                             Words(N_("A band maximum of {key}"), key=key))
        if lo is not None and hi is not None and Decimal(lo) >= Decimal(hi):
            raise ValidationFailed("A band of {key!r} runs from {lo} up to {hi}: its minimum must be below its "
                                   "maximum.", field="indicators", key=key, lo=lo, hi=hi)
        points = _num(band.get("points"), "indicators", Words(N_("The points of a band of {key}"), key=key),
                      low=Decimal(0),
                      high=max_points)
        bands.append({"min": lo, "max": hi, "points": points})
    bands.sort(key=lambda b: Decimal("-Infinity") if b["min"] is None else Decimal(b["min"]))
    for a, b in zip(bands, bands[1:]):
        if a["max"] is None or b["min"] is None or Decimal(a["max"]) > Decimal(b["min"]):
            raise ValidationFailed("The bands of {key!r} overlap: each value must fall in at most one band.",
                                   field="indicators", key=key)
    return bands


def _indicator(ind: Any, seen: set[str]) -> dict:
    if not isinstance(ind, Mapping):
        raise ValidationFailed("Each indicator is an object with key, name, kind and weight.", field="indicators")
    key = str(ind.get("key") or "")
    if not _KEY.match(key):
        raise ValidationFailed("An indicator key is lower-case letters, digits and _ (starting with a letter); "
                               "{key!r} is not.", field="indicators", key=key)
    if key in seen:
        raise ValidationFailed("The indicator key {key!r} appears twice.", field="indicators", key=key)
    seen.add(key)
    name = " ".join(str(ind.get("name") or "").split())
    if not name or len(name) > 100:
        raise ValidationFailed("The indicator {key!r} needs a name of at most 100 characters.", field="indicators",
                               key=key)
    kind = ind.get("kind")
    if kind not in (QUANTITATIVE, QUALITATIVE):
        raise ValidationFailed("The indicator {key!r} is quantitative or qualitative, not {kind!r}.",
                               field="indicators", key=key, kind=kind)
    weight = inputs.number(ind.get("weight"), field="indicators", what=Words(N_("The weight of {key}"), key=key),
                           low=Decimal(0),
                        high=Decimal(1))
    if weight == 0:
        raise ValidationFailed("The weight of {key!r} must be above 0 (remove an indicator you do not use).",
                               field="indicators", key=key)
    max_points = inputs.number(ind.get("max_points", "100"), field="indicators",
                               what=Words(N_("The maximum points of {key}"), key=key),
                            low=Decimal("0.01"), high=Decimal(1000))
    out = {"key": key, "name": name, "kind": kind, "weight": str(weight), "max_points": str(max_points)}
    if kind == QUANTITATIVE:
        source = ind.get("source")
        if source not in RATIO_SOURCES and not CUSTOM_SOURCE.match(str(source or "")):
            raise ValidationFailed("The quantitative indicator {key!r} reads one of the ratios "
                                   "{ratios} or a custom field (custom.<key>); not {source!r}.",
                                   field="indicators", key=key, ratios=", ".join(RATIO_SOURCES), source=source)
        out["source"] = source
        out["bands"] = _bands(ind, key, max_points)
    elif ind.get("source") or ind.get("bands"):
        raise ValidationFailed("The qualitative indicator {key!r} is scored by a person: it has no source or bands.",
                               field="indicators", key=key)
    return out


def _grades(raw: Any) -> list[dict]:
    if not raw:
        raise ValidationFailed("A scorecard needs grade bands (e.g. AAA from 90 ... C from 0).", field="grades")
    grades, names, mins = [], set(), set()
    for band in raw:
        grade = str((band or {}).get("grade") or "").strip()
        if not grade or len(grade) > 10 or grade in names:
            raise ValidationFailed("Each grade has a distinct name of at most 10 characters; {grade!r} is not.",
                                   field="grades", grade=grade)
        low = inputs.number(band.get("min"), field="grades", what=Words(N_("The minimum total of grade {grade}"),
                                                                        grade=grade),
                         low=Decimal(0), high=HUNDRED)
        if low in mins:
            raise ValidationFailed("Two grades start at {low}.", field="grades", low=low)
        names.add(grade)
        mins.add(low)
        grades.append({"grade": grade, "min": str(low)})
    if Decimal(0) not in mins:
        raise ValidationFailed("The lowest grade must start at 0 so that every total gets a grade.", field="grades")
    return sorted(grades, key=lambda g: Decimal(g["min"]), reverse=True)


def clean_template(indicators: Any, grades: Any) -> tuple[list[dict], list[dict]]:
    """Validated indicators (weights summing to exactly 1) and grade bands (highest first)."""
    if not indicators:
        raise ValidationFailed("A scorecard needs at least one indicator.", field="indicators")
    seen: set[str] = set()
    cleaned = [_indicator(ind, seen) for ind in indicators]
    total = sum((Decimal(i["weight"]) for i in cleaned), Decimal(0))
    if total != 1:
        raise ValidationFailed("The indicator weights must sum to 1; they sum to {total}.", field="indicators",
                               total=total)
    return cleaned, _grades(grades)


# ---------------------------------------------------------------- templates: services -----------------------------

def _deactivate_others(session: Session, template: GuaranteeScorecardTemplate) -> None:
    for other in session.scalars(select(GuaranteeScorecardTemplate).where(
            GuaranteeScorecardTemplate.customer_kind == template.customer_kind,
            GuaranteeScorecardTemplate.id != template.id, GuaranteeScorecardTemplate.active.is_(True))):
        other.active = False


def _template_image(t: GuaranteeScorecardTemplate) -> dict:
    return {"code": t.code, "name": t.name, "customer_kind": t.customer_kind, "version": t.version,
            "active": t.active, "indicators": t.indicators, "grades": t.grades}


def _check_custom_sources(session: Session, customer_kind: str, indicators: list[dict]) -> None:
    """Each ``custom.<key>`` source names an active, non-sensitive number or money field of the kind's customers."""
    fields = {d.key: d for d in custom_fields.definitions(session, f"customer_{customer_kind}")}
    for ind in indicators:
        found = CUSTOM_SOURCE.match(ind.get("source") or "")
        if not found:
            continue
        d = fields.get(found.group(1))
        if d is None or d.type not in ("number", "money") or d.sensitive:
            raise ValidationFailed("The indicator {key} reads {source}, which is no active, non-sensitive number or "
                                   "money custom field of {kind} customers.", field="indicators", key=ind["key"],
                                   source=ind["source"], kind=customer_kind)


def save_template(session: Session, actor: Actor, *, name: str, indicators: Any, grades: Any,
                  template_id: uuid.UUID | None = None, code: str | None = None, customer_kind: str | None = None,
                  active: bool = True) -> GuaranteeScorecardTemplate:
    """Create a template (``code`` and ``customer_kind`` required) or save a new version of ``template_id``
    (code and kind stay). An active template replaces the previously active one of its kind."""
    require(session, actor, RATING, "manage")
    name = " ".join(str(name or "").split())
    if not name or len(name) > 200:
        raise ValidationFailed("A scorecard needs a name of at most 200 characters.", field="name")
    cleaned, bands = clean_template(indicators, grades)
    kind_for_sources = customer_kind
    if template_id is not None and customer_kind is None:
        kind_for_sources = get_template(session, actor, template_id).customer_kind
    if kind_for_sources in CUSTOMER_KINDS:
        _check_custom_sources(session, kind_for_sources, cleaned)
    if template_id is None:
        if customer_kind not in CUSTOMER_KINDS:
            raise ValidationFailed("A scorecard is for one customer kind: {kinds}.",
                                   field="customer_kind", kinds=" or ".join(CUSTOMER_KINDS))
        code = str(code or "").strip()
        if not re.match(r"^[A-Za-z0-9_.-]{1,40}$", code):
            raise ValidationFailed("A scorecard code is 1-40 letters, digits, '.', '_' or '-'.", field="code")
        if session.scalar(select(GuaranteeScorecardTemplate.id).where(GuaranteeScorecardTemplate.code == code)):
            raise Conflict("A scorecard with the code {scorecard_code!r} exists already.", field="code",
                           scorecard_code=code)
        template, before = GuaranteeScorecardTemplate(code=code, customer_kind=customer_kind, version=1), None
        session.add(template)
    else:
        template = get_template(session, actor, template_id)
        if customer_kind not in (None, template.customer_kind):
            raise ValidationFailed("A scorecard's customer kind cannot change; create a new one.",
                                   field="customer_kind")
        before = _template_image(template)
        template.version += 1
    template.name, template.indicators, template.grades, template.active = name, cleaned, bands, bool(active)
    template.updated_by, template.updated_at = actor.id_uuid, utcnow()
    session.flush()
    if template.active:
        _deactivate_others(session, template)
    audit(session, "guarantee.scorecard_template.save", entity_type=TEMPLATE_ENTITY, entity_id=template.id,
          before=before, after=_template_image(template), actor=actor)
    return template


def get_template(session: Session, actor: Actor, template_id: uuid.UUID) -> GuaranteeScorecardTemplate:
    require(session, actor, RATING, "read")
    template = session.scalar(select(GuaranteeScorecardTemplate).where(GuaranteeScorecardTemplate.id == template_id))
    if template is None:
        raise NotFound("No scorecard template with that id.", field="template_id")
    return template


def list_templates(session: Session, actor: Actor, customer_kind: str | None = None
                   ) -> list[GuaranteeScorecardTemplate]:
    require(session, actor, RATING, "read")
    stmt = select(GuaranteeScorecardTemplate)
    if customer_kind:
        stmt = stmt.where(GuaranteeScorecardTemplate.customer_kind == customer_kind)
    return list(session.scalars(stmt.order_by(GuaranteeScorecardTemplate.customer_kind,
                                              GuaranteeScorecardTemplate.code)))


def _q(key, name, weight, source, bands) -> dict:
    return {"key": key, "name": name, "kind": QUANTITATIVE, "weight": weight, "max_points": "100", "source": source,
            "bands": [{"min": lo, "max": hi, "points": pts} for lo, hi, pts in bands]}


def _ql(key, name, weight) -> dict:
    return {"key": key, "name": name, "kind": QUALITATIVE, "weight": weight, "max_points": "100"}


DEFAULT_GRADES = [{"grade": g, "min": m} for g, m in (("AAA", "90"), ("AA", "80"), ("A", "70"), ("BBB", "60"),
                                                      ("BB", "50"), ("B", "40"), ("C", "0"))]
DEFAULT_TEMPLATES = {
    "corporate": ("default-corporate", "企业客户资信评级（默认）", [
        _q("debt_ratio", "资产负债率", "0.25", "debt_ratio",
           ((None, "0.5", "100"), ("0.5", "0.6", "85"), ("0.6", "0.7", "70"), ("0.7", "0.8", "50"),
            ("0.8", None, "20"))),
        _q("current_ratio", "流动比率", "0.15", "current_ratio",
           ((None, "1", "30"), ("1", "1.5", "60"), ("1.5", "2", "85"), ("2", None, "100"))),
        _q("quick_ratio", "速动比率", "0.10", "quick_ratio",
           ((None, "0.5", "30"), ("0.5", "1", "70"), ("1", None, "100"))),
        _q("roe", "净资产收益率", "0.15", "roe",
           ((None, "0", "0"), ("0", "0.05", "50"), ("0.05", "0.1", "75"), ("0.1", None, "100"))),
        _ql("management", "经营管理水平", "0.10"),
        _ql("industry_outlook", "行业前景", "0.10"),
        _ql("credit_history", "信用记录", "0.15"),
    ]),
    "individual": ("default-individual", "个人客户资信评级（默认）", [
        _ql("repayment_capacity", "还款能力", "0.30"),
        _ql("credit_history", "信用记录", "0.30"),
        _ql("stability", "职业与居住稳定性", "0.20"),
        _ql("assets", "家庭资产", "0.20"),
    ]),
}


def install_default_templates(session: Session) -> list[GuaranteeScorecardTemplate]:
    """Provisioning: a default active scorecard for each customer kind that has none (safe to run again)."""
    added = []
    for kind, (code, name, indicators) in DEFAULT_TEMPLATES.items():
        if session.scalar(select(GuaranteeScorecardTemplate.id)
                          .where(GuaranteeScorecardTemplate.customer_kind == kind).limit(1)):
            continue
        cleaned, grades = clean_template(indicators, DEFAULT_GRADES)
        template = GuaranteeScorecardTemplate(code=code, name=name, customer_kind=kind, version=1, active=True,
                                              indicators=cleaned, grades=grades)
        session.add(template)
        added.append(template)
    session.flush()
    return added


# ---------------------------------------------------------------- ratings -----------------------------------------

def band_points(value: Decimal, bands: list[dict]) -> Decimal:
    """The points of the band ``[min, max)`` holding ``value``; 0 when no band holds it."""
    for band in bands:
        if (band["min"] is None or value >= Decimal(band["min"])) and (band["max"] is None
                                                                       or value < Decimal(band["max"])):
            return Decimal(band["points"])
    return Decimal(0)


def grade_of(total: Decimal, grades: list[dict]) -> str:
    return next(g["grade"] for g in grades if total >= Decimal(g["min"]))


def _quantitative_values(session: Session, customer_id: uuid.UUID, indicators: list[dict],
                         customer_kind: str) -> tuple[dict[str, Decimal], Mapping[str, Any] | None]:
    wanted = [i for i in indicators if i["kind"] == QUANTITATIVE]
    if not wanted:
        return {}, None
    values: dict[str, Decimal] = {}
    for ind in wanted:
        found = CUSTOM_SOURCE.match(ind["source"])
        if not found:
            continue
        value = custom_fields.number_value(session, f"customer_{customer_kind}", customer_id, found.group(1))
        if value is None:
            raise ValidationFailed("The indicator {key} reads the customer's custom field {source}, which holds no "
                                   "value: fill it in first.", field="custom_fields", key=ind["key"],
                                   source=ind["source"])
        values[ind["key"]] = value
    from_ratios = [i for i in wanted if i["key"] not in values]
    if not from_ratios:
        return values, None
    ratios = door.latest_ratios(session, customer_id)
    if ratios is None:
        raise ValidationFailed(
            "The customer has no financial statement: the quantitative indicators "
            "{keys} need the ratios of its latest statement. Enter one first.",
            field="statement", keys=", ".join(i['key'] for i in from_ratios))
    for ind in from_ratios:
        value = ratios.get(ind["source"])
        if value is None:
            raise ValidationFailed(
                "The indicator {key!r} needs {source}, which the latest statement "
                "({period_type}, {period_end}) cannot give (a zero denominator, or for "
                "revenue growth no statement a year earlier).", field="statement", key=ind["key"],
                source=ind["source"], period_type=ratios.get("period_type"), period_end=ratios.get("period_end"))
        values[ind["key"]] = Decimal(str(value))
    return values, ratios


def _qualitative_values(indicators: list[dict], scores: Mapping[str, Any]) -> dict[str, Decimal]:
    by_key = {i["key"]: i for i in indicators}
    for key in scores:
        if key not in by_key:
            raise ValidationFailed("The scorecard has no indicator {key!r}.", field="scores", key=key)
        if by_key[key]["kind"] == QUANTITATIVE:
            raise ValidationFailed("The indicator {key!r} is computed from the statement, not scored by hand.",
                                   field="scores", key=key)
    values = {}
    for ind in indicators:
        if ind["kind"] != QUALITATIVE:
            continue
        if scores.get(ind["key"]) in (None, ""):
            raise ValidationFailed("The qualitative indicator {key!r} ({name}) needs a score from 0 "
                                   "to {max_points}.", field="scores", key=ind["key"], name=ind["name"],
                                   max_points=ind["max_points"])
        values[ind["key"]] = inputs.number(scores[ind["key"]], field="scores", what=Words(N_("The score of {key}"),
                                                                                          key=ind["key"]),
                                        low=Decimal(0), high=Decimal(ind["max_points"]))
    return values


def compute(indicators: list[dict], grades: list[dict], quantitative: Mapping[str, Decimal],
            qualitative: Mapping[str, Decimal]) -> tuple[list[dict], Decimal, str]:
    """Per-indicator lines, the total (two places, half-up) and the grade."""
    lines, total = [], Decimal(0)
    for ind in indicators:
        weight, max_points = Decimal(ind["weight"]), Decimal(ind["max_points"])
        if ind["kind"] == QUANTITATIVE:
            value = quantitative[ind["key"]]
            points = band_points(value, ind["bands"])
        else:
            value, points = None, qualitative[ind["key"]]
        score = weight * points / max_points * HUNDRED
        total += score
        lines.append({"key": ind["key"], "name": ind["name"], "kind": ind["kind"],
                      "value": None if value is None else str(value), "points": str(points),
                      "max_points": str(max_points), "weight": str(weight),
                      "score": str(score.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP))})
    total = total.quantize(CENT, rounding=ROUND_HALF_UP)
    return lines, total, grade_of(total, grades)


def _active_template(session: Session, customer_kind: str) -> GuaranteeScorecardTemplate:
    template = session.scalar(select(GuaranteeScorecardTemplate).where(
        GuaranteeScorecardTemplate.customer_kind == customer_kind, GuaranteeScorecardTemplate.active.is_(True)))
    if template is None:
        raise NotFound("No active scorecard template for {customer_kind} customers: create one first.",
                       field="template_id", customer_kind=customer_kind)
    return template


def score_rating(session: Session, actor: Actor, project_id: uuid.UUID, scores: Mapping[str, Any], *,
                 template_id: uuid.UUID | None = None, comment: str = "") -> GuaranteeRating:
    """Rate the project's customer: quantitative indicators from its latest statement, qualitative ones from
    ``scores`` (indicator key -> points). Uses the active template of the customer's kind unless ``template_id``."""
    require(session, actor, RATING, "score")
    project = project_for(session, actor, project_id)
    if project.status not in OPEN_STATUSES:
        raise Conflict("A rating is made while the project is a draft or in approval; it is {status}.",
                       field="project_id", status=project_status(project.status))
    template = (get_template(session, actor, template_id) if template_id
                else _active_template(session, project.customer_kind))
    if template.customer_kind != project.customer_kind:
        raise ValidationFailed("The scorecard {name!r} is for {template_kind} customers; the "
                               "project's customer is {customer_kind}.", field="template_id", name=template.name,
                               template_kind=template.customer_kind, customer_kind=project.customer_kind)
    comment = " ".join(str(comment or "").split())
    if len(comment) > 1000:
        raise ValidationFailed("A rating comment is at most 1000 characters.", field="comment")
    qualitative = _qualitative_values(template.indicators, dict(scores or {}))
    quantitative, ratios = _quantitative_values(session, project.customer_id, template.indicators,
                                                project.customer_kind)
    lines, total, grade = compute(template.indicators, template.grades, quantitative, qualitative)
    rating = GuaranteeRating(
        project_id=project.id, customer_id=project.customer_id, template_id=template.id,
        template_version=template.version, template=_template_image(template),
        statement_period_type=ratios.get("period_type") if ratios else None,
        statement_period_end=ratios.get("period_end") if ratios else None,
        scores=lines, total=total, grade=grade, comment=comment, rated_by=actor.id_uuid, rated_at=utcnow())
    session.add(rating)
    session.flush()
    audit(session, "guarantee.rating.score", entity_type=RATING_ENTITY, entity_id=rating.id,
          after={"project_id": str(project.id), "template_id": str(template.id), "template_version": template.version,
                 "scores": lines, "total": str(total), "grade": grade}, actor=actor)
    return rating


def latest_rating(session: Session, project_id: uuid.UUID) -> GuaranteeRating | None:
    return session.scalar(select(GuaranteeRating).where(GuaranteeRating.project_id == project_id)
                          .order_by(GuaranteeRating.rated_at.desc(), GuaranteeRating.id.desc()).limit(1))


def get_rating(session: Session, actor: Actor, project_id: uuid.UUID) -> GuaranteeRating | None:
    """The project's latest rating (None when not rated yet)."""
    require(session, actor, RATING, "read")
    return latest_rating(session, project_for(session, actor, project_id).id)
