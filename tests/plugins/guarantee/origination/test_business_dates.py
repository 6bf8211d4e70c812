"""Business dates of an application's life that make no sense are refused in zh-CN naming the field: a loan start
before the approval (the submission while there is none) or far ahead, a loan end not after its start or more than
30 years on; and the dashboard's cycle time leaves out old rows that took effect before they were submitted, so it
is never negative (issue 14 item 7a)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from strawberry import relay

from surety.core import inputs
from surety.core.errors import ValidationFailed
from surety.core.i18n import translate
from surety.core.testing import TEST_PASSWORD
from surety.core.workflow.engine import business_today
from surety.plugins.guarantee.dashboard.figures import dashboard
from surety.plugins.guarantee.finance.loans import confirm_loan
from surety.plugins.guarantee.testing import make_bank, make_effective, make_project

D = dt.date
UTC = dt.UTC
TODAY = business_today()
#: Submitted 40 days ago at 20:00 UTC (the next day in Beijing), approved 10 days ago at 02:00 UTC.
SUBMITTED = dt.datetime.combine(TODAY - dt.timedelta(days=41), dt.time(20), tzinfo=UTC)
DECIDED = dt.datetime.combine(TODAY - dt.timedelta(days=10), dt.time(2), tzinfo=UTC)
LOAN = dict(loan_contract_no="JK-1", loan_amount="1000000", rate="0.0435")
QUERY = """mutation($i: GuaranteeLoanConfirmInput!) { guaranteeLoanConfirm(input: $i) {
  loan { status effectiveDate } errors { code field message } } }"""


def _refused(call, field: str) -> str:
    with pytest.raises(ValidationFailed) as err:
        call()
    assert err.value.field == field
    return translate(err.value.template, err.value.params, "zh_CN")


def test_beijing_date_of_a_stored_moment():
    assert inputs.beijing_date(dt.datetime(2026, 3, 9, 16, 0, tzinfo=UTC)) == D(2026, 3, 10)
    assert inputs.beijing_date(dt.datetime(2026, 3, 9, 15, 59)) == D(2026, 3, 9)  # naive: UTC
    assert inputs.beijing_date(D(2026, 3, 9)) == D(2026, 3, 9)


def test_business_date_refuses_missing_before_and_far_ahead_in_zh_cn():
    assert _refused(lambda: inputs.business_date(None, "x_date", what="放款日"), "x_date") == "请填写放款日。"
    assert "须为日期" in _refused(lambda: inputs.business_date("2026-03-01", "x_date", what="放款日"), "x_date")
    assert _refused(lambda: inputs.business_date(D(2026, 3, 1), "x_date", what="放款日", not_before=D(2026, 3, 2),
                                                 since="申请提交日"), "x_date") == \
        "放款日（2026-03-01）不能早于申请提交日（2026-03-02）。"
    far = TODAY + dt.timedelta(days=inputs.FUTURE_HORIZON_DAYS + 1)
    latest = TODAY + dt.timedelta(days=inputs.FUTURE_HORIZON_DAYS)
    assert _refused(lambda: inputs.business_date(far, "x_date", what="放款日"), "x_date") == (
        f"放款日（{far.isoformat()}）过于遥远：最晚为今天起 90 天内（{latest.isoformat()}）。")
    assert inputs.business_date(latest, "x_date", what="放款日") == latest
    assert inputs.business_date(far, "x_date", what="放款日", horizon_days=None) == far
    assert "今天起 5 天内" in _refused(lambda: inputs.business_date(TODAY + dt.timedelta(days=6), "x_date",
                                                                    what="放款日", horizon_days=5), "x_date")


def test_loan_term_rules():
    start = TODAY - dt.timedelta(days=10)
    end = start + dt.timedelta(days=365)
    term = dict(submitted_at=SUBMITTED, decided_at=DECIDED)
    assert inputs.loan_term(start, end, **term) == (start, end)  # the approval day itself
    early = start - dt.timedelta(days=1)
    assert _refused(lambda: inputs.loan_term(early, end, **term), "start_date") == (
        f"贷款起始日（{early.isoformat()}）不能早于审批通过日（{start.isoformat()}）。")
    # No approval yet: the submission (its Beijing date: 20:00 UTC is the next day) is the bound.
    submitted_on = TODAY - dt.timedelta(days=40)
    assert inputs.loan_term(submitted_on, end, submitted_at=SUBMITTED, decided_at=None)[0] == submitted_on
    assert _refused(lambda: inputs.loan_term(submitted_on - dt.timedelta(days=1), end, submitted_at=SUBMITTED,
                                             decided_at=None), "start_date").endswith(
        f"不能早于申请提交日（{submitted_on.isoformat()}）。")
    # Neither (rows entered before applications were recorded): no lower bound.
    assert inputs.loan_term(D(2020, 1, 1), D(2021, 1, 1), submitted_at=None, decided_at=None)[0] == D(2020, 1, 1)
    ahead = TODAY + dt.timedelta(days=91)
    assert "过于遥远" in _refused(lambda: inputs.loan_term(ahead, ahead + dt.timedelta(days=30), **term),
                                  "start_date")
    assert _refused(lambda: inputs.loan_term(start, start, **term), "end_date") == (
        f"贷款到期日（{start.isoformat()}）不能早于贷款起始日的次日（{(start + dt.timedelta(days=1)).isoformat()}）。")
    thirty = start.replace(year=start.year + 30)
    assert inputs.loan_term(start, thirty, **term)[1] == thirty
    assert _refused(lambda: inputs.loan_term(start, thirty + dt.timedelta(days=1), **term), "end_date") == (
        f"贷款到期日（{(thirty + dt.timedelta(days=1)).isoformat()}）距起始日超过 30 年。")
    leap = inputs.loan_term(D(2028, 2, 29), D(2058, 2, 28), submitted_at=None, decided_at=None, horizon_days=None)
    assert leap == (D(2028, 2, 29), D(2058, 2, 28))


def _zh(api, variables, token):
    """The answer in zh-CN (the test client asks for English unless told)."""
    response = api.client.post("/graphql", json={"query": QUERY, "variables": variables},
                               headers={"Authorization": f"Bearer {token}", "Accept-Language": "zh-CN"})
    assert response.status_code == 200, response.text
    return response.json()


def _approved_project(gw, s, a):
    bank, _ = make_bank(s)
    p = make_project(s, a, gw.customers["corp"], bank=bank, amount="3000000.00", status="contracted")
    p.submitted_at, p.decided_at = SUBMITTED, DECIDED
    s.flush()
    return p


def test_confirm_loan_refuses_a_start_before_the_approval_and_changes_nothing(gw):
    six_months_before = TODAY - dt.timedelta(days=41 + 182)
    with gw.acting("fin") as (s, a):
        p = _approved_project(gw, s, a)
        message = _refused(lambda: confirm_loan(s, a, p.id, start_date=six_months_before,
                                                end_date=TODAY + dt.timedelta(days=200), **LOAN), "start_date")
        assert message.startswith(f"贷款起始日（{six_months_before.isoformat()}）不能早于审批通过日")
        assert (p.status, p.effective_date, p.in_force_balance) == ("contracted", None, Decimal("0.00"))
        confirm_loan(s, a, p.id, start_date=TODAY - dt.timedelta(days=10), end_date=TODAY + dt.timedelta(days=355),
                     **LOAN)
        assert p.status == "effective" and p.effective_date == TODAY - dt.timedelta(days=10)


def test_graphql_loan_confirm_names_the_field_in_zh_cn(api, gw):
    with gw.acting("fin") as (s, a):
        pid = relay.to_base64("GuaranteeProject", _approved_project(gw, s, a).id)
    fin = api.login(gw.tenant.slug, "fin", TEST_PASSWORD)
    early = TODAY - dt.timedelta(days=200)
    body = _zh(api, {"i": {"projectId": pid, "loanContractNo": "JK-1", "loanAmount": "1000000", "rate": "0.0435",
                           "startDate": early.isoformat(), "endDate": (TODAY + dt.timedelta(days=100)).isoformat()}},
               fin)["data"]["guaranteeLoanConfirm"]
    assert body["loan"] is None
    (err,) = body["errors"]
    assert (err["code"], err["field"]) == ("VALIDATION_FAILED", "startDate")
    assert err["message"] == (f"贷款起始日（{early.isoformat()}）不能早于审批通过日"
                              f"（{(TODAY - dt.timedelta(days=10)).isoformat()}）。")
    far = TODAY + dt.timedelta(days=400)
    body = _zh(api, {"i": {"projectId": pid, "loanContractNo": "JK-1", "loanAmount": "1000000", "rate": "0.0435",
                           "startDate": TODAY.isoformat(), "endDate": far.replace(year=far.year + 40).isoformat()}},
               fin)["data"]["guaranteeLoanConfirm"]
    assert [(e["field"], e["message"].endswith("距起始日超过 30 年。")) for e in body["errors"]] == [("endDate", True)]


def test_dashboard_cycle_time_leaves_out_rows_effective_before_submission(gw):
    start = D(2025, 2, 1)
    with gw.acting("fin") as (s, a):
        good = make_effective(s, a, gw.customers["corp"], amount="1000000", loan="1000000", start=start,
                              end=start + dt.timedelta(days=365), margin=None)
        bad = make_effective(s, a, gw.customers["corp"], amount="1000000", loan="1000000", start=start,
                             end=start + dt.timedelta(days=365), margin=None)
        # An old row (before loan dates were checked): effective six months before it was submitted.
        good.submitted_at = dt.datetime(2025, 1, 22, 1, tzinfo=UTC)  # 10 days
        bad.submitted_at = dt.datetime(2025, 8, 1, 1, tzinfo=UTC)  # -181 days
        s.flush()
    with gw.acting("boss") as (s, a):
        d = dashboard(s, a, date_from=D(2025, 1, 1), date_to=D(2025, 3, 31))
        assert d.new_business.count == 2  # still new business
        assert (d.cycle_time.projects, d.cycle_time.average_days) == (1, Decimal("10.00"))  # not (10 - 181) / 2
