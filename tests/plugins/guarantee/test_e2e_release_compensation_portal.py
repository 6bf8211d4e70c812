"""Guarantee plugin part 2 end to end, through GraphQL alone, each step logged in as the role that owns it:

1. release with margin refund: a repayment of the whole in-force balance, the release requested (申请解保) and
   executed when its approval (manager A, risk officer) ends approved (status, line, margin and fee refund, the
   released amount 解保金额), the project ledger's entries and their confirmation in turn (manager, risk, finance) with
   refusals out of turn and by the same person;
2. default: the bank's overdue report (warnings raised), the compensation claim approved through the workflow tasks
   (risk officer, executive), payment of the claim less the bank's 20 % risk share, a partial recovery, the loss
   write-off approved by the executive, then the receivable, the ledger and the leaders' dashboard checked against
   figures worked out by hand;
3. the customer portal: a portal user sees its own customer's project and nothing of another customer's.

The projects are made effective with the services (``testing.make_effective``, dates in the past): part 1's e2e
test covers getting there through GraphQL."""

from __future__ import annotations

import base64
import datetime as dt
import uuid

import pytest
from strawberry import relay

from surety.core.identity.service import create_user
from surety.core.testing import TEST_PASSWORD, GraphQLFlow, mutation_ok
from surety.core.workflow.engine import business_today
from surety.plugins.customers.testing import actor_for
from surety.plugins.guarantee.testing import make_effective

pytestmark = pytest.mark.slow

TODAY = business_today()
START = TODAY - dt.timedelta(days=400)  # the loan started (and the margin was received) on START
END = TODAY + dt.timedelta(days=300)    # the loan term has not ended: a full release needs full repayment
MARGIN_REASON = "解保: margin refunded on release of the guarantee"


def day(offset: int) -> str:
    """TODAY + offset days, as GraphQL's Date."""
    return (TODAY + dt.timedelta(days=offset)).isoformat()


def gid(type_name: str, value) -> str:
    return relay.to_base64(type_name, str(value))


# ---------------------------------------------------------------- documents ------------------------------------------

ERR = "errors { code field message }"
PROJECT = """query($id: ID!) { guaranteeProject(id: $id) { id projectNo status inForceBalance effectiveDate
  managerAId bank { lines { total used available } } } }"""
REPAY = f"""mutation($i: GuaranteeRepaymentRecordInput!) {{ guaranteeRepaymentRecord(input: $i) {{
  repayment {{ amount repaidOn balanceAfter reference }} {ERR} }} }}"""
REQUEST = f"""mutation($i: GuaranteeReleaseRequestInput!) {{ guaranteeReleaseRequest(input: $i) {{
  request {{ id kind amount status note workflowInstanceId releaseId }} {ERR} }} }}"""
RELEASES = """query($p: ID!) { guaranteeReleases(projectId: $p) { kind reason amount releasedAmount balanceAfter
  lineReleased marginRefunded releasedOn note }
  guaranteeReleaseRequests(projectId: $p) { kind status decisionComment }
  guaranteeRepayments(projectId: $p) { amount repaidOn balanceAfter } }"""
FEE_PLAN = """query($p: ID!) { guaranteeFeePlan(projectId: $p) { marginAmount totalRefunded
  schedule { feeType amount received refunded outstanding }
  refunds { feeType amount refundedOn reason } } }"""
LEDGER = """query($p: ID!) { guaranteeProjectLedger(projectId: $p) { projectId projectNo
  entries { id kind detail amount entryDate sourceType stage managerBy riskBy financeBy }
  figures { reviewFee guaranteeFee marginHeld loanAmount inForceBalance repaid released compensated recovered
            writtenOff compensatedPrincipal compensatedInterest compensatedPenalty compensationBankShare }
  confirmedFigures { marginHeld loanAmount repaid released compensated recovered writtenOff } } }"""
CONFIRM = f"""mutation($ids: [ID!]!) {{ guaranteeLedgerConfirm(input: {{entryIds: $ids}}) {{
  entries {{ id kind stage managerBy riskBy financeBy }} failedEntryId {ERR} }} }}"""
AWAITING = "{ guaranteeLedgerAwaiting(first: 50) { edges { node { id stage } } } }"
OVERDUE = f"""mutation($i: GuaranteeOverdueReportRecordInput!) {{ guaranteeOverdueReportRecord(input: $i) {{
  report {{ reportedOn overduePrincipal overdueInterest daysPastDue open }}
  warnings {{ level status raisedOn observed indicator {{ code }} workflowInstanceId }} {ERR} }} }}"""
WARNINGS = """query($p: ID) { guaranteeWarnings(projectId: $p) { level status indicator { code } } }"""
CLAIM = f"""mutation($i: GuaranteeCompensationClaimInput!) {{ guaranteeCompensationClaim(input: $i) {{
  compensation {{ id status claimedAmount principal interest penalty bankShareRatio bankShare payableAmount claimDate
                  workflowInstanceId }} {ERR} }} }}"""
PAY = f"""mutation($i: GuaranteeCompensationPayInput!) {{ guaranteeCompensationPay(input: $i) {{
  receivable {{ id status paid recovered writtenOff outstanding openedOn }} {ERR} }} }}"""
RECOVER = f"""mutation($i: GuaranteeRecoveryRecordInput!) {{ guaranteeRecoveryRecord(input: $i) {{
  receivable {{ status paid recovered writtenOff outstanding }} {ERR} }} }}"""
PROPOSE = f"""mutation($i: GuaranteeLossWriteOffProposeInput!) {{ guaranteeLossWriteOffPropose(input: $i) {{
  receivable {{ status outstanding writeOffReason writeOffPending writeOffInstanceId }} {ERR} }} }}"""
COMPENSATION = """query($p: ID!) { guaranteeCompensation(projectId: $p) { inForceBalance paid recovered writtenOff
  outstanding claims { status claimedAmount paidAmount paidOn decisionComment }
  receivables { status paid recovered writtenOff outstanding openedOn closedOn writtenOffOn writeOffReason
                writeOffPending writeOffInstanceId actions { kind amount actionDate notes } } } }"""
MY_TASKS = """{ myTasks(first: 100) { edges { node { id stepKey status assigneeId instance { id } } } } }"""
TASK_ACTION = """mutation($i: WorkflowTaskActionInput!) {{ {name}(input: $i) {{
  instance {{ id definitionKey status currentStep }} errors {{ code field message }} }} }}"""
INSTANCE = """query($id: ID!) { workflowInstance(id: $id) { definitionKey status currentStep
  timeline { action stepKey actorId comment } } }"""
DASHBOARD = """query($f: Date!, $t: Date!) { guaranteeDashboard(dateFrom: $f, dateTo: $t) { dateFrom dateTo
  inForce { count balance netBalance } newBusiness { count loanAmount }
  releases { fullCount partialCount releasedAmount repaidAmount compensatedAmount guaranteeReleased }
  compensation { count paidAmount rate claimedAmount bankShare }
  recovery { recovered cumulativeRecovered cumulativeCompensation rate writtenOff } } }"""
PORTAL_USER = f"""mutation($i: GuaranteePortalUserCreateInput!) {{ guaranteePortalUserCreate(input: $i) {{
  link {{ userId customerId username displayName }} {ERR} }} }}"""
PORTAL_PROJECTS = "{ guaranteePortalProjects { id projectNo status progress amount } }"
PORTAL_PROJECT = """query($id: ID!) { guaranteePortalProject(id: $id) { id projectNo status progress
  milestones { key reached on } } }"""
PORTAL_LETTER = "query($p: ID!) { guaranteePortalLetter(projectId: $p) { filename contentType size contentBase64 } }"


ok = mutation_ok


def refused(body: dict, field: str) -> dict:
    """The payload of mutation ``field`` that must have been refused with a typed user error."""
    assert "errors" not in body, body
    payload = body["data"][field]
    assert payload["errors"], payload
    return payload


class Flow(GraphQLFlow):
    """The logged-in people of the tenant and the calls they make."""

    def __init__(self, api, gw):
        super().__init__(api, gw.tenant.slug)
        self.gw = gw

    def uid(self, user: str) -> str:
        return gid("User", self.gw.actors[user].id)

    def approve(self, user: str, instance_id: str, step: str, comment: str) -> dict:
        """``user`` approves their task at ``step`` (found in their inbox by the instance); the instance afterwards.
        The tenant has one person in each deciding role, so the engine assigns the task to them at once (a task
        with several candidates would be claimed first with workflowTaskClaim)."""
        task = self.task(user, instance_id, step)
        assert (task["status"], task["assigneeId"]) == ("open", self.uid(user)), task
        return self.mutate(user, TASK_ACTION.format(name="workflowTaskApprove"), "workflowTaskApprove",
                           {"i": {"taskId": task["id"], "comment": comment}})["instance"]


def _add_user(gw, username: str, role: str):
    """A further person at the head office."""

    with gw.session() as s:
        user = create_user(s, username=username, password=TEST_PASSWORD, display_name=username.title(),
                           org_unit_id=gw.units["HQ"], roles=[role], email=f"{username}@example.com")
        gw.actors[username] = actor_for(user)


def _effective(gw, customer: str = "corp", **kw) -> tuple[str, str]:
    """An effective project of ``customer`` made with the services by finance ("fin", its lead manager too): amount
    3,000,000.00 reserved on a fresh 10,000,000.00 line, margin 300,000.00 received on START, loan 2,800,000.00 from
    START to END. Returns its global id and number."""
    with gw.acting("fin") as (s, a):
        p = make_effective(s, a, gw.customers[customer], start=START, end=END, **kw)
        return gid("GuaranteeProject", p.id), p.project_no


# ---------------------------------------------------------------- 1. release with margin refund ----------------------


def test_release_with_margin_refund_and_ledger_confirmation(api, gw):
    _add_user(gw, "fin2", "finance")  # a second finance person: "fin" leads the project, so cannot also confirm
    f = Flow(api, gw)
    pid, project_no = _effective(gw)
    before = f.query("fin", PROJECT, {"id": pid})["guaranteeProject"]
    assert (before["status"], before["inForceBalance"], before["effectiveDate"]) == (
        "effective", "2800000.00", START.isoformat())
    assert before["managerAId"] == f.uid("fin")
    assert before["bank"]["lines"] == [{"total": "10000000.00", "used": "3000000.00", "available": "7000000.00"}]

    # Not repaid and the term not ended: no full release yet; more than the balance cannot be repaid.
    early = refused(f.call("fin", REQUEST, {"i": {"projectId": pid, "kind": "full"}}), "guaranteeReleaseRequest")
    assert early["request"] is None
    assert [(e["code"], e["field"]) for e in early["errors"]] == [("GUARANTEE_FULL_RELEASE_NOT_DUE", "kind")]
    over = refused(f.call("fin", REPAY, {"i": {"projectId": pid, "amount": "2800000.01"}}), "guaranteeRepaymentRecord")
    assert [(e["code"], e["field"]) for e in over["errors"]] == [("GUARANTEE_RELEASE_EXCEEDS_BALANCE", "amount")]
    # Release is finance's: the risk officer may not.
    denied = refused(f.call("risk", REPAY, {"i": {"projectId": pid, "amount": "1"}}), "guaranteeRepaymentRecord")
    assert denied["errors"][0]["code"] == "FORBIDDEN"

    # The bank reports the whole balance repaid; finance requests the release (申请解保), which goes through its
    # approval: the project's manager A ("fin" here), then the risk officer. Nothing is released before.
    repaid = f.mutate("fin", REPAY, "guaranteeRepaymentRecord", {"i": {
        "projectId": pid, "amount": before["inForceBalance"], "repaidOn": day(-2), "reference": "HK-001"}})
    assert repaid["repayment"] == {"amount": "2800000.00", "repaidOn": day(-2), "balanceAfter": "0.00",
                                   "reference": "HK-001"}
    request = f.mutate("fin", REQUEST, "guaranteeReleaseRequest", {"i": {"projectId": pid, "kind": "full",
                                                                         "note": "银行结清通知"}})["request"]
    assert (request["status"], request["kind"], request["releaseId"]) == ("in_approval", "full", None)
    iid = request["workflowInstanceId"]
    assert f.query("fin", PROJECT, {"id": pid})["guaranteeProject"]["status"] == "effective"
    assert f.approve("fin", iid, "manager_review", "已核对银行结清证明") == {
        "id": iid, "definitionKey": "guarantee.release", "status": "running", "currentStep": "risk_review"}
    assert f.approve("risk", iid, "risk_review", "同意解保")["status"] == "approved"
    listed = f.query("fin", RELEASES, {"p": pid})
    assert listed["guaranteeReleases"] == [{
        "kind": "full", "reason": "repaid", "amount": "0.00", "releasedAmount": "2800000.00", "balanceAfter": "0.00",
        "lineReleased": "3000000.00", "marginRefunded": "300000.00", "releasedOn": TODAY.isoformat(),
        "note": "银行结清通知"}]
    assert listed["guaranteeReleaseRequests"] == [{"kind": "full", "status": "released",
                                                   "decisionComment": "同意解保"}]

    after = f.query("fin", PROJECT, {"id": pid})["guaranteeProject"]
    assert (after["status"], after["inForceBalance"]) == ("released", "0.00")
    assert after["bank"]["lines"] == [{"total": "10000000.00", "used": "0.00", "available": "10000000.00"}]
    assert listed["guaranteeRepayments"] == [{"amount": "2800000.00", "repaidOn": day(-2), "balanceAfter": "0.00"}]
    plan = f.query("fin", FEE_PLAN, {"p": pid})["guaranteeFeePlan"]
    assert plan["refunds"] == [{"feeType": "margin", "amount": "300000.00", "refundedOn": TODAY.isoformat(),
                                "reason": MARGIN_REASON}]
    assert plan["totalRefunded"] == "300000.00" and plan["marginAmount"] == "300000.00"
    margin = [i for i in plan["schedule"] if i["feeType"] == "margin"]
    assert margin == [{"feeType": "margin", "amount": "300000.00", "received": "300000.00", "refunded": "300000.00",
                       "outstanding": "0.00"}]
    # A released project takes no further repayment.
    again = refused(f.call("fin", REPAY, {"i": {"projectId": pid, "amount": "1"}}), "guaranteeRepaymentRecord")
    assert [(e["code"], e["field"]) for e in again["errors"]] == [("GUARANTEE_NOT_EFFECTIVE", "projectId")]

    # The project's ledger: margin in and the loan on START, the repayment, then the margin out and the release.
    ledger = f.query("fin", LEDGER, {"p": pid})["guaranteeProjectLedger"]
    assert (ledger["projectId"], ledger["projectNo"]) == (pid, project_no)
    entries = ledger["entries"]
    assert [(e["kind"], e["detail"], e["amount"], e["entryDate"], e["sourceType"]) for e in entries] == [
        ("margin_in", "margin", "300000.00", START.isoformat(), "guarantee_fee_receipts"),
        ("loan", "", "2800000.00", START.isoformat(), "guarantee_projects"),
        ("repayment", "", "2800000.00", day(-2), "guarantee_repayments"),
        ("margin_out", "margin", "300000.00", TODAY.isoformat(), "guarantee_fee_refunds"),
        ("release", "full", "2800000.00", TODAY.isoformat(), "guarantee_releases"),  # 解保金额: the repaid loan
    ]
    assert {(e["stage"], e["managerBy"], e["riskBy"], e["financeBy"]) for e in entries} == {
        ("manager", None, None, None)}
    assert ledger["figures"] == {"reviewFee": "0.00", "guaranteeFee": "0.00", "marginHeld": "0.00",
                                 "loanAmount": "2800000.00", "inForceBalance": "0.00", "repaid": "2800000.00",
                                 "released": "2800000.00", "compensated": "0.00", "recovered": "0.00",
                                 "writtenOff": "0.00", "compensatedPrincipal": "0.00", "compensatedInterest": "0.00",
                                 "compensatedPenalty": "0.00", "compensationBankShare": "0.00"}
    assert set(ledger["confirmedFigures"].values()) == {"0.00"}  # nothing confirmed yet
    ids = [e["id"] for e in entries]

    def stages() -> list[str]:
        return [e["stage"] for e in f.query("fin", LEDGER, {"p": pid})["guaranteeProjectLedger"]["entries"]]

    def refusal(user: str, entry_ids: list[str], code: str, failed: str, says: str):
        payload = refused(f.call(user, CONFIRM, {"ids": entry_ids}), "guaranteeLedgerConfirm")
        assert payload["entries"] == [] and payload["failedEntryId"] == failed, payload
        assert [(e["code"], e["field"]) for e in payload["errors"]] == [(code, "entryIds")], payload
        assert says in payload["errors"][0]["message"], payload

    # Out of turn: the risk officer and finance cannot confirm before the manager; nothing is confirmed.
    refusal("risk", ids, "FORBIDDEN", ids[0], "first by the project's manager")
    refusal("fin2", ids[::-1], "FORBIDDEN", ids[-1], "first by the project's manager")
    assert stages() == ["manager"] * 5
    # The manager (A: "fin", who made it effective) confirms first; it sees them awaiting it.
    assert {e["node"]["id"] for e in f.query("fin", AWAITING)["guaranteeLedgerAwaiting"]["edges"]} == set(ids)
    done = f.mutate("fin", CONFIRM, "guaranteeLedgerConfirm", {"ids": ids})["entries"]
    assert [(e["id"], e["stage"], e["managerBy"], e["riskBy"]) for e in done] == [
        (i, "risk", f.uid("fin"), None) for i in ids]
    # Twice by the manager, or by finance before the risk officer: refused (the risk stage needs confirm_risk).
    refusal("fin", ids[:1], "FORBIDDEN", ids[0], "guarantee:ledger:confirm_risk")
    refusal("fin2", ids, "FORBIDDEN", ids[0], "guarantee:ledger:confirm_risk")
    assert stages() == ["risk"] * 5
    done = f.mutate("risk", CONFIRM, "guaranteeLedgerConfirm", {"ids": ids})["entries"]
    assert [(e["stage"], e["managerBy"], e["riskBy"], e["financeBy"]) for e in done] == [
        ("finance", f.uid("fin"), f.uid("risk"), None)] * 5
    # The risk officer twice: refused (finance's stage); "fin" holds confirm_finance but confirmed the manager
    # stage already: the same person cannot confirm two stages of an entry.
    refusal("risk", ids, "FORBIDDEN", ids[0], "guarantee:ledger:confirm_finance")
    refusal("fin", ids[2:], "FORBIDDEN", ids[2], "someone other than who confirmed its earlier stages")
    assert stages() == ["finance"] * 5
    assert f.query("fin", AWAITING)["guaranteeLedgerAwaiting"]["edges"] == []
    done = f.mutate("fin2", CONFIRM, "guaranteeLedgerConfirm", {"ids": ids})["entries"]
    assert [(e["stage"], e["managerBy"], e["riskBy"], e["financeBy"]) for e in done] == [
        ("confirmed", f.uid("fin"), f.uid("risk"), f.uid("fin2"))] * 5
    # Confirmed entries are done: a further confirmation is a conflict.
    refusal("fin2", ids[-1:], "GUARANTEE_LEDGER_ALREADY_CONFIRMED", ids[-1], "already confirmed")
    final = f.query("fin", LEDGER, {"p": pid})["guaranteeProjectLedger"]
    assert [e["stage"] for e in final["entries"]] == ["confirmed"] * 5
    assert final["confirmedFigures"] == {"marginHeld": "0.00", "loanAmount": "2800000.00", "repaid": "2800000.00",
                                         "released": "2800000.00", "compensated": "0.00", "recovered": "0.00",
                                         "writtenOff": "0.00"}


# ---------------------------------------------------------------- 2. default to loss write-off ----------------------


def test_default_compensation_recovery_and_write_off(api, gw):
    f = Flow(api, gw)
    pid, _ = _effective(gw)

    # Before the default: the bank reports 800,000.00 repaid; finance releases 200,000.00 of the guarantee.
    f.mutate("fin", REPAY, "guaranteeRepaymentRecord", {"i": {"projectId": pid, "amount": "800000",
                                                              "repaidOn": day(-6)}})
    part = f.mutate("fin", REQUEST, "guaranteeReleaseRequest", {"i": {"projectId": pid, "kind": "partial",
                                                                      "amount": "200000", "releasedOn": day(-5)}})
    f.approve("fin", part["request"]["workflowInstanceId"], "manager_review", "同意")
    f.approve("risk", part["request"]["workflowInstanceId"], "risk_review", "同意")
    assert f.query("fin", RELEASES, {"p": pid})["guaranteeReleases"][0]["balanceAfter"] == "1800000.00"

    # The bank reports the loan overdue (35 days, interest 12,345.67): the default indicators fire at once.
    reported = f.mutate("risk", OVERDUE, "guaranteeOverdueReportRecord", {"i": {
        "projectId": pid, "overduePrincipal": "150000", "overdueInterest": "12345.67", "daysPastDue": 35,
        "reportedOn": day(-4), "notes": "银行逾期通知"}})
    assert reported["report"] == {"reportedOn": day(-4), "overduePrincipal": "150000.00",
                                  "overdueInterest": "12345.67", "daysPastDue": 35, "open": True}
    raised = sorted((w["indicator"]["code"], w["level"], w["status"], w["raisedOn"]) for w in reported["warnings"])
    assert raised == [("OVERDUE_1", "yellow", "open", day(-4)), ("OVERDUE_30", "orange", "open", day(-4)),
                      ("OVERDUE_INTEREST", "blue", "open", day(-4))]
    assert all(w["workflowInstanceId"] for w in reported["warnings"])  # each goes to the risk officer to handle
    listed = f.query("risk", WARNINGS, {"p": pid})["guaranteeWarnings"]
    assert sorted((w["indicator"]["code"], w["level"], w["status"]) for w in listed) == [r[:3] for r in raised]

    # The bank claims compensation; finance records the claim; the customer manager may not.
    assert refused(f.call("mgr", CLAIM, {"i": {"projectId": pid, "amount": "1"}}),
                   "guaranteeCompensationClaim")["errors"][0]["code"] == "FORBIDDEN"
    claim = f.mutate("fin", CLAIM, "guaranteeCompensationClaim", {"i": {
        "projectId": pid, "amount": "1200000", "claimDate": day(-3), "notes": "银行代偿通知"}})["compensation"]
    assert (claim["status"], claim["claimedAmount"], claim["claimDate"]) == ("claimed", "1200000.00", day(-3))
    # An amount alone is a claim of principal; the line's 20 % is the bank's: 1,200,000.00 x 0.20 = 240,000.00,
    # the company's liability 1,200,000.00 - 240,000.00 = 960,000.00.
    assert {k: claim[k] for k in ("principal", "interest", "penalty", "bankShareRatio", "bankShare",
                                  "payableAmount")} == {
        "principal": "1200000.00", "interest": "0.00", "penalty": "0.00", "bankShareRatio": "0.20000000",
        "bankShare": "240000.00", "payableAmount": "960000.00"}
    iid = claim["workflowInstanceId"]
    early = refused(f.call("fin", PAY, {"i": {"compensationId": claim["id"], "amount": "1200000"}}),
                    "guaranteeCompensationPay")
    assert early["errors"][0]["code"] == "CONFLICT"  # not approved yet

    # The decision: the risk officer's review, then the executive's approval, as workflow tasks from their inboxes.
    assert f.approve("risk", iid, "review", "材料齐全") == {
        "id": iid, "definitionKey": "guarantee.compensation", "status": "running", "currentStep": "approval"}
    # The review left the risk officer's inbox; the three warnings wait there to be handled.
    assert {e["node"]["instance"]["id"] for e in f.query("risk", MY_TASKS)["myTasks"]["edges"]} == {
        w["workflowInstanceId"] for w in reported["warnings"]}
    assert f.approve("boss", iid, "approval", "同意代偿") == {
        "id": iid, "definitionKey": "guarantee.compensation", "status": "approved", "currentStep": "approved"}
    timeline = f.query("boss", INSTANCE, {"id": iid})["workflowInstance"]["timeline"]
    assert [(t["action"], t["stepKey"], t["actorId"]) for t in timeline if t["action"] == "approve"] == [
        ("approve", "review", f.uid("risk")), ("approve", "approval", f.uid("boss"))]

    # Finance pays the bank the company's part: the gross claim is refused, 960,000.00 is paid; the in-force balance
    # goes down by the principal (1,800,000.00 - 1,200,000.00 = 600,000.00) and a receivable of 960,000.00 is opened.
    gross = refused(f.call("fin", PAY, {"i": {"compensationId": claim["id"], "amount": "1200000",
                                              "paidOn": day(-2)}}), "guaranteeCompensationPay")
    assert [(e["code"], e["field"]) for e in gross["errors"]] == [("VALIDATION_FAILED", "amount")]
    assert "960,000.00" in gross["errors"][0]["message"] and gross["receivable"] is None
    receivable = f.mutate("fin", PAY, "guaranteeCompensationPay", {"i": {
        "compensationId": claim["id"], "amount": "960000", "paidOn": day(-2)}})["receivable"]
    assert {k: receivable[k] for k in ("status", "paid", "recovered", "writtenOff", "outstanding", "openedOn")} == {
        "status": "open", "paid": "960000.00", "recovered": "0.00", "writtenOff": "0.00",
        "outstanding": "960000.00", "openedOn": day(-2)}
    rid = receivable["id"]
    after_pay = f.query("fin", PROJECT, {"id": pid})["guaranteeProject"]
    assert (after_pay["status"], after_pay["inForceBalance"]) == ("effective", "600000.00")  # principal remains

    # Recovery: the court enforces 300,000.60 of it.
    got = f.mutate("fin", RECOVER, "guaranteeRecoveryRecord", {"i": {
        "receivableId": rid, "kind": "enforcement", "amount": "300000.60", "notes": "法院强制执行",
        "actionDate": day(-1)}})["receivable"]
    assert got == {"status": "open", "paid": "960000.00", "recovered": "300000.60", "writtenOff": "0.00",
                   "outstanding": "659999.40"}

    # The rest is a loss: the risk officer proposes the write-off (finance may not), the executive approves.
    no_right = refused(f.call("fin", PROPOSE, {"i": {"receivableId": rid, "reason": "无可执行财产"}}),
                       "guaranteeLossWriteOffPropose")
    assert no_right["errors"][0]["code"] == "FORBIDDEN"
    proposal = f.mutate("risk", PROPOSE, "guaranteeLossWriteOffPropose", {"i": {
        "receivableId": rid, "reason": "借款人无可执行财产，终结执行"}})["receivable"]
    assert (proposal["status"], proposal["outstanding"], proposal["writeOffPending"]) == ("open", "659999.40", True)
    woid = proposal["writeOffInstanceId"]
    assert f.approve("boss", woid, "approval", "同意核销") == {
        "id": woid, "definitionKey": "guarantee.loss_write_off", "status": "approved", "currentStep": "approved"}

    # The receivable: paid 960,000.00 = recovered 300,000.60 + written off 659,999.40, nothing outstanding.
    view = f.query("fin", COMPENSATION, {"p": pid})["guaranteeCompensation"]
    assert {k: view[k] for k in ("inForceBalance", "paid", "recovered", "writtenOff", "outstanding")} == {
        "inForceBalance": "600000.00", "paid": "960000.00", "recovered": "300000.60", "writtenOff": "659999.40",
        "outstanding": "0.00"}
    assert view["claims"] == [{"status": "compensated", "claimedAmount": "1200000.00", "paidAmount": "960000.00",
                               "paidOn": day(-2), "decisionComment": "同意代偿"}]
    assert view["receivables"] == [{
        "status": "closed", "paid": "960000.00", "recovered": "300000.60", "writtenOff": "659999.40",
        "outstanding": "0.00", "openedOn": day(-2), "closedOn": TODAY.isoformat(),
        "writtenOffOn": TODAY.isoformat(), "writeOffReason": "借款人无可执行财产，终结执行", "writeOffPending": False,
        "writeOffInstanceId": None,
        "actions": [{"kind": "enforcement", "amount": "300000.60", "actionDate": day(-1), "notes": "法院强制执行"}]}]

    # The project ledger.
    ledger = f.query("fin", LEDGER, {"p": pid})["guaranteeProjectLedger"]
    assert [(e["kind"], e["detail"], e["amount"], e["entryDate"]) for e in ledger["entries"]] == [
        ("margin_in", "margin", "300000.00", START.isoformat()),
        ("loan", "", "2800000.00", START.isoformat()),
        ("repayment", "", "800000.00", day(-6)),
        ("release", "partial", "200000.00", day(-5)),
        ("compensation", "", "960000.00", day(-2)),  # what the company paid
        ("recovery", "enforcement", "300000.60", day(-1)),
        ("write_off", "", "659999.40", TODAY.isoformat()),
    ]
    assert [e["sourceType"] for e in ledger["entries"]][4:] == [
        "guarantee_compensations", "guarantee_recovery_actions", "guarantee_compensation_receivables"]
    figures = ledger["figures"]
    assert {k: figures[k] for k in ("loanAmount", "inForceBalance", "repaid", "released", "compensated", "recovered",
                                    "writtenOff", "marginHeld", "compensatedPrincipal", "compensatedInterest",
                                    "compensatedPenalty", "compensationBankShare")} == {
        "loanAmount": "2800000.00", "inForceBalance": "600000.00", "repaid": "800000.00", "released": "200000.00",
        "compensated": "960000.00", "recovered": "300000.60", "writtenOff": "659999.40", "marginHeld": "300000.00",
        "compensatedPrincipal": "1200000.00", "compensatedInterest": "0.00", "compensatedPenalty": "0.00",
        "compensationBankShare": "240000.00"}

    # The leaders' dashboard over the last ten days (today included), worked out by hand:
    #   guarantees released = released 200,000.00 + repaid 800,000.00 + compensated principal 1,200,000.00
    #                       = 2,200,000.00
    #   compensation paid   = 1,200,000.00 - bank share 240,000.00 = 960,000.00
    #   compensation rate   = 960,000.00 / 2,200,000.00 = 0.43636363... -> 0.436364 (6 places, half up)
    #   recovery rate       = 300,000.60 / 960,000.00   = 0.31250062... -> 0.312501
    #   in force now        = 2,800,000.00 - 800,000.00 - 200,000.00 - 1,200,000.00 = 600,000.00 (one project),
    #                         net of the bank's 20 %: 600,000.00 - 120,000.00 = 480,000.00
    board = f.query("boss", DASHBOARD, {"f": day(-10), "t": day(0)})["guaranteeDashboard"]
    assert (board["dateFrom"], board["dateTo"]) == (day(-10), day(0))
    assert board["inForce"] == {"count": 1, "balance": "600000.00", "netBalance": "480000.00"}
    assert board["newBusiness"]["count"] == 0  # it took effect 400 days ago
    assert board["releases"] == {"fullCount": 0, "partialCount": 1, "releasedAmount": "200000.00",
                                 "repaidAmount": "800000.00", "compensatedAmount": "1200000.00",
                                 "guaranteeReleased": "2200000.00"}
    assert board["compensation"] == {"count": 1, "paidAmount": "960000.00", "rate": "0.436364",
                                     "claimedAmount": "1200000.00", "bankShare": "240000.00"}
    assert board["recovery"] == {"recovered": "300000.60", "cumulativeRecovered": "300000.60",
                                 "cumulativeCompensation": "960000.00", "rate": "0.312501",
                                 "writtenOff": "659999.40"}
    # A period that ends before the payment: the repayment and the partial release only (guarantees released
    # 800,000.00 + 200,000.00 = 1,000,000.00), no compensation (rate 0 / 1,000,000.00 = 0), and no recovery rate
    # (nothing compensated up to its end).
    before = f.query("boss", DASHBOARD, {"f": day(-10), "t": day(-3)})["guaranteeDashboard"]
    assert before["releases"]["guaranteeReleased"] == "1000000.00"
    assert (before["compensation"]["count"], before["compensation"]["rate"]) == (0, "0.000000")
    assert (before["recovery"]["rate"], before["recovery"]["cumulativeCompensation"]) == (None, "0.00")
    assert [before["compensation"]["paidAmount"], before["recovery"]["recovered"],
            before["recovery"]["writtenOff"]] == ["0.00", "0.00", "0.00"]
    # The dashboard is the leaders': finance may not read it.
    denied = f.call("fin", DASHBOARD, {"f": day(-10), "t": day(0)})
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"


# ---------------------------------------------------------------- 3. portal isolation -------------------------------


def test_portal_user_sees_only_its_customers_projects(api, gw):
    f = Flow(api, gw)
    ours, ours_no = _effective(gw, "corp")
    theirs, _ = _effective(gw, "person", customer_kind="individual")

    # The customer manager opens a portal account for its customer "corp".
    link = f.mutate("mgr", PORTAL_USER, "guaranteePortalUserCreate", {"i": {
        "customerId": gid("Customer", gw.customers["corp"]), "username": "huaxia.fin", "password": TEST_PASSWORD,
        "displayName": "华夏建材 财务部"}})["link"]
    assert (link["customerId"], link["username"], link["displayName"]) == (
        gid("Customer", gw.customers["corp"]), "huaxia.fin", "华夏建材 财务部")
    # Another customer manager ("mgr2": own data scope) cannot open one for a customer it does not manage.
    other = refused(f.call("mgr2", PORTAL_USER, {"i": {
        "customerId": gid("Customer", gw.customers["corp"]), "username": "intruder", "password": TEST_PASSWORD,
        "displayName": "x"}}), "guaranteePortalUserCreate")
    assert other["link"] is None and other["errors"][0]["code"] == "NOT_FOUND"

    # Its own customer's project only.
    mine = f.query("huaxia.fin", PORTAL_PROJECTS)["guaranteePortalProjects"]
    assert mine == [{"id": ours, "projectNo": ours_no, "status": "effective", "progress": "担保已生效",
                     "amount": "3000000.00"}]
    one = f.query("huaxia.fin", PORTAL_PROJECT, {"id": ours})["guaranteePortalProject"]
    assert (one["id"], one["status"]) == (ours, "effective")
    assert {"key": "effective", "reached": True, "on": START.isoformat()} in one["milestones"]
    letter = f.query("huaxia.fin", PORTAL_LETTER, {"p": ours})["guaranteePortalLetter"]
    raw = base64.b64decode(letter["contentBase64"])
    assert raw.startswith(b"%PDF") and letter["size"] == len(raw) and letter["contentType"] == "application/pdf"

    # The other customer's project is as invisible as one that does not exist.
    assert f.query("huaxia.fin", PORTAL_PROJECT, {"id": theirs}) == {"guaranteePortalProject": None}
    nobody = gid("GuaranteeProject", uuid.uuid4())
    assert f.query("huaxia.fin", PORTAL_PROJECT, {"id": nobody}) == {"guaranteePortalProject": None}
    not_theirs = f.call("huaxia.fin", PORTAL_LETTER, {"p": theirs})
    missing = f.call("huaxia.fin", PORTAL_LETTER, {"p": nobody})
    assert not_theirs["data"] is None and not_theirs["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert missing["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert not_theirs["errors"][0]["message"] == missing["errors"][0]["message"]  # ids cannot be probed

    # Staff queries are refused to the portal user, even about its own customer's project.
    for query, variables in (("{ guaranteeProjects { edges { node { id } } } }", {}),
                             ("query($id: ID!) { guaranteeProject(id: $id) { id } }", {"id": ours}),
                             ("query($p: ID!) { guaranteeProjectLedger(projectId: $p) { projectId } }", {"p": ours}),
                             ("query($p: ID!) { guaranteeLetter(projectId: $p) { filename } }", {"p": ours})):
        body = f.call("huaxia.fin", query, variables)
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN", (query, body)
    # Staff still see both projects.
    staff = f.query("fin", "{ guaranteeProjects { edges { node { id } } } }")["guaranteeProjects"]["edges"]
    assert {e["node"]["id"] for e in staff} == {ours, theirs}
