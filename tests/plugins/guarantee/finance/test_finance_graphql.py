"""GraphQL of banks, credit lines, fees and loan confirmation end to end: typed errors, permissions, figures."""

from __future__ import annotations

from strawberry import relay

from surety.core.testing import TEST_PASSWORD, error_codes
from surety.plugins.guarantee.testing import make_project

BANK = """mutation($i: GuaranteeBankCreateInput!) { guaranteeBankCreate(input: $i) {
  bank { id code name active lines { id } } errors { code field message } } }"""
BANK_UPDATE = """mutation($i: GuaranteeBankUpdateInput!) { guaranteeBankUpdate(input: $i) {
  bank { name active } errors { code field } } }"""
LINE = """mutation($i: GuaranteeCreditLineCreateInput!) { guaranteeCreditLineCreate(input: $i) {
  line { id total used available riskShareRatio startDate endDate } errors { code field message } } }"""
LINE_UPDATE = """mutation($i: GuaranteeCreditLineUpdateInput!) { guaranteeCreditLineUpdate(input: $i) {
  line { total available } errors { code field message } } }"""
BANKS = """{ guaranteeBanks { name lines { total used available riskShareRatio } } }"""
PLAN_SET = """mutation($i: GuaranteeFeePlanSetInput!) { guaranteeFeePlanSet(input: $i) {
  plan { guaranteeFeeTotal totalDue outstanding schedule { id feeType seq dueDate amount outstanding } }
  errors { code field message } } }"""
RECEIVE = """mutation($i: GuaranteeFeeReceiveInput!) { guaranteeFeeReceive(input: $i) {
  receipt { amount feeType receivedOn } errors { code field message } } }"""
REFUND = """mutation($i: GuaranteeFeeRefundInput!) { guaranteeFeeRefund(input: $i) {
  refund { amount reason } errors { code field message } } }"""
PLAN = """query($p: ID!) { guaranteeFeePlan(projectId: $p) { totalDue totalReceived totalRefunded outstanding
  receipts { amount } refunds { amount } schedule { feeType amount received refunded } } }"""
LOAN = """mutation($i: GuaranteeLoanConfirmInput!) { guaranteeLoanConfirm(input: $i) {
  loan { status loanAmount inForceBalance effectiveDate loanContractNo } errors { code field message } } }"""


def _pid(project) -> str:
    return relay.to_base64("GuaranteeProject", project.id)


def test_banks_and_lines(api, gw):
    slug = gw.tenant.slug
    fin, mgr = (api.login(slug, u, TEST_PASSWORD) for u in ("fin", "mgr"))
    made = api(BANK, {"i": {"code": "CCB", "name": "建设银行"}}, token=fin)["data"]["guaranteeBankCreate"]
    assert made["errors"] == [] and made["bank"]["lines"] == [] and made["bank"]["active"] is True
    bank_id = made["bank"]["id"]
    dup = api(BANK, {"i": {"code": "CCB", "name": "x"}}, token=fin)["data"]["guaranteeBankCreate"]
    assert dup["bank"] is None and dup["errors"][0]["code"] == "CONFLICT" and dup["errors"][0]["field"] == "code"
    denied = api(BANK, {"i": {"code": "X", "name": "x"}}, token=mgr)["data"]["guaranteeBankCreate"]
    assert denied["errors"][0]["code"] == "FORBIDDEN"

    line_in = {"bankId": bank_id, "total": "50000000", "riskShareRatio": "0.2", "startDate": "2026-01-01",
               "endDate": "2027-12-31"}
    line = api(LINE, {"i": line_in}, token=fin)["data"]["guaranteeCreditLineCreate"]
    assert line["errors"] == [] and line["line"]["available"] == "50000000.00"
    bad = api(LINE, {"i": {**line_in, "riskShareRatio": "1.2"}}, token=fin)["data"]["guaranteeCreditLineCreate"]
    assert bad["errors"][0] == {"code": "VALIDATION_FAILED", "field": "riskShareRatio",
                                "message": bad["errors"][0]["message"]}
    bad = api(LINE, {"i": {**line_in, "total": "-1"}}, token=fin)["data"]["guaranteeCreditLineCreate"]
    assert bad["errors"][0]["field"] == "total"
    upd = api(LINE_UPDATE, {"i": {"id": line["line"]["id"], "total": "60000000"}},
              token=fin)["data"]["guaranteeCreditLineUpdate"]
    assert upd == {"line": {"total": "60000000.00", "available": "60000000.00"}, "errors": []}
    assert api(BANK_UPDATE, {"i": {"id": bank_id, "name": "中国建设银行"}},
               token=fin)["data"]["guaranteeBankUpdate"] == {"bank": {"name": "中国建设银行", "active": True},
                                                             "errors": []}
    listed = api(BANKS, token=mgr)["data"]["guaranteeBanks"]
    assert listed == [{"name": "中国建设银行", "lines": [{"total": "60000000.00", "used": "0.00",
                                                        "available": "60000000.00",
                                                        "riskShareRatio": "0.20000000"}]}]
    node = api("query($id: ID!) { node(id: $id) { ... on GuaranteeBank { name } } }", {"id": bank_id}, token=mgr)
    assert node["data"]["node"] == {"name": "中国建设银行"}
    viewer = api.login(slug, "viewer", TEST_PASSWORD)
    assert error_codes(api(BANKS, token=viewer)) == ["FORBIDDEN"]


def test_fees_and_loan(api, gw):
    with gw.acting("mgr") as (s, a):  # the lead manager's projects; finance sees the whole tenant
        p = make_project(s, a, gw.customers["corp"], amount="1200000.00", term_months=12, status="contracted")
        draft = make_project(s, a, gw.customers["corp"], status="draft")
    fin = api.login(gw.tenant.slug, "fin", TEST_PASSWORD)
    plan = api(PLAN_SET, {"i": {"projectId": _pid(p), "guaranteeFeeMethod": "rate", "guaranteeFeeRate": "0.015",
                                "frequency": "quarterly", "reviewFee": "1000", "marginAmount": "120000",
                                "startDate": "2026-01-15"}}, token=fin)["data"]["guaranteeFeePlanSet"]
    assert plan["errors"] == [] and plan["plan"]["guaranteeFeeTotal"] == "18000.00"
    assert plan["plan"]["totalDue"] == "139000.00"
    gfee = [i for i in plan["plan"]["schedule"] if i["feeType"] == "guarantee_fee"]
    assert [(i["dueDate"], i["amount"]) for i in gfee] == [
        ("2026-01-15", "4500.00"), ("2026-04-15", "4500.00"), ("2026-07-15", "4500.00"), ("2026-10-15", "4500.00")]
    margin = next(i for i in plan["plan"]["schedule"] if i["feeType"] == "margin")
    refused = api(PLAN_SET, {"i": {"projectId": _pid(draft), "guaranteeFeeMethod": "fixed",
                                   "guaranteeFeeAmount": "5"}}, token=fin)["data"]["guaranteeFeePlanSet"]
    assert refused["errors"][0]["code"] == "CONFLICT" and refused["errors"][0]["field"] == "projectId"

    got = api(RECEIVE, {"i": {"itemId": gfee[0]["id"], "amount": "4500", "receivedOn": "2026-01-15"}},
              token=fin)["data"]["guaranteeFeeReceive"]
    assert got == {"receipt": {"amount": "4500.00", "feeType": "guarantee_fee", "receivedOn": "2026-01-15"},
                   "errors": []}
    over = api(RECEIVE, {"i": {"itemId": gfee[0]["id"], "amount": "0.01"}}, token=fin)["data"]["guaranteeFeeReceive"]
    assert over["errors"][0]["field"] == "amount" and over["receipt"] is None
    api(RECEIVE, {"i": {"itemId": margin["id"], "amount": "120000"}}, token=fin)
    back = api(REFUND, {"i": {"itemId": margin["id"], "amount": "120000", "reason": "released"}},
               token=fin)["data"]["guaranteeFeeRefund"]
    assert back == {"refund": {"amount": "120000.00", "reason": "released"}, "errors": []}
    mgr = api.login(gw.tenant.slug, "mgr", TEST_PASSWORD)
    view = api(PLAN, {"p": _pid(p)}, token=mgr)["data"]["guaranteeFeePlan"]
    assert (view["totalDue"], view["totalReceived"], view["totalRefunded"], view["outstanding"]) == (
        "139000.00", "124500.00", "120000.00", "14500.00")
    assert len(view["receipts"]) == 2 and view["refunds"] == [{"amount": "120000.00"}]
    assert api(PLAN, {"p": _pid(draft)}, token=mgr)["data"]["guaranteeFeePlan"] is None
    assert error_codes(api(PLAN, {"p": "bad-id"}, token=mgr)) == ["NOT_FOUND"]

    loan_in = {"projectId": _pid(p), "loanContractNo": "JK-1", "loanAmount": "1200000", "startDate": "2026-01-20",
               "endDate": "2027-01-19", "rate": "0.0435"}
    denied = api(LOAN, {"i": loan_in}, token=mgr)["data"]["guaranteeLoanConfirm"]
    assert denied["errors"][0]["code"] == "FORBIDDEN"
    too_much = api(LOAN, {"i": {**loan_in, "loanAmount": "1200000.01"}}, token=fin)["data"]["guaranteeLoanConfirm"]
    assert too_much["errors"][0]["field"] == "loanAmount"
    done = api(LOAN, {"i": loan_in}, token=fin)["data"]["guaranteeLoanConfirm"]
    assert done == {"loan": {"status": "effective", "loanAmount": "1200000.00", "inForceBalance": "1200000.00",
                             "effectiveDate": "2026-01-20", "loanContractNo": "JK-1"}, "errors": []}
    again = api(LOAN, {"i": loan_in}, token=fin)["data"]["guaranteeLoanConfirm"]
    assert again["errors"][0]["code"] == "CONFLICT"


APPROVED = """mutation($i: GuaranteeFeePlanSetInput!) { guaranteeFeePlanSet(input: $i) {
  plan { guaranteeFeeMethod guaranteeFeeRate guaranteeFeeTotal approvedFeeRate approvedFee deviatesFromApproval }
  errors { code field message } } }"""


def test_the_fee_plan_starts_from_the_fee_approved_with_the_application(api, gw):
    with gw.acting("mgr") as (s, a):
        p = make_project(s, a, gw.customers["corp"], amount="1200000.00", term_months=12, status="contracted",
                         proposed_fee_rate="0.015")
        bare = make_project(s, a, gw.customers["corp"], status="contracted")
    fin = api.login(gw.tenant.slug, "fin", TEST_PASSWORD)
    plan = api(APPROVED, {"i": {"projectId": _pid(p), "startDate": "2026-01-15"}},
               token=fin)["data"]["guaranteeFeePlanSet"]
    assert plan["errors"] == [] and plan["plan"] == {
        "guaranteeFeeMethod": "rate", "guaranteeFeeRate": "0.01500000", "guaranteeFeeTotal": "18000.00",
        "approvedFeeRate": "0.01500000", "approvedFee": "18000.00", "deviatesFromApproval": False}
    lower = api(APPROVED, {"i": {"projectId": _pid(p), "guaranteeFeeRate": "0.012", "startDate": "2026-01-15"}},
                token=fin)["data"]["guaranteeFeePlanSet"]
    assert lower["errors"] == [] and lower["plan"]["guaranteeFeeTotal"] == "14400.00"
    assert lower["plan"]["deviatesFromApproval"] is True and lower["plan"]["approvedFee"] == "18000.00"
    none = api(APPROVED, {"i": {"projectId": _pid(bare), "startDate": "2026-01-15"}},
               token=fin)["data"]["guaranteeFeePlanSet"]
    assert none["plan"] is None and none["errors"][0]["field"] == "guaranteeFeeMethod"
