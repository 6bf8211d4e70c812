"""Hook implementations of the ``finance`` plugin (hooks only; the rules live in the areas' modules) and the plain
lists that put the areas together: their tables and their GraphQL (docs/finance/README.md)."""

from __future__ import annotations

from pathlib import Path

from surety.core import plugin_parts as parts
from surety.core.hookspecs import PluginManifest, ScheduledJob
from surety.core.plugins import hookimpl
from surety.plugins.finance import KEY, __version__, hookspecs, permissions
from surety.plugins.finance.accounts import models as account_models
from surety.plugins.finance.accounts.templates import DEFAULT_TEMPLATE
from surety.plugins.finance.demo import add_demo_finance
from surety.plugins.finance.forecast import graphql as forecast_graphql
from surety.plugins.finance.forecast import models as forecast_models
from surety.plugins.finance.forecast import permissions as forecast_permissions
from surety.plugins.finance.ledger import graphql as finance_graphql
from surety.plugins.finance.ledger import regulatory_figures
from surety.plugins.finance.periodend import graphql as periodend_graphql
from surety.plugins.finance.periodend import jobs as periodend
from surety.plugins.finance.periodend import models as periodend_models
from surety.plugins.finance.periodend.cli import finance_app
from surety.plugins.finance.rules import models as rule_models
from surety.plugins.finance.rules import services as rules
from surety.plugins.finance.vouchers import models as voucher_models

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
#: Modules holding this plugin's tables (every one, so the metadata is complete when the plugin loads).
MODEL_MODULES = (account_models, voucher_models, rule_models, periodend_models, forecast_models)
#: GraphQL modules of the areas: each exports ``QUERIES``, ``MUTATIONS`` and ``TYPES``, joined in this order.
GRAPHQL_MODULES = (finance_graphql, periodend_graphql, forecast_graphql)
#: Modules holding permissions: each exports ``PERMISSIONS`` and ``DEFAULT_GRANTS`` (role -> keys), joined in order.
PERMISSION_MODULES = (permissions, forecast_permissions)


@hookimpl
def surety_manifest():
    return PluginManifest(key=KEY, version=__version__, title="财务凭证（业财一体化）",
                          description="业财一体化：科目表模板、凭证模板（按业务事件自动生成凭证）、凭证审核记账、"
                                      "红字冲销、结账、科目余额表与明细账。")


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
def surety_graphql():
    return parts.graphql(GRAPHQL_MODULES)


@hookimpl(tryfirst=True)
def surety_handle_event(session, event):
    # First among the plugins: the event's outbox row is still pending, so the voucher names it without a query.
    # A guarantee fee received or refunded is added to its project's fee schedule in the voucher's statement on
    # PostgreSQL (fee.written), else by its own.
    payload = event.payload()
    fee = periodend.fee_delta(event.event_type, payload)
    rules.handle_event(session, event, payload, fee)
    if event.event_type in periodend.SCHEDULE_EVENTS and not (fee is not None and fee.written):
        periodend.record_event(session, event.event_type, payload)


@hookimpl
def surety_tenant_provisioned(session, tenant):
    # The default chart with its rules for a tenant that has none, then the vouchers of money events already in
    # the outbox (each once): enabling the plugin and `surety tenant sync` alike.
    rules.ensure_chart(session, DEFAULT_TEMPLATE)
    rules.backfill(session)
    periodend.backfill_schedules(session)


@hookimpl
def surety_plugin_hookspecs():
    return hookspecs


@hookimpl
def surety_scheduled_jobs():
    return [ScheduledJob("finance_period_end", periodend.day_end, order=800,
                         description="Recognise guarantee-fee income month by month (on a month's last day-end "
                                     "or the next month's first) and book the year-end reserves.")]


@hookimpl
def surety_cli(app):
    app.add_typer(finance_app, name=KEY)


@hookimpl
def regulatory_report_figures(session, as_of, period_start):
    """The finance.* measures for the regulatory plugin, from the posted ledger (docs/regulatory/measures.md)."""
    return regulatory_figures.report_figures(session, as_of, period_start)


@hookimpl
def surety_demo_data(session, tenant):
    add_demo_finance(session, tenant)
