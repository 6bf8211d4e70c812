"""Hook implementations of the ``customers`` plugin (hooks only; the rules live in the service modules)."""

from __future__ import annotations

from pathlib import Path

from surety.core.hookspecs import PluginManifest
from surety.core.plugins import hookimpl
from surety.plugins.customers import KEY

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


@hookimpl
def surety_manifest():
    from surety import __version__

    return PluginManifest(key=KEY, version=__version__, title="Customers", depends_on=(),
                          description="Shared customer pool: identities, related parties, blacklist, history.")


@hookimpl
def surety_plugin_hookspecs():
    from surety.plugins.customers import hookspecs

    return hookspecs


@hookimpl
def surety_models():
    from surety.plugins.customers import models

    return [models]


@hookimpl
def surety_migration_location():
    return str(MIGRATIONS)


@hookimpl
def surety_permissions():
    from surety.plugins.customers.permissions import PERMISSIONS

    return PERMISSIONS


@hookimpl
def surety_default_grants():
    from surety.plugins.customers.permissions import DEFAULT_GRANTS

    return DEFAULT_GRANTS


@hookimpl
def surety_sensitive_keys():
    from surety.plugins.customers.permissions import SENSITIVE_KEYS

    return SENSITIVE_KEYS


@hookimpl
def surety_graphql():
    from surety.core.hookspecs import GraphQLContribution
    from surety.plugins.customers.graphql.mutations import CustomersMutation
    from surety.plugins.customers.graphql.queries import CustomersQuery

    return GraphQLContribution(query=(CustomersQuery,), mutation=(CustomersMutation,))


@hookimpl
def surety_tenant_provisioned(session, tenant):
    from surety.plugins.customers.collision import get_settings

    get_settings(session)


@hookimpl
def surety_demo_data(session, tenant):
    from surety.plugins.customers.demo import add_demo_customers

    add_demo_customers(session)


@hookimpl
def surety_cli(app):
    from surety.plugins.customers.cli import customers_app

    app.add_typer(customers_app, name=KEY)


@hookimpl
def surety_attachment_guards():
    from surety.plugins.customers.records import ENTITY, attachment_guard

    return {ENTITY: attachment_guard}


@hookimpl
def surety_code_lists():
    from surety.plugins.customers.codes import LISTS

    return LISTS


@hookimpl
def surety_custom_field_entities():
    from surety.plugins.customers.custom_fields import ENTITIES

    return ENTITIES


@hookimpl
def customers_summaries(session, customer_ids):
    from surety.plugins.customers.records import summaries

    return summaries(session, customer_ids)


@hookimpl
def customers_latest_ratios(session, customer_id):
    from surety.plugins.customers.statements import latest_ratios

    return latest_ratios(session, customer_id)


@hookimpl
def customers_related(session, customer_id):
    from surety.plugins.customers.related import related_to

    return related_to(session, customer_id)


@hookimpl
def customers_related_many(session, customer_ids):
    from surety.plugins.customers.related import related_to_many

    return related_to_many(session, customer_ids)


@hookimpl
def customers_screen(session, customer_id, business):
    from surety.plugins.customers.blacklist import screen

    return screen(session, customer_id, business)


@hookimpl
def customers_get(session, actor, customer_id):
    from surety.plugins.customers.records import readable_summary

    return readable_summary(session, actor, customer_id)


@hookimpl
def customers_columns(session):
    from surety.core.ports.customers import CustomerColumns
    from surety.plugins.customers.models import Customer

    return CustomerColumns(entity=Customer, tenant_id=Customer.tenant_id, id=Customer.id, kind=Customer.kind,
                           industry=Customer.industry, region=Customer.region, size=Customer.size,
                           deleted_at=Customer.deleted_at)


@hookimpl
def customers_demo_corporates(session, actor, corporates):
    from surety.plugins.customers.demo import ensure_corporates

    return ensure_corporates(session, actor, corporates)
