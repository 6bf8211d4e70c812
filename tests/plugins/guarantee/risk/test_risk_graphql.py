"""GraphQL of area B end to end: counter-guarantees with risk, masking and reveal, risk weights, scorecards, ratings
and the due-diligence report, with typed errors and permission refusals."""

from __future__ import annotations

import datetime as dt

from strawberry import relay

from surety.core.testing import error_codes
from surety.plugins.customers.statements import set_statement
from surety.plugins.guarantee.risk.rating import install_default_templates
from surety.plugins.guarantee.testing import make_project

ADD = """mutation($i: GuaranteeCounterGuaranteeAddInput!) { guaranteeCounterGuaranteeAdd(input: $i) {
  counterGuarantee { id kind ownerName collateral valuation valuationDate discountRate coveredAmount }
  risk { coverageRatio riskAmount riskDegree lines { kind counted } } errors { code field message } } }"""
UPDATE = """mutation($i: GuaranteeCounterGuaranteeUpdateInput!) { guaranteeCounterGuaranteeUpdate(input: $i) {
  counterGuarantee { discountRate } risk { riskAmount } errors { code field message } } }"""
REMOVE = """mutation($id: ID!) { guaranteeCounterGuaranteeRemove(id: $id) { ok risk { riskAmount }
  errors { code field } } }"""
LIST = """query($p: ID!, $r: Boolean!) { guaranteeCounterGuarantees(projectId: $p) { id kind ownerName(reveal: $r)
  collateral(reveal: $r) } guaranteeProjectRisk(projectId: $p) { amount coveredAmount coverageRatio uncoveredAmount
  riskAmount riskDegree customerWeight } }"""
WEIGHTS = """mutation($w: [GuaranteeRiskWeightInput!]!) { guaranteeRiskWeightsUpdate(weights: $w) {
  weights { group kind weight } errors { code field message } } }"""
SAVE_CARD = """mutation($i: GuaranteeScorecardTemplateSaveInput!) { guaranteeScorecardTemplateSave(input: $i) {
  template { id code version active indicators { key weight bands { min max points } } grades { grade min } }
  errors { code field message } } }"""
SCORE = """mutation($i: GuaranteeRatingScoreInput!) { guaranteeRatingScore(input: $i) {
  rating { total grade templateName templateVersion statementPeriodEnd scores { key value points score } }
  errors { code field message } } }"""
DD_SAVE = """mutation($i: GuaranteeDueDiligenceReportSaveInput!) { guaranteeDueDiligenceReportSave(input: $i) {
  report { status version recommendedAmount recommendedRate conclusion } errors { code field message } } }"""
DD_SUBMIT = """mutation($p: ID!) { guaranteeDueDiligenceReportSubmit(projectId: $p) { report { status ratingId }
  errors { code field message } } }"""
READ = """query($p: ID!) { guaranteeRating(projectId: $p) { grade total } guaranteeDueDiligenceReport(projectId: $p)
  { status conclusion } guaranteeScorecardTemplates(customerKind: "corporate") { code active } }"""
Y2024 = dict(total_assets="1200000.00", total_liabilities="660000.00", current_assets="540000.00",
             current_liabilities="300000.00", inventory="120000.00", equity="540000.00", revenue="1000000.00",
             net_profit="81000.00")
MORTGAGE = {"kind": "mortgage", "ownerName": "李四", "valuation": "2000000.00", "valuationDate": "2025-06-30",
            "discountRate": "0.7", "collateral": {"certificate_no": "C-1", "address": "北京市朝阳区建国路1号"}}


def _setup(gw):
    with gw.session() as s:
        install_default_templates(s)
    with gw.acting("mgr") as (s, a):
        set_statement(s, a, gw.customers["corp"], dt.date(2024, 12, 31), Y2024)
        project = make_project(s, a, gw.customers["corp"], amount="3000000.00")
        return relay.to_base64("GuaranteeProject", project.id)


def test_counter_guarantees_and_risk(api, gw):
    pid = _setup(gw)
    slug = gw.tenant.slug
    mgr, admin, viewer = api.login(slug, "mgr"), api.login(slug, "admin"), api.login(slug, "viewer")
    r = api(ADD, {"i": {**MORTGAGE, "projectId": pid}}, token=mgr)["data"]["guaranteeCounterGuaranteeAdd"]
    assert r["errors"] == []
    cg = r["counterGuarantee"]
    assert cg["ownerName"] == "李*" and cg["collateral"]["certificate_no"] == "C-1"
    assert cg["collateral"]["address"] != MORTGAGE["collateral"]["address"]  # masked
    assert cg["coveredAmount"] == "1400000.00" and cg["valuationDate"] == "2025-06-30"
    assert r["risk"] == {"coverageRatio": "0.466667", "riskAmount": "2300000.00", "riskDegree": "0.766667",
                         "lines": [{"kind": "mortgage", "counted": "1400000.00"}]}
    bad = api(ADD, {"i": {**MORTGAGE, "projectId": pid, "discountRate": "1.5"}},
              token=mgr)["data"]["guaranteeCounterGuaranteeAdd"]
    assert bad["counterGuarantee"] is None and bad["errors"][0]["field"] == "discountRate"
    wrong_id = api(ADD, {"i": {**MORTGAGE, "projectId": cg["id"]}}, token=mgr)["data"]["guaranteeCounterGuaranteeAdd"]
    assert wrong_id["errors"][0] == {"code": "NOT_FOUND", "field": "projectId",
                                     "message": "No GuaranteeProject with that id."}

    up = api(UPDATE, {"i": {"id": cg["id"], "discountRate": "0.5"}},
             token=mgr)["data"]["guaranteeCounterGuaranteeUpdate"]
    assert up["errors"] == [] and up["risk"]["riskAmount"] == "2500000.00"

    listed = api(LIST, {"p": pid, "r": True}, token=admin)["data"]  # the admin may reveal (audited)
    assert listed["guaranteeCounterGuarantees"][0]["ownerName"] == "李四"
    assert listed["guaranteeCounterGuarantees"][0]["collateral"]["address"] == "北京市朝阳区建国路1号"
    assert listed["guaranteeProjectRisk"] == {"amount": "3000000.00", "coveredAmount": "1000000.00",
                                              "coverageRatio": "0.333333", "uncoveredAmount": "2000000.00",
                                              "riskAmount": "2500000.00", "riskDegree": "0.833333",
                                              "customerWeight": "1.0"}
    assert error_codes(api(LIST, {"p": pid, "r": False}, token=viewer)) == ["FORBIDDEN"]

    w = api(WEIGHTS, {"w": [{"group": "counter", "kind": "mortgage", "weight": "0.3"}]}, token=admin)
    w = w["data"]["guaranteeRiskWeightsUpdate"]
    assert w["errors"] == [] and {"group": "counter", "kind": "mortgage", "weight": "0.3"} in w["weights"]
    refused = api(WEIGHTS, {"w": [{"group": "counter", "kind": "mortgage", "weight": "0.3"}]},
                  token=mgr)["data"]["guaranteeRiskWeightsUpdate"]
    assert refused["errors"][0]["code"] == "FORBIDDEN"
    bad_w = api(WEIGHTS, {"w": [{"group": "counter", "kind": "gold", "weight": "0.3"}]},
                token=admin)["data"]["guaranteeRiskWeightsUpdate"]
    assert bad_w["errors"][0]["field"] == "weights" and "'gold'" in bad_w["errors"][0]["message"]

    gone = api(REMOVE, {"id": cg["id"]}, token=mgr)["data"]["guaranteeCounterGuaranteeRemove"]
    assert gone == {"ok": True, "risk": {"riskAmount": "3000000.00"}, "errors": []}
    again = api(REMOVE, {"id": cg["id"]}, token=mgr)["data"]["guaranteeCounterGuaranteeRemove"]
    assert again["ok"] is False and again["errors"][0]["code"] == "NOT_FOUND"


def test_scorecards_rating_and_due_diligence(api, gw):
    pid = _setup(gw)
    slug = gw.tenant.slug
    mgr, risk = api.login(slug, "mgr"), api.login(slug, "risk")
    card = {"code": "corp-2", "customerKind": "corporate", "name": "企业评级 2", "indicators": [
        {"key": "debt", "name": "资产负债率", "kind": "quantitative", "weight": "0.6", "source": "debt_ratio",
         "bands": [{"max": "0.6", "points": "100"}, {"min": "0.6", "points": "40"}]},
        {"key": "mgmt", "name": "管理", "kind": "qualitative", "weight": "0.3", "maxPoints": "10"}],
        "grades": [{"grade": "A", "min": "80"}, {"grade": "B", "min": "0"}]}
    bad = api(SAVE_CARD, {"i": card}, token=risk)["data"]["guaranteeScorecardTemplateSave"]
    assert bad["template"] is None and bad["errors"][0]["field"] == "indicators"
    assert "sum to 1; they sum to 0.9" in bad["errors"][0]["message"]
    card["indicators"][1]["weight"] = "0.4"
    saved = api(SAVE_CARD, {"i": card}, token=risk)["data"]["guaranteeScorecardTemplateSave"]
    assert saved["errors"] == [] and saved["template"]["version"] == 1 and saved["template"]["active"]
    assert saved["template"]["indicators"][0]["bands"][0] == {"min": None, "max": "0.6", "points": "100"}
    denied = api(SAVE_CARD, {"i": {**card, "code": "x"}}, token=mgr)["data"]["guaranteeScorecardTemplateSave"]
    assert denied["errors"][0]["code"] == "FORBIDDEN"

    missing = api(SCORE, {"i": {"projectId": pid, "scores": []}}, token=mgr)["data"]["guaranteeRatingScore"]
    assert missing["errors"][0]["field"] == "scores" and "'mgmt'" in missing["errors"][0]["message"]
    twice = api(SCORE, {"i": {"projectId": pid, "scores": [{"key": "mgmt", "points": "5"}] * 2}},
                token=mgr)["data"]["guaranteeRatingScore"]
    assert "scored twice" in twice["errors"][0]["message"]
    rated = api(SCORE, {"i": {"projectId": pid, "scores": [{"key": "mgmt", "points": "5"}], "comment": "ok"}},
                token=mgr)["data"]["guaranteeRatingScore"]
    assert rated["errors"] == []
    # 0.6 x 100 (debt ratio 0.55) + 0.4 x 5/10 x 100 = 80.00 -> A
    assert rated["rating"]["total"] == "80.00" and rated["rating"]["grade"] == "A"
    assert rated["rating"]["templateName"] == "企业评级 2" and rated["rating"]["statementPeriodEnd"] == "2024-12-31"
    assert rated["rating"]["scores"][0] == {"key": "debt", "value": "0.550000", "points": "100", "score": "60.0000"}

    full = {"projectId": pid, "businessOverview": "a", "financialAnalysis": "b", "repaymentSource": "c",
            "counterGuaranteeAnalysis": "d", "risks": "e", "conclusion": "同意", "recommendedAmount": "2000000",
            "recommendedTermMonths": 12, "recommendedRate": "0.02"}
    head_try = api(DD_SAVE, {"i": full}, token=api.login(slug, "head"))["data"]["guaranteeDueDiligenceReportSave"]
    assert head_try["errors"][0]["code"] == "FORBIDDEN"
    draft = api(DD_SAVE, {"i": full}, token=mgr)["data"]["guaranteeDueDiligenceReportSave"]
    assert draft["errors"] == [] and draft["report"] == {"status": "draft", "version": 1,
                                                         "recommendedAmount": "2000000.00",
                                                         "recommendedRate": "0.02000000", "conclusion": "同意"}
    cleared = api(DD_SAVE, {"i": {"projectId": pid, "recommendedAmount": None}},
                  token=mgr)["data"]["guaranteeDueDiligenceReportSave"]
    assert cleared["report"]["recommendedAmount"] is None and cleared["report"]["conclusion"] == "同意"
    refused = api(DD_SUBMIT, {"p": pid}, token=mgr)["data"]["guaranteeDueDiligenceReportSubmit"]
    assert refused["errors"][0]["field"] == "recommendedAmount"
    api(DD_SAVE, {"i": {"projectId": pid, "recommendedAmount": "1800000"}}, token=mgr)
    done = api(DD_SUBMIT, {"p": pid}, token=mgr)["data"]["guaranteeDueDiligenceReportSubmit"]
    assert done["errors"] == [] and done["report"]["status"] == "submitted"
    assert done["report"]["ratingId"].startswith("R3VhcmFudGVlUmF0aW5n")  # base64 of "GuaranteeRating"

    read = api(READ, {"p": pid}, token=risk)["data"]
    assert read["guaranteeRating"] == {"grade": "A", "total": "80.00"}
    assert read["guaranteeDueDiligenceReport"] == {"status": "submitted", "conclusion": "同意"}
    assert {"code": "corp-2", "active": True} in read["guaranteeScorecardTemplates"]
    assert {"code": "default-corporate", "active": False} in read["guaranteeScorecardTemplates"]
