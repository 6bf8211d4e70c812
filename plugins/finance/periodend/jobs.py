"""Period-end jobs (docs/finance/periodend.md): each project's guarantee-fee schedule recorded from the guarantee
plugin's events, the monthly fee amortisation (Dr 递延收益 / Cr 担保费收入) and the year-end reserves (未到期责任准备金,
担保赔偿准备金), each booked as one system voucher and done once per period (a ``finance_period_jobs`` row).

The plugin reads no guarantee table: the fee and the term come from the events' payloads (``GuaranteeFeeReceived``
and ``GuaranteeFeeRefunded`` of ``fee_type`` guarantee_fee; ``GuaranteeTookEffect``: ``effective_date`` to
``loan_end_date``, or ``expiry_date`` for a letter of guarantee), and the year-end guarantee liability balance from
the ``finance_liability_balance`` hook (plugins/finance/hookspecs.py), which the guarantee plugin answers."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from surety.core.authz.check import require
from surety.core.context import Actor
from surety.core.db.base import uuid7
from surety.core.db.session import session_tenant
from surety.core.errors import ValidationFailed
from surety.core.events_models import OutboxEvent
from surety.core.hooks import declared, tenant_hook
from surety.plugins.finance.accounts.services import installed_template
from surety.plugins.finance.periodend.models import (
    AMORTISATION,
    COMPENSATION_RESERVE,
    UNEARNED_RESERVE,
    FinanceFeeSchedule,
    FinancePeriodJob,
)
from surety.plugins.finance.permissions import PERIOD
from surety.plugins.finance.reserves import amortisation, calc
from surety.plugins.finance.vouchers import services as vouchers
from surety.plugins.finance.vouchers.models import CLOSED, FinanceVoucherLine

ZERO = Decimal("0.00")
FEE_RECEIVED, FEE_REFUNDED, TOOK_EFFECT = "GuaranteeFeeReceived", "GuaranteeFeeRefunded", "GuaranteeTookEffect"
SCHEDULE_EVENTS = (FEE_RECEIVED, FEE_REFUNDED, TOOK_EFFECT)
GUARANTEE_FEE = "guarantee_fee"
#: The hook that gives the year-end guarantee liability balance (declared in plugins/finance/hookspecs.py).
LIABILITY_HOOK = "finance_liability_balance"


@dataclass(frozen=True)
class PeriodEndAccounts:
    """The accounts the period-end vouchers use in one chart template: deferred fee and fee income (amortisation);
    expense and reserve of 未到期责任准备金 and of 担保赔偿准备金."""

    deferred_fee: str
    fee_income: str
    unearned_expense: str
    unearned_reserve: str
    compensation_expense: str
    compensation_reserve: str


#: By chart template; a template without an entry (microloan) has no guarantee-fee period-end jobs.
ACCOUNTS = {
    "guarantee_cas": PeriodEndAccounts("2401", "6031", "6511", "2601", "6501", "2602"),
    "guarantee_legacy": PeriodEndAccounts("2191", "4101", "5102", "2192", "5103", "2193"),
}


def accounts_of(session: Session) -> PeriodEndAccounts | None:
    return ACCOUNTS.get(installed_template(session) or "")


# ---------------------------------------------------------------- fee schedules from events ------------------------


def _insert_ignore(session: Session, model, values: Mapping[str, Any], keys: Iterable[str]) -> None:
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    session.execute(insert(model.__table__).values(tenant_id=session_tenant(session), id=uuid7(), **values)
                    .on_conflict_do_nothing(index_elements=[model.__table__.c[k] for k in ("tenant_id", *keys)]))


def _date(value: Any) -> dt.date | None:
    return None if value in (None, "") else dt.date.fromisoformat(str(value)[:10])


def _fact(event_type: str, payload: Mapping[str, Any]) -> tuple[uuid.UUID, dict[str, Any]] | None:
    """What an event changes in its project's schedule: ``{"delta": yuan}`` or ``{"start_date", "end_date"}``;
    None for an event that does not touch a schedule."""
    project = payload.get("project_id")
    if not project:
        return None
    if event_type in (FEE_RECEIVED, FEE_REFUNDED):
        if payload.get("fee_type") != GUARANTEE_FEE:
            return None
        amount = Decimal(str(payload.get("amount") or 0))
        return uuid.UUID(str(project)), {"delta": amount if event_type == FEE_RECEIVED else -amount}
    if event_type == TOOK_EFFECT:
        return uuid.UUID(str(project)), {"start_date": _date(payload.get("effective_date")),
                                          "end_date": _date(payload.get("loan_end_date") or
                                                            payload.get("expiry_date"))}
    return None


def fee_delta(event_type: str, payload: Mapping[str, Any]) -> vouchers.FeeScheduleDelta | None:
    """The fee a guarantee-fee receipt or refund adds to its project's schedule (what :func:`record_event` adds), for
    the voucher's statement to write (vouchers.create_voucher, on PostgreSQL); None for any other event."""
    if event_type not in (FEE_RECEIVED, FEE_REFUNDED):
        return None
    found = _fact(event_type, payload)
    return None if found is None else vouchers.FeeScheduleDelta(found[0], found[1]["delta"])


def record_event(session: Session, event_type: str, payload: Mapping[str, Any]) -> bool:
    """Record a guarantee-fee or took-effect event in its project's schedule (in the event's transaction; the fee
    is added with one atomic UPDATE, so concurrent receipts of one project both count). True when it did."""
    if event_type not in SCHEDULE_EVENTS:
        return False
    found = _fact(event_type, payload)
    if found is None:
        return False
    project_id, change = found
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    table = FinanceFeeSchedule.__table__
    stmt = insert(table).values(tenant_id=session_tenant(session), id=uuid7(), project_id=project_id,
                                amount=change.get("delta", ZERO), recognised=ZERO,
                                start_date=change.get("start_date"), end_date=change.get("end_date"))
    # One statement: a new project's row, or the fee added to (the term set on) the existing one atomically.
    changed = {"amount": table.c.amount + stmt.excluded.amount} if "delta" in change else \
        {"start_date": stmt.excluded.start_date, "end_date": stmt.excluded.end_date}
    session.execute(stmt.on_conflict_do_update(index_elements=[table.c.tenant_id, table.c.project_id], set_=changed))
    return True


def backfill_schedules(session: Session) -> int:
    """Rebuild every project's fee and term from the outbox (oldest first; what is recognised is kept): the same
    figures the live events gave, so running it again changes nothing. Returns the number of projects."""
    found: dict[uuid.UUID, dict[str, Any]] = {}
    for event_type, payload in session.execute(select(OutboxEvent.event_type, OutboxEvent.payload)
                                               .where(OutboxEvent.event_type.in_(SCHEDULE_EVENTS))
                                               .order_by(OutboxEvent.occurred_at, OutboxEvent.id)):
        fact = _fact(event_type, payload)
        if fact is None:
            continue
        project_id, change = fact
        row = found.setdefault(project_id, {"amount": ZERO, "start_date": None, "end_date": None})
        if "delta" in change:
            row["amount"] += change["delta"]
        else:
            row.update(change)
    for project_id, values in found.items():
        _insert_ignore(session, FinanceFeeSchedule, {"project_id": project_id, "amount": ZERO, "recognised": ZERO},
                       ("project_id",))
        session.execute(update(FinanceFeeSchedule).where(FinanceFeeSchedule.project_id == project_id)
                        .values(**values).execution_options(synchronize_session=False))
    return len(found)


# ---------------------------------------------------------------- period-end bookkeeping -----------------------------


def _month_end(period: str) -> dt.date:
    year, month = int(period[:4]), int(period[5:7])
    return dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)


def _claim(session: Session, kind: str, period: str) -> FinancePeriodJob | None:
    """The job row of ``kind`` and ``period``, inserted and locked for this transaction; None when the job is
    already done (a concurrent run waits for the first one's commit and then finds it done)."""
    _insert_ignore(session, FinancePeriodJob, {"kind": kind, "period": period, "amount": ZERO,
                                               "voucher_id": None, "done_at": None}, ("kind", "period"))
    row = session.scalar(select(FinancePeriodJob).where(FinancePeriodJob.kind == kind,
                                                        FinancePeriodJob.period == period).with_for_update())
    return None if row.done_at is not None else row


def _done(session: Session, row: FinancePeriodJob, voucher, amount: Decimal) -> None:
    row.voucher_id = voucher.id if voucher is not None else None
    row.amount = amount
    row.done_at = dt.datetime.now(dt.UTC)
    session.flush()


def _closed(session: Session, period: str) -> bool:
    return vouchers.period_status(session, period) == CLOSED


@dataclass(frozen=True)
class JobResult:
    """What one period-end job did: ``booked`` (a voucher written), ``nothing`` (no amount to book), ``done``
    (already done earlier), ``closed`` (the period is closed: not booked) or ``no_chart`` (the tenant's chart has no
    guarantee-fee accounts) or ``no_balance`` (no plugin gives the liability balance)."""

    kind: str
    period: str
    outcome: str
    amount: Decimal = ZERO
    voucher_number: str | None = None
    basis: tuple[str, ...] = ()


def _pair(debit: str, credit: str, amount: Decimal, summary: str, **dims: Any) -> list[dict[str, Any]]:
    """Dr ``debit`` / Cr ``credit`` ``amount`` (a negative amount swaps the sides)."""
    if amount < 0:
        debit, credit, amount = credit, debit, -amount
    return [{"account": debit, "debit": amount, "summary": summary, **dims},
            {"account": credit, "credit": amount, "summary": summary, **dims}]


def amortise(session: Session, period: str) -> JobResult:
    """Recognise the guarantee fees of ``period`` (``YYYY-MM``): for each project with a term, the fee recognised
    through the end of the period (reserves.amortisation, straight-line by days) minus what is recognised already,
    one voucher Dr 递延收益 / Cr 担保费收入 with a line pair per project, dated the period's last day. Once per
    period; a later receipt or refund is caught up by the next period's run."""
    period = vouchers.check_period(period)
    accounts = accounts_of(session)
    if accounts is None:
        return JobResult(AMORTISATION, period, "no_chart")
    if _closed(session, period):
        return JobResult(AMORTISATION, period, "closed")
    job = _claim(session, AMORTISATION, period)
    if job is None:
        return JobResult(AMORTISATION, period, "done")
    lines, total, moved = [], ZERO, []
    month_end = _month_end(period)
    for row in session.scalars(select(FinanceFeeSchedule).where(FinanceFeeSchedule.start_date.is_not(None),
                                                                FinanceFeeSchedule.end_date.is_not(None),
                                                                FinanceFeeSchedule.start_date <= month_end)
                               .order_by(FinanceFeeSchedule.project_id)
                               .execution_options(populate_existing=True)):  # the events update with SQL
        fee = max(row.amount, ZERO)
        due = amortisation.recognised_through(fee, row.start_date, max(row.end_date, row.start_date), period)
        delta = due - row.recognised
        if delta:
            lines += _pair(accounts.deferred_fee, accounts.fee_income, delta, f"{period} 担保费收入确认",
                           project_id=row.project_id)
            total += delta
            moved.append((row, due))
    voucher = None
    if lines:
        voucher = vouchers.create_voucher(session, None, voucher_date=month_end, word="转",
                                          summary=f"{period} 担保费收入按保证期间分摊确认", lines=lines,
                                          source=vouchers.VoucherSource(f"finance:{AMORTISATION}"))
        for row, due in moved:
            row.recognised = due
    _done(session, job, voucher, total)
    return JobResult(AMORTISATION, period, "booked" if voucher else "nothing", total,
                     voucher.number if voucher else None)


def _year_turnover(session: Session, code: str, year: int) -> Decimal:
    """Credits minus debits of ``code`` in the periods of ``year`` (every voucher written, any status)."""
    return Decimal(session.scalar(
        select(func.coalesce(func.sum(FinanceVoucherLine.credit - FinanceVoucherLine.debit), 0))
        .where(FinanceVoucherLine.account_code == code, FinanceVoucherLine.period >= f"{year:04d}-01",
               FinanceVoucherLine.period <= f"{year:04d}-12")) or 0)


def _credit_balance(session: Session, code: str, year: int) -> Decimal:
    """The credit balance of ``code`` at the end of ``year`` (every voucher written, any status)."""
    return Decimal(session.scalar(
        select(func.coalesce(func.sum(FinanceVoucherLine.credit - FinanceVoucherLine.debit), 0))
        .where(FinanceVoucherLine.account_code == code, FinanceVoucherLine.period <= f"{year:04d}-12")) or 0)


def liability_balance(session: Session, as_of: dt.date) -> Decimal | None:
    """The guarantee liability balance (在保余额, yuan) on ``as_of`` from the plugin that answers the
    ``finance_liability_balance`` hook; None when no enabled plugin answers."""
    if not declared(LIABILITY_HOOK):
        return None
    return tenant_hook(session, LIABILITY_HOOK)(session=session, as_of=as_of)


def _reserve_voucher(session: Session, year: int, summary: str, lines: list[dict]):
    return vouchers.create_voucher(session, None, voucher_date=dt.date(year, 12, 31), word="转", summary=summary,
                                   lines=lines, source=vouchers.VoucherSource("finance:reserve"))


def year_end_reserves(session: Session, actor: Actor | None, year: int) -> list[JobResult]:
    """Book the year-end reserves of ``year`` (needs finance:period:close unless ``actor`` is None, the day-end
    batch), each once: 未到期责任准备金 = 50 % of the year's guarantee-fee income (the fee-income account's credits
    less debits in the year's periods), the adjustment against the reserve's balance (Dr expense / Cr reserve;
    a release swaps them); 担保赔偿准备金 by calc.compensation_reserve from the year-end liability balance (the
    hook) and the accumulated reserve. Vouchers dated 31 December. Run the December amortisation first (the day-end
    job does)."""
    if actor is not None:
        require(session, actor, PERIOD, "close")
    if not isinstance(year, int) or not 2000 <= year <= 2999:
        raise ValidationFailed("The year must be a four-digit year such as 2026.", field="year")
    accounts, period = accounts_of(session), f"{year:04d}"
    if accounts is None:
        return [JobResult(UNEARNED_RESERVE, period, "no_chart"), JobResult(COMPENSATION_RESERVE, period, "no_chart")]
    if _closed(session, f"{year:04d}-12"):
        return [JobResult(UNEARNED_RESERVE, period, "closed"), JobResult(COMPENSATION_RESERVE, period, "closed")]
    out = []
    job = _claim(session, UNEARNED_RESERVE, period)
    if job is None:
        out.append(JobResult(UNEARNED_RESERVE, period, "done"))
    else:
        income = max(_year_turnover(session, accounts.fee_income, year), ZERO)
        carried = max(_credit_balance(session, accounts.unearned_reserve, year), ZERO)
        result = calc.unearned_premium(income, carried)
        voucher = _reserve_voucher(session, year, f"{year} 年提取未到期责任准备金",
                                   _pair(accounts.unearned_expense, accounts.unearned_reserve, result.adjustment,
                                         f"{year} 年未到期责任准备金")) if result.adjustment else None
        _done(session, job, voucher, result.adjustment)
        out.append(JobResult(UNEARNED_RESERVE, period, "booked" if voucher else "nothing", result.adjustment,
                             voucher.number if voucher else None, result.basis))
    balance = liability_balance(session, dt.date(year, 12, 31))
    if balance is None:
        out.append(JobResult(COMPENSATION_RESERVE, period, "no_balance"))
        return out
    job = _claim(session, COMPENSATION_RESERVE, period)
    if job is None:
        out.append(JobResult(COMPENSATION_RESERVE, period, "done"))
        return out
    accumulated = max(_credit_balance(session, accounts.compensation_reserve, year), ZERO)
    provision = calc.compensation_reserve(balance, accumulated)
    voucher = _reserve_voucher(session, year, f"{year} 年提取担保赔偿准备金",
                               _pair(accounts.compensation_expense, accounts.compensation_reserve,
                                     provision.provision, f"{year} 年担保赔偿准备金")) if provision.provision else None
    _done(session, job, voucher, provision.provision)
    out.append(JobResult(COMPENSATION_RESERVE, period, "booked" if voucher else "nothing", provision.provision,
                         voucher.number if voucher else None, provision.basis))
    return out


# ---------------------------------------------------------------- the day-end job -----------------------------------


def _previous_month(day: dt.date) -> str:
    first = day.replace(day=1) - dt.timedelta(days=1)
    return vouchers.period_of(first)


def day_end(session: Session, business_date: dt.date) -> dict[str, Any]:
    """The day-end job: the previous month's amortisation when not done yet (the first day-end of a month), and
    the current month's on its last day; the previous year's reserves on the first day-end of a year when not done,
    and the current year's on 31 December (after December's amortisation). Idempotent per period."""
    periods = [_previous_month(business_date)]
    if (business_date + dt.timedelta(days=1)).month != business_date.month:
        periods.append(vouchers.period_of(business_date))
    years = [business_date.year - 1] + ([business_date.year] if (business_date.month, business_date.day) == (12, 31)
                                        else [])
    booked = 0
    for period in periods:
        booked += amortise(session, period).outcome == "booked"
        if int(period[5:7]) == 12 and int(period[:4]) in years:
            booked += sum(r.outcome == "booked" for r in year_end_reserves(session, None, int(period[:4])))
    return {"vouchers": booked}
