"""A refused mutation of the guarantee's after-care areas (compensation, warnings, monitoring) answers in the
request's language (docs/i18n.md, catalogue plugins/guarantee/locale/zh_CN/LC_MESSAGES/aftercare.po): zh-CN by
default (no Accept-Language), English with ``Accept-Language: en``, its parameters filled in either way; the words a
message quotes (the covered components, the amount refused, the project's status) are in the same language. Codes
and fields never change."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from strawberry import relay

from surety.core.i18n import use_locale
from surety.core.testing import TEST_PASSWORD, graphql_in_language
from surety.plugins.guarantee.compensation import claims
from surety.plugins.guarantee.finance import banks
from surety.plugins.guarantee.testing import make_bank, make_project

CLAIM = """mutation($i: GuaranteeCompensationClaimInput!) { guaranteeCompensationClaim(input: $i) {
  compensation { id } errors { code field message } } }"""
OVERDUE = """mutation($i: GuaranteeOverdueReportRecordInput!) { guaranteeOverdueReportRecord(input: $i) {
  report { reportedOn } errors { code field message } } }"""
INSPECT = """mutation($i: GuaranteeInspectionRecordInput!) { guaranteeInspectionRecord(input: $i) {
  inspection { id } errors { code field message } } }"""


def post(api, query, variables, token, language):
    """POST GraphQL with ``Accept-Language: language`` (None: no header, the API's default)."""
    return graphql_in_language(api, query, variables, token, language)


def _errors(api, gw, user, query, field, variables, language):
    token = api.login(gw.tenant.slug, user, TEST_PASSWORD)
    body = post(api, query, {"i": variables}, token, language)
    assert "errors" not in body, body
    payload = body["data"][field]
    assert set(payload) == {payload_key(field), "errors"} and payload[payload_key(field)] is None, payload
    return payload["errors"]


def payload_key(field: str) -> str:
    return {"guaranteeCompensationClaim": "compensation", "guaranteeOverdueReportRecord": "report",
            "guaranteeInspectionRecord": "inspection"}[field]


def _project(gw, *, status="effective", lead="fin", **extra):
    with gw.acting(lead) as (s, a):
        bank, _ = make_bank(s, risk_share_ratio="0.20")
        p = make_project(s, a, gw.customers["corp"], bank=bank, amount="6000000.00", status=status,
                         in_force_balance=Decimal("5000000.00"), effective_date=dt.date(2026, 1, 10), **extra)
        if status == "effective":
            banks.reserve(s, p)
        return relay.to_base64("GuaranteeProject", str(p.id)), p.project_no


@pytest.mark.parametrize(("language", "message"), [
    (None, "代偿本金（principal）5,000,000.01 元超过在保余额 5,000,000.00 元。"),
    ("zh-CN", "代偿本金（principal）5,000,000.01 元超过在保余额 5,000,000.00 元。"),
    ("en", "The claimed principal (principal) 5,000,000.01 yuan is more than the in-force balance 5,000,000.00 yuan."),
])
def test_a_claim_above_the_in_force_balance_is_refused_in_the_request_language(api, gw, language, message):
    pid, _ = _project(gw)
    errors = _errors(api, gw, "fin", CLAIM, "guaranteeCompensationClaim",
                     {"projectId": pid, "principal": "5000000.01", "claimDate": "2026-06-01"}, language)
    assert errors == [{"code": "VALIDATION_FAILED", "field": "principal", "message": message}]


@pytest.mark.parametrize(("language", "message"), [
    (None, "本项目的保证范围为本金、利息，不含罚息：代偿罚息（penalty）应为 0，申请的是 1.00 元。"),
    ("en", "The project's guarantee covers principal and interest, not penalty interest: the claimed penalty "
           "interest (penalty) must be 0, not 1.00 yuan."),
])
def test_an_uncovered_component_is_named_in_the_request_language(api, gw, language, message):
    pid, _ = _project(gw, covered_components=["principal", "interest"])
    errors = _errors(api, gw, "fin", CLAIM, "guaranteeCompensationClaim",
                     {"projectId": pid, "principal": "100", "penalty": "1", "claimDate": "2026-06-01"}, language)
    assert errors == [{"code": "VALIDATION_FAILED", "field": "penalty", "message": message}]


@pytest.mark.parametrize(("language", "message"), [
    (None, "代偿利息（interest）不能为负数（至少为 0），不能是 -1。"),
    ("en", "The claimed interest (interest) must be zero or more (at least 0), not -1."),
])
def test_the_amount_a_core_refusal_names_is_in_the_request_language(api, gw, language, message):
    pid, _ = _project(gw)
    errors = _errors(api, gw, "fin", CLAIM, "guaranteeCompensationClaim",
                     {"projectId": pid, "principal": "1", "interest": "-1", "claimDate": "2026-06-01"}, language)
    assert errors == [{"code": "VALIDATION_FAILED", "field": "interest", "message": message}]


@pytest.mark.parametrize(("language", "template"), [
    (None, "只有已生效的担保可以登记银行逾期报告；项目 {no} 的状态为“已签约”。"),
    ("en", "A bank reports an overdue loan on an effective guarantee; project {no} is contracted."),
])
def test_an_overdue_report_on_a_project_not_in_force_is_refused_in_the_request_language(api, gw, language,
                                                                                         template):
    pid, number = _project(gw, status="contracted")
    errors = _errors(api, gw, "risk", OVERDUE, "guaranteeOverdueReportRecord",
                     {"projectId": pid, "overduePrincipal": "1000", "daysPastDue": 3}, language)
    assert errors == [{"code": "CONFLICT", "field": "projectId", "message": template.format(no=number)}]


@pytest.mark.parametrize(("language", "message"), [
    (None, "检查结论为 risk，请填写检查发现。"),
    ("en", "Describe the findings: the conclusion is risk."),
])
def test_an_inspection_without_findings_is_refused_in_the_request_language(api, gw, language, message):
    pid, _ = _project(gw, lead="mgr")
    errors = _errors(api, gw, "mgr", INSPECT, "guaranteeInspectionRecord",
                     {"projectId": pid, "conclusion": "risk"}, language)
    assert errors == [{"code": "VALIDATION_FAILED", "field": "findings", "message": message}]


def test_the_four_eyes_comment_of_a_claim_reads_in_the_request_language_and_a_persons_comment_as_written():
    with use_locale("zh_CN"):
        assert claims.decision_comment_text(claims.FOUR_EYES_CLAIM) == \
            "四眼原则：代偿申请由登记人本人批准，不予批准；请重新登记，由他人审批。"
        assert claims.decision_comment_text("同意 {x}") == "同意 {x}"
    with use_locale("en"):
        assert claims.decision_comment_text(claims.FOUR_EYES_CLAIM) == claims.FOUR_EYES_CLAIM
