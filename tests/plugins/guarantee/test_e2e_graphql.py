"""One guarantee project from application to an effective guarantee through GraphQL alone, each step logged in as
the role that owns it (issue "guarantee plugin part 1"): product and bank, application with counter-guarantees,
acceptance, due diligence (rating and report), preliminary review, re-review, the review committee (meeting with a
recusal and an approval with conditions), the approval reply with the credit-line reservation, fees, contracts and
the loan confirmation. Checks the project's status after each stage, the workflow timeline, the audit trail (who
did what, in order) and that the audit chain verifies."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from strawberry import relay

from surety.core.audit.verify import verify_chain
from surety.core.identity.service import create_user
from surety.core.testing import TEST_PASSWORD, GraphQLFlow, mutation_ok
from surety.core.workflow.engine import business_today
from surety.plugins.customers.testing import actor_for, make_uscc

pytestmark = pytest.mark.slow

# ---------------------------------------------------------------- documents ------------------------------------------

ERR = "errors { code field message }"
PRODUCT_CREATE = f"""mutation($i: GuaranteeProductCreateInput!) {{ guaranteeProductCreate(input: $i) {{
  product {{ id code kind category minAmount maxAmount requiresCounterGuarantee }} {ERR} }} }}"""
BANK_CREATE = f"""mutation($i: GuaranteeBankCreateInput!) {{ guaranteeBankCreate(input: $i) {{ bank {{ id name }}
  {ERR} }} }}"""
LINE_CREATE = f"""mutation($i: GuaranteeCreditLineCreateInput!) {{ guaranteeCreditLineCreate(input: $i) {{
  line {{ id total used available }} {ERR} }} }}"""
BANKS = "{ guaranteeBanks { id name lines { id total used available } } }"
CUSTOMER_CREATE = f"""mutation($i: CustomerCreateInput!) {{ customerCreate(input: $i) {{ customer {{ id name }}
  {ERR} }} }}"""
STATEMENT_SET = f"""mutation($i: CustomerStatementSetInput!) {{ customerStatementSet(input: $i) {{
  statement {{ periodEnd }} {ERR} }} }}"""
APPLY = f"""mutation($i: GuaranteeApplicationCreateInput!) {{ guaranteeApplicationCreate(input: $i) {{
  project {{ id projectNo status amount termMonths }} {ERR} }} }}"""
CG_ADD = f"""mutation($i: GuaranteeCounterGuaranteeAddInput!) {{ guaranteeCounterGuaranteeAdd(input: $i) {{
  counterGuarantee {{ id kind }} risk {{ coveredAmount riskAmount }} {ERR} }} }}"""
SUBMIT = f"""mutation($id: ID!) {{ guaranteeApplicationSubmit(id: $id) {{ project {{ id projectNo status }}
  {ERR} }} }}"""
PROJECT = """query($id: ID!) { guaranteeProject(id: $id) { id projectNo status amount inForceBalance effectiveDate
  submittedAt decidedAt workflowInstanceId customer { name } bank { name } counterGuarantees { kind } } }"""
TASK_ACTION = """mutation($i: WorkflowTaskActionInput!) {{ {name}(input: $i) {{ instance {{ status currentStep }}
  errors {{ code field message }} }} }}"""
INSTANCE = """query($id: ID!) { workflowInstance(id: $id) { status currentStep
  timeline { action stepKey actorId comment }
  steps { stepKey status decision resolution } } }"""
SCORE = f"""mutation($i: GuaranteeRatingScoreInput!) {{ guaranteeRatingScore(input: $i) {{ rating {{ total grade }}
  {ERR} }} }}"""
DD_SAVE = f"""mutation($i: GuaranteeDueDiligenceReportSaveInput!) {{ guaranteeDueDiligenceReportSave(input: $i) {{
  report {{ status }} {ERR} }} }}"""
DD_SUBMIT = f"""mutation($p: ID!) {{ guaranteeDueDiligenceReportSubmit(projectId: $p) {{ report {{ status }}
  {ERR} }} }}"""
SCHEDULE = f"""mutation($i: GuaranteeMeetingScheduleInput!) {{ guaranteeMeetingSchedule(input: $i) {{
  meeting {{ id status }} {ERR} }} }}"""
OPEN = f"mutation($m: ID!) {{ guaranteeMeetingOpen(meetingId: $m) {{ meeting {{ status }} {ERR} }} }}"
MEETING = """query($m: ID!) { guaranteeMeeting(id: $m) { agenda { projectNo status result conditions approvals
  rejections vetoed votes { memberName vote comment } recusals { memberName comment } } } }"""
FEE_PLAN_SET = f"""mutation($i: GuaranteeFeePlanSetInput!) {{ guaranteeFeePlanSet(input: $i) {{
  plan {{ guaranteeFeeTotal totalDue schedule {{ id feeType amount }} }} {ERR} }} }}"""
FEE_RECEIVE = f"""mutation($i: GuaranteeFeeReceiveInput!) {{ guaranteeFeeReceive(input: $i) {{
  receipt {{ amount feeType }} {ERR} }} }}"""
FEE_PLAN = """query($p: ID!) { guaranteeFeePlan(projectId: $p) { totalDue totalReceived outstanding } }"""
GENERATE = f"""mutation($p: ID!) {{ guaranteeContractsGenerate(projectId: $p) {{
  contracts {{ id contractNo contractType status }} {ERR} }} }}"""
SIGN = f"""mutation($i: GuaranteeContractMarkSignedInput!) {{ guaranteeContractMarkSigned(input: $i) {{
  contract {{ status }} {ERR} }} }}"""
LOAN = f"""mutation($i: GuaranteeLoanConfirmInput!) {{ guaranteeLoanConfirm(input: $i) {{
  loan {{ status loanAmount inForceBalance effectiveDate }} {ERR} }} }}"""
AUDIT = """query($before: Int) { auditLog(first: 200, beforeSeq: $before) { entries { seq action actorId entityType
  entityId before after } nextBeforeSeq } }"""

# Financial statement of the customer: debt ratio 0.55, current ratio 1.8, quick ratio 1.4, ROE 0.15.
STATEMENT = {"periodEnd": "2024-12-31", "totalAssets": "12000000.00", "totalLiabilities": "6600000.00",
             "currentAssets": "5400000.00", "currentLiabilities": "3000000.00", "inventory": "1200000.00",
             "equity": "5400000.00", "revenue": "10000000.00", "netProfit": "810000.00"}
AMOUNT = "8000000.00"  # above the default committee threshold of 5,000,000.00


def gid(type_name: str, value) -> str:
    return relay.to_base64(type_name, str(value))


ok = mutation_ok


class Flow(GraphQLFlow):
    """The logged-in people of the tenant and a few calls they make."""

    def __init__(self, api, gw):
        super().__init__(api, gw.tenant.slug)
        self.gw = gw

    def project(self, user: str, pid: str) -> dict:
        return self.call(user, PROJECT, {"id": pid})["data"]["guaranteeProject"]

    def status(self, pid: str) -> str:
        return self.project("admin", pid)["status"]

    def act(self, user: str, instance_id: str, step: str, mutation: str = "workflowTaskApprove", **extra) -> dict:
        task = self.task(user, instance_id, step)
        return self.mutate(user, TASK_ACTION.format(name=mutation), mutation,
                           {"i": {"taskId": task["id"], **extra}})["instance"]


def _add_user(gw, username: str, role: str):
    """A further person at the head office (the fixture's tenant has five committee members and no auditor)."""

    with gw.session() as s:
        user = create_user(s, username=username, password=TEST_PASSWORD, display_name=username.title(),
                           org_unit_id=gw.units["HQ"], roles=[role], email=f"{username}@example.com")
        gw.actors[username] = actor_for(user)


def _audit_entries(flow: Flow) -> list[dict]:
    """The tenant's whole audit log through GraphQL (auditLog is newest first; returned oldest first)."""
    entries, before = [], None
    while True:
        page = flow.call("aud", AUDIT, {"before": before})["data"]["auditLog"]
        entries += page["entries"]
        before = page["nextBeforeSeq"]
        if before is None:
            return sorted(entries, key=lambda e: e["seq"])


def test_a_project_from_application_to_effective_through_graphql(api, gw):
    _add_user(gw, "chair", "committee_member")  # a sixth member: one recusal still leaves the quorum of five
    _add_user(gw, "aud", "auditor")
    f = Flow(api, gw)
    today = business_today()
    uid = {name: str(a.id_uuid) for name, a in gw.actors.items()}

    # --- set-up: the admin adds the product, finance the bank and its credit line --------------------------------
    product = f.mutate("admin", PRODUCT_CREATE, "guaranteeProductCreate", {"i": {
        "code": "LOAN-STD", "name": "流动资金贷款担保", "kind": "loan", "minAmount": "100000",
        "maxAmount": "30000000", "minTermMonths": 6, "maxTermMonths": 36, "defaultFeeRate": "0.015"}})["product"]
    assert product["category"] == "financing" and product["requiresCounterGuarantee"] is True
    bank = f.mutate("fin", BANK_CREATE, "guaranteeBankCreate", {"i": {"code": "ABC", "name": "农业银行"}})["bank"]
    line = f.mutate("fin", LINE_CREATE, "guaranteeCreditLineCreate", {"i": {
        "bankId": bank["id"], "total": "30000000", "riskShareRatio": "0.2",
        "startDate": today.replace(month=1, day=1).isoformat(),
        "endDate": dt.date(today.year + 2, 12, 31).isoformat()}})["line"]
    assert (line["total"], line["used"], line["available"]) == ("30000000.00", "0.00", "30000000.00")

    # --- the customer manager: customer, statement, application, counter-guarantees, submission ------------------
    customer = f.mutate("mgr", CUSTOMER_CREATE, "customerCreate", {"i": {
        "kind": "corporate", "name": "江南精密机械有限公司", "creditCode": make_uscc(77), "industry": "C34",
        "region": "320500", "size": "small"}})["customer"]
    f.mutate("mgr", STATEMENT_SET, "customerStatementSet", {"i": {"customerId": customer["id"], **STATEMENT}})
    project = f.mutate("mgr", APPLY, "guaranteeApplicationCreate", {"i": {
        "customerId": customer["id"], "productId": product["id"], "bankId": bank["id"], "amount": AMOUNT,
        "termMonths": 12, "purpose": "采购原材料", "loanCategory": "small_micro",
        "managerBId": gid("User", uid["mgr2"])}})["project"]
    pid = project["id"]
    assert project["status"] == "draft" and project["projectNo"] is None
    assert (project["amount"], project["termMonths"]) == (AMOUNT, 12)
    mortgage = f.mutate("mgr", CG_ADD, "guaranteeCounterGuaranteeAdd", {"i": {
        "projectId": pid, "kind": "mortgage", "ownerName": "李四", "valuation": "6000000.00",
        "valuationDate": "2025-06-30", "discountRate": "0.7",
        "collateral": {"certificate_no": "苏(2025)苏州市不动产权第0001号", "address": "苏州市工业园区星湖街1号"}}})
    assert mortgage["risk"]["coveredAmount"] == "4200000.00"
    third = f.mutate("mgr", CG_ADD, "guaranteeCounterGuaranteeAdd", {"i": {
        "projectId": pid, "kind": "third_party", "ownerName": "苏州担保人实业有限公司", "valuation": "2000000.00",
        "valuationDate": "2025-06-30", "discountRate": "0.5"}})
    assert third["risk"]["coveredAmount"] == "5200000.00"
    submitted = f.mutate("mgr", SUBMIT, "guaranteeApplicationSubmit", {"id": pid})["project"]
    project_no = submitted["projectNo"]
    assert submitted["status"] == "in_approval" and project_no.startswith(f"DB-{today.year}-")
    view = f.project("mgr", pid)
    assert view["customer"]["name"] == "江南精密机械有限公司" and view["bank"]["name"] == "农业银行"
    assert sorted(c["kind"] for c in view["counterGuarantees"]) == ["mortgage", "third_party"]
    assert view["submittedAt"] is not None and view["decidedAt"] is None
    inst = view["workflowInstanceId"]

    # --- acceptance by the branch's department head --------------------------------------------------------------
    assert f.act("head", inst, "acceptance", comment="资料齐全，受理") == {"status": "running",
                                                                       "currentStep": "due_diligence"}
    assert f.status(pid) == "in_approval"

    # --- due diligence by manager A: rating, report, then the task ----------------------------------------------
    rating = f.mutate("mgr", SCORE, "guaranteeRatingScore", {"i": {"projectId": pid, "scores": [
        {"key": "management", "points": "80"}, {"key": "industry_outlook", "points": "70"},
        {"key": "credit_history", "points": "90"}], "comment": "经营稳定"}})["rating"]
    # 0.25x85 + 0.15x85 + 0.10x100 + 0.15x100 + 0.10x80 + 0.10x70 + 0.15x90 = 87.50 -> AA
    assert rating == {"total": "87.50", "grade": "AA"}
    report = {"projectId": pid, "businessOverview": "精密零部件制造，客户稳定", "financialAnalysis": "资产负债率 55%",
              "repaymentSource": "经营性现金流", "counterGuaranteeAnalysis": "房产抵押加第三方保证",
              "risks": "原材料价格波动", "conclusion": "建议担保", "recommendedAmount": AMOUNT,
              "recommendedTermMonths": 12, "recommendedRate": "0.015"}
    assert f.mutate("mgr", DD_SAVE, "guaranteeDueDiligenceReportSave", {"i": report})["report"]["status"] == "draft"
    assert f.mutate("mgr", DD_SUBMIT, "guaranteeDueDiligenceReportSubmit",
                    {"p": pid})["report"]["status"] == "submitted"
    assert f.act("mgr", inst, "due_diligence", comment="尽调完成")["currentStep"] == "preliminary_review"

    # --- preliminary review (risk officer), re-review (executive): above the threshold, to the committee ---------
    assert f.act("risk", inst, "preliminary_review", comment="初审同意")["currentStep"] == "re_review"
    assert f.act("boss", inst, "re_review", comment="复审同意")["currentStep"] == "committee"
    assert f.status(pid) == "in_approval"

    # --- the review committee: legal schedules and opens the meeting, the members vote --------------------------
    members = ["chair", "mem1", "mem2", "mem3", "mem4", "mem5"]
    meeting = f.mutate("legal", SCHEDULE, "guaranteeMeetingSchedule", {"i": {
        "meetingDate": today.isoformat(), "chairId": gid("User", uid["chair"]),
        "memberIds": [gid("User", uid[m]) for m in members], "projectIds": [pid],
        "title": "2026年第1次审保会"}})["meeting"]
    assert meeting["status"] == "scheduled"
    assert f.mutate("legal", OPEN, "guaranteeMeetingOpen", {"m": meeting["id"]})["meeting"]["status"] == "open"
    votes = [("chair", "approve", "同意"), ("mem1", "approve", None),
             ("mem2", "approve_with_conditions", "追加保证金 10%"), ("mem3", "approve", None),
             ("mem4", "reject", "行业下行"), ("mem5", "recuse", "与客户存在关联关系")]
    for user, vote, comment in votes:
        after = f.act(user, inst, "committee", "workflowCommitteeVote", vote=vote, comment=comment)
    assert after == {"status": "running", "currentStep": "reply"}
    agenda = f.call("mem1", MEETING, {"m": meeting["id"]})["data"]["guaranteeMeeting"]["agenda"]
    assert len(agenda) == 1
    item = agenda[0]
    assert (item["projectNo"], item["status"], item["result"]) == (project_no, "decided", "approved_with_conditions")
    assert (item["approvals"], item["rejections"], item["vetoed"]) == (4, 1, False)
    assert item["conditions"] == ["追加保证金 10%"]
    assert item["recusals"] == [{"memberName": "Mem5", "comment": "与客户存在关联关系"}]
    assert {v["memberName"]: v["vote"] for v in item["votes"]} == {
        "Chair": "approve", "Mem1": "approve", "Mem2": "approve_with_conditions", "Mem3": "approve",
        "Mem4": "reject", "Mem5": "recuse"}
    assert f.status(pid) == "in_approval"

    # --- the approval reply (executive): the credit-line check reserves the line and the project is approved ----
    assert f.act("boss", inst, "reply", comment="同意批复") == {"status": "approved", "currentStep": "approved"}
    decided = f.project("mgr", pid)
    assert decided["status"] == "approved" and decided["decidedAt"] is not None
    lines = f.call("mgr", BANKS)["data"]["guaranteeBanks"][0]["lines"]
    assert [(x["total"], x["used"], x["available"]) for x in lines] == [
        ("30000000.00", "8000000.00", "22000000.00")]

    # --- finance: the fee plan and a receipt -------------------------------------------------------------------
    plan = f.mutate("fin", FEE_PLAN_SET, "guaranteeFeePlanSet", {"i": {
        "projectId": pid, "guaranteeFeeMethod": "rate", "guaranteeFeeRate": "0.015", "frequency": "once",
        "reviewFee": "5000", "marginMethod": "rate", "marginRate": "0.1",
        "startDate": today.isoformat()}})["plan"]
    assert plan["guaranteeFeeTotal"] == "120000.00"  # 8,000,000 x 1.5% x 12 / 12
    assert plan["totalDue"] == "925000.00"  # + review fee 5,000 + margin 800,000
    fee = next(i for i in plan["schedule"] if i["feeType"] == "guarantee_fee")
    receipt = f.mutate("fin", FEE_RECEIVE, "guaranteeFeeReceive", {"i": {
        "itemId": fee["id"], "amount": "120000.00", "receivedOn": today.isoformat(), "reference": "银行回单 001"}})
    assert receipt["receipt"] == {"amount": "120000.00", "feeType": "guarantee_fee"}
    assert f.call("mgr", FEE_PLAN, {"p": pid})["data"]["guaranteeFeePlan"] == {
        "totalDue": "925000.00", "totalReceived": "120000.00", "outstanding": "805000.00"}
    assert f.status(pid) == "approved"

    # --- legal: contracts generated and signed; the project becomes contracted --------------------------------
    contracts = f.mutate("legal", GENERATE, "guaranteeContractsGenerate", {"p": pid})["contracts"]
    assert [(c["contractType"], c["contractNo"]) for c in contracts] == [
        ("guarantee", f"{project_no}-BZ"), ("entrustment", f"{project_no}-WT"),
        ("counter_guarantee", f"{project_no}-FD1"), ("counter_guarantee", f"{project_no}-FD2")]
    for i, c in enumerate(contracts):
        signed = f.mutate("legal", SIGN, "guaranteeContractMarkSigned", {"i": {
            "contractId": c["id"], "signedOn": today.isoformat(),
            "signers": [{"role": "bank", "name": "农业银行"}, {"role": "guarantor", "name": "担保公司"}]}})
        assert signed["contract"]["status"] == "signed"
        assert f.status(pid) == ("contracted" if i == len(contracts) - 1 else "approved")

    # --- the committee's condition (追加保证金 10%): the margin is in the fee plan, the approver waives it ----------
    [condition] = f.call("mgr", "query($p: ID!) { guaranteeProject(id: $p) { approvalConditions { id status } } }",
                         {"p": pid})["data"]["guaranteeProject"]["approvalConditions"]
    assert condition["status"] == "open"
    waived = f.mutate("boss", """mutation($i: GuaranteeConditionWaiveInput!) { guaranteeConditionWaive(input: $i) {
      condition { status } errors { code message } } }""", "guaranteeConditionWaive",
                      {"i": {"conditionId": condition["id"], "reason": "保证金已按 10% 列入收费计划"}})
    assert waived["condition"] == {"status": "waived"}

    # --- finance confirms the loan: the guarantee is effective with its in-force balance -----------------------
    loan = f.mutate("fin", LOAN, "guaranteeLoanConfirm", {"i": {
        "projectId": pid, "loanContractNo": "ABC-JK-2026-001", "loanAmount": AMOUNT,
        "startDate": today.isoformat(), "endDate": (today + dt.timedelta(days=365)).isoformat(),
        "rate": "0.0435"}})["loan"]
    assert loan == {"status": "effective", "loanAmount": AMOUNT, "inForceBalance": AMOUNT,
                    "effectiveDate": today.isoformat()}
    final = f.project("mgr", pid)
    assert (final["status"], final["inForceBalance"], final["effectiveDate"]) == (
        "effective", AMOUNT, today.isoformat())

    # --- the workflow timeline: each step by its owner, in order -----------------------------------------------
    instance = f.call("mgr", INSTANCE, {"id": inst})["data"]["workflowInstance"]
    assert instance["status"] == "approved"
    people = {gid("User", v): k for k, v in uid.items()}
    decisions = [(e["action"], e["stepKey"], people.get(e["actorId"]), e["comment"]) for e in instance["timeline"]
                 if e["action"] in ("approve", "vote", "convene")]
    assert decisions == [
        ("approve", "acceptance", "head", "资料齐全，受理"), ("approve", "due_diligence", "mgr", "尽调完成"),
        ("approve", "preliminary_review", "risk", "初审同意"), ("approve", "re_review", "boss", "复审同意"),
        ("convene", "committee", "legal", f"2026年第1次审保会 ({today.isoformat()})"),
        *[("vote", "committee", user, comment) for user, _, comment in votes],
        ("approve", "reply", "boss", "同意批复")]
    steps = [(s["stepKey"], s["status"], s["decision"]) for s in instance["steps"]]
    assert steps == [(step, "approved", "approve") for step in (
        "acceptance", "due_diligence", "preliminary_review", "re_review", "committee", "reply")] + [
        ("credit_line_check", "approved", "ok")]
    committee = next(s for s in instance["steps"] if s["stepKey"] == "committee")
    resolution = committee["resolution"]
    assert resolution["conditions"] == ["追加保证金 10%"]
    assert {k: resolution[k] for k in ("eligible", "approvals", "rejections", "recusals", "vetoed")} == {
        "eligible": 5, "approvals": 4, "rejections": 1, "recusals": 1, "vetoed": False}
    assert resolution["chair"] == uid["chair"] and sorted(resolution["members"]) == sorted(uid[m] for m in members)

    # --- the audit trail: the key actions in order, by the right people ----------------------------------------
    trail = _audit_entries(f)
    by_id = {v: k for k, v in uid.items()}
    key_actions = {
        "guarantee.product.created", "guarantee.bank.created", "guarantee.credit_line.created",
        "guarantee.application.created", "guarantee.counter_guarantee.add", "guarantee.application.submitted",
        "guarantee.rating.score", "guarantee.due_diligence.submit", "guarantee.meeting.scheduled",
        "guarantee.meeting.opened", "guarantee.credit_line.reserved", "guarantee.project.decided",
        "guarantee.fee_plan.set", "guarantee.fee.received", "guarantee.contracts.generated",
        "guarantee.project.contracted", "guarantee.loan.confirmed"}
    seen = [(e["action"], by_id.get(e["actorId"])) for e in trail if e["action"] in key_actions]
    assert seen == [
        ("guarantee.product.created", "admin"), ("guarantee.bank.created", "fin"),
        ("guarantee.credit_line.created", "fin"), ("guarantee.application.created", "mgr"),
        ("guarantee.counter_guarantee.add", "mgr"), ("guarantee.counter_guarantee.add", "mgr"),
        ("guarantee.application.submitted", "mgr"), ("guarantee.rating.score", "mgr"),
        ("guarantee.due_diligence.submit", "mgr"), ("guarantee.meeting.scheduled", "legal"),
        ("guarantee.meeting.opened", "legal"), ("guarantee.credit_line.reserved", "boss"),
        ("guarantee.project.decided", "boss"), ("guarantee.fee_plan.set", "fin"), ("guarantee.fee.received", "fin"),
        ("guarantee.contracts.generated", "legal"), ("guarantee.project.contracted", "legal"),
        ("guarantee.loan.confirmed", "fin")]
    project_uuid = relay.from_base64(pid)[1]
    on_project = [e["action"] for e in trail if e["entityId"] == project_uuid]
    assert on_project.index("guarantee.application.submitted") < on_project.index("guarantee.project.decided") \
        < on_project.index("guarantee.project.contracted") < on_project.index("guarantee.loan.confirmed")
    signed_by = {by_id.get(e["actorId"]) for e in trail if e["action"] == "guarantee.contract.signed"}
    assert signed_by == {"legal"} and sum(e["action"] == "guarantee.contract.signed" for e in trail) == 4
    approvals = [(e["action"], by_id.get(e["actorId"])) for e in trail if e["action"] == "workflow.approve"]
    assert approvals == [("workflow.approve", u) for u in ("head", "mgr", "risk", "boss", "boss")]
    voted = [by_id.get(e["actorId"]) for e in trail if e["action"] == "workflow.vote"]
    assert voted == [user for user, _, _ in votes]

    # Personal data of the counter-guarantees stays out of the audit images (sensitive keys are redacted).
    images = json.dumps([(e["before"], e["after"]) for e in trail], ensure_ascii=False)
    assert "李四" not in images and "苏州市工业园区星湖街1号" not in images

    # The admin reads the same log as the auditor; a customer manager may not read it.
    assert f.call("admin", AUDIT, {"before": None})["data"]["auditLog"]["entries"][0]["seq"] == trail[-1]["seq"]
    denied = f.call("mgr", AUDIT, {"before": None})
    assert denied["data"] is None and denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"

    # --- the audit chain verifies --------------------------------------------------------------------------------
    result = verify_chain(gw.db, gw.tenant.id)
    assert result.ok, result.message
    assert result.checked >= trail[-1]["seq"]
