"""GraphQL of post-guarantee inspections (保后检查) (thin: the rules are in ``inspections``). ``QUERIES`` and
``MUTATIONS`` join the schema's Query and Mutation; ``TYPES`` are registered too."""

from __future__ import annotations

import datetime as dt

import strawberry

from surety.core.workflow.engine import business_today
from surety.graphql.auth import actor, decode_node_id
from surety.graphql.errors import UserError, run_mutation
from surety.graphql.nodes import global_id as gid
from surety.graphql.pagination import Connection, paginate
from surety.plugins.guarantee.monitoring import inspections

PROJECT_TYPE = "GuaranteeProject"
PLAN_TYPE = "GuaranteeInspectionPlan"
INSPECTION_TYPE = "GuaranteeInspection"


# ---------------------------------------------------------------- types --------------------------------------------


@strawberry.type(description="A project's inspection plan: the next inspection is due on nextDue, then every "
                             "intervalDays; inactive once the guarantee is released or compensated to 0.")
class GuaranteeInspectionPlan:
    id: strawberry.ID
    project_id: strawberry.ID
    first_due: dt.date
    interval_days: int
    next_due: dt.date
    active: bool
    updated_at: dt.datetime

    @classmethod
    def from_row(cls, r) -> "GuaranteeInspectionPlan":
        return cls(id=gid(PLAN_TYPE, r.id), project_id=gid(PROJECT_TYPE, r.project_id), first_due=r.first_due,
                   interval_days=r.interval_days, next_due=r.next_due, active=r.active, updated_at=r.updated_at)


@strawberry.type(description="A post-guarantee inspection (保后检查) of a project.")
class GuaranteeInspection:
    id: strawberry.ID
    entity_id: str = strawberry.field(description="The id to attach files with: entityType "
                                                  "\"guarantee:inspection\", entityId this value.")
    project_id: strawberry.ID
    kind: str = strawberry.field(description="first | periodic | ad_hoc")
    inspected_on: dt.date
    conclusion: str = strawberry.field(description="normal | attention | risk")
    findings: str
    inspector_id: strawberry.ID | None = strawberry.field(description="Global id of the inspector (a User).")
    due_on: dt.date | None = strawberry.field(description="The due date this inspection satisfied (null for an "
                                                          "ad-hoc one).")
    created_at: dt.datetime

    @classmethod
    def from_row(cls, r) -> "GuaranteeInspection":
        return cls(id=gid(INSPECTION_TYPE, r.id), entity_id=str(r.id), project_id=gid(PROJECT_TYPE, r.project_id),
                   kind=r.kind, inspected_on=r.inspected_on, conclusion=r.conclusion, findings=r.findings,
                   inspector_id=gid("User", r.inspector_id), due_on=r.due_on, created_at=r.created_at)


@strawberry.type(description="An inspection due (or late) on a project, with who manages it.")
class GuaranteeInspectionDue:
    plan_id: strawberry.ID
    project_id: strawberry.ID
    project_no: str | None
    manager_a_id: strawberry.ID
    manager_a_name: str
    manager_b_id: strawberry.ID | None
    manager_b_name: str | None
    next_due: dt.date
    days_late: int = strawberry.field(description="Days since the due date (0 when not late yet).")
    late: bool

    @classmethod
    def of(cls, d: inspections.DueInspection) -> "GuaranteeInspectionDue":
        return cls(plan_id=gid(PLAN_TYPE, d.plan.id), project_id=gid(PROJECT_TYPE, d.project_id),
                   project_no=d.project_no, manager_a_id=gid("User", d.manager_a_id), manager_a_name=d.manager_a_name,
                   manager_b_id=gid("User", d.manager_b_id), manager_b_name=d.manager_b_name, next_due=d.next_due,
                   days_late=d.days_late, late=d.late)


# ---------------------------------------------------------------- queries ------------------------------------------


def _pid(value) -> object:
    return decode_node_id(value, PROJECT_TYPE, field="projectId")


@strawberry.type
class GuaranteeInspectionsQuery:
    @strawberry.field(description="A project's inspection plan (null before the guarantee takes effect).")
    def guarantee_inspection_plan(self, info: strawberry.Info, project_id: strawberry.ID
                                  ) -> GuaranteeInspectionPlan | None:
        row = inspections.plan_of(info.context.session, actor(info), _pid(project_id))
        return GuaranteeInspectionPlan.from_row(row) if row is not None else None

    @strawberry.field(description="A project's inspections, oldest first.")
    def guarantee_inspections(self, info: strawberry.Info, project_id: strawberry.ID) -> list[GuaranteeInspection]:
        rows = inspections.inspections_of(info.context.session, actor(info), _pid(project_id))
        return [GuaranteeInspection.from_row(r) for r in rows]

    @strawberry.field(description="Inspections due within withinDays (0..366) of today or already late (lateOnly: "
                                  "late ones only), across your data scope, earliest due date (most late) first.")
    def guarantee_inspections_due(self, info: strawberry.Info, within_days: int = 7, late_only: bool = False,
                                  first: int | None = None, after: str | None = None
                                  ) -> Connection[GuaranteeInspectionDue]:
        s = info.context.session
        today = business_today()
        stmt = inspections.due_statement(s, actor(info), within_days=within_days, late_only=late_only, today=today)
        page = paginate(info, s, stmt, order=list(inspections.DUE_ORDER), to_node=lambda plan: plan, first=first,
                        after=after)
        # One query for the page's projects and one for their managers, however long the page.
        described = inspections.describe_due(s, [edge.node for edge in page.edges], today)
        for edge, d in zip(page.edges, described):
            edge.node = GuaranteeInspectionDue.of(d)
        return page


# ---------------------------------------------------------------- mutations ----------------------------------------


@strawberry.input(description="An inspection: first/periodic unless adHoc; findings required unless the conclusion "
                              "is normal.")
class GuaranteeInspectionRecordInput:
    project_id: strawberry.ID
    conclusion: str = strawberry.field(description="normal | attention | risk")
    findings: str = ""
    inspected_on: dt.date | None = strawberry.field(default=None, description="Default: today")
    ad_hoc: bool = False


@strawberry.input(description="Give the new interval, the next due date, or both.")
class GuaranteeInspectionPlanUpdateInput:
    project_id: strawberry.ID
    interval_days: int | None = strawberry.field(default=None, description="1..366 days")
    next_due: dt.date | None = strawberry.field(default=None, description="Not before today")


@strawberry.type
class GuaranteeInspectionPayload:
    inspection: GuaranteeInspection | None = None
    plan: GuaranteeInspectionPlan | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class GuaranteeInspectionPlanPayload:
    plan: GuaranteeInspectionPlan | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class GuaranteeInspectionsMutation:
    @strawberry.mutation(description="Record a post-guarantee inspection: a first/periodic one moves the plan's "
                                     "next due date.")
    def guarantee_inspection_record(self, info: strawberry.Info, input: GuaranteeInspectionRecordInput
                                    ) -> GuaranteeInspectionPayload:
        def go():
            s = info.context.session
            row = inspections.record_inspection(s, actor(info), _pid(input.project_id), conclusion=input.conclusion,
                                                findings=input.findings, inspected_on=input.inspected_on,
                                                ad_hoc=input.ad_hoc)
            plan = inspections.find_plan(s, row.project_id)
            return GuaranteeInspectionPayload(inspection=GuaranteeInspection.from_row(row),
                                              plan=GuaranteeInspectionPlan.from_row(plan) if plan else None)

        return run_mutation(info, GuaranteeInspectionPayload, go)

    @strawberry.mutation(description="Change a project's inspection plan (interval and/or next due date).")
    def guarantee_inspection_plan_update(self, info: strawberry.Info, input: GuaranteeInspectionPlanUpdateInput
                                         ) -> GuaranteeInspectionPlanPayload:
        def go():
            plan = inspections.update_plan(info.context.session, actor(info), _pid(input.project_id),
                                           interval_days=input.interval_days, next_due=input.next_due)
            return GuaranteeInspectionPlanPayload(plan=GuaranteeInspectionPlan.from_row(plan))

        return run_mutation(info, GuaranteeInspectionPlanPayload, go)


QUERIES: tuple = (GuaranteeInspectionsQuery,)
MUTATIONS: tuple = (GuaranteeInspectionsMutation,)
TYPES: tuple = (GuaranteeInspectionPlan, GuaranteeInspection, GuaranteeInspectionDue)
