"""Income forecast (收入预测, docs/finance/forecast.md): the guarantee-fee income the monthly amortisation job will
still book, month by month from the month of ``as_of`` for ``months`` months, from the fee schedules of the
period-end area (each project's fee net of refunds, its term and what is recognised so far).

Each month's figure is what ``periodend.jobs.amortise`` would book for it if no fee were received or refunded in
between: the fee recognised through the end of the month (reserves.amortisation, straight-line by days) minus what
the earlier months took, starting from what the schedule has recognised already. So a month already booked
forecasts 0, a refund after recognition shows as a negative first month (the job's catch-up), and the months plus
what falls after the horizon add up to the fee still to recognise, to the fen."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from surety.core import inputs
from surety.core.authz.check import require
from surety.core.context import Actor
from surety.plugins.finance.periodend.models import FinanceFeeSchedule
from surety.plugins.finance.permissions import VOUCHER
from surety.plugins.finance.reserves.amortisation import recognised_through

ZERO = Decimal("0.00")
DEFAULT_MONTHS, MAX_MONTHS = 12, 120


@dataclass(frozen=True)
class MonthIncome:
    """One accounting period ``YYYY-MM`` of the forecast: the fee income to book in it (yuan) and the number of
    projects with income in it."""

    period: str
    amount: Decimal
    projects: int


@dataclass(frozen=True)
class IncomeForecast:
    """The forecast as of ``as_of``: ``months`` in order, their ``total``; ``later`` (after the last month),
    ``remaining`` (total + later: every scheduled fee not recognised yet), ``unscheduled`` (fees of projects with no
    term yet: not forecast) and the number of ``projects`` with a term and something left. Amounts in yuan."""

    as_of: dt.date
    months: tuple[MonthIncome, ...]
    total: Decimal
    later: Decimal
    remaining: Decimal
    unscheduled: Decimal
    projects: int


def periods_from(as_of: dt.date, count: int) -> list[str]:
    """``count`` periods ``YYYY-MM`` starting with the month of ``as_of``."""
    index = as_of.year * 12 + as_of.month - 1
    return [f"{(index + i) // 12:04d}-{(index + i) % 12 + 1:02d}" for i in range(count)]


def project_months(fee: Decimal, start: dt.date, end: dt.date, recognised: Decimal,
                   periods: list[str]) -> tuple[list[Decimal], Decimal]:
    """One project's income in each of ``periods`` (consecutive) and what is left after them, from ``recognised``
    so far: the amortisation job's cumulative method, month by month (module docstring). Pure."""
    fee, end = max(fee, ZERO), max(end, start)
    out, so_far = [], recognised
    for period in periods:
        due = recognised_through(fee, start, end, period)
        out.append(due - so_far)
        so_far = due
    return out, fee - so_far


def income_forecast(session: Session, actor: Actor, as_of: dt.date, months: int = DEFAULT_MONTHS) -> IncomeForecast:
    """The income forecast as of ``as_of`` for ``months`` months (1 to 120; needs finance:voucher:read)."""
    require(session, actor, VOUCHER, "read")
    if not isinstance(as_of, dt.date):
        raise TypeError("as_of must be a date")
    count = inputs.whole(months, "months", 1, MAX_MONTHS, "months")
    periods = periods_from(as_of, count)
    amounts, counts = [ZERO] * count, [0] * count
    later, unscheduled, projects = ZERO, ZERO, 0
    for row in session.scalars(select(FinanceFeeSchedule).order_by(FinanceFeeSchedule.project_id)
                               .execution_options(populate_existing=True)):  # the events update with SQL
        if row.start_date is None or row.end_date is None:
            unscheduled += max(row.amount, ZERO)
            continue
        shares, left = project_months(row.amount, row.start_date, row.end_date, row.recognised, periods)
        if not any(shares) and not left:
            continue
        projects += 1
        for i, share in enumerate(shares):
            if share:
                amounts[i] += share
                counts[i] += 1
        later += left
    month_rows = tuple(MonthIncome(p, a, c) for p, a, c in zip(periods, amounts, counts, strict=True))
    total = sum(amounts, ZERO)
    return IncomeForecast(as_of, month_rows, total, later, total + later, unscheduled, projects)
