"""docs/microloan-schedules.md says what the code does: each worked table on the page is the code's schedule of the
terms named here, row for row."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from surety.plugins.microloan.schedule.builder import Terms, build

DOC = Path(__file__).resolve().parents[4] / "docs" / "microloan-schedules.md"
D = Decimal
START = dt.date(2026, 1, 15)
CASES = {
    "equal_installment": (Terms(D("100000.00"), D("0.12"), 12, "equal_installment", START), False),
    "equal_principal": (Terms(D("100000.00"), D("0.12"), 12, "equal_principal", START), False),
    "interest_first": (Terms(D("100000.00"), D("0.12"), 3, "interest_first", START), False),
    "flat": (Terms(D("100000.00"), D("0.12"), 3, "flat", START), False),
    "bullet": (Terms(D("100000.00"), D("0.12"), 12, "bullet", START), False),
    "broken equal_principal": (Terms(D("100000.00"), D("0.12"), 3, "equal_principal", START,
                                     first_due=dt.date(2026, 3, 1)), False),
    "broken equal_installment": (Terms(D("100000.00"), D("0.12"), 3, "equal_installment", START,
                                       first_due=dt.date(2026, 3, 1)), False),
    "month end": (Terms(D("30000.00"), D("0.12"), 4, "equal_installment", dt.date(2026, 1, 31)), False),
    "monthly fee": (Terms(D("100000.00"), D("0.12"), 3, "equal_installment", START,
                          monthly_fee_rate=D("0.002")), True),
}


def table(terms: Terms, fee: bool) -> str:
    """The schedule as the page's Markdown table."""
    s = build(terms)
    head = "| 期 | 应还日 | 天数 | 期初本金 | 本金 | 利息 |" + (" 费用 |" if fee else "") + " 应还合计 | 期末本金 |"
    lines = [head, "|" + "---:|" * (head.count("|") - 1)]
    for r in s.rows:
        f = f" {r.fee:,.2f} |" if fee else ""
        lines.append(f"| {r.period} | {r.due_date} | {r.days} | {r.opening_balance:,.2f} | {r.principal:,.2f} | "
                     f"{r.interest:,.2f} |{f} {r.installment:,.2f} | {r.closing_balance:,.2f} |")
    f = f" {s.total_fees:,.2f} |" if fee else ""
    lines.append(f"| 合计 | | | | {s.total_principal:,.2f} | {s.total_interest:,.2f} |{f} {s.total:,.2f} | |")
    return "\n".join(lines)


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_worked_table_is_the_codes_schedule(name):
    terms, fee = CASES[name]
    assert table(terms, fee) in DOC.read_text(encoding="utf-8"), name


def test_the_page_has_no_other_tables_of_figures():
    text = DOC.read_text(encoding="utf-8")
    assert text.count("| 合计 |") == len(CASES)
    assert "8,884.88 a month, the last 8,884.85, interest 6,618.53" in text
    assert "first installment 9,333.33, last 8,416.70, interest 6,500.00" in text
