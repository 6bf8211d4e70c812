"""Hook implementations of the ``reguarantee`` plugin (hooks only; the rules live in the areas' modules) and the plain
lists that put the areas together: their tables, permissions, GraphQL, processes and day-end jobs
(docs/reguarantee/README.md). An area joins by adding its module to the list it belongs in."""

from __future__ import annotations

from pathlib import Path

from surety.core import plugin_parts as parts
from surety.core.hookspecs import PluginManifest, ScheduledJob
from surety.core.plugins import hookimpl
from surety.core.workflow.processes import Processes
from surety.plugins.reguarantee import KEY, __version__
from surety.plugins.reguarantee import settings as settings_models
from surety.plugins.reguarantee.agreement import graphql as agreement_graphql
from surety.plugins.reguarantee.agreement import models as agreement_models
from surety.plugins.reguarantee.agreement import permissions as agreement_permissions
from surety.plugins.reguarantee.agreement import services as agreement_services
from surety.plugins.reguarantee.agreement.programmes import ensure_programmes
from surety.plugins.reguarantee.channel import graphql as channel_graphql
from surety.plugins.reguarantee.channel import hookspecs as channel_hookspecs
from surety.plugins.reguarantee.channel import models as channel_models
from surety.plugins.reguarantee.channel import permissions as channel_permissions
from surety.plugins.reguarantee.channel import services as channel_services
from surety.plugins.reguarantee.claim import graphql as claim_graphql
from surety.plugins.reguarantee.claim import models as claim_models
from surety.plugins.reguarantee.claim import permissions as claim_permissions
from surety.plugins.reguarantee.claim import process as claim_process
from surety.plugins.reguarantee.demo import add_demo
from surety.plugins.reguarantee.filing import fee_graphql, fee_permissions, fees
from surety.plugins.reguarantee.filing import graphql as filing_graphql
from surety.plugins.reguarantee.filing import models as filing_models
from surety.plugins.reguarantee.filing import numbering as filing_numbering
from surety.plugins.reguarantee.filing import permissions as filing_permissions
from surety.plugins.reguarantee.monitor import graphql as monitor_graphql
from surety.plugins.reguarantee.monitor import models as monitor_models
from surety.plugins.reguarantee.monitor import permissions as monitor_permissions
from surety.plugins.reguarantee.monitor import warnings as monitor_warnings
from surety.plugins.reguarantee.partner import admission as partner_admission
from surety.plugins.reguarantee.partner import graphql as partner_graphql
from surety.plugins.reguarantee.partner import models as partner_models
from surety.plugins.reguarantee.partner import permissions as partner_permissions

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
#: Modules holding this plugin's tables (every one, so the metadata is complete when the plugin loads).
MODEL_MODULES = (settings_models, partner_models, agreement_models, filing_models, filing_numbering, claim_models,
                 monitor_models, channel_models)
#: Permission modules: each exports ``PERMISSIONS`` and ``DEFAULT_GRANTS`` (role -> permission names), joined here.
PERMISSION_MODULES = (partner_permissions, agreement_permissions, filing_permissions, fee_permissions,
                      monitor_permissions, claim_permissions, channel_permissions)
#: GraphQL modules of the areas: each exports ``QUERIES``, ``MUTATIONS`` and ``TYPES``, joined in this order.
GRAPHQL_MODULES = (partner_graphql, agreement_graphql, filing_graphql, monitor_graphql, fee_graphql, claim_graphql,
                   channel_graphql)
#: Process modules (approvals): each exports ``DEFINITIONS`` and ``SUBJECTS`` (core/workflow/processes.py).
PROCESSES = Processes((partner_admission, claim_process))
#: What reacts to domain events, in this order: ``handle(session, event)``.
EVENT_HANDLERS = (PROCESSES.on_event, channel_services.on_event)
#: Day-end and scheduled jobs (core ScheduledJob), in the order they run.
SCHEDULED_JOBS: tuple = (
    ScheduledJob("reguarantee_agreements_expire", agreement_services.expire_agreements, order=40,
                 description="Active re-guarantee agreements whose validity has ended become expired."),
    ScheduledJob("reguarantee_fee_bills", fees.billing_job, order=42,
                 description="Re-guarantee fees of the last ended period billed per partner (once per filing)."),
    ScheduledJob("reguarantee_partner_monitoring", monitor_warnings.monitoring_job, order=45,
                 description="Re-guarantee partners' compensation rate and risk degree against the warning "
                             "thresholds: warnings raised, escalated or closed."),
)


@hookimpl
def surety_manifest():
    return PluginManifest(key=KEY, version=__version__, title="再担保", depends_on=("customers",),
                          description="再担保：合作机构准入与评价、业务品种、合作协议（分险比例、费率、单户上限、准入条件）。")


@hookimpl
def surety_models():
    return list(MODEL_MODULES)


@hookimpl
def surety_migration_location():
    return str(MIGRATIONS)


@hookimpl
def surety_permissions():
    return parts.permissions(PERMISSION_MODULES)


@hookimpl
def surety_default_grants():
    return parts.default_grants(PERMISSION_MODULES)


@hookimpl
def surety_plugin_hookspecs():
    return channel_hookspecs


@hookimpl
def surety_graphql():
    return parts.graphql(GRAPHQL_MODULES)


@hookimpl
def surety_workflow_definitions():
    return PROCESSES.definitions()


@hookimpl
def surety_workflow_subject(session, subject_type, subject_id):
    return PROCESSES.subject(session, subject_type, subject_id)


@hookimpl
def surety_handle_event(session, event):
    for handle in EVENT_HANDLERS:
        handle(session, event)


@hookimpl
def surety_scheduled_jobs():
    return list(SCHEDULED_JOBS)


@hookimpl
def surety_tenant_provisioned(session, tenant):
    ensure_programmes(session)


@hookimpl
def surety_demo_data(session, tenant):
    add_demo(session, tenant)


@hookimpl
def surety_sensitive_keys():
    return ["contact_name", "contact_phone"]
