"""Statistics of the re-guarantee business by one dimension (docs/reguarantee/monitoring.md, "Statistics").

Dimensions: ``partner`` (合作机构), ``bank`` (贷款银行), ``region`` (地区), ``industry`` (行业),
``customer_kind`` (客户类型), ``programme`` (业务品种), and the period of filing ``month`` / ``quarter`` / ``year``
(of the guarantee's start date).
The window is ``date_from`` (default 1 January of the as-of year) to ``as_of`` (default today's business date):

- filed count and amount: filings not rejected whose start date is in the window;
- in-force count and balance (在保余额) as of the period end (the as-of date; for a period row the end of that period,
  at most the as-of date): filings confirmed on or before it and not released by then; the re-guarantor's share of
  it (``share_reguarantor``) and the risk-share ratio = share / balance;
- average loan rate of the filed loans weighted by loan amount (filings without a rate left out);
- released and compensated amounts in the window and the compensation rate (monitor/indicators.py);
- recoveries recorded in the window on claims of the filings: the amount and the re-guarantor's part.

Every figure is one GROUP BY query over the filings (by the dimension's column, or for a period by the date, then
bucketed), never a loop per filing: five queries (six with the recoveries' join) whatever the number of filings.
Amounts are yuan (the GraphQL and the export convert, core/units.py); ratios 6 places half-up.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, fields
from decimal import Decimal

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from surety.core.authz.check import require
from surety.core.context import Actor
from surety.core.errors import ValidationFailed
from surety.core.workflow.engine import business_today
from surety.plugins.reguarantee.agreement.models import ReguaranteeProgramme
from surety.plugins.reguarantee.claim.models import ReguaranteeClaim, ReguaranteeRecovery
from surety.plugins.reguarantee.conventions import CUSTOMER_KINDS
from surety.plugins.reguarantee.filing.models import ReguaranteeFiling
from surety.plugins.reguarantee.monitor import indicators
from surety.plugins.reguarantee.monitor.permissions import MONITOR
from surety.plugins.reguarantee.monitor.warnings import CONFIRMED_ONCE, RELEASED, in_force_on
from surety.plugins.reguarantee.partner.models import ReguaranteePartner

ZERO = Decimal("0.00")
PERIODS = ("month", "quarter", "year")
#: Dimension -> zh-CN label (the export's first header).
DIMENSIONS = {"partner": "合作机构", "bank": "贷款银行", "region": "地区", "industry": "行业",
              "customer_kind": "客户类型", "programme": "业务品种", "month": "月份", "quarter": "季度", "year": "年度"}
_F = ReguaranteeFiling
COLUMNS = {"partner": _F.partner_id, "bank": _F.bank_name, "region": _F.region, "industry": _F.industry,
           "customer_kind": _F.customer_kind, "programme": _F.programme_id}
BLANK = "（未填写）"
#: The longest window (years) and the last as-of date a statistics query takes.
MAX_YEARS = 20
LAST_DAY = dt.date(2999, 12, 31)


@dataclass
class StatRow:
    key: str
    label: str
    filed_count: int = 0
    filed_amount: Decimal = ZERO
    balance_count: int = 0
    balance: Decimal = ZERO
    reguarantor_balance: Decimal = ZERO
    rated_amount: Decimal = ZERO  # loan amount of the filed loans with a rate
    rate_amount: Decimal = Decimal(0)  # sum of rate x loan amount over them
    released: Decimal = ZERO
    compensated: Decimal = ZERO
    recovered: Decimal = ZERO
    recovered_share: Decimal = ZERO
    period_end: dt.date | None = None

    @property
    def risk_share_ratio(self) -> Decimal | None:
        return indicators.ratio(self.reguarantor_balance, self.balance)

    @property
    def avg_loan_rate(self) -> Decimal | None:
        return indicators.ratio(self.rate_amount, self.rated_amount)

    @property
    def compensation_rate(self) -> Decimal | None:
        return indicators.compensation_rate(self.compensated, self.released)

    def add(self, other: StatRow) -> None:
        for f in fields(self):
            if f.name not in ("key", "label", "period_end"):
                setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))


@dataclass(frozen=True)
class Statistics:
    dimension: str
    date_from: dt.date
    as_of: dt.date
    rows: list[StatRow]
    total: StatRow


def period_of(day: dt.date, period: str) -> str:
    """``2026-03``, ``2026Q1`` or ``2026``."""
    if period == "month":
        return f"{day.year}-{day.month:02d}"
    if period == "quarter":
        return f"{day.year}Q{(day.month - 1) // 3 + 1}"
    return str(day.year)


def _period_end(day: dt.date, period: str) -> dt.date:
    if period == "year":
        return dt.date(day.year, 12, 31)
    last_month = day.month if period == "month" else ((day.month - 1) // 3 + 1) * 3
    nxt = dt.date(day.year + last_month // 12, last_month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def periods(date_from: dt.date, as_of: dt.date, period: str) -> list[tuple[str, dt.date]]:
    """Each period of the window with its end (the last one's at most ``as_of``)."""
    out, day = [], date_from
    while day <= as_of:
        end = _period_end(day, period)
        out.append((period_of(day, period), min(end, as_of)))
        day = end + dt.timedelta(days=1)
    return out


def _window(column, date_from: dt.date, as_of: dt.date):
    return and_(column >= date_from, column <= as_of)


def _labels(session: Session, dimension: str, keys: Iterable) -> dict:
    keys = [k for k in keys if k is not None]
    if dimension == "partner" and keys:
        return dict(session.execute(select(ReguaranteePartner.id, ReguaranteePartner.name)
                                    .where(ReguaranteePartner.id.in_(keys))).all())
    if dimension == "programme" and keys:
        return dict(session.execute(select(ReguaranteeProgramme.id, ReguaranteeProgramme.name)
                                    .where(ReguaranteeProgramme.id.in_(keys))).all())
    if dimension == "customer_kind":
        return dict(CUSTOMER_KINDS)
    return {}


def statistics(session: Session, actor: Actor, dimension: str, *, as_of: dt.date | None = None,
               date_from: dt.date | None = None) -> Statistics:
    """The statistics by ``dimension`` (the module's docstring); needs reguarantee:monitor:read."""
    require(session, actor, MONITOR, "read")
    if dimension not in DIMENSIONS:
        raise ValidationFailed("{name} is one of {choices}, not {value}.", field="dimension", name="dimension",
                               choices=", ".join(DIMENSIONS), value=str(dimension)[:40])
    as_of = as_of or business_today()
    date_from = date_from or dt.date(as_of.year, 1, 1)
    if date_from > as_of:
        raise ValidationFailed("The statistics start ({date_from}) after the as-of date ({as_of}).",
                               field="dateFrom", date_from=date_from.isoformat(), as_of=as_of.isoformat())
    if as_of > LAST_DAY or (as_of - date_from).days > 366 * MAX_YEARS:
        raise ValidationFailed("The statistics cover at most {years} years, ending by {last}.", field="dateFrom",
                               years=MAX_YEARS, last=LAST_DAY.isoformat())
    period = dimension in PERIODS
    f, r, c = ReguaranteeFiling, ReguaranteeRecovery, ReguaranteeClaim
    rows: dict = {}

    def row(key) -> StatRow:
        if period:
            key = period_of(key, dimension)
        if key not in rows:
            rows[key] = StatRow(key=str(key) if key is not None else "", label="")
        return rows[key]

    def key(column):
        return column if period else COLUMNS[dimension]

    filed = and_(f.status != "rejected", _window(f.start_date, date_from, as_of))
    for k, n, amount in session.execute(select(key(f.start_date), func.count(), func.sum(f.guarantee_amount))
                                        .where(filed).group_by(key(f.start_date))):
        x = row(k)
        x.filed_count += n
        x.filed_amount += amount or ZERO
    for k, rate, amount in session.execute(select(key(f.start_date), f.loan_rate, func.sum(f.loan_amount))
                                           .where(filed, f.loan_rate.is_not(None))
                                           .group_by(key(f.start_date), f.loan_rate)):
        x = row(k)
        x.rated_amount += amount or ZERO
        x.rate_amount += rate * (amount or ZERO)
    for k, total, comp in session.execute(
            select(key(f.released_on), func.sum(f.guarantee_amount),
                   func.sum(case((f.status == "compensated", f.guarantee_amount), else_=0)))
            .where(f.status.in_(RELEASED), _window(f.released_on, date_from, as_of)).group_by(key(f.released_on))):
        x = row(k)
        x.released += total or ZERO
        x.compensated += comp or ZERO
    for k, amount, share in session.execute(
            select(key(r.recovered_on), func.sum(r.amount), func.sum(r.share_amount)).select_from(r)
            .join(c, and_(c.tenant_id == r.tenant_id, c.id == r.claim_id))
            .join(f, and_(f.tenant_id == c.tenant_id, f.id == c.filing_id))
            .where(_window(r.recovered_on, date_from, as_of)).group_by(key(r.recovered_on))):
        x = row(k)
        x.recovered += amount or ZERO
        x.recovered_share += share or ZERO
    if period:
        _period_balances(session, rows, dimension, date_from, as_of)
        ordered = [rows[p] for p, _ in periods(date_from, as_of, dimension)]
        for x in ordered:
            x.label = x.key
    else:
        for k, n, amount, share in session.execute(
                select(COLUMNS[dimension], func.count(), func.sum(f.guarantee_amount), func.sum(f.share_reguarantor))
                .where(in_force_on(as_of)).group_by(COLUMNS[dimension])):
            x = row(k)
            x.balance_count, x.balance, x.reguarantor_balance = n, amount or ZERO, share or ZERO
        labels = _labels(session, dimension, rows)
        for k, x in rows.items():
            x.label = str(labels.get(k, k)) if k not in (None, "") else BLANK
            x.key = str(k) if k is not None else ""
        ordered = sorted(rows.values(), key=lambda x: (-x.filed_amount, -x.balance, x.label))
    total = StatRow(key="", label="合计")
    for x in ordered:
        total.add(x)
    if period:  # balances are as of each period's end: the total's is the last one's
        last = ordered[-1]
        total.balance_count, total.balance, total.reguarantor_balance = (last.balance_count, last.balance,
                                                                        last.reguarantor_balance)
    else:
        total.period_end = as_of
    return Statistics(dimension=dimension, date_from=date_from, as_of=as_of, rows=ordered, total=total)


def _period_balances(session: Session, rows: dict, dimension: str, date_from: dt.date, as_of: dt.date) -> None:
    """Each period's in-force count, balance and share at its end: what was confirmed by then less what was
    released by then (two GROUP BY queries by date, summed in date order)."""
    f = ReguaranteeFiling
    moves: dict[dt.date, list] = {}
    confirmed = (select(f.confirmed_on, func.count(), func.sum(f.guarantee_amount), func.sum(f.share_reguarantor))
                 .where(f.status.in_(CONFIRMED_ONCE), f.confirmed_on.is_not(None), f.confirmed_on <= as_of)
                 .group_by(f.confirmed_on))
    released = (select(f.released_on, func.count(), func.sum(f.guarantee_amount), func.sum(f.share_reguarantor))
                .where(f.status.in_(RELEASED), f.confirmed_on.is_not(None), f.released_on <= as_of)
                .group_by(f.released_on))
    for sign, stmt in ((1, confirmed), (-1, released)):
        for day, n, amount, share in session.execute(stmt):
            m = moves.setdefault(day, [0, ZERO, ZERO])
            m[0] += sign * n
            m[1] += sign * (amount or ZERO)
            m[2] += sign * (share or ZERO)
    days = sorted(moves)
    i, count, balance, share = 0, 0, ZERO, ZERO
    for label, end in periods(date_from, as_of, dimension):
        while i < len(days) and days[i] <= end:
            m = moves[days[i]]
            count, balance, share = count + m[0], balance + m[1], share + m[2]
            i += 1
        x = rows.setdefault(label, StatRow(key=label, label=label))
        x.balance_count, x.balance, x.reguarantor_balance, x.period_end = count, balance, share, end
