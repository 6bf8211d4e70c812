"""``surety customers import|export|template``: the plugin's commands (added through ``surety_cli``)."""

from __future__ import annotations

from pathlib import Path

import typer

from surety.core.cli.kit import as_user as _as_user
from surety.core.cli.kit import console, db, fail, progress, tenant_with_plugin

from surety.plugins.customers import KEY

customers_app = typer.Typer(help="Customers: spreadsheet import and export.", no_args_is_help=True)


def _actor(session, username: str):
    return _as_user(session, username)


def _tenant_with_plugin(slug: str):
    return tenant_with_plugin(slug, KEY)


@customers_app.command("template")
def template_cmd(output: Path = typer.Option(Path("customers-template.xlsx"), "--output", "-o")) -> None:
    """Write the empty import template (.xlsx)."""
    from surety.plugins.customers.imports import template

    output.write_bytes(template())
    console.print(f"wrote {output}")


@customers_app.command("import")
def import_cmd(file: Path, tenant_slug: str = typer.Option(..., "--tenant"),
               dry_run: bool = typer.Option(False, "--dry-run", help="validate and report; import nothing"),
               as_user: str = typer.Option("admin", "--as-user", help="who imports (needs customers:customer:import)")
               ) -> None:
    """Import customers from FILE: every row or none. --dry-run lists every bad row with its reason."""
    from surety.core.context import acting
    from surety.core.errors import DomainError

    from surety.plugins.customers.imports import import_customers

    if not file.exists():
        fail(f"no such file: {file}")
    t = _tenant_with_plugin(tenant_slug)
    try:
        with db().tenant_session(t.id) as s, progress() as bar:
            who = _actor(s, as_user)
            task = bar.add_task("importing" if not dry_run else "validating", total=None)
            with acting(who):
                report = import_customers(s, who, file.read_bytes(), dry_run=dry_run,
                                          progress=lambda done, total: bar.update(task, completed=done, total=total))
    except DomainError as exc:
        rows = exc.details.get("rows") or []
        for r in rows:
            console.print(f"  row {r['row']}: {r['field'] or '-'}: {r['message']}")
        fail(exc.message)
    if dry_run:
        for e in report.errors:
            console.print(f"  row {e.row}: {e.field or '-'}: {e.message}")
        console.print(f"dry run: {report.total} rows, {report.valid} valid, {len(report.errors)} bad")
        if report.errors:
            raise typer.Exit(1)
        return
    console.print(f"[green]imported {report.imported} customers[/green] into {tenant_slug}")


@customers_app.command("export")
def export_cmd(tenant_slug: str = typer.Option(..., "--tenant"),
               output: Path = typer.Option(Path("customers.xlsx"), "--output", "-o"),
               as_user: str = typer.Option("admin", "--as-user")) -> None:
    """Export the customers the user may see to .xlsx (personal data in clear only with core:pii:reveal)."""
    from surety.core.context import acting

    from surety.plugins.customers.imports import export_customers

    t = _tenant_with_plugin(tenant_slug)
    with db().tenant_session(t.id) as s:
        who = _actor(s, as_user)
        with acting(who), output.open("wb") as fh:
            n = export_customers(s, who, fh)
    console.print(f"exported {n} customers to {output}")
