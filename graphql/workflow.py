"""Workflow API: definitions (list, view, import, export, edit, validate, publish), instances, task inboxes and
actions, the notification inbox and the tenant's work-calendar overrides. Thin resolvers over core.workflow."""

from __future__ import annotations

import datetime as dt
import uuid

import strawberry
from strawberry.scalars import JSON

from surety.core.notifications.models import Notification as Row
from surety.core.notifications.service import inbox, mark_read, unread_count
from surety.core.workflow.actions import act, comment_on, withdraw
from surety.core.workflow.definition import DefinitionInvalid
from surety.core.workflow.definitions import (
    dump_document,
    get_version,
    list_definitions,
    load_document,
    publish,
    save_draft,
    validate,
)
from surety.core.workflow.engine import business_today, start
from surety.core.workflow.models import WorkflowTask as TaskRow
from surety.core.workflow.queries import completed_tasks, my_open_tasks, org_unit_tasks, overdue_tasks
from surety.core.workflow.workdays import list_overrides, remove_override, set_override
from surety.graphql.auth import actor, decode_node_id, require
from surety.graphql.errors import run_mutation
from surety.graphql.pagination import Connection, paginate
from surety.graphql.workflow_types import (
    DefinitionFormat,
    Notification,
    NotificationsMarkReadPayload,
    WorkdayOverride,
    WorkdayOverridePayload,
    WorkflowDefinition,
    WorkflowDefinitionPayload,
    WorkflowInstance,
    WorkflowInstanceActionInput,
    WorkflowInstancePayload,
    WorkflowInstanceStartInput,
    WorkflowTask,
    WorkflowTaskActionInput,
    WorkflowValidationPayload,
)


def _tasks(info, stmt, first, after) -> Connection[WorkflowTask]:
    return paginate(info, info.context.session, stmt, order=[TaskRow.created_at, TaskRow.id],
                    to_node=WorkflowTask.from_row, first=first, after=after)


@strawberry.type
class WorkflowQuery:
    @strawberry.field(description="Process definition versions, newest first per key.")
    def workflow_definitions(self, info: strawberry.Info, key: str | None = None) -> list[WorkflowDefinition]:
        return [WorkflowDefinition.from_row(r) for r in list_definitions(info.context.session, actor(info), key)]

    @strawberry.field(description="A definition as JSON or YAML text: the published version unless `version` says.")
    def workflow_definition_export(self, info: strawberry.Info, key: str, version: int | None = None,
                                   format: DefinitionFormat = DefinitionFormat.JSON) -> str:
        require(info, "core:workflow:read")
        return dump_document(get_version(info.context.session, key, version).document, format.value)

    @strawberry.field(description="An instance you took part in or started (monitors see all); null otherwise.")
    def workflow_instance(self, info: strawberry.Info, id: strawberry.ID) -> WorkflowInstance | None:
        found = WorkflowInstance.resolve_nodes(info=info, node_ids=[str(decode_node_id(id, "WorkflowInstance"))])
        return found[0]

    @strawberry.field(description="Open tasks you may act on: assigned to you or waiting for one of you to claim.")
    def my_tasks(self, info: strawberry.Info, first: int | None = None,
                 after: str | None = None) -> Connection[WorkflowTask]:
        return _tasks(info, my_open_tasks(info.context.session, actor(info)), first, after)

    @strawberry.field(description="Open tasks about subjects of your org unit.")
    def org_unit_tasks(self, info: strawberry.Info, first: int | None = None,
                       after: str | None = None) -> Connection[WorkflowTask]:
        return _tasks(info, org_unit_tasks(info.context.session, actor(info)), first, after)

    @strawberry.field(description="Tasks you completed.")
    def completed_tasks(self, info: strawberry.Info, first: int | None = None,
                        after: str | None = None) -> Connection[WorkflowTask]:
        return _tasks(info, completed_tasks(info.context.session, actor(info)), first, after)

    @strawberry.field(description="Open tasks past their due date on `asOf` (default today, Beijing): every one "
                                  "with core:workflow:monitor, else your own.")
    def overdue_tasks(self, info: strawberry.Info, as_of: dt.date | None = None, first: int | None = None,
                      after: str | None = None) -> Connection[WorkflowTask]:
        stmt = overdue_tasks(info.context.session, actor(info), as_of or business_today())
        return _tasks(info, stmt, first, after)

    @strawberry.field(description="Your in-app notifications, newest first.")
    def notifications(self, info: strawberry.Info, unread_only: bool = False, first: int | None = None,
                      after: str | None = None) -> Connection[Notification]:
        return paginate(info, info.context.session, inbox(info.context.session, actor(info), unread_only=unread_only),
                        order=[Row.created_at, Row.id], to_node=Notification.from_row, first=first, after=after,
                        descending=True)

    @strawberry.field(description="How many of your notifications are unread.")
    def unread_notification_count(self, info: strawberry.Info) -> int:
        return unread_count(info.context.session, actor(info))

    @strawberry.field(description="The tenant's corrections of the PRC work calendar.")
    def workday_overrides(self, info: strawberry.Info, year: int | None = None) -> list[WorkdayOverride]:
        return [WorkdayOverride(day=r.day, working=r.working, note=r.note)
                for r in list_overrides(info.context.session, actor(info), year)]


def _definition(info, fn) -> WorkflowDefinitionPayload:
    return run_mutation(info, WorkflowDefinitionPayload,
                        lambda: WorkflowDefinitionPayload(definition=WorkflowDefinition.from_row(fn())))


def _instance_payload(info, fn) -> WorkflowInstancePayload:
    return run_mutation(info, WorkflowInstancePayload,
                        lambda: WorkflowInstancePayload(instance=WorkflowInstance.from_row(fn())))


def _ids(values, type_name: str, field: str) -> list[uuid.UUID]:
    return [decode_node_id(v, type_name, field=field) for v in values]


def _task_action(info, input: WorkflowTaskActionInput, action: str) -> WorkflowInstancePayload:
    def go():
        return act(
            info.context.session, actor(info), decode_node_id(input.task_id, "WorkflowTask", field="taskId"), action,
            comment=input.comment, client_key=input.client_key, to_step=input.to_step,
            to_user=decode_node_id(input.to_user, "User", field="toUser") if input.to_user else None,
            members=_ids(input.members, "User", "members"),
            chair=decode_node_id(input.chair, "User", field="chair") if input.chair else None, vote=input.vote,
            attachment_ids=_ids(input.attachment_ids, "Attachment", "attachmentIds"))

    return _instance_payload(info, go)


@strawberry.type
class WorkflowMutation:
    @strawberry.mutation(description="Save a definition document as the draft of its key (validated when published).")
    def workflow_definition_save(self, info: strawberry.Info, document: JSON) -> WorkflowDefinitionPayload:
        return _definition(info, lambda: save_draft(info.context.session, actor(info), document))

    @strawberry.mutation(description="Import a definition from JSON or YAML text as a draft.")
    def workflow_definition_import(self, info: strawberry.Info, text: str,
                                   format: DefinitionFormat = DefinitionFormat.JSON) -> WorkflowDefinitionPayload:
        return _definition(info, lambda: save_draft(info.context.session, actor(info),
                                                    load_document(text, format.value)))

    @strawberry.mutation(description="Validate a draft version and publish it; running instances keep theirs.")
    def workflow_definition_publish(self, info: strawberry.Info, key: str, version: int) -> WorkflowDefinitionPayload:
        return _definition(info, lambda: publish(info.context.session, actor(info), key, version))

    @strawberry.mutation(description="Check a document without saving it: every problem found, or valid.")
    def workflow_definition_validate(self, info: strawberry.Info, document: JSON) -> WorkflowValidationPayload:
        def go():
            require(info, "core:workflow:read")
            try:
                validate(info.context.session, document)
            except DefinitionInvalid as exc:
                return WorkflowValidationPayload(valid=False, problems=exc.problems)
            return WorkflowValidationPayload(valid=True)

        return run_mutation(info, WorkflowValidationPayload, go)

    @strawberry.mutation(description="Start the published process `definitionKey` about a subject.")
    def workflow_instance_start(self, info: strawberry.Info,
                                input: WorkflowInstanceStartInput) -> WorkflowInstancePayload:
        return _instance_payload(info, lambda: start(
            info.context.session, actor(info), definition_key=input.definition_key, subject_type=input.subject_type,
            subject_id=input.subject_id, subject=input.subject or {}, title=input.title, client_key=input.client_key))

    @strawberry.mutation(description="Claim a task offered to several people (reads taskId, comment).")
    def workflow_task_claim(self, info: strawberry.Info, input: WorkflowTaskActionInput) -> WorkflowInstancePayload:
        return _task_action(info, input, "claim")

    @strawberry.mutation(description="Approve a task (reads taskId, comment, attachmentIds, clientKey).")
    def workflow_task_approve(self, info: strawberry.Info, input: WorkflowTaskActionInput) -> WorkflowInstancePayload:
        return _task_action(info, input, "approve")

    @strawberry.mutation(description="Reject a task; the comment (the reason) is required.")
    def workflow_task_reject(self, info: strawberry.Info, input: WorkflowTaskActionInput) -> WorkflowInstancePayload:
        return _task_action(info, input, "reject")

    @strawberry.mutation(description="Return (退回) to an earlier step `toStep`; the comment is required.")
    def workflow_task_return(self, info: strawberry.Info, input: WorkflowTaskActionInput) -> WorkflowInstancePayload:
        return _task_action(info, input, "return")

    @strawberry.mutation(description="Transfer (转办) the task to `toUser`.")
    def workflow_task_transfer(self, info: strawberry.Info,
                               input: WorkflowTaskActionInput) -> WorkflowInstancePayload:
        return _task_action(info, input, "transfer")

    @strawberry.mutation(description="Add a signer (加签) `toUser` who must also approve this step.")
    def workflow_task_add_signer(self, info: strawberry.Info,
                                 input: WorkflowTaskActionInput) -> WorkflowInstancePayload:
        return _task_action(info, input, "add_signer")

    @strawberry.mutation(description="Convene the review committee: `members` (at least the quorum) and `chair`.")
    def workflow_committee_convene(self, info: strawberry.Info,
                                   input: WorkflowTaskActionInput) -> WorkflowInstancePayload:
        return _task_action(info, input, "convene")

    @strawberry.mutation(description="Cast a committee vote (`vote`, with conditions or recusal reason in comment).")
    def workflow_committee_vote(self, info: strawberry.Info,
                                input: WorkflowTaskActionInput) -> WorkflowInstancePayload:
        return _task_action(info, input, "vote")

    @strawberry.mutation(description="Withdraw (撤回) an instance you started.")
    def workflow_instance_withdraw(self, info: strawberry.Info,
                                   input: WorkflowInstanceActionInput) -> WorkflowInstancePayload:
        return _instance_payload(info, lambda: withdraw(
            info.context.session, actor(info), decode_node_id(input.instance_id, "WorkflowInstance",
                                                              field="instanceId"),
            comment=input.comment, client_key=input.client_key))

    @strawberry.mutation(description="Comment on an instance, citing files uploaded to it.")
    def workflow_instance_comment(self, info: strawberry.Info,
                                  input: WorkflowInstanceActionInput) -> WorkflowInstancePayload:
        return _instance_payload(info, lambda: comment_on(
            info.context.session, actor(info), decode_node_id(input.instance_id, "WorkflowInstance",
                                                              field="instanceId"),
            input.comment or "", attachment_ids=_ids(input.attachment_ids, "Attachment", "attachmentIds"),
            client_key=input.client_key))

    @strawberry.mutation(description="Mark your notifications read: those in `ids`, or all when `ids` is null.")
    def notifications_mark_read(self, info: strawberry.Info,
                                ids: list[strawberry.ID] | None = None) -> NotificationsMarkReadPayload:
        return run_mutation(info, NotificationsMarkReadPayload, lambda: NotificationsMarkReadPayload(
            count=mark_read(info.context.session, actor(info),
                            None if ids is None else _ids(ids, "Notification", "ids"))))

    @strawberry.mutation(description="Mark a day a working day or a day off for this tenant (core:workflow:manage).")
    def workday_override_set(self, info: strawberry.Info, day: dt.date, working: bool,
                             note: str = "") -> WorkdayOverridePayload:
        def go():
            row = set_override(info.context.session, actor(info), day, working, note)
            return WorkdayOverridePayload(override=WorkdayOverride(day=row.day, working=row.working, note=row.note))

        return run_mutation(info, WorkdayOverridePayload, go)

    @strawberry.mutation(description="Remove this tenant's override of a day.")
    def workday_override_remove(self, info: strawberry.Info, day: dt.date) -> WorkdayOverridePayload:
        def go():
            remove_override(info.context.session, actor(info), day)
            return WorkdayOverridePayload()

        return run_mutation(info, WorkdayOverridePayload, go)
