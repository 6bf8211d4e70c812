"""The documents API end to end: templates, contracts (generate, send without a provider, mark signed), and a
review committee meeting (schedule, open, agenda with votes, minutes), with typed errors and permissions."""

from __future__ import annotations

from sqlalchemy import select
from strawberry import relay

from surety.core.testing import TEST_PASSWORD, error_codes
from surety.core.workflow import actions
from surety.core.workflow.definitions import publish, save_draft
from surety.core.workflow.engine import business_today, start
from surety.core.workflow.models import WorkflowTask
from surety.plugins.guarantee.project.models import GuaranteeCounterGuarantee
from surety.plugins.guarantee.testing import make_bank, make_project

CONTRACT = "id contractNo contractType status attachmentId signedVia signers { role name }"
GENERATE = f"""mutation($p: ID!) {{ guaranteeContractsGenerate(projectId: $p) {{ contracts {{ {CONTRACT} }}
  errors {{ code field message }} }} }}"""
SEND = "mutation($c: ID!) { guaranteeContractSend(contractId: $c) { contract { status } errors { code message } } }"
SIGN = f"""mutation($i: GuaranteeContractMarkSignedInput!) {{ guaranteeContractMarkSigned(input: $i) {{
  contract {{ {CONTRACT} }} errors {{ code field message }} }} }}"""
SCHEDULE = """mutation($i: GuaranteeMeetingScheduleInput!) { guaranteeMeetingSchedule(input: $i) {
  meeting { id status } errors { code field message } } }"""
OPEN = "mutation($m: ID!) { guaranteeMeetingOpen(meetingId: $m) { meeting { status } errors { code message } } }"
MEETING = """query($m: ID!) { guaranteeMeeting(id: $m) { title chairName members { name } agenda {
  projectNo customerName amount status result conditions approvals votes { memberName vote comment } } } }"""
MINUTES = """mutation($m: ID!) { guaranteeMeetingMinutesExport(meetingId: $m) {
  minutes { entityType filename downloadUrl } errors { code message } } }"""


def g(type_name, value):
    return relay.to_base64(type_name, str(value))


def test_contracts_api(api, gw):
    with gw.acting("mgr") as (s, a):
        bank, _ = make_bank(s)
        project = make_project(s, a, gw.customers["corp"], bank=bank, status="approved")
        s.add(GuaranteeCounterGuarantee(project_id=project.id, kind="pledge", owner_name="王五"))
    slug = gw.tenant.slug
    legal, mgr = api.login(slug, "legal", TEST_PASSWORD), api.login(slug, "mgr", TEST_PASSWORD)
    templates = api("{ guaranteeContractTemplates { contractType version source } }", token=legal)
    assert {(t["contractType"], t["version"]) for t in templates["data"]["guaranteeContractTemplates"]} == {
        ("guarantee", 1), ("entrustment", 1), ("counter_guarantee", 1), ("review_report", 1), ("approval_form", 1)}

    denied = api(GENERATE, {"p": g("GuaranteeProject", project.id)}, token=mgr)["data"]["guaranteeContractsGenerate"]
    assert denied["errors"][0]["code"] == "FORBIDDEN" and denied["contracts"] == []
    made = api(GENERATE, {"p": g("GuaranteeProject", project.id)}, token=legal)["data"]["guaranteeContractsGenerate"]
    assert made["errors"] == [] and [c["contractType"] for c in made["contracts"]] == [
        "guarantee", "entrustment", "counter_guarantee"]
    again = api(GENERATE, {"p": str(project.id)}, token=legal)["data"]["guaranteeContractsGenerate"]
    assert again["errors"][0]["code"] == "CONFLICT" and again["errors"][0]["field"] == "regenerate"

    ids = [c["id"] for c in made["contracts"]]
    unsent = api(SEND, {"c": ids[0]}, token=legal)["data"]["guaranteeContractSend"]
    assert unsent["errors"][0]["code"] == "ESIGN_UNAVAILABLE" and unsent["contract"] is None
    for cid in ids:
        signed = api(SIGN, {"i": {"contractId": cid, "signers": [{"name": "华夏银行", "role": "bank"}]}},
                     token=legal)["data"]["guaranteeContractMarkSigned"]
        assert signed["errors"] == [] and signed["contract"]["status"] == "signed"
    assert signed["contract"]["signers"] == [{"role": "bank", "name": "华夏银行"}]
    listed = api("query($p: ID!) { guaranteeContracts(projectId: $p) { status } }",
                 {"p": g("GuaranteeProject", project.id)}, token=mgr)["data"]["guaranteeContracts"]
    assert [c["status"] for c in listed] == ["signed"] * 3
    node = api("query($id: ID!) { node(id: $id) { ... on GuaranteeContract { contractNo } } }", {"id": ids[0]},
               token=mgr)["data"]["node"]
    assert node["contractNo"] == made["contracts"][0]["contractNo"]


COMMITTEE = {
    "key": "guarantee.committee_api", "name": "审保会", "subject_type": "guarantee:project", "start": "committee",
    "steps": [{"key": "committee", "kind": "committee", "assignee": {"role": "legal"}, "quorum": 3,
               "pass_ratio": "2/3", "transitions": [{"to": "approved"}, {"to": "rejected", "on": "reject"}]},
              {"key": "approved", "kind": "end", "result": "approved"},
              {"key": "rejected", "kind": "end", "result": "rejected"}],
}


def test_meetings_api(api, gw):
    with gw.acting("admin") as (s, a):
        publish(s, a, COMMITTEE["key"], save_draft(s, a, COMMITTEE).version)
    with gw.acting("mgr") as (s, a):
        project = make_project(s, a, gw.customers["corp"], amount="9000000.00", status="in_approval")
        project.workflow_instance_id = start(s, a, definition_key=COMMITTEE["key"], subject_type="guarantee:project",
                                             subject_id=str(project.id)).id
    slug = gw.tenant.slug
    legal, mgr = api.login(slug, "legal", TEST_PASSWORD), api.login(slug, "mgr", TEST_PASSWORD)
    members = [g("User", gw.actors[m].id) for m in ("mem1", "mem2", "mem3")]
    schedule = {"meetingDate": business_today().isoformat(), "chairId": members[0], "memberIds": members,
                "projectIds": [g("GuaranteeProject", project.id)], "title": "第1次审保会"}
    refused = api(SCHEDULE, {"i": schedule}, token=mgr)["data"]["guaranteeMeetingSchedule"]
    assert refused["errors"][0]["code"] == "FORBIDDEN"
    bad = api(SCHEDULE, {"i": {**schedule, "chairId": g("User", gw.actors["mem4"].id)}},
              token=legal)["data"]["guaranteeMeetingSchedule"]
    assert bad["errors"][0]["field"] == "chairId"
    meeting = api(SCHEDULE, {"i": schedule}, token=legal)["data"]["guaranteeMeetingSchedule"]["meeting"]
    assert meeting["status"] == "scheduled"
    assert api(OPEN, {"m": meeting["id"]}, token=legal)["data"]["guaranteeMeetingOpen"]["meeting"]["status"] == "open"

    for name, vote in (("mem1", "approve"), ("mem2", "approve"), ("mem3", "approve_with_conditions")):
        with gw.acting(name) as (s, a):
            task = s.scalar(select(WorkflowTask).where(WorkflowTask.assignee_id == a.id_uuid,
                                                       WorkflowTask.status == "open"))
            actions.act(s, a, task.id, "vote", vote=vote, comment="补充抵押" if "conditions" in vote else None)
    mem = api.login(slug, "mem2", TEST_PASSWORD)
    view = api(MEETING, {"m": meeting["id"]}, token=mem)["data"]["guaranteeMeeting"]
    assert view["title"] == "第1次审保会" and view["chairName"] == "Mem1"
    assert [m["name"] for m in view["members"]] == ["Mem1", "Mem2", "Mem3"]
    item = view["agenda"][0]
    assert (item["projectNo"], item["customerName"], item["status"], item["result"]) == (
        project.project_no, "华夏建材有限公司", "decided", "approved_with_conditions")
    assert item["conditions"] == ["补充抵押"] and item["approvals"] == 3
    assert item["votes"][2] == {"memberName": "Mem3", "vote": "approve_with_conditions", "comment": "补充抵押"}
    listed = api("{ guaranteeMeetings(first: 5) { totalCount edges { node { title } } } }", token=mem)
    assert listed["data"]["guaranteeMeetings"]["totalCount"] == 1
    viewer = api.login(slug, "viewer", TEST_PASSWORD)
    assert api(MEETING, {"m": meeting["id"]}, token=viewer)["data"]["guaranteeMeeting"] is None

    minutes = api(MINUTES, {"m": meeting["id"]}, token=legal)["data"]["guaranteeMeetingMinutesExport"]
    assert minutes["errors"] == [] and minutes["minutes"]["entityType"] == "guarantee:meeting"
    assert minutes["minutes"]["filename"].endswith("审保会会议纪要.docx")
    assert error_codes(api(MINUTES, {"m": meeting["id"]})) == ["UNAUTHENTICATED"]


REPORT = """mutation($p: ID!, $k: String!) { guaranteeReportGenerate(projectId: $p, kind: $k) {
  report { entityType entityId filename } errors { code field } } }"""
SETTINGS = """mutation($i: GuaranteeSettingsUpdateInput!) { guaranteeSettingsUpdate(input: $i) {
  settings { legalName legalAddress legalRepresentative sealText } errors { code field } } }"""


def test_legal_particulars_and_review_documents_api(api, gw):
    with gw.acting("mgr") as (s, a):
        project = make_project(s, a, gw.customers["corp"], bank=make_bank(s)[0], status="in_approval")
    slug = gw.tenant.slug
    admin, risk, mgr2 = (api.login(slug, u, TEST_PASSWORD) for u in ("admin", "risk", "mgr2"))
    legal = {"legalName": "华鑫融资担保股份有限公司", "legalAddress": "北京市西城区金融大街 8 号",
             "legalRepresentative": "赵国强", "sealText": "华鑫融资担保股份有限公司合同专用章"}
    changed = api(SETTINGS, {"i": legal}, token=admin)["data"]["guaranteeSettingsUpdate"]
    assert changed == {"settings": legal, "errors": []}
    too_long = api(SETTINGS, {"i": {"sealText": "章" * 101}}, token=admin)["data"]["guaranteeSettingsUpdate"]
    assert too_long["errors"] == [{"code": "VALIDATION_FAILED", "field": "sealText"}]

    made = api(REPORT, {"p": g("GuaranteeProject", project.id), "k": "approval_form"}, token=risk)
    report = made["data"]["guaranteeReportGenerate"]
    assert report["errors"] == [] and report["report"]["entityType"] == "guarantee:project"
    assert report["report"]["filename"] == f"{project.project_no} 担保项目审批表.docx"
    wrong = api(REPORT, {"p": g("GuaranteeProject", project.id), "k": "minutes"}, token=risk)
    assert wrong["data"]["guaranteeReportGenerate"]["errors"] == [{"code": "VALIDATION_FAILED", "field": "kind"}]
    hidden = api(REPORT, {"p": g("GuaranteeProject", project.id), "k": "review_report"}, token=mgr2)
    assert [e["code"] for e in hidden["data"]["guaranteeReportGenerate"]["errors"]] == ["NOT_FOUND"]
