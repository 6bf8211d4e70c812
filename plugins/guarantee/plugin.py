"""Hook implementations of the ``guarantee`` plugin (hooks only; the rules live in the areas' service modules) and
the plain lists that put the areas together: their tables, GraphQL, processes and event handlers
(docs/guarantee/README.md)."""

from __future__ import annotations

from pathlib import Path

import typer

from surety import __version__
from surety.core.attachments.service import WILDCARD
from surety.core.hookspecs import GraphQLContribution, PluginManifest, ScheduledJob
from surety.core.plugins import hookimpl
from surety.core.workflow.processes import Processes
from surety.plugins.guarantee import KEY, hookspecs
from surety.plugins.guarantee import settings as guarantee_settings
from surety.plugins.guarantee.compensation import claims as compensation_claims
from surety.plugins.guarantee.compensation import graphql as compensation_graphql
from surety.plugins.guarantee.compensation import models as compensation_models
from surety.plugins.guarantee.dashboard import graphql as dashboard_graphql
from surety.plugins.guarantee.demo import add_demo_guarantees
from surety.plugins.guarantee.documents import contracts, meetings
from surety.plugins.guarantee.documents import graphql as documents_graphql
from surety.plugins.guarantee.documents import models as documents_models
from surety.plugins.guarantee.finance import graphql as finance_graphql
from surety.plugins.guarantee.finance import models as finance_models
from surety.plugins.guarantee.ledger import credit_events as ledger_credit_events
from surety.plugins.guarantee.ledger import entries as ledger_entries
from surety.plugins.guarantee.ledger import graphql as ledger_graphql
from surety.plugins.guarantee.ledger import models as ledger_models
from surety.plugins.guarantee.ledger import month_end as ledger_month_end
from surety.plugins.guarantee.ledger import regulatory_batch, regulatory_customers, regulatory_figures
from surety.plugins.guarantee.ledger.export import ledger_app
from surety.plugins.guarantee.monitoring import graphql as monitoring_graphql
from surety.plugins.guarantee.monitoring import inspections
from surety.plugins.guarantee.monitoring import models as monitoring_models
from surety.plugins.guarantee.monitoring.reminders import run_reminders
from surety.plugins.guarantee.origination import approval
from surety.plugins.guarantee.origination import graphql as origination_graphql
from surety.plugins.guarantee.origination import handlers as origination_handlers
from surety.plugins.guarantee.origination.handlers import handlers
from surety.plugins.guarantee.permissions import DEFAULT_GRANTS, PERMISSIONS, SENSITIVE_KEYS
from surety.plugins.guarantee.portal import graphql as portal_graphql
from surety.plugins.guarantee.portal import models as portal_models
from surety.plugins.guarantee.portal import self_service as portal
from surety.plugins.guarantee.project import codes as project_codes
from surety.plugins.guarantee.project import conditions as project_conditions
from surety.plugins.guarantee.project import custom_fields as project_custom_fields
from surety.plugins.guarantee.project import models as project_models
from surety.plugins.guarantee.project import projects
from surety.plugins.guarantee.project import reguarantee_filing as project_reguarantee_filing
from surety.plugins.guarantee.project.exposure import exposure
from surety.plugins.guarantee.release import graphql as release_graphql
from surety.plugins.guarantee.release import models as release_models
from surety.plugins.guarantee.release import releases as release_requests
from surety.plugins.guarantee.risk import graphql as risk_graphql
from surety.plugins.guarantee.risk import models as risk_models
from surety.plugins.guarantee.risk.rating import install_default_templates
from surety.plugins.guarantee.upgrade import backfill
from surety.plugins.guarantee.warnings import classification, early_warnings
from surety.plugins.guarantee.warnings import codes as warnings_codes
from surety.plugins.guarantee.warnings import graphql as warnings_graphql
from surety.plugins.guarantee.warnings import models as warnings_models

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
#: Modules holding this plugin's tables (every one, so the metadata is complete when the plugin loads).
MODEL_MODULES = (guarantee_settings, project_models, project_conditions, risk_models, finance_models, documents_models,
                 release_models, compensation_models, warnings_models, monitoring_models, ledger_models, portal_models,
                 ledger_month_end)
#: GraphQL modules of the areas: each exports ``QUERIES``, ``MUTATIONS`` and ``TYPES`` (tuples of classes), joined
#: in this order (the order of the schema's fields).
GRAPHQL_MODULES = (origination_graphql, risk_graphql, finance_graphql, documents_graphql, release_graphql,
                   compensation_graphql, monitoring_graphql, warnings_graphql, ledger_graphql, dashboard_graphql,
                   portal_graphql)
#: The plugin's processes (core.workflow.processes): each module exports ``DEFINITIONS`` and ``SUBJECTS``.
PROCESSES = Processes((approval, compensation_claims, classification, early_warnings, release_requests))


#: What reacts to domain events (the plugin's own and other plugins'), in this order.
EVENT_HANDLERS = (PROCESSES.on_event, project_conditions.on_event, ledger_entries.on_event, inspections.on_event,
                  early_warnings.on_event, classification.on_event, origination_handlers.on_event)


@hookimpl
def surety_manifest():
    return PluginManifest(key=KEY, version=__version__, title="Guarantee", depends_on=("customers",),
                          description="Financing and non-financing guarantees: application to effective guarantee.")


@hookimpl
def surety_models():
    return list(MODEL_MODULES)


@hookimpl
def surety_migration_location():
    return str(MIGRATIONS)


@hookimpl
def surety_permissions():
    return PERMISSIONS


@hookimpl
def surety_role_templates():
    return portal.ROLE_TEMPLATES


@hookimpl
def surety_scheduled_jobs():
    return [ScheduledJob("guarantee_warnings", lambda session, day: {"raised": early_warnings.scan(session, day)},
                         order=30, description="Evaluate the early-warning indicators and raise warnings."),
            ScheduledJob("guarantee_reminders", run_reminders, order=40,
                         description="Remind of fees due, guarantees expiring, inspections due or late and overdue "
                                     "loans reported by banks."),
            ScheduledJob(ledger_month_end.JOB, ledger_month_end.run_day_end, order=50,
                         description="On a month end, keep each project's in-force balance as of that month end "
                                     "(the regulatory figures read it).")]


@hookimpl
def surety_default_grants():
    return DEFAULT_GRANTS


@hookimpl
def surety_sensitive_keys():
    return SENSITIVE_KEYS


@hookimpl
def surety_graphql():
    return GraphQLContribution(query=tuple(q for m in GRAPHQL_MODULES for q in m.QUERIES),
                               mutation=tuple(q for m in GRAPHQL_MODULES for q in m.MUTATIONS),
                               types=tuple(t for m in GRAPHQL_MODULES for t in m.TYPES))


@hookimpl
def surety_code_lists():
    return [*project_codes.LISTS, *warnings_codes.LISTS]


@hookimpl
def surety_custom_field_entities():
    return list(project_custom_fields.ENTITIES)


@hookimpl
def surety_tenant_provisioned(session, tenant):
    guarantee_settings.get_settings(session)
    install_default_templates(session)
    # Defaults of this release (processes, warning indicators) and, for a tenant that used an earlier release, the
    # derived records it lacks (ledger entries, inspection plans, claim approvals): docs/guarantee/upgrade.md.
    backfill(session)


@hookimpl
def surety_plugin_hookspecs():
    return hookspecs


@hookimpl
def surety_workflow_definitions():
    """The default definitions of the plugin: the project approval, then each other process module's."""
    return PROCESSES.definitions()


@hookimpl
def surety_workflow_subject(session, subject_type, subject_id):
    """The current fields of a subject of one of the plugin's processes; None for other subject types."""
    return PROCESSES.subject(session, subject_type, subject_id)


@hookimpl
def surety_workflow_handlers():
    return handlers()


@hookimpl
def surety_handle_event(session, event):
    for handle in EVENT_HANDLERS:
        handle(session, event)


@hookimpl
def customers_exposure(session, customer_ids):
    return exposure(session, customer_ids)


@hookimpl
def surety_demo_data(session, tenant):
    add_demo_guarantees(session, tenant)


@hookimpl
def surety_cli(app):
    guarantee_app = typer.Typer(help="Guarantee business (ledger export).", no_args_is_help=True)
    guarantee_app.add_typer(ledger_app, name="ledger")
    app.add_typer(guarantee_app, name=KEY)


@hookimpl
def surety_attachment_guards():
    return {"guarantee:project": projects.attachment_guard,
            "guarantee:meeting": meetings.meeting_attachment_guard,
            "guarantee:contract_template": contracts.template_attachment_guard,
            "guarantee:inspection": inspections.attachment_guard,
            portal.DOCUMENT_ENTITY: portal.document_guard,
            WILDCARD: portal.attachment_types_guard}


@hookimpl
def finance_liability_balance(session, as_of):
    """The in-force guarantee balance at the end of ``as_of``, for the finance plugin's year-end reserve."""
    from surety.plugins.guarantee.ledger.finance_figures import liability_balance  # noqa: PLC0415 (appended hook)

    return liability_balance(session, as_of)


@hookimpl
def reguarantee_filing_row(session, actor, project_id):
    """An effective project's re-guarantee filing row, for the reguarantee plugin's filing channel."""
    return project_reguarantee_filing.filing_row(session, actor, project_id)


@hookimpl
def regulatory_report_figures(session, as_of, period_start):
    """The guarantee figures for the regulatory plugin, rebuilt from the ledger (docs/regulatory/figures.md)."""
    return regulatory_figures.report_figures(session, as_of, period_start)


@hookimpl
def regulatory_exposures(session, as_of):
    return regulatory_figures.exposures(session, as_of)


@hookimpl
def regulatory_report_batch(session, periods, cuts, basis):
    """A report form's dates at once, month ends read from the month-end rows (docs/regulatory/figures.md, "Scale")."""
    return regulatory_batch.report_batch(session, periods, cuts, basis)


@hookimpl
def regulatory_proposed_exposures(session, subject_type, subject_id):
    return regulatory_figures.proposed_exposures(session, subject_type, subject_id)


@hookimpl
def regulatory_customer_exposures(session, as_of, customer_ids):
    return regulatory_customers.customer_exposures(session, as_of, customer_ids)


@hookimpl
def regulatory_book_version(session):
    return regulatory_customers.book_version(session)


@hookimpl
def regulatory_credit_events(session, period_start, period_end):
    """The guarantee-account events of the period for the credit-reporting file (docs/regulatory/credit.md)."""
    return ledger_credit_events.credit_events(session, period_start, period_end)
