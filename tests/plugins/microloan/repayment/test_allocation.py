"""Repayment allocation (plugins/microloan/repayment/allocation.py): the product's order, the statutory order where
the product is silent, oldest period first, partial payment, overpayment held, refused input."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest

from surety.plugins.microloan.conventions import (
    COMPONENTS,
    DEFAULT_ALLOCATION_ORDER,
    STATUTORY_ALLOCATION_ORDER,
    effective_order,
)
from surety.plugins.microloan.repayment.allocation import Due, Line, allocate

D = Decimal
#: One overdue installment (period 1) with penalty and a fee, the next one (period 2), and collection costs.
OWED = [Due(2, "principal", D("8000.00")), Due(1, "principal", D("7884.88")), Due(1, "interest", D("1000.00")),
        Due(1, "penalty", D("45.00")), Due(1, "fees", D("200.00")), Due(2, "interest", D("921.15")),
        Due(None, "costs", D("300.00"))]


def test_default_order_penalty_fees_interest_principal_oldest_period_first():
    a = allocate(D("9500.00"), OWED, DEFAULT_ALLOCATION_ORDER)
    assert a.lines == (Line(None, "costs", D("300.00")), Line(1, "penalty", D("45.00")), Line(1, "fees", D("200.00")),
                       Line(1, "interest", D("1000.00")), Line(1, "principal", D("7884.88")),
                       Line(2, "interest", D("70.12")))
    assert a.held == 0
    assert a.unpaid == (Due(2, "interest", D("851.03")), Due(2, "principal", D("8000.00")))
    assert a.by_component() == {"costs": D("300.00"), "penalty": D("45.00"), "fees": D("200.00"),
                                "interest": D("1070.12"), "principal": D("7884.88")}


def test_statutory_order_where_the_product_is_silent():
    assert effective_order(None) == STATUTORY_ALLOCATION_ORDER == ("costs", "penalty", "interest", "fees",
                                                                   "principal")
    a = allocate(D("1300.00"), OWED, None)
    assert [(line.component, line.amount) for line in a.lines] == [
        ("costs", D("300.00")), ("penalty", D("45.00")), ("interest", D("955.00"))]
    assert a.unpaid[0] == Due(1, "interest", D("45.00"))


def test_the_product_order_is_followed_and_costs_go_first_unless_placed():
    order = ("principal", "interest", "fees", "penalty")
    a = allocate(D("9000.00"), OWED, order)
    assert [(line.component, line.amount) for line in a.lines] == [
        ("costs", D("300.00")), ("principal", D("7884.88")), ("interest", D("815.12"))]
    placed = allocate(D("8000.00"), OWED, ("principal", "interest", "fees", "penalty", "costs"))
    assert [line.component for line in placed.lines] == ["costs", "principal"]  # costs tied to no period: first
    assert effective_order(("penalty", "costs", "fees", "interest", "principal"))[1] == "costs"


def test_partial_nothing_and_overpayment_held():
    assert allocate(D("0.00"), OWED).lines == () and allocate(D("0.00"), OWED).held == 0
    total = sum((d.amount for d in OWED), D(0))
    over = allocate(total + D("123.45"), OWED, DEFAULT_ALLOCATION_ORDER)
    assert over.held == D("123.45") and over.unpaid == ()
    assert sum((line.amount for line in over.lines), D(0)) == total
    exact = allocate(total, OWED)
    assert exact.held == 0 and exact.unpaid == ()
    assert allocate(D("50.00"), []).held == D("50.00")


def test_every_fen_is_accounted_for_over_random_payments():
    rng = random.Random(7)
    for _ in range(300):
        due = [Due(rng.choice([None, 1, 2, 3]), rng.choice(sorted(COMPONENTS)), D(rng.randint(0, 100000)) / 100)
               for _ in range(rng.randint(0, 8))]
        payment = D(rng.randint(0, 200000)) / 100
        order = rng.choice([None, DEFAULT_ALLOCATION_ORDER, tuple(rng.sample(sorted(COMPONENTS), 5))])
        a = allocate(payment, due, order)
        paid = sum((line.amount for line in a.lines), D(0))
        assert paid + a.held == payment
        assert paid + sum((d.amount for d in a.unpaid), D(0)) == sum((d.amount for d in due), D(0))
        assert all(line.amount > 0 for line in a.lines) and a.held >= 0
        assert a.held == 0 or a.unpaid == ()  # money is held only when nothing is left unpaid


@pytest.mark.parametrize("payment, due, order", [
    (D("-1.00"), [], None), (D("1.001"), [], None), (1, [], None),
    (D("1.00"), [Due(1, "tax", D("1.00"))], None),
    (D("1.00"), [Due(1, "interest", D("-1.00"))], None),
    (D("1.00"), [], ("penalty", "fees", "interest")),
    (D("1.00"), [], ("penalty", "penalty", "fees", "interest", "principal")),
    (D("1.00"), [], ("penalty", "fees", "interest", "principal", "tax")),
])
def test_bad_input_is_refused(payment, due, order):
    with pytest.raises(ValueError):
        allocate(payment, due, order)
