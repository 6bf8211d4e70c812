"""Guarantee's refusals in the reader's language (docs/i18n.md): a refused GraphQL mutation of the project, finance,
risk and origination areas answers in Chinese by default (no ``Accept-Language``: zh_CN) and in English with
``Accept-Language: en``, its parameters filled in (the catalogue is plugins/guarantee/locale/zh_CN/LC_MESSAGES/
surety.po); a refused value's name (core.inputs' ``what``) is in the same language as the message quoting it."""

from __future__ import annotations

import datetime as dt

import pytest
from strawberry import relay

from surety.core.errors import ValidationFailed
from surety.core.i18n import render_error
from surety.core.testing import TEST_PASSWORD, graphql_in_language
from surety.core.workflow.engine import business_today
from surety.plugins.guarantee.risk.due_diligence import save_report, submit_report
from surety.plugins.guarantee.testing import make_bank, make_project

CONFIRM = """mutation($i: GuaranteeLoanConfirmInput!) { guaranteeLoanConfirm(input: $i) {
  loan { status } errors { code field message } } }"""
ADD = """mutation($i: GuaranteeCounterGuaranteeAddInput!) { guaranteeCounterGuaranteeAdd(input: $i) {
  counterGuarantee { id } errors { code field message } } }"""
PRODUCT = """mutation($i: GuaranteeProductCreateInput!) { guaranteeProductCreate(input: $i) {
  product { id } errors { code field message } } }"""


def post(api, query, variables, token, language):
    """POST GraphQL with ``Accept-Language: language`` (None: no header, the API's default)."""
    body = graphql_in_language(api, query, variables, token, language)
    assert "errors" not in body, body
    return body["data"]


@pytest.mark.parametrize(("language", "expected"), [
    (None, "项目签约后担保方可生效；项目 {no} 的状态为“已批准”：须先签署保证合同、反担保合同和委托担保合同。"),
    ("zh-CN", "项目签约后担保方可生效；项目 {no} 的状态为“已批准”：须先签署保证合同、反担保合同和委托担保合同。"),
    ("en", "A guarantee takes effect once the project is contracted; project {no} is approved: the guarantee, "
           "counter-guarantee and entrustment contracts must be signed first."),
])
def test_a_refused_loan_confirmation_names_the_project_in_the_request_language(api, gw, language, expected):
    with gw.acting("mgr") as (s, a):
        bank, _ = make_bank(s)
        project = make_project(s, a, gw.customers["corp"], bank=bank, amount="1000000.00", status="approved")
    fin = api.login(gw.tenant.slug, "fin", TEST_PASSWORD)
    today = business_today()
    loan = {"projectId": relay.to_base64("GuaranteeProject", project.id), "loanContractNo": "JK-ZH-1",
            "loanAmount": "1000000.00", "startDate": today.isoformat(),
            "endDate": (today + dt.timedelta(days=365)).isoformat(), "rate": "0.0435"}
    refused = post(api, CONFIRM, {"i": loan}, fin, language)["guaranteeLoanConfirm"]
    assert refused["loan"] is None
    assert refused["errors"] == [{"code": "CONFLICT", "field": "projectId",
                                  "message": expected.format(no=project.project_no)}]


@pytest.mark.parametrize(("language", "expected"), [
    (None, "折扣率最多为 1（介于 0 与 1 之间），不能是 1.5。"),
    ("en", "The discount rate must be at most 1"),
])
def test_a_refused_counter_guarantee_names_the_value_in_the_request_language(api, gw, language, expected):
    """The refused value's name (``what``) follows the message's language: 折扣率 in Chinese, not English words."""
    with gw.acting("mgr") as (s, a):
        project = make_project(s, a, gw.customers["corp"], amount="3000000.00")
    mgr = api.login(gw.tenant.slug, "mgr", TEST_PASSWORD)
    mortgage = {"projectId": relay.to_base64("GuaranteeProject", project.id), "kind": "mortgage", "ownerName": "李四",
                "valuation": "2000000.00", "valuationDate": "2025-06-30", "discountRate": "1.5",
                "collateral": {"certificate_no": "C-1", "address": "北京市朝阳区建国路1号"}}
    refused = post(api, ADD, {"i": mortgage}, mgr, language)["guaranteeCounterGuaranteeAdd"]
    assert refused["counterGuarantee"] is None
    [error] = refused["errors"]
    assert (error["code"], error["field"]) == ("VALIDATION_FAILED", "discountRate")
    assert expected in error["message"] and "1.5" in error["message"]
    assert ("The discount rate" in error["message"]) == (language == "en")


@pytest.mark.parametrize(("language", "expected"), [
    (None, "编码为“{code}”的产品已存在。"),
    ("en", "A product with the code '{code}' already exists."),
])
def test_a_duplicate_product_code_is_refused_in_the_request_language(api, gw, language, expected):
    admin = api.login(gw.tenant.slug, "admin", "Correct-Horse-9")
    product = {"code": "ZH-DUP", "name": "投标保函", "kind": "bid", "minAmount": "1000", "maxAmount": "9000000",
               "requiresCounterGuarantee": False}
    assert post(api, PRODUCT, {"i": product}, admin, "en")["guaranteeProductCreate"]["errors"] == []
    again = post(api, PRODUCT, {"i": product}, admin, language)["guaranteeProductCreate"]
    assert again["product"] is None
    assert again["errors"] == [{"code": "CONFLICT", "field": "code", "message": expected.format(code="ZH-DUP")}]


def test_a_due_diligence_report_names_its_missing_part_in_the_reader_s_words(gw):
    """The refused submission names the report's missing part: in words of the reader's language, not its key."""
    with gw.acting("mgr") as (s, a):
        project = make_project(s, a, gw.customers["corp"])
        save_report(s, a, project.id, {"business_overview": "经营正常"})
        with pytest.raises(ValidationFailed) as missing:
            submit_report(s, a, project.id)
    assert missing.value.field == "financial_analysis"
    assert missing.value.message == ("The report cannot be submitted without the financial analysis "
                                     "(financial_analysis).")
    assert render_error(missing.value, "zh_CN") == "尽职调查报告缺少财务分析，不能提交。"
