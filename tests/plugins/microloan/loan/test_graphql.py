"""GraphQL of loan origination: the whole way from application to disbursement (typed errors, the limit check, the
idempotent disbursement, the schedule with paid/outstanding), the settings query and update, and the loans
connection costing the same statements for 1 and for 5 loans (customer names, product, current task, schedule)."""

from __future__ import annotations

import uuid

from sqlalchemy import event
from strawberry import relay

from surety.core.testing import TEST_PASSWORD, graphql_in_language, mutation_ok

from .conftest import approve, investigated, submitted

FIELDS = "id loanNo status statusLabel amount kind kindLabel riskClass riskClassLabel principalBalance maturityDate"
PAYLOAD = "{ loan { " + FIELDS + " } errors { code field message } }"
APPLY = "mutation($i: MicroloanLoanApplyInput!) { microloanLoanApply(input: $i) " + PAYLOAD + " }"
START = "mutation($i: MicroloanLoanIdInput!) { microloanLoanStartInvestigation(input: $i) " + PAYLOAD + " }"
RECORD = "mutation($i: MicroloanLoanInvestigationInput!) { microloanLoanRecordInvestigation(input: $i) " \
    + PAYLOAD + " }"
SUBMIT = "mutation($i: MicroloanLoanIdInput!) { microloanLoanSubmit(input: $i) " + PAYLOAD + " }"
CONTRACT = "mutation($i: MicroloanLoanContractInput!) { microloanLoanSignContract(input: $i) " + PAYLOAD + " }"
DISBURSE = "mutation($i: MicroloanLoanDisburseInput!) { microloanLoanDisburse(input: $i) " + PAYLOAD + " }"
LIMITS = "query($id: ID!) { microloanLimitCheck(loanId: $id) { limit label ceiling used total headroom excess " \
    "passes } }"
NODE = """query($id: ID!) { node(id: $id) { ... on MicroloanLoan { loanNo status upfrontFee contractNo
  investigation { conclusion conclusionLabel annualIncome findings }
  schedule { period dueDate principal interest paid outstanding } } } }"""
LIST = """query($c: ID, $first: Int) { microloanLoans(first: $first, filter: {customerId: $c}) { totalCount
  edges { node { loanNo status customerName amount product { code version }
                 currentTask { stepKey } schedule { period outstanding } } } } }"""
SETTINGS = """{ microloanSettings { numberPattern priorYearNetAssets singleBorrowerRatio
  approvalRoutes { max steps } classDays { key days } provisionRates { riskClass rate } } }"""
SETTINGS_UPDATE = """mutation($i: MicroloanSettingsUpdateInput!) { microloanSettingsUpdate(input: $i) {
  settings { businessCap approvalRoutes { max steps } } errors { code field } } }"""


def gid(type_name: str, value) -> str:
    return relay.to_base64(type_name, str(value))


def test_from_application_to_disbursement(api, lw):
    token = api.login(lw.mw.tenant.slug)  # admin
    data = {"customerId": gid("Customer", lw.company), "productId": gid("MicroloanProduct", lw.product_id),
            "amount": "100000", "termMonths": 12, "kind": "business", "purpose": "流动资金"}
    bad = api(APPLY, {"i": {**data, "amount": "10"}}, token)["data"]["microloanLoanApply"]
    assert bad["loan"] is None and [(e["code"], e["field"]) for e in bad["errors"]] == [("VALIDATION_FAILED",
                                                                                         "amount")]
    loan = mutation_ok(api(APPLY, {"i": data}, token), "microloanLoanApply")["loan"]
    assert (loan["status"], loan["statusLabel"], loan["kindLabel"]) == ("draft", "草稿", "经营贷款")
    mutation_ok(api(START, {"i": {"id": loan["id"]}}, token), "microloanLoanStartInvestigation")
    done = mutation_ok(api(RECORD, {"i": {"id": loan["id"], "findings": "经营正常", "conclusion": "recommend",
                                          "annualIncome": "800000"}}, token), "microloanLoanRecordInvestigation")
    assert done["loan"]["status"] == "investigating"
    lines = api(LIMITS, {"id": loan["id"]}, token)["data"]["microloanLimitCheck"]
    assert [(x["limit"], x["ceiling"], x["passes"]) for x in lines] == [
        ("single_borrower", "10000000.00", True), ("related_group", "15000000.00", True),
        ("business", "10000000.00", True)]
    assert mutation_ok(api(SUBMIT, {"i": {"id": loan["id"]}}, token), "microloanLoanSubmit")["loan"]["status"] == \
        "in_approval"
    approve(lw, uuid.UUID(relay.from_base64(loan["id"])[1]), "risk")
    mutation_ok(api(CONTRACT, {"i": {"id": loan["id"], "contractNo": "HT-9", "signedOn": "2026-01-10"}}, token),
                "microloanLoanSignContract")
    fin = api.login(lw.mw.tenant.slug, "fin", TEST_PASSWORD)
    key = {"id": loan["id"], "disbursedOn": "2026-01-15", "idempotencyKey": "k-1"}
    first = mutation_ok(api(DISBURSE, {"i": key}, fin), "microloanLoanDisburse")["loan"]
    again = mutation_ok(api(DISBURSE, {"i": key}, fin), "microloanLoanDisburse")["loan"]
    assert first == again and first["status"] == "active" and first["principalBalance"] == "100000.00"
    assert first["maturityDate"] == "2027-01-15"
    node = api(NODE, {"id": loan["id"]}, token)["data"]["node"]
    assert node["investigation"] == {"conclusion": "recommend", "conclusionLabel": "建议发放",
                                     "annualIncome": "800000.00", "findings": "经营正常"}
    assert len(node["schedule"]) == 12 and node["schedule"][0]["outstanding"] == "8884.88"
    assert node["schedule"][0]["paid"] == "0.00" and node["contractNo"] == "HT-9"
    # The finance clerk may not see the investigation (personal figures): null, not an error.
    assert api(NODE, {"id": loan["id"]}, fin)["data"]["node"]["investigation"] is None


def test_settings_query_and_update(api, lw):
    token = api.login(lw.mw.tenant.slug)
    settings = api(SETTINGS, {}, token)["data"]["microloanSettings"]
    assert settings["priorYearNetAssets"] == "100000000.00" and settings["numberPattern"] == "XD-{yyyy}-{seq:06}"
    assert [r["steps"] for r in settings["approvalRoutes"]][-1] == ["risk_officer", "department_head", "executive"]
    assert {d["key"]: d["days"] for d in settings["classDays"]}["loss"] == 361
    changed = mutation_ok(api(SETTINGS_UPDATE, {"i": {"businessCap": "5000000", "approvalRoutes": [
        {"max": "300000", "steps": ["risk_officer"]}, {"steps": ["risk_officer", "department_head"]}]}}, token),
        "microloanSettingsUpdate")["settings"]
    assert changed["businessCap"] == "5000000.00" and changed["approvalRoutes"][0]["max"] == "300000.00"
    bad = api(SETTINGS_UPDATE, {"i": {"singleBorrowerRatio": "2"}}, token)["data"]["microloanSettingsUpdate"]
    assert bad["errors"] == [{"code": "VALIDATION_FAILED", "field": "singleBorrowerRatio"}]
    mgr = api.login(lw.mw.tenant.slug, "mgr", TEST_PASSWORD)
    denied = api(SETTINGS_UPDATE, {"i": {"businessCap": "1"}}, mgr)["data"]["microloanSettingsUpdate"]
    assert [e["code"] for e in denied["errors"]] == ["FORBIDDEN"]


def _count_statements(db):
    seen = []

    def listener(conn, cursor, statement, parameters, context, executemany):
        if "authz_state" not in statement:  # the permission cache's time-based re-read
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", listener)
    return seen, lambda: event.remove(db.engine, "before_cursor_execute", listener)


def test_the_connection_costs_the_same_statements_for_one_and_five_loans(api, lw, db):
    for _ in range(5):
        submitted(lw, customer_id=lw.company, amount="100000")
    submitted(lw, customer_id=lw.person, amount="50000")
    token = api.login(lw.mw.tenant.slug)
    api(LIST, {"first": 1}, token)  # warm caches (permissions, plugins)
    counts, pages = {}, {}
    for customer, size in ((lw.person, 1), (lw.company, 5)):
        statements, stop = _count_statements(db)
        try:
            body = api(LIST, {"c": gid("Customer", customer), "first": 10}, token)
        finally:
            stop()
        assert "errors" not in body, body
        pages[size], counts[size] = body["data"]["microloanLoans"], list(statements)
    assert pages[1]["totalCount"] == 1 and pages[5]["totalCount"] == 5
    nodes = [e["node"] for e in pages[5]["edges"]]
    assert {n["customerName"] for n in nodes} == {"北京测试科技有限公司2"}
    assert {n["currentTask"]["stepKey"] for n in nodes} == {"risk_review"}
    assert {(n["product"]["code"], n["product"]["version"]) for n in nodes} == {("XD-JY", 1)}
    assert len(counts[1]) == len(counts[5]), "\n".join(counts[5])


def test_a_limit_refusal_reads_in_chinese_with_its_figures(api, lw):
    token = api.login(lw.mw.tenant.slug)
    settings = {"i": {"priorYearNetAssets": "1000000", "singleBorrowerRatio": "0.05"}}
    mutation_ok(api(SETTINGS_UPDATE, settings, token), "microloanSettingsUpdate")
    loan_id = investigated(lw, amount="50000.01")
    body = graphql_in_language(api, SUBMIT, {"i": {"id": gid("MicroloanLoan", loan_id)}}, token, None)
    errors = body["data"]["microloanLoanSubmit"]["errors"]
    assert errors == [{"code": "MICROLOAN_LIMIT_EXCEEDED", "field": "amount", "message":
                       "该笔贷款超出单户贷款余额上限：贷后余额为 50,000.01 元（已有余额 0.00 元 + 本笔 50,000.01 元），"
                       "超出限额 50,000.00 元 0.01 元。"}]
    mutation_ok(api(SETTINGS_UPDATE, {"i": {"priorYearNetAssets": None}}, token), "microloanSettingsUpdate")
    body = graphql_in_language(api, SUBMIT, {"i": {"id": gid("MicroloanLoan", loan_id)}}, token, None)
    assert body["data"]["microloanLoanSubmit"]["errors"][0]["message"] == (
        "尚未录入公司上年末净资产，无法检查贷款限额；请管理员先在小额贷款设置中录入。")
