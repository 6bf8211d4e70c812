"""Approval conditions through the API end to end: the committee approves with a condition (members vote over
GraphQL), the condition shows on the resolution and on the project, the loan confirmation is refused naming it, the
evidence is uploaded to the project over HTTP and the condition met with it, then the loan is confirmed; waiving is
the approver's, with typed payload errors for everyone else."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update
from strawberry import relay

from surety.core.testing import TEST_PASSWORD
from surety.core.workflow.definitions import publish, save_draft
from surety.core.workflow.engine import business_today, start
from surety.core.workflow.models import WorkflowTask
from surety.plugins.guarantee.project.models import GuaranteeProject
from surety.plugins.guarantee.testing import make_bank, make_project

COMMITTEE = {
    "key": "guarantee.committee_conditions_api", "name": "审保会", "subject_type": "guarantee:project",
    "start": "committee",
    "steps": [{"key": "committee", "kind": "committee", "assignee": {"role": "legal"}, "quorum": 3,
               "pass_ratio": "2/3", "transitions": [{"to": "approved"}, {"to": "rejected", "on": "reject"}]},
              {"key": "approved", "kind": "end", "result": "approved"},
              {"key": "rejected", "kind": "end", "result": "rejected"}],
}
CONDITION = "id text kind kindLabel status statusLabel evidenceNote evidenceAttachmentIds metById waiveReason"
SCHEDULE = """mutation($i: GuaranteeMeetingScheduleInput!) { guaranteeMeetingSchedule(input: $i) {
  meeting { id } errors { code message } } }"""
OPEN = "mutation($m: ID!) { guaranteeMeetingOpen(meetingId: $m) { errors { code message } } }"
VOTE = """mutation($i: WorkflowTaskActionInput!) { workflowCommitteeVote(input: $i) { errors { code message } } }"""
MEETING = f"""query($m: ID!) {{ guaranteeMeeting(id: $m) {{ agenda {{ result conditions
  approvalConditions {{ {CONDITION} }} }} }} }}"""
PROJECT = f"""query($p: ID!) {{ guaranteeProject(id: $p) {{ status approvalConditions {{ {CONDITION} }} }} }}"""
CONFIRM = """mutation($i: GuaranteeLoanConfirmInput!) { guaranteeLoanConfirm(input: $i) {
  loan { status } errors { code field message } } }"""
MEET = f"""mutation($i: GuaranteeConditionMeetInput!) {{ guaranteeConditionMeet(input: $i) {{
  condition {{ {CONDITION} }} errors {{ code field message }} }} }}"""
WAIVE = f"""mutation($i: GuaranteeConditionWaiveInput!) {{ guaranteeConditionWaive(input: $i) {{
  condition {{ {CONDITION} }} errors {{ code field message }} }} }}"""
SPOUSE = "追加借款人配偶连带责任保证"


def g(type_name, value):
    return relay.to_base64(type_name, str(value))


def test_committee_condition_met_with_evidence_then_loan_confirmed(api, gw):
    with gw.acting("admin") as (s, a):
        publish(s, a, COMMITTEE["key"], save_draft(s, a, COMMITTEE).version)
    with gw.acting("mgr") as (s, a):
        bank, _ = make_bank(s)
        project = make_project(s, a, gw.customers["corp"], bank=bank, amount="9000000.00", status="in_approval")
        project.workflow_instance_id = start(s, a, definition_key=COMMITTEE["key"], subject_type="guarantee:project",
                                             subject_id=str(project.id)).id
    slug, pid = gw.tenant.slug, g("GuaranteeProject", project.id)
    legal, mgr, fin, boss = (api.login(slug, u, TEST_PASSWORD) for u in ("legal", "mgr", "fin", "boss"))

    def run(query, token, **variables):
        out = api(query, variables, token=token)
        assert "errors" not in out, out
        return out["data"]

    members = [g("User", gw.actors[m].id) for m in ("mem1", "mem2", "mem3")]
    meeting = run(SCHEDULE, legal, i={"meetingDate": business_today().isoformat(), "chairId": members[0],
                                      "memberIds": members, "projectIds": [pid]})["guaranteeMeetingSchedule"]
    meeting_id = meeting["meeting"]["id"]
    assert run(OPEN, legal, m=meeting_id)["guaranteeMeetingOpen"]["errors"] == []
    for name, vote in (("mem1", "approve"), ("mem2", "approve"), ("mem3", "approve_with_conditions")):
        with gw.session() as s:
            task = s.scalar(select(WorkflowTask.id).where(WorkflowTask.assignee_id == gw.actors[name].id_uuid,
                                                          WorkflowTask.status == "open"))
        voted = run(VOTE, api.login(slug, name, TEST_PASSWORD),
                    i={"taskId": g("WorkflowTask", task), "vote": vote,
                       "comment": SPOUSE if vote == "approve_with_conditions" else None})
        assert voted["workflowCommitteeVote"]["errors"] == []

    # The resolution and the project carry the open condition.
    item = run(MEETING, legal, m=meeting_id)["guaranteeMeeting"]["agenda"][0]
    assert (item["result"], item["conditions"]) == ("approved_with_conditions", [SPOUSE])
    [condition] = item["approvalConditions"]
    assert {k: condition[k] for k in ("text", "kind", "kindLabel", "status", "statusLabel")} == {
        "text": SPOUSE, "kind": "add_guarantor", "kindLabel": "追加保证人", "status": "open", "statusLabel": "未落实"}
    seen = run(PROJECT, mgr, p=pid)["guaranteeProject"]
    assert seen["status"] == "approved" and seen["approvalConditions"] == [condition]

    # Contracts signed (as contracts.py would), the loan confirmation is refused naming the condition.
    with gw.session() as s:
        s.execute(update(GuaranteeProject).where(GuaranteeProject.id == project.id).values(status="contracted"))
    today = business_today()
    loan = {"projectId": pid, "loanContractNo": "JK-API-1", "loanAmount": "9000000.00",
            "startDate": today.isoformat(), "endDate": (today + dt.timedelta(days=365)).isoformat(), "rate": "0.0435"}
    refused = run(CONFIRM, fin, i=loan)["guaranteeLoanConfirm"]
    assert refused["loan"] is None
    [error] = refused["errors"]
    assert (error["code"], error["field"]) == ("GUARANTEE_CONDITIONS_OPEN", "projectId")
    assert "has 1 open condition(s)" in error["message"] and SPOUSE in error["message"]
    zh = api.client.post("/graphql", json={"query": CONFIRM, "variables": {"i": loan}},
                         headers={"Authorization": f"Bearer {fin}", "Accept-Language": "zh-CN"}).json()
    [error] = zh["data"]["guaranteeLoanConfirm"]["errors"]
    assert "尚有 1 项审保会附加条件未落实" in error["message"] and SPOUSE in error["message"]

    # Waiving is the approver's: the manager gets a typed FORBIDDEN.
    denied = run(WAIVE, mgr, i={"conditionId": condition["id"], "reason": "老客户"})["guaranteeConditionWaive"]
    assert denied["condition"] is None and denied["errors"][0]["code"] == "FORBIDDEN"
    # Meeting it needs evidence; the manager uploads the signed guarantee to the project and cites it.
    empty = run(MEET, mgr, i={"conditionId": condition["id"], "attachmentIds": []})["guaranteeConditionMeet"]
    assert (empty["errors"][0]["code"], empty["errors"][0]["field"]) == ("VALIDATION_FAILED", "attachmentIds")
    uploaded = api.client.post("/attachments", headers={"Authorization": f"Bearer {mgr}"},
                               data={"entity_type": "guarantee:project", "entity_id": str(project.id)},
                               files={"file": ("配偶保证合同.txt", "配偶已签署连带责任保证合同".encode(), "text/plain")})
    assert uploaded.status_code == 201, uploaded.text
    evidence = uploaded.json()["attachment"]["id"]
    met = run(MEET, mgr, i={"conditionId": condition["id"], "attachmentIds": [evidence],
                            "note": "配偶已签署保证合同"})["guaranteeConditionMeet"]
    assert met["errors"] == []
    assert {k: met["condition"][k] for k in ("status", "statusLabel", "evidenceNote", "evidenceAttachmentIds",
                                             "metById")} == {
        "status": "met", "statusLabel": "已落实", "evidenceNote": "配偶已签署保证合同", "evidenceAttachmentIds": [evidence],
        "metById": g("User", gw.actors["mgr"].id)}
    late = run(WAIVE, boss, i={"conditionId": condition["id"], "reason": "x"})["guaranteeConditionWaive"]
    assert late["errors"][0]["code"] == "CONFLICT"

    confirmed = run(CONFIRM, fin, i=loan)["guaranteeLoanConfirm"]
    assert confirmed["errors"] == [] and confirmed["loan"]["status"] == "effective"
    assert run(PROJECT, mgr, p=pid)["guaranteeProject"]["approvalConditions"][0]["status"] == "met"
