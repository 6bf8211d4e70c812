"""Hook implementations of the ``guarantee`` plugin (hooks only; the rules live in the service modules)."""

from __future__ import annotations

import importlib
from pathlib import Path

from surety.core.hookspecs import PluginManifest
from surety.core.plugins import hookimpl
from surety.plugins.guarantee import KEY

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
#: Modules holding this plugin's tables.
MODEL_MODULES = ("models", "rating_models", "fee_models", "contract_models", "meeting_models", "release_models",
                 "compensation_models", "monitoring_models", "ledger_models", "portal_models")
#: GraphQL modules of ``graphql/``: each exports ``QUERIES``, ``MUTATIONS`` and ``TYPES`` (tuples of classes).
GRAPHQL_MODULES = ("projects", "risk", "finance", "documents", "release", "compensation", "inspections", "early_warnings",
                   "ledger", "dashboard", "portal")
#: Modules reacting to the plugin's domain events (each exports ``on_event(session, event)``), in this order.
EVENT_MODULES = ("workflow", "ledger", "inspections", "early_warnings")


def _module(name: str):
    return importlib.import_module(f"surety.plugins.guarantee.{name}")


@hookimpl
def surety_manifest():
    from surety import __version__

    return PluginManifest(key=KEY, version=__version__, title="Guarantee", depends_on=("customers",),
                          description="Financing and non-financing guarantees: application to effective guarantee.")


@hookimpl
def surety_models():
    return [_module(name) for name in MODEL_MODULES]


@hookimpl
def surety_migration_location():
    return str(MIGRATIONS)


@hookimpl
def surety_permissions():
    from surety.plugins.guarantee.permissions import PERMISSIONS

    return PERMISSIONS


@hookimpl
def surety_role_templates():
    from surety.plugins.guarantee.portal import ROLE_TEMPLATES

    return ROLE_TEMPLATES


@hookimpl
def surety_scheduled_jobs():
    from surety.core.hookspecs import ScheduledJob
    from surety.plugins.guarantee.early_warnings import scan
    from surety.plugins.guarantee.reminders import run_reminders

    return [ScheduledJob("guarantee_warnings", lambda session, day: {"raised": scan(session, day)}, order=30,
                         description="Evaluate the early-warning indicators and raise warnings."),
            ScheduledJob("guarantee_reminders", run_reminders, order=40,
                         description="Remind of fees due, guarantees expiring, inspections due or late and overdue "
                                     "loans reported by banks.")]


@hookimpl
def surety_default_grants():
    from surety.plugins.guarantee.permissions import DEFAULT_GRANTS

    return DEFAULT_GRANTS


@hookimpl
def surety_sensitive_keys():
    from surety.plugins.guarantee.permissions import SENSITIVE_KEYS

    return SENSITIVE_KEYS


@hookimpl
def surety_graphql():
    from surety.core.hookspecs import GraphQLContribution

    modules = [_module(f"graphql.{name}") for name in GRAPHQL_MODULES]
    return GraphQLContribution(query=tuple(q for m in modules for q in m.QUERIES),
                               mutation=tuple(q for m in modules for q in m.MUTATIONS),
                               types=tuple(t for m in modules for t in m.TYPES))


@hookimpl
def surety_tenant_provisioned(session, tenant):
    from surety.plugins.guarantee.rating import install_default_templates
    from surety.plugins.guarantee.settings import get_settings

    from surety.plugins.guarantee.upgrade import backfill

    get_settings(session)
    install_default_templates(session)
    # Defaults of this release (processes, warning indicators) and, for a tenant that used an earlier release, the
    # derived records it lacks (ledger entries, inspection plans, claim approvals): docs/guarantee-upgrade.md.
    backfill(session)


@hookimpl
def surety_plugin_hookspecs():
    from surety.plugins.guarantee import hookspecs

    return hookspecs


@hookimpl
def surety_workflow_definitions():
    from surety.plugins.guarantee.workflow import definitions

    return definitions()


@hookimpl
def surety_workflow_subject(session, subject_type, subject_id):
    from surety.plugins.guarantee.workflow import subject

    return subject(session, subject_type, subject_id)


@hookimpl
def surety_workflow_handlers():
    from surety.plugins.guarantee.handlers import handlers

    return handlers()


@hookimpl
def surety_handle_event(session, event):
    for name in EVENT_MODULES:
        _module(name).on_event(session, event)


@hookimpl
def customers_exposure(session, customer_ids):
    from surety.plugins.guarantee.exposure import exposure

    return exposure(session, customer_ids)


@hookimpl
def surety_demo_data(session, tenant):
    from surety.plugins.guarantee.demo import add_demo_guarantees

    add_demo_guarantees(session, tenant)


@hookimpl
def surety_cli(app):
    import typer

    from surety.plugins.guarantee.ledger_export import ledger_app

    guarantee_app = typer.Typer(help="Guarantee business (ledger export).", no_args_is_help=True)
    guarantee_app.add_typer(ledger_app, name="ledger")
    app.add_typer(guarantee_app, name=KEY)


@hookimpl
def surety_attachment_guards():
    from surety.core.attachments.service import WILDCARD
    from surety.plugins.guarantee import contracts, inspections, meetings, portal, projects

    return {"guarantee:project": projects.attachment_guard,
            "guarantee:meeting": meetings.meeting_attachment_guard,
            "guarantee:contract_template": contracts.template_attachment_guard,
            "guarantee:inspection": inspections.attachment_guard,
            portal.DOCUMENT_ENTITY: portal.document_guard,
            WILDCARD: portal.attachment_types_guard}
