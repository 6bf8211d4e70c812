"""Hook implementations of the ``regulatory`` plugin (hooks only; the rules live in the areas' modules) and the plain
lists that put the areas together: their tables, permissions, GraphQL, processes and scheduled jobs
(docs/regulatory/README.md). An area joins by adding its module to the list it belongs in."""

from __future__ import annotations

from pathlib import Path

from surety.core import plugin_parts as parts
from surety.core.hookspecs import PluginManifest, ScheduledJob
from surety.core.plugins import hookimpl
from surety.plugins.regulatory import KEY, __version__, hookspecs
from surety.plugins.regulatory import settings as settings_models
from surety.plugins.regulatory.credit import graphql as credit_graphql
from surety.plugins.regulatory.credit import permissions as credit_permissions
from surety.plugins.regulatory.demo import add_demo
from surety.plugins.regulatory.forms import duedates as forms_duedates
from surety.plugins.regulatory.forms import graphql as forms_graphql
from surety.plugins.regulatory.forms import models as forms_models
from surety.plugins.regulatory.forms import permissions as forms_permissions
from surety.plugins.regulatory.indicators import graphql as indicators_graphql
from surety.plugins.regulatory.indicators import permissions as indicators_permissions
from surety.plugins.regulatory.limits import check as limits_check
from surety.plugins.regulatory.limits import graphql as limits_graphql
from surety.plugins.regulatory.limits import permissions as limits_permissions
from surety.plugins.regulatory.measures import graphql as measures_graphql
from surety.plugins.regulatory.measures import permissions as measures_permissions

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
#: Modules holding this plugin's tables (every one, so the metadata is complete when the plugin loads).
MODEL_MODULES: tuple = (settings_models, forms_models)
#: Permission modules: each exports ``PERMISSIONS`` and ``DEFAULT_GRANTS`` (role -> permission names), joined here.
PERMISSION_MODULES: tuple = (measures_permissions, indicators_permissions, limits_permissions, forms_permissions,
                             credit_permissions)
#: GraphQL modules of the areas: each exports ``QUERIES``, ``MUTATIONS`` and ``TYPES``, joined in this order.
GRAPHQL_MODULES: tuple = (measures_graphql, indicators_graphql, limits_graphql, forms_graphql, credit_graphql)
#: Day-end and scheduled jobs (core ScheduledJob), in the order they run.
SCHEDULED_JOBS: tuple = (
    ScheduledJob("regulatory_report_reminders", forms_duedates.run_reminders, order=60,
                 description="Remind the report owners of regulatory reports due soon or overdue."),
)


@hookimpl
def surety_manifest():
    return PluginManifest(key=KEY, version=__version__, title="监管报表", depends_on=(),
                          description="监管报表：融资担保责任余额、放大倍数、集中度、资产比例、监管指标、报表填报与锁定、"
                                      "审批前限额检查、征信报送文件。数据来自各业务插件声明的钩子。")


@hookimpl
def surety_plugin_hookspecs():
    return hookspecs


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


@hookimpl
def surety_scheduled_jobs():
    return list(SCHEDULED_JOBS)


@hookimpl
def surety_workflow_subject_extra(session, subject_type, subject_id, keys):
    """``regulatory``: the limit check of approving the subject (docs/regulatory/limits.md), only when asked."""
    if KEY not in keys:
        return None
    return {KEY: limits_check.subject_fields(session, subject_type, subject_id)}


@hookimpl
def surety_demo_data(session, tenant):
    add_demo(session, tenant)
