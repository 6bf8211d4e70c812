"""Ledgers from the voucher lines (docs/finance/README.md, "Ledgers"): trial balance of a period, general ledger
and subsidiary ledger of one account, balance by dimension. Every figure is a SQL aggregate (GROUP BY) over the
lines; only the handful of per-account rows is rolled up in Python, into the parent accounts by code prefix.

Balances are signed as debit minus credit (positive: a debit balance) and shown on the side they fall; only
posted vouchers count unless ``include_unposted``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import and_, case, func, select, type_coerce
from sqlalchemy.orm import Session

from surety.core.authz.check import require
from surety.core.context import Actor
from surety.core.db.session import session_tenant
from surety.core.db.types import Money
from surety.core.errors import ValidationFailed
from surety.plugins.finance.accounts.models import FinanceAccount
from surety.plugins.finance.accounts.templates import DIMENSIONS
from surety.plugins.finance.permissions import VOUCHER
from surety.plugins.finance.vouchers.models import POSTED, FinanceVoucher, FinanceVoucherLine
from surety.plugins.finance.vouchers.services import DIMENSION_FIELDS, check_period

ZERO = Decimal("0.00")
L, V = FinanceVoucherLine, FinanceVoucher


def _sum(expr):
    """SUM of a money expression, read back as Money (exact on SQLite's fen integers too)."""
    return type_coerce(func.sum(expr), Money())


def _money(value) -> Decimal:
    return Decimal(value or 0).quantize(ZERO)


def _sides(net: Decimal) -> tuple[Decimal, Decimal]:
    """A signed balance as (debit, credit): on the side it falls."""
    return (net, ZERO) if net > 0 else (ZERO, -net)


def _joined(include_unposted: bool):
    """Lines joined to their vouchers (posted only unless asked)."""
    on = and_(V.tenant_id == L.tenant_id, V.id == L.voucher_id)
    if not include_unposted:
        on = and_(on, V.status == POSTED)
    return L.__table__.join(V.__table__, on)


@dataclass
class BalanceRow:
    code: str
    name: str
    level: int
    direction: str
    opening: Decimal = ZERO
    debit: Decimal = ZERO
    credit: Decimal = ZERO

    @property
    def closing(self) -> Decimal:
        return self.opening + self.debit - self.credit

    @property
    def opening_debit(self) -> Decimal:
        return _sides(self.opening)[0]

    @property
    def opening_credit(self) -> Decimal:
        return _sides(self.opening)[1]

    @property
    def closing_debit(self) -> Decimal:
        return _sides(self.closing)[0]

    @property
    def closing_credit(self) -> Decimal:
        return _sides(self.closing)[1]


@dataclass
class TrialBalance:
    period: str
    rows: list[BalanceRow] = field(default_factory=list)

    def level(self, level: int) -> list[BalanceRow]:
        return [r for r in self.rows if r.level == level]

    def totals(self, level: int = 1) -> dict[str, Decimal]:
        """Column sums over the accounts of one level: opening, period and closing, debit and credit."""
        rows = self.level(level)
        names = ("opening_debit", "opening_credit", "debit", "credit", "closing_debit", "closing_credit")
        return {n: sum((getattr(r, n) for r in rows), ZERO) for n in names}

    @property
    def balanced(self) -> bool:
        t = self.totals()
        return (t["opening_debit"] == t["opening_credit"] and t["debit"] == t["credit"]
                and t["closing_debit"] == t["closing_credit"])


def _ancestors(code: str, codes: Iterable[str]) -> list[str]:
    return [c for c in codes if c != code and code.startswith(c)]


def trial_balance(session: Session, actor: Actor, period: str, *, include_unposted: bool = False) -> TrialBalance:
    """科目余额表 of ``period``: per account (every level) the opening balance, the period's debits and credits and
    the closing balance; accounts with no figure are left out (needs finance:voucher:read)."""
    require(session, actor, VOUCHER, "read")
    period = check_period(period)
    in_period = L.period == period
    stmt = (select(L.account_code,
                   _sum(case((in_period, 0), else_=L.debit - L.credit)),
                   _sum(case((in_period, L.debit), else_=0)),
                   _sum(case((in_period, L.credit), else_=0)))
            .where(L.period <= period, L.tenant_id == _tenant(session),
                   *(() if include_unposted else (L.posted.is_(True),)))
            .group_by(L.account_code))
    leaf = {code: (_money(o), _money(d), _money(c)) for code, o, d, c in session.execute(stmt)}
    accounts = {a.code: a for a in session.scalars(select(FinanceAccount))}
    rows: dict[str, BalanceRow] = {}
    for code, (opening, debit, credit) in leaf.items():
        for target in (code, *_ancestors(code, accounts)):
            a = accounts.get(target)
            row = rows.setdefault(target, BalanceRow(target, a.name if a else "", a.level if a else 1,
                                                     a.direction if a else "debit"))
            row.opening += opening
            row.debit += debit
            row.credit += credit
    return TrialBalance(period, [rows[c] for c in sorted(rows)])


def _tenant(session: Session) -> uuid.UUID:
    """The session's tenant: the lines table joined as a Table is filtered on it explicitly (as RLS does)."""
    return session_tenant(session)


@dataclass(frozen=True)
class LedgerPeriod:
    period: str
    opening: Decimal
    debit: Decimal
    credit: Decimal

    @property
    def closing(self) -> Decimal:
        return self.opening + self.debit - self.credit


def general_ledger(session: Session, actor: Actor, account_code: str, period_from: str, period_to: str, *,
                   include_unposted: bool = False) -> list[LedgerPeriod]:
    """总账 of an account (with its sub-accounts): per period from ``period_from`` to ``period_to`` with any
    movement, its opening balance, debits, credits and closing balance."""
    require(session, actor, VOUCHER, "read")
    first, last = check_period(period_from, "period_from"), check_period(period_to, "period_to")
    base = (select(L.period, _sum(L.debit), _sum(L.credit)).select_from(_joined(include_unposted))
            .where(L.account_code.startswith(account_code), L.period <= last, L.tenant_id == _tenant(session))
            .group_by(L.period).order_by(L.period))
    opening, out = ZERO, []
    for period, debit, credit in session.execute(base):
        debit, credit = _money(debit), _money(credit)
        if period < first:
            opening += debit - credit
            continue
        out.append(LedgerPeriod(period, opening, debit, credit))
        opening += debit - credit
    return out


@dataclass(frozen=True)
class LedgerLine:
    voucher_id: uuid.UUID
    voucher_date: dt.date
    number: str
    summary: str
    debit: Decimal
    credit: Decimal
    balance: Decimal


def subsidiary_ledger(session: Session, actor: Actor, account_code: str, period: str, *,
                      include_unposted: bool = False) -> tuple[Decimal, list[LedgerLine]]:
    """明细账 of an account (with its sub-accounts) in ``period``: the opening balance and each line in voucher
    order with the running balance."""
    require(session, actor, VOUCHER, "read")
    period = check_period(period)
    joined = _joined(include_unposted)
    mine = and_(L.account_code.startswith(account_code), L.tenant_id == _tenant(session))
    opening = _money(session.scalar(select(_sum(L.debit - L.credit)).select_from(joined)
                                    .where(mine, L.period < period)))
    rows = session.execute(select(V.id, V.voucher_date, V.number, L.summary, L.debit, L.credit).select_from(joined)
                           .where(mine, L.period == period)
                           .order_by(V.voucher_date, V.word, V.seq, L.line_no))
    balance, out = opening, []
    for vid, day, number, summary, debit, credit in rows:
        balance += debit - credit
        out.append(LedgerLine(vid, day, number, summary, debit, credit, balance))
    return opening, out


def balance_by_dimension(session: Session, actor: Actor, account_code: str, dimension: str, period: str, *,
                         include_unposted: bool = False) -> dict[object, Decimal]:
    """Closing balance of an account (with its sub-accounts) at the end of ``period`` per value of ``dimension``
    (customer, project, bank, department; None: lines without it)."""
    require(session, actor, VOUCHER, "read")
    if dimension not in DIMENSIONS:
        raise ValidationFailed("dimension is one of {choices}, not {value}.", field="dimension",
                               choices=", ".join(DIMENSIONS), value=str(dimension)[:20])
    column = getattr(L, DIMENSION_FIELDS[dimension])
    rows = session.execute(select(column, _sum(L.debit - L.credit)).select_from(_joined(include_unposted))
                           .where(L.account_code.startswith(account_code), L.period <= check_period(period),
                                  L.tenant_id == _tenant(session))
                           .group_by(column))
    return {key: _money(net) for key, net in rows}
