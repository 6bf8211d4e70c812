"""GraphQL of the forms area: the forms, a new version, a report filled, reviewed, locked and exported (base64
.xlsx), the reports connection with filters, the due dates, and a refused step as a typed error."""

from __future__ import annotations

import base64
import io

from openpyxl import load_workbook

from surety.core.testing import GraphQLFlow

FORMS = "{ regulatoryForms { id code version name cadence current columns } }"
REPORT = "id formCode formVersion period periodLabel asOf version status statusLabel dueDate cells " \
         "lines { code label unit values }"
FILL = ("mutation($i: RegulatoryReportFillInput!) { regulatoryReportFill(input: $i) { report { " + REPORT
        + " } errors { code field message } } }")
STEP = "mutation($id: ID!) {{ {name}(id: $id) {{ report {{ status }} errors {{ code message }} }} }}"
LIST = ("query($f: RegulatoryReportFilterInput) { regulatoryReports(filter: $f) { totalCount "
        "edges { node { period status formCode } } } }")


def test_a_report_through_graphql(api, fw, figures):
    flow = GraphQLFlow(api, fw.tenant.slug)
    forms = flow.query("fin", FORMS)["regulatoryForms"]
    assert [(f["code"], f["version"], f["cadence"]) for f in forms] == [("monthly_main", 1, "month"),
                                                                        ("quarterly_status", 1, "quarter")]
    assert [c["label"] for c in forms[0]["columns"]] == ["数额", "年初数", "上年同期"]
    report = flow.mutate("fin", FILL, "regulatoryReportFill", {"i": {"formCode": "monthly_main",
                                                                     "period": "2026M10"}})["report"]
    assert (report["status"], report["periodLabel"], report["asOf"]) == ("draft", "2026年10月", "2026-10-31")
    assert report["lines"][0] == {"code": "01", "label": "注册资本", "unit": "万元", "values": ["0.00", "0.00",
                                                                                             "0.00"]}
    refused = flow.call("fin", STEP.format(name="regulatoryReportLock"), {"id": report["id"]})
    assert refused["data"]["regulatoryReportLock"]["errors"][0]["code"] == "FORBIDDEN"
    flow.mutate("risk", STEP.format(name="regulatoryReportReview"), "regulatoryReportReview", {"id": report["id"]})
    locked = flow.mutate("exec", STEP.format(name="regulatoryReportLock"), "regulatoryReportLock",
                         {"id": report["id"]})
    assert locked["report"]["status"] == "locked"
    again = flow.call("fin", FILL, {"i": {"formCode": "monthly_main", "period": "2026M10"}})
    assert again["data"]["regulatoryReportFill"]["errors"][0]["code"] == "CONFLICT"
    exported = flow.mutate("viewer", "mutation($id: ID!) { regulatoryReportExport(id: $id) { file { filename "
                                     "contentType size contentBase64 } errors { code } } }",
                           "regulatoryReportExport", {"id": report["id"]})["file"]
    assert exported["filename"] == "monthly_main-2026M10-v1.xlsx"
    ws = load_workbook(io.BytesIO(base64.b64decode(exported["contentBase64"]))).active
    assert ws["A1"].value == "融资担保公司月度主要数据表"
    listed = flow.query("viewer", LIST, {"f": {"status": "locked"}})["regulatoryReports"]
    assert listed["totalCount"] == 1 and listed["edges"][0]["node"]["period"] == "2026M10"
    due = flow.query("viewer", "{ regulatoryReportDueDates(asOf: \"2026-11-20\") { formCode period dueDate "
                               "reportStatus overdue } }")["regulatoryReportDueDates"]
    assert due == [{"formCode": "monthly_main", "period": "2026M10", "dueDate": "2026-11-10",
                    "reportStatus": "locked", "overdue": False},
                   {"formCode": "quarterly_status", "period": "2026Q3", "dueDate": "2026-10-10",
                    "reportStatus": None, "overdue": True}]


def test_a_new_form_version_through_graphql(api, fw, figures):
    flow = GraphQLFlow(api, fw.tenant.slug)
    rows = [{"code": "1", "label": "在保余额", "measure": "guarantee.in_force_balance", "unit": "万元"}]
    out = flow.mutate("fin", "mutation($i: RegulatoryFormNewVersionInput!) { regulatoryFormNewVersion(input: $i) "
                             "{ form { code version rows } errors { code } } }", "regulatoryFormNewVersion",
                      {"i": {"code": "monthly_main", "rows": rows}})
    assert out["form"]["version"] == 2 and out["form"]["rows"] == rows
    bad = flow.call("fin", "mutation($i: RegulatoryFormNewVersionInput!) { regulatoryFormNewVersion(input: $i) "
                           "{ errors { code field } } }", {"i": {"code": "monthly_main", "rows": [{"code": "1"}]}})
    assert bad["data"]["regulatoryFormNewVersion"]["errors"] == [{"code": "VALIDATION_FAILED", "field": "rows"}]
    versions = flow.query("viewer", "{ regulatoryFormVersions(code: \"monthly_main\") { version current } }")
    assert versions["regulatoryFormVersions"] == [{"version": 2, "current": True}, {"version": 1, "current": False}]
