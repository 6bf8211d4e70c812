"""Every hook a Surety plugin may implement.

A plugin is a module (or object) registered under the entry-point group ``surety.plugins``; the entry-point name is
the plugin key. Implement hooks with ``@hookimpl`` from :mod:`surety.core.plugins`. docs/plugins.md documents each
hook with its exact signature (a test fails when one is missing there).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    import typer
    from sqlalchemy.orm import Session

    from surety.core.attachments.storage import AttachmentStorage
    from surety.core.codes import CodeList
    from surety.core.context import Actor
    from surety.core.events import DomainEvent
    from surety.tenants.models import Tenant

PROJECT = "surety"
hookspec = pluggy.HookspecMarker(PROJECT)


@dataclass(frozen=True)
class PluginManifest:
    """Who a plugin is: ``key`` (also its entry-point name), version, and the keys of plugins it depends on."""

    key: str
    version: str
    title: str = ""
    depends_on: tuple[str, ...] = ()
    description: str = ""


@dataclass(frozen=True)
class Permission:
    """A permission a plugin declares: object ``<plugin>:<resource>`` and action (a verb)."""

    obj: str
    act: str
    description: str = ""

    @property
    def key(self) -> str:
        return f"{self.obj}:{self.act}"


@dataclass(frozen=True)
class GraphQLContribution:
    """Strawberry classes a plugin adds to the one schema: ``query`` and ``mutation`` are ``@strawberry.type``
    classes whose fields are merged into ``Query`` and ``Mutation``; ``types`` are extra types to register
    (e.g. implementations of an interface)."""

    query: tuple[type, ...] = ()
    mutation: tuple[type, ...] = ()
    types: tuple[type, ...] = ()


@dataclass(frozen=True)
class ScheduledJob:
    """A job the day-end batch runs for each tenant that enabled the plugin. ``run(session, business_date)``
    must be idempotent for a date; what it returns (e.g. a dict of counts) is shown on the batch's line."""

    name: str
    run: Callable[[Session, dt.date], Any]
    day_end: bool = True
    description: str = ""
    order: int = 100


@dataclass(frozen=True)
class RoleTemplate:
    """A role that tenant provisioning creates."""

    key: str
    name: str
    data_scope: str = "own"
    description: str = ""


@dataclass(frozen=True)
class WorkflowStepCall:
    """What an automatic workflow step's handler receives: the instance, its step and its subject's fields."""

    instance_id: uuid.UUID
    definition_key: str
    step_key: str
    subject_type: str
    subject_id: str
    subject: Mapping[str, Any]
    params: Mapping[str, Any]


@dataclass(frozen=True)
class CustomFieldEntity:
    """An entity type whose records tenant administrators may give custom fields (docs/custom-fields.md):
    ``key`` (e.g. ``customer_individual``) and its zh-CN and English labels."""

    key: str
    label_zh: str
    label_en: str = ""


@dataclass(frozen=True)
class OutgoingNotification:
    """A notification on its way to one recipient through a delivery channel (no ORM objects)."""

    tenant_id: uuid.UUID
    notification_id: uuid.UUID
    kind: str
    title: str
    body: str
    recipient_id: uuid.UUID
    recipient_name: str
    email: str | None = None
    phone: str | None = None


@dataclass(frozen=True)
class NotificationChannel:
    """A delivery channel besides the in-app inbox (email, SMS, WeCom). ``send`` raises to report a failure (the
    delivery is retried later); ``kinds`` limits it to some notification kinds (empty: all)."""

    key: str
    send: Callable[[OutgoingNotification], None]
    kinds: tuple[str, ...] = ()
    description: str = ""


# ---------------------------------------------------------------- identity of the plugin ----------------------------


@hookspec(firstresult=False)
def surety_manifest() -> PluginManifest:
    """Return this plugin's manifest (key, version, depends-on). Every plugin must implement it."""


# ---------------------------------------------------------------- data model and migrations -------------------------


@hookspec
def surety_plugin_hookspecs() -> ModuleType | None:
    """Return a module of hookspecs this plugin declares for other plugins (each hook name starts with the
    plugin key, e.g. ``customers_exposure``), or None. Call them through ``get_registry().hook_for(name, enabled)``."""


@hookspec
def surety_models() -> Iterable[ModuleType]:
    """Return the modules that define this plugin's SQLAlchemy models (importing them registers the tables on
    ``surety.core.db.Base.metadata``)."""


@hookspec
def surety_migration_location() -> str | None:
    """Return the absolute path of this plugin's Alembic version folder, or None. Its revisions carry the plugin key
    as ``branch_labels`` and the first one depends on core's head."""


# ---------------------------------------------------------------- permissions ----------------------------------------


@hookspec
def surety_permissions() -> Iterable[Permission]:
    """Return the permissions this plugin declares (object ``<plugin>:<resource>``, action)."""


@hookspec
def surety_role_templates() -> Iterable[RoleTemplate]:
    """Return role templates this plugin adds to those of core (rarely needed)."""


@hookspec
def surety_default_grants() -> Mapping[str, Iterable[str]]:
    """Return ``{role_key: [permission key "<obj>:<act>", ...]}``: what provisioning grants each role template."""


# ---------------------------------------------------------------- API -----------------------------------------------


@hookspec
def surety_graphql() -> GraphQLContribution | None:
    """Return this plugin's GraphQL contribution. The schema is built once at start-up from every installed plugin;
    a field of a plugin not enabled for the caller's tenant answers PLUGIN_NOT_ENABLED."""


@hookspec
def surety_code_lists() -> Iterable[CodeList]:
    """Return the code lists (statuses, kinds, classes: each code with its zh-CN and English label) this plugin's API
    shows and accepts by label, each key prefixed with the plugin key (``guarantee.counter_guarantee_kind``). Read
    them through ``surety.core.codes`` (``label``, ``parse``) and GraphQL's ``codeLists``."""


# ---------------------------------------------------------------- events --------------------------------------------


@hookspec
def surety_handle_event(session: Session, event: DomainEvent) -> None:
    """Handle a domain event inside the writing transaction (raise to roll the whole transaction back). Called only
    for plugins enabled for the event's tenant."""


# ---------------------------------------------------------------- tenants -------------------------------------------


@hookspec
def surety_tenant_provisioned(session: Session, tenant: Tenant) -> None:
    """Called in a session bound to ``tenant`` after the plugin was enabled for it: create defaults (settings,
    numbering patterns, default process definitions)."""


@hookspec
def surety_demo_data(session: Session, tenant: Tenant) -> None:
    """Add demo data for this plugin to ``tenant`` (``surety demo``). Must be idempotent."""


# ---------------------------------------------------------------- batch ---------------------------------------------


@hookspec
def surety_scheduled_jobs() -> Iterable[ScheduledJob]:
    """Return the scheduled and day-end jobs of this plugin."""


@hookspec
def surety_cli(app: typer.Typer) -> None:
    """Add this plugin's commands to the ``surety`` command line (``app.add_typer(sub, name=<plugin key>)``)."""


# ---------------------------------------------------------------- data protection -----------------------------------


@hookspec
def surety_sensitive_keys() -> Iterable[str]:
    """Return field names whose values are personal data: redacted in logs and in audit before/after images."""


# ---------------------------------------------------------------- workflow ------------------------------------------


@hookspec
def surety_workflow_definitions() -> Iterable[Mapping[str, Any]]:
    """Return default process definitions (documents in the format of docs/workflow.md) that provisioning installs
    and publishes for a tenant enabling this plugin; a definition the tenant already has is left as it is."""


@hookspec
def surety_workflow_handlers() -> Mapping[str, Callable[[Session, WorkflowStepCall], str]]:
    """Return automatic-step handlers by name (``<plugin>.<name>``): each returns an outcome string that the
    step's transitions test as ``outcome``; raising a DomainError stops the action with that error."""


@hookspec(firstresult=True)
def surety_workflow_subject(session: Session, subject_type: str, subject_id: str) -> Mapping[str, Any] | None:
    """Return the current fields of a workflow subject this plugin owns, or None when ``subject_type`` is not
    this plugin's. Conditions and assignee rules read them (``org_unit_id``, ``owner_id`` and ``initiator_id``
    have fixed meanings)."""


@hookspec
def surety_workflow_subject_extra(session: Session, subject_type: str, subject_id: str,
                                  keys: frozenset[str]) -> Mapping[str, Any] | None:
    """Return fields this plugin adds to any workflow subject, each under a top-level key of its own (its plugin
    key, e.g. ``{"regulatory": {"breach": True, ...}}``), for those of ``keys`` it owns; None for none. The engine
    asks only when a transition's condition names a top-level field the subject's own fields lack (``keys``), so a
    process whose conditions do not name them pays nothing; the subject's own fields always win."""


# ---------------------------------------------------------------- notifications -------------------------------------


@hookspec
def surety_notification_channels() -> Iterable[NotificationChannel]:
    """Return delivery channels (email, SMS, WeCom, ...) that carry in-app notifications further."""


# ---------------------------------------------------------------- attachments ---------------------------------------


@hookspec
def surety_attachment_storages() -> Mapping[str, Callable[[], AttachmentStorage]]:
    """Return attachment storage backends by name (e.g. ``s3``); ``SURETY_ATTACHMENT_BACKEND`` picks one, and
    ``local`` (files under the var directory) is core's default."""


@hookspec
def surety_attachment_guards() -> Mapping[str, Callable[[Session, Actor, str], None]]:
    """Return checks by entity type (``<plugin>:<resource>``) that run, after the ``core:attachment:*``
    permission check, before any upload, list, download or delete of that entity's attachments:
    ``guard(session, actor, entity_id)`` returns to allow and raises a DomainError to refuse (NotFound when the
    caller may not know the entity exists)."""


# ---------------------------------------------------------------- custom fields -------------------------------------


@hookspec
def surety_custom_field_entities() -> Iterable[CustomFieldEntity]:
    """Return the entity types of this plugin whose records may carry tenant-defined custom fields (core's
    custom-field services refuse definitions for any other type). The plugin stays the owner of its records: it
    checks the caller's permission on a record before it reads or writes the record's custom values."""
