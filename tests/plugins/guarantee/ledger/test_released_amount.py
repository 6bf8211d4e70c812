"""The ledger records the released amount (解保金额) of each release: a full release after repayment discharges what
the repayments paid off (it wrote 0 before), so a released project's releases add up to its loan amount less the
compensated principal; the project ledger, the company ledger and its export show it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from openpyxl import load_workbook
from sqlalchemy import select

from surety.core.workflow.actions import act
from surety.core.workflow.engine import business_today
from surety.core.workflow.models import WorkflowTask
from surety.plugins.guarantee.compensation import claims as comp
from surety.plugins.guarantee.ledger import entries as ledger
from surety.plugins.guarantee.ledger.export import HEADER_ZH, export_company_ledger
from surety.plugins.guarantee.release import releases as rel
from surety.plugins.guarantee.testing import make_effective

TODAY = business_today()
START = TODAY - dt.timedelta(days=400)
M = Decimal


def effective(gw, *, ended=False):
    """An effective project (loan 2,800,000 from START) without fees."""
    end = TODAY - dt.timedelta(days=30) if ended else TODAY + dt.timedelta(days=300)
    with gw.acting("fin") as (s, a):
        return make_effective(s, a, gw.customers["corp"], start=START, end=end, margin=None).id


def release_entries(gw, pid) -> list[tuple[str, Decimal]]:
    with gw.acting("fin") as (s, a):
        return [(e.detail, e.amount) for e in ledger.project_ledger(s, a, pid).entries if e.kind == "release"]


def figures(gw, pid) -> ledger.LedgerFigures:
    with gw.acting("fin") as (s, a):
        return ledger.project_ledger(s, a, pid).figures


def test_a_full_release_after_repayment_records_the_repaid_amount(gw):
    pid = effective(gw)
    with gw.acting("fin") as (s, a):
        rel.record_repayment(s, a, pid, "1000000.00", repaid_on=TODAY - dt.timedelta(days=40))
        rel.release(s, a, pid, kind="partial", amount="300000", released_on=TODAY - dt.timedelta(days=30))
        rel.record_repayment(s, a, pid, "1500000.00", repaid_on=TODAY - dt.timedelta(days=5))
        full = rel.release(s, a, pid, kind="full")  # balance 0: repaid
    assert (full.amount, full.released_amount) == (M("0.00"), M("2500000.00"))
    assert release_entries(gw, pid) == [("partial", M("300000.00")), ("full", M("2500000.00"))]
    got = figures(gw, pid)
    assert (got.loan_amount, got.repaid, got.released, got.in_force_balance) == (
        M("2800000.00"), M("2500000.00"), M("2800000.00"), M("0.00"))


def test_released_plus_compensated_principal_is_the_loan(gw):
    pid = effective(gw, ended=True)
    with gw.acting("fin") as (s, a):
        rel.record_repayment(s, a, pid, "800000.00", repaid_on=TODAY - dt.timedelta(days=60))
        claim = comp.claim(s, a, pid, principal="500000", claim_date=TODAY - dt.timedelta(days=20))
    for who in ("risk", "boss"):  # the claim's approval
        with gw.acting(who) as (s, a):
            task = s.scalars(select(WorkflowTask).where(WorkflowTask.instance_id == claim.workflow_instance_id,
                                                        WorkflowTask.status == "open")).one()
            act(s, a, task.id, "approve")
    with gw.acting("fin") as (s, a):
        comp.pay(s, a, claim.id, paid_on=TODAY - dt.timedelta(days=10))
        full = rel.release(s, a, pid, kind="full")  # the term ended: 1,500,000 still in force
    assert (full.reason, full.amount, full.released_amount) == ("term_ended", M("1500000.00"), M("2300000.00"))
    got = figures(gw, pid)
    assert (got.released, got.compensated_principal, got.loan_amount) == (
        M("2300000.00"), M("500000.00"), M("2800000.00"))


def test_the_company_ledger_and_its_export_show_the_released_amount(gw, tmp_path):
    pid = effective(gw)
    with gw.acting("fin") as (s, a):
        rel.record_repayment(s, a, pid, "2800000.00")
        rel.release(s, a, pid, kind="full")
    with gw.acting("fin") as (s, a):
        projects = list(s.scalars(ledger.company_statement(s, a)))
        (row,) = ledger.company_rows(s, a, projects)
        assert row.figures.released == M("2800000.00")
        assert ledger.company_totals(s, a).figures.released == M("2800000.00")
        out = tmp_path / "ledger.xlsx"
        export_company_ledger(s, a, out)
    sheet = load_workbook(out).active
    column = list(HEADER_ZH).index("解保金额")
    assert sheet.cell(row=3, column=column + 1).value == 2800000.0
