"""GraphQL of programmes and agreements: the default programmes, a programme edit, an agreement created with the
programme's terms, changed while a draft and activated, the list with filters and nested partner/programme, the fee
preview with the issue's numbers (in 元 and 万元) and the eligibility check with every reason."""

from __future__ import annotations

from strawberry import relay

from surety.core.testing import error_codes, mutation_ok
from surety.plugins.reguarantee.testing import make_agreement, make_partner, programme

PROGRAMMES = ("{ reguaranteeProgrammes { id code name fundShareMax householdCap baseFeeRate reducedFeeRate "
              "reducedThreshold feeMultiplier split { original reguarantor nationalFund bank } } }")
AGREEMENT = ("id agreementNo lineAmount validFrom validTo status statusLabel householdCap feeMultiplier "
             "split { original reguarantor nationalFund bank } eligibilityRules { field op value message } "
             "partner { name } programme { code }")
CREATE = ("mutation($i: ReguaranteeAgreementCreateInput!) { reguaranteeAgreementCreate(input: $i) { agreement { "
          + AGREEMENT + " } errors { code field message } } }")
LIST = ("query($f: ReguaranteeAgreementFilterInput) { reguaranteeAgreements(filter: $f) { totalCount "
        "edges { node { agreementNo status partner { name } programme { code } } } } }")
PREVIEW = ("query($a: ID!, $x: Decimal!, $d: Int!, $b: Decimal, $u: AmountUnit) { reguaranteeFeePreview("
           "agreementId: $a, amount: $x, termDays: $d, customerBalance: $b, unit: $u) { amountUnit amount "
           "shares { party partyLabel ratio amount } feeRate annualFee termDays fee customerBalance householdCap "
           "capHeadroom withinHouseholdCap } }")
CHECK = ("query($a: ID!, $f: JSON!) { reguaranteeEligibilityCheck(agreementId: $a, fields: $f) "
         "{ eligible reasons } }")
RULES = [
    {"field": "scope", "op": "in", "value": ["小微", "三农"], "message": "服务对象须为小微企业或三农主体"},
    {"field": "debt_ratio", "op": "<=", "value": "0.70", "message": "资产负债率须不高于 70%"},
]


def _gid(type_name: str, value) -> str:
    return relay.to_base64(type_name, str(value))


def test_programmes_and_an_edit(api, rw):
    token = api.login(rw.tenant.slug)
    rows = {p["code"]: p for p in api(PROGRAMMES, None, token)["data"]["reguaranteeProgrammes"]}
    assert rows["standard"]["name"] == "标准业务" and rows["standard"]["householdCap"] == "10000000.00"
    assert rows["private_investment"]["feeMultiplier"] == "0.50000000"
    assert rows["tech_innovation"]["split"]["nationalFund"] == "0.40"
    out = mutation_ok(api("mutation($i: ReguaranteeProgrammeUpdateInput!) { reguaranteeProgrammeUpdate(input: $i) "
                          "{ programme { householdCap } errors { code } } }",
                          {"i": {"id": rows["standard"]["id"], "householdCap": "12000000"}}, token),
                      "reguaranteeProgrammeUpdate")
    assert out["programme"]["householdCap"] == "12000000.00"
    mgr = api.login(rw.tenant.slug, "mgr")
    refused = api("mutation($i: ReguaranteeProgrammeUpdateInput!) { reguaranteeProgrammeUpdate(input: $i) "
                  "{ errors { code } } }", {"i": {"id": rows["standard"]["id"], "name": "x"}}, mgr)
    assert refused["data"]["reguaranteeProgrammeUpdate"]["errors"] == [{"code": "FORBIDDEN"}]


def test_create_update_activate_and_list(api, rw):
    with rw.session() as s:
        partner = make_partner(s, name="溧水区融资担保有限公司")
        pid, prog = partner.id, programme(s, "private_investment").id
    token = api.login(rw.tenant.slug, "mgr")
    new = {"agreementNo": "ZDB-2026-001", "partnerId": _gid("ReguaranteePartner", pid),
           "programmeId": _gid("ReguaranteeProgramme", prog), "lineAmount": "50000000", "validFrom": "2026-01-01",
           "validTo": "2030-12-31", "eligibilityRules": RULES}
    a = mutation_ok(api(CREATE, {"i": new}, token), "reguaranteeAgreementCreate")["agreement"]
    assert (a["status"], a["statusLabel"], a["householdCap"], a["partner"], a["programme"]) == (
        "draft", "草稿", "20000000.00", {"name": "溧水区融资担保有限公司"}, {"code": "private_investment"})
    assert a["split"] == {"original": "0.20", "reguarantor": "0.20", "nationalFund": "0.40", "bank": "0.20"}
    assert a["eligibilityRules"] == RULES
    bad = api(CREATE, {"i": {**new, "agreementNo": "X", "split": {"original": "0.5", "reguarantor": "0.2",
                                                                  "nationalFund": "0.2", "bank": "0.2"}}}, token)
    assert bad["data"]["reguaranteeAgreementCreate"]["errors"][0]["code"] == "VALIDATION_FAILED"
    upd = mutation_ok(api("mutation($i: ReguaranteeAgreementUpdateInput!) { reguaranteeAgreementUpdate(input: $i) "
                          "{ agreement { lineAmount } errors { code } } }",
                          {"i": {"id": a["id"], "lineAmount": "60000000"}}, token), "reguaranteeAgreementUpdate")
    assert upd["agreement"]["lineAmount"] == "60000000.00"
    act = mutation_ok(api("mutation($id: ID!) { reguaranteeAgreementActivate(id: $id) { agreement { status } "
                          "errors { code } } }", {"id": a["id"]}, token), "reguaranteeAgreementActivate")
    assert act["agreement"]["status"] == "active"
    with rw.session() as s:
        make_agreement(s, make_partner(s), status="draft")
    all_rows = api(LIST, {}, token)["data"]["reguaranteeAgreements"]
    assert all_rows["totalCount"] == 2
    mine = api(LIST, {"f": {"partnerId": _gid("ReguaranteePartner", pid), "status": "active"}},
               token)["data"]["reguaranteeAgreements"]
    assert [e["node"]["agreementNo"] for e in mine["edges"]] == ["ZDB-2026-001"]


def test_fee_preview_in_yuan_and_wan(api, rw):
    with rw.session() as s:
        aid = make_agreement(s, make_partner(s)).id
    token = api.login(rw.tenant.slug, "viewer")
    gid = _gid("ReguaranteeAgreement", aid)
    p = api(PREVIEW, {"a": gid, "x": "10000000", "d": 365}, token)["data"]["reguaranteeFeePreview"]
    assert p["amountUnit"] == "YUAN"
    assert {s["party"]: s["amount"] for s in p["shares"]} == {
        "original": "4000000.00", "reguarantor": "2000000.00", "national_fund": "2000000.00", "bank": "2000000.00"}
    assert (p["feeRate"], p["annualFee"], p["fee"], p["withinHouseholdCap"], p["capHeadroom"]) == (
        "0.00500000", "10000.00", "10000.00", True, "0.00")
    wan = api(PREVIEW, {"a": gid, "x": "500", "d": 180, "b": "600", "u": "WAN"}, token)["data"][
        "reguaranteeFeePreview"]
    # 500万: share 100万, 0.3 % -> 3,000 a year = 0.3万; 180 days: 1,479.45 yuan = 0.147945万; 600 + 500 > 1000万.
    assert (wan["amountUnit"], wan["feeRate"], wan["annualFee"], wan["fee"], wan["withinHouseholdCap"],
            wan["capHeadroom"]) == ("WAN", "0.00300000", "0.300000", "0.147945", False, "-100.000000")
    assert error_codes(api(PREVIEW, {"a": gid, "x": "0", "d": 365}, token)) == ["VALIDATION_FAILED"]


def test_eligibility_check(api, rw):
    with rw.session() as s:
        aid = make_agreement(s, make_partner(s), eligibility_rules=RULES).id
    token = api.login(rw.tenant.slug, "viewer")
    gid = _gid("ReguaranteeAgreement", aid)
    ok = api(CHECK, {"a": gid, "f": {"scope": "小微", "debt_ratio": "0.65"}}, token)["data"]
    assert ok["reguaranteeEligibilityCheck"] == {"eligible": True, "reasons": []}
    no = api(CHECK, {"a": gid, "f": {"scope": "大型", "debt_ratio": "0.80"}}, token)["data"]
    assert no["reguaranteeEligibilityCheck"] == {"eligible": False, "reasons": [r["message"] for r in RULES]}
    assert error_codes(api(CHECK, {"a": gid, "f": [1]}, token)) == ["VALIDATION_FAILED"]
