"""Splitting a repayment over what is due, in the product's allocation order (pure, no database; docs/microloan/
README.md, "Repayment allocation").

- What is due is a list of ``Due`` items: a period (an installment number; None for an amount tied to no period,
  such as the costs of collecting the debt) with a component (``conventions.COMPONENTS``) and an amount.
- The payment goes to the periods oldest first (amounts tied to no period before every period), and within a period
  to the components in the order: the product's order, with ``costs`` first where the order does not name them; the
  statutory order (``conventions.STATUTORY_ALLOCATION_ORDER``: costs, interest, principal) where the product is
  silent (no order). The same ordering holds for several debts due at different dates (《民法典》第五百六十条：
  已到期的先履行，到期先后).
- A partial payment stops where it runs out; what it does not reach stays unpaid. An overpayment (more than all that
  is due) is held: ``held`` is the rest, for the next installments or a refund, never booked to a component.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from decimal import Decimal

from surety.plugins.microloan.conventions import COMPONENTS, effective_order

ZERO = Decimal("0.00")
FEN = Decimal("0.01")


@dataclasses.dataclass(frozen=True)
class Due:
    """An amount owed: ``component`` of ``period`` (None: tied to no period)."""

    period: int | None
    component: str
    amount: Decimal


@dataclasses.dataclass(frozen=True)
class Line:
    """What the payment pays of one ``Due``."""

    period: int | None
    component: str
    amount: Decimal


@dataclasses.dataclass(frozen=True)
class Allocation:
    payment: Decimal
    lines: tuple[Line, ...]
    #: What remains owed after the payment, in the order the payment went.
    unpaid: tuple[Due, ...]
    #: Overpayment: the part of the payment beyond all that was due, held for later.
    held: Decimal

    def by_component(self) -> dict[str, Decimal]:
        """Component -> amount paid (every component, zero where nothing went)."""
        totals = dict.fromkeys(COMPONENTS, ZERO)
        for line in self.lines:
            totals[line.component] += line.amount
        return totals


def allocate(payment: Decimal, due: Iterable[Due], order: Sequence[str] | None = None) -> Allocation:
    """Split ``payment`` over ``due`` (see the module): periods oldest first, components in the effective order."""
    if not isinstance(payment, Decimal) or not payment.is_finite() or payment < 0 or payment != payment.quantize(FEN):
        raise ValueError(f"a payment is a Decimal of zero or more in whole fen, not {payment!r}")
    full = effective_order(order)
    rank = {c: i for i, c in enumerate(full)}
    items = list(due)
    for item in items:
        if item.component not in rank:
            raise ValueError(f"unknown component {item.component!r}")
        if item.amount < 0 or item.amount != item.amount.quantize(FEN):
            raise ValueError(f"an amount due is zero or more in whole fen, not {item.amount!r}")
    items.sort(key=lambda d: (-1 if d.period is None else d.period, rank[d.component]))  # stable for equal keys
    left = payment
    lines, unpaid = [], []
    for item in items:
        paid = min(left, item.amount)
        if paid > 0:
            lines.append(Line(item.period, item.component, paid))
            left -= paid
        if item.amount - paid > 0:
            unpaid.append(Due(item.period, item.component, item.amount - paid))
    return Allocation(payment, tuple(lines), tuple(unpaid), left)
