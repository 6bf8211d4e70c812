"""The microloan figures for the regulator (plugins/microloan/reports/regulatory_figures.py), worked by hand:

====  ========  ==========  ==================  ===========================================================
loan  amount    disbursed   class               history
====  ========  ==========  ==================  ===========================================================
L1    100,000   2026-01-15  normal              principal repaid 10,000 on 02-15 and 10,000 on 03-15
L2     50,000   2026-03-05  special_mention
L3    200,000   2025-06-01  substandard,        principal repaid 80,000 on 2025-12-01
                            override doubtful
L4     90,000   2024-05-01  loss                principal repaid 20,000 on 2025-01-01; 70,000 written off 02-01
L5     30,000   (draft)
====  ========  ==========  ==================  ===========================================================

Day-end runs: 01-31 done (provision 5,000), 03-30 done (8,000), 03-31 still running (9,000)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from surety.core.ports import regulatory as port
from surety.plugins.microloan import plugin as microloan_plugin
from surety.plugins.microloan.dayend.models import MicroloanDayEndRun
from surety.plugins.microloan.repayment.models import MicroloanRepayment
from surety.plugins.microloan.reports import regulatory_figures as rf
from surety.plugins.microloan.testing import make_loan, make_product

D = dt.date
Y = Decimal
MARCH = D(2026, 3, 31)


def repaid(s, loan_id, principal: str, day: dt.date, kind: str = "repayment", **extra) -> MicroloanRepayment:
    row = MicroloanRepayment(loan_id=loan_id, kind=kind, received_on=day, amount=Y(principal), principal=Y(principal),
                             **extra)
    s.add(row)
    s.flush()
    return row


@pytest.fixture
def book(mw):
    with mw.session() as s:
        p = make_product(s)
        l1 = make_loan(s, p, amount="100000.00", disbursed_on=D(2026, 1, 15))
        make_loan(s, p, amount="50000.00", disbursed_on=D(2026, 3, 5), risk_class="special_mention")
        l3 = make_loan(s, p, amount="200000.00", disbursed_on=D(2025, 6, 1), risk_class="substandard",
                       risk_class_override="doubtful")
        l4 = make_loan(s, p, amount="90000.00", disbursed_on=D(2024, 5, 1), risk_class="loss", status="written_off",
                       written_off_on=D(2026, 2, 1), written_off_principal=Y("70000.00"))
        l5 = make_loan(s, p, amount="30000.00", status="draft")
        l5.disbursed_on = None
        repaid(s, l1.id, "10000.00", D(2026, 2, 15))
        second = repaid(s, l1.id, "10000.00", D(2026, 3, 15))
        repaid(s, l3.id, "80000.00", D(2025, 12, 1))
        repaid(s, l4.id, "20000.00", D(2025, 1, 1))
        for day, total, status in ((D(2026, 1, 31), "5000.00", "done"), (D(2026, 3, 30), "8000.00", "done"),
                                   (D(2026, 3, 31), "9000.00", "running")):
            s.add(MicroloanDayEndRun(business_date=day, provision_total=Y(total), status=status))
        s.commit()
        return {"L1": l1.id, "second": second.id}


def values(figures) -> dict[tuple[str, str | None], Decimal]:
    return {(f.measure, f.dim("loan_class")): f.value for f in figures}


def test_march_end_balances_by_class_disbursements_and_provision(mw, book):
    with mw.session() as s:
        got = values(rf.report_figures(s, MARCH, D(2026, 1, 1)))
    assert got == {
        ("microloan.loan_balance", "normal"): Y("80000.00"), ("microloan.loan_count", "normal"): 1,
        ("microloan.loan_balance", "special_mention"): Y("50000.00"),
        ("microloan.loan_count", "special_mention"): 1,
        # the approved override puts L3 in 可疑; L4 was written off in February: nothing left
        ("microloan.loan_balance", "doubtful"): Y("120000.00"), ("microloan.loan_count", "doubtful"): 1,
        ("microloan.disbursed_amount", None): Y("150000.00"), ("microloan.disbursed_count", None): 2,
        # the run of 03-31 is still running: the last completed one (03-30) counts
        ("microloan.provision_balance", None): Y("8000.00")}


def test_a_past_date_rebuilds_the_balance_then(mw, book):
    with mw.session() as s:
        january = values(rf.report_figures(s, D(2026, 1, 31), D(2026, 1, 1)))
        before = values(rf.report_figures(s, D(2025, 12, 31), D(2025, 1, 1)))
    assert january[("microloan.loan_balance", "normal")] == Y("100000.00")
    assert january[("microloan.loan_balance", "loss")] == Y("70000.00")  # before its write-off
    assert ("microloan.loan_balance", "special_mention") not in january
    assert (january[("microloan.disbursed_amount", None)], january[("microloan.disbursed_count", None)]) == \
        (Y("100000.00"), 1)
    assert january[("microloan.provision_balance", None)] == Y("5000.00")
    assert before[("microloan.provision_balance", None)] == 0
    assert before[("microloan.loan_balance", "doubtful")] == Y("120000.00")
    assert before[("microloan.disbursed_amount", None)] == Y("200000.00")


def test_a_reversal_entered_later_shows_in_later_calls(mw, book):
    with mw.session() as s:
        first = rf.loan_book(s, MARCH)["normal"]
        # the reversal of the 03-15 repayment, dated as the repayment it reverses
        repaid(s, book["L1"], "10000.00", D(2026, 3, 15), kind="reversal", reversal_of=book["second"])
        assert (first, rf.loan_book(s, MARCH)["normal"]) == ((Y("80000.00"), 1), (Y("90000.00"), 1))
        assert rf.loan_book(s, D(2026, 3, 14))["normal"] == (Y("90000.00"), 1)


def test_the_hook_answers_through_the_port(mw, book):
    with mw.session() as s:
        figures = port.report_figures(s, MARCH, D(2026, 1, 1))
    assert port.total(figures, "microloan.loan_balance") == Y("250000.00")
    assert port.total(figures, "microloan.loan_count") == 3


def test_the_plugin_s_hook_implementation(mw, book):
    with mw.session() as s:
        figures = microloan_plugin.regulatory_report_figures(session=s, as_of=MARCH, period_start=D(2026, 1, 1))
    assert port.total(figures, "microloan.provision_balance") == Y("8000.00")
