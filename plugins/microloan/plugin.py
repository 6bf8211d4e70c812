"""Hook implementations of the ``microloan`` plugin (hooks only; the rules live in the areas' modules) and the plain
lists that put the areas together: their tables, GraphQL, processes, event handlers and day-end jobs
(docs/microloan/README.md). An area joins by adding its module to the list it belongs in."""

from __future__ import annotations

from pathlib import Path

import typer

from surety.core import plugin_parts as parts
from surety.core.hookspecs import PluginManifest, ScheduledJob
from surety.core.plugins import hookimpl
from surety.core.workflow.processes import Processes
from surety.plugins.microloan import KEY, __version__
from surety.plugins.microloan import permissions as product_permissions
from surety.plugins.microloan import settings as settings_models
from surety.plugins.microloan.collection import cases as collection_cases
from surety.plugins.microloan.collection import classification as collection_classification
from surety.plugins.microloan.collection import graphql as collection_graphql
from surety.plugins.microloan.collection import models as collection_models
from surety.plugins.microloan.collection import permissions as collection_permissions
from surety.plugins.microloan.collection import writeoff as collection_writeoff
from surety.plugins.microloan.dayend import batch as dayend_batch
from surety.plugins.microloan.dayend import models as dayend_models
from surety.plugins.microloan.demo import add_demo_microloans
from surety.plugins.microloan.loan import approval as loan_approval
from surety.plugins.microloan.loan import exposure as loan_exposure
from surety.plugins.microloan.loan import graphql as loan_graphql
from surety.plugins.microloan.loan import models as loan_models
from surety.plugins.microloan.loan import permissions as loan_permissions
from surety.plugins.microloan.product import graphql as product_graphql
from surety.plugins.microloan.product import models as product_models
from surety.plugins.microloan.repayment import graphql as repayment_graphql
from surety.plugins.microloan.repayment import models as repayment_models
from surety.plugins.microloan.repayment import permissions as repayment_permissions
from surety.plugins.microloan.reports import graphql as reports_graphql
from surety.plugins.microloan.reports import permissions as reports_permissions
from surety.plugins.microloan.reports import regulatory_figures
from surety.plugins.microloan.reports.export import ledger_app

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
#: Modules holding this plugin's tables (every one, so the metadata is complete when the plugin loads).
MODEL_MODULES = (settings_models, product_models, loan_models, repayment_models, dayend_models, collection_models)
#: Permission modules: each exports ``PERMISSIONS`` and ``DEFAULT_GRANTS`` (role -> permission names), joined here.
PERMISSION_MODULES = (product_permissions, loan_permissions, repayment_permissions, collection_permissions,
                      reports_permissions)
#: GraphQL modules of the areas: each exports ``QUERIES``, ``MUTATIONS`` and ``TYPES``, joined in this order.
GRAPHQL_MODULES = (product_graphql, loan_graphql, repayment_graphql, collection_graphql, reports_graphql)
#: Process modules (approvals): each exports ``DEFINITIONS`` and ``SUBJECTS`` (core/workflow/processes.py).
PROCESSES = Processes((loan_approval, collection_classification, collection_writeoff))
#: Automatic workflow step handlers by name (``microloan.<name>``).
WORKFLOW_HANDLERS: dict = {}
#: What reacts to domain events (the plugin's own and other plugins'), in this order: ``handle(session, event)``.
EVENT_HANDLERS = (PROCESSES.on_event, collection_cases.on_event)
#: Day-end and scheduled jobs (core ScheduledJob), in the order they run.
SCHEDULED_JOBS: tuple = (
    ScheduledJob("microloan_day_end", dayend_batch.day_end_job, order=20,
                 description="Accrue interest, penalty and compound interest, days past due, classes and provisions; "
                             "remind of installments falling due."),
    ScheduledJob("microloan_collection", lambda session, day: collection_cases.sync_cases(session, day), order=30,
                 description="Open, move and close collection cases by days past due; mark broken promises to pay."),
)


@hookimpl
def surety_manifest():
    return PluginManifest(key=KEY, version=__version__, title="小额贷款", depends_on=("customers",),
                          description="小额贷款：产品（分版本）、还款计划、贷款发放、还款、日终批处理、催收与核销。")


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
def surety_role_templates():
    return parts.role_templates(PERMISSION_MODULES)


@hookimpl
def surety_default_grants():
    return parts.default_grants(PERMISSION_MODULES)


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
def surety_workflow_handlers():
    return dict(WORKFLOW_HANDLERS)


@hookimpl
def surety_handle_event(session, event):
    for handle in EVENT_HANDLERS:
        handle(session, event)


@hookimpl
def surety_scheduled_jobs():
    return list(SCHEDULED_JOBS)


@hookimpl
def surety_demo_data(session, tenant):
    add_demo_microloans(session, tenant)


@hookimpl
def surety_cli(app):
    microloan_app = typer.Typer(help="Microloan business (ledger and schedule export).", no_args_is_help=True)
    microloan_app.add_typer(ledger_app, name="ledger")
    app.add_typer(microloan_app, name=KEY)


@hookimpl
def customers_exposure(session, customer_ids):
    """The borrowers' on-book principal (the customer pool's exposure across business lines)."""
    return loan_exposure.exposure(session, customer_ids)


@hookimpl
def regulatory_report_figures(session, as_of, period_start):
    """The microloan figures for the regulatory plugin (docs/regulatory/figures.md)."""
    return regulatory_figures.report_figures(session, as_of, period_start)
