"""A Chinese-first API in the risk area (issue 14 item 8): a counter-guarantee kind and a risk class are accepted as
their zh-CN (or English) label and shown with a label in the request's locale; a wrong label is refused listing the
choices; a valuation in 万元 is stored exact in yuan, a discount rate in percent as a fraction, and a figure given
both plainly and with its unit is refused; the queries give every amount in the unit asked for."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from sqlalchemy import select
from strawberry import relay

from surety.core.workflow.engine import business_today
from surety.plugins.guarantee.project.codes import COUNTER_GUARANTEE_KIND, PRODUCT_KIND, RISK_CLASS
from surety.plugins.guarantee.project.models import (
    COUNTER_KINDS,
    PRODUCT_KINDS,
    RISK_CLASSES,
    GuaranteeCounterGuarantee,
)
from surety.plugins.guarantee.testing import make_project
from surety.plugins.guarantee.warnings import early_warnings as ew

ADD = """mutation($i: GuaranteeCounterGuaranteeAddInput!) { guaranteeCounterGuaranteeAdd(input: $i) {
  counterGuarantee { id kind kindLabel valuation discountRate coveredAmount amountUnit }
  risk { amount riskAmount amountUnit lines { kind kindLabel covered } } errors { code field message } } }"""
UPDATE = """mutation($i: GuaranteeCounterGuaranteeUpdateInput!) { guaranteeCounterGuaranteeUpdate(input: $i) {
  counterGuarantee { kind valuation discountRate } errors { code field message } } }"""
LIST = """query($p: ID!, $u: AmountUnit!) { guaranteeCounterGuarantees(projectId: $p, unit: $u) { kind kindLabel
  valuation coveredAmount amountUnit } guaranteeProjectRisk(projectId: $p, unit: $u) { amount coveredAmount
  uncoveredAmount riskAmount amountUnit lines { covered counted } } }"""
PROPOSE = """mutation($i: GuaranteeClassificationProposeInput!) { guaranteeClassificationPropose(input: $i) {
  change { fromClass fromClassLabel toClass toClassLabel status statusLabel } errors { code field message } } }"""
VIEW = """query($p: ID!) { guaranteeRiskClassification(projectId: $p) { currentClass riskClassLabel suggestedClass
  suggestedClassLabel } }"""
MORTGAGE = {"ownerName": "李四", "valuationDate": "2025-06-30",
            "collateral": {"certificate_no": "C-1", "address": "北京市朝阳区建国路1号"}}


def _project(gw, **extra) -> str:
    with gw.acting("mgr") as (s, a):
        project = make_project(s, a, gw.customers["corp"], amount="3000000.00", **extra)
        return relay.to_base64("GuaranteeProject", project.id)


def _uuid(global_id: str) -> uuid.UUID:
    return uuid.UUID(relay.GlobalID.from_id(global_id).node_id)


def _zh(api, query, variables, token) -> dict:
    """The answer to a request in zh-CN (Accept-Language), as a browser set to Chinese sends it."""
    response = api.client.post("/graphql", json={"query": query, "variables": variables},
                               headers={"Authorization": f"Bearer {token}", "Accept-Language": "zh-CN,zh;q=0.9"})
    assert response.status_code == 200, response.text
    return response.json()


def _stored(gw, counter_id: str) -> GuaranteeCounterGuarantee:
    with gw.session() as s:
        row = s.scalar(select(GuaranteeCounterGuarantee).where(
            GuaranteeCounterGuarantee.id == _uuid(counter_id)))
        s.expunge(row)
        return row


def test_every_code_of_the_plugin_has_labels():
    assert set(COUNTER_GUARANTEE_KIND.codes) == set(COUNTER_KINDS)
    assert set(RISK_CLASS.codes) == set(RISK_CLASSES)
    assert set(PRODUCT_KIND.codes) == set(PRODUCT_KINDS)
    assert {RISK_CLASS.label(c, "zh_CN") for c in RISK_CLASSES} == {"正常", "关注", "次级", "可疑", "损失"}


def test_mortgage_accepted_as_its_label_valuation_in_wan_exact_and_rate_in_percent(api, gw):
    pid = _project(gw)
    mgr = api.login(gw.tenant.slug, "mgr")
    given = {**MORTGAGE, "projectId": pid, "kind": "抵押", "valuationWithUnit": {"value": "123.4567", "unit": "WAN"},
             "discountRateWithUnit": {"value": "70", "unit": "PERCENT"}}
    r = api(ADD, {"i": given}, token=mgr)["data"]["guaranteeCounterGuaranteeAdd"]
    assert r["errors"] == []
    cg = r["counterGuarantee"]
    assert (cg["kind"], cg["kindLabel"]) == ("mortgage", "Mortgage")  # the test client asks for English
    assert (cg["valuation"], cg["discountRate"], cg["coveredAmount"], cg["amountUnit"]) == (
        "1234567.00", "0.70000000", "864196.90", "YUAN")
    assert r["risk"]["lines"] == [{"kind": "mortgage", "kindLabel": "Mortgage", "covered": "864196.90"}]
    row = _stored(gw, cg["id"])
    assert (row.kind, row.valuation, row.discount_rate) == ("mortgage", Decimal("1234567.00"), Decimal("0.7"))

    zh = _zh(api, LIST, {"p": pid, "u": "WAN"}, mgr)["data"]
    assert zh["guaranteeCounterGuarantees"] == [{"kind": "mortgage", "kindLabel": "抵押", "valuation": "123.456700",
                                                 "coveredAmount": "86.419690", "amountUnit": "WAN"}]
    risk = zh["guaranteeProjectRisk"]  # every amount of the answer in 万元
    assert (risk["amount"], risk["coveredAmount"], risk["amountUnit"]) == ("300.000000", "86.419690", "WAN")
    assert Decimal(risk["uncoveredAmount"]) + Decimal(risk["coveredAmount"]) == Decimal(risk["amount"])
    assert risk["lines"] == [{"covered": "86.419690", "counted": "86.419690"}]
    yuan = api(LIST, {"p": pid, "u": "YUAN"}, token=mgr)["data"]["guaranteeProjectRisk"]
    assert (yuan["amount"], yuan["amountUnit"]) == ("3000000.00", "YUAN")

    third = {"projectId": pid, "kind": "保证", "ownerName": "王五"}  # 保证: a third-party guarantee
    assert api(ADD, {"i": third}, token=mgr)["data"]["guaranteeCounterGuaranteeAdd"]["counterGuarantee"]["kind"] \
        == "third_party"
    up = api(UPDATE, {"i": {"id": cg["id"], "kind": "Pledge", "collateral": {"pledged_item": "存单"},
                            "valuationWithUnit": {"value": "10"}}}, token=mgr)["data"]
    assert up["guaranteeCounterGuaranteeUpdate"]["counterGuarantee"] == {
        "kind": "pledge", "valuation": "10.00", "discountRate": "0.70000000"}  # unit defaults to YUAN


def test_a_wrong_label_is_refused_listing_the_choices(api, gw):
    pid = _project(gw)
    mgr = api.login(gw.tenant.slug, "mgr")
    r = api(ADD, {"i": {**MORTGAGE, "projectId": pid, "kind": "房产", "valuation": "100"}},
            token=mgr)["data"]["guaranteeCounterGuaranteeAdd"]
    assert r["counterGuarantee"] is None
    error = r["errors"][0]
    assert (error["code"], error["field"]) == ("VALIDATION_FAILED", "kind")
    assert "房产" in error["message"] and "抵押 (mortgage)" in error["message"] and "保证 (third_party)" in \
        error["message"]


def test_a_figure_given_plainly_and_with_its_unit_is_refused_and_too_many_decimals_too(api, gw):
    pid = _project(gw)
    mgr = api.login(gw.tenant.slug, "mgr")
    both = {**MORTGAGE, "projectId": pid, "kind": "mortgage", "valuation": "1000000",
            "valuationWithUnit": {"value": "100", "unit": "WAN"}}
    r = api(ADD, {"i": both}, token=mgr)["data"]["guaranteeCounterGuaranteeAdd"]
    assert r["counterGuarantee"] is None and r["errors"][0]["field"] == "valuationWithUnit"
    assert "not both" in r["errors"][0]["message"]
    rates = {**MORTGAGE, "projectId": pid, "kind": "mortgage", "valuation": "1000000", "discountRate": "0.5",
             "discountRateWithUnit": {"value": "50", "unit": "PERCENT"}}
    assert api(ADD, {"i": rates}, token=mgr)["data"]["guaranteeCounterGuaranteeAdd"]["errors"][0]["field"] == \
        "discountRateWithUnit"
    fine = {**MORTGAGE, "projectId": pid, "kind": "mortgage", "valuationWithUnit": {"value": "1.2345678", "unit": "WAN"}}
    r = api(ADD, {"i": fine}, token=mgr)["data"]["guaranteeCounterGuaranteeAdd"]
    assert r["errors"][0]["field"] == "valuationWithUnit" and "not rounded" in r["errors"][0]["message"]
    over = {**MORTGAGE, "projectId": pid, "kind": "mortgage", "valuation": "1000000",
            "discountRateWithUnit": {"value": "150", "unit": "PERCENT"}}
    r = api(ADD, {"i": over}, token=mgr)["data"]["guaranteeCounterGuaranteeAdd"]
    assert r["errors"][0]["field"] == "discountRateWithUnit" and "at most 100" in r["errors"][0]["message"]
    with gw.session() as s:
        assert s.scalar(select(GuaranteeCounterGuarantee.id)) is None  # nothing stored


def test_risk_class_accepted_as_its_label_and_shown_with_labels(api, gw):
    pid = _project(gw, status="effective", in_force_balance=Decimal("1000000.00"),
                   effective_date=business_today() - dt.timedelta(days=400))
    with gw.acting("mgr") as (s, a):
        ew.record_overdue(s, a, _uuid(pid), overdue_principal="10000", days_past_due=35)
    risk = api.login(gw.tenant.slug, "risk")
    same = api(PROPOSE, {"i": {"projectId": pid, "toClass": "正常", "reason": "x"}},
               token=risk)["data"]["guaranteeClassificationPropose"]
    assert same["errors"][0]["field"] == "toClass" and "already" in same["errors"][0]["message"]  # 正常 understood
    bad = api(PROPOSE, {"i": {"projectId": pid, "toClass": "很差", "reason": "x"}},
              token=risk)["data"]["guaranteeClassificationPropose"]["errors"][0]
    assert bad["field"] == "toClass" and "正常 (normal), 关注 (special_mention)" in bad["message"]
    ok = _zh(api, PROPOSE, {"i": {"projectId": pid, "toClass": "关注", "reason": "逾期 35 天"}},
             risk)["data"]["guaranteeClassificationPropose"]
    assert ok["errors"] == []
    assert ok["change"] == {"fromClass": "normal", "fromClassLabel": "正常", "toClass": "special_mention",
                            "toClassLabel": "关注", "status": "proposed", "statusLabel": "审批中"}
    view = api(VIEW, {"p": pid}, token=risk)["data"]["guaranteeRiskClassification"]
    assert (view["currentClass"], view["riskClassLabel"]) == ("normal", "Normal")
    assert view["suggestedClassLabel"] == RISK_CLASS.label(view["suggestedClass"], "en")
    assert _zh(api, VIEW, {"p": pid}, risk)["data"]["guaranteeRiskClassification"]["riskClassLabel"] == "正常"


def test_a_risk_weight_takes_a_counter_guarantee_kind_label(api, gw):
    admin = api.login(gw.tenant.slug, "admin")
    body = api("""mutation($w: [GuaranteeRiskWeightInput!]!) { guaranteeRiskWeightsUpdate(weights: $w) {
      weights { group kind kindLabel weight } errors { code field message } } }""",
               {"w": [{"group": "counter", "kind": "质押", "weight": "0.4"}]}, token=admin)
    payload = body["data"]["guaranteeRiskWeightsUpdate"]
    assert payload["errors"] == []
    assert {"group": "counter", "kind": "pledge", "kindLabel": "Pledge", "weight": "0.4"} in payload["weights"]
