"""``surety finance ...``: export a period's posted vouchers to a file and book the year-end reserves on demand."""

from __future__ import annotations

from pathlib import Path

import typer

from surety.core.cli import kit as cli
from surety.core.context import acting
from surety.core.errors import DomainError
from surety.plugins.finance import KEY
from surety.plugins.finance.periodend import files, jobs

#: The ``--out`` option (a module-level default: a Path parameter's default is not called per call).
_OUT = typer.Option(..., "--out", "-o", help="the file to write")
finance_app = typer.Typer(help="Finance vouchers (export, year-end reserves).", no_args_is_help=True)


@finance_app.command("export")
def export_cmd(tenant_slug: str = typer.Option(..., "--tenant"),
               period: str = typer.Option(..., "--period", help="accounting period YYYY-MM"),
               fmt: str = typer.Option("u8_text", "--format", help=", ".join(files.FORMATS)),
               out: Path = _OUT,
               as_user: str = typer.Option("admin", "--as-user", help="who exports (needs finance:voucher:read)")
               ) -> None:
    """Write the posted vouchers of a period in an import format of 用友 U8 or 金蝶."""
    t = cli.tenant_with_plugin(tenant_slug, KEY)
    try:
        with cli.db().tenant_session(t.id) as s:
            who = cli.as_user(s, as_user)
            with acting(who):
                found = files.export_period(s, who, period, fmt)
    except DomainError as exc:
        cli.fail(exc.message)
    out.write_bytes(found.data)
    cli.console.print(f"exported {found.vouchers} vouchers of {period} to {out}")


@finance_app.command("reserves")
def reserves_cmd(tenant_slug: str = typer.Option(..., "--tenant"),
                 year: int = typer.Option(..., "--year"),
                 as_user: str = typer.Option("admin", "--as-user", help="who books (needs finance:period:close)")
                 ) -> None:
    """Book the year-end reserves of a year (未到期责任准备金, 担保赔偿准备金), each once."""
    t = cli.tenant_with_plugin(tenant_slug, KEY)
    try:
        with cli.db().tenant_session(t.id) as s:
            who = cli.as_user(s, as_user)
            with acting(who):
                results = jobs.year_end_reserves(s, who, year)
    except DomainError as exc:
        cli.fail(exc.message)
    for r in results:
        voucher = f" voucher {r.voucher_number}" if r.voucher_number else ""
        cli.console.print(f"{r.kind} {r.period}: {r.outcome} {r.amount}{voucher}")
