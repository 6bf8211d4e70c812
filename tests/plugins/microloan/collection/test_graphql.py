"""GraphQL of collection: the cases connection (filters, the same statements for a small and a big page), actions
of a case with the note masked unless revealed, results, and the four mutations with typed errors."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import event
from strawberry import relay

from surety.core.testing import graphql_in_language, mutation_ok
from surety.plugins.microloan.collection import cases

from .conftest import D

CASES = """query($stage: String, $status: String, $first: Int, $after: String) {
  microloanCollectionCases(stage: $stage, status: $status, first: $first, after: $after) {
    totalCount edges { node { id loanId loanNo stage status statusLabel assigneeId daysPastDue openedOn recovered } }
    pageInfo { hasNextPage endCursor } } }"""
RECORD = """mutation($i: MicroloanCollectionActionRecordInput!) { microloanCollectionActionRecord(input: $i) {
  action { id kind kindLabel happenedOn promisedAmount promisedDate kept note } errors { code field } } }"""
ACTIONS = """query($c: ID!, $r: Boolean!) { microloanCollectionActions(caseId: $c) { kind note(reveal: $r) } }"""
RESULTS = "{ microloanCollectionResults { openByStage { stage cases } promisesPending recovered } }"
OVERRIDE = """mutation($i: MicroloanClassOverrideRequestInput!) { microloanClassOverrideRequest(input: $i) {
  override { fromClass toClass status workflowInstanceId } errors { code field } } }"""
WRITE_OFF = """mutation($i: MicroloanWriteOffRequestInput!) { microloanWriteOffRequest(input: $i) {
  writeOff { ground status principal } errors { code field } } }"""
RECOVER = """mutation($i: MicroloanRecoveryRecordInput!) { microloanRecoveryRecord(input: $i) {
  recovery { id amount recoveredOn } errors { code field message } } }"""


def _gid(loan_id) -> str:
    return relay.to_base64("MicroloanLoan", str(loan_id))


def _opened(cw, n: int, days: int = 10) -> list:
    ids = [cw.loan(days_past_due=days) for _ in range(n)]
    with cw.session() as s:
        cases.sync_cases(s, D(2026, 3, 1))
    return ids


def _count(db, api, query, variables, token):
    seen = []

    def listener(conn, cursor, statement, parameters, context, executemany):
        if "authz_state" not in statement:
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        body = api(query, variables, token)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert "errors" not in body, body
    return len(seen), body


def test_cases_connection_filters_and_constant_statements(api, cw):
    _opened(cw, 11)
    _opened(cw, 1, days=40)
    token = api.login(cw.mw.tenant.slug)
    _count(cw.mw.db, api, CASES, {"first": 1}, token)  # warms the caches (the policy, the token's user)
    small, body = _count(cw.mw.db, api, CASES, {"first": 2}, token)
    big, big_body = _count(cw.mw.db, api, CASES, {"first": 10}, token)
    assert small == big
    assert len(big_body["data"]["microloanCollectionCases"]["edges"]) == 10
    data = body["data"]["microloanCollectionCases"]
    assert data["totalCount"] == 12 and data["pageInfo"]["hasNextPage"] is True
    node = data["edges"][0]["node"]
    assert (node["stage"], node["status"], node["statusLabel"], node["daysPastDue"], node["recovered"]) == (
        "M1", "open", "催收中", 10, "0.00")
    assert node["assigneeId"] == relay.to_base64("User", str(cw.uid("mgr")))
    m2 = api(CASES, {"stage": "M2"}, token)["data"]["microloanCollectionCases"]
    assert [e["node"]["daysPastDue"] for e in m2["edges"]] == [40]
    assert api(CASES, {"status": "closed"}, token)["data"]["microloanCollectionCases"]["totalCount"] == 0
    viewer = api.login(cw.mw.tenant.slug, "viewer")
    assert api(CASES, {}, viewer)["errors"][0]["extensions"]["code"] == "FORBIDDEN"


def test_record_an_action_and_read_it_back_masked_and_revealed(api, cw):
    _opened(cw, 1)
    token = api.login(cw.mw.tenant.slug)
    case_id = api(CASES, {}, token)["data"]["microloanCollectionCases"]["edges"][0]["node"]["id"]
    done = mutation_ok(api(RECORD, {"i": {"caseId": case_id, "kind": "promise", "happenedOn": "2026-03-02",
                                          "note": "借款人承诺月底还款", "promisedAmount": "5000",
                                          "promisedDate": "2026-03-31"}}, token), "microloanCollectionActionRecord")
    assert (done["action"]["kindLabel"], done["action"]["promisedAmount"], done["action"]["kept"]) == (
        "承诺还款", "5000.00", None)
    assert done["action"]["note"] != "借款人承诺月底还款"
    [masked] = api(ACTIONS, {"c": case_id, "r": False}, token)["data"]["microloanCollectionActions"]
    [shown] = api(ACTIONS, {"c": case_id, "r": True}, token)["data"]["microloanCollectionActions"]
    assert masked["note"] != shown["note"] == "借款人承诺月底还款"
    bad = api(RECORD, {"i": {"caseId": case_id, "kind": "email"}}, token)["data"]["microloanCollectionActionRecord"]
    assert (bad["action"], [(e["code"], e["field"]) for e in bad["errors"]]) == (None, [("VALIDATION_FAILED",
                                                                                            "kind")])
    results = api(RESULTS, None, token)["data"]["microloanCollectionResults"]
    assert results == {"openByStage": [{"stage": "M1", "cases": 1}], "promisesPending": 1, "recovered": "0.00"}


def test_override_write_off_and_recovery_mutations(api, cw):
    token = api.login(cw.mw.tenant.slug, "risk")
    loan_id = cw.loan(risk_class="loss", days_past_due=400)
    asked = mutation_ok(api(OVERRIDE, {"i": {"loanId": _gid(loan_id), "toClass": "doubtful", "reason": "有抵押"}},
                            token), "microloanClassOverrideRequest")["override"]
    assert (asked["fromClass"], asked["toClass"], asked["status"]) == ("loss", "doubtful", "proposed")
    assert asked["workflowInstanceId"]
    refused = api(OVERRIDE, {"i": {"loanId": _gid(loan_id), "toClass": "x", "reason": "r"}}, token)
    assert [(e["code"], e["field"]) for e in refused["data"]["microloanClassOverrideRequest"]["errors"]] == [
        ("VALIDATION_FAILED", "toClass")]
    w = mutation_ok(api(WRITE_OFF, {"i": {"loanId": _gid(loan_id), "ground": "loss", "reason": "无可执行财产"}},
                        token), "microloanWriteOffRequest")["writeOff"]
    assert (w["ground"], w["status"], w["principal"]) == ("loss", "proposed", "0.00")
    written = cw.loan(status="written_off", written_off_on=D(2026, 6, 1),
                      written_off_principal=Decimal("1000.00"))
    fin = api.login(cw.mw.tenant.slug, "fin")
    given = {"loanId": _gid(written), "amount": "600", "recoveredOn": "2026-06-10", "idempotencyKey": "k-1"}
    first = mutation_ok(api(RECOVER, {"i": given}, fin), "microloanRecoveryRecord")["recovery"]
    again = mutation_ok(api(RECOVER, {"i": given}, fin), "microloanRecoveryRecord")["recovery"]
    assert first == again and first["amount"] == "600.00"
    over = api(RECOVER, {"i": {**given, "idempotencyKey": "k-2"}}, fin)["data"]["microloanRecoveryRecord"]
    assert [(e["code"], e["field"]) for e in over["errors"]] == [("VALIDATION_FAILED", "amount")]
    assert "400.00" in over["errors"][0]["message"]


def test_messages_in_chinese_quote_the_date_in_chinese(api, cw):
    written = cw.loan(status="written_off", written_off_on=D(2026, 6, 1), written_off_principal=Decimal("1000.00"))
    fin = api.login(cw.mw.tenant.slug, "fin")
    given = {"loanId": _gid(written), "amount": "10", "recoveredOn": "2026-05-31"}
    zh = graphql_in_language(api, RECOVER, {"i": given}, fin, "zh-CN")["data"]["microloanRecoveryRecord"]["errors"]
    en = graphql_in_language(api, RECOVER, {"i": given}, fin, "en")["data"]["microloanRecoveryRecord"]["errors"]
    assert "核销日" in zh[0]["message"] and "the write-off date" in en[0]["message"]
    over = {**given, "amount": "2000", "recoveredOn": "2026-06-02"}
    zh = graphql_in_language(api, RECOVER, {"i": over}, fin, "zh-CN")["data"]["microloanRecoveryRecord"]["errors"]
    assert zh[0]["message"] == "收回金额 2,000.00 元超过已核销且尚未收回的 1,000.00 元。"
