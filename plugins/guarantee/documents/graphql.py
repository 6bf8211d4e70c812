"""GraphQL of the documents area of the ``guarantee`` plugin: contract templates and contracts (generate, send for
e-signature, record signing), review committee meetings (schedule, open, the agenda with votes and outcomes,
minutes), the review report and approval form (reports.py) and the conditions of a resolution (record, meet with
evidence, waive: project/conditions.py). Thin resolvers over contracts.py, esign.py, meetings.py, minutes.py and
reports.py. Files travel over HTTP (``POST /attachments``) and are cited here by their Attachment ids."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

import strawberry
from sqlalchemy import select
from strawberry import relay

from surety.core.errors import NotFound
from surety.core.i18n import N_
from surety.core.words import Words
from surety.graphql.attachments import Attachment
from surety.graphql.auth import actor, decode_node_id, parse_uuid
from surety.graphql.errors import UserError, run_mutation
from surety.graphql.loaders import load
from surety.graphql.nodes import global_id as gid
from surety.graphql.nodes import load_nodes
from surety.graphql.pagination import Connection, paginate
from surety.plugins.guarantee.documents.contracts import (
    generate_contracts,
    list_contracts,
    list_templates,
    mark_signed,
    upload_template_from_attachment,
)
from surety.plugins.guarantee.documents.esign import send
from surety.plugins.guarantee.documents.meetings import (
    meeting_views,
    meetings_statement,
    open_meeting,
    schedule_meeting,
)
from surety.plugins.guarantee.documents.minutes import export_minutes
from surety.plugins.guarantee.documents.models import GuaranteeContract as ContractRow
from surety.plugins.guarantee.documents.models import GuaranteeMeeting as MeetingRow
from surety.plugins.guarantee.documents.reports import generate_report
from surety.plugins.guarantee.project import conditions
from surety.plugins.guarantee.project.conditions_graphql import ApprovalCondition


def project_uuid(value: str, field: str = "projectId") -> uuid.UUID:
    """A project's Relay id (``GuaranteeProject``) or its bare UUID."""
    try:
        return decode_node_id(value, "GuaranteeProject", field=field)
    except NotFound:
        return parse_uuid(value, field=field, what=Words(N_("guarantee project")))


# ---------------------------------------------------------------- types ---------------------------------------------

@strawberry.type(description="A version of the tenant's template of a document type (guarantee, counter_guarantee, "
                             "entrustment, review_report, approval_form); the newest is used.")
class GuaranteeContractTemplate:
    id: strawberry.ID
    contract_type: str
    version: int
    filename: str
    placeholders: list[str]
    source: str = strawberry.field(description="`default` (shipped) or `upload`.")
    created_at: dt.datetime

    @classmethod
    def from_row(cls, r) -> "GuaranteeContractTemplate":
        return cls(id=gid("GuaranteeContractTemplate", r.id), contract_type=r.contract_type, version=r.version,
                   filename=r.filename, placeholders=list(r.placeholders or []), source=r.source,
                   created_at=r.created_at)


@strawberry.type(description="Someone who signed a contract.")
class GuaranteeContractSigner:
    role: str
    name: str


@strawberry.type(description="A contract of a project: generated -> sent (e-signature) -> signed, or superseded.")
class GuaranteeContract(relay.Node):
    id: relay.NodeID[str]
    contract_type: str
    contract_no: str
    status: str
    template_version: int
    esign_reference: str | None
    sent_at: dt.datetime | None
    signed_at: dt.datetime | None
    signed_on: dt.date | None
    signed_via: str | None = strawberry.field(description="`esign` or `manual`.")
    created_at: dt.datetime
    row: strawberry.Private[Any]

    @classmethod
    def from_row(cls, r: ContractRow) -> "GuaranteeContract":
        return cls(id=str(r.id), contract_type=r.contract_type, contract_no=r.contract_no, status=r.status,
                   template_version=r.template_version, esign_reference=r.esign_reference, sent_at=r.sent_at,
                   signed_at=r.signed_at, signed_on=r.signed_on, signed_via=r.signed_via, created_at=r.created_at,
                   row=r)

    @classmethod
    def resolve_nodes(cls, *, info, node_ids, required=False):
        return load_nodes(info, ContractRow, cls.from_row, node_ids, "guarantee:contract:read")

    @strawberry.field(description="The project (GuaranteeProject global id).")
    def project_id(self) -> strawberry.ID:
        return gid("GuaranteeProject", self.row.project_id)

    @strawberry.field(description="The counter-guarantee of a counter-guarantee contract (its UUID).")
    def counter_guarantee_id(self) -> str | None:
        return str(self.row.counter_guarantee_id) if self.row.counter_guarantee_id else None

    @strawberry.field(description="The generated .docx (Attachment global id; download it over HTTP).")
    def attachment_id(self) -> strawberry.ID:
        return gid("Attachment", self.row.attachment_id)

    @strawberry.field(description="The signed copy, when one was received or uploaded (Attachment global id).")
    def signed_attachment_id(self) -> strawberry.ID | None:
        return gid("Attachment", self.row.signed_attachment_id)

    @strawberry.field
    def signers(self) -> list[GuaranteeContractSigner]:
        return [GuaranteeContractSigner(role=s.get("role", ""), name=s.get("name", "")) for s in self.row.signers or []]


@strawberry.type(description="A member's vote on an agenda project (null `vote` while not cast).")
class GuaranteeMeetingVote:
    member_id: strawberry.ID
    member_name: str
    vote: str | None = strawberry.field(description="approve, reject, approve_with_conditions or recuse.")
    comment: str | None
    task_id: strawberry.ID = strawberry.field(description="The member's vote task (WorkflowTask): vote with "
                                                          "workflowCommitteeVote.")
    voted_at: dt.datetime | None


@strawberry.type(description="A project on a meeting's agenda, with its votes and outcome as the engine settled it.")
class GuaranteeMeetingAgendaItem:
    project_id: strawberry.ID
    project_no: str
    customer_name: str
    amount: Decimal
    status: str = strawberry.field(description="scheduled, voting, decided or no_quorum.")
    result: str | None = strawberry.field(description="approved, approved_with_conditions or rejected.")
    votes: list[GuaranteeMeetingVote]
    recusals: list[GuaranteeMeetingVote]
    conditions: list[str]
    approvals: int
    rejections: int
    vetoed: bool
    decided_on: dt.date | None
    step_run_id: strawberry.Private[uuid.UUID | None] = None

    @strawberry.field(description="The resolution's conditions as tracked to fulfilment (open, met with evidence, "
                                  "waived); `conditions` is their text as the members voted it.")
    def approval_conditions(self, info: strawberry.Info) -> list[ApprovalCondition]:
        if self.step_run_id is None:
            return []
        cache = info.context.loaders.setdefault("guarantee.conditions_by_run", {})
        if self.step_run_id not in cache:
            wanted = [self.step_run_id, *info.context.loaders.get("guarantee.agenda_runs", ())]
            cache.update(conditions.conditions_by_run(info.context.session, [r for r in wanted if r not in cache]))
        return [ApprovalCondition.from_row(r) for r in cache.get(self.step_run_id, ())]

    @classmethod
    def of(cls, item) -> "GuaranteeMeetingAgendaItem":
        def votes(vs):
            return [GuaranteeMeetingVote(member_id=gid("User", v.member_id), member_name=v.member_name, vote=v.vote,
                                         comment=v.comment, task_id=gid("WorkflowTask", v.task_id),
                                         voted_at=v.voted_at) for v in vs]

        return cls(project_id=gid("GuaranteeProject", item.project_id), project_no=item.project_no,
                   customer_name=item.customer_name, amount=item.amount, status=item.status, result=item.result,
                   votes=votes(item.votes), recusals=votes(item.recused), conditions=list(item.conditions),
                   approvals=item.approvals, rejections=item.rejections, vetoed=item.vetoed,
                   decided_on=item.decided_on, step_run_id=item.step_run_id)


@strawberry.type(description="A member of a meeting.")
class GuaranteeMeetingMember:
    user_id: strawberry.ID
    name: str


@strawberry.type(description="A review committee meeting (审保会).")
class GuaranteeMeeting(relay.Node):
    id: relay.NodeID[str]
    title: str
    meeting_date: dt.date
    place: str
    quorum_note: str
    status: str = strawberry.field(description="scheduled or open.")
    opened_at: dt.datetime | None
    created_at: dt.datetime
    row: strawberry.Private[Any]

    @classmethod
    def from_row(cls, r: MeetingRow) -> "GuaranteeMeeting":
        return cls(id=str(r.id), title=r.title, meeting_date=r.meeting_date, place=r.place,
                   quorum_note=r.quorum_note, status=r.status, opened_at=r.opened_at, created_at=r.created_at, row=r)

    @classmethod
    def resolve_nodes(cls, *, info, node_ids, required=False):
        return load_nodes(info, MeetingRow, cls.from_row, node_ids, "guarantee:meeting:read")

    async def _view(self, info):
        """The meeting's view, loaded with every other meeting of the request (``meetings.meeting_views``)."""
        return await load(info, "guarantee.meeting_views", _meeting_views, self.row.id)

    @strawberry.field(description="The chair (User global id).")
    def chair_id(self) -> strawberry.ID:
        return gid("User", self.row.chair_id)

    @strawberry.field
    async def chair_name(self, info: strawberry.Info) -> str:
        return (await self._view(info)).chair_name

    @strawberry.field
    async def members(self, info: strawberry.Info) -> list[GuaranteeMeetingMember]:
        return [GuaranteeMeetingMember(user_id=gid("User", u), name=n) for u, n in (await self._view(info)).members]

    @strawberry.field(description="The agenda: per project the votes, recusals, outcome and conditions.")
    async def agenda(self, info: strawberry.Info) -> list[GuaranteeMeetingAgendaItem]:
        items = (await self._view(info)).items
        # The resolutions of every agenda the request shows, so their conditions load in one query.
        runs = info.context.loaders.setdefault("guarantee.agenda_runs", [])
        runs.extend(i.step_run_id for i in items if i.step_run_id is not None)
        return [GuaranteeMeetingAgendaItem.of(i) for i in items]

    @strawberry.field(description="The latest exported minutes (Attachment global id).")
    def minutes_attachment_id(self) -> strawberry.ID | None:
        return gid("Attachment", self.row.minutes_attachment_id)


def _meeting_views(ctx, ids) -> dict:
    rows = ctx.session.scalars(select(MeetingRow).where(MeetingRow.id.in_(ids))
                               .execution_options(populate_existing=True))
    return meeting_views(ctx.session, ctx.require_actor(), rows)


# ---------------------------------------------------------------- inputs and payloads -------------------------------

@strawberry.input
class GuaranteeContractTemplateUploadInput:
    contract_type: str
    attachment_id: strawberry.ID = strawberry.field(description="The .docx uploaded with POST /attachments (entity "
                                                                "guarantee:contract_template, id = the contract type).")


@strawberry.input
class GuaranteeSignerInput:
    name: str
    role: str = ""


@strawberry.input
class GuaranteeContractMarkSignedInput:
    contract_id: strawberry.ID
    signed_on: dt.date | None = None
    signers: list[GuaranteeSignerInput] = strawberry.field(default_factory=list)
    signed_attachment_id: strawberry.ID | None = strawberry.field(
        default=None, description="The signed scan, uploaded first to the project (entity guarantee:project).")


@strawberry.input
class GuaranteeMeetingScheduleInput:
    meeting_date: dt.date
    chair_id: strawberry.ID
    member_ids: list[strawberry.ID]
    project_ids: list[strawberry.ID]
    title: str | None = None
    place: str | None = None
    quorum_note: str | None = None


@strawberry.input
class GuaranteeConditionAddInput:
    project_id: strawberry.ID
    text: str
    kind: str = strawberry.field(description="add_counter_guarantee | add_guarantor | document | other")


@strawberry.input
class GuaranteeConditionUpdateInput:
    condition_id: strawberry.ID
    text: str | None = None
    kind: str | None = strawberry.field(default=None,
                                        description="add_counter_guarantee | add_guarantor | document | other")


@strawberry.input
class GuaranteeConditionMeetInput:
    condition_id: strawberry.ID
    attachment_ids: list[strawberry.ID] = strawberry.field(
        description="The evidence, uploaded first to the project (POST /attachments, entity guarantee:project): "
                    "at least one.")
    note: str | None = None


@strawberry.input
class GuaranteeConditionWaiveInput:
    condition_id: strawberry.ID
    reason: str


@strawberry.type
class GuaranteeConditionPayload:
    condition: ApprovalCondition | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class GuaranteeContractTemplatePayload:
    template: GuaranteeContractTemplate | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class GuaranteeContractsPayload:
    contracts: list[GuaranteeContract] = strawberry.field(default_factory=list)
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class GuaranteeContractPayload:
    contract: GuaranteeContract | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class GuaranteeMeetingPayload:
    meeting: GuaranteeMeeting | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class GuaranteeMeetingMinutesPayload:
    minutes: Attachment | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class GuaranteeReportPayload:
    report: Attachment | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


# ---------------------------------------------------------------- root fields ---------------------------------------

@strawberry.type
class DocumentsQuery:
    @strawberry.field(description="Contract template versions (newest first per type); defaults installed on first "
                                  "use.")
    def guarantee_contract_templates(self, info: strawberry.Info,
                                     contract_type: str | None = None) -> list[GuaranteeContractTemplate]:
        return [GuaranteeContractTemplate.from_row(r)
                for r in list_templates(info.context.session, actor(info), contract_type)]

    @strawberry.field(description="A project's contracts (superseded ones when asked).")
    def guarantee_contracts(self, info: strawberry.Info, project_id: strawberry.ID,
                            include_superseded: bool = False) -> list[GuaranteeContract]:
        rows = list_contracts(info.context.session, actor(info), project_uuid(project_id),
                              include_superseded=include_superseded)
        return [GuaranteeContract.from_row(r) for r in rows]

    @strawberry.field(description="Review committee meetings, latest meeting date first.")
    def guarantee_meetings(self, info: strawberry.Info, status: str | None = None, first: int | None = None,
                           after: str | None = None) -> Connection[GuaranteeMeeting]:
        return paginate(info, info.context.session, meetings_statement(info.context.session, actor(info), status),
                        order=[MeetingRow.meeting_date, MeetingRow.id], to_node=GuaranteeMeeting.from_row,
                        first=first, after=after, descending=True)

    @strawberry.field(description="A meeting with its agenda and outcomes; null when absent or not permitted.")
    def guarantee_meeting(self, info: strawberry.Info, id: strawberry.ID) -> GuaranteeMeeting | None:
        return GuaranteeMeeting.resolve_nodes(info=info, node_ids=[str(decode_node_id(id, "GuaranteeMeeting"))])[0]



def _contract(info, fn) -> GuaranteeContractPayload:
    return run_mutation(info, GuaranteeContractPayload,
                        lambda: GuaranteeContractPayload(contract=GuaranteeContract.from_row(fn())))


def _condition(info, fn) -> GuaranteeConditionPayload:
    return run_mutation(info, GuaranteeConditionPayload,
                        lambda: GuaranteeConditionPayload(condition=ApprovalCondition.from_row(fn())))


def _condition_id(value) -> uuid.UUID:
    return decode_node_id(value, "GuaranteeApprovalCondition", field="conditionId")


def _meeting(info, fn) -> GuaranteeMeetingPayload:
    return run_mutation(info, GuaranteeMeetingPayload,
                        lambda: GuaranteeMeetingPayload(meeting=GuaranteeMeeting.from_row(fn())))


@strawberry.type
class DocumentsMutation:
    @strawberry.mutation(description="Make an uploaded .docx the next version of a contract type's template; unknown "
                                     "placeholders and broken files are refused.")
    def guarantee_contract_template_upload(self, info: strawberry.Info, input: GuaranteeContractTemplateUploadInput
                                           ) -> GuaranteeContractTemplatePayload:
        def go():
            row = upload_template_from_attachment(
                info.context.session, actor(info), input.contract_type,
                decode_node_id(input.attachment_id, "Attachment", field="attachmentId"))
            return GuaranteeContractTemplatePayload(template=GuaranteeContractTemplate.from_row(row))

        return run_mutation(info, GuaranteeContractTemplatePayload, go)

    @strawberry.mutation(description="Generate the contracts of an approved project (`regenerate` replaces those not "
                                     "yet signed).")
    def guarantee_contracts_generate(self, info: strawberry.Info, project_id: strawberry.ID,
                                     regenerate: bool = False) -> GuaranteeContractsPayload:
        def go():
            rows = generate_contracts(info.context.session, actor(info), project_uuid(project_id),
                                      regenerate=regenerate)
            return GuaranteeContractsPayload(contracts=[GuaranteeContract.from_row(r) for r in rows])

        return run_mutation(info, GuaranteeContractsPayload, go)

    @strawberry.mutation(description="Send a generated contract for electronic signature (ESIGN_UNAVAILABLE when no "
                                     "provider is enabled).")
    def guarantee_contract_send(self, info: strawberry.Info, contract_id: strawberry.ID) -> GuaranteeContractPayload:
        return _contract(info, lambda: send(info.context.session, actor(info),
                                            decode_node_id(contract_id, "GuaranteeContract", field="contractId")))

    @strawberry.mutation(description="Record by hand that a contract was signed (date, signers, signed scan).")
    def guarantee_contract_mark_signed(self, info: strawberry.Info,
                                       input: GuaranteeContractMarkSignedInput) -> GuaranteeContractPayload:
        return _contract(info, lambda: mark_signed(
            info.context.session, actor(info), decode_node_id(input.contract_id, "GuaranteeContract",
                                                              field="contractId"),
            signed_on=input.signed_on, signers=[{"name": s.name, "role": s.role} for s in input.signers],
            signed_attachment_id=decode_node_id(input.signed_attachment_id, "Attachment", field="signedAttachmentId")
            if input.signed_attachment_id else None))

    @strawberry.mutation(description="Schedule a review committee meeting with its members, chair and agenda.")
    def guarantee_meeting_schedule(self, info: strawberry.Info,
                                   input: GuaranteeMeetingScheduleInput) -> GuaranteeMeetingPayload:
        return _meeting(info, lambda: schedule_meeting(
            info.context.session, actor(info), meeting_date=input.meeting_date,
            chair_id=decode_node_id(input.chair_id, "User", field="chairId"),
            member_ids=[decode_node_id(m, "User", field="memberIds") for m in input.member_ids],
            project_ids=[project_uuid(p, "projectIds") for p in input.project_ids], title=input.title,
            place=input.place, quorum_note=input.quorum_note))

    @strawberry.mutation(description="Open a meeting: convene each agenda project's committee with its members.")
    def guarantee_meeting_open(self, info: strawberry.Info, meeting_id: strawberry.ID) -> GuaranteeMeetingPayload:
        return _meeting(info, lambda: open_meeting(info.context.session, actor(info),
                                                   decode_node_id(meeting_id, "GuaranteeMeeting", field="meetingId")))

    @strawberry.mutation(description="Export the meeting's minutes (.docx) as an attachment of the meeting.")
    def guarantee_meeting_minutes_export(self, info: strawberry.Info,
                                         meeting_id: strawberry.ID) -> GuaranteeMeetingMinutesPayload:
        def go():
            stored, _ = export_minutes(info.context.session, actor(info),
                                       decode_node_id(meeting_id, "GuaranteeMeeting", field="meetingId"))
            return GuaranteeMeetingMinutesPayload(minutes=Attachment.from_row(stored))

        return run_mutation(info, GuaranteeMeetingMinutesPayload, go)

    @strawberry.mutation(description="Generate a project's review report (kind review_report, 评审报告) or approval "
                                     "form (approval_form, 审批表) from the tenant's template, stored as an "
                                     "attachment of the project.")
    def guarantee_report_generate(self, info: strawberry.Info, project_id: strawberry.ID,
                                  kind: str) -> GuaranteeReportPayload:
        def go():
            stored, _ = generate_report(info.context.session, actor(info), project_uuid(project_id), kind)
            return GuaranteeReportPayload(report=Attachment.from_row(stored))

        return run_mutation(info, GuaranteeReportPayload, go)

    @strawberry.mutation(description="The committee secretary records a condition the resolution states (on the "
                                     "project's latest approving resolution).")
    def guarantee_condition_add(self, info: strawberry.Info,
                                input: GuaranteeConditionAddInput) -> GuaranteeConditionPayload:
        return _condition(info, lambda: conditions.add_condition(
            info.context.session, actor(info), project_uuid(input.project_id), text=input.text, kind=input.kind))

    @strawberry.mutation(description="The committee secretary corrects an open condition's text or kind.")
    def guarantee_condition_update(self, info: strawberry.Info,
                                   input: GuaranteeConditionUpdateInput) -> GuaranteeConditionPayload:
        return _condition(info, lambda: conditions.update_condition(
            info.context.session, actor(info), _condition_id(input.condition_id), text=input.text, kind=input.kind))

    @strawberry.mutation(description="Record an open condition as met, with its evidence (attachments of the project "
                                     "and a note).")
    def guarantee_condition_meet(self, info: strawberry.Info,
                                 input: GuaranteeConditionMeetInput) -> GuaranteeConditionPayload:
        return _condition(info, lambda: conditions.meet_condition(
            info.context.session, actor(info), _condition_id(input.condition_id),
            attachment_ids=[decode_node_id(a, "Attachment", field="attachmentIds") for a in input.attachment_ids],
            note=input.note))

    @strawberry.mutation(description="Waive an open condition with a reason (the approver: guarantee:condition:waive).")
    def guarantee_condition_waive(self, info: strawberry.Info,
                                  input: GuaranteeConditionWaiveInput) -> GuaranteeConditionPayload:
        return _condition(info, lambda: conditions.waive_condition(
            info.context.session, actor(info), _condition_id(input.condition_id), reason=input.reason))


QUERIES: tuple = (DocumentsQuery,)
MUTATIONS: tuple = (DocumentsMutation,)
TYPES: tuple = ()
