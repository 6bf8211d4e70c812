"""This plugin's answer to ``regulatory_report_batch`` (core/ports/regulatory.py; docs/regulatory/figures.md,
"Scale"): a report form's dates at once, each period's ``guarantee.*`` figures (as :func:`regulatory_figures.
report_figures` gives them) and its in-force exposures at the end of ``as_of`` summed into bands (as
``core.ports.regulatory.bands_of`` sums :func:`regulatory_figures.exposures`).

* A period ending on a month end the day-end wrote (:mod:`month_end`) and starting on 1 January of that year (the
  monthly form's columns: the month end, the prior year end, the same month end a year before) is read from the
  month-end rows: one statement for all such periods, grouped by month end, business type, customer type and band,
  with no join and no row per customer (the rows carry the type, the customer's aggregates, the bank share and the
  household marks).
* Any other period (a quarter's own months, since inception, a day that is not a month end, a month end never
  written) is answered from the ledger as the per-date hooks answer it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from sqlalchemy import Integer, case, func, literal, select, type_coerce
from sqlalchemy.orm import Session

from surety.core.db.types import Money
from surety.core.ports.regulatory import ExposureBand, PeriodReport, bands_of
from surety.plugins.guarantee.ledger import month_end
from surety.plugins.guarantee.ledger import regulatory_figures as rf

#: Money columns summed per group, then the integer ones (labels as :func:`regulatory_figures.figures_of_pairs` reads
#: them, plus ``bank_share``).
_MONEY = ("bank_share", "issued", "released_amount", "compensation", "recovery", "loss", "compensation_cum",
          "recovery_cum", "loss_cum")
_COUNTS = ("in_force_n", "in_force_households", "issued_n", "issued_households")


def from_month_ends(period: tuple[dt.date, dt.date]) -> bool:
    """Whether a period can be read from the month-end rows (written or not): it ends on a month end and starts on
    1 January of that year."""
    as_of, start = period
    return month_end.is_month_end(as_of) and start == dt.date(as_of.year, 1, 1)


def _statement(session: Session, days: Sequence[dt.date], cuts: Sequence[Decimal], basis: str):
    m = month_end.GuaranteeMonthEndBalance
    aggregated = m.aggregate_own if basis == "own" else m.aggregate_gross
    band = sum((case((aggregated > literal(cut, Money), 1), else_=0) for cut in cuts), literal(0, Integer))
    rows = select(m.month_end, m.business_type, m.customer_type, band.label("band"),
                  type_coerce(m.in_force * m.balance, Money).label("in_force_balance"),
                  m.in_force.label("in_force_n"), m.households.label("in_force_households"), m.issued_n,
                  m.issued_households, *[getattr(m, name) for name in _MONEY]).where(m.month_end.in_(days)).subquery()
    r = rows.c
    keys = (r.month_end, r.business_type, r.customer_type, r.band)
    return (select(*keys, func.sum(r.in_force_balance).label("in_force_balance"),
                   *[func.sum(r[name]).label(name) for name in (*_MONEY, *_COUNTS)])
            .group_by(*keys))


def _read_month_ends(session: Session, days: list[dt.date], cuts: Sequence[Decimal], basis: str
                     ) -> dict[dt.date, PeriodReport]:
    pairs: dict[dt.date, dict[tuple[str, str], dict]] = {day: {} for day in days}
    bands: dict[dt.date, list[ExposureBand]] = {day: [] for day in days}
    with rf.big_read(session):
        rows = session.execute(_statement(session, days, cuts, basis)).all()
    for row in rows:
        values = row._asdict()
        summed = pairs[row.month_end].setdefault((row.business_type, row.customer_type), {})
        for label in ("in_force_balance", *_MONEY, *_COUNTS):
            summed[label] = summed.get(label, 0) + (values[label] or 0)
        if row.in_force_n:
            bands[row.month_end].append(ExposureBand(row.business_type, row.customer_type, int(row.band),
                                                     rf._money(row.in_force_balance), rf._money(row.bank_share),
                                                     count=int(row.in_force_n)))
    out = {}
    for day in days:
        ordered = tuple(sorted(bands[day], key=lambda b: (b.business_type, b.customer_type, b.band)))
        out[day] = PeriodReport(day, dt.date(day.year, 1, 1), tuple(rf.figures_of_pairs(pairs[day])), ordered)
    return out


def report_batch(session: Session, periods: Sequence[tuple[dt.date, dt.date]], cuts: Sequence[Decimal],
                 basis: str) -> list[PeriodReport]:
    """One :class:`PeriodReport` per ``(as_of, period_start)`` of ``periods``, in their order (module docstring)."""
    cuts = sorted(set(cuts))
    fast = [as_of for as_of, start in dict.fromkeys(periods)
            if from_month_ends((as_of, start)) and month_end.written(session, as_of)]
    read = _read_month_ends(session, fast, cuts, basis) if fast else {}
    out = []
    for as_of, start in periods:
        if as_of in read and start == dt.date(as_of.year, 1, 1):
            out.append(read[as_of])
            continue
        figures = tuple(rf.report_figures(session, as_of, start))
        out.append(PeriodReport(as_of, start, figures, tuple(bands_of(rf.exposures(session, as_of), cuts, basis))))
    return out
