"""GraphQL of partners: create (contact masked, revealed with core:pii:reveal), update, list with filters, admission
request and analysis, suspend / resume / terminate, evaluations; refused inputs come back as typed errors in the
request's language; a reader may not manage; a tenant without the plugin gets PLUGIN_NOT_ENABLED."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from surety.core.testing import error_codes, graphql_in_language, mutation_ok
from surety.plugins.reguarantee.partner.models import ReguaranteePartner
from surety.plugins.reguarantee.testing import make_credit_code

PARTNER = ("id name kind kindLabel creditCode region registeredCapital status statusLabel statusReason analysisScore "
           "analysisLines { key label weight score } admittedOn contactName contactPhone "
           "evaluations { period score remarks evaluatedOn } currentTask { stepKey }")
CREATE = ("mutation($i: ReguaranteePartnerCreateInput!) { reguaranteePartnerCreate(input: $i) { partner { "
          + PARTNER + " } errors { code field message } } }")
NEW = {"name": "溧水区融资担保有限公司", "kind": "guarantee_county", "creditCode": make_credit_code(11),
       "region": "江苏省南京市溧水区", "registeredCapital": "200000000", "contactName": "王强",
       "contactPhone": "13900001234"}
LIST = ("query($f: ReguaranteePartnerFilterInput, $n: Int) { reguaranteePartners(filter: $f, first: $n) "
        "{ totalCount edges { node { name kind status } } pageInfo { hasNextPage } } }")
STATUS = ("mutation($i: ReguaranteePartnerStatusInput!) { %s(input: $i) { partner { status statusReason } "
          "errors { code field message } } }")


def _create(api, token, **over):
    return mutation_ok(api(CREATE, {"i": {**NEW, **over}}, token), "reguaranteePartnerCreate")["partner"]


def test_create_shows_the_contact_masked_and_reveals_it_for_admin(api, rw):
    token = api.login(rw.tenant.slug)
    p = _create(api, token)
    assert (p["status"], p["statusLabel"], p["kindLabel"], p["registeredCapital"]) == (
        "applying", "申请中", "县级担保公司", "200000000.00")
    assert p["contactPhone"] == "139****1234" and p["contactName"] != "王强"
    assert p["currentTask"] is None and p["evaluations"] == [] and p["analysisLines"] == []
    body = api("query($id: ID!) { node(id: $id) { ... on ReguaranteePartner { contactPhone(reveal: true) } } }",
               {"id": p["id"]}, token)
    assert body["data"]["node"]["contactPhone"] == "13900001234"


@pytest.mark.parametrize(("language", "message"), [
    (None, "统一社会信用代码为 {code} 的合作机构已存在。"),
    ("en", "A partner with the credit code {code} already exists."),
])
def test_a_duplicate_is_refused_in_the_request_language(api, rw, language, message):
    token = api.login(rw.tenant.slug)
    _create(api, token)
    body = graphql_in_language(api, CREATE, {"i": NEW}, token, language)
    assert body["data"]["reguaranteePartnerCreate"]["errors"] == [
        {"code": "CONFLICT", "field": "creditCode", "message": message.format(code=NEW["creditCode"])}]


def test_list_filters_and_pages(api, rw):
    token = api.login(rw.tenant.slug)
    for n, kind in enumerate(("bank", "guarantee_city", "guarantee_county", "guarantee_county")):
        _create(api, token, name=f"机构{n}", kind=kind, creditCode=make_credit_code(20 + n))
    page = api(LIST, {"n": 2}, token)["data"]["reguaranteePartners"]
    assert page["totalCount"] == 4 and page["pageInfo"]["hasNextPage"] is True
    county = api(LIST, {"f": {"kind": "guarantee_county"}}, token)["data"]["reguaranteePartners"]
    assert [e["node"]["name"] for e in county["edges"]] == ["机构2", "机构3"]
    assert api(LIST, {"f": {"status": "active"}}, token)["data"]["reguaranteePartners"]["totalCount"] == 0
    assert error_codes(api(LIST, {"f": {"status": "asleep"}}, token)) == ["VALIDATION_FAILED"]


def test_update_admission_analysis_status_and_evaluation(api, rw):
    token = api.login(rw.tenant.slug)
    p = _create(api, token)
    upd = mutation_ok(api("mutation($i: ReguaranteePartnerUpdateInput!) { reguaranteePartnerUpdate(input: $i) { "
                          "partner { region registeredCapital } errors { code } } }",
                          {"i": {"id": p["id"], "region": "江苏省南京市"}}, token), "reguaranteePartnerUpdate")
    assert upd["partner"] == {"region": "江苏省南京市", "registeredCapital": "200000000.00"}
    req = mutation_ok(api("mutation($id: ID!) { reguaranteePartnerAdmissionRequest(id: $id) { partner { status "
                          "currentTask { stepKey } } errors { code } } }", {"id": p["id"]}, token),
                      "reguaranteePartnerAdmissionRequest")
    assert req["partner"] == {"status": "in_admission", "currentTask": {"stepKey": "acceptance"}}
    with rw.session() as s:
        iid = s.scalar(select(ReguaranteePartner.admission_instance_id))
    assert rw.do("head", iid) == ("analysis", "running")
    analysed = mutation_ok(api("mutation($i: ReguaranteePartnerAnalysisInput!) { reguaranteePartnerAnalysisRecord("
                               "input: $i) { partner { analysisScore analysisLines { key score } } errors { code } } }",
                               {"i": {"id": p["id"], "scores": {"capital": 80, "operations": 70,
                                                                "compensation_capacity": 60, "risk_control": 90}}},
                               token), "reguaranteePartnerAnalysisRecord")
    assert analysed["partner"]["analysisScore"] == "74.50"
    assert analysed["partner"]["analysisLines"][0] == {"key": "capital", "score": "80.00"}
    refused = api(STATUS % "reguaranteePartnerSuspend", {"i": {"id": p["id"], "reason": "代偿率高"}}, token)
    assert refused["data"]["reguaranteePartnerSuspend"]["errors"][0]["code"] == "CONFLICT"
    ev = mutation_ok(api("mutation($i: ReguaranteePartnerEvaluationInput!) { reguaranteePartnerEvaluationRecord("
                         "input: $i) { evaluation { period score } errors { code } } }",
                         {"i": {"partnerId": p["id"], "period": "2025", "score": "88"}}, token),
                     "reguaranteePartnerEvaluationRecord")
    assert ev["evaluation"] == {"period": "2025", "score": "88.00"}


def test_suspend_resume_terminate(api, rw):
    token = api.login(rw.tenant.slug)
    p = _create(api, token)
    with rw.session() as s:
        s.execute(update(ReguaranteePartner).values(status="active"))
    for field, status in (("reguaranteePartnerSuspend", "suspended"), ("reguaranteePartnerResume", "active"),
                          ("reguaranteePartnerTerminate", "terminated")):
        out = mutation_ok(api(STATUS % field, {"i": {"id": p["id"], "reason": f"原因 {status}"}}, token), field)
        assert out["partner"] == {"status": status, "statusReason": f"原因 {status}"}


def test_a_reader_cannot_create_and_another_tenant_has_no_plugin(api, rw, make_tenant):
    token = api.login(rw.tenant.slug, "viewer")
    body = api(CREATE, {"i": NEW}, token)
    assert body["data"]["reguaranteePartnerCreate"]["errors"][0]["code"] == "FORBIDDEN"
    assert api(LIST, {}, token)["data"]["reguaranteePartners"]["totalCount"] == 0
    other = make_tenant(plugins=["customers"])
    assert error_codes(api(LIST, {}, api.login(other.slug))) == ["PLUGIN_NOT_ENABLED"]
