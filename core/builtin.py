"""Core's own hook implementations: it is registered as the plugin ``core``, always enabled."""

from __future__ import annotations

from pathlib import Path

from surety import __version__
from surety.core import codes, events_models, idempotency_models
from surety.core.attachments import models as attachments
from surety.core.audit import models as audit
from surety.core.authz import models as authz
from surety.core.crypto import models as crypto
from surety.core.custom_fields import models as custom_fields
from surety.core.hookspecs import GraphQLContribution, PluginManifest, ScheduledJob
from surety.core.identity import models as identity
from surety.core.notifications import models as notifications
from surety.core.notifications.service import deliver_pending
from surety.core.notifications.smtp import smtp_channel
from surety.core.permissions import CORE_DEFAULT_GRANTS, CORE_PERMISSIONS, CORE_SENSITIVE_KEYS, ROLE_TEMPLATES
from surety.core.plugins import hookimpl
from surety.core.workflow import models as workflow
from surety.core.workflow.defaults import SIMPLE_APPROVAL
from surety.core.workflow.files import ENTITY_TYPE, instance_guard
from surety.core.workflow.timeouts import run_timeouts
from surety.graphql.attachments import AttachmentMutation, AttachmentQuery
from surety.graphql.audit import AuditQuery
from surety.graphql.authz import AuthzMutation, AuthzQuery
from surety.graphql.codes import CodesQuery
from surety.graphql.custom_fields import CustomFieldsMutation, CustomFieldsQuery
from surety.graphql.identity import IdentityMutation, IdentityQuery
from surety.graphql.platform import PlatformMutation, PlatformQuery
from surety.graphql.workflow import WorkflowMutation, WorkflowQuery
from surety.graphql.workflow_types import Notification, WorkflowDefinition, WorkflowInstance, WorkflowTask
from surety.tenants import models as tenants

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations" / "versions"


@hookimpl
def surety_manifest():
    return PluginManifest(key="core", version=__version__, title="Platform core")


@hookimpl
def surety_models():
    return [tenants, identity, authz, crypto, audit, events_models, notifications, workflow, attachments,
            idempotency_models, custom_fields]


@hookimpl
def surety_migration_location():
    return str(MIGRATIONS)


@hookimpl
def surety_permissions():
    return CORE_PERMISSIONS


@hookimpl
def surety_role_templates():
    return ROLE_TEMPLATES


@hookimpl
def surety_default_grants():
    return CORE_DEFAULT_GRANTS


@hookimpl
def surety_sensitive_keys():
    return CORE_SENSITIVE_KEYS


@hookimpl
def surety_graphql():
    return GraphQLContribution(
        query=(IdentityQuery, AuthzQuery, AuditQuery, PlatformQuery, WorkflowQuery, AttachmentQuery, CodesQuery,
               CustomFieldsQuery),
        mutation=(IdentityMutation, AuthzMutation, PlatformMutation, WorkflowMutation, AttachmentMutation,
                  CustomFieldsMutation),
        types=(WorkflowDefinition, WorkflowInstance, WorkflowTask, Notification),
    )


@hookimpl
def surety_code_lists():
    return codes.CORE_LISTS


def _deliver_notifications(session, _date) -> dict:
    sent, failed = deliver_pending(session)
    return {"sent": sent, "failed": failed}


@hookimpl
def surety_scheduled_jobs():
    return [
        ScheduledJob("workflow_timeouts", run_timeouts, order=50,
                     description="Remind before tasks fall due; notify and escalate overdue tasks."),
        ScheduledJob("notification_delivery", _deliver_notifications, order=900,
                     description="Send pending notifications through email and the other channels."),
    ]


@hookimpl
def surety_notification_channels():
    channel = smtp_channel()
    return [channel] if channel is not None else []


@hookimpl
def surety_workflow_definitions():
    return [SIMPLE_APPROVAL]


@hookimpl
def surety_attachment_guards():
    return {ENTITY_TYPE: instance_guard}
