"""The microloan leaders' dashboard (docs/microloan/reports.md) on a crafted loan book with worked figures: balance,
lending this month and year, overdue balance and rate, classes and the NPL ratio (an approved class override counts),
provisions and coverage, write-offs this year and recoveries, collection stages, each manager's workload; the number
of statements does not grow with the number of loans; GraphQL in 万元; refused without the permission."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import event, select

from surety.core.errors import PermissionDenied
from surety.core.identity.models import User
from surety.plugins.microloan.collection.models import (
    MicroloanCollectionAction,
    MicroloanCollectionCase,
    MicroloanRecovery,
)
from surety.plugins.microloan.reports.dashboard import dashboard
from surety.plugins.microloan.testing import make_loan, make_product

AS_OF = dt.date(2026, 3, 20)
D = Decimal


def _loan(s, product, manager, *, amount, disbursed, status="active", balance=None, **fields):
    loan = make_loan(s, product, amount=amount, disbursed_on=disbursed, status=status, manager_id=manager)
    loan.principal_balance = D(balance if balance is not None else amount)
    for name, value in fields.items():
        setattr(loan, name, D(value) if isinstance(value, str) and value[0].isdigit() else value)
    return loan


def _book(mw, extra: int = 0):
    """The crafted book (figures worked in the tests) and ``extra`` more settled loans from 2020."""
    mgr, admin = mw.actors["mgr"].id_uuid, mw.actors["admin"].id_uuid
    with mw.session() as s:
        p = make_product(s)
        _loan(s, p, mgr, amount="100000.00", disbursed=dt.date(2026, 1, 15), balance="80000.00", provision="800.00")
        _loan(s, p, mgr, amount="50000.00", disbursed=dt.date(2026, 3, 5), days_past_due=20,
              risk_class="special_mention", provision="1000.00")
        npl = _loan(s, p, admin, amount="200000.00", disbursed=dt.date(2025, 6, 1), balance="120000.00",
              days_past_due=120, risk_class="substandard", provision="30000.00")
        # An approved override puts this loan in 可疑 whatever its days past due say.
        _loan(s, p, None, amount="60000.00", disbursed=dt.date(2025, 3, 1), balance="40000.00", days_past_due=45,
              risk_class="special_mention", risk_class_override="doubtful", provision="20000.00")
        _loan(s, p, mgr, amount="30000.00", disbursed=dt.date(2026, 2, 10), status="settled", balance="0.00")
        written = _loan(s, p, admin, amount="90000.00", disbursed=dt.date(2024, 5, 1), status="written_off",
                        balance="0.00",
              written_off_on=dt.date(2026, 2, 1), written_off_principal="70000.00", written_off_interest="5000.00",
              recovered_amount="10000.00", risk_class="loss")
        _loan(s, p, admin, amount="40000.00", disbursed=dt.date(2024, 1, 1), status="written_off", balance="0.00",
              written_off_on=dt.date(2025, 11, 1), written_off_principal="20000.00", recovered_amount="2000.00",
              risk_class="loss")
        # Collection: an open case on the 次级 loan, one closed; actions this month (two) and last month (one);
        # recoveries this year (5,000.00) and last year (1,000.00).
        open_case = MicroloanCollectionCase(loan_id=npl.id, loan_no=npl.loan_no, stage="M3+",
                                            opened_on=dt.date(2025, 8, 1), stage_since=dt.date(2025, 11, 1))
        s.add_all([open_case, MicroloanCollectionCase(loan_id=npl.id, loan_no=npl.loan_no, stage="M1",
                                                      opened_on=dt.date(2025, 7, 1), stage_since=dt.date(2025, 7, 1),
                                                      status="closed", closed_on=dt.date(2025, 7, 20))])
        s.flush()
        s.add_all([MicroloanCollectionAction(case_id=open_case.id, loan_id=npl.id, kind="call", happened_on=day)
                   for day in (dt.date(2026, 3, 2), dt.date(2026, 3, 20), dt.date(2026, 2, 27))])
        s.add_all([MicroloanRecovery(loan_id=written.id, amount=D("5000.00"), recovered_on=dt.date(2026, 3, 1)),
                   MicroloanRecovery(loan_id=written.id, amount=D("1000.00"), recovered_on=dt.date(2025, 12, 1))])
        for _ in range(extra):
            _loan(s, p, mgr, amount="10000.00", disbursed=dt.date(2020, 1, 15), status="settled", balance="0.00")
        s.commit()


def test_every_figure_on_the_crafted_book(mw):
    _book(mw)
    with mw.acting("admin") as (s, admin):
        d = dashboard(s, admin, AS_OF)
        admin_name = s.scalar(select(User.display_name).where(User.username == "admin")) or "admin"
    assert (d.month_from, d.year_from) == (dt.date(2026, 3, 1), dt.date(2026, 1, 1))
    assert (d.active_loans, d.balance) == (4, D("290000.00"))
    assert (d.disbursed_this_month.count, d.disbursed_this_month.amount) == (1, D("50000.00"))
    assert (d.disbursed_this_year.count, d.disbursed_this_year.amount) == (3, D("180000.00"))
    # Overdue: 50,000 + 120,000 + 40,000 = 210,000 of 290,000 = 0.724138.
    assert (d.overdue_loans, d.overdue_balance, d.overdue_rate) == (3, D("210000.00"), D("0.724138"))
    assert [(c.risk_class, c.label, c.count, c.balance, c.provision) for c in d.classes] == [
        ("normal", "正常", 1, D("80000.00"), D("800.00")),
        ("special_mention", "关注", 1, D("50000.00"), D("1000.00")),
        ("substandard", "次级", 1, D("120000.00"), D("30000.00")),
        ("doubtful", "可疑", 1, D("40000.00"), D("20000.00")),
        ("loss", "损失", 0, D("0.00"), D("0.00")),
    ]
    # NPL: 120,000 + 40,000 = 160,000 of 290,000 = 0.551724; provisions 51,800 / 160,000 = 0.32375.
    assert (d.npl_balance, d.npl_ratio) == (D("160000.00"), D("0.551724"))
    assert (d.provision, d.provision_coverage) == (D("51800.00"), D("0.323750"))
    assert (d.written_off_loans, d.written_off_principal, d.written_off_interest, d.written_off) == (
        1, D("70000.00"), D("5000.00"), D("75000.00"))
    assert d.recovered_after_write_off == D("12000.00")
    assert [(x.stage, x.from_days, x.count, x.balance) for x in d.stages] == [
        ("M1", 1, 1, D("50000.00")), ("M2", 31, 1, D("40000.00")), ("M3+", 61, 1, D("120000.00"))]
    assert [(m.user_id, m.name, m.active_loans, m.balance, m.overdue_loans, m.overdue_balance)
            for m in d.managers] == [
        (mw.actors["mgr"].id_uuid, "Mgr", 2, D("130000.00"), 1, D("50000.00")),
        (mw.actors["admin"].id_uuid, admin_name, 1, D("120000.00"), 1, D("120000.00")),
        (None, "", 1, D("40000.00"), 1, D("40000.00")),
    ]
    assert (d.collection.open_cases, d.collection.actions_this_month, d.collection.recovered_this_year) == (
        1, 2, D("5000.00"))


def test_an_empty_book_has_no_ratios(mw):
    with mw.acting("admin") as (s, admin):
        d = dashboard(s, admin, AS_OF)
    assert (d.balance, d.overdue_rate, d.npl_ratio, d.provision_coverage) == (D("0.00"), None, None, None)
    assert d.managers == [] and [c.count for c in d.classes] == [0] * 5


def _statements(mw) -> int:
    seen = []

    def count(_conn, _cursor, statement, *_args):
        # The permission matrix's cache checks its version now and then, whatever the dashboard reads: not counted.
        if "authz_state" not in statement and "casbin_rule" not in statement:
            seen.append(statement)

    event.listen(mw.db.engine, "before_cursor_execute", count)
    try:
        with mw.acting("admin") as (s, admin):
            dashboard(s, admin, AS_OF)
    finally:
        event.remove(mw.db.engine, "before_cursor_execute", count)
    return len(seen)


def test_the_statement_count_does_not_grow_with_the_loans(mw):
    _book(mw)
    _statements(mw)  # the first read creates the settings row and loads the permission matrix
    few = _statements(mw)
    _book(mw, extra=25)
    assert _statements(mw) == few


def test_refused_without_the_permission(mw):
    with mw.acting("mgr") as (s, mgr), pytest.raises(PermissionDenied):
        dashboard(s, mgr, AS_OF)


QUERY = """query($a: Date, $u: AmountUnit) { microloanDashboard(asOf: $a, unit: $u) {
  asOf amountUnit activeLoans balance overdueRate nplBalance nplRatio provisionCoverage writtenOff
  disbursedThisYear { count amount } classes { riskClass label balance } stages { stage count balance }
  managers { name activeLoans balance } collection { openCases } } }"""


def test_graphql_in_wan(mw, api):
    _book(mw)
    token = api.login(mw.tenant.slug)
    body = api(QUERY, {"a": "2026-03-20", "u": "WAN"}, token=token)
    assert "errors" not in body, body
    d = body["data"]["microloanDashboard"]
    assert d["asOf"] == "2026-03-20" and d["amountUnit"] == "WAN" and d["activeLoans"] == 4
    assert D(d["balance"]) == D("29") and D(d["nplBalance"]) == D("16") and D(d["writtenOff"]) == D("7.5")
    assert (d["overdueRate"], d["nplRatio"], d["provisionCoverage"]) == ("0.724138", "0.551724", "0.323750")
    assert d["disbursedThisYear"]["count"] == 3 and D(d["disbursedThisYear"]["amount"]) == D("18")
    assert d["classes"][2]["label"] == "次级" and D(d["classes"][2]["balance"]) == D("12")
    assert d["stages"][0]["stage"] == "M1" and d["managers"][0]["name"] == "Mgr"
    assert d["collection"] == {"openCases": 1}
    yuan = api(QUERY, {"a": "2026-03-20"}, token=token)["data"]["microloanDashboard"]
    assert yuan["amountUnit"] == "YUAN" and yuan["balance"] == "290000.00"
    refused = api(QUERY, {"a": "2026-03-20"}, token=api.login(mw.tenant.slug, "mgr"))
    assert refused["data"] is None and refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
