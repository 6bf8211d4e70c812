"""Bad input through GraphQL (issue "guarantee plugin part 1"): each refused with a typed error (code, field and a
readable message) and nothing saved: a negative amount, a term outside the product's range, a submission without
the counter-guarantee the product requires, a step done by the wrong role, a loan confirmed for a project that is
not contracted, a blacklisted customer at submission, and an approval beyond the bank's credit line."""

from __future__ import annotations

import datetime as dt

import pytest
from strawberry import relay

from surety.core.testing import TEST_PASSWORD
from surety.core.workflow.engine import business_today

ERR = "errors { code field message }"
PRODUCT_CREATE = f"""mutation($i: GuaranteeProductCreateInput!) {{ guaranteeProductCreate(input: $i) {{
  product {{ id }} {ERR} }} }}"""
BANK_CREATE = f"""mutation($i: GuaranteeBankCreateInput!) {{ guaranteeBankCreate(input: $i) {{ bank {{ id }}
  {ERR} }} }}"""
LINE_CREATE = f"""mutation($i: GuaranteeCreditLineCreateInput!) {{ guaranteeCreditLineCreate(input: $i) {{
  line {{ id }} {ERR} }} }}"""
BANKS = "{ guaranteeBanks { name lines { total used available } } }"
APPLY = f"""mutation($i: GuaranteeApplicationCreateInput!) {{ guaranteeApplicationCreate(input: $i) {{
  project {{ id status }} {ERR} }} }}"""
CG_ADD = f"""mutation($i: GuaranteeCounterGuaranteeAddInput!) {{ guaranteeCounterGuaranteeAdd(input: $i) {{
  counterGuarantee {{ id }} {ERR} }} }}"""
SUBMIT = f"""mutation($id: ID!) {{ guaranteeApplicationSubmit(id: $id) {{ project {{ id projectNo status }}
  {ERR} }} }}"""
PROJECT = """query($id: ID!) { guaranteeProject(id: $id) { projectNo status flags submittedAt workflowInstanceId
  inForceBalance } }"""
PROJECTS = "{ guaranteeProjects(first: 50) { totalCount } }"
INSTANCE = """query($id: ID!) { workflowInstance(id: $id) { status currentStep openTasks { id stepKey }
  timeline { action } } }"""
MY_TASKS = "{ myTasks(first: 50) { edges { node { id stepKey instance { id } } } } }"
APPROVE = f"""mutation($i: WorkflowTaskActionInput!) {{ workflowTaskApprove(input: $i) {{
  instance {{ status currentStep }} {ERR} }} }}"""
LOAN = f"""mutation($i: GuaranteeLoanConfirmInput!) {{ guaranteeLoanConfirm(input: $i) {{ loan {{ status }}
  {ERR} }} }}"""
BLACKLIST_ADD = f"""mutation($i: CustomerBlacklistAddInput!) {{ customerBlacklistAdd(input: $i) {{
  entry {{ id status listType }} {ERR} }} }}"""
BLACKLIST_APPROVE = f"""mutation($id: ID!) {{ customerBlacklistApprove(id: $id) {{ entry {{ status }} {ERR} }} }}"""
AUDIT = """query($action: String) { auditLog(action: $action, first: 200) { entries { action entityId } } }"""


def gid(type_name: str, value) -> str:
    return relay.to_base64(type_name, str(value))


class World:
    """The fixture's tenant seen through GraphQL: logins, a product requiring a counter-guarantee (amounts
    100,000 .. 30,000,000, 6 .. 36 months) and a bank whose credit line is ``line_total``."""

    def __init__(self, api, gw, line_total: str = "30000000"):
        self.api, self.gw, self.tokens = api, gw, {}
        self.customer = gid("Customer", gw.customers["corp"])
        self.product = self.ok("admin", PRODUCT_CREATE, "guaranteeProductCreate", {"i": {
            "code": "LOAN-STD", "name": "流动资金贷款担保", "kind": "loan", "minAmount": "100000",
            "maxAmount": "30000000", "minTermMonths": 6, "maxTermMonths": 36}})["product"]["id"]
        self.bank = self.ok("fin", BANK_CREATE, "guaranteeBankCreate",
                            {"i": {"code": "ABC", "name": "农业银行"}})["bank"]["id"]
        today = business_today()
        self.ok("fin", LINE_CREATE, "guaranteeCreditLineCreate", {"i": {
            "bankId": self.bank, "total": line_total, "riskShareRatio": "0.2",
            "startDate": dt.date(today.year, 1, 1).isoformat(),
            "endDate": dt.date(today.year + 2, 12, 31).isoformat()}})

    def token(self, user: str) -> str:
        if user not in self.tokens:
            self.tokens[user] = self.api.login(self.gw.tenant.slug, user, TEST_PASSWORD)
        return self.tokens[user]

    def call(self, user: str, query: str, variables: dict | None = None) -> dict:
        body = self.api(query, variables or {}, token=self.token(user))
        assert "errors" not in body, body
        return body["data"]

    def ok(self, user: str, query: str, field: str, variables: dict | None = None) -> dict:
        payload = self.call(user, query, variables)[field]
        assert payload["errors"] == [], payload["errors"]
        return payload

    def refused(self, user: str, query: str, field: str, variables: dict | None = None) -> dict:
        """The single user error of a refused mutation (whose result object is null)."""
        payload = self.call(user, query, variables)[field]
        assert len(payload["errors"]) == 1, payload
        assert all(v is None for k, v in payload.items() if k != "errors"), payload
        return payload["errors"][0]

    def application(self, **extra) -> dict:
        return {"customerId": self.customer, "productId": self.product, "bankId": self.bank, "amount": "3000000",
                "termMonths": 12, "purpose": "流动资金周转", "loanCategory": "small_micro", **extra}

    def draft(self, **extra) -> str:
        return self.ok("mgr", APPLY, "guaranteeApplicationCreate", {"i": self.application(**extra)})["project"]["id"]

    def counter_guarantee(self, pid: str) -> None:
        self.ok("mgr", CG_ADD, "guaranteeCounterGuaranteeAdd", {"i": {
            "projectId": pid, "kind": "pledge", "ownerName": "王五", "valuation": "1000000",
            "valuationDate": "2025-06-30", "discountRate": "0.6",
            "collateral": {"pledged_item": "应收账款"}}})

    def project(self, pid: str) -> dict:
        return self.call("admin", PROJECT, {"id": pid})["guaranteeProject"]

    def count(self) -> int:
        return self.call("admin", PROJECTS)["guaranteeProjects"]["totalCount"]

    def audited(self, action: str) -> list[str]:
        return [e["entityId"] for e in self.call("admin", AUDIT, {"action": action})["auditLog"]["entries"]]

    def task_id(self, user: str, instance: str, step: str) -> str:
        edges = self.call(user, MY_TASKS)["myTasks"]["edges"]
        found = [e["node"]["id"] for e in edges if e["node"]["instance"]["id"] == instance
                 and e["node"]["stepKey"] == step]
        assert len(found) == 1, (user, step, edges)
        return found[0]

    def approve(self, user: str, instance: str, step: str) -> dict:
        return self.ok(user, APPROVE, "workflowTaskApprove",
                       {"i": {"taskId": self.task_id(user, instance, step), "comment": "同意"}})["instance"]

    def assert_untouched_draft(self, pid: str) -> None:
        row = self.project(pid)
        assert row["status"] == "draft" and row["projectNo"] is None, row
        assert row["submittedAt"] is None and row["workflowInstanceId"] is None, row
        assert self.audited("guarantee.application.submitted") == []


def project_uuid(pid: str) -> str:
    return relay.from_base64(pid)[1]


@pytest.mark.parametrize(("amount", "said"), [("-1000.00", "-1000.00"), ("0", "zero"), ("1000.001", "1000.001")])
def test_a_bad_amount_is_refused_and_nothing_is_saved(api, gw, amount, said):
    w = World(api, gw)
    err = w.refused("mgr", APPLY, "guaranteeApplicationCreate", {"i": w.application(amount=amount)})
    assert (err["code"], err["field"]) == ("VALIDATION_FAILED", "amount"), err
    assert "amount" in err["message"].lower() and said in err["message"], err
    assert w.count() == 0 and w.audited("guarantee.application.created") == []


def test_an_amount_outside_the_products_range_names_the_range(api, gw):
    w = World(api, gw)
    err = w.refused("mgr", APPLY, "guaranteeApplicationCreate", {"i": w.application(amount="30000000.01")})
    assert (err["code"], err["field"]) == ("VALIDATION_FAILED", "amount"), err
    assert "30,000,000.00" in err["message"] or "30000000" in err["message"], err
    assert w.count() == 0


@pytest.mark.parametrize("term", [5, 37])
def test_a_term_outside_the_products_range_is_refused(api, gw, term):
    w = World(api, gw)
    err = w.refused("mgr", APPLY, "guaranteeApplicationCreate", {"i": w.application(termMonths=term)})
    assert (err["code"], err["field"]) == ("VALIDATION_FAILED", "termMonths"), err
    assert "6" in err["message"] and "36" in err["message"], err  # the product's range is named
    assert w.count() == 0 and w.audited("guarantee.application.created") == []
    # A draft cannot be moved out of range either: the draft keeps its term.
    pid = w.draft()
    upd = f"""mutation($i: GuaranteeApplicationUpdateInput!) {{ guaranteeApplicationUpdate(input: $i) {{
      project {{ termMonths }} {ERR} }} }}"""
    err = w.refused("mgr", upd, "guaranteeApplicationUpdate", {"i": {"id": pid, "termMonths": term}})
    assert (err["code"], err["field"]) == ("VALIDATION_FAILED", "termMonths"), err
    term_now = w.call("mgr", "query($id: ID!) { guaranteeProject(id: $id) { termMonths } }", {"id": pid})
    assert term_now["guaranteeProject"]["termMonths"] == 12


def test_submitting_without_the_required_counter_guarantee_is_refused(api, gw):
    w = World(api, gw)
    pid = w.draft()
    err = w.refused("mgr", SUBMIT, "guaranteeApplicationSubmit", {"id": pid})
    assert (err["code"], err["field"]) == ("GUARANTEE_COUNTER_GUARANTEE_REQUIRED", "counterGuarantees"), err
    assert "counter-guarantee" in err["message"].lower(), err
    w.assert_untouched_draft(pid)
    # With one recorded the same draft goes through and takes the first number: none was used up by the refusal.
    w.counter_guarantee(pid)
    done = w.ok("mgr", SUBMIT, "guaranteeApplicationSubmit", {"id": pid})["project"]
    assert done["status"] == "in_approval" and done["projectNo"].endswith("-00001")


def test_a_step_done_by_the_wrong_role_is_refused(api, gw):
    w = World(api, gw)
    pid = w.draft()
    w.counter_guarantee(pid)
    w.ok("mgr", SUBMIT, "guaranteeApplicationSubmit", {"id": pid})
    inst = w.project(pid)["workflowInstanceId"]
    assert w.approve("head", inst, "acceptance")["currentStep"] == "due_diligence"
    assert w.approve("mgr", inst, "due_diligence")["currentStep"] == "preliminary_review"

    # The customer manager sees the risk officer's open task on the instance they started, but may not decide it.
    view = w.call("mgr", INSTANCE, {"id": inst})["workflowInstance"]
    (task,) = [t for t in view["openTasks"] if t["stepKey"] == "preliminary_review"]
    assert task["id"] == w.task_id("risk", inst, "preliminary_review")
    err = w.refused("mgr", APPROVE, "workflowTaskApprove", {"i": {"taskId": task["id"], "comment": "我自己批"}})
    assert (err["code"], err["field"]) == ("FORBIDDEN", "taskId"), err
    assert "not yours" in err["message"], err
    after = w.call("mgr", INSTANCE, {"id": inst})["workflowInstance"]
    assert (after["status"], after["currentStep"]) == ("running", "preliminary_review")
    assert [a for a in (e["action"] for e in after["timeline"]) if a == "approve"] == ["approve", "approve"]
    # The executive's re-review does not come before the risk officer's: the executive has no task to act on.
    assert not [e for e in w.call("boss", MY_TASKS)["myTasks"]["edges"] if e["node"]["instance"]["id"] == inst]

    # Finance may not confirm a loan for a project that is not contracted.
    loan = {"projectId": pid, "loanContractNo": "JK-1", "loanAmount": "3000000", "startDate": "2026-01-20",
            "endDate": "2027-01-19", "rate": "0.0435"}
    err = w.refused("fin", LOAN, "guaranteeLoanConfirm", {"i": loan})
    assert (err["code"], err["field"]) == ("CONFLICT", "projectId"), err
    assert "contracted" in err["message"] and "in_approval" in err["message"], err
    # ... and a customer manager may not confirm loans at all.
    err = w.refused("mgr", LOAN, "guaranteeLoanConfirm", {"i": loan})
    assert err["code"] == "FORBIDDEN", err
    row = w.project(pid)
    assert (row["status"], row["inForceBalance"]) == ("in_approval", "0.00")
    assert w.audited("guarantee.loan.confirmed") == []
    # The rightful owner then proceeds.
    assert w.approve("risk", inst, "preliminary_review")["currentStep"] == "re_review"


def test_a_blacklisted_customer_is_refused_at_submission(api, gw):
    w = World(api, gw)
    pid = w.draft()
    w.counter_guarantee(pid)
    entry = w.ok("head", BLACKLIST_ADD, "customerBlacklistAdd", {"i": {
        "customerId": w.customer, "listType": "blacklist", "reason": "法院失信被执行人", "source": "court"}})["entry"]
    assert (entry["status"], entry["listType"]) == ("pending", "blacklist")
    # A pending request does not block yet: another application of the customer still goes through.
    earlier = w.draft()
    w.counter_guarantee(earlier)
    assert w.ok("mgr", SUBMIT, "guaranteeApplicationSubmit", {"id": earlier})["project"]["status"] == "in_approval"
    # The requester may not approve their own request (four eyes); the executive does.
    own = w.refused("head", BLACKLIST_APPROVE, "customerBlacklistApprove", {"id": entry["id"]})
    assert (own["code"], own["field"]) == ("FORBIDDEN", "id") and "other than its requester" in own["message"], own
    assert w.ok("boss", BLACKLIST_APPROVE, "customerBlacklistApprove",
                {"id": entry["id"]})["entry"]["status"] == "active"

    err = w.refused("mgr", SUBMIT, "guaranteeApplicationSubmit", {"id": pid})
    assert err["code"] == "CUSTOMER_BLACKLISTED", err
    assert err["field"] == "customerId", err
    assert "blacklist" in err["message"].lower(), err
    assert "华夏建材" not in err["message"]  # no personal data needed to explain it
    row = w.project(pid)
    assert row["status"] == "draft" and row["projectNo"] is None and row["workflowInstanceId"] is None, row
    assert w.audited("guarantee.application.submitted") == [project_uuid(earlier)]


def test_an_approval_beyond_the_credit_line_is_refused_with_the_figures(api, gw):
    w = World(api, gw, line_total="2000000")
    pid = w.draft(amount="2500000.50")
    w.counter_guarantee(pid)
    w.ok("mgr", SUBMIT, "guaranteeApplicationSubmit", {"id": pid})
    inst = w.project(pid)["workflowInstanceId"]
    for user, step in (("head", "acceptance"), ("mgr", "due_diligence"), ("risk", "preliminary_review"),
                       ("boss", "re_review")):
        w.approve(user, inst, step)
    task = w.task_id("boss", inst, "reply")

    err = w.refused("boss", APPROVE, "workflowTaskApprove", {"i": {"taskId": task, "comment": "同意"}})
    assert (err["code"], err["field"]) == ("GUARANTEE_CREDIT_LINE_EXCEEDED", "amount"), err
    assert err["message"] == ("The credit line of 农业银行 cannot take this guarantee: line total 2,000,000.00 yuan, "
                              "used 0.00 yuan, available 2,000,000.00 yuan, requested 2,500,000.50 yuan."), err
    # Nothing changed: the reply is still open, the line untouched, the project in approval.
    after = w.call("boss", INSTANCE, {"id": inst})["workflowInstance"]
    assert (after["status"], after["currentStep"]) == ("running", "reply")
    assert [t["id"] for t in after["openTasks"]] == [task]
    assert w.call("mgr", BANKS)["guaranteeBanks"] == [
        {"name": "农业银行", "lines": [{"total": "2000000.00", "used": "0.00", "available": "2000000.00"}]}]
    assert w.project(pid)["status"] == "in_approval"
    assert w.audited("guarantee.credit_line.reserved") == [] and w.audited("guarantee.project.decided") == []
