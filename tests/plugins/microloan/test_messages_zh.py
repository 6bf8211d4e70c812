"""A refused loan-product mutation answers in the request's language (docs/i18n.md): zh-CN by default (no
Accept-Language), English with ``Accept-Language: en``, its parameters filled in either way; a refused allocation
order quoted in a bigger message is in the same language. Codes and fields never change."""

from __future__ import annotations

import pytest

from surety.core.testing import graphql_in_language, mutation_ok
from surety.plugins.microloan.conventions import REPAYMENT_METHODS

CREATE = ("mutation($i: MicroloanProductCreateInput!) { microloanProductCreate(input: $i) { product { id } "
          "errors { code field message } } }")
NEW = {"code": "XD-1", "name": "经营贷", "maxAmount": "1000000", "annualRate": "0.12",
       "repaymentMethod": "equal_installment", "minAmount": "10000", "maxTermMonths": 36}
METHODS = ", ".join(REPAYMENT_METHODS)


def post(api, query, variables, token, language):
    """POST GraphQL with ``Accept-Language: language`` (None: no header, the API's default)."""
    return graphql_in_language(api, query, variables, token, language)


def _errors(api, token, product, language):
    body = post(api, CREATE, {"i": product}, token, language)
    assert body["data"]["microloanProductCreate"]["product"] is None
    return body["data"]["microloanProductCreate"]["errors"]


@pytest.mark.parametrize(("language", "message"), [
    (None, f"repayment_method 须为以下之一：{METHODS}；不能是 balloon。"),
    ("zh-CN", f"repayment_method 须为以下之一：{METHODS}；不能是 balloon。"),
    ("en", f"repayment_method is one of {METHODS}, not balloon."),
])
def test_a_refused_choice_names_the_choices_in_the_request_language(api, mw, language, message):
    token = api.login(mw.tenant.slug)
    errors = _errors(api, token, {**NEW, "repaymentMethod": "balloon"}, language)
    assert errors == [{"code": "VALIDATION_FAILED", "field": "repaymentMethod", "message": message}]


@pytest.mark.parametrize(("language", "message"), [
    (None, "产品代码为 XD-1 的贷款产品已存在。"),
    ("en", "A loan product with the code XD-1 already exists."),
])
def test_a_duplicate_product_code_is_refused_in_the_request_language(api, mw, language, message):
    token = api.login(mw.tenant.slug)
    mutation_ok(post(api, CREATE, {"i": NEW}, token, "en"), "microloanProductCreate")
    assert _errors(api, token, NEW, language) == [{"code": "CONFLICT", "field": "code", "message": message}]


@pytest.mark.parametrize(("language", "message"), [
    (None, "allocation_order（还款冲抵顺序）无效：顺序中缺少还款项目“fees”。"),
    ("en", "allocation_order is not a valid order: the order leaves out 'fees'."),
])
def test_a_refused_allocation_order_quotes_its_reason_in_the_same_language(api, mw, language, message):
    token = api.login(mw.tenant.slug)
    errors = _errors(api, token, {**NEW, "allocationOrder": ["penalty", "interest", "principal"]}, language)
    assert errors == [{"code": "VALIDATION_FAILED", "field": "allocationOrder", "message": message}]
