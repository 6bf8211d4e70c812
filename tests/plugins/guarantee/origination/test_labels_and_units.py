"""Chinese-first input and output of products and applications (issue 14 item 8): a product kind and a loan category
given as their zh-CN (or English) label, ``...Label`` fields in the reader's language, amounts in 元 or 万元 and rates
as a fraction or in percent by an explicit unit (exact; both forms of one figure refused)."""

from __future__ import annotations

from decimal import Decimal

from strawberry import relay

from surety.core.testing import TEST_PASSWORD, graphql_in_language
from surety.plugins.guarantee.testing import make_bank

PRODUCT = """mutation($i: GuaranteeProductCreateInput!) { guaranteeProductCreate(input: $i) {
  product { id kind kindLabel category categoryLabel } errors { code field message } } }"""
CREATE = """mutation($i: GuaranteeApplicationCreateInput!) { guaranteeApplicationCreate(input: $i) {
  project { id amount proposedFee proposedFeeRate loanCategory loanCategoryLabel status statusLabel }
  errors { code field message } } }"""
UPDATE = """mutation($i: GuaranteeApplicationUpdateInput!) { guaranteeApplicationUpdate(input: $i) {
  project { amount proposedFeeRate } errors { code field message } } }"""


def post(api, query, variables, token, language="zh-CN"):
    body = graphql_in_language(api, query, variables, token, language)
    assert "errors" not in body, body
    return body["data"]


def test_a_product_kind_is_accepted_as_its_label_and_shown_in_the_readers_language(api, gw):
    admin = api.login(gw.tenant.slug, "admin", TEST_PASSWORD)
    made = post(api, PRODUCT, {"i": {"code": "BH-1", "name": "投标保函", "kind": "投标保函"}},
                admin)["guaranteeProductCreate"]
    assert made["errors"] == [] and made["product"] | {"id": None} == {
        "id": None, "kind": "bid", "kindLabel": "投标保函", "category": "non_financing", "categoryLabel": "非融资担保"}
    english = post(api, PRODUCT, {"i": {"code": "LG-1", "name": "贷款担保", "kind": "Loan guarantee"}}, admin,
                   language="en")["guaranteeProductCreate"]
    assert english["product"]["kind"] == "loan" and english["product"]["kindLabel"] == "Loan guarantee"
    bad = post(api, PRODUCT, {"i": {"code": "X-1", "name": "x", "kind": "保理"}}, admin)["guaranteeProductCreate"]
    assert bad["product"] is None and bad["errors"][0]["field"] == "kind" and "投标保函" in bad["errors"][0]["message"]


def test_application_figures_in_wan_and_percent_and_a_category_label(api, gw):
    with gw.acting("admin") as (s, a):
        bank, _ = make_bank(s)
    admin = api.login(gw.tenant.slug, "admin", TEST_PASSWORD)
    product = post(api, PRODUCT, {"i": {"code": "LN-1", "name": "流贷担保", "kind": "loan", "minAmount": "10000",
                                        "requiresCounterGuarantee": False}}, admin)["guaranteeProductCreate"]
    mgr = api.login(gw.tenant.slug, "mgr", TEST_PASSWORD)
    base = {"customerId": relay.to_base64("Customer", gw.customers["corp"]), "productId": product["product"]["id"],
            "bankId": relay.to_base64("GuaranteeBank", bank.id), "termMonths": 12, "purpose": "流动资金"}
    made = post(api, CREATE, {"i": {**base, "amountWithUnit": {"value": "300.5", "unit": "WAN"},
                                    "proposedFeeWithUnit": {"value": "4.5", "unit": "WAN"},
                                    "proposedFeeRateWithUnit": {"value": "1.5", "unit": "PERCENT"},
                                    "loanCategory": "小微企业贷款"}}, mgr)["guaranteeApplicationCreate"]
    assert made["errors"] == []
    project = made["project"]
    assert (Decimal(project["amount"]), Decimal(project["proposedFee"]), Decimal(project["proposedFeeRate"])) == (
        Decimal("3005000.00"), Decimal("45000.00"), Decimal("0.015"))
    assert (project["loanCategory"], project["loanCategoryLabel"], project["statusLabel"]) == (
        "small_micro", "小微企业贷款", "草稿")

    both = post(api, CREATE, {"i": {**base, "amount": "100000", "amountWithUnit": {"value": "10", "unit": "WAN"}}},
                mgr)["guaranteeApplicationCreate"]
    assert both["project"] is None and both["errors"][0]["code"] == "VALIDATION_FAILED"
    inexact = post(api, CREATE, {"i": {**base, "amountWithUnit": {"value": "0.0000001", "unit": "WAN"}}},
                   mgr)["guaranteeApplicationCreate"]
    assert inexact["project"] is None and inexact["errors"][0]["field"] == "amountWithUnit"
    missing = post(api, CREATE, {"i": base}, mgr)["guaranteeApplicationCreate"]
    assert missing["project"] is None and missing["errors"][0]["field"] == "amount"
    changed = post(api, UPDATE, {"i": {"id": project["id"], "amountWithUnit": {"value": "200", "unit": "WAN"},
                                       "proposedFeeRateWithUnit": {"value": "2", "unit": "PERCENT"}}},
                   mgr)["guaranteeApplicationUpdate"]
    assert changed["errors"] == [] and (Decimal(changed["project"]["amount"]),
                                        Decimal(changed["project"]["proposedFeeRate"])) == (Decimal("2000000.00"),
                                                                                            Decimal("0.02"))
    too_high = post(api, UPDATE, {"i": {"id": project["id"], "proposedFeeRateWithUnit": {"value": "40",
                                                                                           "unit": "PERCENT"}}},
                    mgr)["guaranteeApplicationUpdate"]
    assert too_high["project"] is None and too_high["errors"][0]["field"] == "proposedFeeRateWithUnit"
