"""A refused finance mutation answers in the request's language (docs/i18n.md): zh-CN by default, English with
``Accept-Language: en``, its parameters filled in either way; a rule error quoted in a bigger message is in the same
language. Codes and fields never change."""

from __future__ import annotations

import uuid

import pytest

from surety.core.errors import ValidationFailed
from surety.core.events import raise_event
from surety.core.i18n import render_error
from surety.core.testing import graphql_in_language
from surety.plugins.finance.rules import services as rules
from surety.plugins.finance.testing import AnyEvent as Event

CREATE = ("mutation($i: FinanceVoucherCreateInput!) { financeVoucherCreate(input: $i) { voucher { id } "
          "errors { code field message } } }")
UNBALANCED = {"voucherDate": "2026-11-05", "word": "记", "summary": "收保证金", "lines": [
    {"account": "1002", "debit": "1000.00"},
    {"account": "2002", "credit": "999.99", "projectId": "01900000-0000-7000-8000-000000000001"}]}


@pytest.mark.parametrize(("language", "message"), [
    (None, "凭证借贷不平衡：借方 1,000.00 元，贷方 999.99 元。"),
    ("zh-CN", "凭证借贷不平衡：借方 1,000.00 元，贷方 999.99 元。"),
    ("en", "The voucher does not balance: debits 1,000.00 yuan, credits 999.99 yuan."),
])
def test_an_unbalanced_voucher_is_refused_in_the_request_language(api, fw, language, message):
    token = api.login(fw.tenant.slug, "fin")
    body = graphql_in_language(api, CREATE, {"i": UNBALANCED}, token, language)
    assert body["data"]["financeVoucherCreate"]["errors"] == [
        {"code": "VALIDATION_FAILED", "field": "lines", "message": message}]


def test_a_rule_error_is_quoted_in_the_readers_language(fw):
    with fw.acting("fin") as (s, a):
        with pytest.raises(ValidationFailed) as err:
            raise_event(s, Event(kind="GuaranteeFeeReceived", data={
                "project_id": uuid.uuid4(), "fee_type": "margin", "amount": "abc", "received_on": "2026-11-05"}))
        assert rules.rule_for(s, "GuaranteeFeeReceived") is not None
    assert render_error(err.value, "zh_CN") == \
        "业务事件 GuaranteeFeeReceived 的凭证模板无法生成凭证：事件字段 amount 不是金额。"
    assert render_error(err.value, "en") == \
        "The voucher rule of GuaranteeFeeReceived cannot be applied: The event field amount is not an amount."
