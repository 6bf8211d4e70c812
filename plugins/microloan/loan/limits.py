"""Lending limits checked before a loan goes to approval (docs/microloan/loans.md, "Limits"):

* ``single_borrower``: the borrower's on-book principal (its active loans) plus this loan <= ``single_borrower_ratio``
  x the company's prior year-end net assets;
* ``related_group``: the same for the borrower with its related parties (customers.related, one hop) <=
  ``related_group_ratio`` x net assets;
* ``online_consumer``: an online consumer loan: the borrower's online consumer balance plus this loan <=
  ``online_consumer_cap``;
* ``business``: a business loan: the borrower's business balance plus this loan <= ``business_cap``.

``lines(figures)`` is pure (figures in, one line per limit out); ``collect`` reads the figures of a loan; ``enforce``
refuses the first limit a loan breaks (:class:`LimitExceeded`, naming the limit, the figures and the excess) and
refuses outright while the net assets are not entered (:class:`NetAssetsMissing`); ``limit_check`` is the read-only
answer for the GraphQL preview.
"""

from __future__ import annotations

import dataclasses
import uuid
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from surety.core import inputs
from surety.core.authz.check import require
from surety.core.context import Actor
from surety.core.errors import DomainError, NotFound
from surety.core.i18n import N_
from surety.core.ports import customers as door
from surety.plugins.microloan.conventions import ON_BOOK_STATUSES
from surety.plugins.microloan.loan.models import MicroloanLoan
from surety.plugins.microloan.loan.permissions import LOAN
from surety.plugins.microloan.settings import get_settings

ZERO = Decimal("0.00")
#: Limit key -> zh-CN label (the order they are checked and shown in).
LIMITS = {
    "single_borrower": "单户贷款余额上限（占上年末净资产比例）",
    "related_group": "单户及其关联方贷款余额上限（占上年末净资产比例）",
    "online_consumer": "网络小额消费贷款单户余额上限",
    "business": "经营贷款单户余额上限",
}
#: The refusal of each limit (one template per limit, so each is translated whole).
REFUSALS = {
    "single_borrower": N_("The loan breaks the single-borrower limit: the balance would be {total} yuan (on the books "
                          "{used} + this loan {amount}), above the limit of {ceiling} yuan by {excess} yuan."),
    "related_group": N_("The loan breaks the related-group limit: the balance would be {total} yuan (on the books "
                        "{used} + this loan {amount}), above the limit of {ceiling} yuan by {excess} yuan."),
    "online_consumer": N_("The loan breaks the online consumer cap: the balance would be {total} yuan (on the books "
                          "{used} + this loan {amount}), above the limit of {ceiling} yuan by {excess} yuan."),
    "business": N_("The loan breaks the business loan cap: the balance would be {total} yuan (on the books "
                   "{used} + this loan {amount}), above the limit of {ceiling} yuan by {excess} yuan."),
}


class LimitExceeded(DomainError):
    code = "MICROLOAN_LIMIT_EXCEEDED"


class NetAssetsMissing(DomainError):
    code = "MICROLOAN_NET_ASSETS_MISSING"


@dataclasses.dataclass(frozen=True)
class Figures:
    """What the limits are checked over: this loan, the balances already on the books (without this loan) and the
    settings."""

    amount: Decimal
    kind: str
    online: bool
    borrower_balance: Decimal
    group_balance: Decimal
    online_consumer_balance: Decimal
    business_balance: Decimal
    net_assets: Decimal | None
    single_borrower_ratio: Decimal
    related_group_ratio: Decimal
    online_consumer_cap: Decimal
    business_cap: Decimal


@dataclasses.dataclass(frozen=True)
class Line:
    """One limit over a loan: ``ceiling`` (None: the net assets are not entered), the balance already ``used``, the
    balance with this loan (``total``), what the limit leaves before this loan (``headroom``) and the ``excess``."""

    limit: str
    ceiling: Decimal | None
    used: Decimal
    amount: Decimal

    @property
    def total(self) -> Decimal:
        return self.used + self.amount

    @property
    def headroom(self) -> Decimal | None:
        return None if self.ceiling is None else max(self.ceiling - self.used, ZERO)

    @property
    def excess(self) -> Decimal:
        return ZERO if self.ceiling is None else max(self.total - self.ceiling, ZERO)

    @property
    def passes(self) -> bool | None:
        """True within the limit (equal passes), False over it, None when it cannot be checked."""
        return None if self.ceiling is None else self.total <= self.ceiling

    @property
    def label(self) -> str:
        return LIMITS[self.limit]


def _fen(value: Decimal) -> Decimal:
    """A ceiling to the fen, rounded down (a ratio of the net assets never allows a fen more than it says)."""
    return value.quantize(Decimal("0.01"), rounding="ROUND_FLOOR")


def lines(f: Figures) -> list[Line]:
    """The limits that apply to the loan, in LIMITS order (the online cap only for an online consumer loan, the
    business cap only for a business loan)."""
    net = f.net_assets
    out = [Line("single_borrower", None if net is None else _fen(net * f.single_borrower_ratio),
                f.borrower_balance, f.amount),
           Line("related_group", None if net is None else _fen(net * f.related_group_ratio),
                f.group_balance, f.amount)]
    if f.kind == "consumer" and f.online:
        out.append(Line("online_consumer", f.online_consumer_cap, f.online_consumer_balance, f.amount))
    if f.kind == "business":
        out.append(Line("business", f.business_cap, f.business_balance, f.amount))
    return out


def refuse(f: Figures) -> None:
    """Raise for the first limit the loan breaks; NetAssetsMissing first when the ratio limits cannot be checked."""
    if f.net_assets is None:
        raise NetAssetsMissing("The company's net assets at the prior year-end are not entered, so the lending "
                               "limits cannot be checked; an administrator enters them in the microloan settings "
                               "first.", field="prior_year_net_assets")
    for line in lines(f):
        if not line.passes:
            raise LimitExceeded(REFUSALS[line.limit], field="amount", limit=line.limit, total=inputs.yuan(line.total),
                                used=inputs.yuan(line.used), amount=inputs.yuan(line.amount),
                                ceiling=inputs.yuan(line.ceiling), excess=inputs.yuan(line.excess))


# ---------------------------------------------------------------- figures from the books ----------------------------


def _balance(session: Session, customer_ids: list[uuid.UUID], exclude: uuid.UUID | None, *where) -> Decimal:
    stmt = (select(func.coalesce(func.sum(MicroloanLoan.principal_balance), 0))
            .where(MicroloanLoan.customer_id.in_(customer_ids), MicroloanLoan.status.in_(sorted(ON_BOOK_STATUSES)),
                   *where))
    if exclude is not None:
        stmt = stmt.where(MicroloanLoan.id != exclude)
    return Decimal(session.scalar(stmt)).quantize(Decimal("0.01"))


def collect(session: Session, loan: MicroloanLoan) -> Figures:
    """The figures of ``loan``'s limits: its amount, the balances of its borrower (and related parties) on the books
    without it, and the tenant's settings."""
    settings = get_settings(session)
    me = [loan.customer_id]
    group = [*me, *door.related(session, loan.customer_id)]
    return Figures(
        amount=loan.amount, kind=loan.kind, online=bool(loan.online),
        borrower_balance=_balance(session, me, loan.id),
        group_balance=_balance(session, group, loan.id),
        online_consumer_balance=_balance(session, me, loan.id, MicroloanLoan.kind == "consumer",
                                         MicroloanLoan.online.is_(True)),
        business_balance=_balance(session, me, loan.id, MicroloanLoan.kind == "business"),
        net_assets=settings.prior_year_net_assets, single_borrower_ratio=settings.single_borrower_ratio,
        related_group_ratio=settings.related_group_ratio, online_consumer_cap=settings.online_consumer_cap,
        business_cap=settings.business_cap)


def enforce(session: Session, loan: MicroloanLoan) -> list[Line]:
    """Check ``loan`` against every limit (:func:`refuse`); its lines when it passes."""
    figures = collect(session, loan)
    refuse(figures)
    return lines(figures)


def limit_check(session: Session, actor: Actor, loan_id: uuid.UUID) -> list[Line]:
    """What each limit leaves for ``loan_id`` and whether the loan fits (needs microloan:loan:read); nothing
    changes and nothing is refused (a line's ``ceiling`` is None while the net assets are not entered)."""
    require(session, actor, LOAN, "read")
    loan = session.scalar(select(MicroloanLoan).where(MicroloanLoan.id == loan_id))
    if loan is None:
        raise NotFound("No loan with that id.", field="loan_id")
    return lines(collect(session, loan))
