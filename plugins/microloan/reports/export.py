"""Export of the loan ledger (贷款台账) and of the loans' repayment schedules (还款计划) to .xlsx, and the
``surety microloan ledger export|schedules`` commands.

Each export is one SELECT read in chunks (``yield_per``: a server-side cursor on PostgreSQL) into an openpyxl
write-only workbook, so memory stays flat whatever the number of loans: a title row (the tenant, the as-of date and
the unit), a zh-CN header row with the unit of every amount column, one row per loan (or installment), a totals row.
Customer names come through the customers door (``core.ports.customers.names``), one call per chunk, and only for
holders of customers:customer:read (blank otherwise). Loans are those disbursed on or before the as-of date in the
actor's data scope; balances are as the last day-end and repayments left them. Needs microloan:ledger:export;
audited.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, BinaryIO

import typer
from sqlalchemy import Select, and_, select
from sqlalchemy.orm import Session

from surety.core import units
from surety.core.audit.log import audit
from surety.core.authz.check import allowed, require
from surety.core.cli import kit as cli
from surety.core.context import Actor, acting
from surety.core.db.session import session_tenant
from surety.core.errors import DomainError
from surety.core.ports import customers as door
from surety.core.workflow.engine import business_today
from surety.core.xlsx import Sheet
from surety.plugins.microloan import KEY
from surety.plugins.microloan.conventions import LOAN_KINDS, LOAN_STATUSES, RISK_CLASSES
from surety.plugins.microloan.loan.models import MicroloanInstallment, MicroloanLoan
from surety.plugins.microloan.loan.scope import scoped
from surety.plugins.microloan.product.models import MicroloanProduct, MicroloanProductVersion
from surety.plugins.microloan.reports.permissions import LEDGER
from surety.tenants.models import Tenant

#: Rows read per chunk (and per customers-door call).
CHUNK = 1000
TOTAL_LABEL = "合计"

#: (key, header, kind) of each ledger column; kind: text, money, int, date, rate. Money in yuan, the rate in percent.
LEDGER_COLUMNS = (
    ("loan_no", "贷款编号", "text"), ("customer_name", "客户名称", "text"), ("product", "贷款产品", "text"),
    ("kind", "贷款类型", "text"), ("amount", "贷款金额（元）", "money"), ("term_months", "期限（月）", "int"),
    ("annual_rate", "年利率（%）", "rate"), ("disbursed_on", "放款日", "date"), ("maturity_date", "到期日", "date"),
    ("principal_balance", "本金余额（元）", "money"), ("accrued_interest", "应计利息（元）", "money"),
    ("penalty_balance", "罚息及复利（元）", "money"), ("days_past_due", "逾期天数（天）", "int"),
    ("risk_class", "五级分类", "text"), ("provision", "贷款损失准备（元）", "money"),
    ("status", "贷款状态", "text"),
)
#: The same for the schedules export: one row per installment of the schedule revision in force.
SCHEDULE_COLUMNS = (
    ("loan_no", "贷款编号", "text"), ("customer_name", "客户名称", "text"), ("period", "期次", "int"),
    ("due_date", "应还日", "date"), ("principal", "应还本金（元）", "money"), ("interest", "应还利息（元）", "money"),
    ("fee", "应还费用（元）", "money"), ("penalty", "罚息及复利（元）", "money"), ("due", "应还合计（元）", "money"),
    ("paid_principal", "已还本金（元）", "money"), ("paid_interest", "已还利息（元）", "money"),
    ("paid_fee", "已还费用（元）", "money"), ("paid_penalty", "已还罚息及复利（元）", "money"),
    ("paid", "已还合计（元）", "money"), ("outstanding", "未还合计（元）", "money"),
    ("settled_on", "结清日", "date"),
)
LEDGER_SHEET, SCHEDULE_SHEET = "贷款台账", "还款计划"
_WIDTHS = {"loan_no": 20, "customer_name": 30, "product": 20, "kind": 14, "status": 10, "risk_class": 10}

Progress = Callable[[int, int], None]


def _heading(session: Session, what: str, as_of: dt.date) -> str:
    tenant = session.get(Tenant, session_tenant(session))
    name = tenant.name if tenant is not None else ""
    return f"{name} {what}（截至 {as_of.year} 年 {as_of.month} 月 {as_of.day} 日，金额单位：元）"


def _names(session: Session, ids: Iterable, show: bool) -> dict:
    return door.names(session, ids) if show else {}


def _disbursed_by(stmt: Select, as_of: dt.date) -> Select:
    return stmt.where(MicroloanLoan.disbursed_on.is_not(None), MicroloanLoan.disbursed_on <= as_of)


def ledger_statement(session: Session, actor: Actor, as_of: dt.date) -> Select:
    """One row per loan disbursed on or before ``as_of`` in the actor's data scope, with its product and the
    rate of the product version it was made under, oldest disbursement first."""
    loan, p, v = MicroloanLoan, MicroloanProduct, MicroloanProductVersion
    stmt = (select(loan.loan_no, loan.customer_id, p.name.label("product"), loan.kind, loan.amount,
                   loan.term_months, v.annual_rate, loan.disbursed_on, loan.maturity_date, loan.principal_balance,
                   loan.accrued_interest, loan.penalty_balance, loan.days_past_due, loan.risk_class, loan.provision,
                   loan.status)
            .join(p, and_(p.tenant_id == loan.tenant_id, p.id == loan.product_id))
            .join(v, and_(v.tenant_id == loan.tenant_id, v.product_id == loan.product_id,
                          v.version == loan.product_version))
            .order_by(loan.disbursed_on, loan.loan_no))
    return scoped(session, actor, _disbursed_by(stmt, as_of))


def schedule_statement(session: Session, actor: Actor, as_of: dt.date, loan_no: str | None = None) -> Select:
    """One row per installment of the schedule revision in force of each loan of :func:`ledger_statement` (or of
    the loan ``loan_no`` only), by loan then period."""
    loan, i = MicroloanLoan, MicroloanInstallment
    stmt = (select(loan.loan_no, loan.customer_id, i.period, i.due_date, i.principal, i.interest, i.fee, i.penalty,
                   i.paid_principal, i.paid_interest, i.paid_fee, i.paid_penalty, i.settled_on)
            .select_from(i)
            .join(loan, and_(loan.tenant_id == i.tenant_id, loan.id == i.loan_id, loan.schedule_revision == i.revision))
            .order_by(loan.disbursed_on, loan.loan_no, i.period))
    if loan_no is not None:
        stmt = stmt.where(loan.loan_no == loan_no)
    return scoped(session, actor, _disbursed_by(stmt, as_of))


def _ledger_values(r, names: dict) -> dict[str, Any]:
    values = r._asdict()
    values["customer_name"] = names.get(r.customer_id)
    values["kind"] = LOAN_KINDS.get(r.kind, r.kind)
    values["annual_rate"] = units.rate_in(r.annual_rate, units.PERCENT)
    values["risk_class"] = RISK_CLASSES.get(r.risk_class, r.risk_class)
    values["status"] = LOAN_STATUSES.get(r.status, r.status)
    return values


def _schedule_values(r, names: dict) -> dict[str, Any]:
    values = r._asdict()
    values["customer_name"] = names.get(r.customer_id)
    values["due"] = r.principal + r.interest + r.fee + r.penalty
    values["paid"] = r.paid_principal + r.paid_interest + r.paid_fee + r.paid_penalty
    values["outstanding"] = values["due"] - values["paid"]
    return values


def _write(session: Session, actor: Actor, out: BinaryIO | Path, stmt: Select, sheet: str, columns: tuple,
           heading: str, row_values: Callable, count_text: Callable[[int], str], progress: Progress | None,
           chunk: int) -> tuple[int, bool]:
    from openpyxl import Workbook  # noqa: PLC0415 - heavy library, loaded when a file is made

    show_names = allowed(session, actor, "customers:customer", "read")
    wb = Workbook(write_only=True)
    ws = Sheet(wb, sheet, columns, ([heading], [header for _, header, _ in columns]), widths=_WIDTHS)
    count = 0
    for part in session.execute(stmt.execution_options(yield_per=chunk)).partitions():
        names = _names(session, {r.customer_id for r in part}, show_names)
        for r in part:
            ws.append(row_values(r, names))
            count += 1
        if progress:
            progress(count, count)
    ws.footer({columns[0][0]: TOTAL_LABEL, columns[1][0]: count_text(count)})
    wb.save(out)
    return count, show_names


def export_ledger(session: Session, actor: Actor, out: BinaryIO | Path, as_of: dt.date | None = None, *,
                  progress: Progress | None = None, chunk: int = CHUNK) -> int:
    """Write the loan ledger as of ``as_of`` (default: today's business date) to ``out`` as .xlsx; returns the
    number of loan rows. Needs microloan:ledger:export; audited (count, date)."""
    require(session, actor, LEDGER, "export")
    as_of = as_of or business_today()
    count, shown = _write(session, actor, out, ledger_statement(session, actor, as_of), LEDGER_SHEET,
                          LEDGER_COLUMNS, _heading(session, "贷款台账", as_of), _ledger_values,
                          lambda n: f"{n} 笔贷款", progress, chunk)
    audit(session, "microloan.ledger.exported", entity_type="microloan:ledger",
          after={"count": count, "as_of": as_of.isoformat(), "customer_names": shown}, actor=actor)
    return count


def export_schedules(session: Session, actor: Actor, out: BinaryIO | Path, as_of: dt.date | None = None, *,
                     loan_no: str | None = None, progress: Progress | None = None, chunk: int = CHUNK) -> int:
    """Write the repayment schedules in force of the ledger's loans (or of loan ``loan_no``) to ``out`` as .xlsx,
    one row per installment with what is due, paid and outstanding; returns the number of installment rows. Needs
    microloan:ledger:export; audited."""
    require(session, actor, LEDGER, "export")
    as_of = as_of or business_today()
    count, shown = _write(session, actor, out, schedule_statement(session, actor, as_of, loan_no), SCHEDULE_SHEET,
                          SCHEDULE_COLUMNS, _heading(session, "还款计划", as_of), _schedule_values,
                          lambda n: f"{n} 期", progress, chunk)
    audit(session, "microloan.schedules.exported", entity_type="microloan:ledger",
          after={"count": count, "as_of": as_of.isoformat(), "loan_no": loan_no, "customer_names": shown},
          actor=actor)
    return count


# ---------------------------------------------------------------- command line -------------------------------------

ledger_app = typer.Typer(help="Microloan ledger (贷款台账) and schedules (还款计划): export.", no_args_is_help=True)

_TENANT = typer.Option(..., "--tenant")
_AS_USER = typer.Option("admin", "--as-user", help="who exports (needs microloan:ledger:export)")
_AS_OF = typer.Option(None, "--as-of", formats=["%Y-%m-%d"], help="as-of date (default: today's business date)")
_LEDGER_OUT = typer.Option(Path("microloan-ledger.xlsx"), "--output", "-o")
_SCHEDULES_OUT = typer.Option(Path("microloan-schedules.xlsx"), "--output", "-o")
_LOAN_NO = typer.Option(None, "--loan", help="only this loan (its loan number)")


def _run(tenant_slug: str, as_user: str, output: Path, what: str, export: Callable, **kw) -> None:
    t = cli.tenant_with_plugin(tenant_slug, KEY)
    try:
        with cli.db().tenant_session(t.id) as s, cli.progress() as bar:
            who = cli.as_user(s, as_user)
            task = bar.add_task("exporting", total=None)
            with acting(who), output.open("wb") as fh:
                n = export(s, who, fh, progress=lambda done, total: bar.update(task, completed=done, total=total),
                           **kw)
    except DomainError as exc:
        cli.fail(exc.message)
    cli.console.print(f"exported {n} {what} to {output}")


@ledger_app.command("export")
def export_cmd(tenant_slug: str = _TENANT, output: Path = _LEDGER_OUT, as_user: str = _AS_USER,
               as_of: dt.datetime = _AS_OF) -> None:
    """Export the loan ledger the user may see to .xlsx (one row per disbursed loan, totals)."""
    _run(tenant_slug, as_user, output, "loans", export_ledger, as_of=as_of.date() if as_of else None)


@ledger_app.command("schedules")
def schedules_cmd(tenant_slug: str = _TENANT, output: Path = _SCHEDULES_OUT, as_user: str = _AS_USER,
                  as_of: dt.datetime = _AS_OF, loan_no: str = _LOAN_NO) -> None:
    """Export the repayment schedules in force of the loans the user may see to .xlsx (one row per installment)."""
    _run(tenant_slug, as_user, output, "installments", export_schedules, as_of=as_of.date() if as_of else None,
         loan_no=loan_no)
