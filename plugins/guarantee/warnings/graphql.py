"""GraphQL of early warning (预警) and risk classification (风险分类) (thin: the rules are in ``early_warnings`` and
``classification``). ``QUERIES`` and ``MUTATIONS`` join the schema's Query and Mutation; ``TYPES`` are registered
too. A risk class is given as its code or its zh-CN or English label (正常/关注/次级/可疑/损失; code list
guarantee.risk_class) and shown with a ``...Label`` in the request's locale; so is a warning level (蓝色/黄色/橙色/红色).
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import strawberry
from strawberry.scalars import JSON

from surety.core.errors import ValidationFailed
from surety.graphql.auth import actor, decode_node_id
from surety.graphql.errors import UserError, run_mutation
from surety.graphql.nodes import global_id as gid
from surety.plugins.guarantee.project.codes import RISK_CLASS
from surety.plugins.guarantee.project.models import RISK_CLASSES
from surety.plugins.guarantee.warnings import classification
from surety.plugins.guarantee.warnings import early_warnings as ew
from surety.plugins.guarantee.warnings.codes import CLASSIFICATION_CHANGE_STATUS, WARNING_LEVEL

PROJECT_TYPE = "GuaranteeProject"
REPORT_TYPE = "GuaranteeOverdueReport"
INDICATOR_TYPE = "GuaranteeWarningIndicator"
WARNING_TYPE = "GuaranteeWarning"
CHANGE_TYPE = "GuaranteeClassificationChange"
INSTANCE_TYPE = "WorkflowInstance"
CLASS_HELP = "normal 正常 | special_mention 关注 | substandard 次级 | doubtful 可疑 | loss 损失"
LEVEL_HELP = "blue 蓝色 | yellow 黄色 | orange 橙色 | red 红色"


def _pid(value) -> uuid.UUID:
    return decode_node_id(value, PROJECT_TYPE, field="projectId")


# ---------------------------------------------------------------- types --------------------------------------------


@strawberry.type(description="The bank's report that the guaranteed loan is overdue.")
class GuaranteeOverdueReport:
    id: strawberry.ID
    project_id: strawberry.ID
    reported_on: dt.date
    overdue_principal: Decimal
    overdue_interest: Decimal
    days_past_due: int
    notes: str
    open: bool = strawberry.field(description="False once cured or superseded by a later report")
    closed_on: dt.date | None
    close_reason: str = strawberry.field(description="cured | superseded | empty while open")

    @classmethod
    def from_row(cls, r) -> "GuaranteeOverdueReport":
        return cls(id=gid(REPORT_TYPE, r.id), project_id=gid(PROJECT_TYPE, r.project_id), reported_on=r.reported_on,
                   overdue_principal=r.overdue_principal, overdue_interest=r.overdue_interest,
                   days_past_due=r.days_past_due, notes=r.notes, open=r.open, closed_on=r.closed_on,
                   close_reason=r.close_reason)


@strawberry.type(description="A tenant-defined early-warning indicator.")
class GuaranteeWarningIndicator:
    id: strawberry.ID
    code: str
    name: str
    kind: str = strawberry.field(description="overdue_days | overdue_interest | lawsuit | ratio_deterioration | "
                                             "related_blacklisted | manual")
    threshold: Decimal | None
    level: str = strawberry.field(description=LEVEL_HELP)
    params: JSON = strawberry.field(description='ratio_deterioration: {"ratio": ..., "direction": "above"|"below"}')
    active: bool

    @strawberry.field(description="The level's label in the request's locale (e.g. 黄色)")
    def level_label(self) -> str:
        return WARNING_LEVEL.label(self.level)

    @classmethod
    def from_row(cls, r) -> "GuaranteeWarningIndicator":
        return cls(id=gid(INDICATOR_TYPE, r.id), code=r.code, name=r.name, kind=r.kind,
                   threshold=ew.plain(r.threshold), level=r.level, params=dict(r.params or {}), active=r.active)


@strawberry.type(description="A warning on a project; the risk officer handles or dismisses it (workflow task).")
class GuaranteeWarning:
    id: strawberry.ID
    project_id: strawberry.ID
    indicator: GuaranteeWarningIndicator | None
    level: str
    observed: Decimal | None
    details: str
    status: str = strawberry.field(description="open | handled | dismissed")
    raised_on: dt.date
    workflow_instance_id: strawberry.ID | None
    handled_at: dt.datetime | None
    handling_note: str

    @strawberry.field(description="The level's label in the request's locale (e.g. 黄色)")
    def level_label(self) -> str:
        return WARNING_LEVEL.label(self.level)

    @classmethod
    def from_row(cls, r, indicators: dict) -> "GuaranteeWarning":
        ind = indicators.get(r.indicator_id)
        return cls(id=gid(WARNING_TYPE, r.id), project_id=gid(PROJECT_TYPE, r.project_id),
                   indicator=GuaranteeWarningIndicator.from_row(ind) if ind else None, level=r.level,
                   observed=ew.plain(r.observed), details=r.details, status=r.status, raised_on=r.raised_on,
                   workflow_instance_id=gid(INSTANCE_TYPE, r.workflow_instance_id), handled_at=r.handled_at,
                   handling_note=r.handling_note)


def _warnings(session, rows) -> list[GuaranteeWarning]:
    indicators = ew.indicators_by_id(session, [r.indicator_id for r in rows])
    return [GuaranteeWarning.from_row(r, indicators) for r in rows]


@strawberry.type(description="A proposed change of a project's five-category risk classification.")
class GuaranteeClassificationChange:
    id: strawberry.ID
    project_id: strawberry.ID
    from_class: str = strawberry.field(description=CLASS_HELP)
    to_class: str = strawberry.field(description=CLASS_HELP)
    reason: str
    status: str = strawberry.field(description="proposed | approved | rejected")
    workflow_instance_id: strawberry.ID | None
    decided_at: dt.datetime | None
    created_at: dt.datetime

    @strawberry.field(description="The risk class before, in the request's locale (e.g. 正常)")
    def from_class_label(self) -> str:
        return RISK_CLASS.label(self.from_class)

    @strawberry.field(description="The proposed risk class in the request's locale (e.g. 关注)")
    def to_class_label(self) -> str:
        return RISK_CLASS.label(self.to_class)

    @strawberry.field(description="The status in the request's locale (e.g. 审批中)")
    def status_label(self) -> str:
        return CLASSIFICATION_CHANGE_STATUS.label(self.status)

    @classmethod
    def from_row(cls, r) -> "GuaranteeClassificationChange":
        return cls(id=gid(CHANGE_TYPE, r.id), project_id=gid(PROJECT_TYPE, r.project_id), from_class=r.from_class,
                   to_class=r.to_class, reason=r.reason, status=r.status,
                   workflow_instance_id=gid(INSTANCE_TYPE, r.workflow_instance_id), decided_at=r.decided_at,
                   created_at=r.created_at)


@strawberry.type(description="A project's risk class next to the class its open overdue report suggests.")
class GuaranteeRiskClassification:
    project_id: strawberry.ID
    current_class: str = strawberry.field(description=CLASS_HELP)
    current_class_name: str = strawberry.field(description="正常 / 关注 / 次级 / 可疑 / 损失 (always zh-CN; "
                                                           "riskClassLabel follows the request's locale)")
    suggested_class: str
    suggested_class_name: str
    days_past_due: int | None = strawberry.field(description="Of the open overdue report (null: none)")
    pending_change: GuaranteeClassificationChange | None

    @strawberry.field(description="The current risk class in the request's locale (正常, or Normal with "
                                  "Accept-Language: en)")
    def risk_class_label(self) -> str:
        return RISK_CLASS.label(self.current_class)

    @strawberry.field(description="The suggested risk class in the request's locale")
    def suggested_class_label(self) -> str:
        return RISK_CLASS.label(self.suggested_class)


# ---------------------------------------------------------------- queries ------------------------------------------


@strawberry.type
class GuaranteeWarningQuery:
    @strawberry.field(description="A project's overdue reports, latest first.")
    def guarantee_overdue_reports(self, info: strawberry.Info, project_id: strawberry.ID
                                  ) -> list[GuaranteeOverdueReport]:
        rows = ew.overdue_reports(info.context.session, actor(info), _pid(project_id))
        return [GuaranteeOverdueReport.from_row(r) for r in rows]

    @strawberry.field(description="The tenant's early-warning indicators by code.")
    def guarantee_warning_indicators(self, info: strawberry.Info, active_only: bool = False
                                     ) -> list[GuaranteeWarningIndicator]:
        rows = ew.list_indicators(info.context.session, actor(info), active_only=active_only)
        return [GuaranteeWarningIndicator.from_row(r) for r in rows]

    @strawberry.field(description="Warnings of projects in the caller's data scope, latest first (at most limit, "
                                  "1-500).")
    def guarantee_warnings(self, info: strawberry.Info, status: str | None = None, level: str | None = None,
                           project_id: strawberry.ID | None = None, limit: int = 100) -> list[GuaranteeWarning]:
        session = info.context.session
        level = WARNING_LEVEL.parse(level, "level") if level is not None else None
        rows = ew.list_warnings(session, actor(info), status=status, level=level,
                                project_id=_pid(project_id) if project_id is not None else None, limit=limit)
        return _warnings(session, rows)

    @strawberry.field(description="A project's risk class, the suggested class and the pending change.")
    def guarantee_risk_classification(self, info: strawberry.Info, project_id: strawberry.ID
                                      ) -> GuaranteeRiskClassification:
        view = classification.classification_of(info.context.session, actor(info), _pid(project_id))
        return GuaranteeRiskClassification(
            project_id=gid(PROJECT_TYPE, view.project.id), current_class=view.current,
            current_class_name=RISK_CLASSES[view.current], suggested_class=view.suggested,
            suggested_class_name=RISK_CLASSES[view.suggested], days_past_due=view.days_past_due,
            pending_change=GuaranteeClassificationChange.from_row(view.pending) if view.pending else None)

    @strawberry.field(description="A project's classification changes, latest first.")
    def guarantee_classification_changes(self, info: strawberry.Info, project_id: strawberry.ID
                                         ) -> list[GuaranteeClassificationChange]:
        rows = classification.changes_of(info.context.session, actor(info), _pid(project_id))
        return [GuaranteeClassificationChange.from_row(r) for r in rows]


# ---------------------------------------------------------------- mutations ----------------------------------------


@strawberry.input
class GuaranteeOverdueReportRecordInput:
    project_id: strawberry.ID
    overdue_principal: Decimal = strawberry.field(default=Decimal(0), description="yuan")
    overdue_interest: Decimal = strawberry.field(default=Decimal(0), description="yuan")
    days_past_due: int = 0
    reported_on: dt.date | None = strawberry.field(default=None, description="Default: today")
    notes: str = ""


@strawberry.input
class GuaranteeOverdueReportCureInput:
    project_id: strawberry.ID
    cured_on: dt.date | None = strawberry.field(default=None, description="Default: today")
    notes: str = ""


@strawberry.input
class GuaranteeWarningIndicatorSaveInput:
    id: strawberry.ID | None = strawberry.field(default=None, description="Omit to create")
    code: str
    name: str
    kind: str
    threshold: Decimal | None = None
    level: str = strawberry.field(default="yellow", description="The code or its label: " + LEVEL_HELP)
    params: JSON | None = None
    active: bool = True


@strawberry.input
class GuaranteeWarningRaiseInput:
    project_id: strawberry.ID
    indicator_id: strawberry.ID = strawberry.field(description="An active lawsuit or manual indicator")
    details: str


@strawberry.input
class GuaranteeClassificationProposeInput:
    project_id: strawberry.ID
    to_class: str = strawberry.field(description="The code or its zh-CN / English label: " + CLASS_HELP)
    reason: str


@strawberry.type
class GuaranteeOverdueReportPayload:
    report: GuaranteeOverdueReport | None = None
    warnings: list[GuaranteeWarning] = strawberry.field(default_factory=list,
                                                        description="Warnings this report raised")
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class GuaranteeWarningIndicatorPayload:
    indicator: GuaranteeWarningIndicator | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class GuaranteeWarningPayload:
    warning: GuaranteeWarning | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class GuaranteeClassificationChangePayload:
    change: GuaranteeClassificationChange | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


def _iid(value):
    return decode_node_id(value, INDICATOR_TYPE, field="indicatorId")


@strawberry.type
class GuaranteeWarningMutation:
    @strawberry.mutation(description="Record the bank's overdue report (supersedes the open one); evaluates the "
                                     "overdue indicators.")
    def guarantee_overdue_report_record(self, info: strawberry.Info, input: GuaranteeOverdueReportRecordInput
                                        ) -> GuaranteeOverdueReportPayload:
        def go():
            s = info.context.session
            row = ew.record_overdue(s, actor(info), _pid(input.project_id), overdue_principal=input.overdue_principal,
                                    overdue_interest=input.overdue_interest, days_past_due=input.days_past_due,
                                    reported_on=input.reported_on, notes=input.notes)
            return GuaranteeOverdueReportPayload(report=GuaranteeOverdueReport.from_row(row),
                                                 warnings=_warnings(s, ew.raised_on_report(s, row)))

        return run_mutation(info, GuaranteeOverdueReportPayload, go)

    @strawberry.mutation(description="The bank says the arrears are paid: close the open overdue report.")
    def guarantee_overdue_report_cure(self, info: strawberry.Info, input: GuaranteeOverdueReportCureInput
                                      ) -> GuaranteeOverdueReportPayload:
        def go():
            row = ew.cure_overdue(info.context.session, actor(info), _pid(input.project_id), cured_on=input.cured_on,
                                  notes=input.notes)
            return GuaranteeOverdueReportPayload(report=GuaranteeOverdueReport.from_row(row))

        return run_mutation(info, GuaranteeOverdueReportPayload, go)

    @strawberry.mutation(description="Create (no id) or change an early-warning indicator.")
    def guarantee_warning_indicator_save(self, info: strawberry.Info, input: GuaranteeWarningIndicatorSaveInput
                                         ) -> GuaranteeWarningIndicatorPayload:
        def go():
            params = input.params
            if params is not None and not isinstance(params, dict):
                raise ValidationFailed("params is an object.", field="params")
            row = ew.save_indicator(info.context.session, actor(info),
                                    indicator_id=_iid(input.id) if input.id is not None else None, code=input.code,
                                    name=input.name, kind=input.kind, threshold=input.threshold,
                                    level=WARNING_LEVEL.parse(input.level, "level"),
                                    params=params, active=input.active)
            return GuaranteeWarningIndicatorPayload(indicator=GuaranteeWarningIndicator.from_row(row))

        return run_mutation(info, GuaranteeWarningIndicatorPayload, go)

    @strawberry.mutation(description="Stop evaluating an indicator (its warnings stay).")
    def guarantee_warning_indicator_deactivate(self, info: strawberry.Info, id: strawberry.ID
                                               ) -> GuaranteeWarningIndicatorPayload:
        def go():
            row = ew.deactivate_indicator(info.context.session, actor(info), _iid(id))
            return GuaranteeWarningIndicatorPayload(indicator=GuaranteeWarningIndicator.from_row(row))

        return run_mutation(info, GuaranteeWarningIndicatorPayload, go)

    @strawberry.mutation(description="Raise a warning by hand (lawsuit or manual indicator); starts the risk "
                                     "officer's task.")
    def guarantee_warning_raise(self, info: strawberry.Info, input: GuaranteeWarningRaiseInput
                                ) -> GuaranteeWarningPayload:
        def go():
            s = info.context.session
            row = ew.raise_warning(s, actor(info), _pid(input.project_id), indicator_id=_iid(input.indicator_id),
                                   details=input.details)
            return GuaranteeWarningPayload(warning=_warnings(s, [row])[0])

        return run_mutation(info, GuaranteeWarningPayload, go)

    @strawberry.mutation(description="Propose a new risk class; starts the department head's review and the "
                                     "executive's approval.")
    def guarantee_classification_propose(self, info: strawberry.Info, input: GuaranteeClassificationProposeInput
                                         ) -> GuaranteeClassificationChangePayload:
        def go():
            row = classification.propose_change(info.context.session, actor(info), _pid(input.project_id),
                                                to_class=RISK_CLASS.parse(input.to_class, "to_class"),
                                                reason=input.reason)
            return GuaranteeClassificationChangePayload(change=GuaranteeClassificationChange.from_row(row))

        return run_mutation(info, GuaranteeClassificationChangePayload, go)


QUERIES: tuple = (GuaranteeWarningQuery,)
MUTATIONS: tuple = (GuaranteeWarningMutation,)
TYPES: tuple = ()
