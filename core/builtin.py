"""Core's own hook implementations: it is registered as the plugin ``core``, always enabled."""

from __future__ import annotations

from pathlib import Path

from surety.core.hookspecs import PluginManifest
from surety.core.plugins import hookimpl

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations" / "versions"


@hookimpl
def surety_manifest():
    from surety import __version__

    return PluginManifest(key="core", version=__version__, title="Platform core")


@hookimpl
def surety_models():
    from surety.core.attachments import models as attachments
    from surety.core.audit import models as audit
    from surety.core.authz import models as authz
    from surety.core.crypto import models as crypto
    from surety.core import events_models, idempotency_models
    from surety.core.identity import models as identity
    from surety.core.notifications import models as notifications
    from surety.core.workflow import models as workflow
    from surety.tenants import models as tenants

    return [tenants, identity, authz, crypto, audit, events_models, notifications, workflow, attachments,
            idempotency_models]


@hookimpl
def surety_migration_location():
    return str(MIGRATIONS)


@hookimpl
def surety_permissions():
    from surety.core.permissions import CORE_PERMISSIONS

    return CORE_PERMISSIONS


@hookimpl
def surety_role_templates():
    from surety.core.permissions import ROLE_TEMPLATES

    return ROLE_TEMPLATES


@hookimpl
def surety_default_grants():
    from surety.core.permissions import CORE_DEFAULT_GRANTS

    return CORE_DEFAULT_GRANTS


@hookimpl
def surety_sensitive_keys():
    from surety.core.permissions import CORE_SENSITIVE_KEYS

    return CORE_SENSITIVE_KEYS


@hookimpl
def surety_graphql():
    from surety.core.hookspecs import GraphQLContribution
    from surety.graphql.attachments import AttachmentMutation, AttachmentQuery
    from surety.graphql.audit import AuditQuery
    from surety.graphql.authz import AuthzMutation, AuthzQuery
    from surety.graphql.identity import IdentityMutation, IdentityQuery
    from surety.graphql.platform import PlatformMutation, PlatformQuery
    from surety.graphql.workflow import WorkflowMutation, WorkflowQuery
    from surety.graphql.workflow_types import Notification, WorkflowDefinition, WorkflowInstance, WorkflowTask

    return GraphQLContribution(
        query=(IdentityQuery, AuthzQuery, AuditQuery, PlatformQuery, WorkflowQuery, AttachmentQuery),
        mutation=(IdentityMutation, AuthzMutation, PlatformMutation, WorkflowMutation, AttachmentMutation),
        types=(WorkflowDefinition, WorkflowInstance, WorkflowTask, Notification),
    )


@hookimpl
def surety_scheduled_jobs():
    from surety.core.hookspecs import ScheduledJob
    from surety.core.notifications.service import deliver_pending
    from surety.core.workflow.timeouts import run_timeouts

    return [
        ScheduledJob("workflow_timeouts", run_timeouts, order=50,
                     description="Remind before tasks fall due; notify and escalate overdue tasks."),
        ScheduledJob("notification_delivery", lambda session, _date: dict(zip(("sent", "failed"),
                                                                                deliver_pending(session))), order=900,
                     description="Send pending notifications through email and the other channels."),
    ]


@hookimpl
def surety_notification_channels():
    from surety.core.notifications.smtp import smtp_channel

    channel = smtp_channel()
    return [channel] if channel is not None else []


@hookimpl
def surety_workflow_definitions():
    from surety.core.workflow.defaults import SIMPLE_APPROVAL

    return [SIMPLE_APPROVAL]


@hookimpl
def surety_attachment_guards():
    from surety.core.workflow.files import ENTITY_TYPE, instance_guard

    return {ENTITY_TYPE: instance_guard}
