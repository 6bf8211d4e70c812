"""Project risk (项目风险度): the risk degree and risk amount of a project from its counter-guarantees and the tenant's
risk weights (docs/guarantee/risk.md, "Project risk").

Formula (all Decimal; amounts rounded half-up to the fen, ratios to 6 places):

- each counter-guarantee covers ``covered_i = valuation_i x discount_rate_i``;
- cover is applied strongest first (lowest kind weight, then oldest) until the project amount is used up:
  ``counted_i = min(covered_i, remaining)``; what is left is ``uncovered``;
- ``risk amount = customer_weight x (uncovered + sum(counted_i x kind_weight_i))``;
- ``risk degree = risk amount / amount``; ``coverage ratio = sum(covered_i) / amount`` (may exceed 1).

The result is stored on the project (``risk_degree``, ``risk_amount``) whenever its counter-guarantees, its amount
(area A calls :func:`recompute_risk`) or the tenant's weights change (open projects only).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from surety.core import inputs, risk_weights
from surety.core.audit.log import audit
from surety.core.authz.check import require
from surety.core.context import Actor
from surety.core.db.types import to_money, utcnow
from surety.core.errors import NotFound, ValidationFailed
from surety.core.i18n import N_
from surety.core.words import Words
from surety.plugins.guarantee.permissions import COUNTER, SETTINGS
from surety.plugins.guarantee.project.models import (
    COUNTER_KINDS,
    STATUS_DRAFT,
    STATUS_IN_APPROVAL,
    GuaranteeCounterGuarantee,
    GuaranteeProject,
)
from surety.plugins.guarantee.project.projects import get_project
from surety.plugins.guarantee.settings import get_settings

RATIO = risk_weights.RATIO
CUSTOMER_KINDS = ("corporate", "individual")
#: Statuses in which counter-guarantees, ratings and the due-diligence report may still change.
OPEN_STATUSES = (STATUS_DRAFT, STATUS_IN_APPROVAL)
#: Used for every key the tenant has not set (GuaranteeSettings.risk_weights overrides them one by one).
#: The table lives in core/risk_weights.py (the re-guarantee monitoring reads it too).
DEFAULT_WEIGHTS: dict[str, dict[str, Decimal]] = risk_weights.DEFAULT_RISK_WEIGHTS
_KNOWN = {"customer": CUSTOMER_KINDS, "counter": COUNTER_KINDS}


# ---------------------------------------------------------------- shared helpers of this area ----------------------

#: ``num / den`` to 6 places, half-up; None when ``den`` is not positive (core/risk_weights.py).
ratio = risk_weights.ratio


def project_for(session: Session, actor: Actor, project_id: uuid.UUID, *, lock: bool = False) -> GuaranteeProject:
    """The project if the actor may read it (permission and data scope, ``projects.get_project``), else NotFound
    naming ``project_id``. ``lock``: row-locked for the transaction (serialises changes of one project)."""

    try:
        project = get_project(session, actor, project_id)
    except NotFound:
        raise NotFound("No guarantee project with that id in your data scope.", field="project_id") from None
    if lock:
        session.refresh(project, with_for_update=True)
    return project


# ---------------------------------------------------------------- weights -----------------------------------------

def effective_weights(session: Session) -> dict[str, dict[str, Decimal]]:
    """The defaults overlaid with the tenant's weights."""
    stored = get_settings(session).risk_weights or {}
    return {group: {key: Decimal(str(stored.get(group, {}).get(key, default)))
                    for key, default in defaults.items()}
            for group, defaults in DEFAULT_WEIGHTS.items()}


def _clean_weights(weights: Any) -> dict[str, dict[str, str]]:
    if not isinstance(weights, dict):
        raise ValidationFailed("Risk weights are an object {customer: {...}, counter: {...}}.", field="weights")
    out: dict[str, dict[str, str]] = {}
    for group, values in weights.items():
        if group not in _KNOWN:
            raise ValidationFailed("Unknown risk-weight group {group!r}: use customer or counter.", field="weights",
                                   group=group)
        if not isinstance(values, dict):
            raise ValidationFailed("Risk weights of {group} are an object of kind -> weight.", field="weights",
                                   group=group)
        for key, value in values.items():
            if key not in _KNOWN[group]:
                raise ValidationFailed("Unknown {group} kind {key!r} in the risk weights: use one of "
                                       "{kinds}.", field="weights", group=group, key=key,
                                       kinds=", ".join(_KNOWN[group]))
            number = inputs.number(value, field="weights", what=Words(N_("The {group} weight of {key}"), group=group,
                                                                      key=key), low=Decimal(0),
                                high=Decimal(1))
            out.setdefault(group, {})[key] = str(number)
    return out


def update_risk_weights(session: Session, actor: Actor, weights: dict) -> dict[str, dict[str, Decimal]]:
    """Set some or all of the tenant's risk weights (each in [0, 1]; keys not given keep their value) and recompute
    the stored risk of open projects (draft, in approval). Returns the effective weights."""
    require(session, actor, SETTINGS, "manage")
    changes = _clean_weights(weights)
    settings = get_settings(session)
    before = {g: dict(v) for g, v in (settings.risk_weights or {}).items()}
    merged = {g: dict(v) for g, v in before.items()}
    for group, values in changes.items():
        merged.setdefault(group, {}).update(values)
    settings.risk_weights = merged
    session.flush()
    audit(session, "guarantee.risk_weights.update", entity_type="guarantee:settings", entity_id=settings.id,
          before=before, after=merged, actor=actor)
    for project in session.scalars(select(GuaranteeProject).where(GuaranteeProject.status.in_(OPEN_STATUSES))):
        recompute_risk(session, project)
    return effective_weights(session)


# ---------------------------------------------------------------- the computation ---------------------------------

@dataclass(frozen=True)
class CoverLine:
    counter_guarantee_id: uuid.UUID
    kind: str
    covered: Decimal  # valuation x discount rate (fen)
    counted: Decimal  # the part of it applied to the project amount
    weight: Decimal


@dataclass(frozen=True)
class ProjectRisk:
    project_id: uuid.UUID
    amount: Decimal
    customer_kind: str
    customer_weight: Decimal
    covered_amount: Decimal
    coverage_ratio: Decimal | None
    uncovered_amount: Decimal
    risk_amount: Decimal
    risk_degree: Decimal | None
    lines: tuple[CoverLine, ...]


def compute_risk(amount: Decimal, customer_kind: str, counters: list[GuaranteeCounterGuarantee],
                 weights: dict[str, dict[str, Decimal]], project_id: uuid.UUID | None = None) -> ProjectRisk:
    """The formula of this module's docstring, without touching the database."""
    customer_weight = weights["customer"].get(customer_kind, Decimal(1))
    ordered = sorted(counters, key=lambda c: (weights["counter"][c.kind], c.created_at, str(c.id)))
    covers = [(to_money(c.valuation * c.discount_rate), weights["counter"][c.kind]) for c in ordered]
    risk = risk_weights.weighted_risk(amount, customer_weight, covers)
    lines = [CoverLine(c.id, c.kind, covered, counted, weight)
             for c, (covered, weight), counted in zip(ordered, covers, risk.counted, strict=True)]
    covered_total = sum((line.covered for line in lines), Decimal("0.00"))
    return ProjectRisk(project_id=project_id, amount=amount, customer_kind=customer_kind,
                       customer_weight=customer_weight, covered_amount=covered_total,
                       coverage_ratio=ratio(covered_total, amount), uncovered_amount=risk.uncovered,
                       risk_amount=risk.risk_amount, risk_degree=risk.risk_degree, lines=tuple(lines))


def _counters(session: Session, project_id: uuid.UUID) -> list[GuaranteeCounterGuarantee]:
    return list(session.scalars(select(GuaranteeCounterGuarantee)
                                .where(GuaranteeCounterGuarantee.project_id == project_id)
                                .order_by(GuaranteeCounterGuarantee.created_at, GuaranteeCounterGuarantee.id)))


def recompute_risk(session: Session, project: GuaranteeProject) -> ProjectRisk:
    """Compute the project's risk now and store ``risk_degree`` and ``risk_amount`` on it (no permission check:
    services call it after changing the amount or the counter-guarantees)."""
    session.flush()
    result = compute_risk(project.amount, project.customer_kind, _counters(session, project.id),
                          effective_weights(session), project.id)
    project.risk_degree, project.risk_amount = result.risk_degree, result.risk_amount
    project.updated_at = utcnow()
    session.flush()
    return result


def project_risk(session: Session, actor: Actor, project_id: uuid.UUID) -> ProjectRisk:
    """The project's coverage and risk as the current counter-guarantees and weights give them."""
    require(session, actor, COUNTER, "read")
    project = project_for(session, actor, project_id)
    return compute_risk(project.amount, project.customer_kind, _counters(session, project.id),
                        effective_weights(session), project.id)
