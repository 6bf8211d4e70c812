"""GraphQL of counter-guarantees, project risk, scorecards, ratings and due-diligence reports (area B of the
``guarantee`` plugin): thin resolvers over ``counter_guarantees``, ``risk``, ``rating`` and ``due_diligence``.
Decimals use the schema's Decimal scalar (exact, as strings on the wire). A counter-guarantee kind is given as its code
or its zh-CN or English label (抵押, Mortgage; guarantee.counter_guarantee_kind) and shown with ``kindLabel``; a
valuation may be given in 万元 (``valuationWithUnit``) and a discount rate in percent (``discountRateWithUnit``); the
queries give all their amounts in the unit asked for (docs/graphql.md, "Labels and units")."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

import strawberry
from strawberry.scalars import JSON

from surety.core.db.types import to_money
from surety.core.errors import ValidationFailed
from surety.core.i18n import N_
from surety.core.words import Words
from surety.graphql.auth import actor, decode_node_id, require
from surety.graphql.errors import UserError, run_mutation
from surety.graphql.nodes import global_id as gid
from surety.graphql.pii import shown
from surety.graphql.units import AmountInput, AmountUnit, RateInput, amount_of, rate_of
from surety.graphql.units import shown as in_unit
from surety.plugins.guarantee.project.codes import COUNTER_GUARANTEE_KIND
from surety.plugins.guarantee.risk.counter_guarantees import (
    add_counter_guarantee,
    list_counter_guarantees,
    remove_counter_guarantee,
    update_counter_guarantee,
)
from surety.plugins.guarantee.risk.due_diligence import FIELDS, get_report, save_report, submit_report
from surety.plugins.guarantee.risk.project_risk import effective_weights, project_risk, update_risk_weights
from surety.plugins.guarantee.risk.rating import get_rating, list_templates, save_template, score_rating

PROJECT = "GuaranteeProject"
COUNTER = "GuaranteeCounterGuarantee"
TEMPLATE = "GuaranteeScorecardTemplate"
RATING = "GuaranteeRating"
REPORT = "GuaranteeDueDiligenceReport"
#: The audited entity of a counter-guarantee's revealed personal data.
COUNTER_ENTITY = "guarantee:counter_guarantee"
#: Collateral details that are personal data: masked unless revealed.
PERSONAL_COLLATERAL = ("address",)


def _pid(value) -> uuid.UUID:
    return decode_node_id(value, PROJECT, field="projectId")


def _given(inp, names) -> dict:
    return {n: getattr(inp, n) for n in names if getattr(inp, n) is not strawberry.UNSET}


KIND_HELP = ("pledge 质押 | mortgage 抵押 | third_party 保证 | credit 信用 | lien 留置 | deposit 定金 (code list "
             "guarantee.counter_guarantee_kind)")


def _with_units(inp, data: dict) -> dict:
    """``data`` (the fields given) with the kind as its code (a label is taken) and the valuation and discount rate
    given with a unit converted to yuan and a fraction (refused when also given plainly)."""
    if data.get("kind") is not None:
        data["kind"] = COUNTER_GUARANTEE_KIND.parse(data["kind"], "kind")
    valuation = amount_of(inp.valuation, inp.valuation_with_unit, "valuation", "valuationWithUnit",
                          what=Words(N_("The valuation")))
    if valuation is not strawberry.UNSET and (valuation is not None or "valuation" in data):
        data["valuation"] = valuation
    rate = rate_of(inp.discount_rate, inp.discount_rate_with_unit, "discountRate", "discountRateWithUnit",
                   what=Words(N_("The discount rate")))
    if rate is not strawberry.UNSET and (rate is not None or "discount_rate" in data):
        data["discount_rate"] = rate
    return data


# ---------------------------------------------------------------- counter-guarantees and risk ----------------------

@strawberry.type(description="A counter-guarantee (反担保) of a project.")
class GuaranteeCounterGuarantee:
    id: strawberry.ID
    project_id: strawberry.ID
    kind: str = strawberry.field(description=KIND_HELP)
    description: str
    valuation: Decimal = strawberry.field(description="In amountUnit")
    valuation_date: dt.date | None
    discount_rate: Decimal = strawberry.field(description="Share of the valuation counted as cover (0..1)")
    covered_amount: Decimal = strawberry.field(description="valuation x discount rate, in amountUnit")
    amount_unit: AmountUnit = strawberry.field(description="The unit of every amount here (the query's `unit`)")
    created_at: dt.datetime
    row: strawberry.Private[Any]

    @classmethod
    def from_row(cls, r, unit: AmountUnit = AmountUnit.YUAN) -> "GuaranteeCounterGuarantee":
        return cls(id=gid(COUNTER, r.id), project_id=gid(PROJECT, r.project_id), kind=r.kind,
                   description=r.description, valuation=in_unit(r.valuation, unit), valuation_date=r.valuation_date,
                   discount_rate=r.discount_rate,
                   covered_amount=in_unit(to_money(r.valuation * r.discount_rate), unit), amount_unit=unit,
                   created_at=r.created_at, row=r)

    @strawberry.field(description="The kind's label in the request's locale (e.g. 抵押)")
    def kind_label(self) -> str:
        return COUNTER_GUARANTEE_KIND.label(self.kind)

    @strawberry.field(description="Pledgor, mortgagor or guarantor; masked unless `reveal` (core:pii:reveal, "
                                  "audited).")
    def owner_name(self, info: strawberry.Info, reveal: bool = False) -> str | None:
        return shown(info, COUNTER_ENTITY, str(self.row.id), "owner_name", self.row.owner_name, "name", reveal)

    @strawberry.field(description="Kind-specific collateral details (docs/guarantee/risk.md); the address is masked "
                                  "unless `reveal` (core:pii:reveal, audited).")
    def collateral(self, info: strawberry.Info, reveal: bool = False) -> JSON:
        details = dict(self.row.collateral or {})
        for key in PERSONAL_COLLATERAL:
            if details.get(key):
                details[key] = shown(info, COUNTER_ENTITY, str(self.row.id), f"collateral.{key}", details[key],
                                     "address", reveal)
        return details


@strawberry.type
class GuaranteeRiskLine:
    counter_guarantee_id: strawberry.ID
    kind: str
    covered: Decimal = strawberry.field(description="valuation x discount rate")
    counted: Decimal = strawberry.field(description="The part applied to the project amount (strongest cover first)")
    weight: Decimal

    @strawberry.field(description="The kind's label in the request's locale (e.g. 抵押)")
    def kind_label(self) -> str:
        return COUNTER_GUARANTEE_KIND.label(self.kind)


@strawberry.type(description="A project's coverage and risk (docs/guarantee/risk.md, 'Project risk'); every amount "
                              "in amountUnit.")
class GuaranteeProjectRisk:
    project_id: strawberry.ID
    amount: Decimal
    customer_kind: str
    customer_weight: Decimal
    covered_amount: Decimal
    coverage_ratio: Decimal | None = strawberry.field(description="sum(valuation x discount) / amount, 6 places")
    uncovered_amount: Decimal
    risk_amount: Decimal
    risk_degree: Decimal | None = strawberry.field(description="risk amount / amount, 6 places")
    lines: list[GuaranteeRiskLine]
    amount_unit: AmountUnit = strawberry.field(description="The unit of every amount here and in lines (the query's "
                                                           "`unit`)")

    @classmethod
    def of(cls, r, unit: AmountUnit = AmountUnit.YUAN) -> "GuaranteeProjectRisk":
        return cls(project_id=gid(PROJECT, r.project_id), amount=in_unit(r.amount, unit),
                   customer_kind=r.customer_kind, customer_weight=r.customer_weight,
                   covered_amount=in_unit(r.covered_amount, unit), coverage_ratio=r.coverage_ratio,
                   uncovered_amount=in_unit(r.uncovered_amount, unit), risk_amount=in_unit(r.risk_amount, unit),
                   risk_degree=r.risk_degree, amount_unit=unit,
                   lines=[GuaranteeRiskLine(counter_guarantee_id=gid(COUNTER, x.counter_guarantee_id), kind=x.kind,
                                            covered=in_unit(x.covered, unit), counted=in_unit(x.counted, unit),
                                            weight=x.weight)
                          for x in r.lines])


@strawberry.type
class GuaranteeRiskWeight:
    group: str = strawberry.field(description="customer | counter")
    kind: str
    weight: Decimal

    @strawberry.field(description="A counter-guarantee kind's label in the request's locale (a customer kind: "
                                  "the kind)")
    def kind_label(self) -> str:
        return COUNTER_GUARANTEE_KIND.label(self.kind) if self.group == "counter" else self.kind

    @staticmethod
    def all(weights: dict) -> list["GuaranteeRiskWeight"]:
        return [GuaranteeRiskWeight(group=g, kind=k, weight=w) for g, values in weights.items()
                for k, w in values.items()]


@strawberry.input
class GuaranteeCounterGuaranteeAddInput:
    project_id: strawberry.ID
    kind: str = strawberry.field(description="The code or its zh-CN / English label: " + KIND_HELP)
    description: str | None = None
    owner_name: str | None = strawberry.field(default=None, description="Pledgor, mortgagor or guarantor")
    collateral: JSON | None = strawberry.field(default=None, description="Kind-specific details, e.g. mortgage: "
                                               "{certificate_no, address}")
    valuation: Decimal | None = strawberry.field(default=None, description="yuan (or give valuationWithUnit)")
    valuation_with_unit: AmountInput | None = strawberry.field(default=None, description="The valuation in yuan or "
                                                               "万元 (not together with valuation)")
    valuation_date: dt.date | None = None
    discount_rate: Decimal | None = strawberry.field(default=None, description="0..1 (default 1; or give "
                                                     "discountRateWithUnit)")
    discount_rate_with_unit: RateInput | None = strawberry.field(default=None, description="The discount rate as a "
                                                                 "fraction or in percent (not together with "
                                                                 "discountRate)")


@strawberry.input(description="Only the fields given change.")
class GuaranteeCounterGuaranteeUpdateInput:
    id: strawberry.ID
    kind: str | None = strawberry.field(default=strawberry.UNSET, description="The code or its zh-CN / English "
                                        "label")
    description: str | None = strawberry.UNSET
    owner_name: str | None = strawberry.UNSET
    collateral: JSON | None = strawberry.UNSET
    valuation: Decimal | None = strawberry.UNSET
    valuation_with_unit: AmountInput | None = strawberry.field(default=strawberry.UNSET, description="The valuation "
                                                               "in yuan or 万元 (not together with valuation)")
    valuation_date: dt.date | None = strawberry.UNSET
    discount_rate: Decimal | None = strawberry.UNSET
    discount_rate_with_unit: RateInput | None = strawberry.field(default=strawberry.UNSET, description="The "
                                                                 "discount rate as a fraction or in percent (not "
                                                                 "together with discountRate)")


_CG_FIELDS = ("kind", "description", "owner_name", "collateral", "valuation", "valuation_date", "discount_rate")


@strawberry.input
class GuaranteeRiskWeightInput:
    group: str = strawberry.field(description="customer | counter")
    kind: str = strawberry.field(description="A customer kind or a counter-guarantee kind (its code or label)")
    weight: Decimal = strawberry.field(description="0..1")


@strawberry.type
class GuaranteeCounterGuaranteePayload:
    counter_guarantee: GuaranteeCounterGuarantee | None = None
    risk: GuaranteeProjectRisk | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class GuaranteeCounterGuaranteeRemovePayload:
    ok: bool = False
    risk: GuaranteeProjectRisk | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class GuaranteeRiskWeightsPayload:
    weights: list[GuaranteeRiskWeight] | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


# ---------------------------------------------------------------- scorecards and ratings --------------------------

@strawberry.type
class GuaranteeScoreBand:
    min: Decimal | None = strawberry.field(description="Inclusive lower bound (null: unbounded)")
    max: Decimal | None = strawberry.field(description="Exclusive upper bound (null: unbounded)")
    points: Decimal


@strawberry.type
class GuaranteeScorecardIndicator:
    key: str
    name: str
    kind: str = strawberry.field(description="quantitative | qualitative")
    weight: Decimal
    max_points: Decimal
    source: str | None = strawberry.field(description="The ratio a quantitative indicator reads")
    bands: list[GuaranteeScoreBand]

    @classmethod
    def of(cls, d: dict) -> "GuaranteeScorecardIndicator":
        def dec(v):
            return None if v is None else Decimal(v)

        return cls(key=d["key"], name=d["name"], kind=d["kind"], weight=Decimal(d["weight"]),
                   max_points=Decimal(d["max_points"]), source=d.get("source"),
                   bands=[GuaranteeScoreBand(min=dec(b["min"]), max=dec(b["max"]), points=Decimal(b["points"]))
                          for b in d.get("bands") or []])


@strawberry.type
class GuaranteeGradeBand:
    grade: str
    min: Decimal = strawberry.field(description="The lowest total of this grade")


@strawberry.type(description="A credit-rating scorecard for one customer kind.")
class GuaranteeScorecardTemplate:
    id: strawberry.ID
    code: str
    name: str
    customer_kind: str
    version: int
    active: bool
    indicators: list[GuaranteeScorecardIndicator]
    grades: list[GuaranteeGradeBand]
    updated_at: dt.datetime

    @classmethod
    def from_row(cls, r) -> "GuaranteeScorecardTemplate":
        return cls(id=gid(TEMPLATE, r.id), code=r.code, name=r.name, customer_kind=r.customer_kind,
                   version=r.version, active=r.active,
                   indicators=[GuaranteeScorecardIndicator.of(i) for i in r.indicators],
                   grades=[GuaranteeGradeBand(grade=g["grade"], min=Decimal(g["min"])) for g in r.grades],
                   updated_at=r.updated_at)


@strawberry.type
class GuaranteeRatingScore:
    key: str
    name: str
    kind: str
    value: Decimal | None = strawberry.field(description="The ratio read (quantitative)")
    points: Decimal
    max_points: Decimal
    weight: Decimal
    score: Decimal = strawberry.field(description="weight x points / max points x 100")


@strawberry.type(description="A credit rating (资信评级) of a project's customer.")
class GuaranteeRating:
    id: strawberry.ID
    project_id: strawberry.ID
    template_id: strawberry.ID
    template_version: int
    template_name: str
    statement_period_type: str | None
    statement_period_end: dt.date | None
    scores: list[GuaranteeRatingScore]
    total: Decimal
    grade: str
    comment: str
    rated_by: strawberry.ID | None
    rated_at: dt.datetime

    @classmethod
    def from_row(cls, r) -> "GuaranteeRating":
        def dec(v):
            return None if v is None else Decimal(v)

        return cls(id=gid(RATING, r.id), project_id=gid(PROJECT, r.project_id),
                   template_id=gid(TEMPLATE, r.template_id),
                   template_version=r.template_version, template_name=(r.template or {}).get("name", ""),
                   statement_period_type=r.statement_period_type, statement_period_end=r.statement_period_end,
                   scores=[GuaranteeRatingScore(key=x["key"], name=x["name"], kind=x["kind"], value=dec(x["value"]),
                                                points=Decimal(x["points"]), max_points=Decimal(x["max_points"]),
                                                weight=Decimal(x["weight"]), score=Decimal(x["score"]))
                           for x in r.scores],
                   total=r.total.quantize(Decimal("0.01")), grade=r.grade, comment=r.comment,
                   rated_by=gid("User", r.rated_by), rated_at=r.rated_at)


@strawberry.input
class GuaranteeScoreBandInput:
    min: Decimal | None = None
    max: Decimal | None = None
    points: Decimal = Decimal(0)


@strawberry.input
class GuaranteeScorecardIndicatorInput:
    key: str
    name: str
    kind: str = strawberry.field(description="quantitative | qualitative")
    weight: Decimal = strawberry.field(description="The weights of a scorecard sum to 1")
    max_points: Decimal = Decimal(100)
    source: str | None = strawberry.field(default=None, description="debt_ratio | current_ratio | quick_ratio | roe "
                                                                     "| revenue_growth (quantitative)")
    bands: list[GuaranteeScoreBandInput] | None = strawberry.field(default=None, description="Value ranges "
                                                                   "[min, max) -> points (quantitative)")


@strawberry.input
class GuaranteeGradeBandInput:
    grade: str
    min: Decimal


@strawberry.input(description="Without `id` a new template (code and customerKind required); with it a new "
                              "version of that template.")
class GuaranteeScorecardTemplateSaveInput:
    id: strawberry.ID | None = None
    code: str | None = None
    customer_kind: str | None = strawberry.field(default=None, description="individual | corporate")
    name: str
    active: bool = True
    indicators: list[GuaranteeScorecardIndicatorInput]
    grades: list[GuaranteeGradeBandInput]


def _indicator(i: GuaranteeScorecardIndicatorInput) -> dict:
    out = {"key": i.key, "name": i.name, "kind": i.kind, "weight": i.weight, "max_points": i.max_points}
    if i.source is not None:
        out["source"] = i.source
    if i.bands:
        out["bands"] = [{"min": b.min, "max": b.max, "points": b.points} for b in i.bands]
    return out


@strawberry.input
class GuaranteeQualitativeScoreInput:
    key: str
    points: Decimal


@strawberry.input
class GuaranteeRatingScoreInput:
    project_id: strawberry.ID
    template_id: strawberry.ID | None = strawberry.field(default=None, description="Default: the active template "
                                                         "of the customer's kind")
    scores: list[GuaranteeQualitativeScoreInput]
    comment: str | None = None


@strawberry.type
class GuaranteeScorecardTemplatePayload:
    template: GuaranteeScorecardTemplate | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class GuaranteeRatingPayload:
    rating: GuaranteeRating | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


# ---------------------------------------------------------------- due-diligence report ----------------------------

@strawberry.type(description="The due-diligence report (尽职调查报告) of a project.")
class GuaranteeDueDiligenceReport:
    id: strawberry.ID
    project_id: strawberry.ID
    status: str = strawberry.field(description="draft | submitted")
    business_overview: str
    financial_analysis: str
    repayment_source: str
    counter_guarantee_analysis: str
    risks: str
    conclusion: str
    recommended_amount: Decimal | None
    recommended_term_months: int | None
    recommended_rate: Decimal | None
    rating_id: strawberry.ID | None
    version: int
    author_id: strawberry.ID | None
    submitted_by: strawberry.ID | None
    submitted_at: dt.datetime | None
    updated_at: dt.datetime

    @classmethod
    def from_row(cls, r) -> "GuaranteeDueDiligenceReport":
        return cls(id=gid(REPORT, r.id), project_id=gid(PROJECT, r.project_id), status=r.status,
                   business_overview=r.business_overview, financial_analysis=r.financial_analysis,
                   repayment_source=r.repayment_source, counter_guarantee_analysis=r.counter_guarantee_analysis,
                   risks=r.risks, conclusion=r.conclusion, recommended_amount=r.recommended_amount,
                   recommended_term_months=r.recommended_term_months, recommended_rate=r.recommended_rate,
                   rating_id=gid(RATING, r.rating_id), version=r.version, author_id=gid("User", r.author_id),
                   submitted_by=gid("User", r.submitted_by), submitted_at=r.submitted_at, updated_at=r.updated_at)


@strawberry.input(description="Only the fields given change; null clears a recommendation.")
class GuaranteeDueDiligenceReportSaveInput:
    project_id: strawberry.ID
    business_overview: str | None = strawberry.UNSET
    financial_analysis: str | None = strawberry.UNSET
    repayment_source: str | None = strawberry.UNSET
    counter_guarantee_analysis: str | None = strawberry.UNSET
    risks: str | None = strawberry.UNSET
    conclusion: str | None = strawberry.UNSET
    recommended_amount: Decimal | None = strawberry.UNSET
    recommended_term_months: int | None = strawberry.UNSET
    recommended_rate: Decimal | None = strawberry.field(default=strawberry.UNSET,
                                                        description="Yearly guarantee-fee rate, 0..1")


@strawberry.type
class GuaranteeDueDiligenceReportPayload:
    report: GuaranteeDueDiligenceReport | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


# ---------------------------------------------------------------- root fields -------------------------------------

@strawberry.type
class GuaranteeRiskQuery:
    @strawberry.field(description="A project's counter-guarantees, oldest first; amounts in `unit`.")
    def guarantee_counter_guarantees(self, info: strawberry.Info, project_id: strawberry.ID,
                                     unit: AmountUnit = AmountUnit.YUAN) -> list[GuaranteeCounterGuarantee]:
        rows = list_counter_guarantees(info.context.session, actor(info), _pid(project_id))
        return [GuaranteeCounterGuarantee.from_row(r, unit) for r in rows]

    @strawberry.field(description="A project's coverage ratio, risk degree and risk amount, as computed now; amounts "
                                  "in `unit`.")
    def guarantee_project_risk(self, info: strawberry.Info, project_id: strawberry.ID,
                               unit: AmountUnit = AmountUnit.YUAN) -> GuaranteeProjectRisk:
        return GuaranteeProjectRisk.of(project_risk(info.context.session, actor(info), _pid(project_id)), unit)

    @strawberry.field(description="The tenant's effective risk weights (defaults where not set).")
    def guarantee_risk_weights(self, info: strawberry.Info) -> list[GuaranteeRiskWeight]:
        require(info, "guarantee:counter_guarantee:read")
        return GuaranteeRiskWeight.all(effective_weights(info.context.session))

    @strawberry.field(description="Credit-rating scorecards, optionally of one customer kind.")
    def guarantee_scorecard_templates(self, info: strawberry.Info,
                                      customer_kind: str | None = None) -> list[GuaranteeScorecardTemplate]:
        return [GuaranteeScorecardTemplate.from_row(t)
                for t in list_templates(info.context.session, actor(info), customer_kind)]

    @strawberry.field(description="The project's latest credit rating (null when not rated yet).")
    def guarantee_rating(self, info: strawberry.Info, project_id: strawberry.ID) -> GuaranteeRating | None:
        found = get_rating(info.context.session, actor(info), _pid(project_id))
        return GuaranteeRating.from_row(found) if found else None

    @strawberry.field(description="The project's due-diligence report (null when none was saved).")
    def guarantee_due_diligence_report(self, info: strawberry.Info,
                                       project_id: strawberry.ID) -> GuaranteeDueDiligenceReport | None:
        found = get_report(info.context.session, actor(info), _pid(project_id))
        return GuaranteeDueDiligenceReport.from_row(found) if found else None


def _risk_of(info, project_id: uuid.UUID) -> GuaranteeProjectRisk:
    return GuaranteeProjectRisk.of(project_risk(info.context.session, actor(info), project_id))


@strawberry.type
class GuaranteeRiskMutation:
    @strawberry.mutation(description="Record a counter-guarantee of a draft or in-approval project.")
    def guarantee_counter_guarantee_add(self, info: strawberry.Info, input: GuaranteeCounterGuaranteeAddInput
                                        ) -> GuaranteeCounterGuaranteePayload:
        def run():
            data = _with_units(input, {f: getattr(input, f) for f in _CG_FIELDS if getattr(input, f) is not None})
            row = add_counter_guarantee(info.context.session, actor(info), _pid(input.project_id), data)
            return GuaranteeCounterGuaranteePayload(counter_guarantee=GuaranteeCounterGuarantee.from_row(row),
                                                    risk=_risk_of(info, row.project_id))

        return run_mutation(info, GuaranteeCounterGuaranteePayload, run)

    @strawberry.mutation(description="Change a counter-guarantee (the result is validated as a whole).")
    def guarantee_counter_guarantee_update(self, info: strawberry.Info, input: GuaranteeCounterGuaranteeUpdateInput
                                           ) -> GuaranteeCounterGuaranteePayload:
        def run():
            row = update_counter_guarantee(info.context.session, actor(info), decode_node_id(input.id, COUNTER),
                                           _with_units(input, _given(input, _CG_FIELDS)))
            return GuaranteeCounterGuaranteePayload(counter_guarantee=GuaranteeCounterGuarantee.from_row(row),
                                                    risk=_risk_of(info, row.project_id))

        return run_mutation(info, GuaranteeCounterGuaranteePayload, run)

    @strawberry.mutation(description="Remove a counter-guarantee of a draft or in-approval project.")
    def guarantee_counter_guarantee_remove(self, info: strawberry.Info, id: strawberry.ID
                                           ) -> GuaranteeCounterGuaranteeRemovePayload:
        def run():
            project_id = remove_counter_guarantee(info.context.session, actor(info), decode_node_id(id, COUNTER))
            return GuaranteeCounterGuaranteeRemovePayload(ok=True, risk=_risk_of(info, project_id))

        return run_mutation(info, GuaranteeCounterGuaranteeRemovePayload, run)

    @strawberry.mutation(description="Set some risk weights (each 0..1); open projects' risk is recomputed.")
    def guarantee_risk_weights_update(self, info: strawberry.Info, weights: list[GuaranteeRiskWeightInput]
                                      ) -> GuaranteeRiskWeightsPayload:
        def run():
            changes: dict[str, dict] = {}
            for w in weights:
                # a label becomes its code; anything else goes to the service, which names what it refuses
                kind = (COUNTER_GUARANTEE_KIND.find(w.kind) or w.kind) if w.group == "counter" else w.kind
                changes.setdefault(w.group, {})[kind] = w.weight
            result = update_risk_weights(info.context.session, actor(info), changes)
            return GuaranteeRiskWeightsPayload(weights=GuaranteeRiskWeight.all(result))

        return run_mutation(info, GuaranteeRiskWeightsPayload, run)

    @strawberry.mutation(description="Create a scorecard or save a new version of one.")
    def guarantee_scorecard_template_save(self, info: strawberry.Info, input: GuaranteeScorecardTemplateSaveInput
                                          ) -> GuaranteeScorecardTemplatePayload:
        def run():
            template = save_template(
                info.context.session, actor(info), name=input.name, code=input.code,
                customer_kind=input.customer_kind, active=input.active,
                template_id=decode_node_id(input.id, TEMPLATE) if input.id else None,
                indicators=[_indicator(i) for i in input.indicators],
                grades=[{"grade": g.grade, "min": g.min} for g in input.grades])
            return GuaranteeScorecardTemplatePayload(template=GuaranteeScorecardTemplate.from_row(template))

        return run_mutation(info, GuaranteeScorecardTemplatePayload, run)

    @strawberry.mutation(description="Rate the project's customer: qualitative scores given here, quantitative ones "
                                     "from its latest financial statement.")
    def guarantee_rating_score(self, info: strawberry.Info, input: GuaranteeRatingScoreInput) -> GuaranteeRatingPayload:
        def run():
            scores: dict[str, Decimal] = {}
            for s in input.scores:
                if s.key in scores:
                    raise ValidationFailed("The indicator {key!r} is scored twice.", field="scores", key=s.key)
                scores[s.key] = s.points
            rating = score_rating(info.context.session, actor(info), _pid(input.project_id), scores,
                                  template_id=decode_node_id(input.template_id, TEMPLATE, field="templateId")
                                  if input.template_id else None, comment=input.comment or "")
            return GuaranteeRatingPayload(rating=GuaranteeRating.from_row(rating))

        return run_mutation(info, GuaranteeRatingPayload, run)

    @strawberry.mutation(description="Save the project's due-diligence report as a draft (lead manager A).")
    def guarantee_due_diligence_report_save(self, info: strawberry.Info, input: GuaranteeDueDiligenceReportSaveInput
                                            ) -> GuaranteeDueDiligenceReportPayload:
        def run():
            report = save_report(info.context.session, actor(info), _pid(input.project_id), _given(input, FIELDS))
            return GuaranteeDueDiligenceReportPayload(report=GuaranteeDueDiligenceReport.from_row(report))

        return run_mutation(info, GuaranteeDueDiligenceReportPayload, run)

    @strawberry.mutation(description="Submit the due-diligence report (complete, with the project rated).")
    def guarantee_due_diligence_report_submit(self, info: strawberry.Info, project_id: strawberry.ID
                                              ) -> GuaranteeDueDiligenceReportPayload:
        def run():
            report = submit_report(info.context.session, actor(info), _pid(project_id))
            return GuaranteeDueDiligenceReportPayload(report=GuaranteeDueDiligenceReport.from_row(report))

        return run_mutation(info, GuaranteeDueDiligenceReportPayload, run)


QUERIES = (GuaranteeRiskQuery,)
MUTATIONS = (GuaranteeRiskMutation,)
TYPES: tuple = ()
