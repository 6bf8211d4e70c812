"""Month-end balances (月末在保余额快照) of the guarantee projects, so the regulatory figures for a month end read one
row per project instead of regrouping the whole ledger (docs/regulatory/figures.md, "Month-end balances").

``guarantee_month_end_balances`` holds, per month end and project with a stock entry dated up to it, exactly what
:func:`regulatory_figures._per_project` rebuilds from the ledger for that date: ``balance``, ``released`` (full
releases dated by then) and ``effective`` (loan entries dated by then).

* Written by the day-end job ``guarantee_month_end_balances`` (:func:`run_day_end`) when the business date it runs for
  is a month end, for that month end (rewritten whole: idempotent).
* A ledger entry of a stock kind dated on or before a month end already written, recorded later (a backdated
  correction), rewrites that project's rows for every such month end in the same flush (:func:`_correct`), so the
  correction shows in every later report; locked reports keep their stored cells anyway.
* Read by :func:`regulatory_figures.report_figures` / ``exposures`` for a month end that has rows; any other date, or
  a month end never written, is rebuilt from the ledger (the same answer: tested on random ledgers).
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from sqlalchemy import Date, Index, Integer, Uuid, delete, event, exists, func, insert, literal, select, union_all
from sqlalchemy.orm import Mapped, Session, mapped_column

from surety.core.db.base import Base, TenantScoped
from surety.core.db.session import session_tenant
from surety.core.db.types import Money
from surety.core.workflow.engine import business_today
from surety.plugins.guarantee.ledger.models import GuaranteeLedgerEntry

#: The day-end job's name.
JOB = "guarantee_month_end_balances"


class GuaranteeMonthEndBalance(TenantScoped, Base):
    """One project's rebuilt stock at the end of ``month_end`` (module docstring)."""

    __tablename__ = "guarantee_month_end_balances"
    # A month's rows, one project's row of a month, and whether a month end was written.
    __table_args__ = (Index("ix_guarantee_month_end_balances_month", "tenant_id", "month_end", "project_id",
                            unique=True),)

    month_end: Mapped[dt.date] = mapped_column(Date)
    project_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    balance: Mapped[Decimal] = mapped_column(Money)
    released: Mapped[int] = mapped_column(Integer)
    effective: Mapped[int] = mapped_column(Integer)


def is_month_end(day: dt.date) -> bool:
    return (day + dt.timedelta(days=1)).day == 1


def month_ends_between(first: dt.date, last: dt.date) -> list[dt.date]:
    """The calendar month ends ``first`` .. ``last`` inclusive."""
    out, year, month = [], first.year, first.month
    while True:
        end = dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)
        if end > last:
            return out
        out.append(end)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def written(session: Session, month_end: dt.date) -> bool:
    """Whether ``month_end`` has rows (the day-end wrote it)."""
    m = GuaranteeMonthEndBalance
    return bool(session.scalar(select(exists().where(m.month_end == month_end))))


def _new_id(session: Session):
    """A fresh id per inserted row, in SQL (PostgreSQL's gen_random_uuid; SQLite's 32 hex digits)."""
    if session.get_bind().dialect.name == "postgresql":
        return func.gen_random_uuid()
    return func.lower(func.hex(func.randomblob(16)))


def write(session: Session, month_end: dt.date, project_ids: list[uuid.UUID] | None = None) -> int:
    """(Re)write the rows of ``month_end`` from the ledger, set-based (one DELETE, one INSERT ... SELECT, one count):
    every project's, or only ``project_ids``'. Returns the rows written."""
    from surety.plugins.guarantee.ledger.regulatory_figures import ledger_per_project  # noqa: PLC0415 - cycle

    # Core statements on the table (the rows written counted), filtered on the tenant explicitly.
    m, tenant = GuaranteeMonthEndBalance.__table__.c, session_tenant(session)
    table = GuaranteeMonthEndBalance.__table__
    gone = delete(table).where(m.tenant_id == tenant, m.month_end == month_end)
    per = ledger_per_project(month_end, tenant=tenant, project_ids=project_ids).subquery()
    if project_ids is not None:
        gone = gone.where(m.project_id.in_(project_ids))
    session.execute(gone)
    rows = select(literal(tenant, Uuid), _new_id(session), literal(month_end, Date), per.c.project_id,
                  per.c.balance, per.c.released, per.c.effective)
    session.execute(insert(table).from_select(
        ["tenant_id", "id", "month_end", "project_id", "balance", "released", "effective"], rows))
    # counted afterwards: the driver's rowcount of INSERT ... SELECT is not reliable here (-1 on PostgreSQL)
    count = select(func.count()).select_from(table).where(m.tenant_id == tenant, m.month_end == month_end)
    if project_ids is not None:
        count = count.where(m.project_id.in_(project_ids))
    return session.scalar(count)


def run_day_end(session: Session, day: dt.date) -> dict:
    """The day-end job: on a month end, write that month end's rows (rewritten whole); nothing on other days."""
    if not is_month_end(day):
        return {"written": 0}
    return {"written": write(session, day)}


def _correct(session: Session, _flush_context) -> None:
    """After a flush: the stock entries just recorded that are dated on or before a month end already written rewrite
    their projects' rows of those month ends (module docstring). Costs no statement when no entry is dated on or
    before a month end up to today."""
    from surety.plugins.guarantee.ledger.regulatory_figures import STOCK_KINDS  # noqa: PLC0415 - cycle

    dated: dict[uuid.UUID, dt.date] = {}
    for obj in session.new:
        if isinstance(obj, GuaranteeLedgerEntry) and obj.kind in STOCK_KINDS and obj.entry_date is not None:
            earliest = dated.get(obj.project_id)
            dated[obj.project_id] = obj.entry_date if earliest is None else min(earliest, obj.entry_date)
    if not dated:
        return
    candidates = month_ends_between(min(dated.values()), max(business_today(), max(dated.values())))
    if not candidates:
        return
    m = GuaranteeMonthEndBalance
    there = union_all(*[select(literal(day, Date).label("month_end")).where(exists().where(m.month_end == day))
                        for day in candidates])
    for day in session.execute(there).scalars().all():
        projects = [pid for pid, first in dated.items() if first <= day]
        if projects:
            write(session, day, projects)


event.listen(Session, "after_flush", _correct)
