"""GraphQL of filings: file one (refused with every reason, then filed), import a workbook as base64 (a dry run, a
refused batch with its row-by-row report, a filed batch), the template, the list with filters and nested
agreement/partner/programme/batch, confirm by another person (four eyes), reject, release and the line usage."""

from __future__ import annotations

import base64
import io

from openpyxl import Workbook
from sqlalchemy import func, select
from strawberry import relay

from surety.core.testing import graphql_in_language, mutation_ok
from surety.plugins.reguarantee.filing import importer
from surety.plugins.reguarantee.filing.models import ReguaranteeFiling
from surety.plugins.reguarantee.testing import make_agreement, make_credit_code, make_filing, make_partner

FILING = ("id filingNo status statusLabel projectRef customerKindLabel customerIdNumberMasked guaranteeAmount "
          "shareReguarantor feeRate feeAmount agreement { agreementNo } partner { name } programme { code } "
          "batch { batchNo }")
FILE_ONE = ("mutation($a: ID!, $i: ReguaranteeFilingInput!) { reguaranteeFilingFileOne(agreementId: $a, input: $i) "
            "{ filing { " + FILING + " } errors { code field message } } }")
IMPORT = ("mutation($a: ID!, $c: String!, $d: Boolean!) { reguaranteeFilingImport(agreementId: $a, contentBase64: $c, "
          "fileName: \"批量.xlsx\", dryRun: $d) { report { ok dryRun written rowCount refusedCount totalAmount "
          "batch { batchNo rowCount } rows { row projectRef filingNo reasons warnings columns } } "
          "errors { code field message } } }")
LIST = ("query($f: ReguaranteeFilingFilterInput) { reguaranteeFilings(first: 10, filter: $f) { totalCount "
        "edges { node { " + FILING + " } } } }")
CONFIRM = "mutation($id: ID!) { reguaranteeFilingConfirm(id: $id) { filing { status } errors { code message } } }"
REJECT = ("mutation($id: ID!, $r: [String!]!) { reguaranteeFilingReject(id: $id, reasons: $r) "
          "{ filing { status rejectReasons } errors { code } } }")
RELEASE = ("mutation($id: ID!, $k: String!, $on: Date!) { reguaranteeFilingRelease(id: $id, kind: $k, on: $on) "
           "{ filing { status releaseKind releasedOn } errors { code field } } }")
USAGE = "query($ids: [ID!]!) { reguaranteeLineUsage(agreementIds: $ids) { agreementId line used available } }"
HEADERS = list(importer.COLUMNS)


def _gid(type_name: str, value) -> str:
    return relay.to_base64(type_name, str(value))


def _one(n: int, **over) -> dict:
    return {"projectRef": f"XM-{n}", "customerName": f"企业{n}", "customerKind": "enterprise",
            "customerIdNumber": make_credit_code(n, "91320500"), "scope": "小微", "loanAmount": "2000000",
            "guaranteeAmount": "2000000", "startDate": "2026-03-01", "endDate": "2027-03-01", **over}


def _xlsx(*refs: str, amount: int = 1000000) -> str:
    wb = Workbook()
    ws = wb.active
    ws.append(HEADERS)
    for n, ref in enumerate(refs, start=100):
        ws.append([ref, f"JK-{n}", f"企业{n}", "企业", make_credit_code(n, "91320500"), "小微", "江苏省南京市",
                   "制造业", "南京银行", amount, amount, "0.04", "2026-03-01", "2027-03-01", 1])
    buf = io.BytesIO()
    wb.save(buf)
    return base64.b64encode(buf.getvalue()).decode()


def test_file_import_list_confirm_reject_release(api, rw):
    with rw.session() as s:
        partner = make_partner(s, name="江宁担保")
        aid = make_agreement(s, partner, line_amount="10000000.00").id
    a = _gid("ReguaranteeAgreement", aid)
    mgr, risk = api.login(rw.tenant.slug, "mgr"), api.login(rw.tenant.slug, "risk")

    bad_one = {"a": a, "i": _one(1, guaranteeAmount="3000000", customerKind="公司")}
    errors = api(FILE_ONE, bad_one, mgr)["data"]["reguaranteeFilingFileOne"]["errors"]
    assert errors == [{"code": "VALIDATION_FAILED", "field": "customerKind", "message": (
        "The filing is refused: 客户类型 is one of 企业、个体工商户、农户、自然人, not 公司.；The guaranteed amount "
        "3000000.00 is above the loan amount 2000000.00.")}]
    errors = graphql_in_language(api, FILE_ONE, bad_one, mgr, "zh-CN")["data"]["reguaranteeFilingFileOne"]["errors"]
    assert errors[0]["message"] == ("备案未通过：客户类型须为以下之一：企业、个体工商户、农户、自然人；不能是 公司。；"
                                    "担保金额 3000000.00 高于贷款金额 2000000.00。")

    one = mutation_ok(api(FILE_ONE, {"a": a, "i": _one(1)}, mgr), "reguaranteeFilingFileOne")["filing"]
    assert (one["status"], one["statusLabel"], one["customerKindLabel"]) == ("filed", "已备案待确认", "企业")
    assert one["customerIdNumberMasked"] != make_credit_code(1, "91320500") and "*" in one["customerIdNumberMasked"]
    assert (one["shareReguarantor"], one["feeRate"], one["feeAmount"]) == ("400000.00", "0.00300000", "1200.00")
    assert one["partner"]["name"] == "江宁担保" and one["programme"]["code"] == "standard" and one["batch"] is None

    dry = api(IMPORT, {"a": a, "c": _xlsx("P1", "P2"), "d": True}, mgr)["data"]["reguaranteeFilingImport"]
    assert dry["report"]["ok"] and dry["report"]["dryRun"] and not dry["report"]["written"]
    assert [r["row"] for r in dry["report"]["rows"]] == [2, 3]
    bad = graphql_in_language(api, IMPORT, {"a": a, "c": _xlsx("P1", "XM-1"), "d": False}, mgr,
                              "zh-CN")["data"]["reguaranteeFilingImport"]
    assert not bad["report"]["ok"] and bad["report"]["refusedCount"] == 1 and bad["report"]["batch"] is None
    assert bad["report"]["rows"][1]["reasons"] == [f"项目 XM-1 已备案（备案编号 {one['filingNo']}）。"]
    assert bad["report"]["rows"][1]["columns"] == ["项目编号"]
    done = api(IMPORT, {"a": a, "c": _xlsx("P1", "P2"), "d": False}, mgr)["data"]["reguaranteeFilingImport"]
    assert done["report"]["written"] and done["report"]["batch"]["rowCount"] == 2
    assert done["report"]["totalAmount"] == "2000000.00"
    assert all(r["filingNo"] for r in done["report"]["rows"])
    unreadable = api(IMPORT, {"a": a, "c": "%%%", "d": True}, mgr)["data"]["reguaranteeFilingImport"]
    assert unreadable["report"] is None and unreadable["errors"][0]["field"] == "file"

    listed = api(LIST, {"f": {"agreementId": a, "status": "filed"}}, mgr)["data"]["reguaranteeFilings"]
    assert listed["totalCount"] == 3
    batch_nos = {e["node"]["batch"]["batchNo"] for e in listed["edges"] if e["node"]["batch"]}
    assert batch_nos == {done["report"]["batch"]["batchNo"]}
    by_ref = {e["node"]["projectRef"]: e["node"]["id"] for e in listed["edges"]}

    own = api(CONFIRM, {"id": one["id"]}, mgr)["data"]["reguaranteeFilingConfirm"]
    assert own["errors"][0]["code"] == "FORBIDDEN"
    assert mutation_ok(api(CONFIRM, {"id": one["id"]}, risk), "reguaranteeFilingConfirm")["filing"]["status"] == (
        "confirmed")
    rejected = mutation_ok(api(REJECT, {"id": by_ref["P1"], "r": ["缺少担保合同"]}, risk), "reguaranteeFilingReject")
    assert rejected["filing"] == {"status": "rejected", "rejectReasons": ["缺少担保合同"]}
    early = api(RELEASE, {"id": one["id"], "k": "normal", "on": "2026-02-01"}, mgr)["data"]
    assert early["reguaranteeFilingRelease"]["errors"] == [{"code": "VALIDATION_FAILED", "field": "on"}]
    released = mutation_ok(api(RELEASE, {"id": one["id"], "k": "compensation", "on": "2026-09-30"}, mgr),
                           "reguaranteeFilingRelease")["filing"]
    assert released == {"status": "compensated", "releaseKind": "compensation", "releasedOn": "2026-09-30"}

    usage = api(USAGE, {"ids": [a]}, mgr)["data"]["reguaranteeLineUsage"]
    assert usage == [{"agreementId": a, "line": "10000000.00", "used": "1000000.00", "available": "9000000.00"}]
    viewer = api.login(rw.tenant.slug, "viewer")
    assert api(LIST, None, viewer)["data"]["reguaranteeFilings"]["totalCount"] == 3


def test_a_row_is_checked_before_filing_with_its_warnings(api, rw):
    with rw.session() as s:
        aid = make_agreement(s, make_partner(s, name="江宁担保")).id
        other = make_agreement(s, make_partner(s, name="六合担保"))
        make_filing(s, other, customer_id_number=make_credit_code(1, "91320500"), loan_contract_no="JK-9")
    query = ("query($a: ID!, $i: ReguaranteeFilingInput!) { reguaranteeFilingCheck(agreementId: $a, input: $i) "
             "{ row projectRef filingNo reasons warnings columns } }")
    token = api.login(rw.tenant.slug, "mgr")
    variables = {"a": _gid("ReguaranteeAgreement", aid), "i": _one(1, loanContractNo="JK-9")}
    out = graphql_in_language(api, query, variables, token, "zh-CN")["data"]["reguaranteeFilingCheck"]
    assert out == {"row": 1, "projectRef": "XM-1", "filingNo": None, "reasons": [],
                   "warnings": ["同一客户的借款合同 JK-9 已由六合担保备案。"], "columns": []}
    variables["i"]["endDate"] = "2026-02-01"
    out = api(query, variables, token)["data"]["reguaranteeFilingCheck"]
    assert out["reasons"] == ["The end date 2026-02-01 is not after the start date 2026-03-01."]
    assert out["columns"] == ["到期日"]
    with rw.session() as s:
        assert s.scalar(select(func.count()).select_from(ReguaranteeFiling)) == 1  # only the other partner's


def test_the_template_is_served(api, rw):
    token = api.login(rw.tenant.slug, "viewer")
    out = api("{ reguaranteeFilingTemplate { fileName contentBase64 } }", None, token)["data"]
    content = base64.b64decode(out["reguaranteeFilingTemplate"]["contentBase64"])
    assert out["reguaranteeFilingTemplate"]["fileName"].endswith(".xlsx")
    assert importer.read_rows(content).rows[0]["project_ref"] == "XM-2026-0001"
