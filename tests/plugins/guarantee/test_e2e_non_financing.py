"""A bid guarantee (投标保函, non-financing) end to end through GraphQL alone, each step by the role that owns it
(issue 14 item 4): the application names its beneficiary and the tender, is submitted, approved (below the committee
threshold), its fees planned and received, its contracts generated and signed; loan confirmation is refused (no
loan), the letter of guarantee is issued (effective and expiry dates, letter number); the beneficiary claims the
guaranteed sum (interest refused), the claim is approved and paid, and the project is compensated. The figures are
checked at each step: in-force balance, fee totals, the claim's components and payable, the receivable, the ledger."""

from __future__ import annotations

import datetime as dt

import pytest

from surety.core.testing import GraphQLFlow, mutation_ok
from surety.core.workflow.engine import business_today
from surety.plugins.customers.testing import make_uscc

pytestmark = pytest.mark.slow

TODAY = business_today()
EXPIRY = TODAY + dt.timedelta(days=120)
AMOUNT = "500000.00"
BENEFICIARY = "苏州市公共资源交易中心"
TENDER = "苏州工业园区星湖街道路改造工程（招标编号 SZ-2026-118）"

ERR = "errors { code field message }"
PRODUCT_CREATE = f"""mutation($i: GuaranteeProductCreateInput!) {{ guaranteeProductCreate(input: $i) {{
  product {{ id kind category requiresCounterGuarantee }} {ERR} }} }}"""
CUSTOMER_CREATE = f"""mutation($i: CustomerCreateInput!) {{ customerCreate(input: $i) {{ customer {{ id name }}
  {ERR} }} }}"""
APPLY = f"""mutation($i: GuaranteeApplicationCreateInput!) {{ guaranteeApplicationCreate(input: $i) {{
  project {{ id status amount termMonths beneficiaryName underlyingContract }} {ERR} }} }}"""
UPDATE = f"""mutation($i: GuaranteeApplicationUpdateInput!) {{ guaranteeApplicationUpdate(input: $i) {{
  project {{ id beneficiaryName }} {ERR} }} }}"""
SUBMIT = f"""mutation($id: ID!) {{ guaranteeApplicationSubmit(id: $id) {{ project {{ id projectNo status }}
  {ERR} }} }}"""
PROJECT = """query($id: ID!) { guaranteeProject(id: $id) { id projectNo status amount inForceBalance effectiveDate
  expiryDate beneficiaryName underlyingContract workflowInstanceId } }"""
TASK_ACTION = """mutation($i: WorkflowTaskActionInput!) {{ {name}(input: $i) {{ instance {{ status currentStep }}
  errors {{ code field message }} }} }}"""
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
  loan {{ status }} {ERR} }} }}"""
ISSUE = f"""mutation($i: GuaranteeIssueInput!) {{ guaranteeIssue(input: $i) {{
  issuance {{ projectId projectNo status letterNo beneficiaryName guaranteedAmount effectiveDate expiryDate
              inForceBalance }} {ERR} }} }}"""
CLAIM = f"""mutation($i: GuaranteeCompensationClaimInput!) {{ guaranteeCompensationClaim(input: $i) {{
  compensation {{ id status claimant claimedAmount principal interest penalty bankShare payableAmount claimDate
                  workflowInstanceId }} {ERR} }} }}"""
PAY = f"""mutation($i: GuaranteeCompensationPayInput!) {{ guaranteeCompensationPay(input: $i) {{
  receivable {{ status paid outstanding openedOn }} {ERR} }} }}"""
COMPENSATION = """query($p: ID!) { guaranteeCompensation(projectId: $p) { projectStatus inForceBalance expiryDate
  coveredComponents paid outstanding claims { status claimant claimedAmount paidAmount paidOn } } }"""
LEDGER = """query($p: ID!) { guaranteeProjectLedger(projectId: $p) { entries { kind amount entryDate }
  figures { guaranteeFee loanAmount inForceBalance compensated compensatedPrincipal compensatedInterest } } }"""

ok = mutation_ok


def refused(body: dict, field: str) -> list[tuple[str, str]]:
    """(code, field) of the typed errors of mutation ``field``, which must have refused."""
    assert "errors" not in body, body
    payload = body["data"][field]
    assert payload["errors"], payload
    return [(e["code"], e["field"]) for e in payload["errors"]]


class Flow(GraphQLFlow):
    def __init__(self, api, gw):
        super().__init__(api, gw.tenant.slug)
        self.gw = gw

    def project(self, pid: str) -> dict:
        return self.query("mgr", PROJECT, {"id": pid})["guaranteeProject"]

    def approve(self, user: str, instance_id: str, step: str, comment: str = "同意") -> dict:
        task = self.task(user, instance_id, step)
        return self.mutate(user, TASK_ACTION.format(name="workflowTaskApprove"), "workflowTaskApprove",
                           {"i": {"taskId": task["id"], "comment": comment}})["instance"]


def test_a_bid_guarantee_from_application_to_compensation(api, gw):
    f = Flow(api, gw)

    # --- set-up: the bid guarantee product (no counter-guarantee needed) and the customer -----------------------
    product = f.mutate("admin", PRODUCT_CREATE, "guaranteeProductCreate", {"i": {
        "code": "BID-STD", "name": "投标保函", "kind": "bid", "minAmount": "10000", "maxAmount": "5000000",
        "minTermMonths": 1, "maxTermMonths": 12, "defaultFeeRate": "0.02",
        "requiresCounterGuarantee": False}})["product"]
    assert (product["kind"], product["category"], product["requiresCounterGuarantee"]) == (
        "bid", "non_financing", False)
    customer = f.mutate("mgr", CUSTOMER_CREATE, "customerCreate", {"i": {
        "kind": "corporate", "name": "苏州路桥建设有限公司", "creditCode": make_uscc(81), "industry": "E48",
        "region": "320500", "size": "medium"}})["customer"]

    # --- the application: no beneficiary, no submission; named, submitted ---------------------------------------
    project = f.mutate("mgr", APPLY, "guaranteeApplicationCreate", {"i": {
        "customerId": customer["id"], "productId": product["id"], "amount": AMOUNT, "termMonths": 6,
        "purpose": "道路改造工程投标", "underlyingContract": TENDER}})["project"]
    pid = project["id"]
    assert (project["status"], project["amount"], project["beneficiaryName"]) == ("draft", AMOUNT, None)
    assert refused(f.call("mgr", SUBMIT, {"id": pid}), "guaranteeApplicationSubmit") == [
        ("VALIDATION_FAILED", "beneficiaryName")]
    f.mutate("mgr", UPDATE, "guaranteeApplicationUpdate", {"i": {"id": pid, "beneficiaryName": BENEFICIARY}})
    submitted = f.mutate("mgr", SUBMIT, "guaranteeApplicationSubmit", {"id": pid})["project"]
    project_no = submitted["projectNo"]
    assert submitted["status"] == "in_approval" and project_no
    inst = f.project(pid)["workflowInstanceId"]

    # --- approval below the committee threshold: acceptance, due diligence, reviews, the reply --------------------
    assert f.approve("head", inst, "acceptance")["currentStep"] == "due_diligence"
    assert f.approve("mgr", inst, "due_diligence")["currentStep"] == "preliminary_review"
    assert f.approve("risk", inst, "preliminary_review")["currentStep"] == "re_review"
    assert f.approve("boss", inst, "re_review")["currentStep"] == "reply"
    assert f.approve("boss", inst, "reply") == {"status": "approved", "currentStep": "approved"}
    assert f.project(pid)["status"] == "approved"

    # --- finance: the fee plan (2 % a year for 6 months on 500,000.00 = 5,000.00; review fee 1,000.00) ----------
    plan = f.mutate("fin", FEE_PLAN_SET, "guaranteeFeePlanSet", {"i": {
        "projectId": pid, "guaranteeFeeMethod": "rate", "guaranteeFeeRate": "0.02", "frequency": "once",
        "reviewFee": "1000", "marginMethod": "fixed", "marginAmount": "0", "startDate": TODAY.isoformat()}})["plan"]
    assert (plan["guaranteeFeeTotal"], plan["totalDue"]) == ("5000.00", "6000.00")
    for item in plan["schedule"]:
        f.mutate("fin", FEE_RECEIVE, "guaranteeFeeReceive", {"i": {
            "itemId": item["id"], "amount": item["amount"], "receivedOn": TODAY.isoformat()}})
    assert f.query("mgr", FEE_PLAN, {"p": pid})["guaranteeFeePlan"] == {
        "totalDue": "6000.00", "totalReceived": "6000.00", "outstanding": "0.00"}

    # --- legal: the contracts generated and signed: contracted --------------------------------------------------
    contracts = f.mutate("legal", GENERATE, "guaranteeContractsGenerate", {"p": pid})["contracts"]
    assert sorted(c["contractType"] for c in contracts) == ["entrustment", "guarantee"]
    for c in contracts:
        signed = f.mutate("legal", SIGN, "guaranteeContractMarkSigned", {"i": {
            "contractId": c["id"], "signedOn": TODAY.isoformat(),
            "signers": [{"role": "beneficiary", "name": BENEFICIARY}, {"role": "guarantor", "name": "担保公司"}]}})
        assert signed["contract"]["status"] == "signed"
    assert f.project(pid)["status"] == "contracted"

    # --- no loan to confirm: refused, pointing to issuance; the letter is issued ---------------------------------
    no_loan = f.call("fin", LOAN, {"i": {"projectId": pid, "loanContractNo": "JK-1", "loanAmount": AMOUNT,
                                         "startDate": TODAY.isoformat(), "endDate": EXPIRY.isoformat(),
                                         "rate": "0.04"}})
    assert refused(no_loan, "guaranteeLoanConfirm") == [("GUARANTEE_NOT_A_LOAN", "projectId")]
    assert "guaranteeIssue" in no_loan["data"]["guaranteeLoanConfirm"]["errors"][0]["message"]
    too_long = f.call("fin", ISSUE, {"i": {"id": pid, "effectiveDate": TODAY.isoformat(),
                                           "expiryDate": (TODAY + dt.timedelta(days=200)).isoformat()}})
    assert refused(too_long, "guaranteeIssue") == [("VALIDATION_FAILED", "expiryDate")]  # beyond the 6 months
    issue = {"id": pid, "effectiveDate": TODAY.isoformat(), "expiryDate": EXPIRY.isoformat(),
             "letterNo": "BH-2026-0007", "idempotencyKey": "issue-bh-2026-0007"}
    issued = f.mutate("fin", ISSUE, "guaranteeIssue", {"i": issue})["issuance"]
    # A retry with the same key answers the first issuance (no "already issued" refusal, nothing recorded again).
    assert f.mutate("fin", ISSUE, "guaranteeIssue", {"i": issue})["issuance"] == issued
    assert issued == {"projectId": pid, "projectNo": project_no, "status": "effective", "letterNo": "BH-2026-0007",
                      "beneficiaryName": BENEFICIARY, "guaranteedAmount": AMOUNT, "effectiveDate": TODAY.isoformat(),
                      "expiryDate": EXPIRY.isoformat(), "inForceBalance": AMOUNT}
    view = f.project(pid)
    assert (view["status"], view["inForceBalance"], view["effectiveDate"], view["expiryDate"]) == (
        "effective", AMOUNT, TODAY.isoformat(), EXPIRY.isoformat())

    # --- the beneficiary claims: the guaranteed sum only (interest refused, more than in force refused) ----------
    assert refused(f.call("fin", CLAIM, {"i": {"projectId": pid, "principal": "300000", "interest": "1000"}}),
                   "guaranteeCompensationClaim") == [("VALIDATION_FAILED", "interest")]
    assert refused(f.call("fin", CLAIM, {"i": {"projectId": pid, "amount": "500000.01"}}),
                   "guaranteeCompensationClaim") == [("VALIDATION_FAILED", "amount")]
    claim = f.mutate("fin", CLAIM, "guaranteeCompensationClaim", {"i": {
        "projectId": pid, "amount": AMOUNT, "claimDate": TODAY.isoformat(),
        "notes": "受益人索赔：中标后拒签合同"}})["compensation"]
    assert {k: v for k, v in claim.items() if k not in ("id", "workflowInstanceId")} == {
        "status": "claimed", "claimant": BENEFICIARY, "claimedAmount": AMOUNT, "principal": AMOUNT,
        "interest": "0.00", "penalty": "0.00", "bankShare": "0.00", "payableAmount": AMOUNT,
        "claimDate": TODAY.isoformat()}
    assert f.approve("risk", claim["workflowInstanceId"], "review")["currentStep"] == "approval"
    assert f.approve("boss", claim["workflowInstanceId"], "approval")["status"] == "approved"

    # --- compensation paid: no bank share (no bank line), the whole sum; the project is compensated -------------
    receivable = f.mutate("fin", PAY, "guaranteeCompensationPay", {"i": {
        "compensationId": claim["id"], "amount": AMOUNT, "paidOn": TODAY.isoformat()}})["receivable"]
    assert receivable == {"status": "open", "paid": AMOUNT, "outstanding": AMOUNT, "openedOn": TODAY.isoformat()}
    summary = f.query("fin", COMPENSATION, {"p": pid})["guaranteeCompensation"]
    assert summary == {"projectStatus": "compensated", "inForceBalance": "0.00", "expiryDate": EXPIRY.isoformat(),
                       "coveredComponents": ["principal"], "paid": AMOUNT, "outstanding": AMOUNT,
                       "claims": [{"status": "compensated", "claimant": BENEFICIARY, "claimedAmount": AMOUNT,
                                   "paidAmount": AMOUNT, "paidOn": TODAY.isoformat()}]}
    assert f.project(pid)["status"] == "compensated"

    # --- the ledger: fees received, the amount put in force at issuance, the compensation ------------------------
    ledger = f.query("fin", LEDGER, {"p": pid})["guaranteeProjectLedger"]
    kinds = sorted((e["kind"], e["amount"]) for e in ledger["entries"])
    assert kinds == [("compensation", AMOUNT), ("guarantee_fee", "5000.00"), ("loan", AMOUNT),
                     ("review_fee", "1000.00")]
    figures = ledger["figures"]
    assert (figures["guaranteeFee"], figures["loanAmount"], figures["inForceBalance"], figures["compensated"],
            figures["compensatedPrincipal"], figures["compensatedInterest"]) == (
        "5000.00", AMOUNT, "0.00", AMOUNT, AMOUNT, "0.00")
