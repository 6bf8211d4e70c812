"""The `surety` command line: serve, db, tenant, user, operator, demo, schema, audit, keys, batch, workflow,
calendar, notifications, plugin (scaffolding)."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Annotated

import structlog
import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import create_engine, select

from surety.core import serving
from surety.core import settings as settings_module
from surety.core.audit.checkpoint import checkpoint_tenant
from surety.core.audit.log import audit
from surety.core.audit.verify import verify_chain
from surety.core.batch import run_day_end
from surety.core.cli.kit import as_user, console, db, fail, progress, tenant, tenant_with_plugin
from surety.core.cli.plugin_cmd import plugin_app
from surety.core.context import ACTOR_PLATFORM, SYSTEM, Actor, acting
from surety.core.crypto.kek_check import check_kek
from surety.core.crypto.rotate import rotate_tenant_keys
from surety.core.db.rls import grant_app_role
from surety.core.errors import ConfigurationError, DomainError
from surety.core.identity.operators import create_operator
from surety.core.identity.service import create_user
from surety.core.logging import configure_logging, stdlib_config
from surety.core.notifications.service import deliver_pending
from surety.core.plugins import get_registry
from surety.core.workflow import definitions
from surety.core.workflow.definitions import dump_document, get_version
from surety.core.workflow.models import WorkflowDefinition
from surety.core.workflow.workdays import list_platform_overrides, set_platform_override
from surety.graphql.schema import SDL_PATH, export_sdl
from surety.tenants import service as tenants_service
from surety.tenants.demo import ensure_demo

app = typer.Typer(help="Surety platform command line.", no_args_is_help=True, pretty_exceptions_enable=False)
db_app = typer.Typer(help="Database migrations (core and every installed plugin).", no_args_is_help=True)
tenant_app = typer.Typer(help="Tenant registry.", no_args_is_help=True)
user_app = typer.Typer(help="Tenant users.", no_args_is_help=True)
operator_app = typer.Typer(help="Platform operators.", no_args_is_help=True)
schema_app = typer.Typer(help="GraphQL schema (SDL).", no_args_is_help=True)
audit_app = typer.Typer(help="Audit log.", no_args_is_help=True)
keys_app = typer.Typer(help="Encryption keys.", no_args_is_help=True)
batch_app = typer.Typer(help="Day-end batch.", no_args_is_help=True)
workflow_app = typer.Typer(help="Process definitions of a tenant.", no_args_is_help=True)
calendar_app = typer.Typer(help="Platform-wide work-calendar overrides (PRC holidays).", no_args_is_help=True)
notifications_app = typer.Typer(help="Notification delivery (email and other channels).", no_args_is_help=True)
for sub, name in ((db_app, "db"), (tenant_app, "tenant"), (user_app, "user"), (operator_app, "operator"),
                  (schema_app, "schema"), (audit_app, "audit"), (keys_app, "keys"), (batch_app, "batch"),
                  (workflow_app, "workflow"), (calendar_app, "calendar"), (notifications_app, "notifications"),
                  (plugin_app, "plugin")):
    app.add_typer(sub, name=name)

# The kit (core/cli/kit.py) under the short names this module's commands use; plugins import the kit itself.
_fail, _db, _progress, _tenant = fail, db, progress, tenant
__all__ = ["app", "as_user", "console", "db", "fail", "progress", "run", "tenant", "tenant_with_plugin"]


def _plugin_commands() -> None:
    get_registry().hook.surety_cli(app=app)


@app.callback()
def main() -> None:
    try:
        settings = settings_module.get_settings()
    except ConfigurationError as exc:
        _fail(str(exc), 2)
    configure_logging(settings)


# ---------------------------------------------------------------- serve ----------------------------------------------
@app.command()
def serve(host: str = "127.0.0.1", port: int = 8000, workers: int = 1) -> None:
    """Serve the API (GraphQL at /graphql). uvicorn's own logs go through the same formatter as ours (JSON lines
    with SURETY_LOG_JSON=1, in every worker); its access log is off, core/web.py logs each request."""
    s = settings_module.get_settings()
    check_kek(s)  # production: refuse to start when stored tenant keys name a KEK id this process does not hold
    if s.log_json:  # nothing but JSON lines on the console
        structlog.get_logger("surety.cli").info("serve", env=s.env, host=host, port=port, workers=workers)
    else:
        console.print(f"Surety ({s.env}) on http://{host}:{port}/graphql"
                      + (" with GraphiQL" if s.development else ""))
    # Several workers get a listening socket each (core/serving.py), so connections spread evenly over them.
    serving.run("surety.core.web:create_app", factory=True, host=host, port=port, workers=workers,
                log_config=stdlib_config(s), access_log=False,
                # A new worker imports the whole application before answering uvicorn's health check; on a busy
                # 2-core machine that took ~7 s, and the 5 s default killed workers in a loop.
                timeout_worker_healthcheck=60)


# ---------------------------------------------------------------- db -------------------------------------------------
@db_app.command("upgrade")
def db_upgrade(target: Annotated[str, typer.Argument()] = "heads") -> None:
    """Apply migrations (default: every branch to its head)."""
    from surety.core.db import migrate  # noqa: PLC0415 - alembic loads only for db commands (CLI startup)

    migrate.upgrade(target=target)
    console.print("[green]database is up to date[/green]")


@db_app.command("downgrade")
def db_downgrade(target: Annotated[str, typer.Argument(help="A revision, or 'base' to remove everything.")]) -> None:
    from surety.core.db import migrate  # noqa: PLC0415 - alembic loads only for db commands (CLI startup)

    migrate.downgrade(target=target)


@db_app.command("check")
def db_check() -> None:
    """Fail when the models and the migrations differ."""
    from surety.core.db import migrate  # noqa: PLC0415 - alembic loads only for db commands (CLI startup)

    migrate.check()
    console.print("[green]no differences between models and migrations[/green]")


@db_app.command("grant")
def db_grant(role: str) -> None:
    """PostgreSQL: grant the non-owner application role what the app needs (run as the owner after upgrades)."""
    engine = create_engine(settings_module.get_settings().database_url)
    with engine.begin() as conn:
        grant_app_role(conn, role)
    console.print(f"granted application privileges to {role}")


# ---------------------------------------------------------------- tenants --------------------------------------------
@tenant_app.command("create")
def tenant_create(slug: str, *, name: Annotated[str, typer.Option()], admin_username: str = "admin",
                  admin_password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)],
                  plugin: Annotated[list[str] | None, typer.Option(help="Plugin to enable (repeat).")] = None) -> None:
    try:
        t = tenants_service.create_tenant(_db(), slug=slug, name=name, plugins=plugin or [],
                                          admin_username=admin_username, admin_password=admin_password)
    except DomainError as exc:
        _fail(exc.message)
    console.print(f"created tenant {t.slug} ({t.id}) with plugins {', '.join(t.enabled_plugins)}")


@tenant_app.command("list")
def tenant_list() -> None:
    table = Table("slug", "name", "status", "plugins", "created")
    for t in tenants_service.list_tenants(_db()):
        table.add_row(t.slug, t.name, t.status, ", ".join(t.enabled_plugins), t.created_at.date().isoformat())
    Console().print(table)


def _tenant_action(fn, slug: str, *args) -> None:
    try:
        t = fn(_db(), slug, *args)
    except DomainError as exc:
        _fail(exc.message)
    console.print(f"{t.slug}: {t.status}; plugins {', '.join(t.enabled_plugins)}")


@tenant_app.command("suspend")
def tenant_suspend(slug: str) -> None:
    _tenant_action(tenants_service.suspend_tenant, slug)


@tenant_app.command("resume")
def tenant_resume(slug: str) -> None:
    _tenant_action(tenants_service.resume_tenant, slug)


@tenant_app.command("enable-plugin")
def tenant_enable_plugin(slug: str, plugin: str) -> None:
    _tenant_action(tenants_service.enable_plugin, slug, plugin)


@tenant_app.command("sync")
def tenant_sync(slug: Annotated[str | None, typer.Argument(help="One tenant; default: every tenant")] = None) -> None:
    """After an upgrade: new default grants, plugin provisioning (settings, defaults, backfills), new processes."""
    failed = []
    for one in ([slug] if slug else [t.slug for t in tenants_service.list_tenants(_db())]):
        try:
            t = tenants_service.sync_tenant(_db(), one)
        except Exception as exc:  # one tenant's failure (rolled back) must not keep the others at the old release
            failed.append(one)
            console.print(f"[red]{one}: not synced:[/red] {getattr(exc, 'message', None) or exc}")
            continue
        console.print(f"{t.slug}: synced; plugins {', '.join(t.enabled_plugins)}")
    if failed:
        _fail(f"{len(failed)} tenant(s) not synced: {', '.join(failed)}")


@tenant_app.command("disable-plugin")
def tenant_disable_plugin(slug: str, plugin: str) -> None:
    _tenant_action(tenants_service.disable_plugin, slug, plugin)


# ---------------------------------------------------------------- users ----------------------------------------------
@user_app.command("create")
def user_create(username: str, *, tenant: Annotated[str, typer.Option("--tenant")], display_name: str = "",
                role: Annotated[list[str] | None, typer.Option(help="Role key (repeat).")] = None,
                password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)]) -> None:
    t = _tenant(tenant)
    try:
        with _db().tenant_session(t.id) as s:
            create_user(s, username=username, password=password, display_name=display_name, roles=role or [])
    except DomainError as exc:
        _fail(exc.message)
    console.print(f"created user {username} in {tenant}")


@operator_app.command("create")
def operator_create(username: str, password: Annotated[str, typer.Option(prompt=True, hide_input=True,
                                                                         confirmation_prompt=True)]) -> None:
    try:
        create_operator(_db(), username, password)
    except DomainError as exc:
        _fail(exc.message)
    console.print(f"created platform operator {username}")


# ---------------------------------------------------------------- demo -----------------------------------------------
@app.command()
def demo() -> None:
    """Create the demo tenant (idempotent) and print its credentials."""
    for line in ensure_demo(_db()):
        console.print(line)


# ---------------------------------------------------------------- schema ---------------------------------------------
@schema_app.command("export")
def schema_export(output: Annotated[Path | None, typer.Option(help="Default: graphql/schema.graphql")] = None) -> None:
    target = output or SDL_PATH
    target.write_text(export_sdl())
    console.print(f"wrote {target}")


# ---------------------------------------------------------------- audit ----------------------------------------------
@audit_app.command("verify")
def audit_verify(tenant: Annotated[str, typer.Option("--tenant")],
                 checkpoint_dir: Annotated[Path | None, typer.Option(
                     "--checkpoint-dir", help="Default: SURETY_AUDIT_CHECKPOINT_DIR.")] = None) -> None:
    """Walk the tenant's hash chain and check it against its signed checkpoints; name the first broken record."""
    t = _tenant(tenant)
    with _progress() as progress:
        task = progress.add_task("verifying", total=None)
        result = verify_chain(_db(), t.id, checkpoint_dir=checkpoint_dir,
                              progress=lambda done, total: progress.update(task, completed=done, total=total))
    if not result.ok:
        _fail(f"chain broken at record seq={result.seq} id={result.record_id}: {result.reason}", 3)
    console.print(f"[green]chain intact[/green]: {result.checked} records")
    if result.anchored:
        console.print(f"anchored by {result.checkpoints} signed checkpoint(s)")
    else:
        console.print("[yellow]not anchored[/yellow]: no checkpoint of this tenant, so records removed from the end "
                      "cannot be detected (run 'surety audit checkpoint')")


@audit_app.command("checkpoint")
def audit_checkpoint(tenant: Annotated[str | None, typer.Option("--tenant", help="Default: every tenant.")] = None,
                     checkpoint_dir: Annotated[Path | None, typer.Option(
                         "--checkpoint-dir", help="Default: SURETY_AUDIT_CHECKPOINT_DIR.")] = None) -> None:
    """Check each tenant's chain since its last checkpoint and append a signed checkpoint of it (record count and
    head hash) to a file outside the database. Exits 3 when a chain is broken."""
    tenants = [_tenant(tenant)] if tenant else tenants_service.list_tenants(_db())
    failed = 0
    for t in tenants:
        ok, line = checkpoint_tenant(_db(), t.id, directory=checkpoint_dir)
        console.print(f"{t.slug}: {line}" if ok else f"[red]{t.slug}[/red]: {line}")
        failed += not ok
    if failed:
        _fail(f"{failed} tenant(s) not checkpointed", 3)


@audit_app.command("export")
def audit_export(tenant: Annotated[str, typer.Option("--tenant")],
                 date_from: Annotated[dt.datetime, typer.Option("--from", formats=["%Y-%m-%d"])],
                 date_to: Annotated[dt.datetime, typer.Option("--to", formats=["%Y-%m-%d"])],
                 *, fmt: Annotated[str, typer.Option("--format", help="csv | xlsx | jsonl")] = "csv",
                 output: Annotated[Path, typer.Option("--output", "-o")]) -> None:
    from surety.core.audit.export import export_audit  # noqa: PLC0415 - openpyxl loads only for the export

    if fmt not in ("csv", "xlsx", "jsonl"):
        _fail("--format must be csv, xlsx or jsonl")
    t = _tenant(tenant)
    n = export_audit(_db(), t.id, date_from=date_from.date(), date_to=date_to.date(), fmt=fmt, out=output)
    console.print(f"exported {n} records to {output}")


# ---------------------------------------------------------------- keys -----------------------------------------------
@keys_app.command("rotate")
def keys_rotate(tenant: Annotated[str, typer.Option("--tenant")], batch_size: int = 500) -> None:
    """New data-key version; re-encrypt every encrypted field of the tenant in batches."""
    t = _tenant(tenant)
    with _progress() as progress:
        task = progress.add_task("re-encrypting", total=None)
        n = rotate_tenant_keys(_db(), t.id, batch_size=batch_size,
                               progress=lambda done, total: progress.update(task, completed=done, total=total))
    with acting(Actor(type=ACTOR_PLATFORM, id="cli", tenant_id=t.id)), _db().tenant_session(t.id) as s:
        audit(s, "keys.rotated", entity_type="tenant", entity_id=str(t.id), after={"rows_reencrypted": n})
    console.print(f"re-encrypted {n} rows")


# ---------------------------------------------------------------- batch ----------------------------------------------
@batch_app.command("run")
def batch_run(date: Annotated[dt.datetime, typer.Option("--date", formats=["%Y-%m-%d"])],
              tenant: Annotated[str | None, typer.Option("--tenant", help="Default: every active tenant.")] = None,
              ) -> None:
    """Run the day-end jobs of each tenant's enabled plugins for a business date (idempotent per date): today's
    (Beijing) or an earlier one to catch up, never a later one."""
    try:
        lines = run_day_end(_db(), date.date(), tenant_slug=tenant)
    except DomainError as exc:
        _fail(exc.message, 2)
    for line in lines:
        console.print(line)


# ---------------------------------------------------------------- workflow -------------------------------------------
@workflow_app.command("list")
def workflow_list(tenant: Annotated[str, typer.Option("--tenant")]) -> None:
    """Every version of every process definition of a tenant."""
    table = Table("key", "version", "status", "name", "source")
    with _db().tenant_session(_tenant(tenant).id) as s:
        for row in s.scalars(select(WorkflowDefinition).order_by(WorkflowDefinition.key,
                                                                 WorkflowDefinition.version)):
            table.add_row(row.key, str(row.version), row.status, row.name, row.source)
    Console().print(table)


@workflow_app.command("export")
def workflow_export(key: str, tenant: Annotated[str, typer.Option("--tenant")],
                    version: Annotated[int | None, typer.Option()] = None,
                    format: Annotated[str, typer.Option(help="json or yaml")] = "json") -> None:
    """Print a definition (the published version unless --version) as JSON or YAML."""
    try:
        with _db().tenant_session(_tenant(tenant).id) as s:
            print(dump_document(get_version(s, key, version).document, format))
    except DomainError as exc:
        _fail(exc.message)


@workflow_app.command("import")
def workflow_import(file: Path, tenant: Annotated[str, typer.Option("--tenant")],
                    publish: Annotated[bool, typer.Option(help="Validate and publish the imported draft.")] = False,
                    ) -> None:
    """Import a JSON or YAML definition as a draft (and publish it with --publish)."""
    fmt = "yaml" if file.suffix.lower() in (".yaml", ".yml") else "json"
    try:
        with _db().tenant_session(_tenant(tenant).id) as s:
            draft = definitions.save_draft(s, SYSTEM, definitions.load_document(file.read_text("utf-8"), fmt),
                                           check=False)
            if publish:
                definitions.publish(s, SYSTEM, draft.key, draft.version, check=False)
    except DomainError as exc:
        _fail(exc.message)
    console.print(f"{draft.key} version {draft.version} {'published' if publish else 'saved as a draft'}")


# ---------------------------------------------------------------- calendar -------------------------------------------
@calendar_app.command("set")
def calendar_set(day: Annotated[dt.datetime, typer.Argument(formats=["%Y-%m-%d"])],
                 working: Annotated[bool, typer.Option("--working/--off", help="A working day, or a day off.")],
                 note: str = "") -> None:
    """Override the PRC calendar for every tenant on DAY (a tenant's own override still wins)."""
    set_platform_override(_db(), day.date(), working, note)
    console.print(f"{day.date().isoformat()}: {'working day' if working else 'day off'} for every tenant")


@calendar_app.command("unset")
def calendar_unset(day: Annotated[dt.datetime, typer.Argument(formats=["%Y-%m-%d"])]) -> None:
    try:
        set_platform_override(_db(), day.date(), None)
    except DomainError as exc:
        _fail(exc.message)
    console.print(f"{day.date().isoformat()}: platform override removed")


@calendar_app.command("list")
def calendar_list() -> None:
    table = Table("day", "working", "note")
    for row in list_platform_overrides(_db()):
        table.add_row(row.day.isoformat(), "yes" if row.working else "no", row.note)
    Console().print(table)


# ---------------------------------------------------------------- notifications --------------------------------------
@notifications_app.command("deliver")
def notifications_deliver(
        tenant: Annotated[str | None, typer.Option("--tenant", help="Default: every active tenant.")] = None) -> None:
    """Send pending notifications through email and the other channels (run it every minute from cron)."""
    tenants = [_tenant(tenant)] if tenant else [t for t in tenants_service.list_tenants(_db()) if t.active]
    for t in tenants:
        with _db().tenant_session(t.id) as s:
            sent, failed = deliver_pending(s)
        console.print(f"{t.slug}: {sent} sent, {failed} failed")


_plugin_commands()


def run() -> None:  # pragma: no cover - console entry point wrapper
    try:
        app()
    except ConfigurationError as exc:
        console.print(f"[red]error:[/red] {exc}")
        sys.exit(2)


if __name__ == "__main__":  # pragma: no cover
    run()
