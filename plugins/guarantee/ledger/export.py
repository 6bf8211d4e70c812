"""Export of the company ledger (台账) to .xlsx, and the ``surety guarantee ledger export`` command.

:func:`export_company_ledger` streams the rows of ``ledger.export_statement`` (one SELECT, read in chunks with
``yield_per``: a server-side cursor on PostgreSQL) into an openpyxl write-only workbook, so memory stays flat
whatever the number of projects: two header rows (Chinese, English), one row per project, money as numbers with
two decimals, a totals row. Customer names come from the customers plugin (``customers_summaries``), one call per
chunk, and only for holders of customers:customer:read (blank otherwise). Needs guarantee:ledger:export (and what
reading the ledger needs); audited.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

import typer
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from surety.core.audit.log import audit
from surety.core.authz.check import require
from surety.core.cli import kit as cli
from surety.core.context import Actor, acting
from surety.core.errors import DomainError
from surety.core.identity.models import OrgUnit
from surety.core.xlsx import DATE_FORMAT, MONEY_FORMAT, styled_cell, text_cell
from surety.plugins.guarantee import KEY
from surety.plugins.guarantee.ledger.entries import (
    ENTRY_FIGURES,
    ZERO,
    CompanyLedgerFilter,
    _filtered,
    _names,
    export_statement,
    may_see_customer_names,
)
from surety.plugins.guarantee.permissions import LEDGER
from surety.plugins.guarantee.project.models import RISK_CLASSES, GuaranteeBank, GuaranteeProject

#: (key, Chinese header, English header) of each column; money columns are the ledger figures.
TEXT_COLUMNS = (("project_no", "项目编号", "Project no"), ("customer_name", "客户名称", "Customer"),
                ("bank_name", "合作银行", "Bank"), ("status", "项目状态", "Status"),
                ("risk_class", "风险分类", "Risk class"), ("effective_date", "生效日期", "Effective date"))
MONEY_COLUMNS = (("review_fee", "评审费", "Review fee"), ("guarantee_fee", "担保费", "Guarantee fee"),
                 ("margin_held", "保证金余额", "Margin held"), ("loan_amount", "贷款金额", "Loan amount"),
                 ("in_force_balance", "在保余额", "In-force balance"), ("repaid", "已还款", "Repaid"),
                 ("released", "解保金额", "Released"), ("compensated", "代偿金额", "Compensated"),
                 ("compensated_principal", "代偿本金", "Compensated principal"),
                 ("compensated_interest", "代偿利息", "Compensated interest"),
                 ("compensated_penalty", "代偿罚息", "Compensated penalty"),
                 ("compensation_bank_share", "银行分担代偿", "Bank's share of compensation"),
                 ("recovered", "追偿金额", "Recovered"), ("written_off", "核销金额", "Written off"))
COUNT_COLUMNS = (("unconfirmed", "待确认笔数", "Unconfirmed entries"),)
COLUMNS = TEXT_COLUMNS + MONEY_COLUMNS + COUNT_COLUMNS
HEADER_ZH = tuple(c[1] for c in COLUMNS)
HEADER_EN = tuple(c[2] for c in COLUMNS)
TOTAL_LABEL = "合计 Total"
SHEET = "台账 Ledger"
#: Rows read per chunk (and per customers_summaries call).
CHUNK = 1000
_WIDTHS = {"project_no": 18, "customer_name": 30, "bank_name": 20, "status": 12, "risk_class": 10,
           "effective_date": 12}

Progress = Callable[[int, int], None]


def _filter_image(f: CompanyLedgerFilter | None) -> dict:
    if f is None:
        return {}
    return {k: (v.isoformat() if isinstance(v, dt.date) else str(v)) for k, v in vars(f).items() if v is not None}


def export_company_ledger(session: Session, actor: Actor, out: BinaryIO | Path, f: CompanyLedgerFilter | None = None,
                          *, progress: Progress | None = None, chunk: int = CHUNK) -> int:
    """Write the company ledger (projects that took effect, matching ``f``, in the actor's data scope) to ``out``
    as .xlsx, ordered by effective date; returns the number of project rows. ``progress(done, total)`` is called
    after each chunk. Needs guarantee:ledger:export; audited (count and filter)."""
    from openpyxl import Workbook  # noqa: PLC0415 - heavy library, loaded when a file is made
    from openpyxl.utils import get_column_letter  # noqa: PLC0415 - heavy library, loaded when a file is made

    require(session, actor, LEDGER, "export")
    stmt = export_statement(session, actor, f)
    total = session.scalar(_filtered(session, actor, select(func.count(GuaranteeProject.id)), f)) \
        if progress else 0
    show_names = may_see_customer_names(session, actor)
    banks = {b.id: b.name for b in session.scalars(select(GuaranteeBank))}

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(SHEET)
    ws.freeze_panes = "B3"
    for n, (key, _, _) in enumerate(COLUMNS):
        ws.column_dimensions[get_column_letter(n + 1)].width = _WIDTHS.get(key, 14)
    ws.append(list(HEADER_ZH))
    ws.append(list(HEADER_EN))
    # One styled cell per money column (and the date column), reused row after row: a write-only sheet writes a
    # row as it is appended, so the cell's value can change for the next row.
    money_cells = [styled_cell(ws, MONEY_FORMAT) for _ in MONEY_COLUMNS]
    date_cell = styled_cell(ws, DATE_FORMAT)
    totals = {key: ZERO for key, _, _ in MONEY_COLUMNS}
    unconfirmed_total = 0
    count = 0
    result = session.execute(stmt.execution_options(yield_per=chunk))
    for part in result.partitions():
        names = _names(session, {r.customer_id for r in part}, show_names)
        for r in part:
            values = {n: getattr(r, n) or ZERO for n in ENTRY_FIGURES}
            values["in_force_balance"] = r.in_force_balance or ZERO
            row: list[Any] = [text_cell(ws, r.project_no), text_cell(ws, names.get(r.customer_id)),
                              text_cell(ws, banks.get(r.bank_id)), r.status,
                              RISK_CLASSES.get(r.risk_class, r.risk_class)]
            if r.effective_date is not None:
                date_cell.value = r.effective_date
                row.append(date_cell)
            else:
                row.append(None)
            for cell, (key, _, _) in zip(money_cells, MONEY_COLUMNS):
                amount = values[key]
                totals[key] += amount
                cell.value = amount
                row.append(cell)
            unconfirmed = int(r.unconfirmed or 0)
            unconfirmed_total += unconfirmed
            row.append(unconfirmed)
            ws.append(row)
            count += 1
        if progress:
            progress(count, max(total, count))
    footer: list[Any] = [TOTAL_LABEL, f"{count} 个项目 projects", None, None, None, None]
    for cell, (key, _, _) in zip(money_cells, MONEY_COLUMNS):
        cell.value = totals[key]
        footer.append(cell)
    footer.append(unconfirmed_total)
    ws.append(footer)
    wb.save(out)
    audit(session, "guarantee.ledger.exported", entity_type="guarantee:ledger",
          after={"count": count, "filter": _filter_image(f), "customer_names": show_names}, actor=actor)
    if progress:
        progress(count, count)
    return count


# ---------------------------------------------------------------- command line -------------------------------------

ledger_app = typer.Typer(help="Guarantee ledger (台账): export.", no_args_is_help=True)


def _lookup(session: Session, model, column: str, value: str | None, hint: str):
    if not value:
        return None
    found = session.scalar(select(model.id).where(getattr(model, column) == value))
    if found is None:
        raise typer.BadParameter(f"no {hint} {value!r} in this tenant", param_hint=f"--{hint}")
    return found


@ledger_app.command("export")
def export_cmd(tenant_slug: str = typer.Option(..., "--tenant"),
               output: Path = typer.Option(Path("ledger.xlsx"), "--output", "-o"),
               as_user: str = typer.Option("admin", "--as-user", help="who exports (needs guarantee:ledger:export)"),
               status: str = typer.Option(None, "--status", help="only projects in this status"),
               bank: str = typer.Option(None, "--bank", help="only projects with this bank (its code)"),
               org_unit: str = typer.Option(None, "--org-unit", help="only this org unit and below (its code)"),
               effective_from: dt.datetime = typer.Option(None, "--from", formats=["%Y-%m-%d"]),
               effective_to: dt.datetime = typer.Option(None, "--to", formats=["%Y-%m-%d"])) -> None:
    """Export the company ledger the user may see to .xlsx (one row per project that took effect, totals)."""
    t = cli.tenant_with_plugin(tenant_slug, KEY)
    try:
        with cli.db().tenant_session(t.id) as s, cli.progress() as bar:
            who = cli.as_user(s, as_user)
            f = CompanyLedgerFilter(status=status, bank_id=_lookup(s, GuaranteeBank, "code", bank, "bank"),
                                    org_unit_id=_lookup(s, OrgUnit, "code", org_unit, "org-unit"),
                                    effective_from=effective_from.date() if effective_from else None,
                                    effective_to=effective_to.date() if effective_to else None)
            task = bar.add_task("exporting", total=None)
            with acting(who), output.open("wb") as fh:
                n = export_company_ledger(s, who, fh, f, progress=lambda done, total: bar.update(
                    task, completed=done, total=total))
    except DomainError as exc:
        cli.fail(exc.message)
    cli.console.print(f"exported {n} projects to {output}")
