"""A loan guarantee walked end to end through GraphQL alone, each step by the role that owns it, with the checks of
issue 14 items 1, 2, 3, 5 and 7:

* 5: the fee is proposed with the application (1.2 % a year, below the product's 1.5 %) and the reviewers see it;
  when the approval ends approved, finance and legal are notified (zh-CN, the project number, no customer name);
  finance's fee plan starts from the approved proposal;
* 1: the committee approves with a condition (the spouse's guarantee); the loan confirmation is refused while it is
  open and goes through once it is met with evidence uploaded to the project;
* 7: a loan start before the approval date is refused;
* 2 and 3: the bank's claim of principal, interest and penalty on the 20 % line is paid less the bank's share;
* 5: the release is requested (申请解保) and executed only when its approval (manager A, then the risk officer)
  ends approved; the ledger records the released amount (解保金额: the loan less the compensated principal)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from strawberry import relay

from surety.core.identity.service import create_user
from surety.core.testing import TEST_PASSWORD, GraphQLFlow
from surety.core.workflow.engine import business_today
from surety.plugins.customers.testing import actor_for, make_uscc

pytestmark = pytest.mark.slow

ERR = "errors { code field message }"
PRODUCT_CREATE = f"""mutation($i: GuaranteeProductCreateInput!) {{ guaranteeProductCreate(input: $i) {{
  product {{ id }} {ERR} }} }}"""
BANK_CREATE = f"""mutation($i: GuaranteeBankCreateInput!) {{ guaranteeBankCreate(input: $i) {{ bank {{ id }} {ERR} }} }}"""
LINE_CREATE = f"""mutation($i: GuaranteeCreditLineCreateInput!) {{ guaranteeCreditLineCreate(input: $i) {{
  line {{ id }} {ERR} }} }}"""
CUSTOMER_CREATE = f"""mutation($i: CustomerCreateInput!) {{ customerCreate(input: $i) {{ customer {{ id }} {ERR} }} }}"""
STATEMENT_SET = f"""mutation($i: CustomerStatementSetInput!) {{ customerStatementSet(input: $i) {{
  statement {{ periodEnd }} {ERR} }} }}"""
APPLY = f"""mutation($i: GuaranteeApplicationCreateInput!) {{ guaranteeApplicationCreate(input: $i) {{
  project {{ id status proposedFeeRate }} {ERR} }} }}"""
CG_ADD = f"""mutation($i: GuaranteeCounterGuaranteeAddInput!) {{ guaranteeCounterGuaranteeAdd(input: $i) {{
  counterGuarantee {{ id }} {ERR} }} }}"""
SUBMIT = f"""mutation($id: ID!) {{ guaranteeApplicationSubmit(id: $id) {{ project {{ projectNo status
  workflowInstanceId }} {ERR} }} }}"""
PROJECT = """query($id: ID!) { guaranteeProject(id: $id) { status inForceBalance proposedFeeRate proposedFee
  approvalConditions { id status } } }"""
TASK_ACTION = """mutation($i: WorkflowTaskActionInput!) {{ {name}(input: $i) {{ instance {{ status currentStep }}
  errors {{ code field message }} }} }}"""
SCORE = f"""mutation($i: GuaranteeRatingScoreInput!) {{ guaranteeRatingScore(input: $i) {{ rating {{ grade }}
  {ERR} }} }}"""
DD_SAVE = f"""mutation($i: GuaranteeDueDiligenceReportSaveInput!) {{ guaranteeDueDiligenceReportSave(input: $i) {{
  report {{ status }} {ERR} }} }}"""
DD_SUBMIT = f"""mutation($p: ID!) {{ guaranteeDueDiligenceReportSubmit(projectId: $p) {{ report {{ status }}
  {ERR} }} }}"""
SCHEDULE = f"""mutation($i: GuaranteeMeetingScheduleInput!) {{ guaranteeMeetingSchedule(input: $i) {{
  meeting {{ id }} {ERR} }} }}"""
OPEN = f"mutation($m: ID!) {{ guaranteeMeetingOpen(meetingId: $m) {{ meeting {{ status }} {ERR} }} }}"
NOTIFICATIONS = """{ notifications(first: 50) { edges { node { kind title body entityType entityId } } } }"""
FEE_PLAN_SET = f"""mutation($i: GuaranteeFeePlanSetInput!) {{ guaranteeFeePlanSet(input: $i) {{
  plan {{ guaranteeFeeMethod guaranteeFeeRate guaranteeFeeTotal }} {ERR} }} }}"""
GENERATE = f"""mutation($p: ID!) {{ guaranteeContractsGenerate(projectId: $p) {{ contracts {{ id }} {ERR} }} }}"""
SIGN = f"""mutation($i: GuaranteeContractMarkSignedInput!) {{ guaranteeContractMarkSigned(input: $i) {{
  contract {{ status }} {ERR} }} }}"""
LOAN = f"""mutation($i: GuaranteeLoanConfirmInput!) {{ guaranteeLoanConfirm(input: $i) {{
  loan {{ status inForceBalance effectiveDate }} {ERR} }} }}"""
MEET = f"""mutation($i: GuaranteeConditionMeetInput!) {{ guaranteeConditionMeet(input: $i) {{
  condition {{ status }} {ERR} }} }}"""
CLAIM = f"""mutation($i: GuaranteeCompensationClaimInput!) {{ guaranteeCompensationClaim(input: $i) {{
  compensation {{ id claimedAmount principal interest penalty bankShare payableAmount workflowInstanceId }}
  {ERR} }} }}"""
PAY = f"""mutation($i: GuaranteeCompensationPayInput!) {{ guaranteeCompensationPay(input: $i) {{
  receivable {{ paid }} {ERR} }} }}"""
REPAY = f"""mutation($i: GuaranteeRepaymentRecordInput!) {{ guaranteeRepaymentRecord(input: $i) {{
  repayment {{ balanceAfter }} {ERR} }} }}"""
REQUEST = f"""mutation($i: GuaranteeReleaseRequestInput!) {{ guaranteeReleaseRequest(input: $i) {{
  request {{ id status workflowInstanceId }} {ERR} }} }}"""
RELEASES = """query($p: ID!) { guaranteeReleases(projectId: $p) { kind reason amount releasedAmount lineReleased }
  guaranteeReleaseRequests(projectId: $p) { status } }"""
LEDGER = """query($p: ID!) { guaranteeProjectLedger(projectId: $p) { entries { kind detail amount }
  figures { loanAmount repaid released compensated compensatedPrincipal compensationBankShare inForceBalance } } }"""
BANKS = "{ guaranteeBanks { lines { used } } }"

STATEMENT = {"periodEnd": "2024-12-31", "totalAssets": "12000000.00", "totalLiabilities": "6600000.00",
             "currentAssets": "5400000.00", "currentLiabilities": "3000000.00", "inventory": "1200000.00",
             "equity": "5400000.00", "revenue": "10000000.00", "netProfit": "810000.00"}
AMOUNT = "8000000.00"  # above the committee threshold of 5,000,000.00
SPOUSE = "追加借款人配偶连带责任保证"


def gid(type_name: str, value) -> str:
    return relay.to_base64(type_name, str(value))


class Flow(GraphQLFlow):
    def act(self, user: str, instance_id: str, step: str, mutation: str = "workflowTaskApprove", **extra) -> dict:
        task = self.task(user, instance_id, step)
        return self.mutate(user, TASK_ACTION.format(name=mutation), mutation,
                           {"i": {"taskId": task["id"], **extra}})["instance"]

    def refused(self, user: str, query: str, field: str, variables: dict) -> list[tuple[str, str]]:
        payload = self.query(user, query, variables)[field]
        assert payload["errors"], payload
        return [(e["code"], e["field"]) for e in payload["errors"]]


def test_a_loan_guarantee_from_proposal_to_release_through_graphql(api, gw):
    with gw.session() as s:  # a sixth committee member is not needed: five vote, quorum five
        user = create_user(s, username="fin2", password=TEST_PASSWORD, display_name="Fin2",
                           org_unit_id=gw.units["HQ"], roles=["finance"], email="fin2@example.com")
        gw.actors["fin2"] = actor_for(user)
    f = Flow(api, gw.tenant.slug)
    today = business_today()
    uid = {name: str(a.id_uuid) for name, a in gw.actors.items()}

    # --- set-up: product (default fee 1.5 %), bank and its 20 % risk-share line ---------------------------------
    product = f.mutate("admin", PRODUCT_CREATE, "guaranteeProductCreate", {"i": {
        "code": "LOAN-STD", "name": "流动资金贷款担保", "kind": "loan", "minAmount": "100000",
        "maxAmount": "30000000", "minTermMonths": 6, "maxTermMonths": 36, "defaultFeeRate": "0.015"}})["product"]
    bank = f.mutate("fin", BANK_CREATE, "guaranteeBankCreate", {"i": {"code": "ABC", "name": "农业银行"}})["bank"]
    f.mutate("fin", LINE_CREATE, "guaranteeCreditLineCreate", {"i": {
        "bankId": bank["id"], "total": "30000000", "riskShareRatio": "0.2",
        "startDate": today.replace(month=1, day=1).isoformat(),
        "endDate": dt.date(today.year + 2, 12, 31).isoformat()}})

    # --- item 5: the fee is proposed with the application -------------------------------------------------------
    customer = f.mutate("mgr", CUSTOMER_CREATE, "customerCreate", {"i": {
        "kind": "corporate", "name": "江南精密机械有限公司", "creditCode": make_uscc(78), "industry": "C34",
        "region": "320500", "size": "small"}})["customer"]
    f.mutate("mgr", STATEMENT_SET, "customerStatementSet", {"i": {"customerId": customer["id"], **STATEMENT}})
    project = f.mutate("mgr", APPLY, "guaranteeApplicationCreate", {"i": {
        "customerId": customer["id"], "productId": product["id"], "bankId": bank["id"], "amount": AMOUNT,
        "termMonths": 12, "purpose": "采购原材料", "loanCategory": "small_micro",
        "proposedFeeRate": "0.012"}})["project"]
    pid = project["id"]
    assert Decimal(project["proposedFeeRate"]) == Decimal("0.012")
    f.mutate("mgr", CG_ADD, "guaranteeCounterGuaranteeAdd", {"i": {
        "projectId": pid, "kind": "mortgage", "ownerName": "李四", "valuation": "9000000.00",
        "valuationDate": "2025-06-30", "discountRate": "0.7",
        "collateral": {"certificate_no": "苏(2025)苏州市不动产权第0002号", "address": "苏州市工业园区星湖街2号"}}})
    submitted = f.mutate("mgr", SUBMIT, "guaranteeApplicationSubmit", {"id": pid})["project"]
    project_no, inst = submitted["projectNo"], submitted["workflowInstanceId"]
    # The reviewers see the proposed fee with the application.
    assert Decimal(f.query("risk", PROJECT, {"id": pid})["guaranteeProject"]["proposedFeeRate"]) == Decimal("0.012")

    # --- the approval, with the committee's condition (item 1) --------------------------------------------------
    f.act("head", inst, "acceptance", comment="受理")
    f.mutate("mgr", SCORE, "guaranteeRatingScore", {"i": {"projectId": pid, "scores": [
        {"key": "management", "points": "80"}, {"key": "industry_outlook", "points": "70"},
        {"key": "credit_history", "points": "90"}], "comment": "经营稳定"}})
    f.mutate("mgr", DD_SAVE, "guaranteeDueDiligenceReportSave", {"i": {
        "projectId": pid, "businessOverview": "精密零部件制造", "financialAnalysis": "资产负债率 55%",
        "repaymentSource": "经营性现金流", "counterGuaranteeAnalysis": "房产抵押", "risks": "原材料价格波动",
        "conclusion": "建议担保", "recommendedAmount": AMOUNT, "recommendedTermMonths": 12,
        "recommendedRate": "0.012"}})
    f.mutate("mgr", DD_SUBMIT, "guaranteeDueDiligenceReportSubmit", {"p": pid})
    f.act("mgr", inst, "due_diligence", comment="尽调完成")
    f.act("risk", inst, "preliminary_review", comment="初审同意，费率低于产品标准")
    assert f.act("boss", inst, "re_review", comment="复审同意")["currentStep"] == "committee"
    members = ["mem1", "mem2", "mem3", "mem4", "mem5"]
    meeting = f.mutate("legal", SCHEDULE, "guaranteeMeetingSchedule", {"i": {
        "meetingDate": today.isoformat(), "chairId": gid("User", uid["mem1"]),
        "memberIds": [gid("User", uid[m]) for m in members], "projectIds": [pid], "title": "审保会"}})["meeting"]
    f.mutate("legal", OPEN, "guaranteeMeetingOpen", {"m": meeting["id"]})
    for user in members:
        vote, comment = ("approve_with_conditions", SPOUSE) if user == "mem2" else ("approve", None)
        f.act(user, inst, "committee", "workflowCommitteeVote", vote=vote, comment=comment)
    assert f.query("fin", NOTIFICATIONS)["notifications"]["edges"] == []  # nobody told before the decision
    assert f.act("boss", inst, "reply", comment="同意批复") == {"status": "approved", "currentStep": "approved"}

    # --- item 5: finance and legal are notified; the notice names the project number, not the customer ----------
    for user in ("fin", "fin2", "legal"):
        notes = [e["node"] for e in f.query(user, NOTIFICATIONS)["notifications"]["edges"]
                 if e["node"]["kind"] == "guarantee_project_approved"]
        assert len(notes) == 1, user
        assert notes[0]["title"] == f"担保项目 {project_no} 已审批通过"
        assert "批准的拟收担保费：年费率 1.2%" in notes[0]["body"] and "审保会附加条件：1 项" in notes[0]["body"]
        assert "江南精密" not in notes[0]["title"] + notes[0]["body"]
        assert (notes[0]["entityType"], notes[0]["entityId"]) == ("guarantee:project", relay.from_base64(pid)[1])
    assert [e for e in f.query("risk", NOTIFICATIONS)["notifications"]["edges"]
            if e["node"]["kind"] == "guarantee_project_approved"] == []

    # --- item 5: the fee plan starts from the approved proposal (8,000,000 x 1.2 % x 12 / 12) --------------------
    plan = f.mutate("fin", FEE_PLAN_SET, "guaranteeFeePlanSet", {"i": {
        "projectId": pid, "guaranteeFeeMethod": "rate", "frequency": "once", "startDate": today.isoformat()}})
    assert plan["plan"] == {"guaranteeFeeMethod": "rate", "guaranteeFeeRate": "0.01200000",
                            "guaranteeFeeTotal": "96000.00"}

    # --- contracts, then the loan: refused while the condition is open and before the approval date (item 7) ----
    for contract in f.mutate("legal", GENERATE, "guaranteeContractsGenerate", {"p": pid})["contracts"]:
        f.mutate("legal", SIGN, "guaranteeContractMarkSigned", {"i": {
            "contractId": contract["id"], "signedOn": today.isoformat(),
            "signers": [{"role": "bank", "name": "农业银行"}, {"role": "guarantor", "name": "担保公司"}]}})
    loan = {"projectId": pid, "loanContractNo": "ABC-JK-2026-009", "loanAmount": AMOUNT,
            "startDate": today.isoformat(), "endDate": (today + dt.timedelta(days=365)).isoformat(), "rate": "0.0435"}
    assert f.refused("fin", LOAN, "guaranteeLoanConfirm", {"i": loan}) == [("GUARANTEE_CONDITIONS_OPEN",
                                                                              "projectId")]
    [condition] = f.query("mgr", PROJECT, {"id": pid})["guaranteeProject"]["approvalConditions"]
    token = f.token("mgr")
    uploaded = api.client.post("/attachments", headers={"Authorization": f"Bearer {token}"},
                               data={"entity_type": "guarantee:project", "entity_id": relay.from_base64(pid)[1]},
                               files={"file": ("配偶保证合同.txt", "配偶已签署连带责任保证合同".encode(), "text/plain")})
    assert uploaded.status_code == 201, uploaded.text
    met = f.mutate("mgr", MEET, "guaranteeConditionMeet", {"i": {
        "conditionId": condition["id"], "attachmentIds": [uploaded.json()["attachment"]["id"]],
        "note": "配偶已签署保证合同"}})
    assert met["condition"] == {"status": "met"}
    early = {**loan, "startDate": (today - dt.timedelta(days=180)).isoformat()}
    assert f.refused("fin", LOAN, "guaranteeLoanConfirm", {"i": early}) == [("VALIDATION_FAILED", "startDate")]
    assert f.mutate("fin", LOAN, "guaranteeLoanConfirm", {"i": loan})["loan"] == {
        "status": "effective", "inForceBalance": AMOUNT, "effectiveDate": today.isoformat()}

    # --- items 2 and 3: the bank's claim of principal, interest and penalty, paid less its 20 % share ----------
    claim = f.mutate("fin", CLAIM, "guaranteeCompensationClaim", {"i": {
        "projectId": pid, "principal": "1000000", "interest": "20000", "penalty": "5000",
        "claimDate": today.isoformat()}})["compensation"]
    assert {k: claim[k] for k in ("claimedAmount", "principal", "interest", "penalty", "bankShare",
                                  "payableAmount")} == {
        "claimedAmount": "1025000.00", "principal": "1000000.00", "interest": "20000.00", "penalty": "5000.00",
        "bankShare": "205000.00", "payableAmount": "820000.00"}
    f.act("risk", claim["workflowInstanceId"], "review", comment="同意代偿")
    f.act("boss", claim["workflowInstanceId"], "approval", comment="批准代偿")
    paid = f.mutate("fin", PAY, "guaranteeCompensationPay", {"i": {"compensationId": claim["id"]}})
    assert paid["receivable"] == {"paid": "820000.00"}
    assert f.query("fin", PROJECT, {"id": pid})["guaranteeProject"]["inForceBalance"] == "7000000.00"

    # --- item 5: the rest is repaid; the release is requested and executed when its approval ends approved ------
    f.mutate("fin", REPAY, "guaranteeRepaymentRecord", {"i": {"projectId": pid, "amount": "7000000"}})
    request = f.mutate("fin", REQUEST, "guaranteeReleaseRequest", {"i": {"projectId": pid, "kind": "full",
                                                                         "note": "贷款结清"}})["request"]
    assert request["status"] == "in_approval"
    assert f.query("fin", PROJECT, {"id": pid})["guaranteeProject"]["status"] == "effective"  # not yet released
    f.act("mgr", request["workflowInstanceId"], "manager_review", comment="已核对结清证明")
    assert f.act("risk", request["workflowInstanceId"], "risk_review", comment="同意解保")["status"] == "approved"
    assert f.query("fin", PROJECT, {"id": pid})["guaranteeProject"]["status"] == "released"
    releases = f.query("fin", RELEASES, {"p": pid})
    assert releases == {"guaranteeReleases": [{"kind": "full", "reason": "repaid", "amount": "0.00",
                                               "releasedAmount": "7000000.00", "lineReleased": "7000000.00"}],
                        "guaranteeReleaseRequests": [{"status": "released"}]}
    assert f.query("fin", BANKS)["guaranteeBanks"][0]["lines"] == [{"used": "0.00"}]

    # --- the ledger: 解保金额 is the loan less the compensated principal, not 0 ---------------------------------------
    ledger = f.query("fin", LEDGER, {"p": pid})["guaranteeProjectLedger"]
    assert [e["amount"] for e in ledger["entries"] if e["kind"] == "release"] == ["7000000.00"]
    assert ledger["figures"] == {"loanAmount": AMOUNT, "repaid": "7000000.00", "released": "7000000.00",
                                 "compensated": "820000.00", "compensatedPrincipal": "1000000.00",
                                 "compensationBankShare": "205000.00", "inForceBalance": "0.00"}
