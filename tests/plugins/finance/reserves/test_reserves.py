"""Reserve arithmetic with worked numbers, fee amortisation, and docs/finance/reserves.md's worked example (the
page shows the code's basis lines for the figures it names)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest

from surety.core.errors import ValidationFailed
from surety.plugins.finance.reserves import amortisation, calc

D = Decimal
DOC = Path(__file__).resolve().parents[4] / "docs" / "finance" / "reserves.md"


def test_unearned_premium_is_half_the_years_fee_income_rounded_half_up_and_adjusts_the_carried_balance():
    result = calc.unearned_premium(D("1234567.89"), D("500000.00"))
    assert (result.required, result.carried, result.adjustment) == (D("617283.95"), D("500000.00"), D("117283.95"))
    released = calc.unearned_premium(D("800000.00"), D("500000.00"))
    assert released.adjustment == D("-100000.00")
    assert released.basis[-1] == "账面余额 500,000.00 元，本期冲回 100,000.00 元"


@pytest.mark.parametrize(("accumulated", "provision", "after"), [
    (D("2000000.00"), D("1000000.00"), D("3000000.00")),   # far below 10 %: the 1 % floor
    (D("9500000.00"), D("500000.00"), D("10000000.00")),   # 1 % would pass 10 %: only the difference
    (D("10000000.00"), D("0.00"), D("10000000.00")),       # at 10 %: nothing
    (D("12000000.00"), D("0.00"), D("12000000.00")),       # above 10 %: nothing, not released
])
def test_compensation_reserve_one_percent_floor_and_ten_percent_difference(accumulated, provision, after):
    result = calc.compensation_reserve(D("100000000.00"), accumulated)
    assert (result.floor, result.cap) == (D("1000000.00"), D("10000000.00"))
    assert (result.provision, result.accumulated_after) == (provision, after)


def test_compensation_reserve_refuses_a_rate_below_one_percent_and_takes_a_higher_one():
    with pytest.raises(ValidationFailed):
        calc.compensation_reserve(D("100.00"), D("0"), rate=D("0.005"))
    assert calc.compensation_reserve(D("100000000.00"), D("0"), rate=D("0.015")).provision == D("1500000.00")


def test_loan_loss_provision_sums_class_balance_times_rate_and_adjusts_carried():
    balances = {"normal": D("10000000.00"), "special_mention": D("500000.00"), "substandard": D("200000.00"),
                "doubtful": D("100000.00"), "loss": D("50000.00")}
    result = calc.loan_loss_provision(balances, D("300000.00"))
    assert result.by_class["substandard"] == (D("200000.00"), D("0.25"), D("50000.00"))
    assert (result.required, result.adjustment) == (D("260000.00"), D("-40000.00"))
    custom = calc.loan_loss_provision({"normal": D("333.33")}, D("0"), rates={**calc.DEFAULT_LOAN_RATES,
                                                                             "normal": D("0.015")})
    assert custom.required == D("5.00")  # 4.99995 rounds half-up to the fen


def test_loan_loss_provision_refuses_an_unknown_class_and_a_missing_rate():
    with pytest.raises(ValidationFailed) as refused:
        calc.loan_loss_provision({"bad": D("1")}, D("0"))
    assert refused.value.template == "Unknown loan class {name}."
    with pytest.raises(ValidationFailed) as refused:
        calc.loan_loss_provision({}, D("0"), rates={"normal": D("0.01")})
    assert refused.value.template == "No provision rate for the loan class {name}."


def test_negative_inputs_are_refused():
    with pytest.raises(ValidationFailed) as refused:
        calc.unearned_premium(D("-1"), D("0"))
    assert refused.value.params == {"name": "fee_income"}


def test_fee_is_amortised_by_days_and_the_last_month_absorbs_the_rounding():
    shares = amortisation.monthly_schedule(D("10000.00"), dt.date(2026, 1, 15), dt.date(2027, 1, 14))
    assert [s.period for s in shares][:2] == ["2026-01", "2026-02"] and len(shares) == 13
    assert [(s.days, s.amount) for s in shares[:3]] == [(17, D("465.75")), (28, D("767.13")), (31, D("849.31"))]
    assert sum(s.days for s in shares) == 365
    assert sum(s.amount for s in shares) == D("10000.00") and shares[-1].cumulative == D("10000.00")
    assert shares[-1].amount == D("10000.00") - shares[-2].cumulative == D("383.56")


def test_small_fees_over_many_months_never_go_negative():
    shares = amortisation.monthly_schedule(D("0.05"), dt.date(2026, 1, 1), dt.date(2026, 7, 31))
    assert all(s.amount >= 0 for s in shares) and sum(s.amount for s in shares) == D("0.05")


def test_recognised_in_and_through_a_period():
    args = (D("1200.00"), dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert amortisation.recognised_in(*args, "2026-01") == D("101.92")  # 1200 x 31 / 365
    assert amortisation.recognised_in(*args, "2027-01") == D("0.00")
    assert amortisation.recognised_through(*args, "2025-12") == D("0.00")
    assert amortisation.recognised_through(*args, "2026-06") == D("595.07")  # 1200 x 181 / 365
    assert amortisation.recognised_through(*args, "2026-12") == D("1200.00")


def test_a_term_ending_before_it_starts_and_a_sub_fen_fee_are_refused():
    with pytest.raises(ValidationFailed):
        amortisation.monthly_schedule(D("1.00"), dt.date(2026, 2, 1), dt.date(2026, 1, 31))
    with pytest.raises(ValidationFailed):
        amortisation.monthly_schedule(D("1.001"), dt.date(2026, 1, 1), dt.date(2026, 1, 31))


def worked() -> list[str]:
    """The basis lines of the page's worked example, computed."""
    return [
        *calc.unearned_premium(D("1234567.89"), D("500000.00")).basis,
        *calc.compensation_reserve(D("100000000.00"), D("9500000.00")).basis,
        *calc.loan_loss_provision({"normal": D("10000000.00"), "special_mention": D("500000.00"),
                                   "substandard": D("200000.00"), "doubtful": D("100000.00"),
                                   "loss": D("50000.00")}, D("300000.00")).basis,
        *(f"{s.period} {s.days} 天 {s.amount}" for s in
          amortisation.monthly_schedule(D("10000.00"), dt.date(2026, 1, 15), dt.date(2027, 1, 14))),
    ]


def test_the_pages_worked_example_is_the_codes():
    block = re.search(r"<!-- worked-example -->\n```text\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)
    assert block and block.group(1).rstrip("\n").split("\n") == worked()
